"""Residential block uses: detached houses on parcels, apartment slabs, perimeter blocks round a courtyard."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .geometry import Local
from .layout import Layout
from .lots import parking_row
from .objects import BuildingPlan

_SHEDS = [(150, 120, 90), (118, 108, 98), (172, 170, 164), (112, 126, 104), (204, 198, 188)]


class _Plot(NamedTuple):
    """A house parcel from u0 to u1, depth deep, and its house: centre, width (along u), depth and setback from
    the street."""

    u0: float
    u1: float
    depth: float
    centre_u: float
    centre_v: float
    house_width: float
    house_depth: float
    setback: float
    drive: bool  # whether the house leaves room for a driveway
    left: bool  # whether the driveway is at u0


class _Row(NamedTuple):
    """A row of a perimeter block: from start to stop along u (or v), centred on v (or u) = fixed."""

    along_u: bool
    fixed: float
    start: float
    stop: float


def houses(layout: Layout, frame: Local, length: float, depth: float) -> None:
    """Two rows of house parcels back to back, trees in any gap between them."""
    rng = layout.rng
    layout.poly("lawn", frame.rect(0, length, 0, depth))
    parcel_depth = min(rng.uniform(18, 26), depth / 2)
    for side in (0, 1):
        row_frame = frame if side == 0 else Local(frame.pt(0, depth), frame.axis_u, -frame.axis_v)
        u = rng.uniform(0, 3)
        while length - u >= 10:
            parcel_width = rng.uniform(13, 21)
            if length - u - parcel_width < 10:
                parcel_width = length - u
            _parcel(layout, row_frame, u, u + parcel_width, parcel_depth)
            u += parcel_width
    if depth - 2 * parcel_depth > 4:
        tree_count = int(layout.greenery * length * (depth - 2 * parcel_depth) / 65)
        layout.scatter_trees(frame, (0, length, parcel_depth, depth - parcel_depth), tree_count, (2.8, 5.0),
                             clusters=2)


def _parcel(layout: Layout, frame: Local, u0: float, u1: float, parcel_depth: float) -> None:
    """One parcel (v = 0 at the street): a house with driveway and garden, or just trees if it is too small."""
    rng = layout.rng
    parcel_width = u1 - u0
    if parcel_depth < 12 or parcel_width < 9:
        layout.scatter_trees(frame, (u0, u1, 0, parcel_depth), 2, (2.5, 4), ())
        return
    house_width = rng.uniform(7.5, min(13.0, parcel_width - 4.5)) if parcel_width > 12.5 else parcel_width - 3.0
    house_depth = rng.uniform(7.5, min(12.5, parcel_depth - 5.0)) if parcel_depth > 13 else parcel_depth - 4.5
    setback = rng.uniform(2.0, max(2.1, min(5.0, parcel_depth - house_depth - 1.5)))
    drive = parcel_width - house_width >= 4.5
    left = rng.random() < 0.5
    centre_u = _driveway(layout, frame, u0, u1, house_width, setback + house_depth, left) if drive else (u0 + u1) / 2
    plot = _Plot(u0, u1, parcel_depth, centre_u, setback + house_depth / 2, house_width, house_depth, setback, drive,
                 left)
    _house(layout, frame, plot)
    _garden(layout, frame, plot)


def _driveway(layout: Layout, frame: Local, u0: float, u1: float, house_width: float, house_back: float,
              left: bool) -> float:
    """A driveway from the street to house_back, sometimes with a car on it; returns the house's centre u."""
    rng = layout.rng
    slack = u1 - u0 - house_width - 4.4
    drive_u = (u0 + 0.6, u0 + 3.4) if left else (u1 - 3.4, u1 - 0.6)
    if left:
        centre_u = u0 + 3.9 + house_width / 2 + rng.uniform(0, slack)
    else:
        centre_u = u1 - 3.9 - house_width / 2 - rng.uniform(0, slack)
    layout.poly(str(rng.choice(["pavement", "gravel", "parking"])), frame.rect(drive_u[0], drive_u[1], 0, house_back))
    if house_back > 5.5 and rng.random() < 0.55:
        layout.car(frame.pt((drive_u[0] + drive_u[1]) / 2, rng.uniform(2.6, house_back - 2.6)),
                   frame.axis_v * rng.choice([-1, 1]))
    return centre_u


def _house(layout: Layout, frame: Local, plot: _Plot) -> None:
    """The house of a plot, sometimes with a terrace behind it."""
    rng = layout.rng
    centre_u, centre_v, house_width, house_depth = plot.centre_u, plot.centre_v, plot.house_width, plot.house_depth
    if rng.random() < 0.4:
        terrace = frame.rect(centre_u - house_width / 2 + 1, centre_u + house_width / 2 - 1, centre_v + house_depth / 2,
                             min(plot.depth - 0.5, centre_v + house_depth / 2 + 3.5))
        layout.poly("pavement", terrace)
    floors = rng.choice([1, 2, 3], p=[0.1, 0.7, 0.2])
    roof = str(rng.choice(["gable", "hip", "flat"], p=[0.58, 0.32, 0.10]))
    layout.building(frame, BuildingPlan(centre_u, centre_v, house_width, house_depth,
                                        2.8 * floors + rng.uniform(0.2, 0.8), roof, "house",
                                        ridge_along_u=bool(rng.random() < 0.7)))


def _garden(layout: Layout, frame: Local, plot: _Plot) -> None:
    """Hedges, pool, shed, trees and maybe a person around the house of a plot."""
    rng = layout.rng
    u0, u1, parcel_depth, centre_u, centre_v = plot.u0, plot.u1, plot.depth, plot.centre_u, plot.centre_v
    house_width, house_depth, setback = plot.house_width, plot.house_depth, plot.setback
    parcel_width = u1 - u0
    occupied = [(centre_u - house_width / 2, centre_u + house_width / 2,
                 centre_v - house_depth / 2, centre_v + house_depth / 2)]
    if rng.random() < 0.3:
        layout.poly("hedge", frame.rect(u0 + 0.2, u1 - 0.2, 0.1, 0.9) if not plot.drive else
                 (frame.rect(u0 + 3.6, u1 - 0.2, 0.1, 0.9) if plot.left else frame.rect(u0 + 0.2, u1 - 3.6, 0.1, 0.9)))
    if rng.random() < 0.3:
        layout.poly("hedge", frame.rect(u1 - 0.9, u1 - 0.1, 1.0, parcel_depth - 0.2))
    back = (u0 + 1, u1 - 1, centre_v + house_depth / 2 + 1.5, parcel_depth - 0.5)
    if rng.random() < 0.08 and back[3] - back[2] > 6 and parcel_width > 12:
        pool_u = rng.uniform(back[0] + 2.5, back[1] - 2.5)
        pool = (pool_u - 2, pool_u + 2, back[2] + 1, back[2] + 5)
        layout.poly("water", frame.rect(*pool))
        occupied.append(pool)
    if rng.random() < 0.18 and back[3] - back[2] > 4:
        shed_u, shed_v = back[1] - 1.8, back[3] - 1.6
        layout.box(frame.pt(shed_u, shed_v), frame.axis_u, 2.6, 2.2, 2.3, _SHEDS[int(rng.integers(len(_SHEDS)))])
        occupied.append((shed_u - 1.5, shed_u + 1.5, shed_v - 1.5, shed_v + 1.5))
    count = int(rng.choice(5, p=[0.05, 0.2, 0.3, 0.25, 0.2]) * layout.greenery + 0.4)
    layout.scatter_trees(frame, back, count, (2.6, 4.8), occupied)
    if rng.random() < 0.3 * layout.greenery and setback > 3:
        layout.scatter_trees(frame, (u0 + 1, u1 - 1, 0.5, setback + 1), 1, (1.8, 2.6), occupied)
    if rng.random() < 0.25:
        layout.human(frame.pt(centre_u + rng.uniform(-house_width, house_width) / 2, rng.uniform(0.5, setback)))


def apartments(layout: Layout, frame: Local, length: float, depth: float) -> None:
    """Rows of apartment slabs on aprons, maybe a parking row, trees between them."""
    rng = layout.rng
    layout.poly("lawn" if rng.random() < 0.6 else "tiles", frame.rect(0, length, 0, depth))
    occupied = []
    row_count = max(1, int((depth - 4) // 34))
    row_pitch = depth / row_count
    for row in range(row_count):
        slab_depth = min(rng.uniform(11, 15), row_pitch - 9)
        if slab_depth < 8:
            continue
        _slab_row(layout, frame, length, row * row_pitch + row_pitch / 2 + rng.uniform(-1.5, 1.5), slab_depth,
                  occupied)
    if rng.random() < 0.4:
        lot = (3.0, length - 3.0, 0.6, 5.8)
        if not any(lot[2] < b1 and lot[3] > b0 and lot[0] < a1 and lot[1] > a0 for a0, a1, b0, b1 in occupied):
            parking_row(layout, frame, lot[0], lot[1], lot[2], lot[3], rng.uniform(0.3, 0.8))
            occupied.append(lot)
    tree_count = int(layout.greenery * length * depth / 140)
    layout.scatter_trees(frame, (0, length, 0, depth), tree_count, (2.8, 5.2), occupied, clusters=3)


def _slab_row(layout: Layout, frame: Local, length: float, centre_v: float, slab_depth: float,
              occupied: list) -> None:
    """A row of slabs slab_depth deep centred at v = centre_v, with people about them; their aprons are added to
    occupied."""
    rng = layout.rng
    u = rng.uniform(3, 8)
    while length - u >= 25:
        slab_length = rng.uniform(22, min(56, length - u - 3))
        roof = str(rng.choice(["flat", "hip", "gable"], p=[0.6, 0.25, 0.15]))
        apron = (u - 2.5, u + slab_length + 2.5, centre_v - slab_depth / 2 - 2.5, centre_v + slab_depth / 2 + 2.5)
        layout.poly("pavement" if rng.random() < 0.6 else "tiles", frame.rect(*apron))
        floors = int(rng.integers(4, 9)) if rng.random() < 0.8 else int(rng.integers(9, 14))
        layout.building(frame, BuildingPlan(u + slab_length / 2, centre_v, slab_length, slab_depth, 3.0 * floors + 0.6,
                                            roof, "apt"))
        occupied.append(apron)
        for _ in range(rng.poisson(2.0 * layout.crowd)):
            side = rng.choice([-1, 1])
            layout.human(frame.pt(rng.uniform(u, u + slab_length),
                                  centre_v + side * (slab_depth / 2 + rng.uniform(0.4, 2.2))))
        u += slab_length + rng.uniform(9, 18)


def perimeter(layout: Layout, frame: Local, length: float, depth: float) -> None:
    """Closed rows of adjoining 2-7 storey buildings around a courtyard."""
    rng = layout.rng
    row_depth = rng.uniform(10, 14)
    if depth < 2 * row_depth + 8:
        apartments(layout, frame, length, depth)
        return
    base = int(rng.integers(3, 7))
    _terrace(layout, frame, base, row_depth, _Row(True, row_depth / 2, 0, length))
    _terrace(layout, frame, base, row_depth, _Row(True, depth - row_depth / 2, 0, length))
    _terrace(layout, frame, base, row_depth, _Row(False, row_depth / 2, row_depth, depth - row_depth))
    _terrace(layout, frame, base, row_depth, _Row(False, length - row_depth / 2, row_depth, depth - row_depth))
    court = (row_depth + 1, length - row_depth - 1, row_depth + 1, depth - row_depth - 1)
    layout.poly(str(rng.choice(["lawn", "tiles", "parking"], p=[0.6, 0.25, 0.15])), frame.rect(*court))
    occupied = []
    if rng.random() < 0.3 and court[3] - court[2] > 8:
        lot = (court[0] + 1, court[1] - 1, court[2] + 0.5, court[2] + 5.7)
        parking_row(layout, frame, *lot, rng.uniform(0.3, 0.8))
        occupied.append(lot)
    tree_count = int(layout.greenery * (court[1] - court[0]) * (court[3] - court[2]) / 90)
    layout.scatter_trees(frame, court, tree_count, (2.8, 5.0), occupied, clusters=2)
    for _ in range(rng.poisson(1.5 * layout.crowd)):
        layout.human(frame.pt(rng.uniform(court[0], court[1]), rng.uniform(court[2], court[3])))


def _terrace(layout: Layout, frame: Local, base_floors: int, row_depth: float, row: _Row) -> None:
    """One side of a perimeter block: adjoining buildings of about base_floors storeys, row_depth deep, along row."""
    rng = layout.rng
    stop = row.stop
    x = row.start
    while stop - x > 1:
        segment = min(rng.uniform(12, 30), stop - x)
        if stop - x - segment < 8:
            segment = stop - x
        eave_height = 3.0 * int(np.clip(base_floors + rng.integers(-1, 2), 2, 8)) + 0.6
        roof = str(rng.choice(["gable", "hip", "flat"], p=[0.45, 0.2, 0.35]))
        if row.along_u:
            plan = BuildingPlan(x + segment / 2, row.fixed, segment, row_depth, eave_height, roof, "apt",
                                ridge_along_u=True)
        else:
            plan = BuildingPlan(row.fixed, x + segment / 2, row_depth, segment, eave_height, roof, "apt",
                                ridge_along_u=False)
        layout.building(frame, plan)
        x += segment
