"""Segmentation speed and memory: sliding window vs one FCN pass; tiled prediction of a 4K frame.

1. The same 256x256 image, on the same device: the window classifier (PatchCNN, one window per pixel, batched)
   against one forward pass of the FCN.
2. A 3840x2160 frame on the CPU through the U-Net by overlapping tiles: seconds and the process's peak resident
   memory; then, on the largest size where a single pass fits comfortably, the fraction of pixels where the
   tiled labels agree with the single pass.

Models have the notebook's default sizes; their weights are random unless --weights names a checkpoint of
the notebook (e.g. checkpoints/uavid_unet.pt), as the timings do not depend on them. The input frames come from
the procedural stand-in. The last two lines are the summary.
"""
import argparse
import resource
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from utils.device import pick_device, to_device  # noqa: E402
from utils.inference import predict_sliding_window, predict_tiled  # noqa: E402
from utils.models import FCN, PatchCNN, UNet  # noqa: E402
from utils.standin import render_frame  # noqa: E402
from utils.training import autocast, load_weights  # noqa: E402


def frame(width: int, height: int) -> torch.Tensor:
    """A stand-in frame as a roughly normalised float tensor (3, H, W)."""
    image, _ = render_frame(scene_seed=1, frame=0, size=(width, height))
    return (torch.from_numpy(image).permute(2, 0, 1).float() / 255 - 0.45) / 0.25


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", help="device of the sliding-window comparison")
    parser.add_argument("--patch", type=int, default=25)
    parser.add_argument("--tile", type=int, default=512)
    parser.add_argument("--overlap", type=int, default=128)
    parser.add_argument("--single-pass", default="1080x1920", help="HxW of the agreement check")
    parser.add_argument("--weights", type=Path, help="a U-Net checkpoint of the notebook (default: random weights)")
    parser.add_argument("--depth", type=int, default=3, help="the U-Net's depth (the notebook's UNET_DEPTH)")
    args = parser.parse_args()
    torch.manual_seed(0)
    cpu = torch.device("cpu")

    # 2 first, so that the peak memory is that of the 4K prediction alone
    unet = to_device(UNet(8, width=16, depth=args.depth), cpu).eval()
    if args.weights:
        load_weights(unet, args.weights, cpu)
    image = frame(3840, 2160)
    print(f"4K frame {tuple(image.shape)}; rss before tiling {peak_rss_mb():.0f} MB", flush=True)
    tic = time.perf_counter()
    predict_tiled(unet, image, cpu, 8, args.tile, args.overlap)
    tiled_seconds = time.perf_counter() - tic
    rss = peak_rss_mb()
    print(f"tiled 4K prediction: {tiled_seconds:.1f} s, peak RSS {rss:.0f} MB", flush=True)
    del image

    h, w = map(int, args.single_pass.split("x"))
    image = frame(w, h)
    with torch.no_grad():
        single = unet(image[None])[0].argmax(0)
    tiled = predict_tiled(unet, image, cpu, 8, args.tile, args.overlap)
    agreement = (tiled == single).double().mean().item()
    print(f"agreement of tiled and single pass at {h}x{w}: {agreement:.5f}", flush=True)
    del image, single, tiled

    device = pick_device(args.device)
    patch_model, fcn = to_device(PatchCNN(8, args.patch), device).eval(), to_device(FCN(8, width=16), device).eval()
    image = frame(256, 256)
    with torch.no_grad(), autocast(device):  # the precision predict_sliding_window uses
        fcn(image[None].to(device))  # warm-up
        times = []
        for _ in range(5):  # the median of 5 passes: one pass is short enough to be noisy
            if device.type == "cuda":
                torch.cuda.synchronize()
            tic = time.perf_counter()
            fcn(image[None].to(device)).argmax(1).cpu()
            times.append(time.perf_counter() - tic)
        fcn_seconds = sorted(times)[2]
    predict_sliding_window(patch_model, image[:, :32, :32], args.patch, device)  # warm-up, not timed
    tic = time.perf_counter()
    predict_sliding_window(patch_model, image, args.patch, device)
    window_seconds = time.perf_counter() - tic
    print(f"device {device}: {256 * 256:,} windows of {args.patch}x{args.patch}")

    print(f"sliding_window: fcn={fcn_seconds:.4f}s window={window_seconds:.2f}s speedup={window_seconds / fcn_seconds:.0f}")
    print(f"tiled_4k: seconds={tiled_seconds:.1f} peak_rss_mb={rss:.0f} agree_with_single_pass={agreement:.5f}")


if __name__ == "__main__":
    main()
