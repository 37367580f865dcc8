"""Per-scene shooting conditions: the drone's camera path, the sun and sky light, the camera's look."""
from __future__ import annotations

import math

import numpy as np

from .constants import ALT, FOCAL
from .geometry import Camera


class CameraPath:
    """An oblique camera at about ALT metres, swaying smoothly about the origin from frame to frame."""

    def __init__(self, rng: np.random.Generator, width: int, height: int):
        self.width, self.height = width, height
        self.focal = FOCAL * width
        half_v = math.atan(height / 2 / self.focal)
        self.pitch = max(math.radians(rng.uniform(44, 52)), half_v + math.radians(17))
        self.altitude = ALT * rng.uniform(0.95, 1.05)
        self.amplitude = (np.array([5, 5, 0.03, math.radians(1.6), math.radians(0.8), math.radians(0.4)])
                    * rng.uniform(0.5, 1, 6))
        self.frequency = rng.uniform(0.15, 0.35, 6)
        self.phase = rng.uniform(0, 2 * np.pi, 6)

    def camera(self, frame: int) -> Camera:
        """The camera of a frame."""
        offsets = self.amplitude * np.sin(self.frequency * frame + self.phase)
        return self._camera_at(offsets)

    def _camera_at(self, offsets: np.ndarray) -> Camera:
        """The camera at offsets (x, y, relative altitude, yaw, pitch, roll)."""
        x, y, relative_altitude, yaw, pitch, roll = offsets
        return Camera((x, y, self.altitude * (1 + relative_altitude)), yaw, self.pitch + pitch, roll, self.focal,
                      (self.width, self.height))

    def bounds(self) -> tuple[float, float, float, float]:
        """Ground area (x0, x1, y0, y1) that any frame can see, with a margin."""
        width, height = self.width, self.height
        t = np.linspace(0, 1, 17)
        u = np.concatenate([t * width, t * width, np.zeros(17), np.full(17, width)])
        v = np.concatenate([np.zeros(17), np.full(17, height), t * height, t * height])
        xs, ys = [], []
        for signs in np.array(np.meshgrid(*[[-1, 1]] * 6)).reshape(6, -1).T:
            x, y = self._camera_at(self.amplitude * signs).ground(u, v)
            xs.append(x)
            ys.append(y)
        xs, ys = np.concatenate(xs), np.concatenate(ys)
        return xs.min() - 15, xs.max() + 15, ys.min() - 25, ys.max() + 10


class Lighting:
    """Sun direction, ambient and diffuse light, and the colour of shadow."""

    def __init__(self, rng: np.random.Generator):
        azimuth, elevation = rng.uniform(0, 2 * np.pi), math.radians(rng.uniform(35, 62))
        self.sun = np.array([math.cos(elevation) * math.sin(azimuth), math.cos(elevation) * math.cos(azimuth),
                             math.sin(elevation)])
        self.shadow_step = -self.sun[:2] / math.tan(elevation)  # ground offset of a shadow per metre of height
        overcast = 0.0 if rng.random() < 0.7 else rng.uniform(0.25, 0.6)
        self.ambient, self.diffuse = 0.40 + 0.35 * overcast, 0.78 * (1 - overcast)
        self.horizontal_brightness = self.ambient + self.diffuse * self.sun[2]  # of a sunlit horizontal surface
        self.shadow_rgb = self.ambient / self.horizontal_brightness * np.array([0.9, 0.96, 1.12])

    def shade(self, normals: np.ndarray) -> np.ndarray:
        """Brightness of surfaces with unit normals, 1 for a sunlit horizontal one."""
        return (self.ambient + self.diffuse * np.maximum(0, normals @ self.sun)) / self.horizontal_brightness


class Look:
    """The camera's look: colour cast, haze, vignetting, illumination gradient, sensor noise and blur."""

    def __init__(self, rng: np.random.Generator, seed: int, width: int, height: int):
        self.seed, self.width, self.height = seed, width, height
        warmth = rng.uniform(-1, 1)
        self.gain = rng.uniform(0.88, 1.1) * np.array([1 + 0.06 * warmth, 1.0, 1 - 0.08 * warmth])
        self.haze = rng.uniform(0.05, 0.22)
        self.haze_rgb = np.array([188, 196, 208.0]) * rng.uniform(0.9, 1.05)
        self.vignette = rng.uniform(0.15, 0.4)
        gradient_direction = rng.uniform(0, 2 * np.pi)
        self.gradient = rng.uniform(0, 0.12) * np.array([math.cos(gradient_direction), math.sin(gradient_direction)])
        self.noise = rng.uniform(2.0, 4.0)
        self.blur = rng.uniform(0.45, 0.7) * math.sqrt(max(1.0, width / 960))
        self._noise: np.ndarray | None = None

    def noise_tile(self, rng: np.random.Generator) -> np.ndarray:
        """Sensor noise for one frame: a random window of a per-scene noise image."""
        if self._noise is None:
            noise_rng = np.random.default_rng([self.seed, 6])
            self._noise = np.empty((self.height + 32, self.width + 32, 3), np.int8)
            for r0 in range(0, self.height + 32, 256):
                band = self._noise[r0:r0 + 256]
                band[:] = np.clip(noise_rng.standard_normal(band.shape, dtype=np.float32) * self.noise, -127, 127)
        dy, dx = rng.integers(0, 33, 2)
        return self._noise[dy:dy + self.height, dx:dx + self.width]
