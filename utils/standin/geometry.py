"""Geometry helpers: vectors, convex hulls, boxes, 2-D local frames and the pinhole camera."""
from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

# Faces of the 16-vertex car model: lower body box (0-7) then cabin (8-15); side faces then top.
CAR_FACES = np.array([[0, 1, 5, 4], [1, 2, 6, 5], [2, 3, 7, 6], [3, 0, 4, 7], [4, 5, 6, 7],
                      [8, 9, 13, 12], [9, 10, 14, 13], [10, 11, 15, 14], [11, 8, 12, 15],
                      [12, 13, 14, 15]])
BOX_FACES = CAR_FACES[:5]


def unit(v: np.ndarray) -> np.ndarray:
    """Vectors scaled to unit length along the last axis."""
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _half_hull(points: list) -> list:
    """One chain of Andrew's monotone chain algorithm."""
    chain = []
    for p in points:
        while len(chain) >= 2 and ((chain[-1][0] - chain[-2][0]) * (p[1] - chain[-2][1])
                                   - (chain[-1][1] - chain[-2][1]) * (p[0] - chain[-2][0])) <= 0:
            chain.pop()
        chain.append(p)
    return chain


def hull(points: np.ndarray) -> np.ndarray:
    """Convex hull (counter-clockwise) of 2-D points."""
    pts = sorted(set(map(tuple, np.round(points, 4).tolist())))
    if len(pts) < 3:
        return np.array(pts)
    lower, upper = _half_hull(pts), _half_hull(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])


def box_vertices(length: float, width: float, z0: float, z1: float,
                 top: tuple[float, float, float, float] | None = None) -> np.ndarray:
    """8 vertices (x forward, y left) of a box, optionally with a smaller top face (x0, x1, y0, y1)."""
    x0, x1, y0, y1 = -length / 2, length / 2, -width / 2, width / 2
    tx0, tx1, ty0, ty1 = top if top is not None else (x0, x1, y0, y1)
    return np.array([(x0, y0, z0), (x1, y0, z0), (x1, y1, z0), (x0, y1, z0),
                     (tx0, ty0, z1), (tx1, ty0, z1), (tx1, ty1, z1), (tx0, ty1, z1)])


def face_normals(verts: np.ndarray, faces: np.ndarray, centre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outward unit normals and centroids of quads `faces` of convex solids verts (..., n, 3)."""
    q = verts[..., faces, :]
    normals = unit(np.cross(q[..., 2, :] - q[..., 0, :], q[..., 3, :] - q[..., 1, :]))
    centroids = q.mean(-2)
    normals = np.where((((centroids - centre[..., None, :]) * normals).sum(-1) < 0)[..., None], -normals, normals)
    return normals, centroids


def footprint(x: float, y: float, heading: float, length: float, width: float) -> np.ndarray:
    """Corners of a length x width rectangle centred at (x, y), its length along heading."""
    c, s = math.cos(heading), math.sin(heading)
    corners = np.array([(-1, -1), (1, -1), (1, 1), (-1, 1)]) * (length / 2, width / 2)
    return corners @ np.array([[c, s], [-s, c]]) + (x, y)


class Local:
    """2-D frame in world metres: local (u, v) is the world point origin + u * axis_u + v * axis_v."""

    def __init__(self, origin: ArrayLike, axis_u: ArrayLike, axis_v: ArrayLike):
        self.origin, self.axis_u, self.axis_v = (np.asarray(a, float) for a in (origin, axis_u, axis_v))

    def pt(self, u: float, v: float) -> np.ndarray:
        """World point at local (u, v)."""
        return self.origin + u * self.axis_u + v * self.axis_v

    def rect(self, u0: float, u1: float, v0: float, v1: float) -> np.ndarray:
        """World corners of the local rectangle [u0, u1] x [v0, v1]."""
        return np.array([self.pt(u0, v0), self.pt(u1, v0), self.pt(u1, v1), self.pt(u0, v1)])

    def pts(self, uv: ArrayLike) -> np.ndarray:
        """World points of an (n, 2) array of local points."""
        uv = np.asarray(uv, float)
        return self.origin + uv[:, :1] * self.axis_u + uv[:, 1:] * self.axis_v


def blob(centre: np.ndarray, radius: float, rng: np.random.Generator, count: int = 14) -> np.ndarray:
    """An irregular round polygon of count points about centre."""
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    radii = radius * (1 + 0.25 * rng.uniform(-1, 1, count))
    return centre + np.stack([radii * np.cos(angles), radii * np.sin(angles)], 1)


class Camera:
    """Pinhole camera; world x east, y north, z up; image x right, y down.

    In the usual camera-matrix notation: K is the 3x3 intrinsic matrix (focal length in pixels, principal point
    at the image centre), R the 3x3 rotation from world to camera axes (rows: image right, image down, forward),
    C the camera centre in world metres. A world point X projects to K R (X - C): KR is K @ R and t is -K R C.
    forward_xy is the horizontal unit vector the camera looks along.
    """

    def __init__(self, position: ArrayLike, yaw: float, pitch: float, roll: float, focal: float,
                 size: tuple[int, int]):
        width, height = size
        cy, sy, cp, sp = math.cos(yaw), math.sin(yaw), math.cos(pitch), math.sin(pitch)
        forward = np.array([sy * cp, cy * cp, -sp])
        right = np.array([cy, -sy, 0.0])
        down = np.cross(forward, right)
        cr, sr = math.cos(roll), math.sin(roll)
        self.R = np.stack([cr * right + sr * down, -sr * right + cr * down, forward])
        self.C = np.asarray(position, float)
        self.K = np.array([[focal, 0, width / 2], [0, focal, height / 2], [0, 0, 1.0]])
        self.KR = self.K @ self.R
        self.t = -self.KR @ self.C
        self.forward_xy = forward[:2] / np.hypot(forward[0], forward[1])
        self.focal, self.width, self.height = focal, width, height

    def project(self, points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Image points and depths of world points (..., 3)."""
        homogeneous = points @ self.KR.T + self.t
        z = homogeneous[..., 2]
        return homogeneous[..., :2] / z[..., None], z

    def rays(self) -> np.ndarray:
        """Matrix that maps image point (u, v, 1) to its world ray direction."""
        return self.R.T @ np.linalg.inv(self.K)

    def ground(self, u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """World (x, y) where the rays of image points (u, v) meet the ground plane."""
        rays = self.rays()
        directions = rays @ np.stack([u, v, np.ones_like(u)])
        t = -self.C[2] / np.minimum(directions[2], -1e-3)
        return self.C[0] + t * directions[0], self.C[1] + t * directions[1]
