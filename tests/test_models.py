import pytest
import torch

from utils import models

from expect import raises_naming


def test_lenet_is_the_course_network():
    net = models.LeNet()
    assert models.count_parameters(net) == 431_080
    assert net(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    convs = [m for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    assert [(c.in_channels, c.out_channels, c.kernel_size) for c in convs] == [(1, 20, (5, 5)), (20, 50, (5, 5))]
    linears = [m for m in net.modules() if isinstance(m, torch.nn.Linear)]
    assert [(fc.in_features, fc.out_features) for fc in linears] == [(800, 500), (500, 10)]


def test_lenet_variants_and_mlp_shapes():
    for net in (models.LeNet(batch_norm=True, dropout=0.3), models.MLP(hidden=(64, 32))):
        net.train()
        assert net(torch.zeros(4, 1, 28, 28)).shape == (4, 10)
    assert models.count_parameters(models.MLP(hidden=(512, 256))) == 784 * 512 + 512 + 512 * 256 + 256 + 2570


def test_lenet_batch_norm_normalises_the_pooled_maps():
    net = models.LeNet(batch_norm=True)
    seen = []
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.register_forward_hook(lambda mod, inp, out: seen.append(tuple(inp[0].shape[1:])))
    net.train()(torch.zeros(2, 1, 28, 28))
    assert seen == [(20, 12, 12), (50, 4, 4)]
    assert models.count_parameters(net) == 431_080 - 20 - 50 - 500 + 2 * (20 + 50 + 500)


def test_summary_lists_shapes_and_total():
    text = models.summary(models.LeNet(), (1, 1, 28, 28))
    assert "(1, 50, 4, 4)" in text and "(1, 800)" in text and "431,080" in text


@pytest.mark.parametrize("size", [(250, 375), (33, 47), (64, 64), (35, 19)])
def test_segmentation_models_keep_odd_sizes(size):
    x = torch.zeros(1, 3, *size)
    for net in (models.UNet(width=4, depth=3), models.UNet(width=4, depth=2, upsample="transposed"),
                models.FCN(width=4), models.FCN(width=4, upsample="transposed")):
        assert net.eval()(x).shape == (1, 8, *size)


def test_unet_width_and_depth_change_the_network():
    small, deep = models.UNet(width=8, depth=2), models.UNet(width=8, depth=4)
    assert len(deep.downs) == 4 and len(deep.ups) == 4
    assert models.count_parameters(deep) > models.count_parameters(small)


def test_a_depth_3_unet_has_the_fcn_encoder():
    # the notebook's comparison rests on this: the U-Net adds only the decoder and its skips
    fcn, unet = models.FCN(width=4), models.UNet(width=4, depth=3)
    encoder = torch.nn.Sequential(unet.stem, unet.inc, *unet.downs)
    encoder.load_state_dict(fcn.encoder.state_dict())  # strict: the same layers with the same shapes
    x = torch.rand(2, 3, 40, 56)
    assert torch.equal(encoder.eval()(x), fcn.encoder.eval()(x))


def test_transposed_fcn_starts_as_bilinear_upsampling():
    fcn_t, fcn_b = models.FCN(width=4, upsample="transposed"), models.FCN(width=4)
    fcn_t.load_state_dict(fcn_b.state_dict(), strict=False)
    x = torch.rand(1, 3, 64, 64)
    fcn_t.eval(), fcn_b.eval()
    inner = (slice(None), slice(None), slice(16, -16), slice(16, -16))  # borders differ by padding
    assert torch.allclose(fcn_t(x)[inner], fcn_b(x)[inner], atol=1e-4)


def test_patch_cnn_classifies_one_window():
    net = models.PatchCNN(patch=25)
    assert net.eval()(torch.zeros(5, 3, 25, 25)).shape == (5, 8)


def test_bad_network_settings_are_one_line_errors():
    with raises_naming("patch=24", "odd", "at least 9"):
        models.PatchCNN(patch=24)
    with raises_naming("depth=0", "at least 1"):
        models.UNet(width=4, depth=0)
    with raises_naming("upsample='nearest'", "'bilinear' or 'transposed'"):
        models.FCN(upsample="nearest")
    with raises_naming("upsample='nearest'", "'bilinear' or 'transposed'"):
        models.UNet(upsample="nearest")


def test_unet_parts_keep_their_resolutions():
    # the stem halves the input, each step down halves again, the head returns to the input's size
    unet = models.UNet(width=4, depth=3).eval()
    x = torch.rand(1, 3, 67, 95)
    half = unet.inc(unet.stem(x))
    assert half.shape[-2:] == (34, 48) and unet.stride == 16
    assert unet.head(half, x).shape == (1, 8, 67, 95)
    assert models.FCN(width=4).stride == unet.stride


def test_lenet_pools_by_max_or_average():
    x = torch.rand(2, 1, 28, 28)
    kinds = {type(m) for m in models.LeNet(pool="avg").modules()}
    assert torch.nn.AvgPool2d in kinds and torch.nn.MaxPool2d not in kinds
    assert models.LeNet(pool="avg")(x).shape == (2, 10)
    assert models.count_parameters(models.LeNet(pool="avg")) == 431_080
    with raises_naming("pool='min'", "'max' or 'avg'"):
        models.LeNet(pool="min")


def test_mirror_average_is_the_mean_over_the_mirrored_input():
    unet = models.UNet(width=4, depth=2).eval()
    x = torch.rand(2, 3, 33, 47)
    both = models.MirrorAverage(unet)(x)
    assert torch.allclose(both, (unet(x) + unet(x.flip(-1)).flip(-1)) / 2)
    # the mean over an image and its mirror is itself mirror-symmetric
    assert torch.allclose(models.MirrorAverage(unet)(x.flip(-1)), both.flip(-1), atol=1e-5)
    windows = torch.rand(5, 3, 25, 25)
    patch = models.PatchCNN(patch=25).eval()
    assert torch.allclose(models.MirrorAverage(patch)(windows), (patch(windows) + patch(windows.flip(-1))) / 2)


def test_bilinear_drift_is_the_relative_change_of_the_transposed_upsampling():
    fcn = models.FCN(num_classes=3, width=4, upsample="transposed")
    assert models.bilinear_drift(fcn) == 0.0
    with torch.no_grad():
        fcn.up.weight.mul_(1.5)
    assert models.bilinear_drift(fcn) == pytest.approx(0.5)
    with pytest.raises(Exception, match="transposed"):
        models.bilinear_drift(models.FCN(num_classes=3, width=4))


def test_a_u_net_without_skips_has_no_view_of_the_full_size_image_either():
    from utils.models import UNet
    without, with_skips = UNet(width=4, depth=2, skips=False), UNet(width=4, depth=2)
    assert without.head.detail is None and with_skips.head.detail is not None
    image = torch.rand(1, 3, 32, 48)
    assert without(image).shape == with_skips(image).shape == (1, 8, 32, 48)
