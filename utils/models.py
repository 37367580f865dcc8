"""The lab's networks: an MLP and LeNet for MNIST; a patch CNN, an FCN and a U-Net for UAVid."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .errors import check
from .strides import FCN_DEPTH, total_stride


def count_parameters(model: nn.Module) -> int:
    """Number of trainable parameters."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


# ----------------------------------------------------------------------------- MNIST


class MLP(nn.Module):
    """The fully connected baseline of Lab 2: flatten -> (Linear -> ReLU) per hidden layer -> Linear."""

    def __init__(self, in_features: int = 784, hidden: tuple[int, ...] = (512, 256), num_classes: int = 10):
        super().__init__()
        layers, width = [nn.Flatten()], in_features
        for h in hidden:
            layers += [nn.Linear(width, h), nn.ReLU(inplace=True)]
            width = h
        layers.append(nn.Linear(width, num_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class LeNet(nn.Module):
    """LeNet as in the course: conv 5x5 (20) -> pool -> conv 5x5 (50) -> pool -> 800 -> 500 -> 10.

    batch_norm adds BatchNorm after each conv's pooling and after the hidden linear layer; dropout is applied
    before each linear layer; pool is "max" (the course) or "avg". With the defaults this is exactly the course
    network (431,080 parameters).
    """

    def __init__(self, num_classes: int = 10, batch_norm: bool = False, dropout: float = 0.0, pool: str = "max"):
        super().__init__()
        check(pool in ("max", "avg"), f"LeNet pool={pool!r} must be 'max' or 'avg'")
        pooling = nn.MaxPool2d if pool == "max" else nn.AvgPool2d

        def conv(cin: int, cout: int) -> list[nn.Module]:
            if batch_norm:  # normalise the pooled map: a quarter of the pixels, so a quarter of the cost
                return [nn.Conv2d(cin, cout, 5, bias=False), pooling(2), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
            return [nn.Conv2d(cin, cout, 5), nn.ReLU(inplace=True), pooling(2)]

        self.features = nn.Sequential(*conv(1, 20), *conv(20, 50))
        hidden = [nn.Linear(800, 500, bias=not batch_norm)] + ([nn.BatchNorm1d(500)] if batch_norm else [])
        drop = [nn.Dropout(dropout)] if dropout > 0 else []
        self.classifier = nn.Sequential(nn.Flatten(), *drop, *hidden, nn.ReLU(inplace=True), *drop,
                                        nn.Linear(500, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


# ----------------------------------------------------------------------------- UAVid


class PatchCNN(nn.Module):
    """Classifies the centre pixel of a (patch x patch) RGB window: the sliding-window approach."""

    def __init__(self, num_classes: int = 8, patch: int = 25, width: int = 32):
        super().__init__()
        check(patch % 2 == 1 and patch >= 9, f"PatchCNN: patch={patch} must be odd (a centre pixel) and at least 9")
        self.patch = patch
        self.features = nn.Sequential(
            conv_bn_relu(3, width), nn.MaxPool2d(2),
            conv_bn_relu(width, 2 * width), nn.MaxPool2d(2),
            conv_bn_relu(2 * width, 2 * width), nn.AdaptiveAvgPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(8 * width, 128), nn.ReLU(inplace=True),
                                        nn.Linear(128, num_classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def conv_bn_relu(cin: int, cout: int, kernel: int = 3, stride: int = 1) -> nn.Sequential:
    """Convolution (3x3 unless told; same size at stride 1) -> batch norm -> ReLU."""
    return nn.Sequential(nn.Conv2d(cin, cout, kernel, stride=stride, padding=kernel // 2, bias=False),
                         nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class DoubleConv(nn.Sequential):
    """(3x3 conv -> BN -> ReLU) twice: the building block of each U-Net level."""

    def __init__(self, cin: int, cout: int):
        super().__init__(conv_bn_relu(cin, cout), conv_bn_relu(cout, cout))


class Stem(nn.Sequential):
    """3x3 convolution with stride 2 -> BN -> ReLU: the layers after it work at half the input's resolution."""

    def __init__(self, cin: int, cout: int):
        super().__init__(*conv_bn_relu(cin, cout, stride=2))


class Down(nn.Sequential):
    """2x2 max pooling, then a double conv: one step down the encoder."""

    def __init__(self, cin: int, cout: int):
        super().__init__(nn.MaxPool2d(2), DoubleConv(cin, cout))


class Up(nn.Module):
    """Upsample x2, concatenate the skip connection, double conv: one step up the decoder.

    cskip=0 makes a decoder step without its skip connection: the skip only gives the size to pad to."""

    def __init__(self, cin: int, cskip: int, cout: int, upsample: str = "bilinear"):
        super().__init__()
        self.use_skip = cskip > 0
        if upsample == "bilinear":
            self.up = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        else:
            self.up = nn.ConvTranspose2d(cin, cin, 2, stride=2)
        self.conv = DoubleConv(cin + cskip, cout)

    def forward(self, x: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        x = self.up(x)
        # An odd size halves with rounding down, so the upsampled map can be a pixel short.
        dy, dx = skip.shape[-2] - x.shape[-2], skip.shape[-1] - x.shape[-1]
        x = F.pad(x, [dx // 2, dx - dx // 2, dy // 2, dy - dy // 2])
        return self.conv(torch.cat([skip, x], dim=1) if self.use_skip else x)


class Head(nn.Module):
    """Back to the input's size: upsample the decoder's map, concatenate a light full-resolution view of the
    image (one 3x3 conv of it; detail=0: none, a skip less), mix the two pixel by pixel (1x1 conv) and score the
    classes (1x1 conv).

    The mixing is 1x1: at full resolution a 3x3 kernel would cost nine times its multiply-adds."""

    def __init__(self, cin: int, image_channels: int, detail: int, num_classes: int):
        super().__init__()
        self.detail = conv_bn_relu(image_channels, detail) if detail > 0 else None
        self.fuse = conv_bn_relu(cin + detail, cin, kernel=1)
        self.score = nn.Conv2d(cin, num_classes, 1)

    def forward(self, x: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(x, size=image.shape[-2:], mode="bilinear", align_corners=False)
        if self.detail is not None:
            x = torch.cat([x, self.detail(image)], dim=1)
        return self.score(self.fuse(x))


class UNet(nn.Module):
    """U-Net: a stride-2 stem and a double conv (1/2 of the input's resolution), `depth` steps down, `depth` steps
    up with skip connections back to 1/2, and a head that returns to full resolution.

    upsample="bilinear" doubles the size by interpolation, "transposed" by a learnt 2x2 transposed convolution.
    skips=False removes every skip connection: each decoder step sees only the level below, and the head gets no
    view of the full-size image; all else alike.
    """

    def __init__(self, num_classes: int = 8, in_channels: int = 3, width: int = 16, depth: int = 3,
                 detail: int = 8, upsample: str = "bilinear", skips: bool = True):
        super().__init__()
        check(depth >= 1 and width >= 1, f"U-Net depth={depth} and width={width} must be at least 1")
        check(upsample in ("bilinear", "transposed"), f"U-Net upsample={upsample!r} must be 'bilinear' or 'transposed'")
        widths = [width * 2 ** i for i in range(depth + 1)]
        self.stem = Stem(in_channels, width)
        self.inc = DoubleConv(width, width)
        self.downs = nn.ModuleList(Down(widths[i], widths[i + 1]) for i in range(depth))
        self.ups = nn.ModuleList(Up(widths[i + 1], widths[i] if skips else 0, widths[i], upsample)
                                 for i in reversed(range(depth)))
        self.head = Head(width, in_channels, detail if skips else 0, num_classes)
        self.stride = total_stride(depth)  # the total down-sampling: tiles aligned to it pool over the same pixels

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        skips = [self.inc(self.stem(image))]
        for down in self.downs:
            skips.append(down(skips[-1]))
        x = skips.pop()
        for up in self.ups:
            x = up(x, skips.pop())
        return self.head(x, image)


class FCN(nn.Module):
    """Fully convolutional network: the U-Net's encoder (stem, double conv, `depth` steps down: 1/16 at depth 3),
    a 1x1 classifier, and an upsampling of the coarse scores to the input size.

    upsample="bilinear" interpolates the coarse scores; "transposed" learns the upsampling with a
    transposed convolution initialised to bilinear interpolation.
    """

    def __init__(self, num_classes: int = 8, in_channels: int = 3, width: int = 16, depth: int = FCN_DEPTH,
                 upsample: str = "bilinear"):
        super().__init__()
        check(upsample in ("bilinear", "transposed"), f"FCN upsample={upsample!r} must be 'bilinear' or 'transposed'")
        widths = [width * 2 ** i for i in range(depth + 1)]
        self.encoder = nn.Sequential(Stem(in_channels, width), DoubleConv(width, width),
                                     *(Down(widths[i], widths[i + 1]) for i in range(depth)))
        self.classifier = nn.Conv2d(widths[-1], num_classes, 1)
        self.upsample = upsample
        self.stride = total_stride(depth)
        if upsample == "transposed":
            s = self.stride
            self.up = nn.ConvTranspose2d(num_classes, num_classes, 2 * s, stride=s, padding=s // 2, bias=False)
            self.up.weight.data.copy_(_bilinear_kernel(num_classes, 2 * s))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        size = x.shape[-2:]
        scores = self.classifier(self.encoder(x))
        if self.upsample == "transposed":
            scores = self.up(scores)
        # Sizes that are not multiples of the stride leave the transposed output a few pixels off; interpolate.
        if scores.shape[-2:] != size:
            scores = F.interpolate(scores, size=size, mode="bilinear", align_corners=False)
        return scores


class MirrorAverage(nn.Module):
    """Test-time augmentation: the mean of a network's scores for the input and for its left-right mirror image
    (the scores of a map mirrored back), for networks that score pixels (N, C, H, W) or windows (N, C)."""

    def __init__(self, model: nn.Module):
        super().__init__()
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        mirrored = self.model(x.flip(-1))
        if mirrored.dim() == 4:
            mirrored = mirrored.flip(-1)
        return (self.model(x) + mirrored) / 2


def _bilinear_kernel(channels: int, size: int) -> torch.Tensor:
    """Weights that make a transposed convolution do per-channel bilinear upsampling."""
    factor = (size + 1) // 2
    center = factor - 1 if size % 2 == 1 else factor - 0.5
    og = torch.arange(size, dtype=torch.float32)
    filt = 1 - (og - center).abs() / factor
    kernel = filt[:, None] * filt[None, :]
    weight = torch.zeros(channels, channels, size, size)
    weight[range(channels), range(channels)] = kernel
    return weight


def bilinear_drift(fcn: FCN) -> float:
    """How far training moved a transposed FCN's upsampling from its bilinear start: ||W - W0|| / ||W0||."""
    check(fcn.upsample == "transposed", "bilinear_drift needs an FCN with upsample='transposed'")
    weight = fcn.up.weight.detach().float().cpu()
    start = _bilinear_kernel(weight.shape[0], weight.shape[-1])
    return float((weight - start).norm() / start.norm())


# ----------------------------------------------------------------------------- summary


def summary(model: nn.Module, input_shape: tuple[int, ...]) -> str:
    """A table of the leaf layers with their output shapes and parameter counts (one forward pass)."""
    rows, hooks = [], []

    def hook(module, inputs, output):
        shape = tuple(output.shape) if torch.is_tensor(output) else "-"
        own = sum(p.numel() for p in module.parameters(recurse=False))
        rows.append((rows_name[module], type(module).__name__, shape, own))

    rows_name = {}
    for name, module in model.named_modules():
        if len(list(module.children())) == 0:
            rows_name[module] = name
            hooks.append(module.register_forward_hook(hook))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            device = next(model.parameters()).device
            model(torch.zeros(input_shape, device=device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was_training)
    lines = [f"{'layer':<24}{'type':<18}{'output shape':<22}{'parameters':>12}", "-" * 76]
    lines += [f"{name:<24}{kind:<18}{str(shape):<22}{params:>12,}" for name, kind, shape, params in rows]
    lines += ["-" * 76, f"{'total':<64}{count_parameters(model):>12,}"]
    return "\n".join(lines)
