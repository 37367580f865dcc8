"""Drawing a frame's upright objects over its ground view, back to front (painter's algorithm)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw

from .constants import BUILDING, CLUTTER, HUMAN, MOVING_CAR, STATIC_CAR, TREE
from .geometry import Camera, hull
from .objects import ObjectKind, Solids, TexMap
from .scene import Scene


class Canvas(NamedTuple):
    """Image and label of a frame, their drawing contexts, and the opacity of shadows drawn over the image."""

    image: Image.Image
    label: Image.Image
    image_draw: ImageDraw.ImageDraw
    label_draw: ImageDraw.ImageDraw
    shadow_draw: ImageDraw.ImageDraw  # RGBA drawing on image, for shadows
    shadow_alpha: int


class SolidView(NamedTuple):
    """Visible solids of one kind: row in uv and vis of each index, projected vertices, front faces."""

    at: dict
    uv: np.ndarray
    vis: np.ndarray


class TreeView(NamedTuple):
    """Visible trees: row of each tree index, crown centre in the image and its depth, trunk foot in the image."""

    at: dict
    uv: np.ndarray
    z: np.ndarray
    foot: np.ndarray


class HumanView(NamedTuple):
    """A visible person: feet, head and shoulder in the image, pixels a metre there, and shadow quad."""

    ground: np.ndarray
    head: np.ndarray
    shoulder: np.ndarray
    scale: float
    shadow: np.ndarray


@dataclass
class FrameView:
    """All a frame needs to draw its objects, one at a time."""

    scene: Scene
    cam: Camera
    canvas: Canvas
    trees: TreeView
    cars: SolidView
    boxes: SolidView
    movers: SolidView
    mover_xy: np.ndarray
    humans: dict[int, HumanView]


def flat(pts: np.ndarray, x0: float = 0.0, y0: float = 0.0) -> list[float]:
    """PIL polygon coordinates (pixel centres at integers) for continuous image points."""
    return (pts - (x0 + 0.5, y0 + 0.5)).ravel().tolist()


def draw_objects(scene: Scene, cam: Camera, frame: int, image: Image.Image, label: Image.Image) -> None:
    """Upright objects, back to front (painter's algorithm on distance along the view)."""
    ob = scene.objects
    canvas = Canvas(image, label, ImageDraw.Draw(image), ImageDraw.Draw(label), ImageDraw.Draw(image, "RGBA"),
                    int(255 * (1 - float(np.mean(scene.light.shadow_rgb))) * 0.85))
    mv, hm = ob.movers, ob.humans
    mv_xy = mv.start + mv.direction * ((mv.s0 + mv.speed * frame) % mv.span)[:, None]
    hm_xy = hm.xy + hm.direction * (hm.amp * np.sin(0.6 * frame + hm.phase))[:, None]
    sel = _visible_objects(scene, cam, mv_xy, hm_xy)
    view = FrameView(scene, cam, canvas, _tree_view(cam, scene, sel[ObjectKind.TREE][0]),
                     _solid_view(cam, ob.cars, sel[ObjectKind.CAR][0]),
                     _solid_view(cam, ob.boxes, sel[ObjectKind.BOX][0]),
                     _solid_view(cam, mv.solids, sel[ObjectKind.MOVER][0], mv_xy[sel[ObjectKind.MOVER][0]]),
                     mv_xy, _human_views(scene, cam, hm_xy, sel[ObjectKind.HUMAN][0]))
    keys = np.concatenate([(xy[s] - cam.C[:2]) @ cam.forward_xy for s, xy in sel.values()])  # distance along the view
    kinds = np.concatenate([np.full(len(s), int(kind)) for kind, (s, _) in sel.items()])
    idxs = np.concatenate([s for s, _ in sel.values()])
    for o in np.argsort(-keys, kind="stable"):
        _DRAWERS[ObjectKind(int(kinds[o]))](view, idxs[o])


def _visible(cam: Camera, centres: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Indices of spheres (centres, radius) in front of the camera and overlapping the image."""
    uv, z = cam.project(centres)
    r = cam.focal * radius / np.maximum(z, 1e-3)
    ok = ((z > 1) & (uv[:, 0] + r > 0) & (uv[:, 0] - r < cam.width) & (uv[:, 1] + r > 0) & (uv[:, 1] - r < cam.height))
    return np.flatnonzero(ok)


def _visible_objects(scene: Scene, cam: Camera, mv_xy: np.ndarray, hm_xy: np.ndarray) -> dict:
    """Per object kind (in ObjectKind order): indices of the visible objects, and the ground points of all."""
    ob = scene.objects
    bc = np.array([b.centre for b in ob.buildings]).reshape(-1, 3)
    br = np.array([b.radius for b in ob.buildings])
    tc = np.column_stack([ob.trees.xy, ob.trees.zc])
    car_xy = ob.cars.verts[:, :, :2].mean(1)
    box_xy = ob.boxes.verts[:, :, :2].mean(1)

    def at_height(xy: np.ndarray, z: float) -> np.ndarray:
        return np.column_stack([xy, np.full(len(xy), z)])

    return {
        ObjectKind.BUILDING: (_visible(cam, bc, br), bc[:, :2]),
        ObjectKind.TREE: (_visible(cam, tc, ob.trees.r + ob.trees.zc), ob.trees.xy),
        ObjectKind.CAR: (_visible(cam, at_height(car_xy, 0.8), np.full(len(car_xy), 3.5)), car_xy),
        ObjectKind.BOX: (_visible(cam, at_height(box_xy, 1.5), np.full(len(box_xy), 5.0)), box_xy),
        ObjectKind.MOVER: (_visible(cam, at_height(mv_xy, 0.8), np.full(len(mv_xy), 4.0)), mv_xy),
        ObjectKind.HUMAN: (_visible(cam, at_height(hm_xy, 0.9), np.full(len(hm_xy), 2.0)), hm_xy),
    }


def _tree_view(cam: Camera, scene: Scene, tsel: np.ndarray) -> TreeView:
    """Crown centres and trunk feet of the visible trees in the image."""
    trees = scene.objects.trees
    tc = np.column_stack([trees.xy, trees.zc])
    tuv, tz = cam.project(tc[tsel]) if len(tsel) else (np.zeros((0, 2)), np.zeros(0))
    tg = cam.project(np.column_stack([trees.xy[tsel], np.zeros(len(tsel))]))[0]
    return TreeView({j: k for k, j in enumerate(tsel)}, tuv, tz, tg)


def _solid_view(cam: Camera, d: Solids, sel: np.ndarray, shift: np.ndarray | None = None) -> SolidView:
    """Projected vertices and front faces of the solids sel, moved by shift (x, y) if given."""
    verts, cents = d.verts[sel], d.cents[sel]
    if shift is not None:  # moving cars are stored at the origin
        off = np.column_stack([shift, np.zeros(len(sel))])[:, None]
        verts, cents = verts + off, cents + off
    vis = ((cam.C - cents) * d.normals[sel]).sum(-1) > 0
    return SolidView({j: k for k, j in enumerate(sel)}, cam.project(verts)[0], vis)


def _human_views(scene: Scene, cam: Camera, hm_xy: np.ndarray, hsel: np.ndarray) -> dict[int, HumanView]:
    """Image points of the visible people and of their shadows."""
    if not len(hsel):
        return {}
    sv = scene.light.sv
    p = np.column_stack([hm_xy[hsel], np.zeros(len(hsel))])
    g, z = cam.project(p)
    head = cam.project(p + (0, 0, 1.6))[0]
    shoulder = cam.project(p + (0, 0, 1.2))[0]
    tip = p[:, :2] + 1.7 * sv
    side = np.array([-sv[1], sv[0]]) / max(np.linalg.norm(sv), 1e-6)
    quad = np.stack([p[:, :2] - 0.25 * side, tip - 0.12 * side, tip + 0.12 * side, p[:, :2] + 0.25 * side], 1)
    sh = cam.project(np.concatenate([quad, np.zeros(quad.shape[:2] + (1,))], -1))[0]
    return {j: HumanView(g[k], head[k], shoulder[k], cam.focal / z[k], sh[k]) for k, j in enumerate(hsel)}


def _draw_building(v: FrameView, i: int) -> None:
    """A building's faces in order: ridge lines always, other faces when they face the camera."""
    cam, c = v.cam, v.canvas
    b = v.scene.objects.buildings[i]
    uv, z = cam.project(b.verts)
    for kind, idx, n, cen, paint in b.faces:
        if kind == "line":
            w = max(1, int(round(0.3 * cam.focal / z[idx].mean())))
            c.image_draw.line(flat(uv[idx]), fill=tuple(int(ch) for ch in paint), width=w)
            c.label_draw.line(flat(uv[idx]), fill=BUILDING, width=w)
        elif (cam.C - cen) @ n > 0:
            if kind == "solid":
                c.image_draw.polygon(flat(uv[idx]), fill=paint)
                c.label_draw.polygon(flat(uv[idx]), fill=BUILDING)
            else:
                _paste_face(v, uv[idx], paint)


def _paste_face(v: FrameView, pts: np.ndarray, tm: TexMap) -> None:
    """A textured face with image corners pts, mapped in perspective."""
    scene, cam, c = v.scene, v.cam, v.canvas
    tex = scene.textures.image(tm.texture, tm.index)
    x0, x1 = max(int(math.floor(pts[:, 0].min())), 0), min(int(math.ceil(pts[:, 0].max())) + 1, scene.width)
    y0, y1 = max(int(math.floor(pts[:, 1].min())), 0), min(int(math.ceil(pts[:, 1].max())) + 1, scene.height)
    if x1 <= x0 or y1 <= y0:
        return
    size = (x1 - x0, y1 - y0)
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon(flat(pts, x0, y0), fill=255)
    plane_to_img = cam.KR @ np.column_stack([tm.e1, tm.e2, tm.origin - cam.C])
    p = scene.ppm
    img_to_tex = (np.array([[p * tm.scale_a, 0, p * tm.offset_a], [0, p * tm.scale_b, p * tm.offset_b],
                            [0, 0, 1.0]])
                  @ np.linalg.inv(plane_to_img) @ np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1.0]]))
    img_to_tex /= img_to_tex[2, 2]
    patch = tex.transform(size, Image.PERSPECTIVE, tuple(img_to_tex.ravel()[:8]), Image.BILINEAR)
    if abs(tm.shade - 1) > 0.01:
        patch = Image.blend(Image.new("RGB", size), patch, tm.shade)
    c.image.paste(patch, (x0, y0), mask)
    c.label.paste(BUILDING, (x0, y0, x1, y1), mask)


def _draw_tree(v: FrameView, j: int) -> None:
    """A trunk line and a crown sprite."""
    c, tv, trees = v.canvas, v.trees, v.scene.objects.trees
    k = tv.at[j]
    s = v.cam.focal / tv.z[k]
    w = max(1, int(round(0.35 * s)))
    line = flat(np.array([tv.foot[k], tv.uv[k]]))
    c.image_draw.line(line, fill=(70, 56, 42), width=w)
    c.label_draw.line(line, fill=TREE, width=w)
    d = max(2, int(round(2 * trees.r[j] * s)))
    rgb, mask = v.scene.textures.sprite(trees.kind[j], d)
    x0, y0 = int(round(tv.uv[k, 0] - d / 2)), int(round(tv.uv[k, 1] - d / 2))
    c.image.paste(rgb, (x0, y0), mask)
    c.label.paste(TREE, (x0, y0, x0 + d, y0 + d), mask)


def _draw_solid(c: Canvas, d: Solids, sv: SolidView, j: int, cls: int) -> None:
    """The front faces of solid j in their shaded colours, labelled cls."""
    k = sv.at[j]
    cols = d.colours[j]
    for fi in np.flatnonzero(sv.vis[k]):
        poly = flat(sv.uv[k][d.faces[fi]])
        c.image_draw.polygon(poly, fill=tuple(cols[fi]))
        c.label_draw.polygon(poly, fill=cls)


def _draw_car(v: FrameView, j: int) -> None:
    """A parked car."""
    _draw_solid(v.canvas, v.scene.objects.cars, v.cars, j, STATIC_CAR)


def _draw_box(v: FrameView, j: int) -> None:
    """A shed, container or kiosk."""
    _draw_solid(v.canvas, v.scene.objects.boxes, v.boxes, j, CLUTTER)


def _draw_mover(v: FrameView, i: int) -> None:
    """A driving car, smeared along its direction of travel (motion blur)."""
    scene, cam, c = v.scene, v.cam, v.canvas
    mv, xy = scene.objects.movers, v.mover_xy[i]
    k = v.movers.at[i]
    uv, vis = v.movers.uv[k], v.movers.vis[k]
    foot = mv.solids.verts[i, :4, :2] + xy
    shadow = hull(np.vstack([foot, foot + 1.2 * scene.light.sv]))
    c.shadow_draw.polygon(flat(cam.project(np.column_stack([shadow, np.zeros(len(shadow))]))[0]),
                          fill=(0, 0, 0, c.shadow_alpha))
    half = 0.5 * (0.3 * mv.speed[i] + 0.6) * mv.direction[i]
    ends = cam.project(np.array([[*(xy + half), 0.8], [*(xy - half), 0.8]]))[0]
    bx, by = ends[0] - ends[1]
    pad = int(math.ceil(max(abs(bx), abs(by)) / 2)) + 2
    x0, y0 = int(math.floor(uv[:, 0].min())) - pad, int(math.floor(uv[:, 1].min())) - pad
    x1, y1 = int(math.ceil(uv[:, 0].max())) + pad, int(math.ceil(uv[:, 1].max())) + pad
    if x1 <= 0 or y1 <= 0 or x0 >= scene.width or y0 >= scene.height:
        return
    patch = Image.new("RGBA", (x1 - x0, y1 - y0), (0, 0, 0, 0))
    dp = ImageDraw.Draw(patch)
    cols = mv.solids.colours[i]
    for f in np.flatnonzero(vis):
        dp.polygon(flat(uv[mv.solids.faces[f]], x0, y0), fill=tuple(cols[f]) + (255,))
    acc = _smear(patch, bx, by)
    alpha = acc[..., 3]
    rgb = acc[..., :3] * (255 / np.maximum(alpha, 1e-3))[..., None]
    c.image.paste(Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)), (x0, y0),
                  Image.fromarray(alpha.astype(np.uint8)))
    c.label.paste(MOVING_CAR, (x0, y0, x1, y1), Image.fromarray(np.where(alpha >= 127.5, 255, 0).astype(np.uint8)))


def _smear(patch: Image.Image, bx: float, by: float) -> np.ndarray:
    """Premultiplied RGBA of patch averaged over shifts along (bx, by) pixels, centred."""
    arr = np.asarray(patch, np.float32).copy()
    arr[..., :3] *= arr[..., 3:] / 255
    n = max(2, int(math.ceil(math.hypot(bx, by))) + 1)
    acc = np.zeros_like(arr)
    h, w = arr.shape[:2]
    for t in np.linspace(-0.5, 0.5, n):  # the patch has a transparent margin wider than any shift
        dy, dx = int(round(t * by)), int(round(t * bx))
        acc[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] += \
            arr[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    acc /= n
    return acc


def _draw_human(v: FrameView, j: int) -> None:
    """A person: shadow, an upright ellipse in clothes colour, a round head."""
    c, hm = v.canvas, v.scene.objects.humans
    g, head, shoulder, s, sh = v.humans[j]
    c.shadow_draw.polygon(flat(sh), fill=(0, 0, 0, c.shadow_alpha))
    hw = max(1.5, 0.45 * s)
    box = [g[0] - hw - 0.5, min(shoulder[1], g[1] - 1.5) - 0.5, g[0] + hw - 0.5, g[1] - 0.5]
    c.image_draw.ellipse(box, fill=tuple(int(ch) for ch in hm.clothes[j]))
    c.label_draw.ellipse(box, fill=HUMAN)
    hr = max(1.0, 0.17 * s)
    hbox = [head[0] - hr - 0.5, head[1] - hr - 0.5, head[0] + hr - 0.5, head[1] + hr - 0.5]
    c.image_draw.ellipse(hbox, fill=tuple(int(ch) for ch in hm.hair[j]))
    c.label_draw.ellipse(hbox, fill=HUMAN)


_DRAWERS = {ObjectKind.BUILDING: _draw_building, ObjectKind.TREE: _draw_tree, ObjectKind.CAR: _draw_car,
            ObjectKind.BOX: _draw_box, ObjectKind.MOVER: _draw_mover, ObjectKind.HUMAN: _draw_human}
