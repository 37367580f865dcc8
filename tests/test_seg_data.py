import pickle

import pytest
import torch

from utils import seg_data

from expect import raises_naming


def test_crops_are_joint_and_too_large_crops_are_refused():
    image = torch.arange(3 * 40 * 60, dtype=torch.int64).remainder(256).to(torch.uint8).reshape(3, 40, 60)
    mask = torch.zeros(40, 60, dtype=torch.long)
    mask[:, 30:] = 1  # left half class 0, right half class 1
    image[:, :, 30:] = 255
    image[:, :, :30] = 0
    dataset = seg_data.SegmentationCrops([image], [mask], crop=16, length=20, mean=[0.5] * 3, std=[0.5] * 3,
                                    scale=(0.8, 1.2), jitter=0.0)
    assert len(dataset) == 20
    for i in range(20):
        x, y = dataset[i]
        assert x.shape == (3, 16, 16) and y.shape == (16, 16) and y.dtype == torch.int64
        bright = x[0] > 0
        assert (bright == (y == 1)).float().mean() > 0.9  # the mask moved with the image
    with raises_naming("crops of 64 px", "40 px", "at most 30 px"):
        seg_data.SegmentationCrops([image], [mask], crop=64, length=1, mean=[0.5] * 3, std=[0.5] * 3)


def test_crops_pickle_for_spawned_loader_workers():
    # macOS and Windows start DataLoader workers (num_workers > 0) with spawn, which pickles the dataset
    g = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, 40, 48), dtype=torch.uint8, generator=g) for _ in range(2)]
    masks = [torch.randint(0, 8, (40, 48), generator=g) for _ in range(2)]
    dataset = seg_data.SegmentationCrops(images, masks, crop=16, length=4, mean=[0.5] * 3, std=[0.25] * 3)
    copy = pickle.loads(pickle.dumps(dataset))
    torch.manual_seed(0)
    x, y = dataset[0]
    torch.manual_seed(0)
    x2, y2 = copy[0]
    assert torch.equal(x, x2) and torch.equal(y, y2)


@pytest.mark.parametrize("zoom, stripe", [(0.5, 4), (2.0, 2)])
def test_crops_zoom_by_the_scale_factor(zoom, stripe):
    mask = ((torch.arange(60) // stripe) % 2).expand(40, 60).clone()  # vertical stripes
    image = (mask * 255).to(torch.uint8).expand(3, 40, 60).clone()
    dataset = seg_data.SegmentationCrops([image], [mask], crop=16, length=10, mean=[0.5] * 3, std=[0.5] * 3,
                                    scale=(zoom, zoom), jitter=0.0)
    for i in range(10):
        row = dataset[i][1][8]
        edges = torch.nonzero(row[1:] != row[:-1]).flatten()
        assert set(torch.diff(edges).tolist()) == {int(stripe * zoom)}


def test_whole_images_are_normalised_and_keep_their_masks():
    image = torch.full((3, 4, 6), 51, dtype=torch.uint8)  # 0.2
    mask = torch.randint(0, 8, (4, 6))
    x, y = seg_data.WholeImages([image], [mask], mean=[0.2, 0.1, 0.0], std=[1.0, 0.5, 0.2])[0]
    assert len(seg_data.WholeImages([image], [mask], [0.0] * 3, [1.0] * 3)) == 1
    assert torch.allclose(x[:, 0, 0], torch.tensor([0.0, 0.2, 1.0])) and x.shape == (3, 4, 6)
    assert torch.equal(y, mask)


def test_random_windows_label_their_centre_pixel_and_are_seeded():
    g = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=g) for h, w in ((20, 30), (15, 25))]
    masks = [im[0].long() % 8 for im in images]  # the label is a function of the pixel: checkable per window
    windows, labels = seg_data.random_windows(images, masks, patch=9, count=50, seed=3)
    assert windows.shape == (50, 3, 9, 9) and windows.dtype == torch.uint8 and labels.shape == (50,)
    assert torch.equal(labels, windows[:, 0, 4, 4].long() % 8)
    again, _ = seg_data.random_windows(images, masks, patch=9, count=50, seed=3)
    other, _ = seg_data.random_windows(images, masks, patch=9, count=50, seed=4)
    assert torch.equal(windows, again) and not torch.equal(windows, other)


def test_windows_larger_than_an_image_are_refused():
    images, masks = [torch.zeros(3, 12, 30, dtype=torch.uint8)], [torch.zeros(12, 30, dtype=torch.long)]
    with raises_naming("windows of 13 px", "12 px", "smaller windows"):
        seg_data.random_windows(images, masks, patch=13, count=1)
