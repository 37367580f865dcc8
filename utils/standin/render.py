"""Rendering one frame: the ground view, the upright objects over it, then the camera's effects."""
from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageFilter

from ..errors import check
from .draw import draw_objects
from .geometry import Camera
from .ground import view_ground
from .scene import Scene, cached_scene


def render_frame(scene_seed: int, frame: int, size: tuple[int, int] = (960, 540)) -> tuple[np.ndarray, np.ndarray]:
    """Image (height, width, 3) uint8 RGB and label (height, width) uint8 class indices of one frame of one scene."""
    width, height = int(size[0]), int(size[1])
    check(width >= 16 and height >= 16,
          f"stand-in frame size {width}x{height} is too small: STANDIN_WIDTH and STANDIN_HEIGHT must be at least 16")
    scene = cached_scene(int(scene_seed) % 2 ** 63, width, height)
    cam = scene.path.camera(int(frame))
    img, lab = view_ground(scene.ground, cam)
    image, label = Image.fromarray(img), Image.fromarray(lab)
    draw_objects(scene, cam, int(frame), image, label)
    return _finish(scene, cam, int(frame), image), np.array(label)


def _blur_filter(sigma: float) -> ImageFilter.Filter:
    """A Gaussian blur; a 3x3 kernel below sigma 0.9, where it is exact enough and faster."""
    if sigma < 0.9:
        w1, w2 = math.exp(-0.5 / sigma ** 2), math.exp(-1 / sigma ** 2)
        kernel = [w2, w1, w2, w1, 1.0, w1, w2, w1, w2]
        return ImageFilter.Kernel((3, 3), kernel, scale=sum(kernel))
    return ImageFilter.GaussianBlur(sigma)


def _finish(scene: Scene, cam: Camera, frame: int, image: Image.Image) -> np.ndarray:
    """Camera effects: slight blur, illumination gradient, vignetting, haze, colour cast, sensor noise."""
    width, height, look = scene.width, scene.height, scene.look
    blurred = np.asarray(image.filter(_blur_filter(look.blur)))
    rng = np.random.default_rng([scene.seed, frame, 5])
    row_rays = cam.rays() @ np.stack([np.full(height, width / 2), np.arange(height) + 0.5, np.ones(height)])
    dist = -cam.C[2] / np.minimum(row_rays[2], -1e-3) * np.linalg.norm(row_rays, axis=0)
    altitude = scene.path.altitude
    haze = look.haze * np.clip((dist - 0.9 * altitude) / (2.5 * altitude), 0, 1)
    row_gain = ((1 - haze)[:, None] * look.gain).astype(np.float32)[:, None, :]
    row_add = (haze[:, None] * look.haze_rgb + 0.5).astype(np.float32)[:, None, :]
    xs = ((np.arange(width) + 0.5) / width - 0.5).astype(np.float32)
    noise = look.noise_tile(rng)
    out = np.empty((height, width, 3), np.uint8)
    for r0 in range(0, height, 256):
        r1 = min(height, r0 + 256)
        ys = ((np.arange(r0, r1) + 0.5) / height - 0.5).astype(np.float32)[:, None]
        light = 1 + 2 * (look.gradient[0] * xs + look.gradient[1] * ys) - look.vignette * (xs * xs + ys * ys)
        band = blurred[r0:r1] * (light[..., None] * row_gain[r0:r1])
        band += row_add[r0:r1]
        band += noise[r0:r1]
        np.clip(band, 0, 255, out=band)
        out[r0:r1] = band
    return out
