"""Block zoning: kerb and sidewalk around each block, its interior split and given a use."""
from __future__ import annotations

import numpy as np

from . import lots, residential
from .geometry import Local
from .layout import Layout

# block uses, their probabilities, and the functions that fill a block interior with them
_USES = ("houses", "apartments", "perimeter", "commercial", "park", "parking", "soil", "plaza")
_USE_P = (0.30, 0.22, 0.15, 0.08, 0.12, 0.03, 0.04, 0.06)
_FILLERS = {"houses": residential.houses, "apartments": residential.apartments, "perimeter": residential.perimeter,
            "commercial": lots.commercial, "park": lots.park, "parking": lots.parking, "soil": lots.soil,
            "plaza": lots.plaza}


def block(layout: Layout, s0: float, s1: float, t0: float, t1: float) -> None:
    """The block between grid coordinates s0-s1 and t0-t1: kerb, sidewalk, interior, street trees, pedestrians."""
    rng = layout.rng
    if s1 - s0 < 6 or t1 - t0 < 6:
        return
    outer = _to_world(layout, _chamfer(s0, s1, t0, t1, 3.0))
    if not layout.near(outer, 25):
        return
    layout.poly("curb", outer)
    layout.poly("pavement", _to_world(layout, _chamfer(s0 + 0.3, s1 - 0.3, t0 + 0.3, t1 - 0.3, 2.8)))
    sidewalk_width = rng.uniform(2.2, 3.6)
    a0, a1, b0, b1 = s0 + sidewalk_width, s1 - sidewalk_width, t0 + sidewalk_width, t1 - sidewalk_width
    axis_s, axis_t = layout.rot[:, 0], layout.rot[:, 1]
    if a1 - a0 >= b1 - b0:
        frame, length, depth = Local(layout.rot @ (a0, b0), axis_s, axis_t), a1 - a0, b1 - b0
    else:
        frame, length, depth = Local(layout.rot @ (a0, b0), axis_t, axis_s), b1 - b0, a1 - a0
    if depth > 6 and length > 6:
        fill(layout, frame, length, depth)
    _sidewalks(layout, s0, s1, t0, t1, sidewalk_width)


def _to_world(layout: Layout, pts) -> np.ndarray:
    """Grid coordinates to world metres."""
    return np.asarray(pts, float) @ layout.rot.T


def _sidewalks(layout: Layout, s0: float, s1: float, t0: float, t1: float, sidewalk_width: float) -> None:
    """Street trees and pedestrians on the sidewalk ring of a block, sidewalk_width metres wide."""
    rng = layout.rng
    sides = [((s0, t0), (s1, t0), (0, 1)), ((s1, t0), (s1, t1), (-1, 0)),
             ((s1, t1), (s0, t1), (0, -1)), ((s0, t1), (s0, t0), (1, 0))]
    for start, end, inward in sides:
        start, end, inward = np.array(start, float), np.array(end, float), np.array(inward, float)
        length = np.linalg.norm(end - start)
        along = (end - start) / length
        if rng.random() < 0.6 * layout.greenery and sidewalk_width > 2.3:
            u, step = rng.uniform(4, 8), rng.uniform(7, 11)
            while u < length - 4:
                layout.tree(layout.rot @ (start + along * u + inward * 1.3), rng.uniform(2.5, 3.8))
                u += step
        for _ in range(rng.poisson(1.3 * layout.crowd * length / 100)):
            spot = layout.rot @ (start + along * rng.uniform(1, length - 1)
                                 + inward * rng.uniform(0.6, sidewalk_width - 0.4))
            for _ in range(1 + int(rng.choice(3, p=[0.6, 0.3, 0.1]))):
                layout.human(spot + rng.normal(0, 0.6, 2))


def fill(layout: Layout, frame: Local, length: float, depth: float, split: bool = True) -> None:
    """Fill a block interior (u along its long side, v across it), large ones as two parts of different use."""
    rng = layout.rng
    if split and length > 75 and rng.random() < 0.65:
        cut = rng.uniform(0.35, 0.65) * length
        layout.poly("pavement", frame.rect(cut - 1.5, cut + 1.5, 0, depth))
        fill(layout, frame, cut - 1.5, depth, False)
        fill(layout, Local(frame.pt(cut + 1.5, 0), frame.axis_u, frame.axis_v), length - cut - 1.5, depth, False)
        return
    kind = str(rng.choice(list(_USES), p=list(_USE_P)))
    if min(length, depth) < 26 and kind in ("houses", "apartments", "commercial", "perimeter"):
        kind = "plaza" if rng.random() < 0.4 else "park"
    if kind == "perimeter" and min(length, depth) < 36:
        kind = "apartments"
    if kind in ("soil", "parking") and length * depth > 3000:
        kind = "park" if kind == "soil" else "commercial"
    _FILLERS[kind](layout, frame, length, depth)


def _chamfer(s0: float, s1: float, t0: float, t1: float, cut: float) -> list[tuple[float, float]]:
    """Corners of a rectangle with its corners cut by cut (at most a third of a side)."""
    cut = min(cut, (s1 - s0) / 3, (t1 - t0) / 3)
    return [(s0 + cut, t0), (s1 - cut, t0), (s1, t0 + cut), (s1, t1 - cut), (s1 - cut, t1), (s0 + cut, t1),
            (s0, t1 - cut), (s0, t0 + cut)]
