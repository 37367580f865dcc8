import pickle

import pytest
import torch

from utils import samples
from utils.errors import LabError


def test_crops_are_joint_and_too_large_crops_are_refused():
    image = torch.arange(3 * 40 * 60, dtype=torch.int64).remainder(256).to(torch.uint8).reshape(3, 40, 60)
    mask = torch.zeros(40, 60, dtype=torch.long)
    mask[:, 30:] = 1  # left half class 0, right half class 1
    image[:, :, 30:] = 255
    image[:, :, :30] = 0
    crops = samples.SegmentationCrops([image], [mask], crop=16, length=20, mean=[0.5] * 3, std=[0.5] * 3,
                                    scale=(0.8, 1.2), jitter=0.0)
    assert len(crops) == 20
    for i in range(20):
        x, y = crops[i]
        assert x.shape == (3, 16, 16) and y.shape == (16, 16) and y.dtype == torch.int64
        bright = x[0] > 0
        assert (bright == (y == 1)).float().mean() > 0.9  # the mask moved with the image
    with pytest.raises(LabError, match=r"crops of 64 px do not fit the smallest image side \(40 px\)"):
        samples.SegmentationCrops([image], [mask], crop=64, length=1, mean=[0.5] * 3, std=[0.5] * 3)


def test_crops_pickle_for_spawned_loader_workers():
    # macOS and Windows start DataLoader workers (num_workers > 0) with spawn, which pickles the dataset
    g = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, 40, 48), dtype=torch.uint8, generator=g) for _ in range(2)]
    masks = [torch.randint(0, 8, (40, 48), generator=g) for _ in range(2)]
    crops = samples.SegmentationCrops(images, masks, crop=16, length=4, mean=[0.5] * 3, std=[0.25] * 3)
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
    crops = samples.SegmentationCrops([image], [mask], crop=16, length=10, mean=[0.5] * 3, std=[0.5] * 3,
                                    scale=(zoom, zoom), jitter=0.0)
    for i in range(10):
        row = crops[i][1][8]
        edges = torch.nonzero(row[1:] != row[:-1]).flatten()
        assert set(torch.diff(edges).tolist()) == {int(stripe * zoom)}


def test_class_weights_favour_rare_classes():
    mask = torch.zeros(100, 100, dtype=torch.long)
    mask[:10] = 1
    mask[0, :5] = 6
    w = samples.class_weights([mask])
    assert w[6] > w[1] > w[0] and torch.isclose(w.mean(), torch.tensor(1.0))


def test_channel_stats_match_the_pixels_of_all_images():
    g = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=g) for h, w in ((5, 7), (9, 4))]
    images[1][2] //= 4  # channels with different statistics
    pixels = torch.cat([im.flatten(1) for im in images], 1).double() / 255
    mean, std = samples.channel_stats(images)
    assert torch.allclose(torch.tensor(mean, dtype=torch.float64), pixels.mean(1), rtol=0, atol=1e-12)
    assert torch.allclose(torch.tensor(std, dtype=torch.float64), pixels.std(1), rtol=0, atol=1e-12)


def test_class_frequencies_count_every_mask():
    masks = [torch.tensor([[0, 0], [1, 2]]), torch.tensor([[2, 2, 2, 2]])]
    freq = samples.class_frequencies(masks, num_classes=4)
    assert freq.tolist() == [0.25, 0.125, 0.625, 0.0]


def test_channel_stats_refuse_float_images():
    with pytest.raises(LabError, match="expects uint8 images"):
        samples.channel_stats([torch.rand(3, 4, 4)])


def test_whole_images_are_normalised_and_keep_their_masks():
    image = torch.full((3, 4, 6), 51, dtype=torch.uint8)  # 0.2
    mask = torch.randint(0, 8, (4, 6))
    x, y = samples.WholeImages([image], [mask], mean=[0.2, 0.1, 0.0], std=[1.0, 0.5, 0.2])[0]
    assert len(samples.WholeImages([image], [mask], [0.0] * 3, [1.0] * 3)) == 1
    assert torch.allclose(x[:, 0, 0], torch.tensor([0.0, 0.2, 1.0])) and x.shape == (3, 4, 6)
    assert y is mask


def test_random_windows_label_their_centre_pixel_and_are_seeded():
    g = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=g) for h, w in ((20, 30), (15, 25))]
    masks = [im[0].long() % 8 for im in images]  # the label is a function of the pixel: checkable per window
    windows, labels = samples.random_windows(images, masks, patch=9, count=50, seed=3)
    assert windows.shape == (50, 3, 9, 9) and windows.dtype == torch.uint8 and labels.shape == (50,)
    assert torch.equal(labels, windows[:, 0, 4, 4].long() % 8)
    again, _ = samples.random_windows(images, masks, patch=9, count=50, seed=3)
    other, _ = samples.random_windows(images, masks, patch=9, count=50, seed=4)
    assert torch.equal(windows, again) and not torch.equal(windows, other)


def test_windows_larger_than_an_image_are_refused():
    images, masks = [torch.zeros(3, 12, 30, dtype=torch.uint8)], [torch.zeros(12, 30, dtype=torch.long)]
    with pytest.raises(LabError, match=r"windows of 13 px do not fit the smallest image side \(12 px\)"):
        samples.random_windows(images, masks, patch=13, count=1)


def rare_masks() -> list[torch.Tensor]:
    """Two masks: a car park (many static and moving car pixels) in one, and a few humans far from it."""
    a = torch.full((60, 80), 2, dtype=torch.uint8)  # road
    a[5:20, 50:78] = 3  # static cars
    a[22:30, 50:70] = 7  # a moving car
    a[50:53, 2:4] = 6  # a human near the bottom left corner
    b = torch.full((40, 50), 0, dtype=torch.uint8)  # clutter
    b[30:33, 44:46] = 6  # a human at the right border
    b[10, 10] = 6
    return [a, b]


def test_rare_class_boxes_lie_inside_and_show_rare_pixels_of_every_class():
    masks, classes = rare_masks(), [6, 3, 7]
    regions = samples.rare_class_boxes(masks, classes, size=16, count=3, seed=0)
    assert len(regions) == 3
    shown = set()
    for r in regions:
        h, w = masks[r.image].shape
        assert r.size == 16 and 0 <= r.top <= h - 16 and 0 <= r.left <= w - 16  # clipped to its image
        crop = r.crop(masks[r.image])
        assert crop.shape == (16, 16) and torch.isin(crop, torch.tensor(classes, dtype=torch.uint8)).any()
        shown |= set(crop.unique().tolist())
    assert {3, 6, 7} <= shown  # a human is shown in the first three, though the car park has far more rare pixels
    assert all(a.overlap(b) <= 0.25 for i, a in enumerate(regions) for b in regions[i + 1:])
    assert samples.rare_class_boxes(masks, classes, size=16, count=3, seed=0) == regions  # deterministic


def test_rare_class_boxes_prefer_several_classes_and_stop_when_none_are_left():
    masks = rare_masks()
    first = samples.rare_class_boxes(masks, [3, 7], size=20, count=1)[0]
    assert first.image == 0 and {3, 7} <= set(first.crop(masks[0]).unique().tolist())
    humans = samples.rare_class_boxes(masks, [6], size=10, count=10, max_overlap=0.0)
    assert len(humans) == 3  # one per human: more would overlap
    assert samples.rare_class_boxes(masks, [5], size=10, count=3) == []  # no low vegetation anywhere
    few = samples.rare_class_boxes(masks, [3, 6, 7], size=10, count=3, seed=5, candidates=20)  # centres drawn
    assert few == samples.rare_class_boxes(masks, [3, 6, 7], size=10, count=3, seed=5, candidates=20)
    with pytest.raises(LabError, match=r"regions of 41 px do not fit the smallest mask side \(40 px\)"):
        samples.rare_class_boxes(masks, [6], size=41, count=1)


def test_region_overlap_is_the_shared_fraction_of_its_area():
    r = samples.Region(0, 10, 10, 8)
    assert r.overlap(r) == 1.0 and r.overlap(samples.Region(1, 10, 10, 8)) == 0.0
    assert r.overlap(samples.Region(0, 14, 12, 8)) == 4 * 6 / 64 and r.overlap(samples.Region(0, 18, 10, 8)) == 0.0


def test_sample_pixels_are_distinct_in_range_seeded_and_uniform():
    masks = [torch.zeros(10, 10), torch.zeros(30, 30)]  # 100 and 900 pixels
    sample = samples.sample_pixels(masks, 500, seed=1)
    assert len(sample) == 500 and sample.image.dtype == sample.y.dtype == sample.x.dtype == torch.int64
    sizes = torch.tensor([[10, 10], [30, 30]])[sample.image]
    assert ((sample.y >= 0) & (sample.y < sizes[:, 0]) & (sample.x >= 0) & (sample.x < sizes[:, 1])).all()
    flat = sample.image * 1000 + sample.y * 30 + sample.x
    assert len(flat.unique()) == 500  # no pixel twice
    assert 30 <= int((sample.image == 0).sum()) <= 70  # a tenth of the pixels: 50 expected
    big = sample.image == 1
    assert (sample.y[big] < 15).float().mean().item() == pytest.approx(0.5, abs=0.1)  # top and bottom halves alike
    again, other = samples.sample_pixels(masks, 500, seed=1), samples.sample_pixels(masks, 500, seed=2)
    assert torch.equal(flat, again.image * 1000 + again.y * 30 + again.x)
    assert not torch.equal(sample.y, other.y)


def test_sampling_every_pixel_and_reading_maps_there():
    masks = [torch.zeros(3, 4), torch.zeros(2, 5)]
    sample = samples.sample_pixels(masks, 22)
    assert sample.image.tolist() == [0] * 12 + [1] * 10  # all of them, image by image, row by row
    assert sample.y.tolist() == [0] * 4 + [1] * 4 + [2] * 4 + [0] * 5 + [1] * 5
    maps = [torch.arange(12).view(3, 4).to(torch.uint8), 100 + torch.arange(10).view(2, 5)]
    values = samples.pixel_values(maps, samples.sample_pixels(masks, 7, seed=3))
    some = samples.sample_pixels(masks, 7, seed=3)
    expected = [int(maps[k][y, x]) for k, y, x in zip(some.image, some.y, some.x, strict=True)]
    assert values.dtype == torch.int64 and values.tolist() == expected
    with pytest.raises(LabError, match="cannot sample 23 pixels from masks of 22 pixels in all"):
        samples.sample_pixels(masks, 23)


def test_rare_class_boxes_take_one_region_per_group():
    masks = [torch.zeros(40, 40, dtype=torch.long) for _ in range(4)]
    for k, m in enumerate(masks):
        m[5:9, 5:9] = 6
        m[25:29, 25:29] = 6 if k < 2 else 0
    regions = samples.rare_class_boxes(masks, [6], size=16, count=4, groups=["a", "a", "b", "b"])
    assert len(regions) == 2 and {r.image for r in regions} & {0, 1} and {r.image for r in regions} & {2, 3}
    assert len(samples.rare_class_boxes(masks, [6], size=16, count=4)) == 4  # no groups: both blobs of an image
