import torch

from utils.augment import RandomAffine, random_affine


def test_random_affine_keeps_shape_and_identity_settings_do_nothing():
    x = torch.rand(8, 1, 28, 28)
    assert random_affine(x).shape == x.shape
    same = random_affine(x, max_shift=0.0, max_degrees=0.0, scale=(1.0, 1.0))
    assert torch.allclose(same, x, atol=1e-5)
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    assert torch.equal(random_affine(x, g1), random_affine(x, g2))
    assert not torch.allclose(random_affine(x, torch.Generator().manual_seed(4)), x)


def test_a_pure_shift_moves_each_image_by_at_most_that_fraction_of_its_size():
    x = torch.zeros(16, 1, 20, 20)
    x[:, 0, 8:12, 8:12] = 1  # a square at the centre, far from the borders
    shifted = random_affine(x, torch.Generator().manual_seed(0), max_shift=0.1, max_degrees=0.0, scale=(1.0, 1.0))
    assert torch.allclose(shifted.sum((1, 2, 3)), torch.full((16,), 16.0), atol=1e-3)  # moved, not resized
    coords = torch.arange(20.0)
    centre_y = (shifted[:, 0].sum(2) * coords).sum(1) / 16
    centre_x = (shifted[:, 0].sum(1) * coords).sum(1) / 16
    moves = torch.stack([centre_y, centre_x], 1) - 9.5
    assert moves.abs().max() <= 2 + 1e-3  # 10 % of 20 px
    assert moves.abs().max() > 0.5  # and they do move


def test_random_affine_class_applies_its_settings():
    augment = RandomAffine(max_shift=0.08, max_degrees=10, scale=(0.9, 1.1))
    x = torch.rand(4, 1, 28, 28)
    expected = random_affine(x, torch.Generator().manual_seed(0), 0.08, 10, (0.9, 1.1))
    assert torch.equal(augment(x, torch.Generator().manual_seed(0)), expected)
    assert repr(augment) == "RandomAffine(max_shift=0.08, max_degrees=10, scale=(0.9, 1.1))"
