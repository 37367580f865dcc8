"""Open block uses: parking, commercial lots, parks, bare soil and plazas."""
from __future__ import annotations

import numpy as np

from .geometry import Local, blob
from .layout import Layout
from .objects import BuildingPlan

_CONTAINERS = [(206, 110, 40), (60, 96, 150), (220, 220, 214), (110, 120, 104)]
_STALLS = [(220, 80, 60), (240, 240, 236), (70, 130, 190), (220, 200, 80)]


def parking_row(layout: Layout, frame: Local, u0: float, u1: float, v0: float, v1: float, occupancy: float) -> None:
    """A row of parking bays across v0-v1, each taken by a car with probability occupancy."""
    rng = layout.rng
    layout.poly("parking", frame.rect(u0, u1, v0, v1))
    step = rng.uniform(2.5, 2.8)
    bay_count = int((u1 - u0) / step)
    for i in range(bay_count + 1):
        u = u0 + i * step
        layout.poly("line", frame.rect(u - 0.08, u + 0.08, v0 + 0.3, v1))
    for i in range(bay_count):
        if rng.random() < occupancy:
            position = frame.pt(u0 + (i + 0.5) * step + rng.uniform(-0.15, 0.15),
                                (v0 + v1) / 2 + rng.uniform(-0.3, 0.3))
            layout.car(position, frame.axis_v * rng.choice([-1, 1]))


def _parking_area(layout: Layout, frame: Local, u0: float, u1: float, v0: float, v1: float) -> None:
    """Pairs of parking rows with aisles and planted strips between, and people walking to their cars."""
    rng = layout.rng
    layout.poly("parking", frame.rect(u0, u1, v0, v1))
    occupancy = rng.uniform(0.3, 0.8)
    v = v0 + 1.0
    while v + 5.2 <= v1 - 0.5:
        parking_row(layout, frame, u0 + 2, u1 - 2, v, v + 5.2, occupancy)
        v += 5.2 + 6.5
        if v + 5.2 > v1 - 0.5:
            break
        parking_row(layout, frame, u0 + 2, u1 - 2, v, v + 5.2, occupancy)
        v += 5.2
        if v + 2.0 < v1:
            _planted_strip(layout, frame, u0, u1, v)
        v += 1.8 + 6.5
    for _ in range(rng.poisson(0.3 * layout.crowd * (u1 - u0) * (v1 - v0) / 400)):
        layout.human(frame.pt(rng.uniform(u0 + 2, u1 - 2), rng.uniform(v0 + 1, v1 - 1)))


def _planted_strip(layout: Layout, frame: Local, u0: float, u1: float, v: float) -> None:
    """A strip of lawn or hedge with trees between two pairs of parking rows."""
    rng = layout.rng
    layout.poly("lawn" if rng.random() < 0.6 else "hedge", frame.rect(u0 + 2, u1 - 2, v + 0.2, v + 1.6))
    tree_u, step = u0 + rng.uniform(3, 6), rng.uniform(9, 14)
    while tree_u < u1 - 3:
        if rng.random() < 0.7 * layout.greenery:
            layout.tree(frame.pt(tree_u, v + 0.9), rng.uniform(2.2, 3.4))
        tree_u += step


def commercial(layout: Layout, frame: Local, length: float, depth: float) -> None:
    """An office or shop building with its car park; the far part of a wide remainder is green."""
    rng = layout.rng
    building_length = min(rng.uniform(0.45, 0.7) * length, 56.0)
    building_depth = min(depth - 10, 56.0)
    if building_length < 16 or building_depth < 12:
        parking(layout, frame, length, depth)
        return
    layout.poly("pavement", frame.rect(0, length, 0, depth))
    left = rng.random() < 0.5
    u0 = 4.0 if left else length - 4.0 - building_length
    centre_v = depth / 2 + rng.uniform(-1, 1) * (depth - 8 - building_depth) / 2
    layout.building(frame, BuildingPlan(u0 + building_length / 2, centre_v, building_length, building_depth,
                                        rng.uniform(7, 13), "flat", "office"))
    for _ in range(rng.poisson(2.5 * layout.crowd)):
        layout.human(frame.pt(rng.uniform(u0, u0 + building_length),
                              centre_v - building_depth / 2 - rng.uniform(0.5, 3)))
    lot_u0, lot_u1 = (u0 + building_length + 5, length) if left else (0, u0 - 5)
    if lot_u1 - lot_u0 > 40:  # the far part of a wide remainder is green
        green = (lot_u0 + 36, lot_u1) if left else (lot_u0, lot_u1 - 36)
        lot_u0, lot_u1 = (lot_u0, lot_u0 + 34) if left else (lot_u1 - 34, lot_u1)
        layout.poly("lawn", frame.rect(*green, 0, depth))
        count = int(layout.greenery * (green[1] - green[0]) * depth / 120)
        layout.scatter_trees(frame, (*green, 0, depth), count, (2.8, 5.0))
    if lot_u1 - lot_u0 > 12:
        _parking_area(layout, frame, lot_u0, lot_u1, 0, min(depth, 48))
    layout.scatter_trees(frame, (0, length, 0, depth), int(layout.greenery * 6), (2.8, 4.5),
                         [(u0 - 2, u0 + building_length + 2, 0, depth), (lot_u0, lot_u1, 0, depth)])


def parking(layout: Layout, frame: Local, length: float, depth: float) -> None:
    """A block-sized car park."""
    _parking_area(layout, frame, 0, length, 0, depth)


def park(layout: Layout, frame: Local, length: float, depth: float) -> None:
    """Lawn with dry patches, paths, maybe a pond or a court, many trees and people on the paths."""
    rng = layout.rng
    layout.poly("lawn", frame.rect(0, length, 0, depth))
    for _ in range(rng.integers(0, 4)):
        layout.poly("dry grass", frame.pts(blob(rng.uniform((0, 0), (length, depth)), rng.uniform(4, 12), rng)))
    occupied = []
    paths = _park_paths(layout, frame, length, depth)
    if rng.random() < 0.15 and length > 30 and depth > 30:
        pond_centre, pond_radius = rng.uniform((12, 12), (length - 12, depth - 12)), rng.uniform(5, 9)
        layout.poly("water", frame.pts(blob(pond_centre, pond_radius, rng)))
        occupied.append((pond_centre[0] - pond_radius, pond_centre[0] + pond_radius,
                         pond_centre[1] - pond_radius, pond_centre[1] + pond_radius))
    if rng.random() < 0.3 and length > 25 and depth > 20:
        court_centre = rng.uniform((8, 8), (length - 8, depth - 8))
        layout.poly(str(rng.choice(["soil", "court"])),
                    frame.rect(court_centre[0] - 5, court_centre[0] + 5, court_centre[1] - 4, court_centre[1] + 4))
        occupied.append((court_centre[0] - 5, court_centre[0] + 5, court_centre[1] - 4, court_centre[1] + 4))
    tree_count = int(layout.greenery * length * depth / 100 * rng.uniform(0.7, 1.3))
    layout.scatter_trees(frame, (0, length, 0, depth), tree_count, (2.8, 5.8), occupied,
                         clusters=max(1, tree_count // 8))
    for _ in range(rng.poisson(4 * layout.crowd)):
        start, end = paths[rng.integers(len(paths))]
        layout.human(frame.pt(*(start + (end - start) * rng.uniform(0, 1) + rng.normal(0, 0.5, 2))))


def _park_paths(layout: Layout, frame: Local, length: float, depth: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """One to three paths, each from an edge through an inner point to an edge; returns their legs."""
    rng = layout.rng
    paths = []
    for _ in range(rng.integers(1, 4)):
        ends = [_edge_point(layout, length, depth),
                rng.uniform((0.2 * length, 0.2 * depth), (0.8 * length, 0.8 * depth)),
                _edge_point(layout, length, depth)]
        width, mat = rng.uniform(2, 3.2), str(rng.choice(["gravel", "tiles", "pavement"]))
        for start, end in zip(ends[:-1], ends[1:], strict=True):
            along = (end - start) / max(np.linalg.norm(end - start), 1e-6)
            across = np.array([-along[1], along[0]]) * width / 2
            layout.poly(mat, frame.pts([start - across, end - across, end + across, start + across]))
            paths.append((start, end))
        layout.poly(mat, frame.pts(blob(ends[1], width * 0.6, rng, 10)))
    return paths


def _edge_point(layout: Layout, length: float, depth: float) -> np.ndarray:
    """A random point on the edge of a length x depth rectangle, away from its corners."""
    rng = layout.rng
    side = rng.integers(4)
    fraction = rng.uniform(0.1, 0.9)
    return np.array([(fraction * length, 0), (length, fraction * depth), (fraction * length, depth),
                     (0, fraction * depth)][side], float)


def soil(layout: Layout, frame: Local, length: float, depth: float) -> None:
    """Bare ground with containers, a few cars, people and sparse trees."""
    rng = layout.rng
    layout.poly("soil", frame.rect(0, length, 0, depth))
    for _ in range(rng.integers(1, 4)):
        layout.poly(str(rng.choice(["gravel", "dry grass", "soil"])),
                    frame.pts(blob(rng.uniform((0, 0), (length, depth)), rng.uniform(4, 10), rng)))
    for _ in range(rng.integers(2, 7)):
        colour = tuple(rng.choice(_CONTAINERS))
        layout.box(frame.pt(rng.uniform(4, length - 4), rng.uniform(4, depth - 4)),
                   frame.axis_u if rng.random() < 0.5 else frame.axis_v, rng.uniform(5.5, 6.5), 2.4, 2.6, colour)
    for _ in range(rng.integers(0, 3)):
        layout.car(frame.pt(rng.uniform(3, length - 3), rng.uniform(3, depth - 3)), frame.axis_u * rng.choice([-1, 1]))
    for _ in range(rng.poisson(2 * layout.crowd)):
        layout.human(frame.pt(rng.uniform(1, length - 1), rng.uniform(1, depth - 1)))
    layout.scatter_trees(frame, (0, length, 0, depth), int(layout.greenery * length * depth / 900), (2, 3.5))


def plaza(layout: Layout, frame: Local, length: float, depth: float) -> None:
    """Paved square, maybe with a building, a grid of planted trees, kiosks and many people."""
    rng = layout.rng
    layout.poly("tiles", frame.rect(0, length, 0, depth))
    occupied = []
    if length > 36 and depth > 22:
        building_length = min(rng.uniform(0.35, 0.55) * length, 50)
        building_depth = min(depth - 8, rng.uniform(14, 26))
        u0 = 3 if rng.random() < 0.5 else length - 3 - building_length
        layout.building(frame, BuildingPlan(u0 + building_length / 2, depth / 2, building_length, building_depth,
                                            rng.uniform(9, 18), str(rng.choice(["hip", "flat", "gable"])), "apt"))
        occupied.append((u0 - 2, u0 + building_length + 2,
                         depth / 2 - building_depth / 2 - 2, depth / 2 + building_depth / 2 + 2))
    _plaza_trees(layout, frame, length, depth, occupied)
    for _ in range(rng.integers(0, 3)):  # kiosks and market stalls
        layout.box(frame.pt(rng.uniform(4, length - 4), rng.uniform(4, depth - 4)), frame.axis_u, rng.uniform(4, 6),
                   rng.uniform(3.5, 5), rng.uniform(2.6, 3.2), tuple(rng.choice(_STALLS)))
    for _ in range(rng.poisson(0.5 * layout.crowd * length * depth / 100)):
        spot = rng.uniform((1, 1), (length - 1, depth - 1))
        if not any(a0 + 1 < spot[0] < a1 - 1 and b0 + 1 < spot[1] < b1 - 1 for a0, a1, b0, b1 in occupied):
            layout.human(frame.pt(*spot))


def _plaza_trees(layout: Layout, frame: Local, length: float, depth: float, occupied: list) -> None:
    """Trees on a regular grid over a plaza, some in a square of lawn or hedge, clear of occupied."""
    rng = layout.rng
    step = rng.uniform(7, 10)
    for u in np.arange(step / 2, length, step):
        for v in np.arange(step / 2, depth, step):
            if rng.random() < 0.6 * layout.greenery and not any(
                    a0 - 2 < u < a1 + 2 and b0 - 2 < v < b1 + 2 for a0, a1, b0, b1 in occupied):
                if rng.random() < 0.5:
                    layout.poly("lawn" if rng.random() < 0.7 else "hedge", frame.rect(u - 2, u + 2, v - 2, v + 2))
                layout.tree(frame.pt(u, v), rng.uniform(2.4, 3.6))
