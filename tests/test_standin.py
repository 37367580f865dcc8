"""Tests for the procedural UAVid stand-in (the utils/standin/ package)."""
import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from utils import standin
from utils.palette import NUM_CLASSES, PALETTE
from utils.standin import make_standin, render_frame

from expect import raises_naming

SMALL = (192, 108)
HUMAN, STATIC_CAR, MOVING_CAR = 6, 3, 7


def test_render_shapes_and_dtypes():
    img, lab = render_frame(3, 0, SMALL)
    assert img.shape == (108, 192, 3) and img.dtype == np.uint8
    assert lab.shape == (108, 192) and lab.dtype == np.uint8
    assert lab.max() < NUM_CLASSES


def test_render_is_deterministic():
    img1, lab1 = render_frame(11, 4, SMALL)
    standin.cached_scene.cache_clear()  # rebuild the scene from scratch
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
    for a, b in zip(labs[:-1], labs[1:], strict=True):
        agree = (a == b).mean()
        chance = sum((a == c).mean() * (b == c).mean() for c in range(NUM_CLASSES))
        assert 0.6 < agree < 1.0  # the camera moves between frames, but not far
        assert agree > chance + 0.3


def test_default_size_class_presence_and_rarity():
    counts = np.zeros(NUM_CLASSES)
    for frame in (0, 1):
        _, lab = render_frame(standin.sequence_seed(0, 1), frame)
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
    for split, seq in (("uavid_train", 1), ("uavid_train", 2), ("uavid_train", 3),
                       ("uavid_val", 16), ("uavid_val", 17)):
        for sub in ("Images", "Labels"):
            for name in ("000000.png", "000100.png"):
                expected.add(f"{split}/seq{seq}/{sub}/{name}")
    assert _files(tmp_path) == expected
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
    img, lab = render_frame(standin.sequence_seed(3, 16), 1, (160, 90))
    seq = tmp_path / "uavid_val" / "seq16"  # UAVid's numbering: validation starts at seq16
    assert np.array_equal(np.asarray(Image.open(seq / "Images" / "000100.png")), img)
    assert np.array_equal(np.asarray(Image.open(seq / "Labels" / "000100.png")), PALETTE[lab])


@pytest.mark.slow  # writes 27 sequences
def test_make_standin_numbers_sequences_as_uavid(tmp_path):
    make_standin(tmp_path, size=(32, 18), frames=1, seed=0)
    assert sorted(int(p.name[3:]) for p in (tmp_path / "uavid_train").iterdir()) == [*range(1, 16), *range(31, 36)]
    assert sorted(int(p.name[3:]) for p in (tmp_path / "uavid_val").iterdir()) == [16, 17, 18, 19, 20, 36, 37]
    with raises_naming("1 to 7 validation sequences", "got 20 and 8"):
        make_standin(tmp_path, size=(32, 18), frames=1, val_sequences=8)


def test_make_standin_refuses_a_folder_made_with_other_settings(tmp_path):
    make_standin(tmp_path, size=(32, 18), frames=1, train_sequences=1, val_sequences=1, seed=0)
    with raises_naming(str(tmp_path), "size=(32, 18)", "size=(48, 27)", "STANDIN_DIR"):  # both settings, the fix
        make_standin(tmp_path, size=(48, 27), frames=1, train_sequences=1, val_sequences=1, seed=0)
    with Image.open(tmp_path / "uavid_train" / "seq1" / "Images" / "000000.png") as im:
        assert im.size == (32, 18)  # the folder is left as it was


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


# SHA-256 digests of the image and label of these frames (numpy 2.4.6, Pillow 13.0.0): the stand-in must
# reproduce them byte for byte. 3964924996 is the scene seed of sequence 1 under seed 0.
GOLDEN_FRAMES = {
    (3964924996, 0, (192, 108)): ("3123d8b2e789b46349adf928fccbc7e2daa91188a6f502e485bde1a27f68ee2c",
                                  "8950969ffc11db09b5a6f671fd76529db5fce9d002d2001c4cb191c5a2134077"),
    (3964924996, 1, (192, 108)): ("d3bdf2d3b5966e666c2d84e208f56891d6931c75a09d3075e69701d978debd01",
                                  "bf8e309aad556f75f96a88a2183e6fff2e6579b050b55827d5a3bae96962be78"),
    (7, 2, (192, 108)): ("60192520ab2c611fcef991d570e1c81f27ba56fb41aa4c3ecf6226909be08bfe",
                         "55d5732d99de605a5d7fd44bff6c2180636f5b2958242d8fa8785532c1573195"),
    (11, 4, (480, 270)): ("cf94ad1b5404ab7d2902ecd5a3c18d7d93ef026702b3ad54f11096fd11cc0662",
                          "80c9c6ca94c1d7f25255e6fdd52dfdfbe178caf4a8f8ffc2040147a65c818295"),
}
# Digests of the decoded PNG arrays, and of STANDIN.txt's text, that make_standin(root, size=(192, 108), frames=2,
# train_sequences=1, val_sequences=1, seed=0) writes.
GOLDEN_FILES = {
    "STANDIN.txt": "2a9e77702352a1f9d43b79c31d5c37412b078c7b46ae692345570affb5eb42bf",
    "uavid_train/seq1/Images/000000.png": "3123d8b2e789b46349adf928fccbc7e2daa91188a6f502e485bde1a27f68ee2c",
    "uavid_train/seq1/Images/000100.png": "d3bdf2d3b5966e666c2d84e208f56891d6931c75a09d3075e69701d978debd01",
    "uavid_train/seq1/Labels/000000.png": "5c77485d6341947c1af401d8dc2d46b380614dd9dc901a9bee611859e933616f",
    "uavid_train/seq1/Labels/000100.png": "ce57b1276f982c5b63ebaccf763ae8442660ee94acb13d7cbd4d0e3c02aba0cb",
    "uavid_val/seq16/Images/000000.png": "dd0a028d2570145e66ca8b1ca43aa86bb7e333ecf067660433451e9be8b82e46",
    "uavid_val/seq16/Images/000100.png": "18fa3c366d5a8099d8c355e1da0953b2254b7030c1ce885c19ae1ef7e8f24552",
    "uavid_val/seq16/Labels/000000.png": "d508f72c76c1972c13acf3c705b466adcb040c79ca95ae3e3b48389ea6f2d214",
    "uavid_val/seq16/Labels/000100.png": "c89cb1f9af9d645eb8a733e3cddd4c96b2f2ba1460cf407101cd9d496bebd003",
}


def _sha256(data) -> str:
    return hashlib.sha256(data if isinstance(data, bytes) else np.ascontiguousarray(data).tobytes()).hexdigest()


@pytest.mark.parametrize("seed, frame, size", list(GOLDEN_FRAMES))
def test_frames_match_their_pinned_digests(seed, frame, size):
    img, lab = render_frame(seed, frame, size)
    assert np.isin([STATIC_CAR, HUMAN, MOVING_CAR], lab).all()  # the frames hold cars, people and moving cars
    assert (_sha256(img), _sha256(lab)) == GOLDEN_FRAMES[seed, frame, size]


def test_written_files_match_their_pinned_digests(tmp_path):
    make_standin(tmp_path, size=(192, 108), frames=2, train_sequences=1, val_sequences=1, seed=0)
    assert _files(tmp_path) == set(GOLDEN_FILES)
    for name, digest in GOLDEN_FILES.items():
        path = tmp_path / name
        data = path.read_bytes() if path.suffix == ".txt" else np.asarray(Image.open(path))
        assert _sha256(data) == digest, name
