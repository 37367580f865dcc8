"""Residential block uses: detached houses on parcels, apartment slabs, perimeter blocks round a courtyard."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .geometry import Local
from .layout import Layout
from .lots import parking_row

_SHEDS = [(150, 120, 90), (118, 108, 98), (172, 170, 164), (112, 126, 104), (204, 198, 188)]


class _Plot(NamedTuple):
    """A house parcel from u0 to u1, d deep, and its house: centre (uc, vc), size hw x hd, setback sb."""

    u0: float
    u1: float
    d: float
    uc: float
    vc: float
    hw: float
    hd: float
    sb: float
    drive: bool  # whether the house leaves room for a driveway
    left: bool  # whether the driveway is at u0


def houses(lay: Layout, F: Local, L: float, D: float) -> None:
    """Two rows of house parcels back to back, trees in any gap between them."""
    rng = lay.rng
    lay.poly("lawn", F.rect(0, L, 0, D))
    d = min(rng.uniform(18, 26), D / 2)
    for side in (0, 1):
        G = F if side == 0 else Local(F.pt(0, D), F.eu, -F.ev)
        u = rng.uniform(0, 3)
        while L - u >= 10:
            fw = rng.uniform(13, 21)
            if L - u - fw < 10:
                fw = L - u
            _parcel(lay, G, u, u + fw, d)
            u += fw
    if D - 2 * d > 4:
        n = int(lay.greenery * L * (D - 2 * d) / 65)
        lay.scatter_trees(F, (0, L, d, D - d), n, 2.8, 5.0, clusters=2)


def _parcel(lay: Layout, G: Local, u0: float, u1: float, d: float) -> None:
    """One parcel (v = 0 at the street): a house with driveway and garden, or just trees if it is too small."""
    rng = lay.rng
    fw = u1 - u0
    if d < 12 or fw < 9:
        lay.scatter_trees(G, (u0, u1, 0, d), 2, 2.5, 4, ())
        return
    hw = rng.uniform(7.5, min(13.0, fw - 4.5)) if fw > 12.5 else fw - 3.0
    hd = rng.uniform(7.5, min(12.5, d - 5.0)) if d > 13 else d - 4.5
    sb = rng.uniform(2.0, max(2.1, min(5.0, d - hd - 1.5)))
    drive = fw - hw >= 4.5
    left = rng.random() < 0.5
    uc = _driveway(lay, G, u0, u1, hw, hd, sb, left) if drive else (u0 + u1) / 2
    plot = _Plot(u0, u1, d, uc, sb + hd / 2, hw, hd, sb, drive, left)
    _house(lay, G, plot)
    _garden(lay, G, plot)


def _driveway(lay: Layout, G: Local, u0: float, u1: float, hw: float, hd: float, sb: float, left: bool) -> float:
    """A driveway, sometimes with a car on it, beside the house; returns the house's centre u."""
    rng = lay.rng
    slack = u1 - u0 - hw - 4.4
    du = (u0 + 0.6, u0 + 3.4) if left else (u1 - 3.4, u1 - 0.6)
    uc = (u0 + 3.9 + hw / 2 + rng.uniform(0, slack)) if left else (u1 - 3.9 - hw / 2 - rng.uniform(0, slack))
    lay.poly(str(rng.choice(["pavement", "gravel", "parking"])), G.rect(du[0], du[1], 0, sb + hd))
    if sb + hd > 5.5 and rng.random() < 0.55:
        lay.car(G.pt((du[0] + du[1]) / 2, rng.uniform(2.6, sb + hd - 2.6)),
                G.ev * rng.choice([-1, 1]))
    return uc


def _house(lay: Layout, G: Local, p: _Plot) -> None:
    """The house of a plot, sometimes with a terrace behind it."""
    rng = lay.rng
    uc, vc, hw, hd = p.uc, p.vc, p.hw, p.hd
    if rng.random() < 0.4:
        lay.poly("pavement", G.rect(uc - hw / 2 + 1, uc + hw / 2 - 1, vc + hd / 2, min(p.d - 0.5, vc + hd / 2 + 3.5)))
    floors = rng.choice([1, 2, 3], p=[0.1, 0.7, 0.2])
    roof = str(rng.choice(["gable", "hip", "flat"], p=[0.58, 0.32, 0.10]))
    lay.building(G, uc, vc, hw, hd, 2.8 * floors + rng.uniform(0.2, 0.8), roof, "house",
                 ridge_u=bool(rng.random() < 0.7))


def _garden(lay: Layout, G: Local, p: _Plot) -> None:
    """Hedges, pool, shed, trees and maybe a person around the house of a plot."""
    rng = lay.rng
    u0, u1, d, uc, vc, hw, hd, sb = p.u0, p.u1, p.d, p.uc, p.vc, p.hw, p.hd, p.sb
    fw = u1 - u0
    occ = [(uc - hw / 2, uc + hw / 2, vc - hd / 2, vc + hd / 2)]
    if rng.random() < 0.3:
        lay.poly("hedge", G.rect(u0 + 0.2, u1 - 0.2, 0.1, 0.9) if not p.drive else
                 (G.rect(u0 + 3.6, u1 - 0.2, 0.1, 0.9) if p.left else G.rect(u0 + 0.2, u1 - 3.6, 0.1, 0.9)))
    if rng.random() < 0.3:
        lay.poly("hedge", G.rect(u1 - 0.9, u1 - 0.1, 1.0, d - 0.2))
    back = (u0 + 1, u1 - 1, vc + hd / 2 + 1.5, d - 0.5)
    if rng.random() < 0.08 and back[3] - back[2] > 6 and fw > 12:
        pu = rng.uniform(back[0] + 2.5, back[1] - 2.5)
        pool = (pu - 2, pu + 2, back[2] + 1, back[2] + 5)
        lay.poly("water", G.rect(*pool))
        occ.append(pool)
    if rng.random() < 0.18 and back[3] - back[2] > 4:
        su, sv = back[1] - 1.8, back[3] - 1.6
        lay.box(G.pt(su, sv), G.eu, 2.6, 2.2, 2.3, _SHEDS[int(rng.integers(len(_SHEDS)))])
        occ.append((su - 1.5, su + 1.5, sv - 1.5, sv + 1.5))
    lay.scatter_trees(G, back, int(rng.choice(5, p=[0.05, 0.2, 0.3, 0.25, 0.2]) * lay.greenery + 0.4),
                      2.6, 4.8, occ)
    if rng.random() < 0.3 * lay.greenery and sb > 3:
        lay.scatter_trees(G, (u0 + 1, u1 - 1, 0.5, sb + 1), 1, 1.8, 2.6, occ)
    if rng.random() < 0.25:
        lay.human(G.pt(uc + rng.uniform(-hw, hw) / 2, rng.uniform(0.5, sb)))


def apartments(lay: Layout, F: Local, L: float, D: float) -> None:
    """Rows of apartment slabs on aprons, maybe a parking row, trees between them."""
    rng = lay.rng
    lay.poly("lawn" if rng.random() < 0.6 else "tiles", F.rect(0, L, 0, D))
    occ = []
    nrows = max(1, int((D - 4) // 34))
    pv = D / nrows
    for r in range(nrows):
        sd = min(rng.uniform(11, 15), pv - 9)
        if sd < 8:
            continue
        _slab_row(lay, F, L, r * pv + pv / 2 + rng.uniform(-1.5, 1.5), sd, occ)
    if rng.random() < 0.4:
        lot = (3.0, L - 3.0, 0.6, 5.8)
        if not any(lot[2] < b1 and lot[3] > b0 and lot[0] < a1 and lot[1] > a0 for a0, a1, b0, b1 in occ):
            parking_row(lay, F, lot[0], lot[1], lot[2], lot[3], rng.uniform(0.3, 0.8))
            occ.append(lot)
    n = int(lay.greenery * L * D / 140)
    lay.scatter_trees(F, (0, L, 0, D), n, 2.8, 5.2, occ, clusters=3)


def _slab_row(lay: Layout, F: Local, L: float, vc: float, sd: float, occ: list) -> None:
    """A row of slabs sd deep centred at v = vc, with people about them; their aprons are added to occ."""
    rng = lay.rng
    u = rng.uniform(3, 8)
    while L - u >= 25:
        sl = rng.uniform(22, min(56, L - u - 3))
        roof = str(rng.choice(["flat", "hip", "gable"], p=[0.6, 0.25, 0.15]))
        apron = (u - 2.5, u + sl + 2.5, vc - sd / 2 - 2.5, vc + sd / 2 + 2.5)
        lay.poly("pavement" if rng.random() < 0.6 else "tiles", F.rect(*apron))
        floors = int(rng.integers(4, 9)) if rng.random() < 0.8 else int(rng.integers(9, 14))
        lay.building(F, u + sl / 2, vc, sl, sd, 3.0 * floors + 0.6, roof, "apt")
        occ.append(apron)
        for _ in range(rng.poisson(2.0 * lay.crowd)):
            side = rng.choice([-1, 1])
            lay.human(F.pt(rng.uniform(u, u + sl), vc + side * (sd / 2 + rng.uniform(0.4, 2.2))))
        u += sl + rng.uniform(9, 18)


def perimeter(lay: Layout, F: Local, L: float, D: float) -> None:
    """Closed rows of adjoining 2-7 storey buildings around a courtyard."""
    rng = lay.rng
    depth = rng.uniform(10, 14)
    if D < 2 * depth + 8:
        apartments(lay, F, L, D)
        return
    base = int(rng.integers(3, 7))
    _terrace(lay, F, base, depth, True, depth / 2, 0, L)
    _terrace(lay, F, base, depth, True, D - depth / 2, 0, L)
    _terrace(lay, F, base, depth, False, depth / 2, depth, D - depth)
    _terrace(lay, F, base, depth, False, L - depth / 2, depth, D - depth)
    court = (depth + 1, L - depth - 1, depth + 1, D - depth - 1)
    lay.poly(str(rng.choice(["lawn", "tiles", "parking"], p=[0.6, 0.25, 0.15])), F.rect(*court))
    occ = []
    if rng.random() < 0.3 and court[3] - court[2] > 8:
        lot = (court[0] + 1, court[1] - 1, court[2] + 0.5, court[2] + 5.7)
        parking_row(lay, F, *lot, rng.uniform(0.3, 0.8))
        occ.append(lot)
    n = int(lay.greenery * (court[1] - court[0]) * (court[3] - court[2]) / 90)
    lay.scatter_trees(F, court, n, 2.8, 5.0, occ, clusters=2)
    for _ in range(rng.poisson(1.5 * lay.crowd)):
        lay.human(F.pt(rng.uniform(court[0], court[1]), rng.uniform(court[2], court[3])))


def _terrace(lay: Layout, F: Local, base: int, depth: float, along_u: bool, fixed: float, start: float,
             stop: float) -> None:
    """One side of a perimeter block: adjoining buildings from start to stop along u (or v) at fixed v (or u)."""
    rng = lay.rng
    x = start
    while stop - x > 1:
        seg = min(rng.uniform(12, 30), stop - x)
        if stop - x - seg < 8:
            seg = stop - x
        he = 3.0 * int(np.clip(base + rng.integers(-1, 2), 2, 8)) + 0.6
        roof = str(rng.choice(["gable", "hip", "flat"], p=[0.45, 0.2, 0.35]))
        if along_u:
            lay.building(F, x + seg / 2, fixed, seg, depth, he, roof, "apt", ridge_u=True)
        else:
            lay.building(F, fixed, x + seg / 2, depth, seg, he, roof, "apt", ridge_u=False)
        x += seg
