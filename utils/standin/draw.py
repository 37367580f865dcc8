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
    """Visible solids of one kind: the row of each solid's index, then by row its projected vertices and front faces."""

    row_of: dict
    uv: np.ndarray
    front_faces: np.ndarray


class TreeView(NamedTuple):
    """Visible trees: the row of each tree's index, crown centre in the image and its depth, trunk foot in the image."""

    row_of: dict
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
    objects = scene.objects
    canvas = Canvas(image, label, ImageDraw.Draw(image), ImageDraw.Draw(label), ImageDraw.Draw(image, "RGBA"),
                    int(255 * (1 - float(np.mean(scene.light.shadow_rgb))) * 0.85))
    movers, humans = objects.movers, objects.humans
    mover_xy = movers.start + movers.direction * (
        (movers.initial_distance + movers.speed * frame) % movers.span)[:, None]
    human_xy = humans.xy + humans.direction * (humans.amplitude * np.sin(0.6 * frame + humans.phase))[:, None]
    visible = _visible_objects(scene, cam, mover_xy, human_xy)
    view = FrameView(scene, cam, canvas, _tree_view(cam, scene, visible[ObjectKind.TREE][0]),
                     _solid_view(cam, objects.cars, visible[ObjectKind.CAR][0]),
                     _solid_view(cam, objects.boxes, visible[ObjectKind.BOX][0]),
                     _solid_view(cam, movers.solids, visible[ObjectKind.MOVER][0],
                                 mover_xy[visible[ObjectKind.MOVER][0]]),
                     mover_xy, _human_views(scene, cam, human_xy, visible[ObjectKind.HUMAN][0]))
    # distance along the view
    keys = np.concatenate([(xy[selected] - cam.C[:2]) @ cam.forward_xy for selected, xy in visible.values()])
    kinds = np.concatenate([np.full(len(selected), int(kind)) for kind, (selected, _) in visible.items()])
    indices = np.concatenate([selected for selected, _ in visible.values()])
    for order in np.argsort(-keys, kind="stable"):
        _DRAWERS[ObjectKind(int(kinds[order]))](view, indices[order])


def _visible(cam: Camera, centres: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """Indices of spheres (centres, radius) in front of the camera and overlapping the image."""
    uv, z = cam.project(centres)
    radius_px = cam.focal * radius / np.maximum(z, 1e-3)
    in_view = ((z > 1) & (uv[:, 0] + radius_px > 0) & (uv[:, 0] - radius_px < cam.width)
               & (uv[:, 1] + radius_px > 0) & (uv[:, 1] - radius_px < cam.height))
    return np.flatnonzero(in_view)


def _visible_objects(scene: Scene, cam: Camera, mover_xy: np.ndarray, human_xy: np.ndarray) -> dict:
    """Per object kind (in ObjectKind order): indices of the visible objects, and the ground points of all."""
    objects = scene.objects
    building_centres = np.array([building.centre for building in objects.buildings]).reshape(-1, 3)
    building_radii = np.array([building.radius for building in objects.buildings])
    crown_centres = np.column_stack([objects.trees.xy, objects.trees.crown_height])
    car_xy = objects.cars.verts[:, :, :2].mean(1)
    box_xy = objects.boxes.verts[:, :, :2].mean(1)

    def at_height(xy: np.ndarray, z: float) -> np.ndarray:
        return np.column_stack([xy, np.full(len(xy), z)])

    return {
        ObjectKind.BUILDING: (_visible(cam, building_centres, building_radii), building_centres[:, :2]),
        ObjectKind.TREE: (_visible(cam, crown_centres, objects.trees.crown_radius + objects.trees.crown_height),
                          objects.trees.xy),
        ObjectKind.CAR: (_visible(cam, at_height(car_xy, 0.8), np.full(len(car_xy), 3.5)), car_xy),
        ObjectKind.BOX: (_visible(cam, at_height(box_xy, 1.5), np.full(len(box_xy), 5.0)), box_xy),
        ObjectKind.MOVER: (_visible(cam, at_height(mover_xy, 0.8), np.full(len(mover_xy), 4.0)), mover_xy),
        ObjectKind.HUMAN: (_visible(cam, at_height(human_xy, 0.9), np.full(len(human_xy), 2.0)), human_xy),
    }


def _tree_view(cam: Camera, scene: Scene, selected: np.ndarray) -> TreeView:
    """Crown centres and trunk feet of the visible trees in the image."""
    trees = scene.objects.trees
    crown_centres = np.column_stack([trees.xy, trees.crown_height])
    crown_uv, crown_depth = cam.project(crown_centres[selected]) if len(selected) else (np.zeros((0, 2)), np.zeros(0))
    foot_uv = cam.project(np.column_stack([trees.xy[selected], np.zeros(len(selected))]))[0]
    return TreeView({j: k for k, j in enumerate(selected)}, crown_uv, crown_depth, foot_uv)


def _solid_view(cam: Camera, solids: Solids, selected: np.ndarray, shift: np.ndarray | None = None) -> SolidView:
    """Projected vertices and front faces of the solids selected, moved by shift (x, y) if given."""
    verts, cents = solids.verts[selected], solids.cents[selected]
    if shift is not None:  # moving cars are stored at the origin
        offset = np.column_stack([shift, np.zeros(len(selected))])[:, None]
        verts, cents = verts + offset, cents + offset
    front_faces = ((cam.C - cents) * solids.normals[selected]).sum(-1) > 0
    return SolidView({j: k for k, j in enumerate(selected)}, cam.project(verts)[0], front_faces)


def _human_views(scene: Scene, cam: Camera, human_xy: np.ndarray, selected: np.ndarray) -> dict[int, HumanView]:
    """Image points of the visible people and of their shadows."""
    if not len(selected):
        return {}
    shadow_step = scene.light.shadow_step
    feet = np.column_stack([human_xy[selected], np.zeros(len(selected))])
    feet_uv, depth = cam.project(feet)
    head = cam.project(feet + (0, 0, 1.6))[0]
    shoulder = cam.project(feet + (0, 0, 1.2))[0]
    tip = feet[:, :2] + 1.7 * shadow_step
    side = np.array([-shadow_step[1], shadow_step[0]]) / max(np.linalg.norm(shadow_step), 1e-6)
    quad = np.stack([feet[:, :2] - 0.25 * side, tip - 0.12 * side, tip + 0.12 * side, feet[:, :2] + 0.25 * side], 1)
    shadow_uv = cam.project(np.concatenate([quad, np.zeros(quad.shape[:2] + (1,))], -1))[0]
    return {j: HumanView(feet_uv[k], head[k], shoulder[k], cam.focal / depth[k], shadow_uv[k])
            for k, j in enumerate(selected)}


def _draw_building(view: FrameView, index: int) -> None:
    """A building's faces in order: ridge lines always, other faces when they face the camera."""
    cam, canvas = view.cam, view.canvas
    building = view.scene.objects.buildings[index]
    uv, z = cam.project(building.verts)
    for kind, idx, normal, centre, paint in building.faces:
        if kind == "line":
            width = max(1, int(round(0.3 * cam.focal / z[idx].mean())))
            canvas.image_draw.line(flat(uv[idx]), fill=tuple(int(channel) for channel in paint), width=width)
            canvas.label_draw.line(flat(uv[idx]), fill=BUILDING, width=width)
        elif (cam.C - centre) @ normal > 0:
            if kind == "solid":
                canvas.image_draw.polygon(flat(uv[idx]), fill=paint)
                canvas.label_draw.polygon(flat(uv[idx]), fill=BUILDING)
            else:
                _paste_face(view, uv[idx], paint)


def _paste_face(view: FrameView, pts: np.ndarray, texmap: TexMap) -> None:
    """A textured face with image corners pts, mapped in perspective."""
    scene, cam, canvas = view.scene, view.cam, view.canvas
    tex = scene.textures.image(texmap.texture, texmap.index)
    x0, x1 = max(int(math.floor(pts[:, 0].min())), 0), min(int(math.ceil(pts[:, 0].max())) + 1, scene.width)
    y0, y1 = max(int(math.floor(pts[:, 1].min())), 0), min(int(math.ceil(pts[:, 1].max())) + 1, scene.height)
    if x1 <= x0 or y1 <= y0:
        return
    size = (x1 - x0, y1 - y0)
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).polygon(flat(pts, x0, y0), fill=255)
    plane_to_img = cam.KR @ np.column_stack([texmap.e1, texmap.e2, texmap.origin - cam.C])
    ppm = scene.ppm
    img_to_tex = (np.array([[ppm * texmap.scale_a, 0, ppm * texmap.offset_a],
                            [0, ppm * texmap.scale_b, ppm * texmap.offset_b], [0, 0, 1.0]])
                  @ np.linalg.inv(plane_to_img) @ np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1.0]]))
    img_to_tex /= img_to_tex[2, 2]
    patch = tex.transform(size, Image.PERSPECTIVE, tuple(img_to_tex.ravel()[:8]), Image.BILINEAR)
    if abs(texmap.shade - 1) > 0.01:
        patch = Image.blend(Image.new("RGB", size), patch, texmap.shade)
    canvas.image.paste(patch, (x0, y0), mask)
    canvas.label.paste(BUILDING, (x0, y0, x1, y1), mask)


def _draw_tree(view: FrameView, index: int) -> None:
    """A trunk line and a crown sprite."""
    canvas, tree_view, trees = view.canvas, view.trees, view.scene.objects.trees
    row = tree_view.row_of[index]
    scale = view.cam.focal / tree_view.z[row]
    width = max(1, int(round(0.35 * scale)))
    line = flat(np.array([tree_view.foot[row], tree_view.uv[row]]))
    canvas.image_draw.line(line, fill=(70, 56, 42), width=width)
    canvas.label_draw.line(line, fill=TREE, width=width)
    size = max(2, int(round(2 * trees.crown_radius[index] * scale)))
    rgb, mask = view.scene.textures.sprite(trees.kind[index], size)
    x0, y0 = int(round(tree_view.uv[row, 0] - size / 2)), int(round(tree_view.uv[row, 1] - size / 2))
    canvas.image.paste(rgb, (x0, y0), mask)
    canvas.label.paste(TREE, (x0, y0, x0 + size, y0 + size), mask)


def _draw_solid(canvas: Canvas, solids: Solids, solid_view: SolidView, index: int, class_index: int) -> None:
    """The front faces of solids' solid `index` in their shaded colours, labelled `class_index`."""
    row = solid_view.row_of[index]
    face_colours = solids.colours[index]
    for face in np.flatnonzero(solid_view.front_faces[row]):
        poly = flat(solid_view.uv[row][solids.faces[face]])
        canvas.image_draw.polygon(poly, fill=tuple(face_colours[face]))
        canvas.label_draw.polygon(poly, fill=class_index)


def _draw_car(view: FrameView, index: int) -> None:
    """A parked car."""
    _draw_solid(view.canvas, view.scene.objects.cars, view.cars, index, STATIC_CAR)


def _draw_box(view: FrameView, index: int) -> None:
    """A shed, container or kiosk."""
    _draw_solid(view.canvas, view.scene.objects.boxes, view.boxes, index, CLUTTER)


def _draw_mover(view: FrameView, index: int) -> None:
    """A driving car, smeared along its direction of travel (motion blur)."""
    scene, cam, canvas = view.scene, view.cam, view.canvas
    movers, xy = scene.objects.movers, view.mover_xy[index]
    row = view.movers.row_of[index]
    uv, front_faces = view.movers.uv[row], view.movers.front_faces[row]
    foot = movers.solids.verts[index, :4, :2] + xy
    shadow = hull(np.vstack([foot, foot + 1.2 * scene.light.shadow_step]))
    canvas.shadow_draw.polygon(flat(cam.project(np.column_stack([shadow, np.zeros(len(shadow))]))[0]),
                               fill=(0, 0, 0, canvas.shadow_alpha))
    half = 0.5 * (0.3 * movers.speed[index] + 0.6) * movers.direction[index]
    ends = cam.project(np.array([[*(xy + half), 0.8], [*(xy - half), 0.8]]))[0]
    blur_x, blur_y = ends[0] - ends[1]
    pad = int(math.ceil(max(abs(blur_x), abs(blur_y)) / 2)) + 2
    x0, y0 = int(math.floor(uv[:, 0].min())) - pad, int(math.floor(uv[:, 1].min())) - pad
    x1, y1 = int(math.ceil(uv[:, 0].max())) + pad, int(math.ceil(uv[:, 1].max())) + pad
    if x1 <= 0 or y1 <= 0 or x0 >= scene.width or y0 >= scene.height:
        return
    patch = Image.new("RGBA", (x1 - x0, y1 - y0), (0, 0, 0, 0))
    patch_draw = ImageDraw.Draw(patch)
    face_colours = movers.solids.colours[index]
    for face in np.flatnonzero(front_faces):
        patch_draw.polygon(flat(uv[movers.solids.faces[face]], x0, y0), fill=tuple(face_colours[face]) + (255,))
    acc = _smear(patch, blur_x, blur_y)
    alpha = acc[..., 3]
    rgb = acc[..., :3] * (255 / np.maximum(alpha, 1e-3))[..., None]
    canvas.image.paste(Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)), (x0, y0),
                  Image.fromarray(alpha.astype(np.uint8)))
    canvas.label.paste(MOVING_CAR, (x0, y0, x1, y1), Image.fromarray(np.where(alpha >= 127.5, 255, 0).astype(np.uint8)))


def _smear(patch: Image.Image, blur_x: float, blur_y: float) -> np.ndarray:
    """Premultiplied RGBA of patch averaged over shifts along (blur_x, blur_y) pixels, centred."""
    arr = np.asarray(patch, np.float32).copy()
    arr[..., :3] *= arr[..., 3:] / 255
    steps = max(2, int(math.ceil(math.hypot(blur_x, blur_y))) + 1)
    acc = np.zeros_like(arr)
    h, w = arr.shape[:2]
    for t in np.linspace(-0.5, 0.5, steps):  # the patch has a transparent margin wider than any shift
        dy, dx = int(round(t * blur_y)), int(round(t * blur_x))
        acc[max(dy, 0):h + min(dy, 0), max(dx, 0):w + min(dx, 0)] += \
            arr[max(-dy, 0):h - max(dy, 0), max(-dx, 0):w - max(dx, 0)]
    acc /= steps
    return acc


def _draw_human(view: FrameView, index: int) -> None:
    """A person: shadow, an upright ellipse in clothes colour, a round head."""
    canvas, humans = view.canvas, view.scene.objects.humans
    feet, head, shoulder, scale, shadow = view.humans[index]
    canvas.shadow_draw.polygon(flat(shadow), fill=(0, 0, 0, canvas.shadow_alpha))
    half_width = max(1.5, 0.45 * scale)
    box = [feet[0] - half_width - 0.5, min(shoulder[1], feet[1] - 1.5) - 0.5, feet[0] + half_width - 0.5, feet[1] - 0.5]
    canvas.image_draw.ellipse(box, fill=tuple(int(channel) for channel in humans.clothes[index]))
    canvas.label_draw.ellipse(box, fill=HUMAN)
    head_radius = max(1.0, 0.17 * scale)
    head_box = [head[0] - head_radius - 0.5, head[1] - head_radius - 0.5,
                head[0] + head_radius - 0.5, head[1] + head_radius - 0.5]
    canvas.image_draw.ellipse(head_box, fill=tuple(int(channel) for channel in humans.hair[index]))
    canvas.label_draw.ellipse(head_box, fill=HUMAN)


_DRAWERS = {ObjectKind.BUILDING: _draw_building, ObjectKind.TREE: _draw_tree, ObjectKind.CAR: _draw_car,
            ObjectKind.BOX: _draw_box, ObjectKind.MOVER: _draw_mover, ObjectKind.HUMAN: _draw_human}
