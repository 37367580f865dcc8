"""The ground raster: a top-down texture of the scene whose texels pack RGB and class; its perspective view."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from PIL import Image, ImageDraw

from .conditions import Lighting
from .constants import MAT, MATERIALS
from .geometry import Camera, footprint, hull
from .layout import Layout
from .objects import BuildingSolid, Tree

MIX_STEPS, BRIGHTNESS_STEPS, SHADOW_STEPS = 16, 48, 8  # texel quantisation steps: colour mix, brightness, shadow


class GroundMap(NamedTuple):
    """Mip levels of packed texels (R | G << 8 | B << 16 | class << 24); texel (0, 0) has corner (x0, y1)."""

    levels: list[np.ndarray]
    x0: float
    y1: float
    texel_size: float  # metres a texel of level 0


class _Texels(NamedTuple):
    """Lookup table of packed texels, and per-material noise gains in units of its quantisation steps."""

    lut: np.ndarray
    mix_gain: np.ndarray
    amp_mid: np.ndarray
    amp_fine: np.ndarray


def _pixels(pts: ArrayLike, x0: float, y1: float, pixel_size: float) -> list[float]:
    """PIL polygon coordinates of world points in a raster with pixel_size metres a pixel and corner (x0, y1)."""
    pts = np.asarray(pts, float)
    return np.stack([(pts[:, 0] - x0) / pixel_size - 0.5, (y1 - pts[:, 1]) / pixel_size - 0.5], 1).ravel().tolist()


class _Raster(NamedTuple):
    """A raster of width x height texels of texel_size metres, its texel (0, 0) at corner (x0, y1) of the ground."""

    x0: float
    y1: float
    texel_size: float
    width: int
    height: int


def rasterise(layout: Layout, solids: list[BuildingSolid], bounds: tuple[float, float, float, float], texel_size: float,
              light: Lighting, rng: np.random.Generator) -> GroundMap:
    """The ground of a layout at texel_size metres a texel: materials, noise and soft shadows, with two mip levels."""
    x0, x1, y0, y1 = bounds
    map_width, map_height = int(math.ceil((x1 - x0) / texel_size)), int(math.ceil((y1 - y0) / texel_size))
    raster = _Raster(x0, y1, texel_size, map_width, map_height)
    material_map = _material_map(layout, raster)
    shadow = _shadow_map(layout, solids, light, raster)
    texels = _texel_table(rng, light.shadow_rgb)
    grids = _noise_grids(rng, texel_size, map_width, map_height)
    packed = _pack(np.asarray(material_map), np.asarray(shadow), texels, grids, rng)
    return GroundMap(_mip_levels(packed), x0, y1, texel_size)


def _material_map(layout: Layout, raster: _Raster) -> Image.Image:
    """Material index of every texel: asphalt under the layout's polygons, painted in order."""
    material_map = Image.new("L", (raster.width, raster.height), MAT["asphalt"])
    draw = ImageDraw.Draw(material_map)
    for material, pts in layout.polys:
        draw.polygon(_pixels(pts, raster.x0, raster.y1, raster.texel_size), fill=material)
    return material_map


def _shadow_map(layout: Layout, solids: list[BuildingSolid], light: Lighting, raster: _Raster) -> Image.Image:
    """Shadow strength of every texel (0-255), drawn at half resolution and scaled up smoothly."""
    map_width, map_height = raster.width, raster.height
    shadow_res = 2 * raster.texel_size
    shadow = Image.new("L", (int(math.ceil(map_width / 2)), int(math.ceil(map_height / 2))), 0)
    draw = ImageDraw.Draw(shadow)
    shadow_step = light.shadow_step

    def to_pixels(pts: ArrayLike) -> list[float]:
        return _pixels(pts, raster.x0, raster.y1, shadow_res)

    for building in layout.buildings:  # soft ambient occlusion around the walls
        centre, axis = building.centre, building.axis
        half_length, half_width = building.half_length + 1.0, building.half_width + 1.0
        perp = np.array([-axis[1], axis[0]])
        corners = [centre + sign_u * half_length * axis + sign_v * half_width * perp
                   for sign_u, sign_v in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
        draw.polygon(to_pixels(corners), fill=90)
    for verts, _ in solids:
        draw.polygon(to_pixels(hull(verts[:, :2] + verts[:, 2:3] * shadow_step)), fill=255)
    for tree in layout.trees:
        _tree_shadow(draw, to_pixels, tree, light, shadow_res)
    for x, y, heading, length, width, height, _ in layout.boxes:
        outline = footprint(x, y, heading, length + 0.4, width + 0.4)
        draw.polygon(to_pixels(hull(np.vstack([outline, outline + height * shadow_step]))), fill=255)
    for car in layout.cars:
        outline = footprint(car.x, car.y, car.heading, car.shape.length, car.shape.width)
        draw.polygon(to_pixels(hull(np.vstack([outline, outline + (2.0 if car.shape.van else 1.3) * shadow_step]))),
                     fill=255)
    return shadow.resize((map_width, map_height), Image.BILINEAR, box=(0, 0, map_width / 2, map_height / 2))


def _tree_shadow(draw: ImageDraw.ImageDraw, to_pixels: Callable[[ArrayLike], list[float]], tree: Tree,
                 light: Lighting, shadow_res: float) -> None:
    """A tree's shadow drawn at shadow_res metres a pixel: its crown's disc stretched along the sun, and its trunk."""
    x, y, crown_radius, crown_height = tree.x, tree.y, tree.crown_radius, tree.crown_height
    shadow_step, sun = light.shadow_step, light.sun
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    ring = np.stack([np.cos(angles), np.sin(angles)], 1) * crown_radius
    sun_direction = sun[:2] / max(np.linalg.norm(sun[:2]), 1e-6)
    ring = ring + np.outer(ring @ sun_direction, sun_direction) * (1 / sun[2] - 1)  # stretch along the sun
    draw.polygon(to_pixels(np.array([x, y]) + crown_height * shadow_step + ring), fill=255)
    draw.line(to_pixels([(x, y), (x + crown_height * shadow_step[0], y + crown_height * shadow_step[1])]), fill=255,
              width=max(1, int(0.4 / shadow_res)))


def _texel_table(rng: np.random.Generator, shadow_rgb: np.ndarray) -> _Texels:
    """One packed RGB+class texel per (material, colour mix, brightness, shadow) quantisation step."""
    material_count = len(MATERIALS)
    colour_a = (np.array([material.colour_a for material in MATERIALS], float)
                * rng.uniform(0.93, 1.07, (material_count, 3)))
    colour_b = (np.array([material.colour_b for material in MATERIALS], float)
                * rng.uniform(0.93, 1.07, (material_count, 3)))
    mix = np.linspace(0, 1, MIX_STEPS)[None, :, None, None, None]
    brightness = np.linspace(0.4, 1.6, BRIGHTNESS_STEPS)[None, None, :, None, None]
    shadow_factor = 1 - np.linspace(0, 1, SHADOW_STEPS)[:, None] * (1 - shadow_rgb)
    rgb = ((colour_a[:, None, None, None] + (colour_b - colour_a)[:, None, None, None] * mix) * brightness
           * shadow_factor[None, None, None])
    rgb = np.clip(rgb + 0.5, 0, 255).astype(np.uint32)
    cls = np.array([material.cls for material in MATERIALS], np.uint32)[:, None, None, None]
    lut = (rgb[..., 0] | rgb[..., 1] << 8 | rgb[..., 2] << 16 | cls << 24).ravel()
    mix_gain = np.array([material.mix_gain for material in MATERIALS], np.float32) * np.float32(0.35 * (MIX_STEPS - 1))
    amp_mid = (np.array([material.mid_noise for material in MATERIALS], np.float32)
               * np.float32((BRIGHTNESS_STEPS - 1) / 1.2))
    amp_fine = (np.array([material.fine_noise for material in MATERIALS], np.float32)
                * np.float32(math.sqrt(3) * (BRIGHTNESS_STEPS - 1) / 1.2))
    return _Texels(lut, mix_gain, amp_mid, amp_fine)


def _noise_grids(rng: np.random.Generator, texel_size: float, map_width: int,
                 map_height: int) -> list[tuple[Image.Image, float]]:
    """Coarse random grids (and their cell size in texels), in the order _pack unpacks them: 0.7 m cells for
    mid-scale brightness noise, 5 m cells for colour mix, 35 m cells for large-scale brightness noise."""
    grids = []
    for cell_m in (0.7, 5.0, 35.0):
        cell = max(cell_m / texel_size, 1.0)
        grid = rng.standard_normal((int(map_height / cell) + 3, int(map_width / cell) + 3)).astype(np.float32)
        grids.append((Image.fromarray(grid), cell))
    return grids


def _pack(materials: np.ndarray, shadows: np.ndarray, texels: _Texels, grids: list,
          rng: np.random.Generator) -> np.ndarray:
    """Packed texels from material and shadow maps and noise, in bands of 256 rows."""
    map_height, map_width = materials.shape
    packed = np.empty((map_height, map_width), np.uint32)
    for r0 in range(0, map_height, 256):
        r1 = min(map_height, r0 + 256)
        material = materials[r0:r1]
        mid_noise, mix_noise, large_noise = (
            np.asarray(grid.resize((map_width, r1 - r0), Image.BICUBIC,
                                   box=(0, r0 / cell, map_width / cell, r1 / cell)))
            for grid, cell in grids)
        idx = np.clip(texels.mix_gain[material] * mix_noise + 7.5, 0, MIX_STEPS - 1).astype(np.int32)
        idx += material * np.int32(MIX_STEPS)
        idx *= BRIGHTNESS_STEPS
        fine_noise = rng.random(material.shape, dtype=np.float32) * 2 - 1
        level = (texels.amp_mid[material] * mid_noise + texels.amp_fine[material] * fine_noise
                 + (0.05 * (BRIGHTNESS_STEPS - 1) / 1.2) * large_noise
                 + (0.6 * (BRIGHTNESS_STEPS - 1) / 1.2 + 0.5))
        idx += np.clip(level, 0, BRIGHTNESS_STEPS - 1).astype(np.int32)
        idx *= SHADOW_STEPS
        idx += shadows[r0:r1] >> 5
        packed[r0:r1] = np.take(texels.lut, idx)
    return packed


def _mip_levels(packed: np.ndarray) -> list[np.ndarray]:
    """packed and two coarser levels: 2x2 mean colour, class of one texel."""
    map_height, map_width = packed.shape
    levels = [packed.view(np.uint8).reshape(map_height, map_width, 4)]
    for _ in range(2):
        level = levels[-1]
        half_height, half_width = level.shape[0] // 2, level.shape[1] // 2
        cropped = level[:2 * half_height, :2 * half_width]
        coarser = np.empty((half_height, half_width, 4), np.uint8)
        total = (cropped[0::2, 0::2, :3].astype(np.uint16) + cropped[1::2, 0::2, :3] + cropped[0::2, 1::2, :3]
                 + cropped[1::2, 1::2, :3])
        coarser[..., :3] = (total + 2) // 4
        coarser[..., 3] = cropped[0::2, 0::2, 3]
        levels.append(coarser)
    return [np.ascontiguousarray(level).view(np.uint32)[..., 0] for level in levels]


def view_ground(ground: GroundMap, cam: Camera) -> tuple[np.ndarray, np.ndarray]:
    """Perspective view of the ground raster (inverse mapping, nearest texel of a mip level)."""
    width, height = cam.width, cam.height
    rays = cam.rays()
    row_centres = np.arange(height) + 0.5
    directions = rays @ np.stack([np.full(height, width / 2), row_centres, np.ones(height)])
    dist = -cam.C[2] / np.minimum(directions[2], -1e-3) * np.linalg.norm(directions, axis=0)
    texel = dist / cam.focal * np.sqrt(dist / cam.C[2])  # geometric mean of across/along-view texel size
    level = np.clip(np.floor(np.log2(texel / (1.5 * ground.texel_size))) + 1, 0, len(ground.levels) - 1).astype(int)
    rays = rays.astype(np.float32)
    img = np.empty((height, width, 3), np.uint8)
    lab = np.empty((height, width), np.uint8)
    r0 = 0
    while r0 < height:
        mip, r1 = level[r0], r0 + 1
        while r1 < height and level[r1] == mip and r1 - r0 < 256:
            r1 += 1
        texels = _view_rows(ground, cam, rays, mip, r0, r1)
        img[r0:r1] = texels[..., :3]
        lab[r0:r1] = texels[..., 3]
        r0 = r1
    return img, lab


def _view_rows(ground: GroundMap, cam: Camera, rays: np.ndarray, mip: int, first_row: int,
               end_row: int) -> np.ndarray:
    """Texels (rows, width, 4) of mip level `mip` seen by the image rows from first_row up to end_row (not
    included); rays is the camera's rays in float32."""
    width = cam.width
    u = np.arange(width, dtype=np.float32) + 0.5
    cx, cy, cz = (float(c) for c in cam.C)
    tex = ground.levels[mip]
    texels_per_metre = 1.0 / (ground.texel_size * 2 ** mip)
    v = (np.arange(first_row, end_row, dtype=np.float32) + 0.5)[:, None]
    t = -cz / np.minimum(rays[2, 0] * u + (rays[2, 1] * v + rays[2, 2]), -1e-3)
    col = (t * (rays[0, 0] * u + (rays[0, 1] * v + rays[0, 2])) + (cx - ground.x0)) * texels_per_metre
    row = ((ground.y1 - cy) - t * (rays[1, 0] * u + (rays[1, 1] * v + rays[1, 2]))) * texels_per_metre
    np.clip(col, 0, tex.shape[1] - 1, out=col)
    np.clip(row, 0, tex.shape[0] - 1, out=row)
    texels = np.take(tex.ravel(), row.astype(np.int32) * tex.shape[1] + col.astype(np.int32))
    return texels.view(np.uint8).reshape(end_row - first_row, width, 4)

