"""Labelling whole images: by a sliding window (one patch per pixel) or by an FCN over overlapping tiles."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .errors import check
from .training import autocast


@torch.no_grad()
def predict_sliding_window(model: nn.Module, image: torch.Tensor, patch: int, device: torch.device,
                           batch_size: int = 4096) -> torch.Tensor:
    """Label every pixel of image (3, H, W) by classifying the patch x patch window centred on it.

    The image is reflect-padded so border pixels have a full window; windows are cut out a few rows at a
    time with unfold and classified in batches, so memory stays bounded.
    """
    model.eval()
    _, h, w = image.shape
    r = patch // 2
    padded = F.pad(image[None].to(device), [r, r, r, r], mode="reflect")
    rows = max(1, batch_size // w)
    out = torch.empty(h, w, dtype=torch.long, device=device)
    for top in range(0, h, rows):
        bottom = min(top + rows, h)
        strip = padded[:, :, top: bottom + 2 * r]  # the rows the windows of [top, bottom) need
        windows = F.unfold(strip, patch)  # (1, 3*patch*patch, (bottom-top)*w)
        windows = windows[0].T.reshape(-1, 3, patch, patch)
        with autocast(device):
            out[top:bottom] = model(windows).argmax(1).view(bottom - top, w)
    return out.cpu()


def _starts(size: int, tile: int, stride: int) -> list[int]:
    if size <= tile:
        return [0]
    starts = list(range(0, size - tile, stride))
    return starts + [size - tile]  # the last tile ends at the border


def _ramp(tile_h: int, tile_w: int, margin: int, device: torch.device) -> torch.Tensor:
    """A blending weight that is 1 inside and falls linearly to a small value over `margin` pixels."""
    def ramp1d(n: int) -> torch.Tensor:
        x = torch.arange(n, device=device, dtype=torch.float32)
        edge = torch.minimum(x + 1, n - x)
        return (edge / max(margin, 1)).clamp(1e-3, 1.0)
    return ramp1d(tile_h)[:, None] * ramp1d(tile_w)[None, :]


@torch.no_grad()
def predict_tiled(model: nn.Module, image: torch.Tensor, device: torch.device, num_classes: int,
                  tile: int = 512, overlap: int = 128) -> torch.Tensor:
    """Class map (H, W) of an arbitrarily large image (3, H, W) from overlapping tiles with blended logits.

    Only one tile is on the device at a time; logits are accumulated on the CPU, so memory grows with the
    image as (num_classes + 1) floats per pixel. An image that fits in one tile gets one plain forward pass.
    """
    check(0 <= overlap < tile, f"TILE_OVERLAP={overlap} must be at least 0 and smaller than TILE_SIZE={tile}")
    model.eval()
    _, h, w = image.shape
    th, tw = min(tile, h), min(tile, w)
    scores = torch.zeros(num_classes, h, w)
    weights = torch.zeros(h, w)
    ramp = _ramp(th, tw, overlap, torch.device("cpu"))
    for top in _starts(h, th, th - overlap):
        for left in _starts(w, tw, tw - overlap):
            crop = image[:, top: top + th, left: left + tw][None].to(device)
            with autocast(device):
                logits = model(crop)[0].float().cpu()
            scores[:, top: top + th, left: left + tw] += logits * ramp
            weights[top: top + th, left: left + tw] += ramp
    return scores.div_(weights).argmax(0)
