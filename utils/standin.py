"""Procedural stand-in for the UAVid dataset: oblique drone frames of a synthetic town.

A scene is laid out on a ground plane in metres (a road grid with blocks of houses, apartment
slabs, offices, parks, parking lots, plazas and bare soil). The ground is rasterised once per
scene into a top-down texture that carries the class of every texel; each frame is a perspective
view of it from a slightly moved camera, with buildings, trees, cars and people drawn over it
back to front. Labels use UAVid's eight classes and colour code (see utils/palette.py).
"""
from __future__ import annotations

import functools
import math
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from .errors import check
from .palette import CLASSES, NUM_CLASSES, PALETTE

CLUTTER, BUILDING, ROAD, STATIC_CAR, TREE, LOW_VEG, HUMAN, MOVING_CAR = range(NUM_CLASSES)
assert CLASSES[MOVING_CAR] == "moving car"

_FOCAL = 0.66  # focal length / image width: about 74 degrees horizontal field of view
_ALT = 55.0  # camera height (m); with _FOCAL a car near the image bottom is ~45 px long at 960 px
_DETAIL = 92.0 / _ALT  # ground rasters and textures get finer as the camera comes down
_TEX_W, _TEX_H = 64.0, 48.0  # facade texture extent (m)
_TILE_W, _TILE_H = 64.0, 24.0  # pitched-roof texture extent (m)
_FLAT_W = 64.0  # flat-roof texture extent (m, square)

# name, class, colour A, colour B, coarse-noise mixing gain, mid-scale noise, per-texel noise
_MATERIALS = (
    ("asphalt", ROAD, (88, 89, 93), (70, 71, 75), 0.9, 0.05, 0.07),
    ("marking", ROAD, (218, 217, 210), (188, 187, 180), 0.6, 0.04, 0.05),
    ("pavement", CLUTTER, (164, 160, 152), (140, 136, 129), 0.8, 0.05, 0.06),
    ("curb", CLUTTER, (196, 194, 188), (172, 170, 164), 0.4, 0.03, 0.05),
    ("lawn", LOW_VEG, (94, 126, 58), (136, 142, 78), 1.0, 0.11, 0.12),
    ("dry grass", LOW_VEG, (156, 148, 96), (124, 128, 74), 1.0, 0.10, 0.12),
    ("hedge", LOW_VEG, (54, 84, 40), (74, 98, 46), 0.8, 0.28, 0.16),
    ("soil", CLUTTER, (146, 120, 92), (118, 96, 74), 1.0, 0.10, 0.12),
    ("parking", CLUTTER, (146, 134, 124), (124, 118, 112), 0.8, 0.05, 0.08),
    ("line", CLUTTER, (214, 214, 208), (190, 190, 186), 0.4, 0.03, 0.05),
    ("gravel", CLUTTER, (176, 166, 146), (150, 142, 126), 0.8, 0.08, 0.16),
    ("tiles", CLUTTER, (182, 174, 164), (154, 148, 142), 0.8, 0.04, 0.07),
    ("footprint", BUILDING, (82, 78, 74), (70, 66, 62), 0.3, 0.03, 0.05),
    ("court", CLUTTER, (170, 86, 66), (150, 76, 60), 0.3, 0.03, 0.05),
    ("water", CLUTTER, (64, 98, 110), (78, 112, 120), 0.5, 0.03, 0.03),
)
_MAT = {m[0]: i for i, m in enumerate(_MATERIALS)}

_CAR_COLOURS = np.array([
    (230, 230, 228), (214, 216, 218), (30, 31, 35), (22, 23, 26), (176, 178, 182), (148, 150, 154),
    (96, 98, 104), (34, 48, 96), (156, 28, 30), (40, 82, 156), (44, 90, 62), (196, 180, 146),
    (220, 184, 46)], float)
_CAR_P = np.array([13, 10, 11, 9, 11, 9, 10, 6, 7, 5, 3, 3, 3], float) / 100
_CLOTHES = np.array([
    (34, 38, 70), (26, 26, 28), (232, 230, 224), (196, 36, 36), (48, 94, 186), (226, 192, 46),
    (118, 118, 124), (58, 116, 60), (222, 118, 158), (200, 176, 134), (236, 120, 40)], float)
_HAIR = np.array([(36, 28, 24), (70, 54, 40), (22, 20, 20), (206, 170, 136), (150, 118, 86)], float)
_FACADES = {
    "house": [(228, 224, 214), (226, 210, 176), (204, 184, 152), (228, 212, 152), (214, 164, 134),
              (156, 86, 64), (176, 174, 168)],
    "apt": [(226, 224, 218), (196, 196, 192), (208, 190, 160), (174, 188, 204), (160, 92, 70),
            (222, 206, 150), (188, 170, 150)],
    "office": [(170, 176, 182), (212, 210, 204), (120, 126, 134), (190, 180, 164)],
}
_TILE_COLOURS = [(170, 80, 54), (142, 66, 50), (114, 82, 66), (80, 82, 88), (62, 66, 76),
                 (128, 126, 124), (182, 96, 60)]
_FLAT_KINDS = ("gravel", "membrane", "light")
_N_HOUSE_FACADES, _N_APT_FACADES, _N_TILES, _N_TREES = 3, 3, 5, 14

# Faces of the 16-vertex car model: lower body box (0-7) then cabin (8-15); side faces then top.
_CAR_FACES = np.array([[0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7], [4, 5, 6, 7],
                       [8, 9, 13, 12], [9, 10, 14, 13], [10, 11, 15, 14], [11, 8, 12, 15],
                       [12, 13, 14, 15]])
_BOX_FACES = _CAR_FACES[:5]


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _hull(points: np.ndarray) -> np.ndarray:
    """Convex hull (counter-clockwise) of 2-D points."""
    pts = sorted(set(map(tuple, np.round(points, 4).tolist())))
    if len(pts) < 3:
        return np.array(pts)

    def half(seq):
        out = []
        for p in seq:
            while len(out) >= 2 and ((out[-1][0] - out[-2][0]) * (p[1] - out[-2][1])
                                     - (out[-1][1] - out[-2][1]) * (p[0] - out[-2][0])) <= 0:
                out.pop()
            out.append(p)
        return out

    lower, upper = half(pts), half(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])


def _box_vertices(length: float, width: float, z0: float, z1: float,
                  top: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """8 vertices (x forward, y left) of a box, optionally with a smaller top face (x0, x1, y0, y1)."""
    x0, x1, y0, y1 = -length / 2, length / 2, -width / 2, width / 2
    tx0, tx1, ty0, ty1 = top if top is not None else (x0, x1, y0, y1)
    return np.array([(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0),
                     (tx0, ty0, z1), (tx1, ty0, z1), (tx1, ty1, z1), (tx0, ty1, z1)])


def _face_normals(verts: np.ndarray, faces: np.ndarray, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outward unit normals and centroids of quads `faces` of convex solids verts (..., n, 3)."""
    q = verts[..., faces, :]
    n = _unit(np.cross(q[..., 2, :] - q[..., 0, :], q[..., 3, :] - q[..., 1, :]))
    cen = q.mean(-2)
    n = np.where((((cen - centre[..., None, :]) * n).sum(-1) < 0)[..., None], -n, n)
    return n, cen


class _Local:
    """2-D frame in world metres: p = o + u * eu + v * ev."""

    def __init__(self, o, eu, ev):
        self.o, self.eu, self.ev = (np.asarray(a, float) for a in (o, eu, ev))

    def pt(self, u: float, v: float) -> np.ndarray:
        return self.o + u * self.eu + v * self.ev

    def rect(self, u0: float, u1: float, v0: float, v1: float) -> np.ndarray:
        return np.array([self.pt(u0, v0), self.pt(u1, v0), self.pt(u1, v1), self.pt(u0, v1)])

    def pts(self, uv) -> np.ndarray:
        uv = np.asarray(uv, float)
        return self.o + uv[:, :1] * self.eu + uv[:, 1:] * self.ev


def _blob(centre: np.ndarray, radius: float, rng: np.random.Generator, n: int = 14) -> np.ndarray:
    ang = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = radius * (1 + 0.25 * rng.uniform(-1, 1, n))
    return centre + np.stack([r * np.cos(ang), r * np.sin(ang)], 1)


# ----------------------------------------------------------------------------------------------
# Scene layout (world metres, deterministic given the layout generator)


class _Layout:
    """Road grid and block contents of one scene, as world-space primitives."""

    def __init__(self, rng: np.random.Generator, phi: float, bounds: tuple[float, float, float, float]):
        self.rng = rng
        c, s = math.cos(phi), math.sin(phi)
        self.rot = np.array([[c, -s], [s, c]])
        self.bounds = bounds
        self.polys: list[tuple[int, np.ndarray]] = []
        self.buildings: list[dict] = []
        self.trees: list[tuple] = []
        self.cars: list[tuple] = []
        self.movers: list[tuple] = []
        self.humans: list[tuple] = []
        self.boxes: list[tuple] = []
        self.traffic = rng.uniform(0.9, 1.5)
        self.crowd = rng.uniform(1.3, 2.2)
        self.greenery = rng.uniform(0.8, 1.25)

    # -- primitives
    def near(self, pts: np.ndarray, pad: float = 5.0) -> bool:
        x0, x1, y0, y1 = self.bounds
        pts = np.asarray(pts).reshape(-1, 2)
        (lx, ly), (hx, hy) = pts.min(0), pts.max(0)
        return hx > x0 - pad and lx < x1 + pad and hy > y0 - pad and ly < y1 + pad

    def poly(self, mat: str, pts: np.ndarray) -> None:
        if self.near(pts):
            self.polys.append((_MAT[mat], np.asarray(pts, float)))

    def tree(self, p: np.ndarray, r: float) -> None:
        if self.near(p, 8):
            rng = self.rng
            r *= 1.1
            self.trees.append((p[0], p[1], r, r + rng.uniform(1.6, 3.4), int(rng.integers(_N_TREES))))

    def car(self, p: np.ndarray, heading: np.ndarray) -> None:
        if self.near(p):
            rng = self.rng
            ang = math.atan2(heading[1], heading[0]) + rng.normal(0, 0.03)
            self.cars.append((p[0], p[1], ang) + self._car_shape())

    def _car_shape(self) -> tuple:
        rng = self.rng
        van = rng.random() < 0.1
        length = rng.uniform(5.0, 5.6) if van else rng.uniform(4.2, 4.9)
        return length, rng.uniform(1.75, 1.95), int(rng.choice(len(_CAR_P), p=_CAR_P)), van

    def human(self, p: np.ndarray) -> None:
        if self.near(p):
            rng = self.rng
            a = rng.uniform(0, 2 * np.pi)
            self.humans.append((p[0], p[1], math.cos(a), math.sin(a), rng.uniform(0.2, 1.0),
                                rng.uniform(0, 2 * np.pi), int(rng.integers(len(_CLOTHES))),
                                int(rng.integers(len(_HAIR)))))

    def box(self, p: np.ndarray, axis: np.ndarray, length: float, width: float, height: float,
            colour: tuple) -> None:
        if self.near(p):
            self.boxes.append((p[0], p[1], math.atan2(axis[1], axis[0]), length, width, height,
                               colour))

    def building(self, F: _Local, uc: float, vc: float, ext_u: float, ext_v: float, he: float,
                 roof: str, cat: str, ridge_u: bool | None = None) -> None:
        rng = self.rng
        self.poly("footprint", F.rect(uc - ext_u / 2, uc + ext_u / 2, vc - ext_v / 2, vc + ext_v / 2))
        if ridge_u is None:
            ridge_u = ext_u >= ext_v
        if roof == "hip" and (ext_u >= ext_v) != ridge_u:
            ridge_u = not ridge_u
        axis, a, b = (F.eu, ext_u / 2, ext_v / 2) if ridge_u else (F.ev, ext_v / 2, ext_u / 2)
        centre = F.pt(uc, vc)
        if not self.near(centre, 20):
            return
        if cat == "house":
            facade = int(rng.integers(_N_HOUSE_FACADES))
            pitch = rng.uniform(28, 42)
        elif cat == "apt":
            facade = _N_HOUSE_FACADES + int(rng.integers(_N_APT_FACADES))
            pitch = rng.uniform(22, 32)
        else:
            facade = _N_HOUSE_FACADES + _N_APT_FACADES
            pitch = 0.0
        spec = dict(centre=centre, axis=np.asarray(axis, float), a=a, b=b, he=he, roof=roof,
                    pitch=math.radians(pitch), facade=facade,
                    roof_tex=int(rng.integers(_N_TILES if roof != "flat" else len(_FLAT_KINDS))),
                    foff=rng.uniform(0, 1), roff=rng.uniform(0, 1, 2), parts=[])
        if roof == "gable" and cat == "house" and rng.random() < 0.4:
            u, v = rng.uniform(-0.6, 0.6) * a, rng.uniform(0.25, 0.7) * b * rng.choice([-1, 1])
            z = he + (b - abs(v)) * math.tan(spec["pitch"])
            spec["parts"].append((u, v, 0.7, 0.7, z - 0.6, z + 1.0, (136, 72, 58)))
        if roof == "flat":
            n = int(rng.integers(1, 4 if cat == "apt" else 8))
            for _ in range(n):
                lu, lv = rng.uniform(1.2, 4.0, 2)
                if lu + 2 > a or lv + 2 > b:
                    continue
                u, v = rng.uniform(-a + lu / 2 + 1, a - lu / 2 - 1), rng.uniform(-b + lv / 2 + 1, b - lv / 2 - 1)
                grey = rng.uniform(120, 215)
                spec["parts"].append((u, v, lu, lv, he, he + rng.uniform(0.8, 2.4), (grey, grey, grey * 0.98)))
            if cat == "apt" and rng.random() < 0.7 and a > 6 and b > 4:
                u = rng.uniform(-a + 4, a - 4)
                spec["parts"].append((u, 0.0, 4.0, 5.0, he, he + 2.8, _FACADES["apt"][int(rng.integers(7))]))
        self.buildings.append(spec)

    def scatter_trees(self, F: _Local, box: tuple, n: int, rmin: float, rmax: float,
                      occ: list = (), clusters: int = 0) -> list:
        rng = self.rng
        u0, u1, v0, v1 = box
        if u1 - u0 < 2 or v1 - v0 < 2 or n <= 0:
            return []
        centres = rng.uniform((u0, v0), (u1, v1), (max(clusters, 1), 2))
        placed: list[tuple] = []
        for _ in range(4 * n):
            if len(placed) >= n:
                break
            r = rng.uniform(rmin, rmax)
            if clusters:
                u, v = centres[rng.integers(len(centres))] + rng.normal(0, 7, 2)
            else:
                u, v = rng.uniform(u0, u1), rng.uniform(v0, v1)
            m = 0.5 * r
            if not (u0 + m <= u <= u1 - m and v0 + m <= v <= v1 - m):
                continue
            if any(a0 - m < u < a1 + m and b0 - m < v < b1 + m for a0, a1, b0, b1 in occ):
                continue
            if any((u - pu) ** 2 + (v - pv) ** 2 < (0.75 * (r + pr)) ** 2 for pu, pv, pr in placed):
                continue
            placed.append((u, v, r))
            self.tree(F.pt(u, v), r)
        return placed

    # -- roads and blocks
    def build(self) -> "_Layout":
        rng = self.rng
        corners = np.array([[x, y] for x in self.bounds[:2] for y in self.bounds[2:]])
        g = corners @ self.rot  # world -> grid coordinates
        S = self._road_lines(g[:, 0].min() - 30, g[:, 0].max() + 30)
        T = self._road_lines(g[:, 1].min() - 30, g[:, 1].max() + 30)
        ncol = len(S) - 1
        present = np.array([[kind == "main" or j in (0, len(T) - 1) or rng.random() < 0.78
                             for _ in range(ncol)] for j, (_, _, kind) in enumerate(T)])
        for k in range(ncol):
            js = [j for j in range(len(T)) if present[j, k]]
            for j0, j1 in zip(js[:-1], js[1:]):
                self._block(S[k][0] + S[k][1] / 2, S[k + 1][0] - S[k + 1][1] / 2,
                            T[j0][0] + T[j0][1] / 2, T[j1][0] - T[j1][1] / 2)
        for k, (c, w, kind) in enumerate(S):
            js = [j for j in range(len(T))
                  if (k > 0 and present[j, k - 1]) or (k < ncol and present[j, k])]
            for j0, j1 in zip(js[:-1], js[1:]):
                a0, a1 = T[j0][0] + T[j0][1] / 2, T[j1][0] - T[j1][1] / 2
                self._segment(self.rot @ (c, a0), self.rot @ (0.0, 1.0), a1 - a0, w, kind)
        for j, (c, w, kind) in enumerate(T):
            for k in range(ncol):
                if present[j, k]:
                    a0, a1 = S[k][0] + S[k][1] / 2, S[k + 1][0] - S[k + 1][1] / 2
                    self._segment(self.rot @ (a0, c), self.rot @ (1.0, 0.0), a1 - a0, w, kind)
        return self

    def _road_lines(self, lo: float, hi: float) -> list[tuple[float, float, str]]:
        rng = self.rng
        out, c = [], lo - rng.uniform(0, 40)
        while True:
            kind = rng.choice(["main", "street", "narrow"], p=[0.22, 0.53, 0.25])
            w = {"main": rng.uniform(14.5, 16), "street": rng.uniform(9.5, 11),
                 "narrow": rng.uniform(6.5, 7.5)}[kind]
            out.append((c, w, str(kind)))
            if c > hi:
                return out
            c += rng.uniform(52, 92)

    def _segment(self, o: np.ndarray, d: np.ndarray, length: float, w: float, kind: str) -> None:
        rng = self.rng
        G = _Local(o, d, (d[1], -d[0]))  # u along the road, v to the right of it
        hw = w / 2
        if length < 8 or not self.near(G.rect(0, length, -hw, hw), 10):
            return
        if kind == "main":
            for v in (-0.2, 0.2):
                self.poly("marking", G.rect(0.5, length - 0.5, v - 0.09, v + 0.09))
            for v in (-3.4, 3.4):
                self._dashes(G, length, v, 3.0, 5.0, 0.16)
            for v in (hw - 0.5, 0.5 - hw):
                self.poly("marking", G.rect(0.5, length - 0.5, v - 0.1, v + 0.1))
            lanes = ((-5.1, -1), (-1.7, -1), (1.7, 1), (5.1, 1))
        elif kind == "street":
            self._dashes(G, length, 0.0, 3.0, 3.5, 0.15)
            lanes = ((-1.7, -1), (1.7, 1))
        else:
            if rng.random() < 0.6:
                self._dashes(G, length, 0.0, 2.0, 4.0, 0.14)
            lanes = ((-1.6, -1), (1.6, 1))
        for end in (0, 1):
            if length > 20 and rng.random() < (0.55 if kind == "main" else 0.25):
                u0 = 1.0 if end == 0 else length - 4.0
                v = -hw + 0.5
                while v < hw - 0.9:
                    self.poly("marking", G.rect(u0, u0 + 3.0, v, v + 0.5))
                    v += 1.0
                for _ in range(rng.poisson(0.8 * self.crowd)):
                    self.human(G.pt(u0 + rng.uniform(0.3, 2.7), rng.uniform(-hw, hw)))
        dens = {"main": 3.2, "street": 1.8, "narrow": 1.0}[kind] * self.traffic
        for v, sgn in lanes:
            span = length - 4
            if span < 8:
                continue
            pos = np.sort(rng.uniform(0, span, rng.poisson(dens * span / 100)))
            keep = [p for i, p in enumerate(pos) if i == 0 or p - pos[i - 1] >= 7.5]
            if keep and (span - keep[-1] + keep[0]) < 7.5:
                keep = keep[:-1]
            if not keep or not self.near(G.rect(0, length, v - 1, v + 1)):
                continue
            start = G.pt(2.0 if sgn > 0 else length - 2.0, v)
            speed = rng.uniform(2.5, 6.0)
            for p in keep:
                self.movers.append((start[0], start[1], d[0] * sgn, d[1] * sgn, span, speed, p)
                                   + self._car_shape())
        if kind == "street":
            for sgn in (-1, 1):
                if rng.random() < 0.6:
                    occ, step, u = rng.uniform(0.45, 0.9), rng.uniform(5.8, 6.6), 5.0
                    while u < length - 5:
                        if rng.random() < occ:
                            self.car(G.pt(u, sgn * (hw - 1.15) + rng.uniform(-0.15, 0.15)), d * sgn)
                        u += step

    def _dashes(self, G: _Local, length: float, v: float, dash: float, gap: float, width: float) -> None:
        u = 1.0 + self.rng.uniform(0, gap)
        while u + dash < length - 1:
            self.poly("marking", G.rect(u, u + dash, v - width / 2, v + width / 2))
            u += dash + gap

    def _block(self, s0: float, s1: float, t0: float, t1: float) -> None:
        rng = self.rng
        if s1 - s0 < 6 or t1 - t0 < 6:
            return
        to_world = lambda pts: np.asarray(pts, float) @ self.rot.T
        outer = to_world(self._chamfer(s0, s1, t0, t1, 3.0))
        if not self.near(outer, 25):
            return
        self.poly("curb", outer)
        self.poly("pavement", to_world(self._chamfer(s0 + 0.3, s1 - 0.3, t0 + 0.3, t1 - 0.3, 2.8)))
        sw = rng.uniform(2.2, 3.6)
        a0, a1, b0, b1 = s0 + sw, s1 - sw, t0 + sw, t1 - sw
        es, et = self.rot[:, 0], self.rot[:, 1]
        if a1 - a0 >= b1 - b0:
            F, L, D = _Local(self.rot @ (a0, b0), es, et), a1 - a0, b1 - b0
        else:
            F, L, D = _Local(self.rot @ (a0, b0), et, es), b1 - b0, a1 - a0
        if D > 6 and L > 6:
            self._fill(F, L, D)
        # street trees and pedestrians on the sidewalk ring
        sides = [((s0, t0), (s1, t0), (0, 1)), ((s1, t0), (s1, t1), (-1, 0)),
                 ((s1, t1), (s0, t1), (0, -1)), ((s0, t1), (s0, t0), (1, 0))]
        for p, q, inward in sides:
            p, q, inward = np.array(p, float), np.array(q, float), np.array(inward, float)
            length = np.linalg.norm(q - p)
            along = (q - p) / length
            if rng.random() < 0.6 * self.greenery and sw > 2.3:
                u, step = rng.uniform(4, 8), rng.uniform(7, 11)
                while u < length - 4:
                    self.tree(self.rot @ (p + along * u + inward * 1.3), rng.uniform(2.5, 3.8))
                    u += step
            for _ in range(rng.poisson(1.3 * self.crowd * length / 100)):
                c = self.rot @ (p + along * rng.uniform(1, length - 1) + inward * rng.uniform(0.6, sw - 0.4))
                for _ in range(1 + int(rng.choice(3, p=[0.6, 0.3, 0.1]))):
                    self.human(c + rng.normal(0, 0.6, 2))

    def _fill(self, F: _Local, L: float, D: float, split: bool = True) -> None:
        """Fill a block interior, large ones as two parts of different use."""
        rng = self.rng
        if split and L > 75 and rng.random() < 0.65:
            cut = rng.uniform(0.35, 0.65) * L
            self.poly("pavement", F.rect(cut - 1.5, cut + 1.5, 0, D))
            self._fill(F, cut - 1.5, D, False)
            self._fill(_Local(F.pt(cut + 1.5, 0), F.eu, F.ev), L - cut - 1.5, D, False)
            return
        kind = str(rng.choice(["houses", "apartments", "perimeter", "commercial", "park", "parking", "soil", "plaza"],
                              p=[0.30, 0.22, 0.15, 0.08, 0.12, 0.03, 0.04, 0.06]))
        if min(L, D) < 26 and kind in ("houses", "apartments", "commercial", "perimeter"):
            kind = "plaza" if rng.random() < 0.4 else "park"
        if kind == "perimeter" and min(L, D) < 36:
            kind = "apartments"
        if kind in ("soil", "parking") and L * D > 3000:
            kind = "park" if kind == "soil" else "commercial"
        getattr(self, "_" + kind)(F, L, D)

    @staticmethod
    def _chamfer(s0, s1, t0, t1, c):
        c = min(c, (s1 - s0) / 3, (t1 - t0) / 3)
        return [(s0 + c, t0), (s1 - c, t0), (s1, t0 + c), (s1, t1 - c), (s1 - c, t1), (s0 + c, t1),
                (s0, t1 - c), (s0, t0 + c)]

    # -- block kinds (F: frame of the block interior, u along its long side L, v across D)
    def _houses(self, F: _Local, L: float, D: float) -> None:
        rng = self.rng
        self.poly("lawn", F.rect(0, L, 0, D))
        d = min(rng.uniform(18, 26), D / 2)
        for side in (0, 1):
            G = F if side == 0 else _Local(F.pt(0, D), F.eu, -F.ev)
            u = rng.uniform(0, 3)
            while L - u >= 10:
                fw = rng.uniform(13, 21)
                if L - u - fw < 10:
                    fw = L - u
                self._parcel(G, u, u + fw, d)
                u += fw
        if D - 2 * d > 4:
            n = int(self.greenery * L * (D - 2 * d) / 65)
            self.scatter_trees(F, (0, L, d, D - d), n, 2.8, 5.0, clusters=2)

    def _parcel(self, G: _Local, u0: float, u1: float, d: float) -> None:
        rng = self.rng
        fw = u1 - u0
        if d < 12 or fw < 9:
            self.scatter_trees(G, (u0, u1, 0, d), 2, 2.5, 4, ())
            return
        hw = rng.uniform(7.5, min(13.0, fw - 4.5)) if fw > 12.5 else fw - 3.0
        hd = rng.uniform(7.5, min(12.5, d - 5.0)) if d > 13 else d - 4.5
        sb = rng.uniform(2.0, max(2.1, min(5.0, d - hd - 1.5)))
        drive = fw - hw >= 4.5
        left = rng.random() < 0.5
        if drive:
            slack = fw - hw - 4.4
            du = (u0 + 0.6, u0 + 3.4) if left else (u1 - 3.4, u1 - 0.6)
            uc = (u0 + 3.9 + hw / 2 + rng.uniform(0, slack)) if left else (u1 - 3.9 - hw / 2 - rng.uniform(0, slack))
            self.poly(str(rng.choice(["pavement", "gravel", "parking"])), G.rect(du[0], du[1], 0, sb + hd))
            if sb + hd > 5.5 and rng.random() < 0.55:
                self.car(G.pt((du[0] + du[1]) / 2, rng.uniform(2.6, sb + hd - 2.6)),
                         G.ev * rng.choice([-1, 1]))
        else:
            uc = (u0 + u1) / 2
        vc = sb + hd / 2
        if rng.random() < 0.4:
            self.poly("pavement", G.rect(uc - hw / 2 + 1, uc + hw / 2 - 1, vc + hd / 2, min(d - 0.5, vc + hd / 2 + 3.5)))
        floors = rng.choice([1, 2, 3], p=[0.1, 0.7, 0.2])
        roof = str(rng.choice(["gable", "hip", "flat"], p=[0.58, 0.32, 0.10]))
        self.building(G, uc, vc, hw, hd, 2.8 * floors + rng.uniform(0.2, 0.8), roof, "house",
                      ridge_u=bool(rng.random() < 0.7))
        occ = [(uc - hw / 2, uc + hw / 2, vc - hd / 2, vc + hd / 2)]
        if rng.random() < 0.3:
            self.poly("hedge", G.rect(u0 + 0.2, u1 - 0.2, 0.1, 0.9) if not drive else
                      (G.rect(u0 + 3.6, u1 - 0.2, 0.1, 0.9) if left else G.rect(u0 + 0.2, u1 - 3.6, 0.1, 0.9)))
        if rng.random() < 0.3:
            self.poly("hedge", G.rect(u1 - 0.9, u1 - 0.1, 1.0, d - 0.2))
        back = (u0 + 1, u1 - 1, vc + hd / 2 + 1.5, d - 0.5)
        if rng.random() < 0.08 and back[3] - back[2] > 6 and fw > 12:
            pu = rng.uniform(back[0] + 2.5, back[1] - 2.5)
            pool = (pu - 2, pu + 2, back[2] + 1, back[2] + 5)
            self.poly("water", G.rect(*pool))
            occ.append(pool)
        if rng.random() < 0.18 and back[3] - back[2] > 4:
            su, sv = back[1] - 1.8, back[3] - 1.6
            shed = [(150, 120, 90), (118, 108, 98), (172, 170, 164), (112, 126, 104), (204, 198, 188)]
            self.box(G.pt(su, sv), G.eu, 2.6, 2.2, 2.3, shed[int(rng.integers(len(shed)))])
            occ.append((su - 1.5, su + 1.5, sv - 1.5, sv + 1.5))
        self.scatter_trees(G, back, int(rng.choice(5, p=[0.05, 0.2, 0.3, 0.25, 0.2]) * self.greenery + 0.4),
                           2.6, 4.8, occ)
        if rng.random() < 0.3 * self.greenery and sb > 3:
            self.scatter_trees(G, (u0 + 1, u1 - 1, 0.5, sb + 1), 1, 1.8, 2.6, occ)
        if rng.random() < 0.25:
            self.human(G.pt(uc + rng.uniform(-hw, hw) / 2, rng.uniform(0.5, sb)))

    def _apartments(self, F: _Local, L: float, D: float) -> None:
        rng = self.rng
        self.poly("lawn" if rng.random() < 0.6 else "tiles", F.rect(0, L, 0, D))
        occ = []
        nrows = max(1, int((D - 4) // 34))
        pv = D / nrows
        for r in range(nrows):
            sd = min(rng.uniform(11, 15), pv - 9)
            if sd < 8:
                continue
            vc = r * pv + pv / 2 + rng.uniform(-1.5, 1.5)
            u = rng.uniform(3, 8)
            while L - u >= 25:
                sl = rng.uniform(22, min(56, L - u - 3))
                roof = str(rng.choice(["flat", "hip", "gable"], p=[0.6, 0.25, 0.15]))
                apron = (u - 2.5, u + sl + 2.5, vc - sd / 2 - 2.5, vc + sd / 2 + 2.5)
                self.poly("pavement" if rng.random() < 0.6 else "tiles", F.rect(*apron))
                floors = int(rng.integers(4, 9)) if rng.random() < 0.8 else int(rng.integers(9, 14))
                self.building(F, u + sl / 2, vc, sl, sd, 3.0 * floors + 0.6, roof, "apt")
                occ.append(apron)
                for _ in range(rng.poisson(2.0 * self.crowd)):
                    side = rng.choice([-1, 1])
                    self.human(F.pt(rng.uniform(u, u + sl), vc + side * (sd / 2 + rng.uniform(0.4, 2.2))))
                u += sl + rng.uniform(9, 18)
        if rng.random() < 0.4:
            lot = (3.0, L - 3.0, 0.6, 5.8)
            if not any(lot[2] < b1 and lot[3] > b0 and lot[0] < a1 and lot[1] > a0 for a0, a1, b0, b1 in occ):
                self._parking_row(F, lot[0], lot[1], lot[2], lot[3], rng.uniform(0.3, 0.8))
                occ.append(lot)
        n = int(self.greenery * L * D / 140)
        self.scatter_trees(F, (0, L, 0, D), n, 2.8, 5.2, occ, clusters=3)

    def _perimeter(self, F: _Local, L: float, D: float) -> None:
        """Closed rows of adjoining 2-7 storey buildings around a courtyard."""
        rng = self.rng
        depth = rng.uniform(10, 14)
        if D < 2 * depth + 8:
            self._apartments(F, L, D)
            return
        base = int(rng.integers(3, 7))

        def row(along_u: bool, fixed: float, start: float, stop: float) -> None:
            x = start
            while stop - x > 1:
                seg = min(rng.uniform(12, 30), stop - x)
                if stop - x - seg < 8:
                    seg = stop - x
                he = 3.0 * int(np.clip(base + rng.integers(-1, 2), 2, 8)) + 0.6
                roof = str(rng.choice(["gable", "hip", "flat"], p=[0.45, 0.2, 0.35]))
                if along_u:
                    self.building(F, x + seg / 2, fixed, seg, depth, he, roof, "apt", ridge_u=True)
                else:
                    self.building(F, fixed, x + seg / 2, depth, seg, he, roof, "apt", ridge_u=False)
                x += seg

        row(True, depth / 2, 0, L)
        row(True, D - depth / 2, 0, L)
        row(False, depth / 2, depth, D - depth)
        row(False, L - depth / 2, depth, D - depth)
        court = (depth + 1, L - depth - 1, depth + 1, D - depth - 1)
        self.poly(str(rng.choice(["lawn", "tiles", "parking"], p=[0.6, 0.25, 0.15])), F.rect(*court))
        occ = []
        if rng.random() < 0.3 and court[3] - court[2] > 8:
            lot = (court[0] + 1, court[1] - 1, court[2] + 0.5, court[2] + 5.7)
            self._parking_row(F, *lot, rng.uniform(0.3, 0.8))
            occ.append(lot)
        n = int(self.greenery * (court[1] - court[0]) * (court[3] - court[2]) / 90)
        self.scatter_trees(F, court, n, 2.8, 5.0, occ, clusters=2)
        for _ in range(rng.poisson(1.5 * self.crowd)):
            self.human(F.pt(rng.uniform(court[0], court[1]), rng.uniform(court[2], court[3])))

    def _parking_row(self, F: _Local, u0: float, u1: float, v0: float, v1: float, occ: float) -> None:
        rng = self.rng
        self.poly("parking", F.rect(u0, u1, v0, v1))
        step = rng.uniform(2.5, 2.8)
        n = int((u1 - u0) / step)
        for i in range(n + 1):
            u = u0 + i * step
            self.poly("line", F.rect(u - 0.08, u + 0.08, v0 + 0.3, v1))
        for i in range(n):
            if rng.random() < occ:
                p = F.pt(u0 + (i + 0.5) * step + rng.uniform(-0.15, 0.15), (v0 + v1) / 2 + rng.uniform(-0.3, 0.3))
                self.car(p, F.ev * rng.choice([-1, 1]))

    def _parking_area(self, F: _Local, u0: float, u1: float, v0: float, v1: float) -> None:
        rng = self.rng
        self.poly("parking", F.rect(u0, u1, v0, v1))
        occ = rng.uniform(0.3, 0.8)
        v = v0 + 1.0
        while v + 5.2 <= v1 - 0.5:
            self._parking_row(F, u0 + 2, u1 - 2, v, v + 5.2, occ)
            v += 5.2 + 6.5
            if v + 5.2 > v1 - 0.5:
                break
            self._parking_row(F, u0 + 2, u1 - 2, v, v + 5.2, occ)
            v += 5.2
            if v + 2.0 < v1:
                self.poly("lawn" if rng.random() < 0.6 else "hedge", F.rect(u0 + 2, u1 - 2, v + 0.2, v + 1.6))
                uu, step = u0 + rng.uniform(3, 6), rng.uniform(9, 14)
                while uu < u1 - 3:
                    if rng.random() < 0.7 * self.greenery:
                        self.tree(F.pt(uu, v + 0.9), rng.uniform(2.2, 3.4))
                    uu += step
            v += 1.8 + 6.5
        for _ in range(rng.poisson(0.3 * self.crowd * (u1 - u0) * (v1 - v0) / 400)):
            self.human(F.pt(rng.uniform(u0 + 2, u1 - 2), rng.uniform(v0 + 1, v1 - 1)))

    def _commercial(self, F: _Local, L: float, D: float) -> None:
        rng = self.rng
        bl = min(rng.uniform(0.45, 0.7) * L, 56.0)
        bd = min(D - 10, 56.0)
        if bl < 16 or bd < 12:
            self._parking(F, L, D)
            return
        self.poly("pavement", F.rect(0, L, 0, D))
        left = rng.random() < 0.5
        u0 = 4.0 if left else L - 4.0 - bl
        vc = D / 2 + rng.uniform(-1, 1) * (D - 8 - bd) / 2
        self.building(F, u0 + bl / 2, vc, bl, bd, rng.uniform(7, 13), "flat", "office")
        for _ in range(rng.poisson(2.5 * self.crowd)):
            self.human(F.pt(rng.uniform(u0, u0 + bl), vc - bd / 2 - rng.uniform(0.5, 3)))
        pu0, pu1 = (u0 + bl + 5, L) if left else (0, u0 - 5)
        if pu1 - pu0 > 40:  # the far part of a wide remainder is green
            green = (pu0 + 36, pu1) if left else (pu0, pu1 - 36)
            pu0, pu1 = (pu0, pu0 + 34) if left else (pu1 - 34, pu1)
            self.poly("lawn", F.rect(*green, 0, D))
            self.scatter_trees(F, (*green, 0, D), int(self.greenery * (green[1] - green[0]) * D / 120), 2.8, 5.0)
        if pu1 - pu0 > 12:
            self._parking_area(F, pu0, pu1, 0, min(D, 48))
        self.scatter_trees(F, (0, L, 0, D), int(self.greenery * 6), 2.8, 4.5,
                           [(u0 - 2, u0 + bl + 2, 0, D), (pu0, pu1, 0, D)])

    def _parking(self, F: _Local, L: float, D: float) -> None:
        self._parking_area(F, 0, L, 0, D)

    def _park(self, F: _Local, L: float, D: float) -> None:
        rng = self.rng
        self.poly("lawn", F.rect(0, L, 0, D))
        for _ in range(rng.integers(0, 4)):
            self.poly("dry grass", F.pts(_blob(rng.uniform((0, 0), (L, D)), rng.uniform(4, 12), rng)))
        occ = []
        paths = []
        for _ in range(rng.integers(1, 4)):
            ends = [self._edge_point(L, D), rng.uniform((0.2 * L, 0.2 * D), (0.8 * L, 0.8 * D)), self._edge_point(L, D)]
            width, mat = rng.uniform(2, 3.2), str(rng.choice(["gravel", "tiles", "pavement"]))
            for p, q in zip(ends[:-1], ends[1:]):
                dvec = (q - p) / max(np.linalg.norm(q - p), 1e-6)
                nvec = np.array([-dvec[1], dvec[0]]) * width / 2
                self.poly(mat, F.pts([p - nvec, q - nvec, q + nvec, p + nvec]))
                paths.append((p, q))
            self.poly(mat, F.pts(_blob(ends[1], width * 0.6, rng, 10)))
        if rng.random() < 0.15 and L > 30 and D > 30:
            c, r = rng.uniform((12, 12), (L - 12, D - 12)), rng.uniform(5, 9)
            self.poly("water", F.pts(_blob(c, r, rng)))
            occ.append((c[0] - r, c[0] + r, c[1] - r, c[1] + r))
        if rng.random() < 0.3 and L > 25 and D > 20:
            c = rng.uniform((8, 8), (L - 8, D - 8))
            self.poly(str(rng.choice(["soil", "court"])), F.rect(c[0] - 5, c[0] + 5, c[1] - 4, c[1] + 4))
            occ.append((c[0] - 5, c[0] + 5, c[1] - 4, c[1] + 4))
        n = int(self.greenery * L * D / 100 * rng.uniform(0.7, 1.3))
        self.scatter_trees(F, (0, L, 0, D), n, 2.8, 5.8, occ, clusters=max(1, n // 8))
        for _ in range(rng.poisson(4 * self.crowd)):
            p, q = paths[rng.integers(len(paths))]
            self.human(F.pt(*(p + (q - p) * rng.uniform(0, 1) + rng.normal(0, 0.5, 2))))

    def _edge_point(self, L: float, D: float) -> np.ndarray:
        rng = self.rng
        side = rng.integers(4)
        t = rng.uniform(0.1, 0.9)
        return np.array([(t * L, 0), (L, t * D), (t * L, D), (0, t * D)][side], float)

    def _soil(self, F: _Local, L: float, D: float) -> None:
        rng = self.rng
        self.poly("soil", F.rect(0, L, 0, D))
        for _ in range(rng.integers(1, 4)):
            self.poly(str(rng.choice(["gravel", "dry grass", "soil"])),
                      F.pts(_blob(rng.uniform((0, 0), (L, D)), rng.uniform(4, 10), rng)))
        for _ in range(rng.integers(2, 7)):
            colour = tuple(rng.choice([(206, 110, 40), (60, 96, 150), (220, 220, 214), (110, 120, 104)]))
            self.box(F.pt(rng.uniform(4, L - 4), rng.uniform(4, D - 4)), F.eu if rng.random() < 0.5 else F.ev,
                     rng.uniform(5.5, 6.5), 2.4, 2.6, colour)
        for _ in range(rng.integers(0, 3)):
            self.car(F.pt(rng.uniform(3, L - 3), rng.uniform(3, D - 3)), F.eu * rng.choice([-1, 1]))
        for _ in range(rng.poisson(2 * self.crowd)):
            self.human(F.pt(rng.uniform(1, L - 1), rng.uniform(1, D - 1)))
        self.scatter_trees(F, (0, L, 0, D), int(self.greenery * L * D / 900), 2, 3.5)

    def _plaza(self, F: _Local, L: float, D: float) -> None:
        rng = self.rng
        self.poly("tiles", F.rect(0, L, 0, D))
        occ = []
        if L > 36 and D > 22:
            bl = min(rng.uniform(0.35, 0.55) * L, 50)
            bd = min(D - 8, rng.uniform(14, 26))
            u0 = 3 if rng.random() < 0.5 else L - 3 - bl
            self.building(F, u0 + bl / 2, D / 2, bl, bd, rng.uniform(9, 18),
                          str(rng.choice(["hip", "flat", "gable"])), "apt")
            occ.append((u0 - 2, u0 + bl + 2, D / 2 - bd / 2 - 2, D / 2 + bd / 2 + 2))
        step = rng.uniform(7, 10)
        for u in np.arange(step / 2, L, step):
            for v in np.arange(step / 2, D, step):
                if rng.random() < 0.6 * self.greenery and not any(
                        a0 - 2 < u < a1 + 2 and b0 - 2 < v < b1 + 2 for a0, a1, b0, b1 in occ):
                    if rng.random() < 0.5:
                        self.poly("lawn" if rng.random() < 0.7 else "hedge", F.rect(u - 2, u + 2, v - 2, v + 2))
                    self.tree(F.pt(u, v), rng.uniform(2.4, 3.6))
        for _ in range(rng.integers(0, 3)):  # kiosks and market stalls
            self.box(F.pt(rng.uniform(4, L - 4), rng.uniform(4, D - 4)), F.eu, rng.uniform(4, 6),
                     rng.uniform(3.5, 5), rng.uniform(2.6, 3.2), tuple(rng.choice(
                         [(220, 80, 60), (240, 240, 236), (70, 130, 190), (220, 200, 80)])))
        for _ in range(rng.poisson(0.5 * self.crowd * L * D / 100)):
            c = rng.uniform((1, 1), (L - 1, D - 1))
            if not any(a0 + 1 < c[0] < a1 - 1 and b0 + 1 < c[1] < b1 - 1 for a0, a1, b0, b1 in occ):
                self.human(F.pt(*c))


# ----------------------------------------------------------------------------------------------
# Textures and sprites


def _smooth(rng: np.random.Generator, h: int, w: int, cell: float) -> np.ndarray:
    """Smooth random field of shape (h, w) with features about `cell` pixels apart."""
    cell = max(cell, 1.0)
    gh, gw = int(h / cell) + 3, int(w / cell) + 3
    g = Image.fromarray(rng.standard_normal((gh, gw)).astype(np.float32))
    return np.asarray(g.resize((w, h), Image.BICUBIC, box=(0, 0, w / cell, h / cell)))


def _facade_texture(rng: np.random.Generator, ppm: float, style: str) -> tuple[Image.Image, tuple]:
    w, h = int(_TEX_W * ppm), int(_TEX_H * ppm)
    x = ((np.arange(w) + 0.5) / ppm).astype(np.float32)
    z = (_TEX_H - (np.arange(h) + 0.5) / ppm).astype(np.float32)
    palette = _FACADES[style]
    wall = np.array(palette[int(rng.integers(len(palette)))], np.float32) * np.float32(rng.uniform(0.92, 1.04))
    base = wall * (1 + 0.05 * _smooth(rng, 1, w, ppm * 0.8)[0][None, :, None]
                   + 0.04 * _smooth(rng, h, w, ppm * 4)[..., None])
    base = base * (0.8 + 0.2 * np.clip(z / 1.2, 0, 1))[:, None, None]
    glass = np.array((46, 54, 66), np.float32) * np.float32(rng.uniform(0.8, 1.2))
    fw = max(0.1, 0.9 / ppm)
    if style == "office":
        floor_h, sp = 3.8, 1.6
        fz = z % floor_h
        inwin = (np.abs(x % sp - sp / 2) < sp / 2 - fw)[None, :] & ((fz > 0.9) & (fz < 3.3))[:, None]
        frame = ((fz > 0.9 - fw) & (fz < 3.3 + fw))[:, None] & ~inwin
        glass = glass * 1.1
    else:
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
            slab = ((fz < 0.22) & (z > floor_h))[:, None] & np.ones(w, bool)[None, :]
            base = np.where(slab[..., None], base * 0.72, base)
    rows, cols = (z // floor_h).astype(int), (x // sp).astype(int)
    lum = rng.uniform(0.65, 1.45, (rows.max() + 1, cols.max() + 1))
    lit = rng.random((rows.max() + 1, cols.max() + 1)) < 0.12
    win = glass * lum[rows[:, None], cols[None, :]][..., None] * (0.8 + 0.35 * ((z % floor_h) / floor_h))[:, None, None]
    win = np.where(lit[rows[:, None], cols[None, :]][..., None], np.array((168, 158, 140), np.float32), win)
    img = np.where(inwin[..., None], win, base)
    img = np.where(frame[..., None], np.array((214, 212, 206), np.float32) * np.float32(rng.uniform(0.85, 1.05)), img)
    img = img * (1 + 0.03 * rng.standard_normal((h, w, 1), dtype=np.float32))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)), tuple(wall.tolist())


def _tile_texture(rng: np.random.Generator, ppm: float, colour: tuple, panels: bool) -> Image.Image:
    w, h = int(_TILE_W * ppm), int(_TILE_H * ppm)
    a = ((np.arange(w) + 0.5) / ppm).astype(np.float32)
    b = ((np.arange(h) + 0.5) / ppm).astype(np.float32)
    cs, tw = max(0.34, 2.6 / ppm), max(0.3, 2.0 / ppm)  # tile course / width, never below ~2 px
    course = (b // cs).astype(int)
    shade = 0.8 + 0.28 * ((b % cs) / cs)
    tile = (a[None, :] / tw + 0.5 * (course[:, None] % 2)).astype(int)
    jit = rng.uniform(0.9, 1.1, (course.max() + 1, tile.max() + 1))[course[:, None], tile]
    img = (np.array(colour, np.float32) * np.float32(rng.uniform(0.9, 1.08)) * shade[:, None, None].astype(np.float32)
           * jit[..., None].astype(np.float32)
           * (1 + 0.08 * _smooth(rng, h, w, ppm * 3)[..., None]))
    if panels:
        pa, pb = rng.uniform(2, 30), rng.uniform(1.5, 6)
        na, nb = int(rng.integers(3, 12)), int(rng.integers(2, 5))
        ina = (a >= pa) & (a < pa + na * 1.05)
        inb = (b >= pb) & (b < pb + nb * 1.7)
        lw = max(0.06, 1.0 / ppm)
        grid = (((a - pa) % 1.05) < lw)[None, :] | (((b - pb) % 1.7) < lw)[:, None]
        pv = np.where(grid[..., None], np.array((120, 128, 146.0)), np.array((34, 44, 70.0)))
        img = np.where((inb[:, None] & ina[None, :])[..., None], pv, img)
    img = img * (1 + 0.04 * rng.standard_normal((h, w, 1), dtype=np.float32))
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def _flat_texture(rng: np.random.Generator, ppm: float, kind: str) -> tuple[Image.Image, tuple]:
    n = int(_FLAT_W * ppm)
    a = (np.arange(n) + 0.5) / ppm
    colour = {"gravel": (162, 158, 150), "membrane": (86, 86, 90), "light": (200, 200, 194)}[kind]
    colour = np.array(colour, np.float32) * np.float32(rng.uniform(0.9, 1.06))
    img = colour * (1 + 0.04 * _smooth(rng, n, n, ppm * 1.5)[..., None] + 0.035 * _smooth(rng, n, n, ppm * 6)[..., None])
    if kind == "membrane":
        seam = ((a % 1.1) < max(0.08, 1.0 / ppm))
        img = np.where(seam[None, :, None], img * 1.18, img)
    noise = 0.1 if kind == "gravel" else 0.04
    img = img * (1 + noise * rng.standard_normal((n, n, 1), dtype=np.float32))
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
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)), tuple(colour.tolist())


def _tree_sprites(rng: np.random.Generator, size: int, light: np.ndarray, n: int) -> list[Image.Image]:
    """Round leafy crowns as RGBA images lit from `light` (camera coordinates, y down)."""
    c = (np.arange(size) + 0.5) / size * 2 - 1
    x, y = c[None, :], c[:, None]
    rad, ang = np.hypot(x, y), np.arctan2(y, x)
    greens = np.array([(52, 88, 38), (62, 98, 42), (44, 76, 40), (74, 104, 46), (58, 84, 36),
                       (40, 66, 36), (84, 104, 50), (48, 80, 52)], float)
    out = []
    for i in range(n):
        k = np.arange(3, 10)[:, None, None]
        lobes = (rng.uniform(0, 0.05, 7)[:, None, None] * np.sin(k * ang + rng.uniform(0, 6.3, 7)[:, None, None])).sum(0)
        clump = _smooth(rng, size, size, size / 7)
        fine = _smooth(rng, size, size, max(size / 22, 1.0))
        edge = 0.86 + lobes + 0.05 * fine
        inside = rad < edge
        hgt = np.sqrt(np.clip(1 - (rad / edge) ** 2, 0, 1))
        bump = hgt + 0.09 * clump + 0.035 * fine
        gy, gx = np.gradient(bump)
        gx, gy = np.clip(gx * size / 2, -4, 4), np.clip(gy * size / 2, -4, 4)
        nrm = np.stack([-gx, -gy, -np.ones_like(gx)], -1)
        lam = np.clip((nrm * light).sum(-1) / np.linalg.norm(nrm, axis=-1), 0, 1)
        shade = (0.36 + 0.85 * lam) * (0.72 + 0.28 * hgt) * (0.9 + 0.18 * fine)
        col = greens[i % len(greens)] * rng.uniform(0.85, 1.12, 3) * shade[..., None]
        rgba = np.dstack([np.clip(col, 0, 255), inside * 255.0]).astype(np.uint8)
        out.append(Image.fromarray(rgba, "RGBA"))
    return out


# ----------------------------------------------------------------------------------------------
# Camera


class _Camera:
    """Pinhole camera; world x east, y north, z up; image x right, y down."""

    def __init__(self, pos, yaw: float, pitch: float, roll: float, f: float, W: int, H: int):
        cy, sy, cp, sp = math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch)
        fwd = np.array([sy * cp, cy * cp, -sp])
        right = np.array([cy, -sy, 0.0])
        down = np.cross(fwd, right)
        cr, sr = math.cos(roll), math.sin(roll)
        self.R = np.stack([cr * right + sr * down, -sr * right + cr * down, fwd])
        self.C = np.asarray(pos, float)
        self.K = np.array([[f, 0, W / 2], [0, f, H / 2], [0, 0, 1.0]])
        self.KR = self.K @ self.R
        self.t = -self.KR @ self.C
        self.fwd2 = fwd[:2] / np.hypot(fwd[0], fwd[1])
        self.f, self.W, self.H = f, W, H

    def project(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = X @ self.KR.T + self.t
        z = h[..., 2]
        return h[..., :2] / z[..., None], z

    def rays(self) -> np.ndarray:
        """Matrix M with world ray direction M @ (u, v, 1) for image point (u, v)."""
        return self.R.T @ np.linalg.inv(self.K)

    def ground(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        M = self.rays()
        d = M @ np.stack([u, v, np.ones_like(u)])
        t = -self.C[2] / np.minimum(d[2], -1e-3)
        return self.C[0] + t * d[0], self.C[1] + t * d[1]


# ----------------------------------------------------------------------------------------------
# Scene: layout + rasterised ground + per-object geometry, cached per (seed, size)


class _Scene:
    """Everything about one scene at one image size that does not change between its frames."""

    def __init__(self, seed: int, W: int, H: int):
        self.seed, self.W, self.H = seed, W, H
        self.f = _FOCAL * W
        rc = np.random.default_rng([seed, 1])
        half_v = math.atan(H / 2 / self.f)
        self.pitch = max(math.radians(rc.uniform(44, 52)), half_v + math.radians(17))
        self.alt = _ALT * rc.uniform(0.95, 1.05)
        self.cam_amp = (np.array([5, 5, 0.03, math.radians(1.6), math.radians(0.8), math.radians(0.4)])
                        * rc.uniform(0.5, 1, 6))
        self.cam_freq = rc.uniform(0.15, 0.35, 6)
        self.cam_phase = rc.uniform(0, 2 * np.pi, 6)
        az, el = rc.uniform(0, 2 * np.pi), math.radians(rc.uniform(35, 62))
        self.sun = np.array([math.cos(el) * math.sin(az), math.cos(el) * math.cos(az), math.sin(el)])
        self.sv = -self.sun[:2] / math.tan(el)  # ground offset of a shadow per metre of height
        overcast = 0.0 if rc.random() < 0.7 else rc.uniform(0.25, 0.6)
        self.amb, self.dif = 0.40 + 0.35 * overcast, 0.78 * (1 - overcast)
        self.lnorm = self.amb + self.dif * self.sun[2]
        self.shadow_rgb = self.amb / self.lnorm * np.array([0.9, 0.96, 1.12])
        temp = rc.uniform(-1, 1)
        self.gain = rc.uniform(0.88, 1.1) * np.array([1 + 0.06 * temp, 1.0, 1 - 0.08 * temp])
        self.haze = rc.uniform(0.05, 0.22)
        self.haze_rgb = np.array([188, 196, 208.0]) * rc.uniform(0.9, 1.05)
        self.vignette = rc.uniform(0.15, 0.4)
        grad_dir = rc.uniform(0, 2 * np.pi)
        self.grad = rc.uniform(0, 0.12) * np.array([math.cos(grad_dir), math.sin(grad_dir)])
        self.noise = rc.uniform(2.0, 4.0)
        self.blur = rc.uniform(0.45, 0.7) * math.sqrt(max(1.0, W / 960))
        self.res = float(np.clip(0.16 * 960 / W / _DETAIL, 0.06, 0.6))
        self.ppm = max(1.5, 6.0 * _DETAIL * W / 960)
        self.bounds = self._bounds()
        phi = rc.uniform(-np.pi / 4, np.pi / 4)
        lay = _Layout(np.random.default_rng([seed, 2]), phi, self.bounds).build()
        self._textures(np.random.default_rng([seed, 3]))
        self._raster(lay, np.random.default_rng([seed, 4]))
        self._objects(lay)
        self._noise: np.ndarray | None = None
        self._sprite_cache: dict[tuple[int, int], tuple[Image.Image, Image.Image]] = {}

    # -- camera path
    def camera(self, frame: int) -> _Camera:
        o = self.cam_amp * np.sin(self.cam_freq * frame + self.cam_phase)
        return self._camera_at(o)

    def _camera_at(self, o: np.ndarray) -> _Camera:
        return _Camera((o[0], o[1], self.alt * (1 + o[2])), o[3], self.pitch + o[4], o[5], self.f, self.W, self.H)

    def _bounds(self) -> tuple[float, float, float, float]:
        W, H = self.W, self.H
        t = np.linspace(0, 1, 17)
        u = np.concatenate([t * W, t * W, np.zeros(17), np.full(17, W)])
        v = np.concatenate([np.zeros(17), np.full(17, H), t * H, t * H])
        xs, ys = [], []
        for signs in np.array(np.meshgrid(*[[-1, 1]] * 6)).reshape(6, -1).T:
            x, y = self._camera_at(self.cam_amp * signs).ground(u, v)
            xs.append(x)
            ys.append(y)
        xs, ys = np.concatenate(xs), np.concatenate(ys)
        return xs.min() - 15, xs.max() + 15, ys.min() - 25, ys.max() + 10

    # -- textures
    def _textures(self, rng: np.random.Generator) -> None:
        ppm = self.ppm
        self.facades, self.facade_rgb = [], []
        for style, n in (("house", _N_HOUSE_FACADES), ("apt", _N_APT_FACADES), ("office", 1)):
            for _ in range(n):
                img, rgb = _facade_texture(rng, ppm, style)
                self.facades.append(img)
                self.facade_rgb.append(rgb)
        picks = rng.choice(len(_TILE_COLOURS), _N_TILES, replace=False)
        self.tile_rgb = [_TILE_COLOURS[i] for i in picks]
        self.tiles = [_tile_texture(rng, ppm, c, rng.random() < 0.35) for c in self.tile_rgb]
        self.flats, self.flat_rgb = zip(*[_flat_texture(rng, ppm, k) for k in _FLAT_KINDS])
        size = max(12, int(round(76 * self.W / 960)))
        cam = self.camera(0)
        self.sprites = _tree_sprites(rng, size, cam.R @ self.sun, _N_TREES)

    def shade(self, n: np.ndarray) -> np.ndarray:
        return (self.amb + self.dif * np.maximum(0, n @ self.sun)) / self.lnorm

    def noise_tile(self, rng: np.random.Generator) -> np.ndarray:
        """Sensor noise for one frame: a random window of a per-scene noise image."""
        if self._noise is None:
            g = np.random.default_rng([self.seed, 6])
            self._noise = np.empty((self.H + 32, self.W + 32, 3), np.int8)
            for r0 in range(0, self.H + 32, 256):
                band = self._noise[r0:r0 + 256]
                band[:] = np.clip(g.standard_normal(band.shape, dtype=np.float32) * self.noise, -127, 127)
        dy, dx = rng.integers(0, 33, 2)
        return self._noise[dy:dy + self.H, dx:dx + self.W]

    def sprite(self, k: int, d: int) -> tuple[Image.Image, Image.Image]:
        key = (k, d)
        if key not in self._sprite_cache:
            rgba = self.sprites[k].resize((d, d), Image.BILINEAR)
            mask = rgba.getchannel("A").point([0] * 128 + [255] * 128)
            self._sprite_cache[key] = (rgba.convert("RGB"), mask)
        return self._sprite_cache[key]

    # -- ground raster
    def _raster(self, lay: _Layout, rng: np.random.Generator) -> None:
        x0, x1, y0, y1 = self.bounds
        res = self.res
        mw, mh = int(math.ceil((x1 - x0) / res)), int(math.ceil((y1 - y0) / res))
        self.map_x0, self.map_y1 = x0, y1

        def px(pts):
            pts = np.asarray(pts, float)
            return np.stack([(pts[:, 0] - x0) / res - 0.5, (y1 - pts[:, 1]) / res - 0.5], 1).ravel().tolist()

        mat = Image.new("L", (mw, mh), _MAT["asphalt"])
        draw = ImageDraw.Draw(mat)
        for m, pts in lay.polys:
            draw.polygon(px(pts), fill=m)
        sres = 2 * res
        shadow = Image.new("L", (int(math.ceil(mw / 2)), int(math.ceil(mh / 2))), 0)
        ds = ImageDraw.Draw(shadow)
        sv = self.sv

        def spx(pts):
            pts = np.asarray(pts, float)
            return np.stack([(pts[:, 0] - x0) / sres - 0.5, (y1 - pts[:, 1]) / sres - 0.5], 1).ravel().tolist()

        for b in lay.buildings:  # soft ambient occlusion around the walls
            c, ax, a, bb = b["centre"], b["axis"], b["a"] + 1.0, b["b"] + 1.0
            perp = np.array([-ax[1], ax[0]])
            ds.polygon(spx([c + sa * a * ax + sb * bb * perp for sa, sb in ((-1, -1), (1, -1), (1, 1), (-1, 1))]), fill=90)
        self._solids_cache = [self._building_solid(b) for b in lay.buildings]
        for verts, _ in self._solids_cache:
            ds.polygon(spx(_hull(verts[:, :2] + verts[:, 2:3] * sv)), fill=255)
        for x, y, r, zc, _ in lay.trees:
            ang = np.linspace(0, 2 * np.pi, 16, endpoint=False)
            ring = np.stack([np.cos(ang), np.sin(ang)], 1) * r
            sun2 = self.sun[:2] / max(np.linalg.norm(self.sun[:2]), 1e-6)
            ring = ring + np.outer(ring @ sun2, sun2) * (1 / self.sun[2] - 1)  # stretch along the sun
            ds.polygon(spx(np.array([x, y]) + zc * sv + ring), fill=255)
            ds.line(spx([(x, y), (x + zc * sv[0], y + zc * sv[1])]), fill=255, width=max(1, int(0.4 / sres)))
        for x, y, ang, length, width, h, _ in lay.boxes:
            fp = self._footprint(x, y, ang, length + 0.4, width + 0.4)
            ds.polygon(spx(_hull(np.vstack([fp, fp + h * sv]))), fill=255)
        for x, y, ang, length, width, _, van in lay.cars:
            fp = self._footprint(x, y, ang, length, width)
            ds.polygon(spx(_hull(np.vstack([fp, fp + (2.0 if van else 1.3) * sv]))), fill=255)
        shadow = shadow.resize((mw, mh), Image.BILINEAR, box=(0, 0, mw / 2, mh / 2))

        # One packed RGB+class texel per (material, colour mix, brightness, shadow) quantisation step.
        nmat, nmix, nbri, nsh = len(_MATERIALS), 16, 48, 8
        a = np.array([m[2] for m in _MATERIALS], float) * rng.uniform(0.93, 1.07, (nmat, 3))
        b = np.array([m[3] for m in _MATERIALS], float) * rng.uniform(0.93, 1.07, (nmat, 3))
        mix = np.linspace(0, 1, nmix)[None, :, None, None, None]
        bri = np.linspace(0.4, 1.6, nbri)[None, None, :, None, None]
        shf = 1 - np.linspace(0, 1, nsh)[:, None] * (1 - self.shadow_rgb)
        rgb = (a[:, None, None, None] + (b - a)[:, None, None, None] * mix) * bri * shf[None, None, None]
        rgb = np.clip(rgb + 0.5, 0, 255).astype(np.uint32)
        cls = np.array([m[1] for m in _MATERIALS], np.uint32)[:, None, None, None]
        lut = (rgb[..., 0] | rgb[..., 1] << 8 | rgb[..., 2] << 16 | cls << 24).ravel()
        mix_gain = np.array([m[4] for m in _MATERIALS], np.float32) * np.float32(0.35 * (nmix - 1))
        amp_mid = np.array([m[5] for m in _MATERIALS], np.float32) * np.float32((nbri - 1) / 1.2)
        amp_fine = np.array([m[6] for m in _MATERIALS], np.float32) * np.float32(math.sqrt(3) * (nbri - 1) / 1.2)
        grids = []
        for cell_m in (0.7, 5.0, 35.0):
            cell = max(cell_m / res, 1.0)
            g = rng.standard_normal((int(mh / cell) + 3, int(mw / cell) + 3)).astype(np.float32)
            grids.append((Image.fromarray(g), cell))
        mat_a, sh_a = np.asarray(mat), np.asarray(shadow)
        packed = np.empty((mh, mw), np.uint32)
        for r0 in range(0, mh, 256):
            r1 = min(mh, r0 + 256)
            m = mat_a[r0:r1]
            nm, nc, nl = (np.asarray(g.resize((mw, r1 - r0), Image.BICUBIC, box=(0, r0 / cell, mw / cell, r1 / cell)))
                          for g, cell in grids)
            idx = np.clip(mix_gain[m] * nc + 7.5, 0, nmix - 1).astype(np.int32)
            idx += m * np.int32(nmix)
            idx *= nbri
            nf = rng.random(m.shape, dtype=np.float32) * 2 - 1
            level = amp_mid[m] * nm + amp_fine[m] * nf + (0.05 * (nbri - 1) / 1.2) * nl + (0.6 * (nbri - 1) / 1.2 + 0.5)
            idx += np.clip(level, 0, nbri - 1).astype(np.int32)
            idx *= nsh
            idx += sh_a[r0:r1] >> 5
            packed[r0:r1] = np.take(lut, idx)
        levels = [packed.view(np.uint8).reshape(mh, mw, 4)]
        for _ in range(2):  # mip levels: 2x2 mean colour, class of one texel
            p = levels[-1]
            h2, w2 = p.shape[0] // 2, p.shape[1] // 2
            q = p[:2 * h2, :2 * w2]
            nxt = np.empty((h2, w2, 4), np.uint8)
            total = q[0::2, 0::2, :3].astype(np.uint16) + q[1::2, 0::2, :3] + q[0::2, 1::2, :3] + q[1::2, 1::2, :3]
            nxt[..., :3] = (total + 2) // 4
            nxt[..., 3] = q[0::2, 0::2, 3]
            levels.append(nxt)
        self.levels = [np.ascontiguousarray(p).view(np.uint32)[..., 0] for p in levels]

    @staticmethod
    def _footprint(x: float, y: float, ang: float, length: float, width: float) -> np.ndarray:
        c, s = math.cos(ang), math.sin(ang)
        loc = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1)]) * (length / 2, width / 2)
        return loc @ np.array([[c, s], [-s, c]]) + (x, y)

    # -- upright objects
    def _building_solid(self, b: dict) -> tuple[np.ndarray, list]:
        """Vertices and faces (point list, kind, payload) of one building, in drawing order."""
        c = np.array([b["centre"][0], b["centre"][1], 0.0])
        eu = np.array([b["axis"][0], b["axis"][1], 0.0])
        ev = np.array([-eu[1], eu[0], 0.0])
        ez = np.array([0, 0, 1.0])
        a, bb, he, roof = b["a"], b["b"], b["he"], b["roof"]
        tp = math.tan(b["pitch"])
        P = lambda u, v, z: c + u * eu + v * ev + z * ez
        faces = []
        corners = [(-a, -bb), (a, -bb), (a, bb), (-a, bb)]
        hr = he + bb * tp
        inside = c + 0.5 * he * ez  # orients the face normals outwards
        for i in range(4):
            (pu, pv), (qu, qv) = corners[i], corners[(i + 1) % 4]
            pts = [P(pu, pv, 0), P(qu, qv, 0), P(qu, qv, he)]
            if roof == "gable" and i in (1, 3):
                pts.append(P(qu, 0, hr))
            pts.append(P(pu, pv, he))
            e1 = _unit(pts[1] - pts[0])
            wall = np.linalg.norm(pts[1] - pts[0])
            off = ((b["foff"] + 0.37 * i) % 1.0) * max(0.0, _TEX_W - 0.6 - wall) + 0.3
            faces.append((np.array(pts), "tex", ("facade", b["facade"], pts[0], e1, ez, 1, off, -1, _TEX_H), inside))
        if roof == "flat":
            ri = b["roof_tex"]
            faces.append((np.array([P(u, v, he) for u, v in corners]), "solid",
                          tuple(0.5 * np.array(self.flat_rgb[ri]) + 0.5 * np.array(self.facade_rgb[b["facade"]])), inside))
            k = 0.45
            inner = [P(u - np.sign(u) * k, v - np.sign(v) * k, he) for u, v in corners]
            avail = max(0.0, _FLAT_W - 0.6 - 2 * max(a, bb))
            faces.append((np.array(inner), "tex", ("flat", ri, inner[0], eu, ev, 1, 0.3 + b["roff"][0] * avail,
                                                   1, 0.3 + b["roff"][1] * avail), inside))
        else:
            o = 0.35
            ze = he - o * tp
            E = [P(-a - o, -bb - o, ze), P(a + o, -bb - o, ze), P(a + o, bb + o, ze), P(-a - o, bb + o, ze)]
            if roof == "gable":
                R0, R1 = P(-a - o, 0, hr), P(a + o, 0, hr)
                planes = [[E[0], E[1], R1, R0], [E[2], E[3], R0, R1]]
            else:
                r = max(a - bb, 0.0)
                R0, R1 = P(-r, 0, hr), P(r, 0, hr)
                planes = [[E[0], E[1], R1, R0], [E[2], E[3], R0, R1], [E[1], E[2], R1], [E[3], E[0], R0]]
            avail = max(0.0, _TILE_W - 0.6 - 2 * (a + o))
            for j, pl in enumerate(planes):
                e1 = _unit(pl[1] - pl[0])
                eave = (pl[0] + pl[1]) / 2
                top = R0 if j == 3 else R1 if j == 2 else (R0 + R1) / 2
                e2 = _unit(top - eave - e1 * ((top - eave) @ e1))
                off = 0.3 + ((b["roff"][0] + 0.29 * j) % 1.0) * avail
                faces.append((np.array(pl), "tex", ("tile", b["roof_tex"], pl[0], e1, e2, 1, off, 1,
                                                    0.3 + b["roff"][1] * 4), inside))
            faces.append((np.array([R0, R1]), "line", tuple(0.72 * np.array(self.tile_rgb[b["roof_tex"]])), inside))
        for u, v, lu, lv, z0, z1, colour in b["parts"]:
            base = c + u * eu + v * ev
            loc = _box_vertices(lu, lv, z0, z1)
            verts = base + loc[:, :1] * eu + loc[:, 1:2] * ev + loc[:, 2:3] * ez
            for f in _BOX_FACES:
                faces.append((verts[f], "solid", colour, verts.mean(0)))
        return np.vstack([f[0] for f in faces]), faces

    def _objects(self, lay: _Layout) -> None:
        # buildings: per face kind, texture mapping, outward normal, shade
        self.buildings = []
        for b, (verts, faces) in zip(lay.buildings, self._solids_cache):
            out, start = [], 0
            for pts, kind, payload, inside in faces:
                idx = np.arange(start, start + len(pts))
                start += len(pts)
                if kind == "line":
                    out.append((kind, idx, np.zeros(3), pts.mean(0), payload))
                    continue
                cen = pts.mean(0)
                n = _unit(np.cross(pts[1] - pts[0], pts[-1] - pts[0]))
                if n @ (cen - inside) < 0:
                    n = -n
                s = float(self.shade(n))
                if kind == "solid":
                    payload = tuple(int(min(255, max(0, ch * s))) for ch in payload)
                else:
                    payload = payload + (s,)
                out.append((kind, idx, n, cen, payload))
            self.buildings.append((verts, out, np.append(b["centre"], b["he"] * 0.6),
                                   math.hypot(b["a"], b["b"]) + b["he"]))
        # trees
        t = np.array(lay.trees, float).reshape(-1, 5)
        self.tree_xy, self.tree_r, self.tree_zc, self.tree_kind = t[:, :2], t[:, 2], t[:, 3], t[:, 4].astype(int)
        # static cars, clutter boxes, moving cars
        self.cars = self._vehicles(np.array([c[:3] for c in lay.cars], float).reshape(-1, 3),
                                   [c[3:] for c in lay.cars])
        bx = np.array([b[:6] for b in lay.boxes], float).reshape(-1, 6)
        verts = np.stack([_box_vertices(l, w, 0, h) for l, w, h in bx[:, 3:6]]) if len(bx) else np.zeros((0, 8, 3))
        self.boxes = self._solids(bx[:, :3], verts, _BOX_FACES,
                                  np.array([b[6] for b in lay.boxes], float).reshape(-1, 1, 3).repeat(5, 1))
        mv = np.array([m[:7] for m in lay.movers], float).reshape(-1, 7)
        self.mv_start, self.mv_dir, self.mv_span, self.mv_speed, self.mv_s0 = (
            mv[:, 0:2], mv[:, 2:4], mv[:, 4], mv[:, 5], mv[:, 6])
        pose = np.column_stack([np.zeros((len(mv), 2)), np.arctan2(mv[:, 3], mv[:, 2])])
        self.movers = self._vehicles(pose, [m[7:] for m in lay.movers])
        hm = np.array(lay.humans, float).reshape(-1, 8)
        self.hm_xy, self.hm_dir, self.hm_amp, self.hm_phase = hm[:, 0:2], hm[:, 2:4], hm[:, 4], hm[:, 5]
        self.hm_clothes, self.hm_hair = _CLOTHES[hm[:, 6].astype(int)], _HAIR[hm[:, 7].astype(int)]

    def _vehicles(self, pose: np.ndarray, shapes: list) -> dict:
        """Cars and vans: a body box under a tapered cabin (glass, body-coloured roof)."""
        verts, cols = [], []
        glass = np.array([40, 46, 56.0])
        for length, width, colour, van in shapes:
            body = _CAR_COLOURS[colour]
            if van:
                cabin = _box_vertices(length, width, 0.85, 2.05, (-0.5 * length, 0.28 * length, -0.46 * width, 0.46 * width))
                cabin[:4, 0] = np.clip(cabin[:4, 0], -0.5 * length, 0.36 * length)
                sides = [body * 0.9, glass, body * 0.9, body * 0.9]  # only the windscreen is glass
            else:
                cabin = _box_vertices(length, width, 0.85, 1.45, (-0.26 * length, 0.08 * length, -0.38 * width, 0.38 * width))
                cabin[:4, 0] = np.clip(cabin[:4, 0], -0.31 * length, 0.2 * length)
                cabin[:4, 1] *= 0.9
                sides = [glass] * 4
            verts.append(np.vstack([_box_vertices(length, width, 0.2, 0.85), cabin]))
            cols.append([body * 0.86] * 4 + [body] + sides + [body * 1.02])
        verts = np.array(verts, float).reshape(-1, 16, 3)
        return self._solids(pose, verts, _CAR_FACES, np.array(cols, float).reshape(-1, 10, 3))

    def _solids(self, pose: np.ndarray, local: np.ndarray, faces: np.ndarray, cols: np.ndarray) -> dict:
        """Convex solids placed at pose (x, y, heading): rotated vertices, normals, shaded colours."""
        c, s = np.cos(pose[:, 2]), np.sin(pose[:, 2])
        rot = np.zeros((len(pose), 3, 3))
        rot[:, 0, 0], rot[:, 0, 1], rot[:, 1, 0], rot[:, 1, 1], rot[:, 2, 2] = c, -s, s, c, 1
        verts = np.einsum("nij,nkj->nki", rot, local) if len(pose) else local
        centre = verts.mean(1)
        normals, cents = _face_normals(verts, faces, centre)
        shade = self.shade(normals.reshape(-1, 3)).reshape(normals.shape[:2])
        colours = np.clip(cols * shade[..., None], 0, 255).astype(int)
        verts = verts + np.concatenate([pose[:, :2], np.zeros((len(pose), 1))], 1)[:, None, :]
        cents = cents + np.concatenate([pose[:, :2], np.zeros((len(pose), 1))], 1)[:, None, :]
        return dict(verts=verts, normals=normals, cents=cents, colours=colours, faces=faces)


@functools.lru_cache(maxsize=2)
def _scene(seed: int, W: int, H: int) -> _Scene:
    return _Scene(seed, W, H)


# ----------------------------------------------------------------------------------------------
# Frame rendering


def _render_ground(sc: _Scene, cam: _Camera) -> tuple[np.ndarray, np.ndarray]:
    """Perspective view of the ground raster (inverse mapping, nearest texel of a mip level)."""
    W, H = sc.W, sc.H
    M = cam.rays()
    vv = np.arange(H) + 0.5
    d = M @ np.stack([np.full(H, W / 2), vv, np.ones(H)])
    dist = -cam.C[2] / np.minimum(d[2], -1e-3) * np.linalg.norm(d, axis=0)
    footprint = dist / cam.f * np.sqrt(dist / cam.C[2])  # geometric mean of across/along-view texel size
    level = np.clip(np.floor(np.log2(footprint / (1.5 * sc.res))) + 1, 0, len(sc.levels) - 1).astype(int)
    M = M.astype(np.float32)
    u = np.arange(W, dtype=np.float32) + 0.5
    img = np.empty((H, W, 3), np.uint8)
    lab = np.empty((H, W), np.uint8)
    cx, cy, cz = (float(c) for c in cam.C)
    r0 = 0
    while r0 < H:
        lv, r1 = level[r0], r0 + 1
        while r1 < H and level[r1] == lv and r1 - r0 < 256:
            r1 += 1
        tex = sc.levels[lv]
        inv = 1.0 / (sc.res * 2 ** lv)
        v = (np.arange(r0, r1, dtype=np.float32) + 0.5)[:, None]
        t = -cz / np.minimum(M[2, 0] * u + (M[2, 1] * v + M[2, 2]), -1e-3)
        col = (t * (M[0, 0] * u + (M[0, 1] * v + M[0, 2])) + (cx - sc.map_x0)) * inv
        row = ((sc.map_y1 - cy) - t * (M[1, 0] * u + (M[1, 1] * v + M[1, 2]))) * inv
        np.clip(col, 0, tex.shape[1] - 1, out=col)
        np.clip(row, 0, tex.shape[0] - 1, out=row)
        texels = np.take(tex.ravel(), row.astype(np.int32) * tex.shape[1] + col.astype(np.int32))
        texels = texels.view(np.uint8).reshape(r1 - r0, W, 4)
        img[r0:r1] = texels[..., :3]
        lab[r0:r1] = texels[..., 3]
        r0 = r1
    return img, lab


def _flat(pts: np.ndarray, x0: float = 0.0, y0: float = 0.0) -> list[float]:
    """PIL polygon coordinates (pixel centres at integers) for continuous image points."""
    return (pts - (x0 + 0.5, y0 + 0.5)).ravel().tolist()


def _paste_face(sc: _Scene, cam: _Camera, im: Image.Image, lb: Image.Image, pts: np.ndarray, payload: tuple) -> None:
    kind, ti, O, e1, e2, sa, oa, sb, ob, shade = payload
    tex = sc.facades[ti] if kind == "facade" else sc.tiles[ti] if kind == "tile" else sc.flats[ti]
    x0, x1 = max(int(math.floor(pts[:, 0].min())), 0), min(int(math.ceil(pts[:, 0].max())) + 1, sc.W)
    y0, y1 = max(int(math.floor(pts[:, 1].min())), 0), min(int(math.ceil(pts[:, 1].max())) + 1, sc.H)
    if x1 <= x0 or y1 <= y0:
        return
    size = (x1 - x0, y1 - y0)
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon(_flat(pts, x0, y0), fill=255)
    plane_to_img = cam.KR @ np.column_stack([e1, e2, O - cam.C])
    p = sc.ppm
    img_to_tex = (np.array([[p * sa, 0, p * oa], [0, p * sb, p * ob], [0, 0, 1.0]])
                  @ np.linalg.inv(plane_to_img) @ np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1.0]]))
    img_to_tex /= img_to_tex[2, 2]
    patch = tex.transform(size, Image.PERSPECTIVE, tuple(img_to_tex.ravel()[:8]), Image.BILINEAR)
    if abs(shade - 1) > 0.01:
        patch = Image.blend(Image.new("RGB", size), patch, shade)
    im.paste(patch, (x0, y0), mask)
    lb.paste(BUILDING, (x0, y0, x1, y1), mask)


def _draw_building(sc: _Scene, cam: _Camera, i: int, im, lb, di, dl) -> None:
    verts, faces, _, _ = sc.buildings[i]
    uv, z = cam.project(verts)
    for kind, idx, n, cen, payload in faces:
        if kind == "line":
            w = max(1, int(round(0.3 * cam.f / z[idx].mean())))
            di.line(_flat(uv[idx]), fill=tuple(int(c) for c in payload), width=w)
            dl.line(_flat(uv[idx]), fill=BUILDING, width=w)
        elif (cam.C - cen) @ n > 0:
            if kind == "solid":
                di.polygon(_flat(uv[idx]), fill=payload)
                dl.polygon(_flat(uv[idx]), fill=BUILDING)
            else:
                _paste_face(sc, cam, im, lb, uv[idx], payload)


def _draw_mover(sc: _Scene, cam: _Camera, i: int, xy: np.ndarray, uv: np.ndarray, vis: np.ndarray,
                im, lb, dsh, shadow_alpha: int) -> None:
    """A driving car, smeared along its direction of travel (motion blur)."""
    mv = sc.movers
    foot = mv["verts"][i, :4, :2] + xy
    shadow = _hull(np.vstack([foot, foot + 1.2 * sc.sv]))
    dsh.polygon(_flat(cam.project(np.column_stack([shadow, np.zeros(len(shadow))]))[0]),
                fill=(0, 0, 0, shadow_alpha))
    half = 0.5 * (0.3 * sc.mv_speed[i] + 0.6) * sc.mv_dir[i]
    ends = cam.project(np.array([[*(xy + half), 0.8], [*(xy - half), 0.8]]))[0]
    bx, by = ends[0] - ends[1]
    pad = int(math.ceil(max(abs(bx), abs(by)) / 2)) + 2
    x0, y0 = int(math.floor(uv[:, 0].min())) - pad, int(math.floor(uv[:, 1].min())) - pad
    x1, y1 = int(math.ceil(uv[:, 0].max())) + pad, int(math.ceil(uv[:, 1].max())) + pad
    if x1 <= 0 or y1 <= 0 or x0 >= sc.W or y0 >= sc.H:
        return
    patch = Image.new("RGBA", (x1 - x0, y1 - y0), (0, 0, 0, 0))
    dp = ImageDraw.Draw(patch)
    cols = mv["colours"][i]
    for f in np.flatnonzero(vis):
        dp.polygon(_flat(uv[mv["faces"][f]], x0, y0), fill=tuple(cols[f]) + (255,))
    arr = np.asarray(patch, np.float32).copy()
    arr[..., :3] *= arr[..., 3:] / 255
    n = max(2, int(math.ceil(math.hypot(bx, by))) + 1)
    acc = np.zeros_like(arr)
    h, w = arr.shape[:2]
    for t in np.linspace(-0.5, 0.5, n):  # the patch has a transparent margin wider than any shift
        dy, dx = int(round(t * by)), int(round(t * bx))
        acc[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] += arr[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    acc /= n
    alpha = acc[..., 3]
    rgb = acc[..., :3] * (255 / np.maximum(alpha, 1e-3))[..., None]
    im.paste(Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)), (x0, y0),
             Image.fromarray(alpha.astype(np.uint8)))
    lb.paste(MOVING_CAR, (x0, y0, x1, y1), Image.fromarray(np.where(alpha >= 127.5, 255, 0).astype(np.uint8)))


def _draw_objects(sc: _Scene, cam: _Camera, frame: int, im: Image.Image, lb: Image.Image) -> None:
    """Upright objects, back to front (painter's algorithm on distance along the view)."""
    W, H, C, f = sc.W, sc.H, cam.C, cam.f
    di, dl, dsh = ImageDraw.Draw(im), ImageDraw.Draw(lb), ImageDraw.Draw(im, "RGBA")
    shadow_alpha = int(255 * (1 - float(np.mean(sc.shadow_rgb))) * 0.85)

    def visible(centres, radius):
        uv, z = cam.project(centres)
        r = f * radius / np.maximum(z, 1e-3)
        ok = ((z > 1) & (uv[:, 0] + r > 0) & (uv[:, 0] - r < W) & (uv[:, 1] + r > 0) & (uv[:, 1] - r < H))
        return np.flatnonzero(ok)

    def depth(xy):
        return (xy - C[:2]) @ cam.fwd2

    keys, kinds, idxs = [], [], []

    def add(kind, sel, xy):
        keys.append(depth(xy[sel]))
        kinds.append(np.full(len(sel), kind))
        idxs.append(sel)

    bc = np.array([b[2] for b in sc.buildings]).reshape(-1, 3)
    br = np.array([b[3] for b in sc.buildings])
    add(0, visible(bc, br), bc[:, :2])
    tc = np.column_stack([sc.tree_xy, sc.tree_zc])
    tsel = visible(tc, sc.tree_r + sc.tree_zc)
    add(1, tsel, sc.tree_xy)
    cars, boxes, mv = sc.cars, sc.boxes, sc.movers
    car_xy = cars["verts"][:, :, :2].mean(1)
    csel = visible(np.column_stack([car_xy, np.full(len(car_xy), 0.8)]), np.full(len(car_xy), 3.5))
    add(2, csel, car_xy)
    box_xy = boxes["verts"][:, :, :2].mean(1)
    xsel = visible(np.column_stack([box_xy, np.full(len(box_xy), 1.5)]), np.full(len(box_xy), 5.0))
    add(3, xsel, box_xy)
    mv_xy = sc.mv_start + sc.mv_dir * ((sc.mv_s0 + sc.mv_speed * frame) % sc.mv_span)[:, None]
    msel = visible(np.column_stack([mv_xy, np.full(len(mv_xy), 0.8)]), np.full(len(mv_xy), 4.0))
    add(4, msel, mv_xy)
    hm_xy = sc.hm_xy + sc.hm_dir * (sc.hm_amp * np.sin(0.6 * frame + sc.hm_phase))[:, None]
    hsel = visible(np.column_stack([hm_xy, np.full(len(hm_xy), 0.9)]), np.full(len(hm_xy), 2.0))
    add(5, hsel, hm_xy)
    keys, kinds, idxs = np.concatenate(keys), np.concatenate(kinds), np.concatenate(idxs)

    # batch projections per kind
    tuv, tz = cam.project(tc[tsel]) if len(tsel) else (np.zeros((0, 2)), np.zeros(0))
    tg = cam.project(np.column_stack([sc.tree_xy[tsel], np.zeros(len(tsel))]))[0]
    tree_at = {j: k for k, j in enumerate(tsel)}

    def solids(d, sel, shift=None):
        verts, cents = d["verts"][sel], d["cents"][sel]
        if shift is not None:  # moving cars are stored at the origin
            off = np.column_stack([shift, np.zeros(len(sel))])[:, None]
            verts, cents = verts + off, cents + off
        vis = ((C - cents) * d["normals"][sel]).sum(-1) > 0
        return {j: k for k, j in enumerate(sel)}, cam.project(verts)[0], vis

    car_at, car_uv, car_vis = solids(cars, csel)
    box_at, box_uv, box_vis = solids(boxes, xsel)
    mv_at, mv_uv, mv_vis = solids(mv, msel, mv_xy[msel])
    huv = {}
    if len(hsel):
        p = np.column_stack([hm_xy[hsel], np.zeros(len(hsel))])
        g, z = cam.project(p)
        head = cam.project(p + (0, 0, 1.6))[0]
        shoulder = cam.project(p + (0, 0, 1.2))[0]
        tip = p[:, :2] + 1.7 * sc.sv
        side = np.array([-sc.sv[1], sc.sv[0]]) / max(np.linalg.norm(sc.sv), 1e-6)
        quad = np.stack([p[:, :2] - 0.25 * side, tip - 0.12 * side, tip + 0.12 * side, p[:, :2] + 0.25 * side], 1)
        sh = cam.project(np.concatenate([quad, np.zeros(quad.shape[:2] + (1,))], -1))[0]
        for k, j in enumerate(hsel):
            huv[j] = (g[k], head[k], shoulder[k], f / z[k], sh[k])

    for o in np.argsort(-keys, kind="stable"):
        kind, j = kinds[o], idxs[o]
        if kind == 0:
            _draw_building(sc, cam, j, im, lb, di, dl)
        elif kind == 1:
            k = tree_at[j]
            s = f / tz[k]
            w = max(1, int(round(0.35 * s)))
            line = _flat(np.array([tg[k], tuv[k]]))
            di.line(line, fill=(70, 56, 42), width=w)
            dl.line(line, fill=TREE, width=w)
            d = max(2, int(round(2 * sc.tree_r[j] * s)))
            rgb, mask = sc.sprite(sc.tree_kind[j], d)
            x0, y0 = int(round(tuv[k, 0] - d / 2)), int(round(tuv[k, 1] - d / 2))
            im.paste(rgb, (x0, y0), mask)
            lb.paste(TREE, (x0, y0, x0 + d, y0 + d), mask)
        elif kind in (2, 3):
            d, at, uv, vis, cls = ((cars, car_at, car_uv, car_vis, STATIC_CAR) if kind == 2
                                   else (boxes, box_at, box_uv, box_vis, CLUTTER))
            k = at[j]
            cols = d["colours"][j]
            for fi in np.flatnonzero(vis[k]):
                poly = _flat(uv[k][d["faces"][fi]])
                di.polygon(poly, fill=tuple(cols[fi]))
                dl.polygon(poly, fill=cls)
        elif kind == 4:
            k = mv_at[j]
            _draw_mover(sc, cam, j, mv_xy[j], mv_uv[k], mv_vis[k], im, lb, dsh, shadow_alpha)
        else:
            g, head, shoulder, s, sh = huv[j]
            dsh.polygon(_flat(sh), fill=(0, 0, 0, shadow_alpha))
            hw = max(1.5, 0.45 * s)
            box = [g[0] - hw - 0.5, min(shoulder[1], g[1] - 1.5) - 0.5, g[0] + hw - 0.5, g[1] - 0.5]
            clothes = tuple(int(c) for c in sc.hm_clothes[j])
            di.ellipse(box, fill=clothes)
            dl.ellipse(box, fill=HUMAN)
            hr = max(1.0, 0.17 * s)
            hbox = [head[0] - hr - 0.5, head[1] - hr - 0.5, head[0] + hr - 0.5, head[1] + hr - 0.5]
            di.ellipse(hbox, fill=tuple(int(c) for c in sc.hm_hair[j]))
            dl.ellipse(hbox, fill=HUMAN)


def _finish(sc: _Scene, cam: _Camera, frame: int, im: Image.Image) -> np.ndarray:
    """Camera effects: slight blur, illumination gradient, vignetting, haze, colour cast, sensor noise."""
    W, H = sc.W, sc.H
    if sc.blur < 0.9:  # a 3x3 kernel is exact enough at this sigma and faster
        w1, w2 = math.exp(-0.5 / sc.blur ** 2), math.exp(-1 / sc.blur ** 2)
        kernel = [w2, w1, w2, w1, 1.0, w1, w2, w1, w2]
        blur = ImageFilter.Kernel((3, 3), kernel, scale=sum(kernel))
    else:
        blur = ImageFilter.GaussianBlur(sc.blur)
    src = np.asarray(im.filter(blur))
    rng = np.random.default_rng([sc.seed, frame, 5])
    d = cam.rays() @ np.stack([np.full(H, W / 2), np.arange(H) + 0.5, np.ones(H)])
    dist = -cam.C[2] / np.minimum(d[2], -1e-3) * np.linalg.norm(d, axis=0)
    haze = sc.haze * np.clip((dist - 0.9 * sc.alt) / (2.5 * sc.alt), 0, 1)
    row_gain = ((1 - haze)[:, None] * sc.gain).astype(np.float32)[:, None, :]
    row_add = (haze[:, None] * sc.haze_rgb + 0.5).astype(np.float32)[:, None, :]
    xs = ((np.arange(W) + 0.5) / W - 0.5).astype(np.float32)
    noise = sc.noise_tile(rng)
    out = np.empty((H, W, 3), np.uint8)
    for r0 in range(0, H, 256):
        r1 = min(H, r0 + 256)
        ys = ((np.arange(r0, r1) + 0.5) / H - 0.5).astype(np.float32)[:, None]
        light = 1 + 2 * (sc.grad[0] * xs + sc.grad[1] * ys) - sc.vignette * (xs * xs + ys * ys)
        a = src[r0:r1] * (light[..., None] * row_gain[r0:r1])
        a += row_add[r0:r1]
        a += noise[r0:r1]
        np.clip(a, 0, 255, out=a)
        out[r0:r1] = a
    return out


def render_frame(scene_seed: int, frame: int, size: tuple[int, int] = (960, 540)) -> tuple[np.ndarray, np.ndarray]:
    """Image (H, W, 3) uint8 RGB and label (H, W) uint8 class indices of one frame of one scene."""
    W, H = int(size[0]), int(size[1])
    check(W >= 16 and H >= 16, f"stand-in frame size {W}x{H} is too small: STANDIN_WIDTH and STANDIN_HEIGHT must be at least 16")
    sc = _scene(int(scene_seed) % 2 ** 63, W, H)
    cam = sc.camera(int(frame))
    img, lab = _render_ground(sc, cam)
    im, lb = Image.fromarray(img), Image.fromarray(lab)
    _draw_objects(sc, cam, int(frame), im, lb)
    return _finish(sc, cam, int(frame), im), np.array(lb)


# ----------------------------------------------------------------------------------------------
# Dataset on disk


def _sequence_seed(seed: int, seq: int) -> int:
    return int(np.random.SeedSequence([int(seed) % 2 ** 63, seq]).generate_state(1)[0])


def _save_png(img: Image.Image, path: Path, **kw) -> None:
    tmp = path.with_name("." + path.name + ".tmp")
    img.save(tmp, format="PNG", **kw)
    os.replace(tmp, path)


def _write_frame(directory: Path, name: str, img: np.ndarray, lab: np.ndarray) -> None:
    if not (directory / "Labels" / name).exists():  # fast zlib level: the files are read once and not shipped
        _save_png(Image.fromarray(PALETTE[lab]), directory / "Labels" / name, compress_level=1)
    if not (directory / "Images" / name).exists():
        _save_png(Image.fromarray(img), directory / "Images" / name, compress_level=1)


def _write_sequence(directory: str, scene_seed: int, size: tuple[int, int], frames: list[int]) -> None:
    """Render and write the given frames of one sequence."""
    d = Path(directory)
    (d / "Images").mkdir(parents=True, exist_ok=True)
    (d / "Labels").mkdir(parents=True, exist_ok=True)
    for k in frames:
        img, lab = render_frame(scene_seed, k, size)
        _write_frame(d, f"{k * 100:06d}.png", img, lab)
    _scene.cache_clear()


# UAVid's own sequence numbers: uavid_train holds seq1-15 and seq31-35, uavid_val seq16-20, seq36 and seq37
# (the unlabelled test set has the others).
TRAIN_SEQUENCES = (*range(1, 16), *range(31, 36))
VAL_SEQUENCES = (*range(16, 21), 36, 37)


def make_standin(root: str | Path, size: tuple[int, int] = (960, 540), frames: int = 10,
                 train_sequences: int = 20, val_sequences: int = 7, seed: int = 0) -> Path:
    """Write the stand-in under root in UAVid's layout (skip files already there) and return root."""
    check(0 < train_sequences <= len(TRAIN_SEQUENCES) and 0 < val_sequences <= len(VAL_SEQUENCES),
          f"the stand-in has 1 to {len(TRAIN_SEQUENCES)} training and 1 to {len(VAL_SEQUENCES)} validation sequences, "
          f"as UAVid: got {train_sequences} and {val_sequences}")
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    note = root / "STANDIN.txt"
    # "numbering=uavid": sequences numbered as UAVid's; stand-ins written before that used seq1-27
    settings = (f"seed={seed}, size={tuple(size)}, frames={frames}, train={train_sequences}, val={val_sequences}, "
                "numbering=uavid")
    if note.exists():
        text = note.read_text()
        made = text.splitlines()[0] if text else "an empty STANDIN.txt"
        check(f"({settings})" in made, f"{root}/ holds a stand-in made with other settings ({made}): delete that "
                                       f"folder, or set STANDIN_DIR to another one, to write a stand-in with {settings}")
    else:
        note.write_text(
            f"Procedural stand-in for UAVid, generated by utils/standin.py ({settings}).\n"
            "NOT real UAVid data: synthetic oblique views of a generated town, written in UAVid's\n"
            "directory layout and 8-class colour code so the lab runs offline.\n")
    jobs = []
    numbered = [("uavid_train", n) for n in TRAIN_SEQUENCES[:train_sequences]] + \
               [("uavid_val", n) for n in VAL_SEQUENCES[:val_sequences]]
    for split, seq in numbered:
        d = root / split / f"seq{seq}"
        todo = [k for k in range(frames) if not all(
            (d / sub / f"{k * 100:06d}.png").exists() for sub in ("Images", "Labels"))]
        if todo:
            jobs.append((str(d), _sequence_seed(seed, seq), (int(size[0]), int(size[1])), todo))
    from .device import usable_cores  # here, not at the top: spawned workers import this module without torch

    workers = min(len(jobs), usable_cores(), 8)  # each worker holds one scene: bounded memory at 4K too
    if workers <= 1:
        for job in jobs:
            _write_sequence(*job)
    else:  # one sequence a task; workers run numpy and PIL only
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_write_sequence, *zip(*jobs)))
    return root
