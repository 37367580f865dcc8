import numpy as np
import torch
from PIL import Image

from utils import uavid
from utils.palette import PALETTE

from expect import raises_naming


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
    with raises_naming(str(tmp_path / "nowhere" / "uavid_train"), "does not exist", "uavid_train and uavid_val"):
        uavid.course_split(tmp_path / "nowhere")
    root = write_uavid(tmp_path / "uavid", train=2, val=1)
    with raises_naming("test_sequences=2", "between 1 and 1"):
        uavid.course_split(root, test_sequences=2)
    empty = tmp_path / "empty"
    (empty / "uavid_train" / "seq1" / "Images").mkdir(parents=True)
    (empty / "uavid_val").mkdir(parents=True)
    write_frame(empty / "uavid_train" / "seq1", "000000.png", 4, 4)
    write_frame(empty / "uavid_train" / "seq2", "000000.png", 4, 4)
    with raises_naming(f"val split of {empty}", "empty", "Images/*.png and Labels/*.png"):
        uavid.course_split(empty, test_sequences=1)


def test_sequence_without_labels_and_image_without_label(tmp_path):
    root = write_uavid(tmp_path / "uavid", train=3, val=1)
    write_frame(root / "uavid_train" / "seq99", "000000.png", 4, 4, label=False)
    with raises_naming(str(root / "uavid_train" / "seq99"), "no Labels folder", "seqN/Labels/*.png"):
        uavid.list_sequences(root / "uavid_train")
    (root / "uavid_train" / "seq99" / "Labels").mkdir()
    sequence = root / "uavid_train" / "seq99"
    with raises_naming(str(sequence / "Images" / "000000.png"), "no label", f"000000.* in {sequence / 'Labels'}"):
        uavid.list_sequences(root / "uavid_train")


def test_image_and_label_of_different_sizes(tmp_path):
    root = write_uavid(tmp_path / "uavid", train=2, val=1)
    label = root / "uavid_train" / "seq1" / "Labels" / "000000.png"
    Image.fromarray(PALETTE[random_mask(10, 10)]).save(label)
    with raises_naming(str(label), "44x24", "10x10", "the same size"):
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
    with raises_naming(str(tmp_path / "data"), "2 folders", "copy_a, copy_b", "point the path at one of them"):
        uavid.find_uavid(tmp_path / "data")


def test_find_uavid_wrong_path_is_named(tmp_path):
    default = tmp_path / "data" / "uavid"
    with raises_naming(str(tmp_path / "nowhere"), "does not exist", "uavid_train", str(default)) as err:
        uavid.find_uavid(tmp_path / "nowhere", default=default)
    assert "UAVID_DIR" not in str(err.value)  # a path of the caller's: the settings' check adds the name
    root = write_uavid(tmp_path / "uavid", train=2, val=1)
    with raises_naming(str(root / "uavid_train"), f"point the path at {root},"):
        uavid.find_uavid(root / "uavid_train", default=default)


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
    with raises_naming(str(default), "a.zip, b/, c/, d/, e/ and 1 more", "uavid_train", "empty or remove it"):
        uavid.find_uavid(default, default=default)


def test_find_uavid_needs_both_splits_with_sequences(tmp_path):
    only_train = tmp_path / "only_train"
    write_frame(only_train / "uavid_train" / "seq1", "000000.png", 4, 4)
    with raises_naming(str(only_train), "it holds uavid_train/", "uavid_val"):
        uavid.find_uavid(only_train, default=tmp_path / "default")
    (only_train / "uavid_val" / "seq9" / "Images").mkdir(parents=True)  # a sequence without images
    with raises_naming(str(only_train), "uavid_val/seqN/Images"):
        uavid.find_uavid(only_train, default=tmp_path / "default")
    write_frame(only_train / "uavid_val" / "seq9", "000000.png", 4, 4)
    assert uavid.find_uavid(only_train, default=tmp_path / "default") == only_train


def test_sequence_names_are_in_natural_order(tmp_path):
    root = write_uavid(tmp_path / "uavid", train=11, val=1, frames=1, sizes=((4, 6),))
    samples = [s for seq in uavid.list_sequences(root / "uavid_train").values() for s in seq][::-1]
    assert uavid.sequence_names(samples) == [f"seq{i}" for i in range(1, 12)]


def test_bad_height_is_refused(tmp_path):
    root = write_uavid(tmp_path / "uavid", train=2, val=1)
    with raises_naming("height=0", "positive whole number"):
        uavid.load_samples(uavid.list_sequences(root / "uavid_train")["seq1"], height=0)


# ----------------------------------------------------------------------------- bad files in a valid tree


def six_frames(tmp_path):
    """A valid tree whose seq1 holds frames 000000 and 000100 of the six frames of uavid_train."""
    return write_uavid(tmp_path / "uavid", train=3, val=1)


def train_frames(root):
    return [s for seq in uavid.list_sequences(root / "uavid_train").values() for s in seq]


def test_a_truncated_image_is_named(tmp_path):
    root = six_frames(tmp_path)
    image = root / "uavid_train" / "seq2" / "Images" / "000100.png"
    image.write_bytes(image.read_bytes()[:-200])  # the header is intact, the pixels are not
    with raises_naming(str(image), "truncated", "copy it again"):
        uavid.load_samples(train_frames(root))


def test_a_label_that_is_not_an_image_is_named(tmp_path):
    root = six_frames(tmp_path)
    label = root / "uavid_train" / "seq3" / "Labels" / "000000.png"
    label.write_text("<html>404 Not Found</html>")
    with raises_naming(str(label), "not an image", "copy it again"):
        uavid.load_samples(train_frames(root))


def test_every_unreadable_file_is_named_in_one_line(tmp_path):
    root = six_frames(tmp_path)
    bad = [root / "uavid_train" / "seq1" / "Images" / "000000.png", root / "uavid_train" / "seq3" / "Labels" /
           "000100.png"]
    for path in bad:
        path.write_bytes(b"")
    with raises_naming("2 of 6 frames", *map(str, bad)):
        uavid.load_samples(train_frames(root))


def test_a_jpeg_image_beside_its_png_label_is_read(tmp_path, capsys):
    root = six_frames(tmp_path)
    png = root / "uavid_train" / "seq2" / "Images" / "000100.png"
    Image.open(png).save(png.with_suffix(".jpg"), quality=95)
    png.unlink()
    frames = train_frames(root)
    assert len(frames) == 6 and frames[3].image.name == "000100.jpg" and frames[3].label.name == "000100.png"
    images, masks = uavid.load_samples(frames)
    assert images[3].shape == (3, 24, 40) and torch.equal(masks[3], torch.from_numpy(random_mask(24, 40, 21)).long())
    assert capsys.readouterr().out == ""  # nothing skipped
    [path] = uavid.export_predictions(frames[3:4], [masks[3]], tmp_path / "out")
    assert path.name == "000100.png" and np.array_equal(uavid.read_label(path), masks[3].numpy())


def test_a_label_whose_image_is_gone_is_an_error(tmp_path):
    root = six_frames(tmp_path)
    (root / "uavid_train" / "seq2" / "Images" / "000100.png").unlink()
    sequence = root / "uavid_train" / "seq2"
    with raises_naming(str(sequence / "Labels" / "000100.png"), "no image", f"000100.* in {sequence / 'Images'}"):
        uavid.list_sequences(root / "uavid_train")


def test_many_frames_without_their_other_half_are_counted(tmp_path):
    root = six_frames(tmp_path)
    for f in range(7):
        write_frame(root / "uavid_train" / "seq2", f"{f + 1:06d}.png", 24, 40, label=False)
    folder = root / "uavid_train" / "seq2"
    with raises_naming(f"7 images in {folder / 'Images'}", "000001.png, 000002.png, 000003.png, 000004.png, 000005.png",
                       "and 2 more", str(folder / "Labels")):
        uavid.list_sequences(root / "uavid_train")


def test_a_jpeg_label_and_two_files_for_one_frame_are_errors(tmp_path):
    root = six_frames(tmp_path)
    label = root / "uavid_train" / "seq1" / "Labels" / "000000.png"
    Image.open(label).save(label.with_suffix(".jpg"))
    with raises_naming(str(label.with_suffix(".jpg")), str(label), "one file per frame"):
        uavid.list_sequences(root / "uavid_train")
    label.unlink()
    with raises_naming(str(label.with_suffix(".jpg")), ".png, .tif, .tiff, .bmp"):
        uavid.list_sequences(root / "uavid_train")


def test_what_is_not_a_frame_is_skipped_and_said(tmp_path, capsys):
    root = six_frames(tmp_path)
    train = root / "uavid_train"
    (train / "seq1" / "Images" / "notes.txt").write_text("flight log")
    (train / "seq1" / "Images" / "._000000.png").write_bytes(b"\0")  # macOS metadata beside a copied file
    (train / "__MACOSX").mkdir()
    (train / "seq9" / "Images").mkdir(parents=True)  # a sequence without a single frame
    assert len(train_frames(root)) == 6
    out = capsys.readouterr().out
    assert out.startswith(f"UAVid: skipped 4 entries of {train} that are not frames")
    for name in ("__MACOSX", "._000000.png", "notes.txt", "seq9"):
        assert name in out
    assert out.count("\n") == 1
    uavid.list_sequences(root / "uavid_val")
    assert capsys.readouterr().out == ""  # nothing to skip: nothing said


def test_single_channel_labels_of_class_indices_load_in_the_toolkit_order(tmp_path):
    root = six_frames(tmp_path)
    frames = train_frames(root)
    colour = uavid.load_samples(frames, height=12)[1]
    for frame in frames:  # what the UAVid toolkit's prepareTrainIdFiles.py writes: one channel, 0-7
        Image.fromarray(uavid.read_label(frame.label)).save(frame.label)
        assert Image.open(frame.label).mode == "L"
    indices = uavid.load_samples(frames, height=12)[1]
    assert all(torch.equal(a, b) for a, b in zip(colour, indices, strict=True))
    assert uavid.read_label(frames[0].label).max() == 7


def test_single_channel_labels_of_other_values_say_what_was_found(tmp_path):
    root = six_frames(tmp_path)
    label = root / "uavid_train" / "seq1" / "Labels" / "000000.png"
    grey = Image.open(label).convert("L")  # the colours turned grey: 0, 38, 75, 90, ...
    grey.save(label)
    with raises_naming(str(label), "mode L", "values 0, ", "class indices 0-7", "0 clutter, 1 building",
                       "7 moving car"):
        uavid.read_label(label)
    Image.fromarray((np.asarray(grey) > 0).astype(np.uint16) * 300).save(label)  # 16 bits
    with raises_naming(str(label), "values 0, 300", "class indices 0-7"):
        uavid.read_label(label)


def test_check_uavid_dir_names_the_setting_and_checks_the_layout(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with raises_naming("UAVID_DIR='/no/such/uavid'", "does not exist", "uavid_train"):
        uavid.check_uavid_dir("/no/such/uavid")
    assert uavid.check_uavid_dir("data/uavid") is None  # the default, missing: the stand-in
    root = six_frames(tmp_path)
    assert uavid.check_uavid_dir(root) == root
    (root / "uavid_val" / "seq4" / "Labels" / "000100.png").unlink()
    (root / "uavid_val" / "notes").mkdir()
    with raises_naming(f"UAVID_DIR={str(root)!r}", str(root / "uavid_val" / "seq4" / "Images" / "000100.png"),
                       "no label"):
        uavid.check_uavid_dir(root)
    assert capsys.readouterr().out == ""  # the listing is said once, when Task 2 loads the data


def test_the_settings_stop_at_a_wrong_uavid_dir(tmp_path):
    from utils.config import Config

    with raises_naming(f"UAVID_DIR={str(tmp_path / 'nowhere')!r}", "does not exist", "uavid_train"):
        Config.from_parameters({"UAVID_DIR": str(tmp_path / "nowhere")})
    root = six_frames(tmp_path)
    cfg = Config.from_parameters({"UAVID_DIR": str(root)})
    assert cfg.seg.uavid_dir == str(root) and cfg.uavid_root == root  # found once, kept for Task 2
    release = tmp_path / "release"
    release.mkdir()
    root.rename(release / "uavid_v1.5_official_release_image")  # the release's own folder, one level down
    found = Config.from_parameters({"UAVID_DIR": str(release)}).uavid_root
    assert found == release / "uavid_v1.5_official_release_image"


def test_the_module_loads_without_pytorch():
    import subprocess
    import sys

    code = "import sys; import utils.uavid, utils.palette; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
