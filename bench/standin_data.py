"""What the segmentation benchmarks share: the stand-in's course split, loaded as the notebook loads it."""
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils import standin, uavid  # noqa: E402


def load_standin_split(path: str) -> tuple[dict, dict, list[float], list[float]]:
    """The notebook's defaults: a 960x540 stand-in (written to path if missing), 6 test sequences, 270 rows.

    Returns images and masks per split name, and the training split's channel mean and std."""
    root = standin.make_standin(path, size=(960, 540), frames=10, seed=0)
    images, masks = {}, {}
    for name, samples in uavid.course_split(root, 6, 0).items():
        images[name], masks[name] = uavid.load_samples(samples, 270)
    mean, std = uavid.channel_stats(images["train"])
    return images, masks, mean, std


def eval_loaders(images: dict, masks: dict, mean: list[float], std: list[float]):
    """Loaders of every 2nd validation image (as the notebook validates) and of the whole test split."""
    val = uavid.WholeImages(images["val"][::2], masks["val"][::2], mean, std)
    test = uavid.WholeImages(images["test"], masks["test"], mean, std)
    return torch.utils.data.DataLoader(val), torch.utils.data.DataLoader(test)
