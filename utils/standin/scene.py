"""One scene at one image size: everything that does not change between its frames, cached per (seed, size)."""
from __future__ import annotations

import functools

import numpy as np

from .conditions import CameraPath, Lighting, Look
from .constants import DETAIL
from .ground import rasterise
from .roads import build_layout
from .solids import building_solid, scene_objects
from .textures import Textures


class Scene:
    """Camera path, light and look, layout, textures, ground raster and drawable objects of one scene.

    Each part draws from its own generator seeded by (seed, part), so the parts do not disturb one another.
    """

    def __init__(self, seed: int, width: int, height: int):
        self.seed, self.width, self.height = seed, width, height
        rng = np.random.default_rng([seed, 1])
        self.path = CameraPath(rng, width, height)
        self.light = Lighting(rng)
        self.look = Look(rng, seed, width, height)
        self.texel_size = float(np.clip(0.16 * 960 / width / DETAIL, 0.06, 0.6))  # ground raster, metres a texel
        self.ppm = max(1.5, 6.0 * DETAIL * width / 960)  # textures, pixels a metre
        self.bounds = self.path.bounds()
        phi = rng.uniform(-np.pi / 4, np.pi / 4)
        layout = build_layout(np.random.default_rng([seed, 2]), phi, self.bounds)
        self.textures = Textures(np.random.default_rng([seed, 3]), self.ppm, width,
                                 self.path.camera(0).R @ self.light.sun)
        solids = [building_solid(spec, self.textures) for spec in layout.buildings]
        self.ground = rasterise(layout, solids, self.bounds, self.texel_size, self.light,
                                np.random.default_rng([seed, 4]))
        self.objects = scene_objects(layout, solids, self.light)


@functools.lru_cache(maxsize=2)
def cached_scene(seed: int, width: int, height: int) -> Scene:
    """The scene of a seed at width x height pixels, built once for the frames that follow."""
    return Scene(seed, width, height)
