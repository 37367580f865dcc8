"""Probes of what pooling is said to give: test digits moved by a few pixels or with added noise, and how smooth
a layer's feature maps are."""
import torch

from .errors import check


def shift_digits(images: torch.Tensor, pixels: int, seed: int = 0) -> torch.Tensor:
    """Each image (N, H, W) moved by `pixels` in a random one of the four directions (seeded), the uncovered
    border filled with 0 (MNIST's background)."""
    check(0 <= pixels < min(images.shape[-2:]), f"a shift of {pixels} px must be 0 or more and smaller than the image")
    if pixels == 0:
        return images.clone()
    directions = torch.randint(0, 4, (len(images),), generator=torch.Generator().manual_seed(seed))
    moved = torch.zeros_like(images)
    for direction, (rows, cols) in enumerate([(pixels, 0), (-pixels, 0), (0, pixels), (0, -pixels)]):
        chosen = (directions == direction).to(images.device)
        moved[chosen] = _move(images[chosen], rows, cols)
    return moved


def _move(images: torch.Tensor, rows: int, cols: int) -> torch.Tensor:
    """Images moved down by rows and right by cols (negative: up, left), zero-filled."""
    moved = torch.zeros_like(images)
    height, width = images.shape[-2:]
    moved[..., max(rows, 0):height + min(rows, 0), max(cols, 0):width + min(cols, 0)] = \
        images[..., max(-rows, 0):height + min(-rows, 0), max(-cols, 0):width + min(-cols, 0)]
    return moved


def add_noise(images: torch.Tensor, sigma: float, seed: int = 0) -> torch.Tensor:
    """Images in [0, 1] (uint8 or float) with Gaussian noise of standard deviation sigma, clipped to [0, 1]."""
    images = as_float(images)
    noise = torch.randn(images.shape, generator=torch.Generator().manual_seed(seed)).to(images.device)
    return (images + sigma * noise).clamp(0, 1)


def spatial_correlation(maps: torch.Tensor) -> torch.Tensor:
    """The smoothness of each item's feature maps (N, C, H, W): the correlation of horizontally and vertically
    adjacent values within a map, pooled over its channels (about 0 for noise, near 1 for smooth maps)."""
    centred = maps.float() - maps.float().mean(dim=(-2, -1), keepdim=True)
    neighbours = [(centred[..., :, :-1], centred[..., :, 1:]), (centred[..., :-1, :], centred[..., 1:, :])]
    products = sum((first * second).sum(dim=(1, 2, 3)) for first, second in neighbours)
    norms = sum(((first ** 2).sum(dim=(1, 2, 3)) * (second ** 2).sum(dim=(1, 2, 3))).sqrt()
                for first, second in neighbours)
    return products / norms.clamp(min=1e-12)


def relative_variation(maps: torch.Tensor) -> torch.Tensor:
    """The roughness of each item's feature maps (N, C, H, W): their total variation (mean absolute difference of
    horizontally and vertically adjacent values) over their mean absolute value; lower is smoother."""
    maps = maps.float()
    steps = ((maps[..., :, 1:] - maps[..., :, :-1]).abs().mean(dim=(1, 2, 3))
             + (maps[..., 1:, :] - maps[..., :-1, :]).abs().mean(dim=(1, 2, 3))) / 2
    return steps / maps.abs().mean(dim=(1, 2, 3)).clamp(min=1e-12)


def as_float(images: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] as floats (uint8 divided by 255)."""
    return images.float() / 255 if images.dtype == torch.uint8 else images.float()
