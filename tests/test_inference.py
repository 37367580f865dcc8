import torch
import torch.nn as nn

from utils import models
from utils.inference import predict_sliding_window, predict_tiled


def test_tiled_equals_single_pass_when_the_image_fits_one_tile():
    torch.manual_seed(0)
    net = models.UNet(width=4, depth=2).eval()
    image = torch.randn(3, 37, 53)
    single = net(image[None])[0].argmax(0)
    assert torch.equal(predict_tiled(net, image, torch.device("cpu"), 8, tile=64, overlap=16), single)


def test_tiled_equals_single_pass_for_a_pixelwise_model_over_many_tiles():
    torch.manual_seed(0)
    net = nn.Conv2d(3, 8, 1).eval()  # no context: tiling cannot change anything
    image = torch.randn(3, 70, 90)
    single = net(image[None])[0].argmax(0)
    assert torch.equal(predict_tiled(net, image, torch.device("cpu"), 8, tile=32, overlap=8, align=8), single)


def test_tiled_agrees_closely_with_single_pass_for_a_unet():
    torch.manual_seed(0)
    net = models.UNet(width=4, depth=2).eval()
    image = torch.randn(3, 100, 150)  # not a multiple of the tile stride: the last tiles are shorter
    single = net(image[None])[0].argmax(0)
    tiled = predict_tiled(net, image, torch.device("cpu"), 8, tile=64, overlap=32, align=4)
    assert tiled.shape == single.shape and (tiled == single).float().mean() > 0.995


def test_tile_origins_are_aligned_and_cover_the_image():
    from utils.inference import _starts
    for size, tile, stride in ((100, 64, 32), (270, 256, 192), (2160, 512, 384), (64, 64, 32), (40, 64, 32)):
        starts = _starts(size, tile, stride)
        assert all(s % stride == 0 for s in starts) and starts[0] == 0
        assert starts[-1] + tile >= size and (len(starts) == 1 or starts[-2] + tile < size)


def test_misaligned_tiling_settings_fail_with_one_line():
    import pytest
    from utils.errors import LabError
    with pytest.raises(LabError, match="TILE_SIZE"):
        predict_tiled(nn.Conv2d(3, 8, 1), torch.randn(3, 64, 64), torch.device("cpu"), 8, tile=48, overlap=40, align=32)


class CentreColour(nn.Module):
    """A 'patch classifier' that returns the class of the centre pixel's first channel, as logits."""

    def forward(self, x):
        c = x.shape[-1] // 2
        return nn.functional.one_hot(x[:, 0, c, c].long().clamp(0, 7), 8).float()


def test_sliding_window_classifies_the_centre_of_every_pixel():
    image = torch.randint(0, 8, (1, 23, 31)).float().expand(3, 23, 31)
    out = predict_sliding_window(CentreColour(), image, patch=9, device=torch.device("cpu"), batch_size=100)
    assert torch.equal(out, image[0].long())
