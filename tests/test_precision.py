import pytest
import torch
import torch.nn as nn

from utils import precision, training
from utils.batches import TensorLoader
from utils.config import Config
from utils.run import Run

from expect import raises_naming

CPU = torch.device("cpu")


@pytest.mark.parametrize("native, expected", [(False, None), (True, torch.bfloat16)])
def test_auto_picks_bfloat16_only_on_a_cpu_that_has_it(monkeypatch, native, expected):
    monkeypatch.setattr(precision, "cpu_has_native_bfloat16", lambda: native)
    assert precision.amp_dtype("auto", CPU) is expected


def test_explicit_precisions_on_the_cpu():
    assert precision.amp_dtype("float32", CPU) is None
    assert precision.amp_dtype("bfloat16", CPU) is torch.bfloat16
    with raises_naming("precision='float16'", "CUDA", "'bfloat16' or 'float32'"):
        precision.amp_dtype("float16", CPU)


def test_an_unknown_precision_is_a_one_line_error():
    with raises_naming("precision='fp8'", "auto, float32, bfloat16, float16"):
        precision.amp_dtype("fp8", CPU)
    with raises_naming("PRECISION='fp8'", "auto, float32, bfloat16, float16"):
        Config.from_parameters({"PRECISION": "fp8"})


def test_bfloat16_on_the_cpu_trains_a_step():
    torch.manual_seed(0)
    x, y = torch.randn(64, 2), torch.randint(0, 2, (64,))
    model = nn.Linear(2, 2)
    before = model.weight.detach().clone()
    loader = TensorLoader(x, y, 16)
    result = training.train_one_epoch(model, nn.CrossEntropyLoss(), torch.optim.SGD(model.parameters(), 0.1), loader,
                                      Run(CPU, torch.bfloat16, progress=False))
    assert torch.isfinite(torch.tensor(result["loss"])) and not torch.equal(model.weight, before)
    with precision.autocast(CPU, torch.bfloat16):
        assert model(x).dtype == torch.bfloat16  # the step really ran in bfloat16
    assert precision.describe_precision(torch.bfloat16) == "bfloat16 autocast"
    assert precision.describe_precision(None) == "float32"


@pytest.mark.parametrize("capability, probe, expected", [("AVX512", True, True), ("AVX512", False, False),
                                                         ("AVX2", True, False), ("DEFAULT", True, False)])
def test_native_bfloat16_needs_the_hardware_and_avx512_kernels(monkeypatch, capability, probe, expected):
    # ATEN_CPU_CAPABILITY=avx2 caps PyTorch's kernels: bfloat16 would then be emulated, so "auto" keeps float32
    monkeypatch.setattr(torch.backends.cpu, "get_cpu_capability", lambda: capability)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: probe, raising=False)
    monkeypatch.setattr(torch.cpu, "_is_amx_tile_supported", lambda: False, raising=False)
    assert precision.cpu_has_native_bfloat16() is expected
