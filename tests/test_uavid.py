import numpy as np
import pytest
import torch
from PIL import Image

from utils import uavid
from utils.errors import LabError
from utils.palette import PALETTE


def random_mask(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 8, size=(h, w)).astype(np.uint8)


def write_frame(seq_dir, name, h, w, seed=0, label=True):
    rng = np.random.default_rng(seed)
    (seq_dir / "Images").mkdir(parents=True, exist_ok=True)
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(seq_dir / "Images" / name)
    mask = random_mask(h, w, seed)
    if label:
        (seq_dir / "Labels").mkdir(parents=True, exist_ok=True)
        Image.fromarray(PALETTE[mask]).save(seq_dir / "Labels" / name)
    return mask


def write_uavid(root, train=8, val=3, frames=2, sizes=((24, 40), (24, 44))):
    """A tiny UAVid: both image widths (UAVid has 3840 and 4096 wide frames), scaled down."""
    for s in range(1, train + val + 1):
        split = "uavid_train" if s <= train else "uavid_val"
        for f in range(frames):
            h, w = sizes[s % len(sizes)]
            write_frame(root / split / f"seq{s}", f"{f * 100:06d}.png", h, w, seed=s * 10 + f)
    return root


def test_reader_both_widths_and_scaling(tmp_path):
    root = write_uavid(tmp_path / "uavid")
    seqs = uavid.list_sequences(root / "uavid_train")
    assert list(seqs)[:3] == ["seq1", "seq2", "seq3"] and len(seqs) == 8  # natural order: seq10 after seq9
    images, masks = uavid.load_samples(seqs["seq1"] + seqs["seq2"])
    assert {tuple(im.shape) for im in images} == {(3, 24, 40), (3, 24, 44)}
    expected = [random_mask(24, 44, seed=10), random_mask(24, 44, seed=11), random_mask(24, 40, seed=20),
                random_mask(24, 40, seed=21)]
    assert all(torch.equal(m, torch.from_numpy(e).long()) for m, e in zip(masks, expected, strict=True))  # in order
    half, half_masks = uavid.load_samples(seqs["seq1"], height=12)
    assert half[0].shape == (3, 12, 22) and half_masks[0].shape == (12, 22)
    assert set(half_masks[0].unique().tolist()) <= set(range(8))


def test_course_split_is_by_whole_sequences_and_deterministic(tmp_path):
    root = write_uavid(tmp_path / "uavid")
    split = uavid.course_split(root, test_sequences=3, seed=0)
    seqs = {name: {s.sequence for s in samples} for name, samples in split.items()}
    assert len(seqs["test"]) == 3 and len(seqs["train"]) == 5 and len(seqs["val"]) == 3
    assert not seqs["train"] & seqs["test"]
    assert seqs["val"] == {"seq9", "seq10", "seq11"}
    assert len(split["train"]) == 10 and len(split["test"]) == 6
    assert uavid.course_split(root, 3, seed=0) == split


def test_course_split_default_matches_the_course_counts(tmp_path):
    root = write_uavid(tmp_path / "uavid", train=20, val=7, frames=10, sizes=((4, 6),))
    split = uavid.course_split(root)
    assert {k: len(v) for k, v in split.items()} == {"train": 140, "val": 70, "test": 60}


def test_missing_folder_and_empty_split(tmp_path):
    with pytest.raises(LabError, match="uavid_train does not exist"):
        uavid.course_split(tmp_path / "nowhere")
    root = write_uavid(tmp_path / "uavid", train=2, val=1)
    with pytest.raises(LabError, match="test_sequences=2 must be between 1 and 1"):
        uavid.course_split(root, test_sequences=2)
    empty = tmp_path / "empty"
    (empty / "uavid_train" / "seq1" / "Images").mkdir(parents=True)
    (empty / "uavid_val").mkdir(parents=True)
    write_frame(empty / "uavid_train" / "seq1", "000000.png", 4, 4)
    write_frame(empty / "uavid_train" / "seq2", "000000.png", 4, 4)
    with pytest.raises(LabError, match="the val split of .* is empty"):
        uavid.course_split(empty, test_sequences=1)


def test_sequence_without_labels_and_image_without_label(tmp_path):
    root = write_uavid(tmp_path / "uavid", train=3, val=1)
    write_frame(root / "uavid_train" / "seq99", "000000.png", 4, 4, label=False)
    with pytest.raises(LabError, match="seq99 has 1 images but no Labels folder"):
        uavid.list_sequences(root / "uavid_train")
    (root / "uavid_train" / "seq99" / "Labels").mkdir()
    with pytest.raises(LabError, match=r"image .*seq99/Images/000000.png has no label"):
        uavid.list_sequences(root / "uavid_train")


def test_image_and_label_of_different_sizes(tmp_path):
    root = write_uavid(tmp_path / "uavid", train=2, val=1)
    label = root / "uavid_train" / "seq1" / "Labels" / "000000.png"
    Image.fromarray(PALETTE[random_mask(10, 10)]).save(label)
    with pytest.raises(LabError, match=r"is 44x24 but its label .* is 10x10"):
        uavid.load_samples(uavid.list_sequences(root / "uavid_train")["seq1"])


def test_exported_predictions_round_trip_through_the_reader(tmp_path):
    pred = random_mask(12, 18, seed=5)
    path = uavid.save_prediction(torch.from_numpy(pred), tmp_path / "out", "seq3", "000100.png")
    assert path == tmp_path / "out" / "seq3" / "Labels" / "000100.png"
    assert np.array_equal(uavid.read_label(path), pred)


def test_export_predictions_writes_full_size_labels(tmp_path):
    root = tmp_path / "data"
    write_frame(root / "uavid_val" / "seq16", "000000.png", 12, 18, seed=2)
    samples = uavid.list_sequences(root / "uavid_val")["seq16"]
    small = torch.from_numpy(random_mask(6, 9, seed=4))  # predicted at half the size
    [path] = uavid.export_predictions(samples, [small], tmp_path / "out")
    assert path == tmp_path / "out" / "seq16" / "Labels" / "000000.png"
    assert np.array_equal(uavid.read_label(path), small.repeat_interleave(2, 0).repeat_interleave(2, 1).numpy())


def test_find_uavid_flat_and_release_folder(tmp_path):
    root = write_uavid(tmp_path / "uavid", train=2, val=1)
    assert uavid.find_uavid(root) == root
    release = write_uavid(tmp_path / "nested" / "uavid_v1.5_official_release_image", train=2, val=1)
    (tmp_path / "nested" / "notes").mkdir()  # other folders next to the release are ignored
    assert uavid.find_uavid(tmp_path / "nested") == release


def test_find_uavid_refuses_several_release_folders(tmp_path):
    for name in ("copy_b", "copy_a"):
        write_uavid(tmp_path / "data" / name, train=2, val=1, frames=1)
    with pytest.raises(LabError, match=r"holds UAVid in 2 folders \(copy_a, copy_b\)") as err:
        uavid.find_uavid(tmp_path / "data")
    assert "\n" not in str(err.value)


def test_find_uavid_wrong_path_is_named(tmp_path):
    default = tmp_path / "data" / "uavid"
    with pytest.raises(LabError, match=r"no UAVid in .*nowhere \(it does not exist\): expected") as err:
        uavid.find_uavid(tmp_path / "nowhere", default=default)
    assert "\n" not in str(err.value) and "UAVID_DIR" not in str(err.value) and str(default) in str(err.value)
    root = write_uavid(tmp_path / "uavid", train=2, val=1)
    with pytest.raises(LabError, match=r"point the path at .*uavid, the folder that holds") as err:
        uavid.find_uavid(root / "uavid_train", default=default)
    assert "\n" not in str(err.value)


def test_find_uavid_default_missing_or_empty_means_stand_in(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert uavid.find_uavid("data/uavid") is None  # the default, as a relative path
    assert uavid.find_uavid(tmp_path / "data" / "uavid") is None  # the same folder, spelled differently
    (tmp_path / "data" / "uavid").mkdir(parents=True)
    (tmp_path / "data" / "uavid" / ".gitkeep").touch()
    assert uavid.find_uavid("data/uavid") is None


def test_find_uavid_default_with_wrong_layout_says_what_is_there(tmp_path):
    default = tmp_path / "uavid"
    for name in ("b", "c", "d", "e", "f"):
        (default / name).mkdir(parents=True)
    (default / "a.zip").write_bytes(b"")
    with pytest.raises(LabError, match=r"it holds a.zip, b/, c/, d/, e/ and 1 more\): expected .*uavid_train") as err:
        uavid.find_uavid(default, default=default)
    assert "\n" not in str(err.value) and "empty or remove it" in str(err.value)


def test_find_uavid_needs_both_splits_with_sequences(tmp_path):
    only_train = tmp_path / "only_train"
    write_frame(only_train / "uavid_train" / "seq1", "000000.png", 4, 4)
    with pytest.raises(LabError, match=r"no UAVid in .*only_train \(it holds uavid_train/\)") as err:
        uavid.find_uavid(only_train, default=tmp_path / "default")
    assert "\n" not in str(err.value)
    (only_train / "uavid_val" / "seq9" / "Images").mkdir(parents=True)  # a sequence without images
    with pytest.raises(LabError, match="no UAVid in"):
        uavid.find_uavid(only_train, default=tmp_path / "default")
    write_frame(only_train / "uavid_val" / "seq9", "000000.png", 4, 4)
    assert uavid.find_uavid(only_train, default=tmp_path / "default") == only_train


def test_sequence_names_are_in_natural_order(tmp_path):
    root = write_uavid(tmp_path / "uavid", train=11, val=1, frames=1, sizes=((4, 6),))
    samples = [s for seq in uavid.list_sequences(root / "uavid_train").values() for s in seq][::-1]
    assert uavid.sequence_names(samples) == [f"seq{i}" for i in range(1, 12)]


def test_bad_height_is_refused(tmp_path):
    root = write_uavid(tmp_path / "uavid", train=2, val=1)
    with pytest.raises(LabError, match="height=0 must be a positive whole number of rows"):
        uavid.load_samples(uavid.list_sequences(root / "uavid_train")["seq1"], height=0)
