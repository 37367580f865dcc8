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
    assert torch.equal(predict_tiled(net, image, torch.device("cpu"), 8, tile=32, overlap=8), single)


def test_tiled_agrees_closely_with_single_pass_for_a_unet():
    torch.manual_seed(0)
    net = models.UNet(width=4, depth=2).eval()
    image = torch.randn(3, 96, 128)
    single = net(image[None])[0].argmax(0)
    tiled = predict_tiled(net, image, torch.device("cpu"), 8, tile=64, overlap=32)
    assert tiled.shape == single.shape and (tiled == single).float().mean() > 0.97


class CentreColour(nn.Module):
    """A 'patch classifier' that returns the class of the centre pixel's first channel, as logits."""

    def forward(self, x):
        c = x.shape[-1] // 2
        return nn.functional.one_hot(x[:, 0, c, c].long().clamp(0, 7), 8).float()


def test_sliding_window_classifies_the_centre_of_every_pixel():
    image = torch.randint(0, 8, (1, 23, 31)).float().expand(3, 23, 31)
    out = predict_sliding_window(CentreColour(), image, patch=9, device=torch.device("cpu"), batch_size=100)
    assert torch.equal(out, image[0].long())
