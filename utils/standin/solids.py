"""Upright objects as drawable solids: textured buildings, shaded cars, vans and boxes; trees and people as arrays."""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .conditions import Lighting
from .constants import CAR_COLOURS, CLOTHES, FLAT_W, HAIR, TEX_H, TEX_W, TILE_W
from .geometry import BOX_FACES, CAR_FACES, box_vertices, face_normals, unit
from .layout import Layout
from .objects import (
    Box,
    Building,
    BuildingSolid,
    BuildingSpec,
    Car,
    Crowd,
    Face,
    Human,
    Mover,
    MovingCars,
    RawFace,
    SceneObjects,
    Solids,
    TexMap,
    Tree,
    Trees,
)
from .textures import Textures

_GLASS = np.array([40, 46, 56.0])


class _Axes(NamedTuple):
    """A building's frame: centre c on the ground, eu along its axis, ev across, ez up."""

    c: np.ndarray
    eu: np.ndarray
    ev: np.ndarray
    ez: np.ndarray

    def p(self, u: float, v: float, z: float) -> np.ndarray:
        """World point at (u, v, z) of the frame."""
        return self.c + u * self.eu + v * self.ev + z * self.ez


def building_solid(b: BuildingSpec, tex: Textures) -> BuildingSolid:
    """Vertices and faces of one building, in drawing order: walls, roof, roof parts."""
    eu = np.array([b.axis[0], b.axis[1], 0.0])
    ax = _Axes(np.array([b.centre[0], b.centre[1], 0.0]), eu, np.array([-eu[1], eu[0], 0.0]), np.array([0, 0, 1.0]))
    inside = ax.c + 0.5 * b.he * ax.ez  # orients the face normals outwards
    faces = _walls(b, ax, inside)
    faces += _flat_roof(b, ax, inside, tex) if b.roof == "flat" else _pitched_roof(b, ax, inside, tex)
    faces += _roof_parts(b, ax)
    return BuildingSolid(np.vstack([f.points for f in faces]), faces)


def _corners(b: BuildingSpec) -> list[tuple[float, float]]:
    """Footprint corners (u, v), counter-clockwise."""
    a, bb = b.a, b.b
    return [(-a, -bb), (a, -bb), (a, bb), (-a, bb)]


def _walls(b: BuildingSpec, ax: _Axes, inside: np.ndarray) -> list[RawFace]:
    """Four facade-textured walls; gable ends reach up to the ridge."""
    point, corners = ax.p, _corners(b)
    hr = b.he + b.b * math.tan(b.pitch)
    faces = []
    for i in range(4):
        (pu, pv), (qu, qv) = corners[i], corners[(i + 1) % 4]
        pts = [point(pu, pv, 0), point(qu, qv, 0), point(qu, qv, b.he)]
        if b.roof == "gable" and i in (1, 3):
            pts.append(point(qu, 0, hr))
        pts.append(point(pu, pv, b.he))
        e1 = unit(pts[1] - pts[0])
        wall = np.linalg.norm(pts[1] - pts[0])
        off = ((b.foff + 0.37 * i) % 1.0) * max(0.0, TEX_W - 0.6 - wall) + 0.3
        faces.append(RawFace(np.array(pts), "tex", TexMap("facade", b.facade, pts[0], e1, ax.ez, 1, off, -1, TEX_H),
                             inside))
    return faces


def _flat_roof(b: BuildingSpec, ax: _Axes, inside: np.ndarray, tex: Textures) -> list[RawFace]:
    """A parapet in a mix of roof and wall colour round a textured flat roof."""
    point, corners, ri = ax.p, _corners(b), b.roof_tex
    parapet = tuple(0.5 * np.array(tex.flat_rgb[ri]) + 0.5 * np.array(tex.facade_rgb[b.facade]))
    k = 0.45
    inner = [point(u - np.sign(u) * k, v - np.sign(v) * k, b.he) for u, v in corners]
    avail = max(0.0, FLAT_W - 0.6 - 2 * max(b.a, b.b))
    return [RawFace(np.array([point(u, v, b.he) for u, v in corners]), "solid", parapet, inside),
            RawFace(np.array(inner), "tex", TexMap("flat", ri, inner[0], ax.eu, ax.ev, 1, 0.3 + b.roff[0] * avail,
                                                   1, 0.3 + b.roff[1] * avail), inside)]


def _pitched_roof(b: BuildingSpec, ax: _Axes, inside: np.ndarray, tex: Textures) -> list[RawFace]:
    """Tiled gable or hip roof planes with overhanging eaves, and the ridge as a line."""
    point, a, bb = ax.p, b.a, b.b
    tp = math.tan(b.pitch)
    hr = b.he + bb * tp
    o = 0.35
    ze = b.he - o * tp
    eaves = [point(-a - o, -bb - o, ze), point(a + o, -bb - o, ze), point(a + o, bb + o, ze), point(-a - o, bb + o, ze)]
    if b.roof == "gable":
        ridge0, ridge1 = point(-a - o, 0, hr), point(a + o, 0, hr)
        planes = [[eaves[0], eaves[1], ridge1, ridge0], [eaves[2], eaves[3], ridge0, ridge1]]
    else:
        r = max(a - bb, 0.0)
        ridge0, ridge1 = point(-r, 0, hr), point(r, 0, hr)
        planes = [[eaves[0], eaves[1], ridge1, ridge0], [eaves[2], eaves[3], ridge0, ridge1],
                  [eaves[1], eaves[2], ridge1], [eaves[3], eaves[0], ridge0]]
    avail = max(0.0, TILE_W - 0.6 - 2 * (a + o))
    faces = []
    for j, pl in enumerate(planes):
        e1 = unit(pl[1] - pl[0])
        eave = (pl[0] + pl[1]) / 2
        top = ridge0 if j == 3 else ridge1 if j == 2 else (ridge0 + ridge1) / 2
        e2 = unit(top - eave - e1 * ((top - eave) @ e1))
        off = 0.3 + ((b.roff[0] + 0.29 * j) % 1.0) * avail
        faces.append(RawFace(np.array(pl), "tex", TexMap("tile", b.roof_tex, pl[0], e1, e2, 1, off, 1,
                                                         0.3 + b.roff[1] * 4), inside))
    faces.append(RawFace(np.array([ridge0, ridge1]), "line", tuple(0.72 * np.array(tex.tile_rgb[b.roof_tex])), inside))
    return faces


def _roof_parts(b: BuildingSpec, ax: _Axes) -> list[RawFace]:
    """Plain-coloured boxes on the roof (chimneys, plant, stair houses)."""
    faces = []
    for u, v, lu, lv, z0, z1, colour in b.parts:
        base = ax.c + u * ax.eu + v * ax.ev
        loc = box_vertices(lu, lv, z0, z1)
        verts = base + loc[:, :1] * ax.eu + loc[:, 1:2] * ax.ev + loc[:, 2:3] * ax.ez
        for f in BOX_FACES:
            faces.append(RawFace(verts[f], "solid", colour, verts.mean(0)))
    return faces


def shaded_building(b: BuildingSpec, solid: BuildingSolid, light: Lighting) -> Building:
    """A building ready to draw: per face its vertex indices, outward normal and shaded paint."""
    out, start = [], 0
    for pts, kind, paint, inside in solid.faces:
        idx = np.arange(start, start + len(pts))
        start += len(pts)
        if kind == "line":
            out.append(Face(kind, idx, np.zeros(3), pts.mean(0), paint))
            continue
        cen = pts.mean(0)
        n = unit(np.cross(pts[1] - pts[0], pts[-1] - pts[0]))
        if n @ (cen - inside) < 0:
            n = -n
        s = float(light.shade(n))
        if kind == "solid":
            paint = tuple(int(min(255, max(0, ch * s))) for ch in paint)
        else:
            paint = paint._replace(shade=s)
        out.append(Face(kind, idx, n, cen, paint))
    return Building(solid.verts, out, np.append(b.centre, b.he * 0.6), math.hypot(b.a, b.b) + b.he)


def place_solids(pose: np.ndarray, local: np.ndarray, faces: np.ndarray, cols: np.ndarray,
                 light: Lighting) -> Solids:
    """Convex solids placed at pose (x, y, heading): rotated vertices, normals, shaded colours."""
    c, s = np.cos(pose[:, 2]), np.sin(pose[:, 2])
    rot = np.zeros((len(pose), 3, 3))
    rot[:, 0, 0], rot[:, 0, 1], rot[:, 1, 0], rot[:, 1, 1], rot[:, 2, 2] = c, -s, s, c, 1
    verts = np.einsum("nij,nkj->nki", rot, local) if len(pose) else local
    centre = verts.mean(1)
    normals, cents = face_normals(verts, faces, centre)
    shade = light.shade(normals.reshape(-1, 3)).reshape(normals.shape[:2])
    colours = np.clip(cols * shade[..., None], 0, 255).astype(int)
    verts = verts + np.concatenate([pose[:, :2], np.zeros((len(pose), 1))], 1)[:, None, :]
    cents = cents + np.concatenate([pose[:, :2], np.zeros((len(pose), 1))], 1)[:, None, :]
    return Solids(verts, normals, cents, colours, faces)


def _car_model(length: float, width: float, colour: int, van: bool) -> tuple[np.ndarray, list]:
    """16 vertices (body box, then tapered cabin) and 10 face colours of a car or van."""
    body = CAR_COLOURS[colour]
    if van:
        cabin = box_vertices(length, width, 0.85, 2.05, (-0.5 * length, 0.28 * length, -0.46 * width, 0.46 * width))
        cabin[:4, 0] = np.clip(cabin[:4, 0], -0.5 * length, 0.36 * length)
        sides = [body * 0.9, _GLASS, body * 0.9, body * 0.9]  # only the windscreen is glass
    else:
        cabin = box_vertices(length, width, 0.85, 1.45, (-0.26 * length, 0.08 * length, -0.38 * width, 0.38 * width))
        cabin[:4, 0] = np.clip(cabin[:4, 0], -0.31 * length, 0.2 * length)
        cabin[:4, 1] *= 0.9
        sides = [_GLASS] * 4
    colours = [body * 0.86] * 4 + [body] + sides + [body * 1.02]
    return np.vstack([box_vertices(length, width, 0.2, 0.85), cabin]), colours


def vehicles(pose: np.ndarray, shapes: list, light: Lighting) -> Solids:
    """Cars and vans: a body box under a tapered cabin (glass, body-coloured roof)."""
    verts, cols = [], []
    for shape in shapes:
        v, c = _car_model(*shape)
        verts.append(v)
        cols.append(c)
    verts = np.array(verts, float).reshape(-1, 16, 3)
    return place_solids(pose, verts, CAR_FACES, np.array(cols, float).reshape(-1, 10, 3), light)


def _parked_cars(cars: list[Car], light: Lighting) -> Solids:
    """Parked cars as solids."""
    pose = np.array([(c.x, c.y, c.heading) for c in cars], float).reshape(-1, 3)
    return vehicles(pose, [c.shape for c in cars], light)


def _boxes(boxes: list[Box], light: Lighting) -> Solids:
    """Sheds, containers and kiosks as solids."""
    pose = np.array([(b.x, b.y, b.heading) for b in boxes], float).reshape(-1, 3)
    size = np.array([(b.length, b.width, b.height) for b in boxes], float).reshape(-1, 3)
    local = np.stack([box_vertices(length, width, 0, h) for length, width, h in size]) if len(size) \
        else np.zeros((0, 8, 3))
    cols = np.array([b.colour for b in boxes], float).reshape(-1, 1, 3).repeat(5, 1)
    return place_solids(pose, local, BOX_FACES, cols, light)


def _moving_cars(movers: list[Mover], light: Lighting) -> MovingCars:
    """Moving cars: their routes, and their solids at the origin facing their direction of travel."""
    start = np.array([(m.x, m.y) for m in movers], float).reshape(-1, 2)
    direction = np.array([(m.dx, m.dy) for m in movers], float).reshape(-1, 2)
    span, speed = np.array([m.span for m in movers], float), np.array([m.speed for m in movers], float)
    s0 = np.array([m.s0 for m in movers], float)
    pose = np.column_stack([np.zeros((len(movers), 2)), np.arctan2(direction[:, 1], direction[:, 0])])
    return MovingCars(start, direction, span, speed, s0, vehicles(pose, [m.shape for m in movers], light))


def _trees(trees: list[Tree]) -> Trees:
    """Trees as arrays."""
    xy = np.array([(t.x, t.y) for t in trees], float).reshape(-1, 2)
    return Trees(xy, np.array([t.r for t in trees], float), np.array([t.zc for t in trees], float),
                 np.array([t.sprite for t in trees], int))


def _crowd(humans: list[Human]) -> Crowd:
    """People as arrays."""
    xy = np.array([(h.x, h.y) for h in humans], float).reshape(-1, 2)
    direction = np.array([(h.dx, h.dy) for h in humans], float).reshape(-1, 2)
    amp, phase = np.array([h.amp for h in humans], float), np.array([h.phase for h in humans], float)
    clothes, hair = np.array([h.clothes for h in humans], int), np.array([h.hair for h in humans], int)
    return Crowd(xy, direction, amp, phase, CLOTHES[clothes], HAIR[hair])


def scene_objects(lay: Layout, solids: list[BuildingSolid], light: Lighting) -> SceneObjects:
    """Everything upright in a layout, ready to draw; solids are its buildings' (as building_solid made them)."""
    buildings = [shaded_building(b, s, light) for b, s in zip(lay.buildings, solids, strict=True)]
    return SceneObjects(buildings, _trees(lay.trees), _parked_cars(lay.cars, light), _boxes(lay.boxes, light),
                        _moving_cars(lay.movers, light), _crowd(lay.humans))
