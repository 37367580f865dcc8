"""UAVid on disk: the official folder layout, reading frames and labels, the course split, and writing
predictions in the same layout.

Listing a split checks the layout before anything is read: every image needs its label and every label its
image (matched by name, without the suffix), labels must be lossless (LABEL_SUFFIXES), and whatever is not a
frame is skipped and said. Reading names each file that cannot be decoded. Imports no PyTorch at load time, so
that the settings can check UAVID_DIR cheaply."""
from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, UnidentifiedImageError

from .cores import usable_cores
from .errors import LabError, check
from .palette import CLASSES, NUM_CLASSES, index_to_rgb, rgb_to_index

if TYPE_CHECKING:
    import torch

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".webp")  # what a frame's image may be
LABEL_SUFFIXES = (".png", ".tif", ".tiff", ".bmp")  # lossless only: JPEG blurs the class colours
SINGLE_CHANNEL = ("L", "I", "I;16", "I;16B", "I;16L")  # modes of a label that holds class indices, not colours
SHOWN = 5  # names shown in a message before "and N more"


@dataclass(frozen=True)
class Sample:
    """One labelled frame: its sequence name, image file and label file."""

    sequence: str
    image: Path
    label: Path


def _natural(path: Path) -> list:
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path.name)]


def _names(paths: list, shown: int = SHOWN) -> str:
    """The first `shown` of paths, then how many more."""
    more = f" and {len(paths) - shown} more" if len(paths) > shown else ""
    return ", ".join(str(p) for p in paths[:shown]) + more


def sequence_names(samples: list[Sample]) -> list[str]:
    """The sequences the samples come from, in natural order (seq2 before seq10)."""
    return sorted({s.sequence for s in samples}, key=lambda name: _natural(Path(name)))


def _frame_files(folder: Path, suffixes: tuple[str, ...], skipped: list[Path]) -> dict[str, list[Path]]:
    """The files of folder whose suffix is in suffixes, by name without the suffix; the rest goes to skipped
    (hidden files such as macOS's ._000000.png included: they are not frames)."""
    frames: dict[str, list[Path]] = {}
    if not folder.is_dir():
        return frames
    for path in sorted(folder.iterdir(), key=_natural):
        if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in suffixes:
            frames.setdefault(path.stem, []).append(path)
        else:
            skipped.append(path)
    return frames


def _sequence(seq: Path, skipped: list[Path]) -> list[Sample]:
    """The frames of one sequence folder (seq/Images and seq/Labels), each image paired with its label."""
    images = _frame_files(seq / "Images", IMAGE_SUFFIXES, skipped)
    labels = _frame_files(seq / "Labels", IMAGE_SUFFIXES, skipped)
    if not images and not labels:
        return []
    check((seq / "Labels").is_dir(), f"sequence {seq} has {len(images)} images but no Labels folder: "
                                     "add seqN/Labels/*.png or remove the sequence")
    twins = [p for paths in (*images.values(), *labels.values()) if len(paths) > 1 for p in paths]
    check(not twins, f"{len(twins)} files of {seq} share a name but not a suffix ({_names(twins)}): "
                     "keep one file per frame in Images and one in Labels")
    _lossy([p[0] for p in labels.values() if p[0].suffix.lower() not in LABEL_SUFFIXES])
    _unpaired("image", "label", [images[k][0] for k in images if k not in labels], seq / "Labels")
    _unpaired("label", "image", [labels[k][0] for k in labels if k not in images], seq / "Images")
    return [Sample(seq.name, images[k][0], labels[k][0]) for k in images]


def _lossy(labels: list[Path]) -> None:
    """LabError naming the labels saved in a lossy format, if there are any."""
    allowed = ", ".join(LABEL_SUFFIXES)
    why = f"JPEG compression mixes the class colours, so labels must be lossless ({allowed})"
    if len(labels) == 1:
        raise LabError(f"label {labels[0]} is not lossless: {why}; export it again as PNG, as in UAVid")
    check(not labels, f"{len(labels)} labels in {labels[0].parent if labels else ''} are not lossless "
                      f"({_names([f.name for f in labels])}): {why}; export them again as PNG, as in UAVid")


def _unpaired(kind: str, other: str, files: list[Path], folder: Path) -> None:
    """LabError naming the files of one kind that lack their other half in folder, if there are any."""
    if len(files) == 1:
        raise LabError(f"{kind} {files[0]} has no {other}: expected one named {files[0].stem}.* in {folder}; "
                       f"add it or remove the {kind}")
    check(not files, f"{len(files)} {kind}s in {files[0].parent if files else folder} have no {other} "
                     f"({_names([f.name for f in files])}): expected {other}s of the same names in {folder}; "
                     f"add them or remove the {kind}s")


def scan_split(split_dir: str | Path) -> tuple[dict[str, list[Sample]], list[Path]]:
    """The frames of every sequence folder (one with Images/ or Labels/) in one official split folder
    (e.g. <root>/uavid_train), and what was skipped: entries that are not frames. Raises LabError on a broken
    layout (an image without its label, a label without its image, a label not in LABEL_SUFFIXES)."""
    split_dir = Path(split_dir)
    check(split_dir.is_dir(), f"UAVid folder {split_dir} does not exist: put UAVid's uavid_train and uavid_val there")
    sequences, skipped = {}, []
    for seq in sorted(split_dir.iterdir(), key=_natural):
        if not (seq.is_dir() and ((seq / "Images").is_dir() or (seq / "Labels").is_dir())):
            skipped.append(seq)
            continue
        samples = _sequence(seq, skipped)
        if samples:
            sequences[seq.name] = samples
        else:
            skipped.append(seq)
    return sequences, skipped


def list_sequences(split_dir: str | Path) -> dict[str, list[Sample]]:
    """The frames of every sequence folder in one official split folder (e.g. <root>/uavid_train); prints one
    line naming what was skipped, if anything was."""
    sequences, skipped = scan_split(split_dir)
    if skipped:
        print(f"UAVid: skipped {len(skipped)} entries of {split_dir} that are not frames (neither an image with its "
              f"label nor a sequence folder): {_names(skipped)}")
    return sequences


def _holds_uavid(folder: Path) -> bool:
    """Whether uavid_train and uavid_val in folder each have a sequence with images (seq*/Images/*.png, or
    another format of IMAGE_SUFFIXES)."""
    return all(any(p.suffix.lower() in IMAGE_SUFFIXES for p in (folder / split).glob("seq*/Images/*"))
               for split in ("uavid_train", "uavid_val"))


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


def check_uavid_dir(path: str | Path, default: str | Path = "data/uavid", setting: str = "UAVID_DIR") -> Path | None:
    """find_uavid, then the layout of both splits (no file is read, nothing printed): for the settings cell, so
    that a wrong UAVID_DIR or a frame without its label stops the notebook before Task 1 trains. Its errors
    name the setting."""
    try:
        root = find_uavid(path, default)
        for split in ("uavid_train", "uavid_val") if root is not None else ():
            scan_split(root / split)
    except LabError as err:
        raise LabError(f"{setting}={str(path)!r} in the parameters cell: {err}") from None
    return root


def _resized(img: Image.Image, height: int | None, resample) -> Image.Image:
    if height is None or height == img.height:
        return img
    return img.resize((round(img.width * height / img.height), height), resample)


def _unreadable(path: Path, err: Exception) -> LabError:
    """The error for a file PIL cannot decode: one line naming it."""
    why = "not an image" if isinstance(err, UnidentifiedImageError) else str(err) or type(err).__name__
    return LabError(f"{path} cannot be read ({why}): copy it again from the UAVid archive, or remove the frame "
                    "(its image and its label)")


def _decoded(path: Path, read):
    """read(opened image) for the file at path; a file PIL cannot decode raises LabError naming it."""
    try:
        with Image.open(path) as img:
            return read(img)
    except (OSError, SyntaxError, ValueError, EOFError) as err:  # PIL's errors for truncated or corrupt files
        raise _unreadable(path, err) from None


def read_image(path: Path, height: int | None = None) -> np.ndarray:
    """RGB image (H, W, 3) uint8, resized to `height` rows (aspect kept) if given."""
    def read(img: Image.Image) -> np.ndarray:
        rgb = img if img.mode == "RGB" else img.convert("RGB")  # convert would copy an RGB image
        return np.array(_resized(rgb, height, Image.BILINEAR))
    return _decoded(Path(path), read)


def _indices(values: np.ndarray, path: Path, mode: str) -> np.ndarray:
    """A single-channel label's values as class indices, if they are 0-7 (the UAVid toolkit's train ids)."""
    found = np.unique(values)
    if found.size and (found.min() < 0 or found.max() >= NUM_CLASSES):
        order = ", ".join(f"{i} {name}" for i, name in enumerate(CLASSES))
        raise LabError(f"label {path} is single-channel (mode {mode}) with values {_names(found.tolist(), 8)}: "
                       f"expected class indices 0-{NUM_CLASSES - 1} in the UAVid toolkit's order ({order}), "
                       "or a colour label in UAVid's palette")
    return values.astype(np.uint8)


def _label(img: Image.Image, path: Path, height: int | None) -> np.ndarray:
    img = _resized(img, height, Image.NEAREST)
    if img.mode in SINGLE_CHANNEL:
        return _indices(np.asarray(img), path, img.mode)
    return rgb_to_index(np.asarray(img.convert("RGB")), path)


def read_label(path: Path, height: int | None = None) -> np.ndarray:
    """Class indices (H, W) uint8 of a label resized to `height` rows (nearest neighbour) if given: a colour
    label in UAVid's palette, or a single-channel one holding the class indices 0-7 (the official toolkit's
    train ids, in the same class order)."""
    return _decoded(Path(path), lambda img: _label(img, Path(path), height))


def _size(path: Path) -> tuple[int, int]:
    return _decoded(path, lambda img: img.size)


def load_sample(sample: Sample, height: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """One frame resized to `height` rows: the image as uint8 (3, H, W), its label as int64 (H, W)."""
    import torch

    image_size, label_size = _size(sample.image), _size(sample.label)  # headers only: cheap
    check(image_size == label_size, f"image {sample.image} is {image_size[0]}x{image_size[1]} but its label "
                                    f"{sample.label} is {label_size[0]}x{label_size[1]}: they must be the same size")
    image = torch.from_numpy(read_image(sample.image, height)).permute(2, 0, 1).contiguous()
    return image, torch.from_numpy(read_label(sample.label, height)).long()


def _load_or_error(sample: Sample, height: int | None):
    try:
        return load_sample(sample, height)
    except LabError as err:
        return err


def load_samples(samples: list[Sample], height: int | None = None) -> tuple[list[torch.Tensor], list[torch.Tensor]]:
    """Read every sample once, resized to `height` rows: images as uint8 (3, H, W), labels as int64 (H, W).
    Every frame is tried: if any fails, one LabError names each bad frame (the first few, and how many)."""
    check(height is None or (isinstance(height, int) and height > 0),
          f"height={height} must be a positive whole number of rows (e.g. 270), or None for the full size")
    # PNG decoding and resizing release the GIL, so threads read several frames at once.
    with ThreadPoolExecutor(min(8, usable_cores())) as pool:
        pairs = list(pool.map(_load_or_error, samples, [height] * len(samples)))
    errors = [str(p) for p in pairs if isinstance(p, LabError)]
    if len(errors) == 1:
        raise LabError(errors[0])
    check(not errors, f"{len(errors)} of {len(samples)} frames cannot be used: {'; '.join(errors[:3])}"
                      + (f"; and {len(errors) - 3} more" if len(errors) > 3 else ""))
    return [image for image, _ in pairs], [mask for _, mask in pairs]


def save_prediction(mask: np.ndarray | torch.Tensor, out_root: str | Path, sequence: str, name: str) -> Path:
    """Write a class-index mask as a UAVid colour label at <out_root>/<sequence>/Labels/<name>, in the format its
    suffix names (.png as UAVid's own)."""
    mask = mask.cpu().numpy() if hasattr(mask, "cpu") else mask
    path = Path(out_root) / sequence / "Labels" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(index_to_rgb(mask.astype(np.uint8))).save(path)
    return path


def enlarge(pred: torch.Tensor, size: tuple[int, int]) -> torch.Tensor:
    """A (H, W) map of class indices resized to size = (height, width) by nearest neighbour, as uint8."""
    import torch
    import torch.nn.functional as F

    return F.interpolate(pred[None, None].float(), size=size, mode="nearest")[0, 0].to(torch.uint8)


def export_predictions(samples: list[Sample], predictions: list[torch.Tensor], out_root: str | Path) -> list[Path]:
    """Write each sample's prediction, enlarged to its image's full size, in UAVid's layout."""
    check(len(samples) == len(predictions), f"{len(predictions)} predictions for {len(samples)} images")
    paths = []
    for sample, pred in zip(samples, predictions, strict=True):
        width, height = _size(sample.image)
        name = sample.label.name  # the label's lossless format (LABEL_SUFFIXES), whatever the image's
        paths.append(save_prediction(enlarge(pred, (height, width)), out_root, sample.sequence, name))
    return paths
