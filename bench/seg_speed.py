"""Segmentation speed and memory: sliding window vs one FCN pass; tiled prediction of a 4K frame.

1. The same 256x256 image, on the same device: the window classifier (PatchCNN, one window per pixel, batched)
   against one forward pass of the FCN.
2. A 3840x2160 frame on the CPU through the U-Net by overlapping tiles: seconds and the process's peak resident
   memory; then, on the largest size where a single pass fits comfortably, the fraction of pixels where the
   tiled labels agree with the single pass.

Models are built as the notebook builds them (utils.segmentation), with its default settings but for --patch and
--depth; their weights are random unless --weights names a U-Net checkpoint
of the notebook (e.g. checkpoints/uavid_unet.pt), whose width, depth and input normalisation are then used; the
timings do not depend on the weights. The input frames come from the procedural stand-in. The last two lines
are the summary.

    python -m bench.seg_speed              # from the repository root
"""
import argparse
import re
import resource
import sys
import time
from pathlib import Path

import torch

from utils import segmentation
from utils.config import Config
from utils.device import pick_device, to_device
from utils.inference import predict_image, predict_sliding_window, predict_tiled, time_call
from utils.models import UNet
from utils.run import Run
from utils.standin import render_frame
from utils.stats import normalize

DEFAULTS = Config()

ROUGH_MEAN, ROUGH_STD = [0.45] * 3, [0.25] * 3  # near the stand-in's statistics; enough for random weights


def frame(width: int, height: int, mean: list[float] = ROUGH_MEAN, std: list[float] = ROUGH_STD) -> torch.Tensor:
    """A stand-in frame as a normalised float tensor (3, H, W)."""
    image, _ = render_frame(scene_seed=1, frame=0, size=(width, height))
    return normalize(torch.from_numpy(image).permute(2, 0, 1).float() / 255, mean, std)


def trained_unet(path: Path) -> tuple[UNet, list[float], list[float]]:
    """The best U-Net of a notebook checkpoint, its width and depth read from the weights, and the
    normalisation it was trained with (its key records it)."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    weights = state["best_model"]
    if "stem.0.weight" not in weights:
        sys.exit(f"{path} is not a U-Net checkpoint of the notebook (e.g. checkpoints/uavid_unet.pt)")
    depth = len({m.group(1) for k in weights if (m := re.match(r"downs\.(\d+)\.", k))})
    upsample = "transposed" if "ups.0.up.weight" in weights else "bilinear"
    unet = UNet(weights["head.score.weight"].shape[0], width=weights["stem.0.weight"].shape[0], depth=depth,
                detail=weights["head.detail.0.weight"].shape[0], upsample=upsample)
    unet.load_state_dict(weights)
    return unet, state["key"]["mean"], state["key"]["std"]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    s = DEFAULTS.seg
    parser.add_argument("--device", default=DEFAULTS.general.device, help="device of the sliding-window comparison")
    parser.add_argument("--patch", type=int, default=s.patch_size)
    parser.add_argument("--tile", type=int, default=512)
    parser.add_argument("--overlap", type=int, default=128)
    parser.add_argument("--single-pass", default="1080x1920", help="HxW of the agreement check")
    parser.add_argument("--weights", type=Path, help="a U-Net checkpoint of the notebook (default: random weights)")
    parser.add_argument("--depth", type=int, default=s.unet_depth, help="the random U-Net's depth (UNET_DEPTH)")
    args = parser.parse_args()
    torch.manual_seed(0)
    cpu = torch.device("cpu")
    seg = Config.from_parameters({"PATCH_SIZE": args.patch, "UNET_DEPTH": args.depth}).seg  # checked as the notebook's

    # 2 first, so that the peak memory is that of the 4K prediction alone
    if args.weights:
        unet, mean, std = trained_unet(args.weights)
    else:
        unet, mean, std = segmentation.unet(seg), ROUGH_MEAN, ROUGH_STD
    unet = to_device(unet, cpu).eval()
    align = unet.stride
    image = frame(3840, 2160, mean, std)
    print(f"4K frame {tuple(image.shape)}; rss before tiling {peak_rss_mb():.0f} MB", flush=True)
    tic = time.perf_counter()
    predict_tiled(unet, image, Run(cpu), unet.head.score.out_channels, args.tile, args.overlap, align)
    tiled_seconds = time.perf_counter() - tic
    rss = peak_rss_mb()
    print(f"tiled 4K prediction: {tiled_seconds:.1f} s, peak RSS {rss:.0f} MB", flush=True)
    del image

    h, w = map(int, args.single_pass.split("x"))
    image = frame(w, h, mean, std)
    single = predict_image(unet, image, Run(cpu))
    tiled = predict_tiled(unet, image, Run(cpu), unet.head.score.out_channels, args.tile, args.overlap, align)
    agreement = (tiled == single).double().mean().item()
    print(f"agreement of tiled and single pass at {h}x{w}: {agreement:.5f}", flush=True)
    del image, single, tiled

    device = pick_device(args.device)
    patch_model = to_device(segmentation.window_classifier(seg), device).eval()
    fcn = to_device(segmentation.fcn(seg), device).eval()
    image = frame(256, 256)
    # the median of 5 passes: one pass is short enough to be noisy
    _, fcn_seconds = time_call(lambda: predict_image(fcn, image, Run(device)), device, repeats=5)
    predict_sliding_window(patch_model, image[:, :32, :32], args.patch, Run(device))  # warm-up on a corner
    _, window_seconds = time_call(lambda: predict_sliding_window(patch_model, image, args.patch, Run(device)), device,
                                  warmup=False)
    print(f"device {device}: {256 * 256:,} windows of {args.patch}x{args.patch}")

    print(f"sliding_window: fcn={fcn_seconds:.4f}s window={window_seconds:.2f}s "
          f"speedup={window_seconds / fcn_seconds:.0f}")
    print(f"tiled_4k: seconds={tiled_seconds:.1f} peak_rss_mb={rss:.0f} agree_with_single_pass={agreement:.5f}")


if __name__ == "__main__":
    main()
