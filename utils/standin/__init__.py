"""Procedural stand-in for the UAVid dataset: oblique drone frames of a synthetic town.

A scene is laid out on a ground plane in metres (a road grid with blocks of houses, apartment
slabs, offices, parks, parking lots, plazas and bare soil). The ground is rasterised once per
scene into a top-down texture that carries the class of every texel; each frame is a perspective
view of it from a slightly moved camera, with buildings, trees, cars and people drawn over it
back to front. Labels use UAVid's eight classes and colour code (see utils/palette.py).

Modules, in the order a frame needs them: constants, geometry and objects (records); layout, roads, zoning,
residential and lots (the scene's layout); conditions, textures, solids, ground and scene (per-scene data);
draw and render (a frame); dataset (the folders on disk).
"""
from __future__ import annotations

from .dataset import TRAIN_SEQUENCES, VAL_SEQUENCES, make_standin, sequence_seed, write_sequence
from .render import render_frame
from .scene import cached_scene

__all__ = ["TRAIN_SEQUENCES", "VAL_SEQUENCES", "cached_scene", "make_standin", "render_frame", "sequence_seed",
           "write_sequence"]
