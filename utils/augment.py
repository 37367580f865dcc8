"""Data augmentation of whole batches on the device."""
import math

import torch
import torch.nn.functional as F


def random_affine(x: torch.Tensor, generator: torch.Generator | None = None, max_shift: float = 0.1,
                  max_degrees: float = 10.0, scale: tuple[float, float] = (0.9, 1.1)) -> torch.Tensor:
    """Shift (fraction of the size), rotate and scale every image of a batch (N, C, H, W) at random.

    One batched affine_grid / grid_sample call with a random transform per image: no per-sample Python work.
    Zero is the background.
    """
    n = x.shape[0]

    def uniform(low: float, high: float) -> torch.Tensor:
        return torch.rand(n, device=x.device, generator=generator) * (high - low) + low

    angle = uniform(-max_degrees, max_degrees) * (math.pi / 180)
    s = uniform(*scale)
    cos, sin = torch.cos(angle) / s, torch.sin(angle) / s
    # affine_grid maps output to input coordinates in [-1, 1]; a shift of f of the size is 2f there.
    tx, ty = uniform(-2 * max_shift, 2 * max_shift), uniform(-2 * max_shift, 2 * max_shift)
    theta = torch.stack([torch.stack([cos, -sin, tx], 1), torch.stack([sin, cos, ty], 1)], 1)
    grid = F.affine_grid(theta.to(x.dtype), list(x.shape), align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


class RandomAffine:
    """random_affine with fixed settings, callable as augment(x, generator)."""

    def __init__(self, max_shift: float = 0.1, max_degrees: float = 10.0, scale: tuple[float, float] = (0.9, 1.1)):
        self.max_shift, self.max_degrees, self.scale = max_shift, max_degrees, scale

    def __call__(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        return random_affine(x, generator, self.max_shift, self.max_degrees, self.scale)

    def __repr__(self) -> str:
        return f"RandomAffine(max_shift={self.max_shift}, max_degrees={self.max_degrees}, scale={self.scale})"
