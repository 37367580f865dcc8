"""Class ids, camera and texture constants, ground materials and colour tables of the stand-in."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..palette import CLASSES, NUM_CLASSES

CLUTTER, BUILDING, ROAD, STATIC_CAR, TREE, LOW_VEG, HUMAN, MOVING_CAR = range(NUM_CLASSES)
assert CLASSES[MOVING_CAR] == "moving car"

FOCAL = 0.66  # focal length / image width: about 74 degrees horizontal field of view
ALT = 55.0  # camera height (m); with FOCAL a car near the image bottom is ~45 px long at 960 px
DETAIL = 92.0 / ALT  # ground rasters and textures get finer as the camera comes down
TEX_W, TEX_H = 64.0, 48.0  # facade texture extent (m)
TILE_W, TILE_H = 64.0, 24.0  # pitched-roof texture extent (m)
FLAT_W = 64.0  # flat-roof texture extent (m, square)


class Material(NamedTuple):
    """A ground material: its class, two colours it varies between and its noise amplitudes."""

    name: str
    cls: int
    colour_a: tuple[int, int, int]
    colour_b: tuple[int, int, int]
    mix_gain: float  # coarse-noise mixing gain between the two colours
    mid_noise: float  # mid-scale brightness noise
    fine_noise: float  # per-texel brightness noise


MATERIALS = (
    Material("asphalt", ROAD, (88, 89, 93), (70, 71, 75), 0.9, 0.05, 0.07),
    Material("marking", ROAD, (218, 217, 210), (188, 187, 180), 0.6, 0.04, 0.05),
    Material("pavement", CLUTTER, (164, 160, 152), (140, 136, 129), 0.8, 0.05, 0.06),
    Material("curb", CLUTTER, (196, 194, 188), (172, 170, 164), 0.4, 0.03, 0.05),
    Material("lawn", LOW_VEG, (94, 126, 58), (136, 142, 78), 1.0, 0.11, 0.12),
    Material("dry grass", LOW_VEG, (156, 148, 96), (124, 128, 74), 1.0, 0.10, 0.12),
    Material("hedge", LOW_VEG, (54, 84, 40), (74, 98, 46), 0.8, 0.28, 0.16),
    Material("soil", CLUTTER, (146, 120, 92), (118, 96, 74), 1.0, 0.10, 0.12),
    Material("parking", CLUTTER, (146, 134, 124), (124, 118, 112), 0.8, 0.05, 0.08),
    Material("line", CLUTTER, (214, 214, 208), (190, 190, 186), 0.4, 0.03, 0.05),
    Material("gravel", CLUTTER, (176, 166, 146), (150, 142, 126), 0.8, 0.08, 0.16),
    Material("tiles", CLUTTER, (182, 174, 164), (154, 148, 142), 0.8, 0.04, 0.07),
    Material("footprint", BUILDING, (82, 78, 74), (70, 66, 62), 0.3, 0.03, 0.05),
    Material("court", CLUTTER, (170, 86, 66), (150, 76, 60), 0.3, 0.03, 0.05),
    Material("water", CLUTTER, (64, 98, 110), (78, 112, 120), 0.5, 0.03, 0.03),
)
MAT = {m.name: i for i, m in enumerate(MATERIALS)}

CAR_COLOURS = np.array([
    (230, 230, 228), (214, 216, 218), (30, 31, 35), (22, 23, 26), (176, 178, 182), (148, 150, 154),
    (96, 98, 104), (34, 48, 96), (156, 28, 30), (40, 82, 156), (44, 90, 62), (196, 180, 146),
    (220, 184, 46)], float)
CAR_P = np.array([13, 10, 11, 9, 11, 9, 10, 6, 7, 5, 3, 3, 3], float) / 100
CLOTHES = np.array([
    (34, 38, 70), (26, 26, 28), (232, 230, 224), (196, 36, 36), (48, 94, 186), (226, 192, 46),
    (118, 118, 124), (58, 116, 60), (222, 118, 158), (200, 176, 134), (236, 120, 40)], float)
HAIR = np.array([(36, 28, 24), (70, 54, 40), (22, 20, 20), (206, 170, 136), (150, 118, 86)], float)
FACADES = {
    "house": [(228, 224, 214), (226, 210, 176), (204, 184, 152), (228, 212, 152), (214, 164, 134),
              (156, 86, 64), (176, 174, 168)],
    "apt": [(226, 224, 218), (196, 196, 192), (208, 190, 160), (174, 188, 204), (160, 92, 70),
            (222, 206, 150), (188, 170, 150)],
    "office": [(170, 176, 182), (212, 210, 204), (120, 126, 134), (190, 180, 164)],
}
TILE_COLOURS = [(170, 80, 54), (142, 66, 50), (114, 82, 66), (80, 82, 88), (62, 66, 76),
                (128, 126, 124), (182, 96, 60)]
FLAT_KINDS = ("gravel", "membrane", "light")
N_HOUSE_FACADES, N_APT_FACADES, N_TILES, N_TREES = 3, 3, 5, 14
