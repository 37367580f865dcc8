"""MNIST: read the IDX files into tensors, check them, split off a validation set, move them to the device."""
import gzip
import hashlib
from pathlib import Path

import torch

from .errors import LabError, check

# MD5 of the uncompressed files, as published with MNIST.
MNIST_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


def _find(raw: Path, name: str) -> Path | None:
    for candidate in (raw / name, raw / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def read_idx(path: str | Path, md5: str | None = None) -> torch.Tensor:
    """Read one IDX file (gzipped or not) into a uint8 tensor, checking its MD5 if given."""
    path = Path(path)
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    except (OSError, EOFError) as err:
        raise LabError(f"{path} is truncated or not a valid gzip file ({err}): "
                       "delete it and copy the original file again") from None
    if md5 is not None and hashlib.md5(data).hexdigest() != md5:
        raise LabError(f"{path} is corrupted (its MD5 is not the published {md5}): "
                       "delete it and copy or download the original file again")
    check(len(data) >= 4 and data[0] == 0 and data[1] == 0 and data[2] == 0x08,
          f"{path} is not an IDX file of unsigned bytes: replace it with the original MNIST file")
    ndim = data[3]
    header = 4 + 4 * ndim
    check(len(data) >= header, f"{path} is truncated (header incomplete): copy the original file again")
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    count = 1
    for size in shape:
        count *= size
    check(len(data) - header == count,
          f"{path} is truncated or padded: header says shape {tuple(shape)} but holds "
          f"{len(data) - header} values; copy the original file again")
    return torch.frombuffer(bytearray(data[header:]), dtype=torch.uint8).reshape(shape)


def _download(root: Path) -> None:
    from torchvision.datasets import MNIST

    for train in (True, False):
        MNIST(str(root), train=train, download=True)


def load_mnist(root: str | Path = "data", download: bool = True,
               checksums: dict[str, str] = MNIST_MD5) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Load MNIST from <root>/MNIST/raw as {"train": (images, labels), "test": (images, labels)}.

    Images are uint8 (N, 28, 28), labels int64 (N,). Missing files are downloaded with torchvision.
    """
    raw = Path(root) / "MNIST" / "raw"
    missing = [name for name in checksums if _find(raw, name) is None]
    if missing and download:
        try:
            _download(Path(root))
        except Exception as err:  # offline, proxy, disk full: all end the same way for the user
            raise LabError(f"MNIST file {raw / missing[0]}(.gz) is missing and the download failed "
                           f"({type(err).__name__}): copy the four IDX files into {raw}/") from None
        missing = [name for name in checksums if _find(raw, name) is None]
    check(not missing, f"MNIST file {raw / missing[0] if missing else ''}(.gz) is missing: "
                       f"copy the four IDX files into {raw}/ or allow the download")
    tensors = {name: read_idx(_find(raw, name), md5) for name, md5 in checksums.items()}
    out = {}
    for split, prefix in (("train", "train"), ("test", "t10k")):
        images, labels = tensors[f"{prefix}-images-idx3-ubyte"], tensors[f"{prefix}-labels-idx1-ubyte"]
        check(len(images) == len(labels), f"{raw}: {prefix} images and labels differ in count "
                                          f"({len(images)} vs {len(labels)}); copy the original files again")
        out[split] = (images, labels.long())
    return out


def stratified_split(labels: torch.Tensor, val_size: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Indices (train, val) with val_size samples held out, each class in proportion."""
    n = len(labels)
    check(isinstance(val_size, int) and 0 < val_size < n,
          f"val_size={val_size} must be a whole number between 1 and {n - 1} (the training set has {n} images)")
    generator = torch.Generator().manual_seed(seed)
    classes, counts = labels.unique(return_counts=True)
    # Largest-remainder allocation so the per-class quotas add up to exactly val_size.
    exact = counts.double() * val_size / n
    quota = exact.floor().long()
    quota[torch.argsort(exact - quota, descending=True)[: val_size - int(quota.sum())]] += 1
    val = []
    for cls, k in zip(classes, quota, strict=True):
        idx = torch.nonzero(labels == cls).flatten()
        val.append(idx[torch.randperm(len(idx), generator=generator)[:k]])
    val = torch.cat(val).sort().values
    mask = torch.ones(n, dtype=torch.bool)
    mask[val] = False
    return torch.nonzero(mask).flatten(), val


def mnist_splits(root: str | Path, val_size: int, seed: int, device: torch.device) -> dict:
    """MNIST on the device as {"train", "val", "test"}: (images in [0, 1], labels), plus the mean and
    standard deviation of the training split's pixels."""
    data = load_mnist(root)
    images, labels = data["train"]
    train_idx, val_idx = stratified_split(labels, val_size, seed)
    splits = {"train": (images[train_idx], labels[train_idx]), "val": (images[val_idx], labels[val_idx]),
              "test": data["test"]}
    out = {name: (x.to(device).float().div_(255), y.to(device)) for name, (x, y) in splits.items()}
    out["mean"] = out["train"][0].mean().item()
    out["std"] = out["train"][0].std().item()
    return out
