"""Mixed precision: which autocast type a device trains in, the autocast context and the gradient scaler."""
import contextlib

import torch


def amp_dtype(device: torch.device) -> torch.dtype | None:
    """The autocast type on this device: bfloat16 on CUDA GPUs that run it natively (compute capability 8
    and up), float16 on older ones (T4, V100), None (full precision) elsewhere."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.get_device_capability(device)[0] >= 8 else torch.float16


def autocast(device: torch.device):
    """Mixed precision on CUDA (see amp_dtype); a no-op elsewhere."""
    dtype = amp_dtype(device)
    return contextlib.nullcontext() if dtype is None else torch.autocast("cuda", dtype=dtype)


def make_scaler(device: torch.device) -> torch.amp.GradScaler:
    """Gradient scaling, needed only for float16 autocast."""
    return torch.amp.GradScaler("cuda", enabled=amp_dtype(device) == torch.float16)
