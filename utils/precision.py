"""Mixed precision: which number format a device computes in, the autocast context and the gradient scaler.

"auto" picks bfloat16 where the hardware runs it natively (CUDA GPUs of compute capability 8 and up; CPUs with
AVX-512 BF16 or AMX), float16 on older CUDA GPUs (T4, V100), and float32 everywhere else: on a CPU without
native bfloat16 it is emulated and slower than float32.
"""
import contextlib

import torch

from .choices import PRECISIONS
from .errors import check


def cpu_has_native_bfloat16() -> bool:
    """Whether this CPU computes bfloat16 in hardware (AVX-512 BF16 or AMX), as PyTorch detects it, and PyTorch
    may use it: ATEN_CPU_CAPABILITY=avx2 (set by some clusters and containers) caps its kernels below AVX-512."""
    if torch.backends.cpu.get_cpu_capability() != "AVX512":
        return False
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # private, so looked up with care
    return any(getattr(torch.cpu, name, lambda: False)() for name in probes)


def amp_dtype(precision: str, device: torch.device) -> torch.dtype | None:
    """The autocast type for `precision` on `device`; None means full precision (float32)."""
    check(precision in PRECISIONS, f"precision={precision!r} is unknown: use one of {', '.join(PRECISIONS)}")
    if precision == "float32":
        return None
    if precision == "auto":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.get_device_capability(device)[0] >= 8 else torch.float16
        return torch.bfloat16 if device.type == "cpu" and cpu_has_native_bfloat16() else None
    check(device.type in ("cuda", "cpu"), f"precision={precision!r} runs on CUDA or the CPU, not on {device.type}: "
                                          "use 'float32'")
    check(precision == "bfloat16" or device.type == "cuda",
          "precision='float16' is for CUDA GPUs: use 'bfloat16' or 'float32' on the CPU")
    return torch.bfloat16 if precision == "bfloat16" else torch.float16


def describe_precision(dtype: torch.dtype | None) -> str:
    """'float32', or e.g. 'bfloat16 autocast'."""
    return "float32" if dtype is None else f"{str(dtype).removeprefix('torch.')} autocast"


def autocast(device: torch.device, dtype: torch.dtype | None):
    """Autocast to dtype on device; a no-op for None (float32)."""
    return contextlib.nullcontext() if dtype is None else torch.autocast(device.type, dtype=dtype)


def make_scaler(device: torch.device, dtype: torch.dtype | None) -> torch.amp.GradScaler:
    """Gradient scaling, needed only for float16 autocast (on CUDA)."""
    return torch.amp.GradScaler("cuda", enabled=dtype == torch.float16 and device.type == "cuda")
