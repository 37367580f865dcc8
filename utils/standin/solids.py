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
    """A building's frame: its centre on the ground, unit vectors axis_u along its axis, axis_v across it, and up."""

    centre: np.ndarray
    axis_u: np.ndarray
    axis_v: np.ndarray
    up: np.ndarray

    def point(self, u: float, v: float, z: float) -> np.ndarray:
        """World point at (u, v, z) of the frame."""
        return self.centre + u * self.axis_u + v * self.axis_v + z * self.up


def building_solid(spec: BuildingSpec, tex: Textures) -> BuildingSolid:
    """Vertices and faces of one building, in drawing order: walls, roof, roof parts."""
    axis_u = np.array([spec.axis[0], spec.axis[1], 0.0])
    axes = _Axes(np.array([spec.centre[0], spec.centre[1], 0.0]), axis_u, np.array([-axis_u[1], axis_u[0], 0.0]),
                 np.array([0, 0, 1.0]))
    inside = axes.centre + 0.5 * spec.eave_height * axes.up  # orients the face normals outwards
    faces = _walls(spec, axes, inside)
    faces += _flat_roof(spec, axes, inside, tex) if spec.roof == "flat" else _pitched_roof(spec, axes, inside, tex)
    faces += _roof_parts(spec, axes)
    return BuildingSolid(np.vstack([face.points for face in faces]), faces)


def _corners(spec: BuildingSpec) -> list[tuple[float, float]]:
    """Footprint corners (u, v), counter-clockwise."""
    half_length, half_width = spec.half_length, spec.half_width
    return [(-half_length, -half_width), (half_length, -half_width), (half_length, half_width),
            (-half_length, half_width)]


def _walls(spec: BuildingSpec, axes: _Axes, inside: np.ndarray) -> list[RawFace]:
    """Four facade-textured walls; gable ends reach up to the ridge."""
    point, corners = axes.point, _corners(spec)
    ridge_height = spec.eave_height + spec.half_width * math.tan(spec.pitch)
    faces = []
    for i in range(4):
        (pu, pv), (qu, qv) = corners[i], corners[(i + 1) % 4]
        pts = [point(pu, pv, 0), point(qu, qv, 0), point(qu, qv, spec.eave_height)]
        if spec.roof == "gable" and i in (1, 3):
            pts.append(point(qu, 0, ridge_height))
        pts.append(point(pu, pv, spec.eave_height))
        e1 = unit(pts[1] - pts[0])
        wall = np.linalg.norm(pts[1] - pts[0])
        tex_offset = ((spec.facade_offset + 0.37 * i) % 1.0) * max(0.0, TEX_W - 0.6 - wall) + 0.3
        faces.append(RawFace(np.array(pts), "tex",
                             TexMap("facade", spec.facade, pts[0], e1, axes.up, 1, tex_offset, -1, TEX_H), inside))
    return faces


def _flat_roof(spec: BuildingSpec, axes: _Axes, inside: np.ndarray, tex: Textures) -> list[RawFace]:
    """A parapet in a mix of roof and wall colour round a textured flat roof."""
    point, corners, roof_tex = axes.point, _corners(spec), spec.roof_tex
    parapet = tuple(0.5 * np.array(tex.flat_rgb[roof_tex]) + 0.5 * np.array(tex.facade_rgb[spec.facade]))
    inset = 0.45
    inner = [point(u - np.sign(u) * inset, v - np.sign(v) * inset, spec.eave_height) for u, v in corners]
    avail = max(0.0, FLAT_W - 0.6 - 2 * max(spec.half_length, spec.half_width))
    return [RawFace(np.array([point(u, v, spec.eave_height) for u, v in corners]), "solid", parapet, inside),
            RawFace(np.array(inner), "tex", TexMap("flat", roof_tex, inner[0], axes.axis_u, axes.axis_v,
                                                   1, 0.3 + spec.roof_offset[0] * avail,
                                                   1, 0.3 + spec.roof_offset[1] * avail), inside)]


def _pitched_roof(spec: BuildingSpec, axes: _Axes, inside: np.ndarray, tex: Textures) -> list[RawFace]:
    """Tiled gable or hip roof planes with overhanging eaves, and the ridge as a line."""
    point, half_length, half_width = axes.point, spec.half_length, spec.half_width
    tan_pitch = math.tan(spec.pitch)
    ridge_height = spec.eave_height + half_width * tan_pitch
    overhang = 0.35
    eave_z = spec.eave_height - overhang * tan_pitch
    eaves = [point(-half_length - overhang, -half_width - overhang, eave_z),
             point(half_length + overhang, -half_width - overhang, eave_z),
             point(half_length + overhang, half_width + overhang, eave_z),
             point(-half_length - overhang, half_width + overhang, eave_z)]
    if spec.roof == "gable":
        ridge0 = point(-half_length - overhang, 0, ridge_height)
        ridge1 = point(half_length + overhang, 0, ridge_height)
        planes = [[eaves[0], eaves[1], ridge1, ridge0], [eaves[2], eaves[3], ridge0, ridge1]]
    else:
        ridge_half = max(half_length - half_width, 0.0)
        ridge0, ridge1 = point(-ridge_half, 0, ridge_height), point(ridge_half, 0, ridge_height)
        planes = [[eaves[0], eaves[1], ridge1, ridge0], [eaves[2], eaves[3], ridge0, ridge1],
                  [eaves[1], eaves[2], ridge1], [eaves[3], eaves[0], ridge0]]
    avail = max(0.0, TILE_W - 0.6 - 2 * (half_length + overhang))
    faces = []
    for j, plane in enumerate(planes):
        e1 = unit(plane[1] - plane[0])
        eave = (plane[0] + plane[1]) / 2
        top = ridge0 if j == 3 else ridge1 if j == 2 else (ridge0 + ridge1) / 2
        e2 = unit(top - eave - e1 * ((top - eave) @ e1))
        tex_offset = 0.3 + ((spec.roof_offset[0] + 0.29 * j) % 1.0) * avail
        faces.append(RawFace(np.array(plane), "tex", TexMap("tile", spec.roof_tex, plane[0], e1, e2, 1, tex_offset, 1,
                                                            0.3 + spec.roof_offset[1] * 4), inside))
    faces.append(RawFace(np.array([ridge0, ridge1]), "line", tuple(0.72 * np.array(tex.tile_rgb[spec.roof_tex])),
                         inside))
    return faces


def _roof_parts(spec: BuildingSpec, axes: _Axes) -> list[RawFace]:
    """Plain-coloured boxes on the roof (chimneys, plant, stair houses)."""
    faces = []
    for u, v, size_u, size_v, z0, z1, colour in spec.parts:
        base = axes.centre + u * axes.axis_u + v * axes.axis_v
        local = box_vertices(size_u, size_v, z0, z1)
        verts = base + local[:, :1] * axes.axis_u + local[:, 1:2] * axes.axis_v + local[:, 2:3] * axes.up
        for face in BOX_FACES:
            faces.append(RawFace(verts[face], "solid", colour, verts.mean(0)))
    return faces


def shaded_building(spec: BuildingSpec, solid: BuildingSolid, light: Lighting) -> Building:
    """A building ready to draw: per face its vertex indices, outward normal and shaded paint."""
    out, start = [], 0
    for pts, kind, paint, inside in solid.faces:
        idx = np.arange(start, start + len(pts))
        start += len(pts)
        if kind == "line":
            out.append(Face(kind, idx, np.zeros(3), pts.mean(0), paint))
            continue
        centre = pts.mean(0)
        normal = unit(np.cross(pts[1] - pts[0], pts[-1] - pts[0]))
        if normal @ (centre - inside) < 0:
            normal = -normal
        shade = float(light.shade(normal))
        if kind == "solid":
            paint = tuple(int(min(255, max(0, channel * shade))) for channel in paint)
        else:
            paint = paint._replace(shade=shade)
        out.append(Face(kind, idx, normal, centre, paint))
    return Building(solid.verts, out, np.append(spec.centre, spec.eave_height * 0.6),
                    math.hypot(spec.half_length, spec.half_width) + spec.eave_height)


def place_solids(pose: np.ndarray, local: np.ndarray, faces: np.ndarray, base_colours: np.ndarray,
                 light: Lighting) -> Solids:
    """Convex solids placed at pose (x, y, heading): rotated vertices, normals, shaded colours."""
    c, s = np.cos(pose[:, 2]), np.sin(pose[:, 2])
    rot = np.zeros((len(pose), 3, 3))
    rot[:, 0, 0], rot[:, 0, 1], rot[:, 1, 0], rot[:, 1, 1], rot[:, 2, 2] = c, -s, s, c, 1
    verts = np.einsum("nij,nkj->nki", rot, local) if len(pose) else local
    centre = verts.mean(1)
    normals, cents = face_normals(verts, faces, centre)
    shade = light.shade(normals.reshape(-1, 3)).reshape(normals.shape[:2])
    colours = np.clip(base_colours * shade[..., None], 0, 255).astype(int)
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
    verts, colours = [], []
    for shape in shapes:
        car_verts, car_colours = _car_model(*shape)
        verts.append(car_verts)
        colours.append(car_colours)
    verts = np.array(verts, float).reshape(-1, 16, 3)
    return place_solids(pose, verts, CAR_FACES, np.array(colours, float).reshape(-1, 10, 3), light)


def _parked_cars(cars: list[Car], light: Lighting) -> Solids:
    """Parked cars as solids."""
    pose = np.array([(car.x, car.y, car.heading) for car in cars], float).reshape(-1, 3)
    return vehicles(pose, [car.shape for car in cars], light)


def _boxes(boxes: list[Box], light: Lighting) -> Solids:
    """Sheds, containers and kiosks as solids."""
    pose = np.array([(box.x, box.y, box.heading) for box in boxes], float).reshape(-1, 3)
    size = np.array([(box.length, box.width, box.height) for box in boxes], float).reshape(-1, 3)
    local = np.stack([box_vertices(length, width, 0, height) for length, width, height in size]) if len(size) \
        else np.zeros((0, 8, 3))
    colours = np.array([box.colour for box in boxes], float).reshape(-1, 1, 3).repeat(5, 1)
    return place_solids(pose, local, BOX_FACES, colours, light)


def _moving_cars(movers: list[Mover], light: Lighting) -> MovingCars:
    """Moving cars: their routes, and their solids at the origin facing their direction of travel."""
    start = np.array([(mover.x, mover.y) for mover in movers], float).reshape(-1, 2)
    direction = np.array([(mover.dx, mover.dy) for mover in movers], float).reshape(-1, 2)
    span = np.array([mover.span for mover in movers], float)
    speed = np.array([mover.speed for mover in movers], float)
    initial_distance = np.array([mover.initial_distance for mover in movers], float)
    pose = np.column_stack([np.zeros((len(movers), 2)), np.arctan2(direction[:, 1], direction[:, 0])])
    return MovingCars(start, direction, span, speed, initial_distance,
                      vehicles(pose, [mover.shape for mover in movers], light))


def _trees(trees: list[Tree]) -> Trees:
    """Trees as arrays."""
    xy = np.array([(tree.x, tree.y) for tree in trees], float).reshape(-1, 2)
    return Trees(xy, np.array([tree.crown_radius for tree in trees], float),
                 np.array([tree.crown_height for tree in trees], float), np.array([tree.sprite for tree in trees], int))


def _crowd(humans: list[Human]) -> Crowd:
    """People as arrays."""
    xy = np.array([(human.x, human.y) for human in humans], float).reshape(-1, 2)
    direction = np.array([(human.dx, human.dy) for human in humans], float).reshape(-1, 2)
    amplitude = np.array([human.amplitude for human in humans], float)
    phase = np.array([human.phase for human in humans], float)
    clothes, hair = np.array([human.clothes for human in humans], int), np.array([human.hair for human in humans], int)
    return Crowd(xy, direction, amplitude, phase, CLOTHES[clothes], HAIR[hair])


def scene_objects(layout: Layout, solids: list[BuildingSolid], light: Lighting) -> SceneObjects:
    """Everything upright in a layout, ready to draw; solids are its buildings' (as building_solid made them)."""
    buildings = [shaded_building(spec, solid, light) for spec, solid in zip(layout.buildings, solids, strict=True)]
    return SceneObjects(buildings, _trees(layout.trees), _parked_cars(layout.cars, light), _boxes(layout.boxes, light),
                        _moving_cars(layout.movers, light), _crowd(layout.humans))
