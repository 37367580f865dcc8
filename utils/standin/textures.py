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


def smooth(rng: np.random.Generator, h: int, w: int, cell: float) -> np.ndarray:
    """Smooth random field of shape (h, w) with features about `cell` pixels apart."""
    cell = max(cell, 1.0)
    gh, gw = int(h / cell) + 3, int(w / cell) + 3
    g = Image.fromarray(rng.standard_normal((gh, gw)).astype(np.float32))
    return np.asarray(g.resize((w, h), Image.BICUBIC, box=(0, 0, w / cell, h / cell)))


def _office_windows(x: np.ndarray, z: np.ndarray, fw: float) -> tuple[float, float, np.ndarray, np.ndarray]:
    """Floor height, window spacing, window and frame masks of an office's ribbon windows."""
    floor_h, sp = 3.8, 1.6
    fz = z % floor_h
    inwin = (np.abs(x % sp - sp / 2) < sp / 2 - fw)[None, :] & ((fz > 0.9) & (fz < 3.3))[:, None]
    frame = ((fz > 0.9 - fw) & (fz < 3.3 + fw))[:, None] & ~inwin
    return floor_h, sp, inwin, frame


def _punched_windows(rng: np.random.Generator, x: np.ndarray, z: np.ndarray, fw: float, style: str,
                     base: np.ndarray) -> tuple[float, float, np.ndarray, np.ndarray, np.ndarray]:
    """Floor height, window spacing, window and frame masks of a house or apartment, and its wall (floor slabs)."""
    floor_h = 2.9 if style == "house" else 3.0
    sp = rng.uniform(3.0, 4.2) if style == "house" else rng.uniform(2.6, 3.4)
    ww = rng.uniform(1.0, min(1.6, sp - 1.0))
    wh, sill = rng.uniform(1.2, 1.6), rng.uniform(0.8, 1.0)
    fx, fz = np.abs(x % sp - sp / 2), z % floor_h
    inx, inz = fx < ww / 2, (fz >= sill) & (fz < sill + wh)
    inwin = inz[:, None] & inx[None, :]
    frame = ((fz >= sill - fw) & (fz < sill + wh + fw))[:, None] & (fx < ww / 2 + fw)[None, :] & ~inwin
    if style == "apt" and rng.random() < 0.5:
        shop = ((z > 0.3) & (z < 2.6))[:, None] & (fx < sp / 2 - 0.25)[None, :]
        inwin = (inwin & (z >= floor_h)[:, None]) | shop
    if style == "apt" and rng.random() < 0.5:
        slab = ((fz < 0.22) & (z > floor_h))[:, None] & np.ones(len(x), bool)[None, :]
        base = np.where(slab[..., None], base * 0.72, base)
    return floor_h, sp, inwin, frame, base


def _window_panes(rng: np.random.Generator, glass: np.ndarray, x: np.ndarray, z: np.ndarray, floor_h: float,
                  sp: float) -> np.ndarray:
    """Colour of the glass at each texel: per-window brightness, some windows lit."""
    rows, cols = (z // floor_h).astype(int), (x // sp).astype(int)
    lum = rng.uniform(0.65, 1.45, (rows.max() + 1, cols.max() + 1))
    lit = rng.random((rows.max() + 1, cols.max() + 1)) < 0.12
    win = glass * lum[rows[:, None], cols[None, :]][..., None] * (0.8 + 0.35 * ((z % floor_h) / floor_h))[:, None, None]
    return np.where(lit[rows[:, None], cols[None, :]][..., None], np.array((168, 158, 140), np.float32), win)


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
    fw = max(0.1, 0.9 / ppm)
    if style == "office":
        floor_h, sp, inwin, frame = _office_windows(x, z, fw)
        glass = glass * 1.1
    else:
        floor_h, sp, inwin, frame, base = _punched_windows(rng, x, z, fw, style, base)
    win = _window_panes(rng, glass, x, z, floor_h, sp)
    img = np.where(inwin[..., None], win, base)
    img = np.where(frame[..., None], np.array((214, 212, 206), np.float32) * np.float32(rng.uniform(0.85, 1.05)), img)
    img = img * (1 + 0.03 * rng.standard_normal((h, w, 1), dtype=np.float32))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)), tuple(wall.tolist())


def tile_texture(rng: np.random.Generator, ppm: float, colour: tuple, panels: bool) -> Image.Image:
    """Roof tiles of a colour in staggered courses, optionally with a field of solar panels."""
    w, h = int(TILE_W * ppm), int(TILE_H * ppm)
    a = ((np.arange(w) + 0.5) / ppm).astype(np.float32)
    b = ((np.arange(h) + 0.5) / ppm).astype(np.float32)
    cs, tw = max(0.34, 2.6 / ppm), max(0.3, 2.0 / ppm)  # tile course / width, never below ~2 px
    course = (b // cs).astype(int)
    shade = 0.8 + 0.28 * ((b % cs) / cs)
    tile = (a[None, :] / tw + 0.5 * (course[:, None] % 2)).astype(int)
    jit = rng.uniform(0.9, 1.1, (course.max() + 1, tile.max() + 1))[course[:, None], tile]
    img = (np.array(colour, np.float32) * np.float32(rng.uniform(0.9, 1.08)) * shade[:, None, None].astype(np.float32)
           * jit[..., None].astype(np.float32)
           * (1 + 0.08 * smooth(rng, h, w, ppm * 3)[..., None]))
    if panels:
        img = _solar_panels(rng, a, b, ppm, img)
    img = img * (1 + 0.04 * rng.standard_normal((h, w, 1), dtype=np.float32))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def _solar_panels(rng: np.random.Generator, a: np.ndarray, b: np.ndarray, ppm: float, img: np.ndarray) -> np.ndarray:
    """img with a grid of solar panels over it."""
    pa, pb = rng.uniform(2, 30), rng.uniform(1.5, 6)
    na, nb = int(rng.integers(3, 12)), int(rng.integers(2, 5))
    ina = (a >= pa) & (a < pa + na * 1.05)
    inb = (b >= pb) & (b < pb + nb * 1.7)
    lw = max(0.06, 1.0 / ppm)
    grid = (((a - pa) % 1.05) < lw)[None, :] | (((b - pb) % 1.7) < lw)[:, None]
    pv = np.where(grid[..., None], np.array((120, 128, 146.0)), np.array((34, 44, 70.0)))
    return np.where((inb[:, None] & ina[None, :])[..., None], pv, img)


def flat_texture(rng: np.random.Generator, ppm: float, kind: str) -> tuple[Image.Image, tuple]:
    """A flat roof of a kind in FLAT_KINDS with vents, skylights and maybe solar panels, and its colour."""
    n = int(FLAT_W * ppm)
    a = (np.arange(n) + 0.5) / ppm
    colour = {"gravel": (162, 158, 150), "membrane": (86, 86, 90), "light": (200, 200, 194)}[kind]
    colour = np.array(colour, np.float32) * np.float32(rng.uniform(0.9, 1.06))
    img = colour * (1 + 0.04 * smooth(rng, n, n, ppm * 1.5)[..., None] + 0.035 * smooth(rng, n, n, ppm * 6)[..., None])
    if kind == "membrane":
        seam = ((a % 1.1) < max(0.08, 1.0 / ppm))
        img = np.where(seam[None, :, None], img * 1.18, img)
    noise = 0.1 if kind == "gravel" else 0.04
    img = img * (1 + noise * rng.standard_normal((n, n, 1), dtype=np.float32))
    _roof_fixtures(rng, img, n, ppm)
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)), tuple(colour.tolist())


def _roof_fixtures(rng: np.random.Generator, img: np.ndarray, n: int, ppm: float) -> None:
    """Draw vents, skylights and maybe rows of solar panels into the n x n roof img, in place."""
    for _ in range(int(rng.integers(4, 14))):  # vents and skylights
        c = rng.integers(0, n, 2)
        s = int(max(1, rng.uniform(0.6, 2.0) * ppm))
        img[c[0]:c[0] + s, c[1]:c[1] + s] = rng.uniform(40, 110)
    if rng.random() < 0.4:
        a0, b0 = rng.uniform(2, 30, 2)
        rows = int(rng.integers(2, 6))
        for r in range(rows):
            i0, i1 = int((b0 + r * 2.6) * ppm), int((b0 + r * 2.6 + 1.6) * ppm)
            j0, j1 = int(a0 * ppm), int((a0 + rng.uniform(8, 25)) * ppm)
            img[i0:i1, j0:j1] = (36, 46, 72)


def _tree_sprite(rng: np.random.Generator, size: int, light: np.ndarray, green: np.ndarray, rad: np.ndarray,
                 ang: np.ndarray) -> Image.Image:
    """One round leafy crown as an RGBA image, lit from `light`."""
    k = np.arange(3, 10)[:, None, None]
    lobes = (rng.uniform(0, 0.05, 7)[:, None, None] * np.sin(k * ang + rng.uniform(0, 6.3, 7)[:, None, None])).sum(0)
    clump = smooth(rng, size, size, size / 7)
    fine = smooth(rng, size, size, max(size / 22, 1.0))
    edge = 0.86 + lobes + 0.05 * fine
    inside = rad < edge
    hgt = np.sqrt(np.clip(1 - (rad / edge) ** 2, 0, 1))
    bump = hgt + 0.09 * clump + 0.035 * fine
    gy, gx = np.gradient(bump)
    gx, gy = np.clip(gx * size / 2, -4, 4), np.clip(gy * size / 2, -4, 4)
    nrm = np.stack([-gx, -gy, -np.ones_like(gx)], -1)
    lam = np.clip((nrm * light).sum(-1) / np.linalg.norm(nrm, axis=-1), 0, 1)
    shade = (0.36 + 0.85 * lam) * (0.72 + 0.28 * hgt) * (0.9 + 0.18 * fine)
    col = green * rng.uniform(0.85, 1.12, 3) * shade[..., None]
    rgba = np.dstack([np.clip(col, 0, 255), inside * 255.0]).astype(np.uint8)
    return Image.fromarray(rgba, "RGBA")


def tree_sprites(rng: np.random.Generator, size: int, light: np.ndarray, n: int) -> list[Image.Image]:
    """Round leafy crowns as RGBA images lit from `light` (camera coordinates, y down)."""
    c = (np.arange(size) + 0.5) / size * 2 - 1
    x, y = c[None, :], c[:, None]
    rad, ang = np.hypot(x, y), np.arctan2(y, x)
    return [_tree_sprite(rng, size, light, _GREENS[i % len(_GREENS)], rad, ang) for i in range(n)]


class Textures:
    """All textures of one scene at ppm pixels a metre, with a cache of resized tree sprites."""

    def __init__(self, rng: np.random.Generator, ppm: float, width: int, light: np.ndarray):
        self.facades, self.facade_rgb = [], []
        for style, n in (("house", N_HOUSE_FACADES), ("apt", N_APT_FACADES), ("office", 1)):
            for _ in range(n):
                img, rgb = facade_texture(rng, ppm, style)
                self.facades.append(img)
                self.facade_rgb.append(rgb)
        picks = rng.choice(len(TILE_COLOURS), N_TILES, replace=False)
        self.tile_rgb = [TILE_COLOURS[i] for i in picks]
        self.tiles = [tile_texture(rng, ppm, c, rng.random() < 0.35) for c in self.tile_rgb]
        self.flats, self.flat_rgb = zip(*[flat_texture(rng, ppm, k) for k in FLAT_KINDS], strict=True)
        size = max(12, int(round(76 * width / 960)))
        self.sprites = tree_sprites(rng, size, light, N_TREES)
        self._sprite_cache: dict[tuple[int, int], tuple[Image.Image, Image.Image]] = {}

    def image(self, texture: str, index: int) -> Image.Image:
        """Texture `index` of kind "facade", "tile" or "flat"."""
        return self.facades[index] if texture == "facade" else self.tiles[index] if texture == "tile" \
            else self.flats[index]

    def sprite(self, k: int, d: int) -> tuple[Image.Image, Image.Image]:
        """Tree sprite k at d x d pixels: RGB image and binary mask."""
        key = (k, d)
        if key not in self._sprite_cache:
            rgba = self.sprites[k].resize((d, d), Image.BILINEAR)
            mask = rgba.getchannel("A").point([0] * 128 + [255] * 128)
            self._sprite_cache[key] = (rgba.convert("RGB"), mask)
        return self._sprite_cache[key]
