"""A scene's Layout: its world-space contents, and the primitives that place objects into it."""
from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .constants import CAR_P, CLOTHES, FACADES, FLAT_KINDS, HAIR, MAT, N_APT_FACADES, N_HOUSE_FACADES, N_TILES, N_TREES
from .geometry import Local
from .objects import Box, BuildingPlan, BuildingSpec, Car, CarShape, Human, Mover, Part, Tree


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
        (min_x, min_y), (max_x, max_y) = pts.min(0), pts.max(0)
        return max_x > x0 - pad and min_x < x1 + pad and max_y > y0 - pad and min_y < y1 + pad

    def poly(self, mat: str, pts: np.ndarray) -> None:
        """Paint a ground polygon of material mat (later ones over earlier ones)."""
        if self.near(pts):
            self.polys.append((MAT[mat], np.asarray(pts, float)))

    def tree(self, point: np.ndarray, radius: float) -> None:
        """Plant a tree at point, its crown a tenth wider than radius."""
        if self.near(point, 8):
            rng = self.rng
            radius *= 1.1
            crown_height = radius + rng.uniform(1.6, 3.4)
            self.trees.append(Tree(point[0], point[1], radius, crown_height, int(rng.integers(N_TREES))))

    def car(self, point: np.ndarray, heading: np.ndarray) -> None:
        """Park a car at point facing along heading."""
        if self.near(point):
            rng = self.rng
            angle = math.atan2(heading[1], heading[0]) + rng.normal(0, 0.03)
            self.cars.append(Car(point[0], point[1], angle, self.car_shape()))

    def car_shape(self) -> CarShape:
        """A random car or van."""
        rng = self.rng
        van = rng.random() < 0.1
        length = rng.uniform(5.0, 5.6) if van else rng.uniform(4.2, 4.9)
        return CarShape(length, rng.uniform(1.75, 1.95), int(rng.choice(len(CAR_P), p=CAR_P)), van)

    def mover(self, start: np.ndarray, direction: np.ndarray, span: float, speed: float,
              initial_distance: float) -> None:
        """Add a car driving along direction from start, initial_distance metres along its loop at frame 0."""
        self.movers.append(Mover(start[0], start[1], direction[0], direction[1], span, speed, initial_distance,
                                 self.car_shape()))

    def human(self, point: np.ndarray) -> None:
        """Place a person at point."""
        if self.near(point):
            rng = self.rng
            sway = rng.uniform(0, 2 * np.pi)
            self.humans.append(Human(point[0], point[1], math.cos(sway), math.sin(sway), rng.uniform(0.2, 1.0),
                                     rng.uniform(0, 2 * np.pi), int(rng.integers(len(CLOTHES))),
                                     int(rng.integers(len(HAIR)))))

    def box(self, point: np.ndarray, axis: np.ndarray, length: float, width: float, height: float,
            colour: tuple) -> None:
        """Place a box at point, its length along axis."""
        if self.near(point):
            self.boxes.append(Box(point[0], point[1], math.atan2(axis[1], axis[0]), length, width, height, colour))

    def building(self, frame: Local, plan: BuildingPlan) -> None:
        """The building of plan, centred at (plan.u, plan.v) of frame."""
        rng = self.rng
        u, v, size_u, size_v = plan.u, plan.v, plan.size_u, plan.size_v
        self.poly("footprint", frame.rect(u - size_u / 2, u + size_u / 2, v - size_v / 2, v + size_v / 2))
        ridge_along_u = plan.ridge_along_u
        if ridge_along_u is None:
            ridge_along_u = size_u >= size_v
        if plan.roof == "hip" and (size_u >= size_v) != ridge_along_u:
            ridge_along_u = not ridge_along_u
        axis, half_length, half_width = ((frame.axis_u, size_u / 2, size_v / 2) if ridge_along_u
                                         else (frame.axis_v, size_v / 2, size_u / 2))
        centre = frame.pt(u, v)
        if not self.near(centre, 20):
            return
        facade, pitch = self._facade_and_pitch(plan.use)
        spec = BuildingSpec(centre=centre, axis=np.asarray(axis, float), half_length=half_length,
                            half_width=half_width, eave_height=plan.eave_height, roof=plan.roof,
                            pitch=math.radians(pitch), facade=facade,
                            roof_tex=int(rng.integers(N_TILES if plan.roof != "flat" else len(FLAT_KINDS))),
                            facade_offset=rng.uniform(0, 1), roof_offset=rng.uniform(0, 1, 2))
        self._roof_parts(spec, plan.use)
        self.buildings.append(spec)

    def _facade_and_pitch(self, use: str) -> tuple[int, float]:
        """Facade texture index and roof pitch (degrees) for a building use."""
        rng = self.rng
        if use == "house":
            facade = int(rng.integers(N_HOUSE_FACADES))
            pitch = rng.uniform(28, 42)
        elif use == "apt":
            facade = N_HOUSE_FACADES + int(rng.integers(N_APT_FACADES))
            pitch = rng.uniform(22, 32)
        else:
            facade = N_HOUSE_FACADES + N_APT_FACADES
            pitch = 0.0
        return facade, pitch

    def _roof_parts(self, spec: BuildingSpec, use: str) -> None:
        """Chimneys on some gabled houses; plant boxes and stair houses on flat roofs."""
        rng = self.rng
        half_length, half_width, eave_height, roof = spec.half_length, spec.half_width, spec.eave_height, spec.roof
        if roof == "gable" and use == "house" and rng.random() < 0.4:
            u, v = rng.uniform(-0.6, 0.6) * half_length, rng.uniform(0.25, 0.7) * half_width * rng.choice([-1, 1])
            z = eave_height + (half_width - abs(v)) * math.tan(spec.pitch)
            spec.parts.append(Part(u, v, 0.7, 0.7, z - 0.6, z + 1.0, (136, 72, 58)))
        if roof == "flat":
            count = int(rng.integers(1, 4 if use == "apt" else 8))
            for _ in range(count):
                size_u, size_v = rng.uniform(1.2, 4.0, 2)
                if size_u + 2 > half_length or size_v + 2 > half_width:
                    continue
                u, v = (rng.uniform(-half_length + size_u / 2 + 1, half_length - size_u / 2 - 1),
                        rng.uniform(-half_width + size_v / 2 + 1, half_width - size_v / 2 - 1))
                grey = rng.uniform(120, 215)
                spec.parts.append(Part(u, v, size_u, size_v, eave_height, eave_height + rng.uniform(0.8, 2.4),
                                       (grey, grey, grey * 0.98)))
            if use == "apt" and rng.random() < 0.7 and half_length > 6 and half_width > 4:
                u = rng.uniform(-half_length + 4, half_length - 4)
                spec.parts.append(Part(u, 0.0, 4.0, 5.0, eave_height, eave_height + 2.8,
                                       FACADES["apt"][int(rng.integers(7))]))

    def scatter_trees(self, frame: Local, box: tuple, count: int, radii: tuple[float, float],
                      occupied: Sequence[tuple] = (), clusters: int = 0) -> list[tuple]:
        """Up to count trees of crown radius in radii in box (u0, u1, v0, v1) of frame, off the rectangles occupied.

        Returns (u, v, radius) of each tree.
        """
        rng = self.rng
        u0, u1, v0, v1 = box
        if u1 - u0 < 2 or v1 - v0 < 2 or count <= 0:
            return []
        centres = rng.uniform((u0, v0), (u1, v1), (max(clusters, 1), 2))
        placed: list[tuple] = []
        for _ in range(4 * count):
            if len(placed) >= count:
                break
            radius = rng.uniform(*radii)
            if clusters:
                u, v = centres[rng.integers(len(centres))] + rng.normal(0, 7, 2)
            else:
                u, v = rng.uniform(u0, u1), rng.uniform(v0, v1)
            if self._tree_fits(u, v, radius, box, occupied, placed):
                placed.append((u, v, radius))
                self.tree(frame.pt(u, v), radius)
        return placed

    @staticmethod
    def _tree_fits(u: float, v: float, radius: float, box: tuple, occupied: Sequence[tuple], placed: list) -> bool:
        """Whether a crown of radius at (u, v) keeps half its radius inside box and off occupied and other crowns."""
        margin = 0.5 * radius
        u0, u1, v0, v1 = box
        if not (u0 + margin <= u <= u1 - margin and v0 + margin <= v <= v1 - margin):
            return False
        if any(a0 - margin < u < a1 + margin and b0 - margin < v < b1 + margin
               for a0, a1, b0, b1 in occupied):
            return False
        return not any((u - other_u) ** 2 + (v - other_v) ** 2 < (0.75 * (radius + other_radius)) ** 2
                       for other_u, other_v, other_radius in placed)
