"""Typed records of the objects in a scene: as laid out in world metres, and as prepared for drawing."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np


class ObjectKind(enum.IntEnum):
    """Kinds of upright objects; frames draw them back to front, ties in this order."""

    BUILDING = 0
    TREE = 1
    CAR = 2
    BOX = 3
    MOVER = 4
    HUMAN = 5


# -- as laid out (world metres, angles in radians)


class CarShape(NamedTuple):
    """Size, colour (index into CAR_COLOURS) and body style of a car or van."""

    length: float
    width: float
    colour: int
    van: bool


class Car(NamedTuple):
    """A parked car at (x, y), its length along heading."""

    x: float
    y: float
    heading: float
    shape: CarShape


class Mover(NamedTuple):
    """A car driving from start (x, y) along (dx, dy), looping over span metres; initial_distance is how
    far along it is at frame 0."""

    x: float
    y: float
    dx: float
    dy: float
    span: float
    speed: float  # metres per frame
    initial_distance: float
    shape: CarShape


class Tree(NamedTuple):
    """A tree at (x, y): crown radius, height of the crown's centre, sprite index."""

    x: float
    y: float
    crown_radius: float
    crown_height: float  # of the crown's centre
    sprite: int


class Human(NamedTuple):
    """A person at (x, y) who sways along (dx, dy) by amplitude metres; clothes and hair index colour tables."""

    x: float
    y: float
    dx: float
    dy: float
    amplitude: float
    phase: float
    clothes: int
    hair: int


class Box(NamedTuple):
    """A box (shed, container, kiosk) at (x, y), its length along heading."""

    x: float
    y: float
    heading: float
    length: float
    width: float
    height: float
    colour: tuple


class Part(NamedTuple):
    """A box on a roof (chimney, plant, stair house) at (u, v) of its building, size_u x size_v, from z0 to z1."""

    u: float
    v: float
    size_u: float
    size_v: float
    z0: float
    z1: float
    colour: tuple


@dataclass(frozen=True)
class BuildingPlan:
    """A building to place in a local frame: centre (u, v), sizes along u and v, eave height, roof and use."""

    u: float
    v: float
    size_u: float
    size_v: float
    eave_height: float
    roof: str  # "gable", "hip" or "flat"
    use: str  # "house", "apt" or "office"
    ridge_along_u: bool | None = None  # None: along the longer side


@dataclass
class BuildingSpec:
    """A building: footprint centre, axis (unit vector), half-extents along and across the axis, eave height,
    roof and texture choices."""

    centre: np.ndarray
    axis: np.ndarray  # the ridge runs along it
    half_length: float  # along axis
    half_width: float  # across axis
    eave_height: float
    roof: str  # "gable", "hip" or "flat"
    pitch: float  # radians
    facade: int  # facade texture index
    roof_tex: int  # tile or flat-roof texture index
    facade_offset: float  # 0-1: where on the facade texture the walls start
    roof_offset: np.ndarray  # two 0-1 fractions: where on the roof texture the roof starts
    parts: list[Part] = field(default_factory=list)


# -- prepared for drawing


class TexMap(NamedTuple):
    """Texture mapping of a planar face: its point origin + a * e1 + b * e2 (a, b in metres along the unit vectors
    e1, e2) shows texture point (scale_a * a + offset_a, scale_b * b + offset_b), in metres on the texture."""

    texture: str  # "facade", "tile" or "flat"
    index: int
    origin: np.ndarray
    e1: np.ndarray
    e2: np.ndarray
    scale_a: float
    offset_a: float
    scale_b: float
    offset_b: float
    shade: float = 1.0


class RawFace(NamedTuple):
    """A face of a building solid before shading: kind "tex", "solid" or "line", and what paints it."""

    points: np.ndarray
    kind: str
    paint: TexMap | tuple  # TexMap of a "tex" face, else an RGB colour
    inside: np.ndarray  # a point inside the solid, to orient the normal outwards


class BuildingSolid(NamedTuple):
    """All vertices of a building and its faces in drawing order."""

    verts: np.ndarray
    faces: list[RawFace]


class Face(NamedTuple):
    """A shaded face: its vertex indices, outward normal and centre, and its paint (shade applied)."""

    kind: str
    idx: np.ndarray
    normal: np.ndarray
    centre: np.ndarray
    paint: TexMap | tuple


class Building(NamedTuple):
    """A building ready to draw, with a bounding sphere for visibility tests."""

    verts: np.ndarray
    faces: list[Face]
    centre: np.ndarray
    radius: float


class Solids(NamedTuple):
    """Convex solids in world space: vertices, face normals and centres, shaded colours, shared faces."""

    verts: np.ndarray
    normals: np.ndarray
    cents: np.ndarray
    colours: np.ndarray
    faces: np.ndarray


class Trees(NamedTuple):
    """The trees of a scene as arrays."""

    xy: np.ndarray
    crown_radius: np.ndarray
    crown_height: np.ndarray  # of the crown's centre
    kind: np.ndarray


class MovingCars(NamedTuple):
    """The moving cars of a scene as arrays; their solids are stored at the origin."""

    start: np.ndarray
    direction: np.ndarray
    span: np.ndarray
    speed: np.ndarray
    initial_distance: np.ndarray
    solids: Solids


class Crowd(NamedTuple):
    """The people of a scene as arrays; clothes and hair are RGB colours."""

    xy: np.ndarray
    direction: np.ndarray
    amplitude: np.ndarray
    phase: np.ndarray
    clothes: np.ndarray
    hair: np.ndarray


class SceneObjects(NamedTuple):
    """Everything upright in a scene, ready to draw."""

    buildings: list[Building]
    trees: Trees
    cars: Solids
    boxes: Solids
    movers: MovingCars
    humans: Crowd
