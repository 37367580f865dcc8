"""Normalising images by a mean and a standard deviation (and back), the per-channel statistics of UAVid frames
in memory, and their class frequencies and loss weights."""
from collections.abc import Sequence

import torch

from .errors import check
from .palette import NUM_CLASSES

Stat = float | Sequence[float] | torch.Tensor  # one value for every channel, or one per channel


def as_channels(value: Stat, like: torch.Tensor) -> float | torch.Tensor:
    """A single value as it is; per-channel values as a (C, 1, 1) tensor of like's type, on like's device."""
    if isinstance(value, (int, float)):
        return value
    return torch.as_tensor(value, dtype=like.dtype, device=like.device).view(-1, 1, 1)


def normalize(x: torch.Tensor, mean: Stat, std: Stat) -> torch.Tensor:
    """(x - mean) / std, per channel of images (..., C, H, W) where mean and std are per channel."""
    return (x - as_channels(mean, x)) / as_channels(std, x)


def denormalize(x: torch.Tensor, mean: Stat, std: Stat) -> torch.Tensor:
    """The inverse of normalize: x * std + mean."""
    return x * as_channels(std, x) + as_channels(mean, x)


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
