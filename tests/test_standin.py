"""Tests for the procedural UAVid stand-in (utils/standin.py)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from utils import standin
from utils.errors import LabError
from utils.palette import NUM_CLASSES, PALETTE
from utils.standin import make_standin, render_frame

SMALL = (192, 108)
HUMAN, STATIC_CAR, MOVING_CAR = 6, 3, 7


def test_render_shapes_and_dtypes():
    img, lab = render_frame(3, 0, SMALL)
    assert img.shape == (108, 192, 3) and img.dtype == np.uint8
    assert lab.shape == (108, 192) and lab.dtype == np.uint8
    assert lab.max() < NUM_CLASSES


def test_render_is_deterministic():
    img1, lab1 = render_frame(11, 4, SMALL)
    standin._scene.cache_clear()  # rebuild the scene from scratch
    img2, lab2 = render_frame(11, 4, SMALL)
    assert np.array_equal(img1, img2)
    assert np.array_equal(lab1, lab2)


def test_different_scenes_differ():
    img1, lab1 = render_frame(1, 0, SMALL)
    img2, lab2 = render_frame(2, 0, SMALL)
    assert not np.array_equal(img1, img2)
    assert (lab1 != lab2).mean() > 0.2


def test_frames_of_a_sequence_are_similar_views():
    labs = [render_frame(7, k, SMALL)[1] for k in range(3)]
    imgs = [render_frame(7, k, SMALL)[0] for k in range(3)]
    for a, b, ia, ib in zip(labs[:-1], labs[1:], imgs[:-1], imgs[1:]):
        agree = (a == b).mean()
        chance = sum((a == c).mean() * (b == c).mean() for c in range(NUM_CLASSES))
        assert 0.6 < agree < 1.0
        assert agree > chance + 0.3
        assert not np.array_equal(ia, ib)


def test_default_size_class_presence_and_rarity():
    counts = np.zeros(NUM_CLASSES)
    for frame in (0, 1):
        _, lab = render_frame(standin._sequence_seed(0, 1), frame)
        assert lab.shape == (540, 960)
        freq = np.bincount(lab.ravel(), minlength=NUM_CLASSES) / lab.size
        for c in (HUMAN, STATIC_CAR, MOVING_CAR):
            assert 0 < freq[c] < 0.05
        counts += freq
    assert (counts > 0).all()
    assert counts[HUMAN] / 2 < 0.01


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_make_standin_layout_and_palette(tmp_path):
    root = make_standin(tmp_path, size=(160, 90), frames=2, train_sequences=3, val_sequences=2, seed=5)
    assert Path(root) == tmp_path
    expected = {"STANDIN.txt"}
    for split, seq in (("uavid_train", 1), ("uavid_train", 2), ("uavid_train", 3), ("uavid_val", 16), ("uavid_val", 17)):
        for sub in ("Images", "Labels"):
            for name in ("000000.png", "000100.png"):
                expected.add(f"{split}/seq{seq}/{sub}/{name}")
    assert _files(tmp_path) == expected
    assert "not real uavid" in (tmp_path / "STANDIN.txt").read_text().lower()
    palette = {tuple(c) for c in PALETTE.tolist()}
    for path in sorted(tmp_path.rglob("*.png")):
        with Image.open(path) as im:
            assert im.mode == "RGB" and im.size == (160, 90)
            arr = np.asarray(im)
        if path.parent.name == "Labels":
            colours = {tuple(c) for c in np.unique(arr.reshape(-1, 3), axis=0).tolist()}
            assert colours <= palette


def test_written_frames_match_render_frame(tmp_path):
    make_standin(tmp_path, size=(160, 90), frames=2, train_sequences=1, val_sequences=1, seed=3)
    img, lab = render_frame(standin._sequence_seed(3, 16), 1, (160, 90))
    seq = tmp_path / "uavid_val" / "seq16"  # UAVid's numbering: validation starts at seq16
    assert np.array_equal(np.asarray(Image.open(seq / "Images" / "000100.png")), img)
    assert np.array_equal(np.asarray(Image.open(seq / "Labels" / "000100.png")), PALETTE[lab])


def test_make_standin_numbers_sequences_as_uavid(tmp_path):
    make_standin(tmp_path, size=(32, 18), frames=1, seed=0)
    assert sorted(int(p.name[3:]) for p in (tmp_path / "uavid_train").iterdir()) == [*range(1, 16), *range(31, 36)]
    assert sorted(int(p.name[3:]) for p in (tmp_path / "uavid_val").iterdir()) == [16, 17, 18, 19, 20, 36, 37]
    with pytest.raises(LabError, match="validation sequences"):
        make_standin(tmp_path, size=(32, 18), frames=1, val_sequences=8)


def test_make_standin_refuses_a_folder_made_with_other_settings(tmp_path):
    make_standin(tmp_path, size=(32, 18), frames=1, train_sequences=1, val_sequences=1, seed=0)
    with pytest.raises(LabError, match=r"size=\(32, 18\).*delete that folder.*size=\(48, 27\)"):
        make_standin(tmp_path, size=(48, 27), frames=1, train_sequences=1, val_sequences=1, seed=0)
    old = tmp_path / "old"  # written before the sequences were numbered as UAVid's
    old.mkdir()
    (old / "STANDIN.txt").write_text("Procedural stand-in (seed=0, size=(32, 18), frames=1, train=1, val=1).\n")
    with pytest.raises(LabError, match="other settings"):
        make_standin(old, size=(32, 18), frames=1, train_sequences=1, val_sequences=1, seed=0)


def test_make_standin_skips_existing_files(tmp_path):
    kw = dict(size=(160, 90), frames=2, train_sequences=1, val_sequences=1, seed=1)
    make_standin(tmp_path, **kw)
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in files}
    gone = tmp_path / "uavid_train" / "seq1" / "Images" / "000100.png"
    gone.unlink()
    make_standin(tmp_path, **kw)
    for p in files:
        if p != gone:
            assert p.stat().st_mtime_ns == before[p][0], p
    assert gone.read_bytes() == before[gone][1]  # regenerated identically
    assert not [p for p in tmp_path.rglob("*.tmp")]


@pytest.mark.parametrize("size", [(160, 90), (200, 200)])
def test_other_sizes_and_aspects(size):
    img, lab = render_frame(4, 0, size)
    assert img.shape == (size[1], size[0], 3)
    assert lab.shape == (size[1], size[0])
    assert len(np.unique(lab)) >= 5


def test_the_stand_in_module_does_not_import_torch():
    # its worker processes render with numpy and PIL only; where they are spawned (macOS, Windows) each
    # re-imports this module, and torch would cost every worker seconds and hundreds of MB
    code = "import sys, utils.standin; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[1]).returncode == 0
