"""Training samples from UAVid frames already in memory: random crops, whole images, random windows, and the
statistics they are normalised and weighted by."""
from dataclasses import dataclass

import numpy as np
import torch
from torchvision import tv_tensors
from torchvision.transforms import v2

from .errors import check
from .palette import NUM_CLASSES


def channel_stats(images: list[torch.Tensor]) -> tuple[list[float], list[float]]:
    """Per-channel mean and standard deviation of uint8 (C, H, W) images, in [0, 1] units.

    Computed from per-channel histograms, exactly and without a float copy of the pixels (4K frames add up).
    """
    check(all(im.dtype == torch.uint8 for im in images), "channel_stats expects uint8 images, as load_samples returns")
    counts = sum(torch.stack([torch.bincount(channel.flatten(), minlength=256) for channel in im]) for im in images)
    values = torch.arange(256, dtype=torch.float64) / 255
    n = counts.sum(1, keepdim=True)
    mean = (counts * values).sum(1, keepdim=True) / n
    var = (counts * (values - mean) ** 2).sum(1) / (n[:, 0] - 1)
    return mean[:, 0].tolist(), var.sqrt().tolist()


def class_frequencies(masks: list[torch.Tensor], num_classes: int = NUM_CLASSES) -> torch.Tensor:
    """Fraction of pixels of each class."""
    counts = sum(torch.bincount(m.flatten(), minlength=num_classes) for m in masks)
    return counts.double() / counts.sum()


def class_weights(masks: list[torch.Tensor], num_classes: int = NUM_CLASSES, c: float = 1.02) -> torch.Tensor:
    """Loss weights 1 / ln(c + frequency) (as in ENet): rare classes weigh more, but boundedly; mean 1."""
    w = 1 / torch.log(c + class_frequencies(masks, num_classes))
    return (w / w.mean()).float()


CROP_SCALE = (0.75, 1.25)  # training crops are cut after a random zoom by a factor in this range


class SegmentationCrops(torch.utils.data.Dataset):
    """Random training crops: an epoch is `length` crops, each from a random image. A square window, zoomed by a
    random factor in `scale` (its side is crop / zoom), is cut and resized to crop x crop jointly with its mask,
    and flipped; colour jitter (brightness, contrast, saturation) touches the image only."""

    def __init__(self, images: list[torch.Tensor], masks: list[torch.Tensor], crop: int, length: int,
                 mean: list[float], std: list[float], scale: tuple[float, float] = CROP_SCALE, jitter: float = 0.2):
        smallest = min(min(im.shape[-2:]) for im in images)
        check(0 < crop <= int(smallest * scale[0]),
              f"crops of {crop} px do not fit the smallest image side ({smallest} px) after the smallest random "
              f"zoom ({scale[0]}): use crops of at most {int(smallest * scale[0])} px, or larger images")
        self.images, self.masks, self.length = images, masks, length
        area = min(im.shape[-2] * im.shape[-1] for im in images)
        # Only the window is resized, not the whole image: a few ms a crop instead of tens.
        self.transform = v2.Compose([
            v2.RandomResizedCrop(crop, scale=((crop / scale[1]) ** 2 / area, (crop / scale[0]) ** 2 / area),
                                 ratio=(1.0, 1.0)),
            v2.RandomHorizontalFlip(),  # no vertical flip: in oblique views the far side is at the top
            # no hue jitter: converting to HSV and back took more time than the rest of the crop
            v2.ColorJitter(brightness=jitter, contrast=jitter, saturation=jitter),
            v2.ToDtype({tv_tensors.Image: torch.float32, tv_tensors.Mask: torch.int64}, scale=True),
            v2.Normalize(mean, std),
        ])

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        k = int(torch.randint(len(self.images), ()))
        image, mask = self.transform(tv_tensors.Image(self.images[k]), tv_tensors.Mask(self.masks[k]))
        return image.as_subclass(torch.Tensor), mask.as_subclass(torch.Tensor)


class WholeImages(torch.utils.data.Dataset):
    """Full images (normalised) and their masks, for validation and testing."""

    def __init__(self, images: list[torch.Tensor], masks: list[torch.Tensor], mean: list[float], std: list[float]):
        self.images, self.masks = images, masks
        self.mean = torch.tensor(mean).view(3, 1, 1)
        self.std = torch.tensor(std).view(3, 1, 1)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return (self.images[i].float() / 255 - self.mean) / self.std, self.masks[i]


def random_windows(images: list[torch.Tensor], masks: list[torch.Tensor], patch: int, count: int,
                   seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """`count` random patch x patch windows (uint8) and the class of each one's centre pixel."""
    r = patch // 2
    smallest = min(min(im.shape[-2:]) for im in images)
    check(patch <= smallest,
          f"windows of {patch} px do not fit the smallest image side ({smallest} px): use smaller windows")
    rng = np.random.default_rng(seed)
    which = rng.integers(len(images), size=count)
    windows = torch.empty(count, 3, patch, patch, dtype=torch.uint8)
    labels = torch.empty(count, dtype=torch.long)
    for i, k in enumerate(which):
        _, h, w = images[k].shape
        y, x = int(rng.integers(r, h - r)), int(rng.integers(r, w - r))
        windows[i] = images[k][:, y - r: y + r + 1, x - r: x + r + 1]
        labels[i] = masks[k][y, x]
    return windows, labels


# ----------------------------------------------------------------------------- evaluation samples


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
