"""Textures of one scene: facades, roof tiles, flat roofs and tree-crown sprites, drawn from one generator."""
from __future__ import annotations

import numpy as np
from PIL import Image

from .constants import (
    FACADES,
    FLAT_KINDS,
    FLAT_W,
    N_APT_FACADES,
    N_HOUSE_FACADES,
    N_TILES,
    N_TREES,
    TEX_H,
    TEX_W,
    TILE_COLOURS,
    TILE_H,
    TILE_W,
)

_GREENS = np.array([(52, 88, 38), (62, 98, 42), (44, 76, 40), (74, 104, 46), (58, 84, 36),
                    (40, 66, 36), (84, 104, 50), (48, 80, 52)], float)


def smooth(rng: np.random.Generator, height: int, width: int, cell: float) -> np.ndarray:
    """Smooth random field of shape (height, width) with features about `cell` pixels apart."""
    cell = max(cell, 1.0)
    grid_height, grid_width = int(height / cell) + 3, int(width / cell) + 3
    grid = Image.fromarray(rng.standard_normal((grid_height, grid_width)).astype(np.float32))
    return np.asarray(grid.resize((width, height), Image.BICUBIC, box=(0, 0, width / cell, height / cell)))


def _office_windows(x: np.ndarray, z: np.ndarray, frame_width: float) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Floor height, window spacing, window and frame masks of an office's ribbon windows."""
    floor_h, window_spacing = 3.8, 1.6
    height_in_floor = z % floor_h
    in_window = ((np.abs(x % window_spacing - window_spacing / 2) < window_spacing / 2 - frame_width)[None, :]
                 & ((height_in_floor > 0.9) & (height_in_floor < 3.3))[:, None])
    frame = ((height_in_floor > 0.9 - frame_width) & (height_in_floor < 3.3 + frame_width))[:, None] & ~in_window
    return floor_h, window_spacing, in_window, frame


def _punched_windows(rng: np.random.Generator, x: np.ndarray, z: np.ndarray, frame_width: float, style: str,
                     base: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray, np.ndarray]:
    """Floor height, window spacing, window and frame masks of a house or apartment, and its wall (floor slabs)."""
    floor_h = 2.9 if style == "house" else 3.0
    window_spacing = rng.uniform(3.0, 4.2) if style == "house" else rng.uniform(2.6, 3.4)
    window_width = rng.uniform(1.0, min(1.6, window_spacing - 1.0))
    window_height, sill = rng.uniform(1.2, 1.6), rng.uniform(0.8, 1.0)
    off_centre, height_in_floor = np.abs(x % window_spacing - window_spacing / 2), z % floor_h
    in_column, in_band = (off_centre < window_width / 2,
                          (height_in_floor >= sill) & (height_in_floor < sill + window_height))
    in_window = in_band[:, None] & in_column[None, :]
    frame = (((height_in_floor >= sill - frame_width) & (height_in_floor < sill + window_height + frame_width))[:, None]
             & (off_centre < window_width / 2 + frame_width)[None, :] & ~in_window)
    if style == "apt" and rng.random() < 0.5:
        shop = ((z > 0.3) & (z < 2.6))[:, None] & (off_centre < window_spacing / 2 - 0.25)[None, :]
        in_window = (in_window & (z >= floor_h)[:, None]) | shop
    if style == "apt" and rng.random() < 0.5:
        slab = ((height_in_floor < 0.22) & (z > floor_h))[:, None] & np.ones(len(x), bool)[None, :]
        base = np.where(slab[..., None], base * 0.72, base)
    return floor_h, window_spacing, in_window, frame, base


def _window_panes(rng: np.random.Generator, glass: np.ndarray, x: np.ndarray, z: np.ndarray, floor_h: float,
                  window_spacing: float) -> np.ndarray:
    """Colour of the glass at each texel: per-window brightness, some windows lit."""
    rows, cols = (z // floor_h).astype(int), (x // window_spacing).astype(int)
    brightness = rng.uniform(0.65, 1.45, (rows.max() + 1, cols.max() + 1))
    lit = rng.random((rows.max() + 1, cols.max() + 1)) < 0.12
    panes = (glass * brightness[rows[:, None], cols[None, :]][..., None]
             * (0.8 + 0.35 * ((z % floor_h) / floor_h))[:, None, None])
    return np.where(lit[rows[:, None], cols[None, :]][..., None], np.array((168, 158, 140), np.float32), panes)


def facade_texture(rng: np.random.Generator, ppm: float, style: str) -> tuple[Image.Image, tuple]:
    """A facade of style "house", "apt" or "office", ppm pixels a metre, and its wall colour."""
    w, h = int(TEX_W * ppm), int(TEX_H * ppm)
    x = ((np.arange(w) + 0.5) / ppm).astype(np.float32)
    z = (TEX_H - (np.arange(h) + 0.5) / ppm).astype(np.float32)
    palette = FACADES[style]
    wall = np.array(palette[int(rng.integers(len(palette)))], np.float32) * np.float32(rng.uniform(0.92, 1.04))
    base = wall * (1 + 0.05 * smooth(rng, 1, w, ppm * 0.8)[0][None, :, None]
                   + 0.04 * smooth(rng, h, w, ppm * 4)[..., None])
    base = base * (0.8 + 0.2 * np.clip(z / 1.2, 0, 1))[:, None, None]
    glass = np.array((46, 54, 66), np.float32) * np.float32(rng.uniform(0.8, 1.2))
    frame_width = max(0.1, 0.9 / ppm)
    if style == "office":
        floor_h, window_spacing, in_window, frame = _office_windows(x, z, frame_width)
        glass = glass * 1.1
    else:
        floor_h, window_spacing, in_window, frame, base = _punched_windows(rng, x, z, frame_width, style, base)
    panes = _window_panes(rng, glass, x, z, floor_h, window_spacing)
    img = np.where(in_window[..., None], panes, base)
    img = np.where(frame[..., None], np.array((214, 212, 206), np.float32) * np.float32(rng.uniform(0.85, 1.05)), img)
    img = img * (1 + 0.03 * rng.standard_normal((h, w, 1), dtype=np.float32))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)), tuple(wall.tolist())


def tile_texture(rng: np.random.Generator, ppm: float, colour: tuple, panels: bool) -> Image.Image:
    """Roof tiles of a colour in staggered courses, optionally with a field of solar panels."""
    w, h = int(TILE_W * ppm), int(TILE_H * ppm)
    along = ((np.arange(w) + 0.5) / ppm).astype(np.float32)  # metres along the eaves, of each texel column
    down = ((np.arange(h) + 0.5) / ppm).astype(np.float32)  # metres down the slope, of each texel row
    course_depth, tile_width = max(0.34, 2.6 / ppm), max(0.3, 2.0 / ppm)  # tile course / width, never below ~2 px
    course = (down // course_depth).astype(int)
    shade = 0.8 + 0.28 * ((down % course_depth) / course_depth)
    tile = (along[None, :] / tile_width + 0.5 * (course[:, None] % 2)).astype(int)
    jitter = rng.uniform(0.9, 1.1, (course.max() + 1, tile.max() + 1))[course[:, None], tile]
    img = (np.array(colour, np.float32) * np.float32(rng.uniform(0.9, 1.08)) * shade[:, None, None].astype(np.float32)
           * jitter[..., None].astype(np.float32)
           * (1 + 0.08 * smooth(rng, h, w, ppm * 3)[..., None]))
    if panels:
        img = _solar_panels(rng, along, down, ppm, img)
    img = img * (1 + 0.04 * rng.standard_normal((h, w, 1), dtype=np.float32))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def _solar_panels(rng: np.random.Generator, along: np.ndarray, down: np.ndarray, ppm: float,
                  img: np.ndarray) -> np.ndarray:
    """img with a grid of solar panels over it; along and down: the metres of its columns along the eaves and of
    its rows down the slope."""
    start_along, start_down = rng.uniform(2, 30), rng.uniform(1.5, 6)
    count_along, count_down = int(rng.integers(3, 12)), int(rng.integers(2, 5))
    in_columns = (along >= start_along) & (along < start_along + count_along * 1.05)
    in_rows = (down >= start_down) & (down < start_down + count_down * 1.7)
    line_width = max(0.06, 1.0 / ppm)
    grid = (((along - start_along) % 1.05) < line_width)[None, :] | (((down - start_down) % 1.7) < line_width)[:, None]
    panel_colour = np.where(grid[..., None], np.array((120, 128, 146.0)), np.array((34, 44, 70.0)))
    return np.where((in_rows[:, None] & in_columns[None, :])[..., None], panel_colour, img)


def flat_texture(rng: np.random.Generator, ppm: float, kind: str) -> tuple[Image.Image, tuple]:
    """A flat roof of a kind in FLAT_KINDS with vents, skylights and maybe solar panels, and its colour."""
    side = int(FLAT_W * ppm)
    a = (np.arange(side) + 0.5) / ppm
    colour = {"gravel": (162, 158, 150), "membrane": (86, 86, 90), "light": (200, 200, 194)}[kind]
    colour = np.array(colour, np.float32) * np.float32(rng.uniform(0.9, 1.06))
    img = colour * (1 + 0.04 * smooth(rng, side, side, ppm * 1.5)[..., None]
                    + 0.035 * smooth(rng, side, side, ppm * 6)[..., None])
    if kind == "membrane":
        seam = ((a % 1.1) < max(0.08, 1.0 / ppm))
        img = np.where(seam[None, :, None], img * 1.18, img)
    noise = 0.1 if kind == "gravel" else 0.04
    img = img * (1 + noise * rng.standard_normal((side, side, 1), dtype=np.float32))
    _roof_fixtures(rng, img, side, ppm)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)), tuple(colour.tolist())


def _roof_fixtures(rng: np.random.Generator, img: np.ndarray, side: int, ppm: float) -> None:
    """Draw vents, skylights and maybe rows of solar panels into the side x side roof img, in place."""
    for _ in range(int(rng.integers(4, 14))):  # vents and skylights
        corner = rng.integers(0, side, 2)
        size = int(max(1, rng.uniform(0.6, 2.0) * ppm))
        img[corner[0]:corner[0] + size, corner[1]:corner[1] + size] = rng.uniform(40, 110)
    if rng.random() < 0.4:
        a0, b0 = rng.uniform(2, 30, 2)
        rows = int(rng.integers(2, 6))
        for r in range(rows):
            i0, i1 = int((b0 + r * 2.6) * ppm), int((b0 + r * 2.6 + 1.6) * ppm)
            j0, j1 = int(a0 * ppm), int((a0 + rng.uniform(8, 25)) * ppm)
            img[i0:i1, j0:j1] = (36, 46, 72)


def _tree_sprite(rng: np.random.Generator, size: int, light: np.ndarray, green: np.ndarray, radius: np.ndarray,
                 angle: np.ndarray) -> Image.Image:
    """One round leafy crown as an RGBA image, lit from `light`."""
    harmonic = np.arange(3, 10)[:, None, None]
    lobes = (rng.uniform(0, 0.05, 7)[:, None, None]
             * np.sin(harmonic * angle + rng.uniform(0, 6.3, 7)[:, None, None])).sum(0)
    clump = smooth(rng, size, size, size / 7)
    fine = smooth(rng, size, size, max(size / 22, 1.0))
    edge = 0.86 + lobes + 0.05 * fine
    inside = radius < edge
    height = np.sqrt(np.clip(1 - (radius / edge) ** 2, 0, 1))
    bump = height + 0.09 * clump + 0.035 * fine
    gy, gx = np.gradient(bump)
    gx, gy = np.clip(gx * size / 2, -4, 4), np.clip(gy * size / 2, -4, 4)
    normal = np.stack([-gx, -gy, -np.ones_like(gx)], -1)
    lambert = np.clip((normal * light).sum(-1) / np.linalg.norm(normal, axis=-1), 0, 1)
    shade = (0.36 + 0.85 * lambert) * (0.72 + 0.28 * height) * (0.9 + 0.18 * fine)
    colour = green * rng.uniform(0.85, 1.12, 3) * shade[..., None]
    rgba = np.dstack([np.clip(colour, 0, 255), inside * 255.0]).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def tree_sprites(rng: np.random.Generator, size: int, light: np.ndarray, count: int) -> list[Image.Image]:
    """Round leafy crowns as RGBA images lit from `light` (camera coordinates, y down)."""
    centres = (np.arange(size) + 0.5) / size * 2 - 1
    x, y = centres[None, :], centres[:, None]
    radius, angle = np.hypot(x, y), np.arctan2(y, x)
    return [_tree_sprite(rng, size, light, _GREENS[i % len(_GREENS)], radius, angle) for i in range(count)]


class Textures:
    """All textures of one scene at ppm pixels a metre, with a cache of resized tree sprites."""

    def __init__(self, rng: np.random.Generator, ppm: float, width: int, light: np.ndarray):
        self.facades, self.facade_rgb = [], []
        for style, count in (("house", N_HOUSE_FACADES), ("apt", N_APT_FACADES), ("office", 1)):
            for _ in range(count):
                img, rgb = facade_texture(rng, ppm, style)
                self.facades.append(img)
                self.facade_rgb.append(rgb)
        picks = rng.choice(len(TILE_COLOURS), N_TILES, replace=False)
        self.tile_rgb = [TILE_COLOURS[i] for i in picks]
        self.tiles = [tile_texture(rng, ppm, colour, rng.random() < 0.35) for colour in self.tile_rgb]
        self.flats, self.flat_rgb = zip(*[flat_texture(rng, ppm, kind) for kind in FLAT_KINDS], strict=True)
        size = max(12, int(round(76 * width / 960)))
        self.sprites = tree_sprites(rng, size, light, N_TREES)
        self._sprite_cache: dict[tuple[int, int], tuple[Image.Image, Image.Image]] = {}

    def image(self, texture: str, index: int) -> Image.Image:
        """Texture `index` of kind "facade", "tile" or "flat"."""
        return self.facades[index] if texture == "facade" else self.tiles[index] if texture == "tile" \
            else self.flats[index]

    def sprite(self, index: int, size: int) -> tuple[Image.Image, Image.Image]:
        """Tree sprite index at size x size pixels: RGB image and binary mask."""
        key = (index, size)
        if key not in self._sprite_cache:
            rgba = self.sprites[index].resize((size, size), Image.BILINEAR)
            mask = rgba.getchannel("A").point([0] * 128 + [255] * 128)
            self._sprite_cache[key] = (rgba.convert("RGB"), mask)
        return self._sprite_cache[key]
