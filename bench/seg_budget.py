"""Segmentation quality against training time on the stand-in: test mIoU against the seconds of training.

Trains, with the notebook's data, crops, loss and recipe (its settings, utils.config.Config, built by the same
functions of utils.segmentation), the FCN and the U-Net of the notebook and, for comparison, a U-Net that works at
full resolution throughout (no stride-2 stem: the classic diagram) and one whose head mixes with a 3x3 convolution
instead of 1x1, each for one or more epoch budgets.
Prints a table, writes a figure of test mIoU against training seconds (outputs/seg_budget.png), and ends with
one line for the notebook's U-Net at its default epochs (seconds: its fit, validation included):
`seg_budget: unet_miou=<x> human=<x> seconds=<s> precision=<name> one_pass=<x>`. Test scores are one pass, as the
notebook's are (one_pass repeats unet_miou, for older readers of the line).

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

from utils import models, segmentation, training  # noqa: E402
from utils.config import Config, Segmentation  # noqa: E402
from utils.device import describe, pick_device, seed_everything, to_device  # noqa: E402
from utils.palette import CLASSES, NUM_CLASSES  # noqa: E402
from utils.precision import amp_dtype, describe_precision  # noqa: E402
from utils.run import Run  # noqa: E402
from utils.segmentation import SegData  # noqa: E402

DEFAULTS = Config()


class Score(nn.Conv2d):
    """A 1x1 convolution that scores the classes of a full-resolution map: a U-Net head that ignores the image."""

    def forward(self, x: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        return super().forward(x)


def build(name: str, seg: Segmentation) -> nn.Module:
    """The notebook's FCN or U-Net (segmentation.fcn, segmentation.unet), or a U-Net with one part changed."""
    if name == "fcn":
        return segmentation.fcn(seg)
    unet = segmentation.unet(seg)
    if name == "unet-3x3-head":  # the head mixes the upsampled map and the detail with a 3x3 conv, not 1x1
        fuse = unet.head.fuse[0]
        unet.head.fuse = models.conv_bn_relu(fuse.in_channels, fuse.out_channels)
    if name == "full-res-unet":  # no stem: the first and last levels at full size, scored by a 1x1 conv
        unet.stem = nn.Identity()
        unet.inc = models.DoubleConv(3, seg.unet_width)
        unet.head = Score(seg.unet_width, NUM_CLASSES, 1)
        unet.stride //= 2
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


def settings(args: argparse.Namespace) -> Config:
    """The notebook's default settings with the arguments in their places, checked as the notebook checks them."""
    return Config.from_parameters({
        "DEVICE": args.device, "PRECISION": args.precision, "STANDIN_DIR": args.standin, "LR_SEG": args.lr,
        "UNET_WIDTH": args.width, "FCN_WIDTH": args.width, "SEG_HEIGHT": args.height, "SEG_CROP": args.crop,
        "SEG_BATCH_SIZE": args.batch, "SEG_WORKERS": args.workers})


def train_and_test(name: str, epochs: int, cfg: Config, run: Run, data: SegData, loss_fn: nn.Module) -> dict:
    """Train one model for `epochs` as the notebook trains its FCN and U-Nets, then score it on the test split."""
    seed = cfg.general.seed
    seed_everything(seed)
    loaders = segmentation.loaders(data, cfg.seg)
    seed_everything(seed)
    model = to_device(build(name, cfg.seg), run.device)
    seed_everything(seed)  # as the notebook does: every network trains on the same crops
    tic = time.perf_counter()
    history = training.fit(model, run, segmentation.training(cfg.seg, loss_fn, epochs), loaders.train, loaders.val,
                           name=f"{name}, {epochs} epochs")
    fit_seconds = time.perf_counter() - tic
    test = training.evaluate(model, loss_fn, loaders.test, run, NUM_CLASSES)
    one_pass = test
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
    cfg = settings(args)
    device = pick_device(cfg.general.device)
    amp = amp_dtype(cfg.general.precision, device)
    run = Run(device, amp, progress=False)
    data = segmentation.load_data(segmentation.standin_root(cfg), cfg)
    loss_fn = segmentation.loss_function(data.masks["train"], cfg.seg, device)
    print(f"device {describe(device)}, {describe_precision(amp)}; {len(data.images['train'])} training images",
          flush=True)

    runs = [train_and_test(name, epochs, cfg, run, data, loss_fn) for name in args.models
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
