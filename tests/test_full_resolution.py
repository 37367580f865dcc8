"""A frame of UAVid's larger size, 4096 x 2160, through every function that reads, enlarges, draws or exports one
at full resolution, in a fresh interpreter whose peak resident memory must stay within a bound."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 600  # above the peak before these steps (about 280 MB here); outlines drawn on 4x enlarged maps took GBs

STEPS = r"""
import json, os, resource, sys
from pathlib import Path

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import torch
from PIL import Image

from utils import image_plots, plots, uavid
from utils.eval_samples import Region
from utils.palette import PALETTE

RARE = [3, 6, 7]  # static car, human, moving car: outlined as in the notebook


def peak_mb():
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024 ** 2 if sys.platform == "darwin" else kib / 1024  # macOS counts bytes, Linux KiB


def cap_address_space(extra_bytes):
    # a regression fails with MemoryError here instead of filling the machine's memory (Linux only)
    if os.path.exists("/proc/self/statm"):
        pages = int(open("/proc/self/statm").read().split()[0])
        limit = pages * os.sysconf("SC_PAGE_SIZE") + extra_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))


torch.set_num_threads(1)
out = Path(sys.argv[1])
h, w = 2160, 4096
rng = np.random.default_rng(0)
truth = rng.integers(0, 8, (h // 32 + 1, w // 32), dtype=np.uint8).repeat(32, 0).repeat(32, 1)[:h]
truth[rng.integers(0, h, 3000), rng.integers(0, w, 3000)] = 6  # lone pixels of a rare class: many contours
small = truth[::8, ::8].copy()  # a prediction at a lower resolution, as the notebook's at SEG_HEIGHT rows
image = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
frame = out / "seq1" / "Images" / "000000.png"
frame.parent.mkdir(parents=True)
Image.new("RGB", (w, h)).save(frame)
label = out / "seq1" / "Labels" / "000000.png"
label.parent.mkdir(parents=True)
Image.fromarray(PALETTE[truth]).save(label, compress_level=1)
normalised = torch.from_numpy(image).permute(2, 0, 1).float().div_(255)
plots.save(image_plots.show_segmentation([image[:64, :64]], {"truth": [truth[:64, :64]]}, outline=RARE), "warm-up",
           out)  # matplotlib's one-time set-up
plt.close("all")
before = peak_mb()
cap_address_space(4 * 1024 ** 3)

read_image, read_truth = uavid.read_image(frame), uavid.read_label(label)
enlarged = uavid.enlarge(torch.from_numpy(small), (h, w)).numpy()
fig = image_plots.show_segmentation([read_image], {"truth": [read_truth], "prediction": [enlarged],
                                                   "errors": [enlarged != read_truth]}, outline=RARE)
plots.save(fig, "full_resolution", out, stamp="a stamp")
shown = [list(ax.get_images()[-1].get_array().shape) for ax in fig.axes[:4]]  # as drawn: the map, the overlay
plt.close(fig)
regions = [Region(0, 1000, 2000, 64), Region(0, 2096, 4032, 64)]
fig = image_plots.show_rare_regions([normalised], [torch.from_numpy(truth)],
                                    {"prediction": [torch.from_numpy(enlarged)]}, regions, RARE, [0.0] * 3, [1.0] * 3)
plots.save(fig, "regions", out)
plt.close(fig)
sample = uavid.Sample("seq1", frame, label)
[exported] = uavid.export_predictions([sample], [torch.from_numpy(small)], out / "exported")
assert uavid.read_label(exported).shape == (h, w)
print(json.dumps({"before_mb": before, "after_mb": peak_mb(), "shown": shown}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="the resource module, which reads the peak memory, is Unix-only")
def test_a_4k_frame_is_read_drawn_and_exported_within_bounded_memory(tmp_path):
    result = subprocess.run([sys.executable, "-c", STEPS, str(tmp_path)], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    measured = json.loads(result.stdout.splitlines()[-1])
    grown = measured["after_mb"] - measured["before_mb"]
    assert grown <= LIMIT_MB, f"the full-resolution steps took {grown:.0f} MB more than before them"
    assert measured["shown"] == [[540, 1024, 3]] * 3 + [[540, 1024, 4]]  # reduced 4 times: screen resolution
    assert (tmp_path / "full_resolution.png").is_file()
    assert (tmp_path / "exported" / "seq1" / "Labels" / "000000.png").is_file()
