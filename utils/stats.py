"""Statistics of UAVid frames in memory: the channel mean and standard deviation they are normalised by, and the
class frequencies and loss weights."""
import torch

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
