"""Labelling whole images: in one pass, by a sliding window (one patch per pixel), or over overlapping tiles;
and timing them."""
import statistics
import time
from collections.abc import Callable
from typing import TypeVar

import torch
import torch.nn as nn
import torch.nn.functional as F

from .errors import check
from .eval_samples import PixelSample
from .run import Run

T = TypeVar("T")


def time_call(fn: Callable[[], T], device: torch.device, repeats: int = 1, warmup: bool = True) -> tuple[T, float]:
    """Call fn (once more first, untimed, if warmup) `repeats` times; return its last result and the median
    seconds of a call. On CUDA the clock waits for the GPU's queued work."""
    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize(device)

    check(isinstance(repeats, int) and repeats >= 1, f"repeats={repeats} must be a whole number, at least 1")
    if warmup:  # the first call allocates memory and, on a GPU, picks its kernels
        fn()
    seconds = []
    for _ in range(repeats):
        sync()
        tic = time.perf_counter()
        result = fn()
        sync()
        seconds.append(time.perf_counter() - tic)
    return result, statistics.median(seconds)


@torch.no_grad()
def predict_image(model: nn.Module, image: torch.Tensor, run: Run) -> torch.Tensor:
    """Class map (H, W), on the CPU, of one image (3, H, W) in one forward pass, with the run's autocast."""
    model.eval()
    with run.autocast():
        return model(image[None].to(run.device))[0].argmax(0).cpu()


def _pad_for_windows(image: torch.Tensor, half: int, device: torch.device) -> torch.Tensor:
    """Image (3, H, W) on device, padded by a window's half-width `half` on every side so that border pixels have
    a full window: reflected, or edge-replicated where the image is smaller than half."""
    _, h, w = image.shape
    return F.pad(image[None].to(device), [half] * 4, mode="reflect" if half < min(h, w) else "replicate")[0]


@torch.no_grad()
def predict_sliding_window(model: nn.Module, image: torch.Tensor, patch: int, run: Run,
                           batch_size: int = 4096) -> torch.Tensor:
    """Label every pixel of image (3, H, W) by classifying the patch x patch window centred on it.

    The image is reflect-padded so border pixels have a full window (edge-replicated where it is smaller than
    the window's half-width); windows are cut out a few rows at a time with unfold and classified in batches,
    so memory stays bounded.
    """
    model.eval()
    _, h, w = image.shape
    r = patch // 2
    padded = _pad_for_windows(image, r, run.device)[None]
    rows = max(1, batch_size // w)
    out = torch.empty(h, w, dtype=torch.long, device=run.device)
    for top in range(0, h, rows):
        bottom = min(top + rows, h)
        strip = padded[:, :, top: bottom + 2 * r]  # the rows the windows of [top, bottom) need
        windows = F.unfold(strip, patch)  # (1, 3*patch*patch, (bottom-top)*w)
        windows = windows[0].T.reshape(-1, 3, patch, patch)
        with run.autocast():
            out[top:bottom] = model(windows).argmax(1).view(bottom - top, w)
    return out.cpu()


def tile_spans(size: int, tile: int, stride: int, align: int) -> list[tuple[int, int]]:
    """(start, stop) of the tiles along one axis. Starts are multiples of align; the last tile ends at the
    border, so it may be up to align - 1 pixels longer than the others (never a sliver)."""
    if size <= tile:
        return [(0, size)]
    last = (size - tile) // align * align
    return [(s, s + tile) for s in range(0, last, stride)] + [(last, size)]


def tile_weights(height: int, width: int, margin: int, inner: tuple[bool, bool, bool, bool]) -> torch.Tensor:
    """Blending weight of a height x width tile: 1 inside, falling over `margin` pixels towards the edges flagged
    in `inner` (top, bottom, left, right) as the 4th power of the distance, so that each pixel's label comes
    mostly from the tile in which it is most central (where the network saw the most context)."""
    def ramp1d(length: int, low: bool, high: bool) -> torch.Tensor:
        x = torch.arange(length, dtype=torch.float32)
        edge = torch.full((length,), float(max(margin, 1)))
        if low:
            edge = torch.minimum(edge, x + 1)
        if high:
            edge = torch.minimum(edge, length - x)
        return (edge / max(margin, 1)).clamp(1e-3, 1.0) ** 4
    return ramp1d(height, *inner[:2])[:, None] * ramp1d(width, *inner[2:])[None, :]


@torch.no_grad()
def predict_tiled(model: nn.Module, image: torch.Tensor, run: Run, num_classes: int, tile: int = 512,
                  overlap: int = 128, align: int = 32) -> torch.Tensor:
    """Class map (H, W) of an arbitrarily large image (3, H, W) from overlapping tiles with blended logits.

    Tile origins are multiples of `align` (at least the network's total down-sampling: a U-Net's `stride`,
    2 ** (depth + 1)), so every tile pools over the same pixel grid as one pass over the whole image would. Only
    one tile is on the device at a time; logits are accumulated on the CPU.
    """
    check(0 <= overlap < tile, f"tile overlap={overlap} must be at least 0 and smaller than the tile size={tile}")
    stride = (tile - overlap) // align * align
    check(stride > 0, f"tiles of {tile} px with an overlap of {overlap} px advance by less than {align} px (align): "
                      "use a smaller overlap")
    model.eval()
    _, h, w = image.shape
    scores = torch.zeros(num_classes, h, w)
    weights = torch.zeros(h, w)
    for top, bottom in tile_spans(h, tile, stride, align):
        for left, right in tile_spans(w, tile, stride, align):
            crop = image[:, top:bottom, left:right]
            # borders of the image are real borders: only tile edges inside the image get the ramp
            ramp = tile_weights(bottom - top, right - left, overlap, (top > 0, bottom < h, left > 0, right < w))
            with run.autocast():
                logits = model(crop[None].to(run.device))[0].float().cpu()
            scores[:, top:bottom, left:right] += logits * ramp
            weights[top:bottom, left:right] += ramp
    return scores.div_(weights).argmax(0)


@torch.no_grad()
def classify_pixels(model: nn.Module, images: list[torch.Tensor], sample: PixelSample, patch: int, run: Run,
                    batch_size: int = 4096) -> torch.Tensor:
    """The sliding-window label (on the CPU) of each sampled pixel only: the same padded windows and precision
    as predict_sliding_window, so the labels equal its full maps read at those pixels."""
    model.eval()
    r = patch // 2
    device = run.device
    offsets = torch.arange(patch, device=device)
    out = torch.empty(len(sample), dtype=torch.long)
    for k in sample.image.unique().tolist():
        padded = _pad_for_windows(images[k], r, device)
        at = torch.nonzero(sample.image == k).flatten()
        for chunk in at.split(batch_size):
            # pixel (y, x) of the image is the top-left corner of its window in the padded image
            rows = (sample.y[chunk].to(device)[:, None] + offsets)[:, :, None]  # (n, patch, 1)
            cols = (sample.x[chunk].to(device)[:, None] + offsets)[:, None, :]  # (n, 1, patch)
            windows = padded[:, rows, cols].transpose(0, 1)  # (n, 3, patch, patch)
            with run.autocast():
                out[chunk] = model(windows).argmax(1).cpu()
    return out
