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
    lay = Layout(rng, phi, bounds)
    corners = np.array([[x, y] for x in bounds[:2] for y in bounds[2:]])
    g = corners @ lay.rot  # world -> grid coordinates
    S = _road_lines(lay, g[:, 0].min() - 30, g[:, 0].max() + 30)
    T = _road_lines(lay, g[:, 1].min() - 30, g[:, 1].max() + 30)
    ncol = len(S) - 1
    present = np.array([[kind == "main" or j in (0, len(T) - 1) or rng.random() < 0.78
                         for _ in range(ncol)] for j, (_, _, kind) in enumerate(T)])
    for k in range(ncol):
        js = [j for j in range(len(T)) if present[j, k]]
        for j0, j1 in zip(js[:-1], js[1:], strict=True):
            block(lay, S[k][0] + S[k][1] / 2, S[k + 1][0] - S[k + 1][1] / 2,
                  T[j0][0] + T[j0][1] / 2, T[j1][0] - T[j1][1] / 2)
    for k, (c, w, kind) in enumerate(S):
        js = [j for j in range(len(T))
              if (k > 0 and present[j, k - 1]) or (k < ncol and present[j, k])]
        for j0, j1 in zip(js[:-1], js[1:], strict=True):
            a0, a1 = T[j0][0] + T[j0][1] / 2, T[j1][0] - T[j1][1] / 2
            _segment(lay, lay.rot @ (c, a0), lay.rot @ (0.0, 1.0), a1 - a0, w, kind)
    for j, (c, w, kind) in enumerate(T):
        for k in range(ncol):
            if present[j, k]:
                a0, a1 = S[k][0] + S[k][1] / 2, S[k + 1][0] - S[k + 1][1] / 2
                _segment(lay, lay.rot @ (a0, c), lay.rot @ (1.0, 0.0), a1 - a0, w, kind)
    return lay


def _road_lines(lay: Layout, lo: float, hi: float) -> list[tuple[float, float, str]]:
    """Centre, width and kind of parallel roads from before lo to past hi."""
    rng = lay.rng
    out, c = [], lo - rng.uniform(0, 40)
    while True:
        kind = rng.choice(["main", "street", "narrow"], p=[0.22, 0.53, 0.25])
        w = {"main": rng.uniform(14.5, 16), "street": rng.uniform(9.5, 11),
             "narrow": rng.uniform(6.5, 7.5)}[kind]
        out.append((c, w, str(kind)))
        if c > hi:
            return out
        c += rng.uniform(52, 92)


def _segment(lay: Layout, o: np.ndarray, d: np.ndarray, length: float, w: float, kind: str) -> None:
    """One road between two crossings: from o along d for length metres, w wide."""
    G = Local(o, d, (d[1], -d[0]))  # u along the road, v to the right of it
    hw = w / 2
    if length < 8 or not lay.near(G.rect(0, length, -hw, hw), 10):
        return
    _markings(lay, G, length, hw, kind)
    _crossings(lay, G, length, hw, kind)
    _traffic(lay, G, d, length, kind)
    if kind == "street":
        _parked_cars(lay, G, d, length, hw)


def _markings(lay: Layout, G: Local, length: float, hw: float, kind: str) -> None:
    """Lane markings: double centre and dashed lane lines on main roads, dashes on the others."""
    if kind == "main":
        for v in (-0.2, 0.2):
            lay.poly("marking", G.rect(0.5, length - 0.5, v - 0.09, v + 0.09))
        for v in (-3.4, 3.4):
            _dashes(lay, G, length, v, 3.0, 5.0, 0.16)
        for v in (hw - 0.5, 0.5 - hw):
            lay.poly("marking", G.rect(0.5, length - 0.5, v - 0.1, v + 0.1))
    elif kind == "street":
        _dashes(lay, G, length, 0.0, 3.0, 3.5, 0.15)
    elif lay.rng.random() < 0.6:
        _dashes(lay, G, length, 0.0, 2.0, 4.0, 0.14)


def _crossings(lay: Layout, G: Local, length: float, hw: float, kind: str) -> None:
    """Zebra crossings at some road ends, with people on them."""
    rng = lay.rng
    for end in (0, 1):
        if length > 20 and rng.random() < (0.55 if kind == "main" else 0.25):
            u0 = 1.0 if end == 0 else length - 4.0
            v = -hw + 0.5
            while v < hw - 0.9:
                lay.poly("marking", G.rect(u0, u0 + 3.0, v, v + 0.5))
                v += 1.0
            for _ in range(rng.poisson(0.8 * lay.crowd)):
                lay.human(G.pt(u0 + rng.uniform(0.3, 2.7), rng.uniform(-hw, hw)))


def _traffic(lay: Layout, G: Local, d: np.ndarray, length: float, kind: str) -> None:
    """Moving cars in each lane, at least 7.5 m apart along the lane's loop."""
    rng = lay.rng
    dens = {"main": 3.2, "street": 1.8, "narrow": 1.0}[kind] * lay.traffic
    for v, sgn in _LANES[kind]:
        span = length - 4
        if span < 8:
            continue
        pos = np.sort(rng.uniform(0, span, rng.poisson(dens * span / 100)))
        keep = [p for i, p in enumerate(pos) if i == 0 or p - pos[i - 1] >= 7.5]
        if keep and (span - keep[-1] + keep[0]) < 7.5:
            keep = keep[:-1]
        if not keep or not lay.near(G.rect(0, length, v - 1, v + 1)):
            continue
        start = G.pt(2.0 if sgn > 0 else length - 2.0, v)
        speed = rng.uniform(2.5, 6.0)
        for p in keep:
            lay.mover(start, (d[0] * sgn, d[1] * sgn), span, speed, p)


def _parked_cars(lay: Layout, G: Local, d: np.ndarray, length: float, hw: float) -> None:
    """Rows of cars parked along the kerbs of a street."""
    rng = lay.rng
    for sgn in (-1, 1):
        if rng.random() < 0.6:
            occ, step, u = rng.uniform(0.45, 0.9), rng.uniform(5.8, 6.6), 5.0
            while u < length - 5:
                if rng.random() < occ:
                    lay.car(G.pt(u, sgn * (hw - 1.15) + rng.uniform(-0.15, 0.15)), d * sgn)
                u += step


def _dashes(lay: Layout, G: Local, length: float, v: float, dash: float, gap: float, width: float) -> None:
    """A dashed line at v along the road."""
    u = 1.0 + lay.rng.uniform(0, gap)
    while u + dash < length - 1:
        lay.poly("marking", G.rect(u, u + dash, v - width / 2, v + width / 2))
        u += dash + gap
