import numpy as np
import torch

from utils import palette

from expect import raises_naming


def random_mask(h, w, seed=0):
    return np.random.default_rng(seed).integers(0, 8, size=(h, w)).astype(np.uint8)


def test_colour_conversion_round_trips_every_class():
    mask = random_mask(16, 20)
    rgb = palette.index_to_rgb(mask)
    assert np.array_equal(palette.rgb_to_index(rgb), mask)
    assert tuple(rgb[mask == 2][0]) == (128, 64, 128) and tuple(rgb[mask == 6][0]) == (64, 64, 0)


def test_unknown_colours_are_named_with_the_file():
    rgb = palette.index_to_rgb(random_mask(8, 8))
    rgb[0, 0] = (1, 2, 3)
    rgb[1, 1] = (255, 255, 255)
    with raises_naming("x.png", "2 pixels", "(1,2,3), (255,255,255)", "the 8 class colours"):
        palette.rgb_to_index(rgb, "x.png")


def test_index_to_rgb_takes_tensors_and_the_palette_has_a_colour_per_class():
    mask = random_mask(5, 7, seed=1)
    assert np.array_equal(palette.index_to_rgb(torch.from_numpy(mask)), palette.index_to_rgb(mask))
    assert palette.PALETTE.shape == (palette.NUM_CLASSES, 3) == (len(palette.CLASSES), 3)
    assert len({tuple(c) for c in palette.PALETTE}) == palette.NUM_CLASSES  # no two classes share a colour


def test_many_unknown_colours_are_counted_not_all_listed():
    rgb = palette.index_to_rgb(random_mask(4, 4))
    rgb[0, :] = [(1, 1, i) for i in range(1, 5)]
    rgb[1, :3] = [(2, 2, i) for i in range(1, 4)]
    with raises_naming("(array)", "7 pixels", "(1,1,1)", "and 2 more", "the 8 class colours") as err:
        palette.rgb_to_index(rgb)
    assert "(2,2,2)" not in str(err.value)  # five colours listed, the others counted


# the official UAVid toolkit's colour of each class, by name
UAVID_COLOURS = {"clutter": (0, 0, 0), "building": (128, 0, 0), "road": (128, 64, 128), "static car": (192, 0, 192),
                 "tree": (0, 128, 0), "low vegetation": (128, 128, 0), "human": (64, 64, 0),
                 "moving car": (64, 0, 128)}


def test_each_class_name_has_its_uavid_colour():
    assert sorted(palette.CLASSES) == sorted(UAVID_COLOURS)
    pairs = {name: tuple(int(v) for v in palette.PALETTE[i]) for i, name in enumerate(palette.CLASSES)}
    assert pairs == UAVID_COLOURS
