"""Peak memory and time of the notebook's full-resolution steps on frames of UAVid's own sizes.

On a UAVid-layout tree (bench.uavid_sized writes one of stand-in frames, 3840x2160 and 4096x2160), each step runs
in a fresh interpreter, so that the peak resident memory printed for it is its own; the first line is that of
the imports alone, which every step includes. Per frame size, one frame of that size:

    read      the image and label at full size (uavid.read_image, uavid.read_label), as cell 3.2
    tiled     the default U-Net over the frame at SEG_HEIGHT rows by tiles (TILE_SIZE, TILE_OVERLAP), as cell 3.2
    tiled-4k  the same over the full-size frame (what SEG_HEIGHT=2160 would do)
    enlarge   the prediction at SEG_HEIGHT rows enlarged to full size and compared with the label, as cell 3.2
    figure    the full-size image, label and prediction drawn with the rare classes outlined, saved
    export    the frames of that size exported as predictions at full size (uavid.export_predictions)

and for the whole tree, `load`: every frame read at SEG_HEIGHT rows (uavid.load_samples), as cell 2.1. Weights
are random (memory and time do not depend on them). With --notebook, the notebook itself runs on the tree with
the default sizes and a few short epochs (papermill), and its kernel's peak memory and cell times are printed.

    python -m bench.uavid_sized /tmp/uavid_sized --frames 2       # from the repository root, once
    python -m bench.full_resolution /tmp/uavid_sized [--notebook]
"""
import argparse
import json
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from utils.config import Config

DEFAULTS = Config()
STEPS = ("read", "tiled", "tiled-4k", "enlarge", "figure", "export")
QUICK = dict(RESUME=False, PROGRESS=False, MLP_EPOCHS=1, SWEEP_RATES=[0.01], REG_EPOCHS=1, SEG_EPOCHS=1, FCN_EPOCHS=1,
             SEG_CROPS_PER_EPOCH=40, PATCH_TRAIN_WINDOWS=1500, PATCH_EPOCHS=1)  # default sizes, short training


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    kib = resource.getrusage(who).ru_maxrss
    return kib / 1024 ** 2 if sys.platform == "darwin" else kib / 1024  # macOS counts bytes, Linux KiB


def frames_by_width(root: Path) -> dict[int, list]:
    """The tree's frames (uavid.Sample), by image width."""
    from PIL import Image

    from utils import uavid

    frames: dict[int, list] = {}
    for split in ("uavid_train", "uavid_val"):
        for samples in uavid.list_sequences(root / split).values():
            for sample in samples:
                with Image.open(sample.image) as image:  # the header only
                    frames.setdefault(image.width, []).append(sample)
    return frames


def run_step(step: str, root: Path, width: int, out: Path) -> dict:
    """One step on the frames of `width` (all of the tree for `load`); returns its seconds and what it made."""
    import matplotlib

    matplotlib.use("Agg")
    import torch

    from utils import image_plots, inference, plots, uavid
    from utils.models import UNet
    from utils.palette import CLASSES
    from utils.run import Run
    from utils.stats import normalize

    s = DEFAULTS.seg
    frames = frames_by_width(root)
    sample = frames[width][0] if width else None
    tic = time.perf_counter()
    if step == "load":
        every = [f for group in frames.values() for f in group]
        images, _ = uavid.load_samples(every, s.height)
        made = f"{len(every)} frames, {sum(i.numel() for i in images) / len(every) / 1e6:.2f} MB of image each"
    elif step == "read":
        image, label = uavid.read_image(sample.image), uavid.read_label(sample.label)
        made = f"{image.shape[1]}x{image.shape[0]} image, label {label.shape[1]}x{label.shape[0]}"
    elif step in ("tiled", "tiled-4k"):
        torch.manual_seed(0)
        unet = UNet(len(CLASSES), width=s.unet_width, depth=s.unet_depth).eval()
        image = uavid.read_image(sample.image, s.height if step == "tiled" else None)
        x = normalize(torch.from_numpy(image).permute(2, 0, 1).float() / 255, [0.45] * 3, [0.25] * 3)
        del image
        tic = time.perf_counter()
        pred = inference.predict_tiled(unet, x, Run(torch.device("cpu")), len(CLASSES), s.tile_size, s.tile_overlap,
                                       align=unet.stride)
        made = f"{pred.shape[1]}x{pred.shape[0]} class map"
    elif step == "enlarge":
        small = torch.from_numpy(uavid.read_label(sample.label, s.height))
        truth = uavid.read_label(sample.label)
        tic = time.perf_counter()
        full = uavid.enlarge(small, truth.shape)
        made = f"{full.shape[1]}x{full.shape[0]}, {(full.numpy() == truth).mean():.2%} equal to the label"
    elif step == "figure":
        image, truth = uavid.read_image(sample.image), uavid.read_label(sample.label)
        prediction = uavid.enlarge(torch.from_numpy(uavid.read_label(sample.label, s.height)), truth.shape).numpy()
        rare = [CLASSES.index(name) for name in ("human", "static car", "moving car")]
        tic = time.perf_counter()
        fig = image_plots.show_segmentation([image], {"ground truth (full resolution)": [truth],
                                                      "enlarged": [prediction]}, titles=[sample.image.name],
                                            outline=rare)
        made = str(plots.save(fig, f"full_resolution_{width}", out))
    elif step == "export":
        predictions = [torch.from_numpy(uavid.read_label(f.label, s.height)) for f in frames[width]]
        tic = time.perf_counter()
        paths = uavid.export_predictions(frames[width], predictions, out / "exported")
        made = f"{len(paths)} frames"
    else:
        raise SystemExit(f"unknown step {step}")
    return {"seconds": time.perf_counter() - tic, "made": made}


def watch_children(samples: list, stop: threading.Event) -> None:
    """Append (time, resident MB of this process's children) to samples twice a second until stop is set."""
    import psutil  # installed with ipykernel

    me = psutil.Process()
    while not stop.wait(0.5):
        rss = 0
        for process in me.children(recursive=True):
            try:
                rss += process.memory_info().rss
            except psutil.NoSuchProcess:
                pass
        samples.append((datetime.now(UTC), rss / 1024 ** 2))


def run_notebook(root: Path, out: Path) -> dict:
    """The notebook on the tree with QUICK settings: the kernel's peak memory (it is this process's child), the
    cell it was reached in (sampled twice a second), and the cells' seconds."""
    import nbformat
    import papermill

    params = {**QUICK, "UAVID_DIR": str(root), "FIGURES_DIR": str(out / "figures"), "OUTPUT_DIR": str(out / "out"),
              "CHECKPOINT_DIR": str(out / "checkpoints")}
    samples: list = []
    stop = threading.Event()
    watcher = threading.Thread(target=watch_children, args=(samples, stop), daemon=True)
    watcher.start()
    tic = time.perf_counter()
    papermill.execute_notebook("lab3.ipynb", str(out / "lab3.ipynb"), parameters=params, progress_bar=False,
                               kernel_name="python3")
    seconds = time.perf_counter() - tic
    stop.set()
    nb = nbformat.read(out / "lab3.ipynb", as_version=4)
    cells = [(datetime.fromisoformat(c.metadata.papermill.start_time.replace("Z", "+00:00")),
              datetime.fromisoformat(c.metadata.papermill.end_time.replace("Z", "+00:00")),
              c.metadata.papermill.duration or 0, c.source.splitlines()[0][:50]) for c in nb.cells
             if c.cell_type == "code" and c.metadata.papermill.start_time]
    when, most = max(samples, key=lambda sample: sample[1])
    where = next((name for start, end, _, name in cells if start <= when <= end), "between cells")
    slow = sorted(((d, name) for _, _, d, name in cells), reverse=True)[:6]
    return {"seconds": seconds, "peak_mb": peak_mb(resource.RUSAGE_CHILDREN),
            "made": f"sampled peak {most:.0f} MB in {where!r}; slowest cells: "
                    + "; ".join(f"{d:.0f} s {name!r}" for d, name in slow)}


def child(args: argparse.Namespace) -> None:
    """Run one step in this interpreter and print its result as JSON."""
    if args.step == "imports":
        import matplotlib.pyplot  # noqa: F401
        import torch  # noqa: F401

        import utils.image_plots  # noqa: F401
        import utils.inference  # noqa: F401
        result = {"seconds": 0.0, "made": "torch, matplotlib, utils"}
    elif args.step == "notebook":
        result = run_notebook(args.root, args.out)
    else:
        result = run_step(args.step, args.root, args.width, args.out)
    print(json.dumps({"peak_mb": peak_mb(), **result}))


def measure(step: str, root: Path, width: int, out: Path) -> dict:
    command = [sys.executable, "-m", "bench.full_resolution", str(root), "--step", step, "--width", str(width),
               "--out", str(out)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"step {step} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="a UAVid-layout tree (python -m bench.uavid_sized writes one)")
    parser.add_argument("--notebook", action="store_true", help="also run the notebook on it, short epochs")
    parser.add_argument("--out", type=Path, help="where figures and exports go (default: a temporary folder)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--width", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        child(args)
        return
    out = args.out or Path(tempfile.mkdtemp(prefix="full_resolution_"))
    sizes = sorted(frames_by_width(args.root))
    print(f"{args.root}: frames {', '.join(str(w) for w in sizes)} px wide; SEG_HEIGHT={DEFAULTS.seg.height}; "
          f"outputs in {out}", flush=True)
    runs = [("imports", 0), ("load", 0)] + [(step, width) for width in sizes for step in STEPS]
    peaks = {}
    for step, width in runs:
        result = measure(step, args.root, width, out)
        peaks[step, width] = result["peak_mb"]
        where = f"{width} px" if width else "tree"
        print(f"{step:>9} {where:>8}: peak RSS {result['peak_mb']:6.0f} MB, {result['seconds']:6.1f} s  "
              f"({result['made']})", flush=True)
    if args.notebook:
        result = measure("notebook", args.root, 0, out)
        print(f"notebook: kernel peak RSS {result['peak_mb']:.0f} MB, {result['seconds']:.0f} s ({result['made']})")
    print("full_resolution: " + " ".join(f"{step}{'_' + str(w) if w else ''}={mb:.0f}MB"
                                         for (step, w), mb in peaks.items()))


if __name__ == "__main__":
    main()
