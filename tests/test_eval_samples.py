import pytest
import torch

from utils import eval_samples

from expect import raises_naming


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
    regions = eval_samples.rare_class_boxes(masks, classes, size=16, count=3, seed=0)
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
    assert eval_samples.rare_class_boxes(masks, classes, size=16, count=3, seed=0) == regions  # deterministic


def test_rare_class_boxes_prefer_several_classes_and_stop_when_none_are_left():
    masks = rare_masks()
    first = eval_samples.rare_class_boxes(masks, [3, 7], size=20, count=1)[0]
    assert first.image == 0 and {3, 7} <= set(first.crop(masks[0]).unique().tolist())
    humans = eval_samples.rare_class_boxes(masks, [6], size=10, count=10, max_overlap=0.0)
    assert len(humans) == 3  # one per human: more would overlap
    assert eval_samples.rare_class_boxes(masks, [5], size=10, count=3) == []  # no low vegetation anywhere
    few = eval_samples.rare_class_boxes(masks, [3, 6, 7], size=10, count=3, seed=5, candidates=20)  # centres drawn
    assert few == eval_samples.rare_class_boxes(masks, [3, 6, 7], size=10, count=3, seed=5, candidates=20)
    with raises_naming("41 px", "40 px"):  # the size asked for, and the most that fits
        eval_samples.rare_class_boxes(masks, [6], size=41, count=1)


def test_region_overlap_is_the_shared_fraction_of_its_area():
    r = eval_samples.Region(0, 10, 10, 8)
    assert r.overlap(r) == 1.0 and r.overlap(eval_samples.Region(1, 10, 10, 8)) == 0.0
    assert r.overlap(eval_samples.Region(0, 14, 12, 8)) == 4 * 6 / 64
    assert r.overlap(eval_samples.Region(0, 18, 10, 8)) == 0.0


def test_sample_pixels_are_distinct_in_range_seeded_and_uniform():
    masks = [torch.zeros(10, 10), torch.zeros(30, 30)]  # 100 and 900 pixels
    sample = eval_samples.sample_pixels(masks, 500, seed=1)
    assert len(sample) == 500 and sample.image.dtype == sample.y.dtype == sample.x.dtype == torch.int64
    sizes = torch.tensor([[10, 10], [30, 30]])[sample.image]
    assert ((sample.y >= 0) & (sample.y < sizes[:, 0]) & (sample.x >= 0) & (sample.x < sizes[:, 1])).all()
    flat = sample.image * 1000 + sample.y * 30 + sample.x
    assert len(flat.unique()) == 500  # no pixel twice
    assert 30 <= int((sample.image == 0).sum()) <= 70  # a tenth of the pixels: 50 expected
    big = sample.image == 1
    assert (sample.y[big] < 15).float().mean().item() == pytest.approx(0.5, abs=0.1)  # top and bottom halves alike
    again, other = eval_samples.sample_pixels(masks, 500, seed=1), eval_samples.sample_pixels(masks, 500, seed=2)
    assert torch.equal(flat, again.image * 1000 + again.y * 30 + again.x)
    assert not torch.equal(sample.y, other.y)


def test_sampling_every_pixel_and_reading_maps_there():
    masks = [torch.zeros(3, 4), torch.zeros(2, 5)]
    sample = eval_samples.sample_pixels(masks, 22)
    assert sample.image.tolist() == [0] * 12 + [1] * 10  # all of them, image by image, row by row
    assert sample.y.tolist() == [0] * 4 + [1] * 4 + [2] * 4 + [0] * 5 + [1] * 5
    maps = [torch.arange(12).view(3, 4).to(torch.uint8), 100 + torch.arange(10).view(2, 5)]
    values = eval_samples.pixel_values(maps, eval_samples.sample_pixels(masks, 7, seed=3))
    some = eval_samples.sample_pixels(masks, 7, seed=3)
    expected = [int(maps[k][y, x]) for k, y, x in zip(some.image, some.y, some.x, strict=True)]
    assert values.dtype == torch.int64 and values.tolist() == expected
    with raises_naming("23 pixels", "22 pixels"):
        eval_samples.sample_pixels(masks, 23)


def test_rare_class_boxes_take_one_region_per_group():
    masks = [torch.zeros(40, 40, dtype=torch.long) for _ in range(4)]
    for k, m in enumerate(masks):
        m[5:9, 5:9] = 6
        m[25:29, 25:29] = 6 if k < 2 else 0
    regions = eval_samples.rare_class_boxes(masks, [6], size=16, count=4, groups=["a", "a", "b", "b"])
    assert len(regions) == 2 and {r.image for r in regions} & {0, 1} and {r.image for r in regions} & {2, 3}
    assert len(eval_samples.rare_class_boxes(masks, [6], size=16, count=4)) == 4  # no groups: both blobs of an image
