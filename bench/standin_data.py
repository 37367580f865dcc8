"""What the segmentation benchmarks share: the stand-in's course split, loaded as the notebook loads it, with the
notebook's default settings (utils.config.Config)."""
import torch

from utils import seg_data, standin, stats, uavid
from utils.config import Config

DEFAULTS = Config()


def load_standin_split(path: str, height: int = DEFAULTS.seg.height) -> tuple[dict, dict, list[float], list[float]]:
    """The notebook's defaults: the stand-in of STANDIN_WIDTH x STANDIN_HEIGHT and STANDIN_FRAMES (written to path
    if missing), split with UAVID_TEST_SEQUENCES under SEED, resized to height rows (SEG_HEIGHT).

    Returns images and masks per split name, and the training split's channel mean and std."""
    seg, seed = DEFAULTS.seg, DEFAULTS.general.seed
    root = standin.make_standin(path, size=(seg.standin_width, seg.standin_height), frames=seg.standin_frames,
                                seed=seed)
    images, masks = {}, {}
    for name, split in uavid.course_split(root, seg.test_sequences, seed).items():
        images[name], masks[name] = uavid.load_samples(split, height)
    mean, std = stats.channel_stats(images["train"])
    return images, masks, mean, std


def eval_loaders(images: dict, masks: dict, mean: list[float], std: list[float]):
    """Loaders of every SEG_VAL_EVERY-th validation image (as the notebook validates) and of the whole test split."""
    every = DEFAULTS.seg.val_every
    val = seg_data.WholeImages(images["val"][::every], masks["val"][::every], mean, std)
    test = seg_data.WholeImages(images["test"], masks["test"], mean, std)
    return torch.utils.data.DataLoader(val), torch.utils.data.DataLoader(test)
