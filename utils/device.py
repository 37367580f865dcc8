"""Device choice, seeding, and the memory layout of the models."""
import os
import random
import sys

# Apple's MPS lacks some operations: with this set, PyTorch runs them on the CPU instead of stopping. PyTorch reads
# it once, when it is imported, so it counts only if set before then (the notebook's first cell sets it too).
MPS_FALLBACK = "PYTORCH_ENABLE_MPS_FALLBACK"
MPS_FALLBACK_ON = os.environ.get(MPS_FALLBACK, "1" if "torch" not in sys.modules else "0") != "0"
os.environ.setdefault(MPS_FALLBACK, "1")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from .errors import LabError, check  # noqa: E402


def pick_device(name: str = "auto") -> torch.device:
    """CUDA if available, then Apple's MPS, then the CPU; or the device named. On MPS, says if operations it
    lacks will stop the run (the CPU fall-back was not set when PyTorch was imported)."""
    device = _device(name)
    if device.type == "mps" and not MPS_FALLBACK_ON:
        print(f"MPS: operations it lacks will stop with NotImplementedError, as {MPS_FALLBACK}=1 was not set when "
              "PyTorch was imported; to run them on the CPU, run the notebook's first cell before the others, or set "
              "it before starting Jupyter")
    return device


def _device(name: str) -> torch.device:
    if name != "auto":
        try:
            device = torch.device(name)
        except RuntimeError:
            raise LabError(f"device {name!r} is not a device name: "
                           "use 'auto', 'cpu', 'cuda', 'cuda:1' or 'mps'") from None
        if device.type == "cuda":
            count = torch.cuda.device_count() if torch.cuda.is_available() else 0
            check(count > (device.index or 0), f"device {name!r} was asked for, but PyTorch sees {count} CUDA GPU(s): "
                                               "use 'auto' or 'cpu'")
        if device.type == "mps":
            mps = getattr(torch.backends, "mps", None)
            check(mps is not None and mps.is_available(),
                  f"device {name!r} was asked for, but MPS is not available here: use 'auto' or 'cpu'")
        return device
    if torch.cuda.is_available():
        return torch.device("cuda")
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (CPU and every GPU)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def describe(device: torch.device) -> str:
    """A one-line description of the device, e.g. for the notebook's header."""
    if device.type == "cuda":
        return f"cuda ({torch.cuda.get_device_name(device)})"
    if device.type == "cpu":
        return f"cpu ({torch.get_num_threads()} threads)"
    return device.type


def to_device(model: nn.Module, device: torch.device) -> nn.Module:
    """Move model to device in the channels-last layout, which oneDNN (CPU) and cuDNN convolve fastest."""
    return model.to(device, memory_format=torch.channels_last)
