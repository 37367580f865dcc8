"""A scene's Layout: its world-space contents, and the primitives that place objects into it."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .constants import CAR_P, CLOTHES, FACADES, FLAT_KINDS, HAIR, MAT, N_APT_FACADES, N_HOUSE_FACADES, N_TILES, N_TREES
from .geometry import Local
from .objects import Box, BuildingSpec, Car, CarShape, Human, Mover, Part, Tree


class Layout:
    """Ground polygons and upright objects of one scene; every random choice comes from rng, in call order."""

    def __init__(self, rng: np.random.Generator, phi: float, bounds: tuple[float, float, float, float]):
        self.rng = rng
        c, s = math.cos(phi), math.sin(phi)
        self.rot = np.array([[c, -s], [s, c]])  # grid -> world
        self.bounds = bounds
        self.polys: list[tuple[int, np.ndarray]] = []
        self.buildings: list[BuildingSpec] = []
        self.trees: list[Tree] = []
        self.cars: list[Car] = []
        self.movers: list[Mover] = []
        self.humans: list[Human] = []
        self.boxes: list[Box] = []
        self.traffic = rng.uniform(0.9, 1.5)
        self.crowd = rng.uniform(1.3, 2.2)
        self.greenery = rng.uniform(0.8, 1.25)

    def near(self, pts: np.ndarray, pad: float = 5.0) -> bool:
        """Whether points come within pad metres of the scene bounds."""
        x0, x1, y0, y1 = self.bounds
        pts = np.asarray(pts).reshape(-1, 2)
        (lx, ly), (hx, hy) = pts.min(0), pts.max(0)
        return hx > x0 - pad and lx < x1 + pad and hy > y0 - pad and ly < y1 + pad

    def poly(self, mat: str, pts: np.ndarray) -> None:
        """Paint a ground polygon of material mat (later ones over earlier ones)."""
        if self.near(pts):
            self.polys.append((MAT[mat], np.asarray(pts, float)))

    def tree(self, p: np.ndarray, r: float) -> None:
        """Plant a tree of crown radius about r at p."""
        if self.near(p, 8):
            rng = self.rng
            r *= 1.1
            self.trees.append(Tree(p[0], p[1], r, r + rng.uniform(1.6, 3.4), int(rng.integers(N_TREES))))

    def car(self, p: np.ndarray, heading: np.ndarray) -> None:
        """Park a car at p facing along heading."""
        if self.near(p):
            rng = self.rng
            ang = math.atan2(heading[1], heading[0]) + rng.normal(0, 0.03)
            self.cars.append(Car(p[0], p[1], ang, self.car_shape()))

    def car_shape(self) -> CarShape:
        """A random car or van."""
        rng = self.rng
        van = rng.random() < 0.1
        length = rng.uniform(5.0, 5.6) if van else rng.uniform(4.2, 4.9)
        return CarShape(length, rng.uniform(1.75, 1.95), int(rng.choice(len(CAR_P), p=CAR_P)), van)

    def mover(self, start: np.ndarray, direction: np.ndarray, span: float, speed: float, s0: float) -> None:
        """Add a car driving along direction from start."""
        self.movers.append(Mover(start[0], start[1], direction[0], direction[1], span, speed, s0, self.car_shape()))

    def human(self, p: np.ndarray) -> None:
        """Place a person at p."""
        if self.near(p):
            rng = self.rng
            a = rng.uniform(0, 2 * np.pi)
            self.humans.append(Human(p[0], p[1], math.cos(a), math.sin(a), rng.uniform(0.2, 1.0),
                                     rng.uniform(0, 2 * np.pi), int(rng.integers(len(CLOTHES))),
                                     int(rng.integers(len(HAIR)))))

    def box(self, p: np.ndarray, axis: np.ndarray, length: float, width: float, height: float,
            colour: tuple) -> None:
        """Place a box at p, its length along axis."""
        if self.near(p):
            self.boxes.append(Box(p[0], p[1], math.atan2(axis[1], axis[0]), length, width, height, colour))

    def building(self, F: Local, uc: float, vc: float, ext_u: float, ext_v: float, he: float,
                 roof: str, cat: str, ridge_u: bool | None = None) -> None:
        """A building of category cat ("house", "apt", "office") centred at (uc, vc) of frame F."""
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
        facade, pitch = self._facade_and_pitch(cat)
        spec = BuildingSpec(centre=centre, axis=np.asarray(axis, float), a=a, b=b, he=he, roof=roof,
                            pitch=math.radians(pitch), facade=facade,
                            roof_tex=int(rng.integers(N_TILES if roof != "flat" else len(FLAT_KINDS))),
                            foff=rng.uniform(0, 1), roff=rng.uniform(0, 1, 2))
        self._roof_parts(spec, cat)
        self.buildings.append(spec)

    def _facade_and_pitch(self, cat: str) -> tuple[int, float]:
        """Facade texture index and roof pitch (degrees) for a building category."""
        rng = self.rng
        if cat == "house":
            facade = int(rng.integers(N_HOUSE_FACADES))
            pitch = rng.uniform(28, 42)
        elif cat == "apt":
            facade = N_HOUSE_FACADES + int(rng.integers(N_APT_FACADES))
            pitch = rng.uniform(22, 32)
        else:
            facade = N_HOUSE_FACADES + N_APT_FACADES
            pitch = 0.0
        return facade, pitch

    def _roof_parts(self, spec: BuildingSpec, cat: str) -> None:
        """Chimneys on some gabled houses; plant boxes and stair houses on flat roofs."""
        rng = self.rng
        a, b, he, roof = spec.a, spec.b, spec.he, spec.roof
        if roof == "gable" and cat == "house" and rng.random() < 0.4:
            u, v = rng.uniform(-0.6, 0.6) * a, rng.uniform(0.25, 0.7) * b * rng.choice([-1, 1])
            z = he + (b - abs(v)) * math.tan(spec.pitch)
            spec.parts.append(Part(u, v, 0.7, 0.7, z - 0.6, z + 1.0, (136, 72, 58)))
        if roof == "flat":
            n = int(rng.integers(1, 4 if cat == "apt" else 8))
            for _ in range(n):
                lu, lv = rng.uniform(1.2, 4.0, 2)
                if lu + 2 > a or lv + 2 > b:
                    continue
                u, v = rng.uniform(-a + lu / 2 + 1, a - lu / 2 - 1), rng.uniform(-b + lv / 2 + 1, b - lv / 2 - 1)
                grey = rng.uniform(120, 215)
                spec.parts.append(Part(u, v, lu, lv, he, he + rng.uniform(0.8, 2.4), (grey, grey, grey * 0.98)))
            if cat == "apt" and rng.random() < 0.7 and a > 6 and b > 4:
                u = rng.uniform(-a + 4, a - 4)
                spec.parts.append(Part(u, 0.0, 4.0, 5.0, he, he + 2.8, FACADES["apt"][int(rng.integers(7))]))

    def scatter_trees(self, F: Local, box: tuple, n: int, rmin: float, rmax: float,
                      occ: Sequence[tuple] = (), clusters: int = 0) -> list[tuple]:
        """Up to n trees in box (u0, u1, v0, v1) of F, off the rectangles occ; returns (u, v, r) of each."""
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
            if self._tree_fits(u, v, 0.5 * r, box, occ, placed, r):
                placed.append((u, v, r))
                self.tree(F.pt(u, v), r)
        return placed

    @staticmethod
    def _tree_fits(u: float, v: float, m: float, box: tuple, occ: Sequence[tuple], placed: list, r: float) -> bool:
        """Whether a crown of radius r at (u, v) keeps margin m inside box and off occ and other crowns."""
        u0, u1, v0, v1 = box
        if not (u0 + m <= u <= u1 - m and v0 + m <= v <= v1 - m):
            return False
        if any(a0 - m < u < a1 + m and b0 - m < v < b1 + m for a0, a1, b0, b1 in occ):
            return False
        return not any((u - pu) ** 2 + (v - pv) ** 2 < (0.75 * (r + pr)) ** 2 for pu, pv, pr in placed)
