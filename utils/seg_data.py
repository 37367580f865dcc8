"""Segmentation inputs cut from UAVid frames in memory: random training crops, whole images, random windows."""
import numpy as np
import torch
from torchvision import tv_tensors
from torchvision.transforms import v2

from .choices import CROP_SCALE
from .errors import check
from .stats import normalize


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
        self.images, self.masks, self.length, self.mean, self.std = images, masks, length, mean, std
        area = min(im.shape[-2] * im.shape[-1] for im in images)
        # Only the window is resized, not the whole image: a few ms a crop instead of tens.
        self.transform = v2.Compose([
            v2.RandomResizedCrop(crop, scale=((crop / scale[1]) ** 2 / area, (crop / scale[0]) ** 2 / area),
                                 ratio=(1.0, 1.0)),
            v2.RandomHorizontalFlip(),  # no vertical flip: in oblique views the far side is at the top
            # no hue jitter: converting to HSV and back took more time than the rest of the crop
            v2.ColorJitter(brightness=jitter, contrast=jitter, saturation=jitter),
            v2.ToDtype({tv_tensors.Image: torch.float32, tv_tensors.Mask: torch.int64}, scale=True),
        ])

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        k = int(torch.randint(len(self.images), ()))
        image, mask = self.transform(tv_tensors.Image(self.images[k]), tv_tensors.Mask(self.masks[k]))
        return normalize(image.as_subclass(torch.Tensor), self.mean, self.std), mask.as_subclass(torch.Tensor)


class WholeImages(torch.utils.data.Dataset):
    """Full images (normalised) and their masks, for validation and testing."""

    def __init__(self, images: list[torch.Tensor], masks: list[torch.Tensor], mean: list[float], std: list[float]):
        self.images, self.masks, self.mean, self.std = images, masks, mean, std

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        return normalize(self.images[i].float() / 255, self.mean, self.std), self.masks[i]


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
