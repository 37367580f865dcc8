import os
import random

import numpy as np
import pytest
import torch
import torch.nn as nn

from utils.cores import usable_cores
from utils.device import describe, pick_device, seed_everything, to_device

from expect import raises_naming


def test_device_names_are_checked():
    assert pick_device("cpu") == torch.device("cpu")
    with raises_naming("'gpu0'", "'auto', 'cpu', 'cuda', 'cuda:1' or 'mps'"):
        pick_device("gpu0")
    if not torch.cuda.is_available():
        with raises_naming("'cuda:1'", "'auto' or 'cpu'"):
            pick_device("cuda:1")
    mps = getattr(torch.backends, "mps", None)
    if mps is None or not mps.is_available():
        with raises_naming("'mps'", "MPS", "'auto' or 'cpu'"):
            pick_device("mps")


def test_auto_prefers_cuda_then_mps_then_the_cpu():
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert pick_device("auto").type == expected == pick_device().type


def draws() -> tuple:
    return torch.rand(3).tolist(), np.random.rand(3).tolist(), [random.random() for _ in range(3)]


def test_seed_everything_repeats_the_draws_of_torch_numpy_and_random():
    seed_everything(5)
    first = draws()
    seed_everything(5)
    again = draws()
    seed_everything(6)
    other = draws()
    for mine, same, different in zip(first, again, other, strict=True):  # torch, then numpy, then random
        assert mine == same and mine != different


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity"), reason="no CPU affinity on this system")
def test_usable_cores_follow_the_cpu_affinity():
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(allowed)})  # as a container or job scheduler narrows it
        assert usable_cores() == 1
    finally:
        os.sched_setaffinity(0, allowed)
    assert usable_cores() == len(allowed)


def test_cores_description_and_channels_last():
    assert describe(torch.device("cpu")).startswith("cpu (")
    conv = to_device(nn.Conv2d(3, 4, 3), torch.device("cpu"))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)


def test_mps_without_the_cpu_fall_back_says_how_to_set_it(monkeypatch, capsys):
    from utils import device as module

    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    monkeypatch.setattr(module, "MPS_FALLBACK_ON", True)
    assert pick_device("auto").type == "mps" and capsys.readouterr().out == ""
    monkeypatch.setattr(module, "MPS_FALLBACK_ON", False)  # as if torch had been imported before utils.device
    assert pick_device("mps").type == "mps"
    out = capsys.readouterr().out
    assert "PYTORCH_ENABLE_MPS_FALLBACK=1 was not set" in out and "first cell" in out and out.count("\n") == 1


def test_the_fall_back_is_set_when_utils_is_imported_before_torch():
    import subprocess
    import sys

    code = ("import os; os.environ.pop('PYTORCH_ENABLE_MPS_FALLBACK', None); import utils.device as d, sys; "
            "print(d.MPS_FALLBACK_ON, os.environ['PYTORCH_ENABLE_MPS_FALLBACK'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "1"]
    late = subprocess.run([sys.executable, "-c", "import torch; " + code], capture_output=True, text=True, check=True)
    assert late.stdout.split() == ["False", "1"]  # set, but too late for this process: pick_device says so


def test_crops_load_in_spawned_workers():
    # macOS and Windows start DataLoader workers by spawning a new interpreter, which must import the dataset
    from utils.seg_data import SegmentationCrops

    images = [torch.randint(0, 256, (3, 40, 60), dtype=torch.uint8) for _ in range(2)]
    masks = [torch.randint(0, 8, (40, 60)) for _ in range(2)]
    crops = SegmentationCrops(images, masks, 16, 4, [0.5] * 3, [0.25] * 3)
    loader = torch.utils.data.DataLoader(crops, batch_size=2, num_workers=1, multiprocessing_context="spawn")
    shapes = [(tuple(x.shape), tuple(y.shape)) for x, y in loader]
    assert shapes == [((2, 3, 16, 16), (2, 16, 16))] * 2
