import time

import pytest
import torch
import torch.nn as nn

from utils import inference, models
from utils.inference import predict_sliding_window, predict_tiled, tile_spans, tile_weights
from utils.run import Run

from expect import raises_naming

CPU = Run(torch.device("cpu"))


def test_tiled_equals_single_pass_when_the_image_fits_one_tile():
    torch.manual_seed(0)
    net = models.UNet(width=4, depth=2).eval()
    image = torch.randn(3, 37, 53)
    single = net(image[None])[0].argmax(0)
    assert torch.equal(predict_tiled(net, image, CPU, 8, tile=64, overlap=16), single)


def test_tiled_equals_single_pass_for_a_pixelwise_model_over_many_tiles():
    torch.manual_seed(0)
    net = nn.Conv2d(3, 8, 1).eval()  # no context: tiling cannot change anything
    image = torch.randn(3, 70, 90)
    single = net(image[None])[0].argmax(0)
    assert torch.equal(predict_tiled(net, image, CPU, 8, tile=32, overlap=8, align=8), single)


def test_tiled_agrees_closely_with_single_pass_for_a_unet():
    torch.manual_seed(0)
    net = models.UNet(width=4, depth=2).eval()
    image = torch.randn(3, 100, 150)  # not a multiple of the tile stride: the last tiles are shorter
    single = net(image[None])[0].argmax(0)
    tiled = predict_tiled(net, image, CPU, 8, tile=64, overlap=32, align=net.stride)
    assert tiled.shape == single.shape and (tiled == single).float().mean() > 0.995


def test_tile_spans_are_aligned_overlap_and_cover_the_image():
    for size, tile, stride, align in ((100, 64, 32, 4), (270, 256, 160, 16), (2160, 512, 384, 32), (64, 64, 32, 32),
                                      (40, 64, 32, 32), (257, 256, 256, 32), (600, 256, 256, 32)):
        spans = tile_spans(size, tile, stride, align)
        assert spans[0][0] == 0 and spans[-1][1] == size and all(start % align == 0 for start, _ in spans)
        assert all(b[0] <= a[1] and a[1] - b[0] >= tile - stride for a, b in zip(spans, spans[1:], strict=False))
        if size > tile:  # no sliver at the border: every tile is at least a full tile long
            assert all(tile <= stop - start < tile + align for start, stop in spans)


def test_no_tile_is_too_small_for_the_network_without_overlap():
    torch.manual_seed(0)
    net = models.UNet(width=4, depth=2).eval()
    image = torch.randn(3, 65, 66)  # a naive last tile would be 1-2 px high: too small to pool twice
    tiled = predict_tiled(net, image, CPU, 8, tile=64, overlap=0, align=4)
    assert tiled.shape == (65, 66)


def test_misaligned_tiling_settings_fail_with_one_line():
    net, image = nn.Conv2d(3, 8, 1), torch.randn(3, 64, 64)
    with raises_naming("48 px", "overlap of 40 px", "32 px", "smaller overlap"):
        predict_tiled(net, image, CPU, 8, tile=48, overlap=40, align=32)
    with raises_naming("overlap=64", "smaller than the tile size=64"):
        predict_tiled(net, image, CPU, 8, tile=64, overlap=64)


class CentreColour(nn.Module):
    """A 'patch classifier' that returns the class of the centre pixel's first channel, as logits."""

    def forward(self, x):
        c = x.shape[-1] // 2
        return nn.functional.one_hot(x[:, 0, c, c].long().clamp(0, 7), 8).float()


def test_sliding_window_classifies_the_centre_of_every_pixel():
    image = torch.randint(0, 8, (1, 23, 31)).float().expand(3, 23, 31)
    out = predict_sliding_window(CentreColour(), image, patch=9, run=CPU, batch_size=100)
    assert torch.equal(out, image[0].long())


def test_blending_ramp_favours_tile_centres():
    ramp = tile_weights(12, 12, 4, (True, True, False, False))  # inner edges at top and bottom only
    assert ramp.shape == (12, 12) and (ramp > 0).all() and (ramp <= 1).all()
    column = ramp[:, 6]
    assert column[0] < column[1] < column[2] < column[3] == 1.0  # rises over the margin from an inner edge
    assert torch.equal(column, column.flip(0))  # both inner edges alike
    assert (ramp[4:8] == 1).all() and torch.equal(ramp[:, 0], ramp[:, 6])  # no fall at the image's own borders


def test_predict_image_is_one_pass_in_eval_mode():
    torch.manual_seed(0)
    net = models.UNet(width=4, depth=2).train()  # predict_image must switch batch norm to its running statistics
    image = torch.randn(3, 21, 34)
    pred = inference.predict_image(net, image, CPU)
    assert not net.training and pred.shape == (21, 34)
    assert torch.equal(pred, net(image[None])[0].argmax(0))


def test_time_call_returns_the_result_and_the_median():
    calls, naps = [], [0.5, 0.01, 0.2, 0.05, 0.0]  # the warm-up's nap is not timed

    def fn():
        calls.append(1)
        time.sleep(naps[len(calls) - 1])
        return len(calls)

    result, seconds = inference.time_call(fn, torch.device("cpu"), repeats=3)
    assert len(calls) == 4 and result == 4  # one warm-up call, then three timed ones
    assert 0.05 <= seconds < 0.2  # the median of 0.01, 0.2 and 0.05 s: neither the warm-up nor the mean
    result, _ = inference.time_call(fn, torch.device("cpu"), warmup=False)
    assert len(calls) == 5 and result == 5


def test_sliding_window_handles_windows_larger_than_the_image():
    # reflect padding needs the image larger than the window's half-width; smaller images are edge-replicated
    net = models.PatchCNN(num_classes=8, patch=21).eval()  # half-width 10 > 6 rows
    assert predict_sliding_window(net, torch.randn(3, 6, 9), 21, CPU).shape == (6, 9)
    image = torch.randint(0, 8, (1, 6, 9)).float().expand(3, 6, 9)
    out = predict_sliding_window(CentreColour(), image, patch=21, run=CPU)
    assert torch.equal(out, image[0].long())  # every window is still centred on its own pixel


def test_time_call_needs_a_repeat():
    with raises_naming("repeats=0", "at least 1"):
        inference.time_call(lambda: None, torch.device("cpu"), repeats=0)


@pytest.mark.parametrize("count, batch_size", [(624, 4096), (50, 7)])
def test_classify_pixels_equals_the_sliding_window_map_at_those_pixels(count, batch_size):
    from utils.eval_samples import pixel_values, sample_pixels
    torch.manual_seed(0)
    # a random CNN whose class depends on every pixel of the 9 x 9 window, each position weighted differently
    net = nn.Sequential(nn.Conv2d(3, 6, 3), nn.ReLU(), nn.Conv2d(6, 8, 7), nn.Flatten()).eval()
    # reflect-padded (20 x 30), and edge-replicated (4 x 6: smaller than the window's half-width)
    images = [torch.randn(3, 20, 30), torch.randn(3, 4, 6)]
    maps = [predict_sliding_window(net, im, 9, CPU, batch_size=64) for im in images]
    sample = sample_pixels(maps, count, seed=1)  # 624: every pixel, borders included
    labels = inference.classify_pixels(net, images, sample, 9, CPU, batch_size=batch_size)
    assert labels.dtype == torch.int64 and torch.equal(labels, pixel_values(maps, sample))
    assert len(labels.unique()) >= 4  # a model that says one class everywhere would prove nothing
