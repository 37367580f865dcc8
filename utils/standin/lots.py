"""Open block uses: parking, commercial lots, parks, bare soil and plazas."""
from __future__ import annotations

import numpy as np

from .geometry import Local, blob
from .layout import Layout

_CONTAINERS = [(206, 110, 40), (60, 96, 150), (220, 220, 214), (110, 120, 104)]
_STALLS = [(220, 80, 60), (240, 240, 236), (70, 130, 190), (220, 200, 80)]


def parking_row(lay: Layout, F: Local, u0: float, u1: float, v0: float, v1: float, occ: float) -> None:
    """A row of parking bays across v0-v1, each taken by a car with probability occ."""
    rng = lay.rng
    lay.poly("parking", F.rect(u0, u1, v0, v1))
    step = rng.uniform(2.5, 2.8)
    n = int((u1 - u0) / step)
    for i in range(n + 1):
        u = u0 + i * step
        lay.poly("line", F.rect(u - 0.08, u + 0.08, v0 + 0.3, v1))
    for i in range(n):
        if rng.random() < occ:
            p = F.pt(u0 + (i + 0.5) * step + rng.uniform(-0.15, 0.15), (v0 + v1) / 2 + rng.uniform(-0.3, 0.3))
            lay.car(p, F.ev * rng.choice([-1, 1]))


def _parking_area(lay: Layout, F: Local, u0: float, u1: float, v0: float, v1: float) -> None:
    """Pairs of parking rows with aisles and planted strips between, and people walking to their cars."""
    rng = lay.rng
    lay.poly("parking", F.rect(u0, u1, v0, v1))
    occ = rng.uniform(0.3, 0.8)
    v = v0 + 1.0
    while v + 5.2 <= v1 - 0.5:
        parking_row(lay, F, u0 + 2, u1 - 2, v, v + 5.2, occ)
        v += 5.2 + 6.5
        if v + 5.2 > v1 - 0.5:
            break
        parking_row(lay, F, u0 + 2, u1 - 2, v, v + 5.2, occ)
        v += 5.2
        if v + 2.0 < v1:
            _planted_strip(lay, F, u0, u1, v)
        v += 1.8 + 6.5
    for _ in range(rng.poisson(0.3 * lay.crowd * (u1 - u0) * (v1 - v0) / 400)):
        lay.human(F.pt(rng.uniform(u0 + 2, u1 - 2), rng.uniform(v0 + 1, v1 - 1)))


def _planted_strip(lay: Layout, F: Local, u0: float, u1: float, v: float) -> None:
    """A strip of lawn or hedge with trees between two pairs of parking rows."""
    rng = lay.rng
    lay.poly("lawn" if rng.random() < 0.6 else "hedge", F.rect(u0 + 2, u1 - 2, v + 0.2, v + 1.6))
    uu, step = u0 + rng.uniform(3, 6), rng.uniform(9, 14)
    while uu < u1 - 3:
        if rng.random() < 0.7 * lay.greenery:
            lay.tree(F.pt(uu, v + 0.9), rng.uniform(2.2, 3.4))
        uu += step


def commercial(lay: Layout, F: Local, L: float, D: float) -> None:
    """An office or shop building with its car park; the far part of a wide remainder is green."""
    rng = lay.rng
    bl = min(rng.uniform(0.45, 0.7) * L, 56.0)
    bd = min(D - 10, 56.0)
    if bl < 16 or bd < 12:
        parking(lay, F, L, D)
        return
    lay.poly("pavement", F.rect(0, L, 0, D))
    left = rng.random() < 0.5
    u0 = 4.0 if left else L - 4.0 - bl
    vc = D / 2 + rng.uniform(-1, 1) * (D - 8 - bd) / 2
    lay.building(F, u0 + bl / 2, vc, bl, bd, rng.uniform(7, 13), "flat", "office")
    for _ in range(rng.poisson(2.5 * lay.crowd)):
        lay.human(F.pt(rng.uniform(u0, u0 + bl), vc - bd / 2 - rng.uniform(0.5, 3)))
    pu0, pu1 = (u0 + bl + 5, L) if left else (0, u0 - 5)
    if pu1 - pu0 > 40:  # the far part of a wide remainder is green
        green = (pu0 + 36, pu1) if left else (pu0, pu1 - 36)
        pu0, pu1 = (pu0, pu0 + 34) if left else (pu1 - 34, pu1)
        lay.poly("lawn", F.rect(*green, 0, D))
        lay.scatter_trees(F, (*green, 0, D), int(lay.greenery * (green[1] - green[0]) * D / 120), 2.8, 5.0)
    if pu1 - pu0 > 12:
        _parking_area(lay, F, pu0, pu1, 0, min(D, 48))
    lay.scatter_trees(F, (0, L, 0, D), int(lay.greenery * 6), 2.8, 4.5,
                      [(u0 - 2, u0 + bl + 2, 0, D), (pu0, pu1, 0, D)])


def parking(lay: Layout, F: Local, L: float, D: float) -> None:
    """A block-sized car park."""
    _parking_area(lay, F, 0, L, 0, D)


def park(lay: Layout, F: Local, L: float, D: float) -> None:
    """Lawn with dry patches, paths, maybe a pond or a court, many trees and people on the paths."""
    rng = lay.rng
    lay.poly("lawn", F.rect(0, L, 0, D))
    for _ in range(rng.integers(0, 4)):
        lay.poly("dry grass", F.pts(blob(rng.uniform((0, 0), (L, D)), rng.uniform(4, 12), rng)))
    occ = []
    paths = _park_paths(lay, F, L, D)
    if rng.random() < 0.15 and L > 30 and D > 30:
        c, r = rng.uniform((12, 12), (L - 12, D - 12)), rng.uniform(5, 9)
        lay.poly("water", F.pts(blob(c, r, rng)))
        occ.append((c[0] - r, c[0] + r, c[1] - r, c[1] + r))
    if rng.random() < 0.3 and L > 25 and D > 20:
        c = rng.uniform((8, 8), (L - 8, D - 8))
        lay.poly(str(rng.choice(["soil", "court"])), F.rect(c[0] - 5, c[0] + 5, c[1] - 4, c[1] + 4))
        occ.append((c[0] - 5, c[0] + 5, c[1] - 4, c[1] + 4))
    n = int(lay.greenery * L * D / 100 * rng.uniform(0.7, 1.3))
    lay.scatter_trees(F, (0, L, 0, D), n, 2.8, 5.8, occ, clusters=max(1, n // 8))
    for _ in range(rng.poisson(4 * lay.crowd)):
        p, q = paths[rng.integers(len(paths))]
        lay.human(F.pt(*(p + (q - p) * rng.uniform(0, 1) + rng.normal(0, 0.5, 2))))


def _park_paths(lay: Layout, F: Local, L: float, D: float) -> list[tuple[np.ndarray, np.ndarray]]:
    """One to three paths, each from an edge through an inner point to an edge; returns their legs."""
    rng = lay.rng
    paths = []
    for _ in range(rng.integers(1, 4)):
        ends = [_edge_point(lay, L, D), rng.uniform((0.2 * L, 0.2 * D), (0.8 * L, 0.8 * D)), _edge_point(lay, L, D)]
        width, mat = rng.uniform(2, 3.2), str(rng.choice(["gravel", "tiles", "pavement"]))
        for p, q in zip(ends[:-1], ends[1:], strict=True):
            dvec = (q - p) / max(np.linalg.norm(q - p), 1e-6)
            nvec = np.array([-dvec[1], dvec[0]]) * width / 2
            lay.poly(mat, F.pts([p - nvec, q - nvec, q + nvec, p + nvec]))
            paths.append((p, q))
        lay.poly(mat, F.pts(blob(ends[1], width * 0.6, rng, 10)))
    return paths


def _edge_point(lay: Layout, L: float, D: float) -> np.ndarray:
    """A random point on the edge of an L x D rectangle, away from its corners."""
    rng = lay.rng
    side = rng.integers(4)
    t = rng.uniform(0.1, 0.9)
    return np.array([(t * L, 0), (L, t * D), (t * L, D), (0, t * D)][side], float)


def soil(lay: Layout, F: Local, L: float, D: float) -> None:
    """Bare ground with containers, a few cars, people and sparse trees."""
    rng = lay.rng
    lay.poly("soil", F.rect(0, L, 0, D))
    for _ in range(rng.integers(1, 4)):
        lay.poly(str(rng.choice(["gravel", "dry grass", "soil"])),
                 F.pts(blob(rng.uniform((0, 0), (L, D)), rng.uniform(4, 10), rng)))
    for _ in range(rng.integers(2, 7)):
        colour = tuple(rng.choice(_CONTAINERS))
        lay.box(F.pt(rng.uniform(4, L - 4), rng.uniform(4, D - 4)), F.eu if rng.random() < 0.5 else F.ev,
                rng.uniform(5.5, 6.5), 2.4, 2.6, colour)
    for _ in range(rng.integers(0, 3)):
        lay.car(F.pt(rng.uniform(3, L - 3), rng.uniform(3, D - 3)), F.eu * rng.choice([-1, 1]))
    for _ in range(rng.poisson(2 * lay.crowd)):
        lay.human(F.pt(rng.uniform(1, L - 1), rng.uniform(1, D - 1)))
    lay.scatter_trees(F, (0, L, 0, D), int(lay.greenery * L * D / 900), 2, 3.5)


def plaza(lay: Layout, F: Local, L: float, D: float) -> None:
    """Paved square, maybe with a building, a grid of planted trees, kiosks and many people."""
    rng = lay.rng
    lay.poly("tiles", F.rect(0, L, 0, D))
    occ = []
    if L > 36 and D > 22:
        bl = min(rng.uniform(0.35, 0.55) * L, 50)
        bd = min(D - 8, rng.uniform(14, 26))
        u0 = 3 if rng.random() < 0.5 else L - 3 - bl
        lay.building(F, u0 + bl / 2, D / 2, bl, bd, rng.uniform(9, 18),
                     str(rng.choice(["hip", "flat", "gable"])), "apt")
        occ.append((u0 - 2, u0 + bl + 2, D / 2 - bd / 2 - 2, D / 2 + bd / 2 + 2))
    _plaza_trees(lay, F, L, D, occ)
    for _ in range(rng.integers(0, 3)):  # kiosks and market stalls
        lay.box(F.pt(rng.uniform(4, L - 4), rng.uniform(4, D - 4)), F.eu, rng.uniform(4, 6),
                rng.uniform(3.5, 5), rng.uniform(2.6, 3.2), tuple(rng.choice(_STALLS)))
    for _ in range(rng.poisson(0.5 * lay.crowd * L * D / 100)):
        c = rng.uniform((1, 1), (L - 1, D - 1))
        if not any(a0 + 1 < c[0] < a1 - 1 and b0 + 1 < c[1] < b1 - 1 for a0, a1, b0, b1 in occ):
            lay.human(F.pt(*c))


def _plaza_trees(lay: Layout, F: Local, L: float, D: float, occ: list) -> None:
    """Trees on a regular grid over a plaza, some in a square of lawn or hedge, clear of occ."""
    rng = lay.rng
    step = rng.uniform(7, 10)
    for u in np.arange(step / 2, L, step):
        for v in np.arange(step / 2, D, step):
            if rng.random() < 0.6 * lay.greenery and not any(
                    a0 - 2 < u < a1 + 2 and b0 - 2 < v < b1 + 2 for a0, a1, b0, b1 in occ):
                if rng.random() < 0.5:
                    lay.poly("lawn" if rng.random() < 0.7 else "hedge", F.rect(u - 2, u + 2, v - 2, v + 2))
                lay.tree(F.pt(u, v), rng.uniform(2.4, 3.6))
