import gzip
import hashlib
from pathlib import Path

import pytest
import torch

from utils import mnist

from expect import raises_naming

ROOT = Path(__file__).resolve().parents[1]
NAMES = {"train-images-idx3-ubyte": (3, (50, 28, 28)), "train-labels-idx1-ubyte": (1, (50,)),
         "t10k-images-idx3-ubyte": (3, (20, 28, 28)), "t10k-labels-idx1-ubyte": (1, (20,))}


def idx_bytes(array: torch.Tensor) -> bytes:
    header = bytes([0, 0, 0x08, array.dim()]) + b"".join(s.to_bytes(4, "big") for s in array.shape)
    return header + array.numpy().tobytes()


def write_mnist(root, gz: bool):
    """A tiny MNIST in <root>/MNIST/raw; returns its checksums and arrays."""
    raw = root / "MNIST" / "raw"
    raw.mkdir(parents=True)
    g = torch.Generator().manual_seed(0)
    sums, arrays = {}, {}
    for name, (ndim, shape) in NAMES.items():
        high = 256 if ndim == 3 else 10
        arr = torch.randint(0, high, shape, generator=g, dtype=torch.int64).to(torch.uint8)
        if ndim == 1:
            arr[:10] = torch.arange(10, dtype=torch.uint8)  # every class present
        data = idx_bytes(arr)
        (raw / (name + ".gz" if gz else name)).write_bytes(gzip.compress(data) if gz else data)
        sums[name], arrays[name] = hashlib.md5(data).hexdigest(), arr
    return raw, sums, arrays


@pytest.mark.parametrize("gz", [True, False])
def test_load_mnist_reads_gzipped_and_plain(tmp_path, gz):
    _, sums, arrays = write_mnist(tmp_path, gz)
    data = mnist.load_mnist(tmp_path, download=False, checksums=sums)
    assert torch.equal(data["train"][0], arrays["train-images-idx3-ubyte"])
    assert torch.equal(data["test"][1], arrays["t10k-labels-idx1-ubyte"].long())
    assert data["train"][0].dtype == torch.uint8 and data["train"][1].dtype == torch.int64


def test_md5_mismatch_names_the_file(tmp_path):
    raw, sums, _ = write_mnist(tmp_path, gz=False)
    path = raw / "train-images-idx3-ubyte"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))
    with raises_naming(str(path), "MD5", "copy or download the original file again"):
        mnist.load_mnist(tmp_path, download=False, checksums=sums)


def test_truncated_gzip_is_reported(tmp_path):
    raw, sums, _ = write_mnist(tmp_path, gz=True)
    path = raw / "t10k-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:100])
    with raises_naming(str(path), "truncated", "copy the original file again"):
        mnist.load_mnist(tmp_path, download=False, checksums=sums)


def test_truncated_plain_file_without_checksum(tmp_path):
    raw, _, _ = write_mnist(tmp_path, gz=False)
    path = raw / "train-labels-idx1-ubyte"
    path.write_bytes(path.read_bytes()[:-5])
    with raises_naming(str(path), "truncated", "copy the original file again"):
        mnist.read_idx(path)


def test_missing_file_offline_says_where_to_put_it(tmp_path, monkeypatch):
    raw, sums, _ = write_mnist(tmp_path, gz=True)
    (raw / "train-labels-idx1-ubyte.gz").unlink()

    def offline(*args, **kwargs):
        raise OSError("no network")

    monkeypatch.setattr("torchvision.datasets.MNIST", offline)  # what the download calls
    with raises_naming(str(raw / "train-labels-idx1-ubyte"), "download failed", f"copy the four IDX files into {raw}"):
        mnist.load_mnist(tmp_path, checksums=sums)


def test_shipped_mnist_matches_published_checksums():
    data = mnist.load_mnist(ROOT / "data", download=False)
    assert data["train"][0].shape == (60000, 28, 28) and data["test"][0].shape == (10000, 28, 28)
    assert data["train"][1].bincount().tolist()[:3] == [5923, 6742, 5958]


def test_stratified_split_is_disjoint_proportional_and_seeded():
    labels = torch.arange(10).repeat_interleave(torch.tensor([100, 200, 50, 150, 100, 100, 100, 100, 50, 50]))
    train, val = mnist.stratified_split(labels, 100, seed=0)
    assert len(val) == 100 and len(train) == len(labels) - 100
    assert not set(train.tolist()) & set(val.tolist())
    assert labels[val].bincount(minlength=10).tolist() == [10, 20, 5, 15, 10, 10, 10, 10, 5, 5]
    assert torch.equal(val, mnist.stratified_split(labels, 100, seed=0)[1])
    assert not torch.equal(val, mnist.stratified_split(labels, 100, seed=1)[1])


def test_validation_larger_than_training_set_is_refused():
    with raises_naming("val_size=2000", "between 1 and 999"):
        mnist.stratified_split(torch.zeros(1000, dtype=torch.long), 2000)


def test_mnist_splits_scales_to_unit_range_and_holds_out_the_validation_set(tmp_path, monkeypatch):
    _, sums, arrays = write_mnist(tmp_path, gz=True)
    real_load = mnist.load_mnist
    monkeypatch.setattr(mnist, "load_mnist", lambda root: real_load(root, download=False, checksums=sums))
    splits = mnist.mnist_splits(tmp_path, val_size=10, seed=0, device=torch.device("cpu"))
    assert [len(splits[name][1]) for name in ("train", "val", "test")] == [40, 10, 20]
    assert torch.equal(splits["test"][0], arrays["t10k-images-idx3-ubyte"].float() / 255)
    train_idx, val_idx = mnist.stratified_split(arrays["train-labels-idx1-ubyte"].long(), 10, 0)
    assert torch.equal(splits["val"][1], arrays["train-labels-idx1-ubyte"][val_idx].long())
    assert splits["mean"] == pytest.approx(splits["train"][0].mean().item())
    assert splits["std"] == pytest.approx(arrays["train-images-idx3-ubyte"][train_idx].float().div(255).std().item())
