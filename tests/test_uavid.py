import pickle

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


def test_colour_conversion_round_trips_every_class():
    mask = random_mask(16, 20)
    rgb = uavid.index_to_rgb(mask)
    assert np.array_equal(uavid.rgb_to_index(rgb), mask)
    assert tuple(rgb[mask == 2][0]) == (128, 64, 128) and tuple(rgb[mask == 6][0]) == (64, 64, 0)


def test_unknown_colours_are_named_with_the_file():
    rgb = uavid.index_to_rgb(random_mask(8, 8))
    rgb[0, 0] = (1, 2, 3)
    rgb[1, 1] = (255, 255, 255)
    with pytest.raises(LabError, match=r"label x\.png has 2 pixels .* \(1,2,3\), \(255,255,255\)") as err:
        uavid.rgb_to_index(rgb, "x.png")
    assert "\n" not in str(err.value)


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
    with pytest.raises(LabError, match="UAVID_TEST_SEQUENCES=2 must be between 1 and 1"):
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


def test_crops_are_joint_and_too_large_crops_are_refused():
    image = torch.arange(3 * 40 * 60, dtype=torch.int64).remainder(256).to(torch.uint8).reshape(3, 40, 60)
    mask = torch.zeros(40, 60, dtype=torch.long)
    mask[:, 30:] = 1  # left half class 0, right half class 1
    image[:, :, 30:] = 255
    image[:, :, :30] = 0
    crops = uavid.SegmentationCrops([image], [mask], crop=16, length=20, mean=[0.5] * 3, std=[0.5] * 3,
                                    scale=(0.8, 1.2), jitter=0.0)
    assert len(crops) == 20
    for i in range(20):
        x, y = crops[i]
        assert x.shape == (3, 16, 16) and y.shape == (16, 16) and y.dtype == torch.int64
        bright = x[0] > 0
        assert (bright == (y == 1)).float().mean() > 0.9  # the mask moved with the image
    with pytest.raises(LabError, match="SEG_CROP=64 is larger than the smallest image side"):
        uavid.SegmentationCrops([image], [mask], crop=64, length=1, mean=[0.5] * 3, std=[0.5] * 3)


def test_crops_pickle_for_spawned_loader_workers():
    # macOS and Windows start DataLoader workers (SEG_WORKERS > 0) with spawn, which pickles the dataset
    g = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, 40, 48), dtype=torch.uint8, generator=g) for _ in range(2)]
    masks = [torch.randint(0, 8, (40, 48), generator=g) for _ in range(2)]
    crops = uavid.SegmentationCrops(images, masks, crop=16, length=4, mean=[0.5] * 3, std=[0.25] * 3)
    copy = pickle.loads(pickle.dumps(crops))
    torch.manual_seed(0)
    x, y = crops[0]
    torch.manual_seed(0)
    x2, y2 = copy[0]
    assert torch.equal(x, x2) and torch.equal(y, y2)


@pytest.mark.parametrize("zoom, stripe", [(0.5, 4), (2.0, 2)])
def test_crops_zoom_by_the_scale_factor(zoom, stripe):
    mask = ((torch.arange(60) // stripe) % 2).expand(40, 60).clone()  # vertical stripes
    image = (mask * 255).to(torch.uint8).expand(3, 40, 60).clone()
    crops = uavid.SegmentationCrops([image], [mask], crop=16, length=10, mean=[0.5] * 3, std=[0.5] * 3,
                                    scale=(zoom, zoom), jitter=0.0)
    for i in range(10):
        row = crops[i][1][8]
        edges = torch.nonzero(row[1:] != row[:-1]).flatten()
        assert set(torch.diff(edges).tolist()) == {int(stripe * zoom)}


def test_class_weights_favour_rare_classes():
    mask = torch.zeros(100, 100, dtype=torch.long)
    mask[:10] = 1
    mask[0, :5] = 6
    w = uavid.class_weights([mask])
    assert w[6] > w[1] > w[0] and torch.isclose(w.mean(), torch.tensor(1.0))


def test_channel_stats_match_the_pixels_of_all_images():
    g = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=g) for h, w in ((5, 7), (9, 4))]
    images[1][2] //= 4  # channels with different statistics
    pixels = torch.cat([im.flatten(1) for im in images], 1).double() / 255
    mean, std = uavid.channel_stats(images)
    assert torch.allclose(torch.tensor(mean, dtype=torch.float64), pixels.mean(1), rtol=0, atol=1e-12)
    assert torch.allclose(torch.tensor(std, dtype=torch.float64), pixels.std(1), rtol=0, atol=1e-12)


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
