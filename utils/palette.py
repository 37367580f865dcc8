"""UAVid's classes and colour code, in the official toolkit's class order, and the conversions between a
colour label image and class indices."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .errors import LabError

if TYPE_CHECKING:  # the stand-in generator imports this module and runs without PyTorch
    import torch

CLASSES = (
    "clutter",
    "building",
    "road",
    "static car",
    "tree",
    "low vegetation",
    "human",
    "moving car",
)

# Row i is the RGB colour of class i in UAVid's label PNGs.
PALETTE = np.array(
    [
        (0, 0, 0),
        (128, 0, 0),
        (128, 64, 128),
        (192, 0, 192),
        (0, 128, 0),
        (128, 128, 0),
        (64, 64, 0),
        (64, 0, 128),
    ],
    dtype=np.uint8,
)

NUM_CLASSES = len(CLASSES)

# Each colour as one integer 0xRRGGBB, sorted, so a label image converts with one searchsorted.
_CODES = PALETTE.astype(np.int32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.int32)
_ORDER = np.argsort(_CODES).astype(np.uint8)
_SORTED_CODES = _CODES[_ORDER]
_ROWS = 256  # rows converted at a time: a 4K label needs no full-size temporaries


def rgb_to_index(rgb: np.ndarray, path: str | Path | None = None) -> np.ndarray:
    """UAVid colour label (H, W, 3) uint8 -> class indices (H, W) uint8, by a vectorised lookup of a few rows
    at a time."""
    index = np.empty(rgb.shape[:2], dtype=np.uint8)
    wrong, unknown = 0, set()
    for top in range(0, rgb.shape[0], _ROWS):
        band = rgb[top:top + _ROWS]
        code = band[..., 0].astype(np.int32) << 16 | band[..., 1].astype(np.int32) << 8 | band[..., 2]
        pos = np.searchsorted(_SORTED_CODES, code).clip(0, NUM_CLASSES - 1)
        bad = _SORTED_CODES[pos] != code
        if bad.any():
            wrong += int(bad.sum())
            unknown.update(np.unique(code[bad]).tolist())
        index[top:top + _ROWS] = _ORDER[pos]
    if wrong:
        unknown = sorted(unknown)
        colours = ", ".join(f"({c >> 16},{c >> 8 & 255},{c & 255})" for c in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise LabError(f"label {path or '(array)'} has {wrong} pixels in colours outside the UAVid palette: "
                       f"{colours}{more}; labels must use exactly the 8 class colours (save as PNG, not JPEG)")
    return index


def index_to_rgb(mask: np.ndarray | torch.Tensor) -> np.ndarray:
    """Class indices (H, W), array or tensor -> UAVid colour label (H, W, 3) uint8."""
    return PALETTE[np.asarray(mask.cpu() if hasattr(mask, "cpu") else mask)]
