import pytest
import torch

from utils import stats

from expect import raises_naming


def test_class_weights_favour_rare_classes():
    mask = torch.zeros(100, 100, dtype=torch.long)
    mask[:10] = 1
    mask[0, :5] = 6
    w = stats.class_weights([mask])
    assert w[6] > w[1] > w[0] and torch.isclose(w.mean(), torch.tensor(1.0))


def test_channel_stats_match_the_pixels_of_all_images():
    g = torch.Generator().manual_seed(0)
    images = [torch.randint(0, 256, (3, h, w), dtype=torch.uint8, generator=g) for h, w in ((5, 7), (9, 4))]
    images[1][2] //= 4  # channels with different statistics
    pixels = torch.cat([im.flatten(1) for im in images], 1).double() / 255
    mean, std = stats.channel_stats(images)
    assert torch.allclose(torch.tensor(mean, dtype=torch.float64), pixels.mean(1), rtol=0, atol=1e-12)
    assert torch.allclose(torch.tensor(std, dtype=torch.float64), pixels.std(1), rtol=0, atol=1e-12)


def test_class_frequencies_count_every_mask():
    masks = [torch.tensor([[0, 0], [1, 2]]), torch.tensor([[2, 2, 2, 2]])]
    freq = stats.class_frequencies(masks, num_classes=4)
    assert freq.tolist() == [0.25, 0.125, 0.625, 0.0]


def test_channel_stats_refuse_float_images():
    with raises_naming("channel_stats", "uint8"):
        stats.channel_stats([torch.rand(3, 4, 4)])



def test_the_class_weighted_loss_makes_a_mistake_on_a_rare_class_cost_more():
    masks = [torch.tensor([[0] * 18 + [1, 1]])]  # class 0 common, class 1 rare
    weights = stats.class_weights(masks, num_classes=2)
    right, wrong = torch.tensor([3.0, 0.0]), torch.tensor([0.0, 3.0])  # as logits of a pixel of class 0
    y = torch.tensor([0, 1])
    common_missed = torch.stack([wrong, wrong])  # the class-0 pixel called 1, the class-1 pixel right
    rare_missed = torch.stack([right, right])  # the class-0 pixel right, the class-1 pixel called 0
    plain, weighted = torch.nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss(weight=weights)
    assert plain(common_missed, y) == pytest.approx(plain(rare_missed, y).item())  # unweighted: alike
    assert weighted(rare_missed, y) > 2 * weighted(common_missed, y)  # weighted: the rare mistake costs more
    per_pixel = torch.nn.functional.cross_entropy(rare_missed, y, reduction="none")
    assert weighted(rare_missed, y) == pytest.approx(float((weights[y] * per_pixel).sum() / weights[y].sum()))
