"""Segmentation quality against training time on the stand-in: test mIoU against the seconds of training.

Trains, with the notebook's data, crops, loss and recipe (utils.config.Config), the FCN and the U-Net of the
notebook and, for comparison, a U-Net that works at full resolution throughout (no stride-2 stem: the classic
diagram) and one whose head mixes with a 3x3 convolution instead of 1x1, each for one or more epoch budgets.
Prints a table, writes a figure of test mIoU against training seconds (outputs/seg_budget.png), and ends with
one line for the notebook's U-Net at its default epochs (seconds: its fit, validation included):
`seg_budget: unet_miou=<x> human=<x> seconds=<s> precision=<name> one_pass=<x>`. Test scores are
mirror-averaged as the notebook's are (SEG_TEST_MIRROR); one_pass is the U-Net's test mIoU without.

    python -m bench.seg_budget                              # from the repository root
    python -m bench.seg_budget --precision float32 --models unet full-res-unet --epochs 6 12 24
    python -m bench.seg_budget --models unet --epochs 60 --width 32 --height 540 --workers 8  # GPU (README)
"""
import argparse
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from bench.standin_data import DEFAULTS, eval_loaders, load_standin_split  # noqa: E402
from utils import models, seg_data, stats, training  # noqa: E402
from utils.device import describe, pick_device, seed_everything, to_device  # noqa: E402
from utils.palette import CLASSES  # noqa: E402
from utils.precision import amp_dtype, describe_precision  # noqa: E402
from utils.run import Run  # noqa: E402


class FullResolutionUNet(nn.Module):
    """The classic U-Net of the same parts and widths, without the stem: its first and last levels at full size."""

    def __init__(self, num_classes: int, width: int, depth: int):
        super().__init__()
        widths = [width * 2 ** i for i in range(depth + 1)]
        self.inc = models.DoubleConv(3, width)
        self.downs = nn.ModuleList(models.Down(widths[i], widths[i + 1]) for i in range(depth))
        self.ups = nn.ModuleList(models.Up(widths[i + 1], widths[i], widths[i]) for i in reversed(range(depth)))
        self.head = nn.Conv2d(width, num_classes, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        skips = [self.inc(x)]
        for down in self.downs:
            skips.append(down(skips[-1]))
        x = skips.pop()
        for up in self.ups:
            x = up(x, skips.pop())
        return self.head(x)


def build(name: str, width: int) -> nn.Module:
    s = DEFAULTS.seg
    if name == "fcn":
        return models.FCN(len(CLASSES), width=width, upsample=s.fcn_upsample)
    if name == "full-res-unet":
        return FullResolutionUNet(len(CLASSES), width, s.unet_depth)
    unet = models.UNet(len(CLASSES), width=width, depth=s.unet_depth)
    if name == "unet-3x3-head":  # the head mixes the upsampled map and the detail with a 3x3 conv, not 1x1
        fuse = unet.head.fuse[0]
        unet.head.fuse = models.conv_bn_relu(fuse.in_channels, fuse.out_channels)
    return unet


def arguments() -> argparse.Namespace:
    s = DEFAULTS.seg
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=DEFAULTS.general.device)
    parser.add_argument("--precision", default=DEFAULTS.general.precision, help="auto, float32, bfloat16, float16")
    parser.add_argument("--standin", default=s.standin_dir, help="written there if missing")
    parser.add_argument("--models", nargs="+", default=["fcn", "unet"],
                        choices=["fcn", "unet", "unet-3x3-head", "full-res-unet"])
    parser.add_argument("--epochs", type=int, nargs="+",
                        help="epoch budgets to train each for (default: FCN_EPOCHS for the FCN, else SEG_EPOCHS)")
    parser.add_argument("--lr", type=float, default=s.lr, help="peak learning rate (LR_SEG)")
    parser.add_argument("--width", type=int, default=s.unet_width, help="UNET_WIDTH (and FCN_WIDTH)")
    parser.add_argument("--height", type=int, default=s.height, help="rows images are resized to (SEG_HEIGHT)")
    parser.add_argument("--crop", type=int, default=s.crop, help="training crop side (SEG_CROP)")
    parser.add_argument("--batch", type=int, default=s.batch_size, help="crops per step (SEG_BATCH_SIZE)")
    parser.add_argument("--workers", type=int, default=s.workers, help="crop-loading processes (SEG_WORKERS)")
    parser.add_argument("--out", default="outputs/seg_budget.png")
    return parser.parse_args()


def train_and_test(name: str, epochs: int, args: argparse.Namespace, run: Run, data: tuple, loss_fn: nn.Module) -> dict:
    """Train one model for `epochs` with the notebook's recipe, then score it on the test split."""
    s = DEFAULTS.seg
    images, masks, mean, std, val_loader, test_loader = data
    seed_everything(DEFAULTS.general.seed)
    train_set = seg_data.SegmentationCrops(images["train"], masks["train"], args.crop, s.crops_per_epoch, mean, std)
    loader = torch.utils.data.DataLoader(train_set, batch_size=args.batch, num_workers=args.workers)
    seed_everything(DEFAULTS.general.seed)
    model = to_device(build(name, args.width), run.device)
    seed_everything(DEFAULTS.general.seed)  # as the notebook does: every network trains on the same crops
    tic = time.perf_counter()
    settings = training.Training(epochs=epochs, num_classes=len(CLASSES), optimizer=s.optimizer, lr=args.lr,
                                 schedule=s.schedule, loss_fn=loss_fn, monitor="val_miou")
    history = training.fit(model, run, settings, loader, val_loader, name=f"{name}, {epochs} epochs")
    fit_seconds = time.perf_counter() - tic
    tested = models.MirrorAverage(model) if s.test_mirror else model
    test = training.evaluate(tested, loss_fn, test_loader, run, len(CLASSES))
    one_pass = training.evaluate(model, loss_fn, test_loader, run, len(CLASSES))
    return dict(model=name, epochs=epochs, train=sum(history.seconds), fit=fit_seconds,
                parameters=models.count_parameters(model), miou=test["miou"], one_pass=one_pass["miou"],
                iou={c: float(test["iou"][i]) for i, c in enumerate(CLASSES)})


def plot(runs: list[dict], names: list[str], title: str, out: str) -> None:
    """Test mIoU against training seconds, a line per model, each point labelled with its epochs."""
    fig, ax = plt.subplots(figsize=(6, 4))
    for name in names:
        mine = [r for r in runs if r["model"] == name]
        ax.plot([r["train"] for r in mine], [r["miou"] for r in mine], "o-", label=name)
        for r in mine:
            ax.annotate(f"{r['epochs']} ep", (r["train"], r["miou"]), fontsize=8, xytext=(3, 3),
                        textcoords="offset points")
    ax.set(xlabel="training seconds (validation excluded)", ylabel="test mIoU", title=title)
    ax.grid(alpha=0.3)
    ax.legend()
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110, bbox_inches="tight")


def main() -> None:
    s = DEFAULTS.seg
    args = arguments()
    device = pick_device(args.device)
    amp = amp_dtype(args.precision, device)
    run = Run(device, amp, progress=False)
    images, masks, mean, std = load_standin_split(args.standin, args.height)
    loss_fn = nn.CrossEntropyLoss(weight=stats.class_weights(masks["train"]).to(device))
    data = (images, masks, mean, std, *eval_loaders(images, masks, mean, std))
    print(f"device {describe(device)}, {describe_precision(amp)}; {len(images['train'])} training images", flush=True)

    runs = [train_and_test(name, epochs, args, run, data, loss_fn) for name in args.models
            for epochs in args.epochs or [s.fcn_epochs if name == "fcn" else s.epochs]]

    print(f"\n{'model':<15}{'epochs':>7}{'params':>10}{'train s':>9}{'fit s':>8}{'mIoU':>7}{'1-pass':>7}"
          + "".join(f"{c[:9]:>10}" for c in CLASSES))
    for r in runs:
        print(f"{r['model']:<15}{r['epochs']:>7}{r['parameters']:>10,}{r['train']:>9.0f}{r['fit']:>8.0f}"
              f"{r['miou']:>7.3f}{r['one_pass']:>7.3f}" + "".join(f"{v:>10.3f}" for v in r["iou"].values()))
    plot(runs, args.models, f"stand-in test mIoU against training time\n{describe(device)}, {describe_precision(amp)}",
         args.out)
    print(f"figure: {args.out}")
    default = next((r for r in runs if r["model"] == "unet" and r["epochs"] == s.epochs), None)
    recipe = (args.width, args.lr, args.height, args.crop, args.batch)
    default = default if recipe == (s.unet_width, s.lr, s.height, s.crop, s.batch_size) else None
    if default is not None:
        print(f"seg_budget: unet_miou={default['miou']:.3f} human={default['iou']['human']:.3f} "
              f"seconds={default['fit']:.0f} precision={describe_precision(amp).split()[0]} "
              f"one_pass={default['one_pass']:.3f}")


if __name__ == "__main__":
    main()
