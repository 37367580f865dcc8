"""The road grid of a scene, rotated by phi, with markings, crossings and traffic; blocks between the roads."""
from __future__ import annotations

import numpy as np

from .geometry import Local
from .layout import Layout
from .zoning import block

_LANES = {"main": ((-5.1, -1), (-1.7, -1), (1.7, 1), (5.1, 1)), "street": ((-1.7, -1), (1.7, 1)),
          "narrow": ((-1.6, -1), (1.6, 1))}  # lane offsets (m) across a road and their direction


def build_layout(rng: np.random.Generator, phi: float, bounds: tuple[float, float, float, float]) -> Layout:
    """The layout of one scene covering bounds (x0, x1, y0, y1): blocks first, then the roads between them."""
    layout = Layout(rng, phi, bounds)
    corners = np.array([[x, y] for x in bounds[:2] for y in bounds[2:]])
    grid = corners @ layout.rot  # world -> grid coordinates
    # centre, width and kind of the roads at constant s (grid x) and at constant t (grid y)
    s_roads = _road_lines(layout, grid[:, 0].min() - 30, grid[:, 0].max() + 30)
    t_roads = _road_lines(layout, grid[:, 1].min() - 30, grid[:, 1].max() + 30)
    column_count = len(s_roads) - 1
    present = np.array([[kind == "main" or j in (0, len(t_roads) - 1) or rng.random() < 0.78
                         for _ in range(column_count)] for j, (_, _, kind) in enumerate(t_roads)])
    for k in range(column_count):
        js = [j for j in range(len(t_roads)) if present[j, k]]
        for j0, j1 in zip(js[:-1], js[1:], strict=True):
            block(layout, s_roads[k][0] + s_roads[k][1] / 2, s_roads[k + 1][0] - s_roads[k + 1][1] / 2,
                  t_roads[j0][0] + t_roads[j0][1] / 2, t_roads[j1][0] - t_roads[j1][1] / 2)
    for k, (centre, width, kind) in enumerate(s_roads):
        js = [j for j in range(len(t_roads))
              if (k > 0 and present[j, k - 1]) or (k < column_count and present[j, k])]
        for j0, j1 in zip(js[:-1], js[1:], strict=True):
            a0, a1 = t_roads[j0][0] + t_roads[j0][1] / 2, t_roads[j1][0] - t_roads[j1][1] / 2
            _segment(layout, layout.rot @ (centre, a0), layout.rot @ (0.0, 1.0), a1 - a0, width, kind)
    for j, (centre, width, kind) in enumerate(t_roads):
        for k in range(column_count):
            if present[j, k]:
                a0, a1 = s_roads[k][0] + s_roads[k][1] / 2, s_roads[k + 1][0] - s_roads[k + 1][1] / 2
                _segment(layout, layout.rot @ (a0, centre), layout.rot @ (1.0, 0.0), a1 - a0, width, kind)
    return layout


def _road_lines(layout: Layout, low: float, high: float) -> list[tuple[float, float, str]]:
    """Centre, width and kind of parallel roads from before low to past high."""
    rng = layout.rng
    roads, centre = [], low - rng.uniform(0, 40)
    while True:
        kind = rng.choice(["main", "street", "narrow"], p=[0.22, 0.53, 0.25])
        width = {"main": rng.uniform(14.5, 16), "street": rng.uniform(9.5, 11),
             "narrow": rng.uniform(6.5, 7.5)}[kind]
        roads.append((centre, width, str(kind)))
        if centre > high:
            return roads
        centre += rng.uniform(52, 92)


def _segment(layout: Layout, start: np.ndarray, direction: np.ndarray, length: float, width: float, kind: str) -> None:
    """One road between two crossings: from start along direction for length metres, width wide."""
    road = Local(start, direction, (direction[1], -direction[0]))  # u along the road, v to the right of it
    half_width = width / 2
    if length < 8 or not layout.near(road.rect(0, length, -half_width, half_width), 10):
        return
    _markings(layout, road, length, half_width, kind)
    _crossings(layout, road, length, half_width, kind)
    _traffic(layout, road, direction, length, kind)
    if kind == "street":
        _parked_cars(layout, road, direction, length, half_width)


def _markings(layout: Layout, road: Local, length: float, half_width: float, kind: str) -> None:
    """Lane markings: double centre and dashed lane lines on main roads, dashes on the others."""
    if kind == "main":
        for v in (-0.2, 0.2):
            layout.poly("marking", road.rect(0.5, length - 0.5, v - 0.09, v + 0.09))
        for v in (-3.4, 3.4):
            _dashes(layout, road, length, v, 3.0, 5.0, 0.16)
        for v in (half_width - 0.5, 0.5 - half_width):
            layout.poly("marking", road.rect(0.5, length - 0.5, v - 0.1, v + 0.1))
    elif kind == "street":
        _dashes(layout, road, length, 0.0, 3.0, 3.5, 0.15)
    elif layout.rng.random() < 0.6:
        _dashes(layout, road, length, 0.0, 2.0, 4.0, 0.14)


def _crossings(layout: Layout, road: Local, length: float, half_width: float, kind: str) -> None:
    """Zebra crossings at some road ends, with people on them."""
    rng = layout.rng
    for end in (0, 1):
        if length > 20 and rng.random() < (0.55 if kind == "main" else 0.25):
            u0 = 1.0 if end == 0 else length - 4.0
            v = -half_width + 0.5
            while v < half_width - 0.9:
                layout.poly("marking", road.rect(u0, u0 + 3.0, v, v + 0.5))
                v += 1.0
            for _ in range(rng.poisson(0.8 * layout.crowd)):
                layout.human(road.pt(u0 + rng.uniform(0.3, 2.7), rng.uniform(-half_width, half_width)))


def _traffic(layout: Layout, road: Local, direction: np.ndarray, length: float, kind: str) -> None:
    """Moving cars in each lane, at least 7.5 m apart along the lane's loop."""
    rng = layout.rng
    density = {"main": 3.2, "street": 1.8, "narrow": 1.0}[kind] * layout.traffic
    for v, sign in _LANES[kind]:
        span = length - 4
        if span < 8:
            continue
        positions = np.sort(rng.uniform(0, span, rng.poisson(density * span / 100)))
        keep = [position for i, position in enumerate(positions) if i == 0 or position - positions[i - 1] >= 7.5]
        if keep and (span - keep[-1] + keep[0]) < 7.5:
            keep = keep[:-1]
        if not keep or not layout.near(road.rect(0, length, v - 1, v + 1)):
            continue
        start = road.pt(2.0 if sign > 0 else length - 2.0, v)
        speed = rng.uniform(2.5, 6.0)
        for position in keep:
            layout.mover(start, (direction[0] * sign, direction[1] * sign), span, speed, position)


def _parked_cars(layout: Layout, road: Local, direction: np.ndarray, length: float, half_width: float) -> None:
    """Rows of cars parked along the kerbs of a street."""
    rng = layout.rng
    for sign in (-1, 1):
        if rng.random() < 0.6:
            occupancy, step, u = rng.uniform(0.45, 0.9), rng.uniform(5.8, 6.6), 5.0
            while u < length - 5:
                if rng.random() < occupancy:
                    layout.car(road.pt(u, sign * (half_width - 1.15) + rng.uniform(-0.15, 0.15)), direction * sign)
                u += step


def _dashes(layout: Layout, road: Local, length: float, v: float, dash: float, gap: float, width: float) -> None:
    """A dashed line at v along the road."""
    u = 1.0 + layout.rng.uniform(0, gap)
    while u + dash < length - 1:
        layout.poly("marking", road.rect(u, u + dash, v - width / 2, v + width / 2))
        u += dash + gap
