"""UAVid on disk: the official layout, colour labels <-> class indices, the course split, training crops."""
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision import tv_tensors
from torchvision.transforms import v2

from .device import usable_cores
from .errors import LabError, check
from .palette import NUM_CLASSES, PALETTE

# Each colour as one integer 0xRRGGBB, sorted, so a label image converts with one searchsorted.
_CODES = PALETTE.astype(np.int32) @ np.array([1 << 16, 1 << 8, 1], dtype=np.int32)
_ORDER = np.argsort(_CODES)
_SORTED_CODES = _CODES[_ORDER]


@dataclass(frozen=True)
class Sample:
    """One labelled frame: its sequence name, image file and label file."""

    sequence: str
    image: Path
    label: Path


def rgb_to_index(rgb: np.ndarray, path: str | Path | None = None) -> np.ndarray:
    """UAVid colour label (H, W, 3) uint8 -> class indices (H, W) uint8, in one vectorised lookup."""
    code = rgb[..., 0].astype(np.int32) << 16 | rgb[..., 1].astype(np.int32) << 8 | rgb[..., 2].astype(np.int32)
    pos = np.searchsorted(_SORTED_CODES, code).clip(0, NUM_CLASSES - 1)
    bad = _SORTED_CODES[pos] != code
    if bad.any():
        unknown = np.unique(code[bad])
        colours = ", ".join(f"({c >> 16},{c >> 8 & 255},{c & 255})" for c in unknown[:5])
        more = f" and {len(unknown) - 5} more" if len(unknown) > 5 else ""
        raise LabError(f"label {path or '(array)'} has {bad.sum()} pixels in colours outside the UAVid palette: "
                       f"{colours}{more}; labels must use exactly the 8 class colours (save as PNG, not JPEG)")
    return _ORDER[pos].astype(np.uint8)


def index_to_rgb(mask: np.ndarray | torch.Tensor) -> np.ndarray:
    """Class indices (H, W), array or tensor -> UAVid colour label (H, W, 3) uint8."""
    return PALETTE[mask.cpu().numpy() if torch.is_tensor(mask) else mask]


def _natural(path: Path) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def sequence_names(samples: list[Sample]) -> list[str]:
    """The sequences the samples come from, in natural order (seq2 before seq10)."""
    return sorted({s.sequence for s in samples}, key=lambda name: _natural(Path(name)))


def list_sequences(split_dir: str | Path) -> dict[str, list[Sample]]:
    """The frames of every sequence folder in one official split folder (e.g. <root>/uavid_train)."""
    split_dir = Path(split_dir)
    check(split_dir.is_dir(), f"UAVid folder {split_dir} does not exist: put UAVid's uavid_train and uavid_val there")
    sequences = {}
    for seq in sorted((p for p in split_dir.iterdir() if p.is_dir()), key=_natural):
        images = sorted((seq / "Images").glob("*.png"), key=_natural)
        if not images:
            continue
        check((seq / "Labels").is_dir(), f"sequence {seq} has {len(images)} images but no Labels folder: "
                                         "add seqN/Labels/*.png or remove the sequence")
        samples = []
        for image in images:
            label = seq / "Labels" / image.name
            check(label.is_file(), f"image {image} has no label {label}: add it or remove the image")
            samples.append(Sample(seq.name, image, label))
        sequences[seq.name] = samples
    return sequences


def find_uavid(root: str | Path) -> Path | None:
    """root if it holds UAVid's uavid_train and uavid_val folders, else None."""
    root = Path(root)
    return root if (root / "uavid_train").is_dir() and (root / "uavid_val").is_dir() else None


def course_split(root: str | Path, test_sequences: int = 6, seed: int = 0) -> dict[str, list[Sample]]:
    """The course split: val = the official val set; train and test = the official train set, split by whole
    sequences (test_sequences of them, drawn with seed) so that no scene is on both sides."""
    root = Path(root)
    train_seqs = list_sequences(root / "uavid_train")
    val_seqs = list_sequences(root / "uavid_val")
    names = list(train_seqs)
    check(0 < test_sequences < len(names),
          f"UAVID_TEST_SEQUENCES={test_sequences} must be between 1 and {len(names) - 1} "
          f"(the number of sequences in {root / 'uavid_train'} minus one) so that train and test are not empty")
    rng = np.random.default_rng(seed)
    test_names = sorted(rng.choice(names, size=test_sequences, replace=False).tolist(), key=lambda s: _natural(Path(s)))
    split = {
        "train": [s for n in names if n not in test_names for s in train_seqs[n]],
        "val": [s for seq in val_seqs.values() for s in seq],
        "test": [s for n in test_names for s in train_seqs[n]],
    }
    for name, samples in split.items():
        check(len(samples) > 0, f"the {name} split of {root} is empty: check that uavid_train and uavid_val hold "
                                "sequences with Images/*.png and Labels/*.png")
    return split


def _resized(img: Image.Image, height: int | None, resample) -> Image.Image:
    if height is None or height == img.height:
        return img
    return img.resize((round(img.width * height / img.height), height), resample)


def read_image(path: Path, height: int | None = None) -> np.ndarray:
    """RGB image (H, W, 3) uint8, resized to `height` rows (aspect kept) if given."""
    with Image.open(path) as img:
        return np.array(_resized(img.convert("RGB"), height, Image.BILINEAR))


def read_label(path: Path, height: int | None = None) -> np.ndarray:
    """Class indices (H, W) uint8 of a colour label, resized to `height` rows (nearest neighbour) if given."""
    with Image.open(path) as img:
        return rgb_to_index(np.asarray(_resized(img.convert("RGB"), height, Image.NEAREST)), path)


def load_sample(sample: Sample, height: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """One frame resized to `height` rows: the image as uint8 (3, H, W), its label as int64 (H, W)."""
    with Image.open(sample.image) as img, Image.open(sample.label) as lbl:  # headers only: cheap
        check(img.size == lbl.size, f"image {sample.image} is {img.width}x{img.height} but its label {sample.label} "
                                    f"is {lbl.width}x{lbl.height}: they must be the same size")
    image = torch.from_numpy(read_image(sample.image, height)).permute(2, 0, 1).contiguous()
    return image, torch.from_numpy(read_label(sample.label, height)).long()


def load_samples(samples: list[Sample], height: int | None = None) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Read every sample once, resized to `height` rows: images as uint8 (3, H, W), labels as int64 (H, W)."""
    check(height is None or (isinstance(height, int) and height > 0),
          f"SEG_HEIGHT={height} must be a positive whole number of rows (e.g. 270)")
    # PNG decoding and resizing release the GIL, so threads read several frames at once.
    with ThreadPoolExecutor(min(8, usable_cores())) as pool:
        pairs = list(pool.map(load_sample, samples, [height] * len(samples)))
    return [image for image, _ in pairs], [mask for _, mask in pairs]


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
    """Random training crops: an epoch is `length` crops, each from a random image, jointly rescaled,
    cropped and flipped with its mask; colour jitter touches the image only."""

    def __init__(self, images: list[torch.Tensor], masks: list[torch.Tensor], crop: int, length: int,
                 mean: list[float], std: list[float], scale: tuple[float, float] = CROP_SCALE, jitter: float = 0.2):
        smallest = min(min(im.shape[-2:]) for im in images)
        check(0 < crop <= int(smallest * scale[0]),
              f"SEG_CROP={crop} is larger than the smallest image side ({smallest} px) times the smallest random "
              f"scale ({scale[0]}): use a crop of at most {int(smallest * scale[0])}, or a larger SEG_HEIGHT")
        self.images, self.masks, self.length = images, masks, length
        sizes = [int(smallest * s) for s in scale]
        self.transform = v2.Compose([
            v2.RandomResize(sizes[0], sizes[1] + 1),
            v2.RandomCrop(crop),
            v2.RandomHorizontalFlip(),  # no vertical flip: in oblique views the far side is at the top
            v2.ColorJitter(brightness=jitter, contrast=jitter, saturation=jitter, hue=jitter / 10),
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


def save_prediction(mask: np.ndarray | torch.Tensor, out_root: str | Path, sequence: str, name: str) -> Path:
    """Write a class-index mask as a UAVid colour PNG at <out_root>/<sequence>/Labels/<name>."""
    mask = mask.cpu().numpy() if torch.is_tensor(mask) else mask
    path = Path(out_root) / sequence / "Labels" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(index_to_rgb(mask.astype(np.uint8))).save(path)
    return path


def enlarge(pred: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """A (H, W) map of class indices resized to size = (height, width) by nearest neighbour, as uint8."""
    return F.interpolate(pred[None, None].float(), size=size, mode="nearest")[0, 0].to(torch.uint8)


def export_predictions(samples: list[Sample], predictions: list[torch.Tensor], out_root: str | Path) -> list[Path]:
    """Write each sample's prediction, enlarged to its image's full size, in UAVid's layout."""
    check(len(samples) == len(predictions), f"{len(predictions)} predictions for {len(samples)} images")
    paths = []
    for sample, pred in zip(samples, predictions):
        with Image.open(sample.image) as img:
            size = (img.height, img.width)
        paths.append(save_prediction(enlarge(pred, size), out_root, sample.sequence, sample.image.name))
    return paths


def random_windows(images: list[torch.Tensor], masks: list[torch.Tensor], patch: int, count: int,
                   seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """`count` random patch x patch windows (uint8) and the class of each one's centre pixel."""
    r = patch // 2
    smallest = min(min(im.shape[-2:]) for im in images)
    check(patch <= smallest, f"PATCH_SIZE={patch} is larger than the smallest image side ({smallest} px): use a smaller patch")
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
