"""UAVid on disk: the official folder layout, reading frames and labels, the course split, and writing
predictions in the same layout."""
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from .device import usable_cores
from .errors import LabError, check
from .palette import index_to_rgb, rgb_to_index


@dataclass(frozen=True)
class Sample:
    """One labelled frame: its sequence name, image file and label file."""

    sequence: str
    image: Path
    label: Path


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


def _holds_uavid(folder: Path) -> bool:
    """Whether uavid_train and uavid_val in folder each have a sequence with images (seq*/Images/*.png)."""
    return all(any((folder / split).glob("seq*/Images/*.png")) for split in ("uavid_train", "uavid_val"))


def _found(path: Path, limit: int = 5) -> str:
    """What is at path, in a few words, for an error message."""
    if not path.exists():
        return "it does not exist"
    if not path.is_dir():
        return "it is a file, not a folder"
    names = sorted(p.name + ("/" if p.is_dir() else "") for p in path.iterdir())
    if not names:
        return "it is empty"
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"it holds {', '.join(names[:limit])}{more}"


def find_uavid(path: str | Path, default: str | Path = "data/uavid") -> Path | None:
    """The UAVid root at path (holding uavid_train/ and uavid_val/) or one folder down (the official release's own
    folder, e.g. path/uavid_v1.5_official_release_image); None if path is the default and missing or empty.

    - several subfolders holding UAVid: LabError naming them (no silent pick);
    - path is not the default and holds no UAVid: LabError;
    - path is the default and missing, or empty (hidden files such as .gitkeep ignored): None (use the stand-in);
    - path is the default with anything else in it: LabError naming what is there."""
    path = Path(path)
    if _holds_uavid(path):
        return path
    if path.is_dir():
        found = sorted((sub for sub in path.iterdir() if sub.is_dir() and _holds_uavid(sub)), key=_natural)
        check(len(found) <= 1, f"{path} holds UAVid in {len(found)} folders ({', '.join(f.name for f in found)}): "
                               "point the path at one of them")
        if found:
            return found[0]
    is_default = path.resolve() == Path(default).resolve()
    if is_default and (not path.exists() or (path.is_dir() and all(p.name.startswith(".") for p in path.iterdir()))):
        return None
    fix = (f"point the path at UAVid, or leave it at the default {default} to use the stand-in" if not is_default
           else "put UAVid there, or empty or remove it to use the stand-in")
    if path.name in ("uavid_train", "uavid_val") and _holds_uavid(path.parent):
        fix = f"point the path at {path.parent}, the folder that holds uavid_train and uavid_val"
    raise LabError(f"no UAVid in {path} ({_found(path)}): expected {path}/uavid_train/seqN/Images/*.png and "
                   f"{path}/uavid_val/seqN/Images/*.png, or the release folder one level down "
                   f"(e.g. {path}/uavid_v1.5_official_release_image/uavid_train); {fix}")


def course_split(root: str | Path, test_sequences: int = 6, seed: int = 0) -> dict[str, list[Sample]]:
    """The course split: val = the official val set; train and test = the official train set, split by whole
    sequences (test_sequences of them, drawn with seed) so that no scene is on both sides."""
    root = Path(root)
    train_seqs = list_sequences(root / "uavid_train")
    val_seqs = list_sequences(root / "uavid_val")
    names = list(train_seqs)
    check(0 < test_sequences < len(names),
          f"test_sequences={test_sequences} must be between 1 and {len(names) - 1} "
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
          f"height={height} must be a positive whole number of rows (e.g. 270), or None for the full size")
    # PNG decoding and resizing release the GIL, so threads read several frames at once.
    with ThreadPoolExecutor(min(8, usable_cores())) as pool:
        pairs = list(pool.map(load_sample, samples, [height] * len(samples)))
    return [image for image, _ in pairs], [mask for _, mask in pairs]


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
    for sample, pred in zip(samples, predictions, strict=True):
        with Image.open(sample.image) as img:
            size = (img.height, img.width)
        paths.append(save_prediction(enlarge(pred, size), out_root, sample.sequence, sample.image.name))
    return paths
