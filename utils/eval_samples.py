"""Parts of the test split that are shown or scored alike for every model: zoomed regions rich in rare classes,
and random pixels."""
from dataclasses import dataclass

import numpy as np
import torch

from .errors import check


@dataclass(frozen=True)
class Region:
    """A size x size square of test image `image`, with its top-left corner at (top, left)."""

    image: int
    top: int
    left: int
    size: int

    def crop(self, x: torch.Tensor | np.ndarray) -> torch.Tensor | np.ndarray:
        """The region of an image (C, H, W) or a map (H, W)."""
        return x[..., self.top: self.top + self.size, self.left: self.left + self.size]

    def overlap(self, other: "Region") -> float:
        """Fraction of this region's area that `other` also covers (0 for different images)."""
        if self.image != other.image:
            return 0.0
        dy = min(self.top, other.top) + min(self.size, other.size) - max(self.top, other.top)
        dx = min(self.left, other.left) + min(self.size, other.size) - max(self.left, other.left)
        return max(dy, 0) * max(dx, 0) / self.size ** 2


def _window_counts(mask: torch.Tensor, classes: list[int], size: int, tops: torch.Tensor,
                   lefts: torch.Tensor) -> torch.Tensor:
    """Pixels of each class (columns) in the size x size windows at (tops, lefts) of mask, from integral images."""
    hits = torch.stack([mask == c for c in classes]).long()  # (K, H, W)
    integral = torch.nn.functional.pad(hits.cumsum(1).cumsum(2), [1, 0, 1, 0])
    bottoms, rights = tops + size, lefts + size
    counts = (integral[:, bottoms, rights] - integral[:, tops, rights]
              - integral[:, bottoms, lefts] + integral[:, tops, lefts])
    return counts.T


def rare_class_boxes(masks: list[torch.Tensor], classes: list[int], size: int, count: int, seed: int = 0,
                     candidates: int = 4096, max_overlap: float = 0.25, groups: list | None = None) -> list[Region]:
    """Up to `count` size x size regions of the masks showing many pixels of `classes`, best first.

    Each region is centred on a rare pixel (one of `candidates` drawn with the seed), clipped to its image, and
    scores sum over classes of gain * log(1 + its pixels of that class); a class's gain is 1 / (1 + the regions
    already chosen that show it), so that the regions show every class. A region may cover at most
    `max_overlap` of a chosen one; with `groups` (a label per mask, e.g. its sequence), one region per group."""
    smallest = min(min(m.shape[-2:]) for m in masks)
    check(0 < size <= smallest, f"regions of {size} px do not fit the smallest mask side ({smallest} px)")
    found = [torch.nonzero(torch.isin(m.cpu(), torch.tensor(classes, dtype=m.dtype))) for m in masks]
    which = torch.cat([torch.full((len(f),), k) for k, f in enumerate(found)])
    pick = torch.from_numpy(np.sort(np.random.default_rng(seed).permutation(len(which))[:candidates]))
    which, centres = which[pick], torch.cat(found)[pick]
    regions, counts = [], []
    for k in which.unique().tolist():
        mask, at = masks[k].cpu(), centres[which == k]
        tops = (at[:, 0] - size // 2).clamp(0, mask.shape[0] - size)
        lefts = (at[:, 1] - size // 2).clamp(0, mask.shape[1] - size)
        counts.append(_window_counts(mask, classes, size, tops, lefts))
        regions += [Region(k, t, left, size) for t, left in zip(tops.tolist(), lefts.tolist(), strict=True)]
    if not regions:
        return []
    counts = torch.cat(counts)
    logs, shown = counts.double().log1p(), torch.zeros(len(classes))
    free = torch.ones(len(regions), dtype=torch.bool)
    group = [groups[r.image] if groups is not None else r.image for r in regions]
    chosen: list[Region] = []
    while len(chosen) < count and free.any():
        scores = torch.where(free, logs @ (1 / (1 + shown)).double(), -1.0)
        best = int(scores.argmax())  # the first of equals: deterministic
        chosen.append(regions[best])
        shown += counts[best] > 0
        free &= torch.tensor([r.overlap(regions[best]) <= max_overlap and (groups is None or g != group[best])
                              for r, g in zip(regions, group, strict=True)])
    return chosen


@dataclass(frozen=True)
class PixelSample:
    """Pixels of a list of images: pixel i is (y[i], x[i]) of image image[i]; sorted by image, then row."""

    image: torch.Tensor
    y: torch.Tensor
    x: torch.Tensor

    def __len__(self) -> int:
        return len(self.image)


def sample_pixels(masks: list[torch.Tensor], count: int, seed: int = 0) -> PixelSample:
    """`count` distinct pixels drawn uniformly (seeded) from all the pixels of all masks (H, W) together."""
    sizes = torch.tensor([m.numel() for m in masks])
    total = int(sizes.sum())
    check(0 < count <= total, f"cannot sample {count} pixels from masks of {total} pixels in all")
    flat = torch.from_numpy(np.sort(np.random.default_rng(seed).choice(total, size=count, replace=False)))
    starts = sizes.cumsum(0) - sizes
    image = torch.searchsorted(starts, flat, right=True) - 1
    widths = torch.tensor([m.shape[-1] for m in masks])
    local = flat - starts[image]
    return PixelSample(image, local // widths[image], local % widths[image])


def pixel_values(maps: list[torch.Tensor], sample: PixelSample) -> torch.Tensor:
    """The values of maps (H, W), one per image (truth or predictions), at the sampled pixels."""
    out = torch.empty(len(sample), dtype=torch.long)
    for k in sample.image.unique().tolist():
        at = sample.image == k
        out[at] = maps[k].cpu()[sample.y[at], sample.x[at]].long()
    return out
