"""Figures of images: digits, filters and feature maps, segmentations and zoomed regions with outlined classes."""
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib import patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from torchvision.utils import make_grid

from .errors import check
from .eval_samples import Region
from .palette import CLASSES, PALETTE, index_to_rgb
from .stats import denormalize


def show_digits(images: torch.Tensor, labels: torch.Tensor, preds: torch.Tensor | None = None,
                ncols: int = 12, title: str | None = None, captions: list[str] | None = None) -> plt.Figure:
    """A grid of digits titled with their label (and prediction, red where wrong), and an optional caption each."""
    n = len(images)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 0.9, nrows * (1.3 if captions else 1.15)), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i].squeeze().cpu(), cmap="gray_r")
        if preds is None:
            ax.set_title(str(int(labels[i])), fontsize=9)
        else:
            ok = int(preds[i]) == int(labels[i])
            ax.set_title(f"{int(labels[i])}→{int(preds[i])}", fontsize=9, color="black" if ok else "#c0392b")
        if captions:
            ax.text(0.5, -0.08, captions[i], transform=ax.transAxes, ha="center", va="top", fontsize=8)
    if title:
        fig.suptitle(title, y=1.0)
    fig.tight_layout()
    if captions:  # tight_layout ignores text outside the axes: leave the captions room
        fig.subplots_adjust(hspace=0.6)
    return fig


def show_filters(weight: torch.Tensor, title: str = "first-layer filters", ncols: int = 10) -> plt.Figure:
    """The kernels of a conv layer (out, in, k, k), first input channel, on one diverging colour scale around 0."""
    w = weight.detach().float().cpu()[:, 0]
    m = float(w.abs().max())
    nrows = (len(w) + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(1.05 * ncols + 1, 1.15 * nrows + 0.5), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < len(w):
            im = ax.imshow(w[i], cmap="RdBu_r", vmin=-m, vmax=m, interpolation="nearest")
            ax.set_title(str(i), fontsize=8)
    fig.suptitle(title)
    fig.colorbar(im, ax=axes, fraction=0.02, pad=0.02, label="weight")
    return fig


def show_feature_maps(image: torch.Tensor, maps: list[torch.Tensor], names: list[str]) -> plt.Figure:
    """One input digit and the feature maps (C, H, W) it produces in each named layer, each map scaled to its range."""
    grids = []
    for fmap in maps:
        nrow = math.ceil(math.sqrt(2 * fmap.shape[0]))  # about twice as wide as high
        grid = make_grid(fmap.detach().float().cpu()[:, None], nrow=nrow, normalize=True, scale_each=True,
                         padding=1, pad_value=float("nan"))
        grids.append(grid[0].numpy())
    ratios = [0.7] + [g.shape[1] / g.shape[0] for g in grids]
    fig, axes = plt.subplots(1, len(maps) + 1, figsize=(2.6 * sum(ratios), 3.4), gridspec_kw={"width_ratios": ratios})
    axes[0].imshow(image.squeeze().cpu(), cmap="gray_r")
    axes[0].set_title("input")
    cmap = plt.get_cmap("viridis").with_extremes(bad="white")  # white gaps between the maps
    for ax, grid, fmap, name in zip(axes[1:], grids, maps, names, strict=True):
        shown = ax.imshow(grid, cmap=cmap, interpolation="nearest", vmin=0, vmax=1)
        ax.set_title(f"{name}: {fmap.shape[0]} maps of {fmap.shape[1]}×{fmap.shape[2]}")
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    fig.colorbar(shown, ax=list(axes[1:]), fraction=0.02, pad=0.01,
                 label="response, each map scaled\nfrom its min (0) to its max (1)")
    return fig


def class_legend(ax: plt.Axes | None = None, fig: plt.Figure | None = None, **kwargs):
    """A legend with each UAVid class in its colour."""
    handles = [Patch(facecolor=PALETTE[i] / 255, edgecolor="gray", label=name) for i, name in enumerate(CLASSES)]
    target = fig if fig is not None else ax
    return target.legend(handles=handles, **kwargs)


def show_segmentation(images: list[np.ndarray], columns: dict[str, list[np.ndarray]],
                      titles: list[str] | None = None, outline: list[int] | None = None) -> plt.Figure:
    """One row per image: the image, then each named column (label masks are coloured, boolean maps shown as
    errors); the `outline` classes are outlined in bright colours on every class map, so dark ones stand out.
    Images and maps larger than SHOWN_PIXELS are drawn from a copy reduced by a whole factor (screen resolution)."""
    colors = dict(zip(outline or [], OUTLINE_COLORS, strict=False))
    n, k = len(images), 1 + len(columns)
    h, w = images[0].shape[:2]
    height = n * (3.0 * h / w + 0.35) + (0.8 if colors else 0.4)  # rows of about 3-inch-wide panels, then legends
    fig, axes = plt.subplots(n, k, figsize=(3.2 * k, height), squeeze=False)
    for i in range(n):
        step = reduction(*images[i].shape[:2])
        image = reduced_image(images[i], step)
        axes[i, 0].imshow(image)
        axes[i, 0].set_title(titles[i] if titles else "image", fontsize=9)
        for j, (name, masks) in enumerate(columns.items(), start=1):
            m = masks[i]
            if m.dtype == bool:
                axes[i, j].imshow(image, alpha=0.35)
                wrong = reduced_map(m, step)
                overlay = np.zeros((*wrong.shape, 4), dtype=np.float32)
                overlay[wrong] = (0.9, 0.1, 0.1, 0.85)
                axes[i, j].imshow(overlay)
                axes[i, j].set_title(f"{name} ({m.mean():.1%} wrong)", fontsize=9)
            else:
                m = reduced_map(m, step)
                axes[i, j].imshow(index_to_rgb(m), interpolation="nearest")
                _outline(axes[i, j], m, colors)
                axes[i, j].set_title(name, fontsize=9)
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout(h_pad=1.5)
    _legends(fig, colors, height)
    return fig


def to_image(x: torch.Tensor, mean: list[float], std: list[float]) -> np.ndarray:
    """A normalised image tensor (3, H, W) back to a displayable (H, W, 3) array in [0, 1]."""
    return denormalize(x.cpu(), mean, std).clamp(0, 1).permute(1, 2, 0).numpy()


SHOWN_PIXELS = 960  # the longest side a panel is drawn from: about 3 times a saved panel's pixels
FINE_PIXELS = 1024  # outlines are contoured on a copy enlarged to at most this size and 4 times, or none


def reduction(height: int, width: int, shown: int = SHOWN_PIXELS) -> int:
    """The whole factor by which an image of height x width is reduced for drawing: 1 up to `shown` pixels,
    then the largest factor that keeps it at least `shown` pixels long (4 for 3840 x 2160 and 4096 x 2160)."""
    return max(1, max(height, width) // shown)


def reduced_map(labels: np.ndarray, step: int) -> np.ndarray:
    """A class or error map (H, W) reduced `step` times by taking the centre pixel of each step x step block."""
    return labels if step == 1 else np.ascontiguousarray(labels[step // 2::step, step // 2::step])


def reduced_image(image: np.ndarray, step: int) -> np.ndarray:
    """An image (H, W, 3) reduced `step` times by averaging step x step blocks, in its own dtype."""
    if step == 1:
        return image
    h, w = image.shape[0] // step * step, image.shape[1] // step * step
    blocks = image[:h, :w].reshape(h // step, step, w // step, step, -1)  # a view: no copy of the image
    mean = blocks.mean(axis=(1, 3), dtype=np.float32)
    return mean.round().astype(image.dtype) if np.issubdtype(image.dtype, np.integer) else mean.astype(image.dtype)


# bright, unlike any class colour and unlike each other: outlines stand out on dark and on green classes alike
OUTLINE_COLORS = ("#00e5ff", "#ffea00", "#ff6d00", "#76ff03", "#ff4081")
_CASING = [patheffects.Stroke(linewidth=2.4, foreground="black"), patheffects.Normal()]  # a dark edge on any ground


def _as_array(x: torch.Tensor | np.ndarray) -> np.ndarray:
    """A tensor (on any device) or an array, as an array."""
    return np.asarray(x.cpu() if hasattr(x, "cpu") else x)


def _outline(ax: plt.Axes, labels: np.ndarray, colors: dict[int, str]) -> None:
    """Thin contours around the pixels of each class in `colors` (keys: class indices) of a class map."""
    h, w = labels.shape
    # a small map is contoured on a finer copy (up to 4x), so that the outlines follow the pixel edges, cutting
    # corners by 1/4 pixel only; a map of screen size needs none
    up = min(4, max(1, FINE_PIXELS // max(h, w)))
    ys, xs = (np.arange(h * up) + 0.5) / up - 0.5, (np.arange(w * up) + 0.5) / up - 0.5
    for c, color in colors.items():
        inside = labels == c
        if inside.any() and not inside.all():  # a contour needs both sides
            fine = inside.repeat(up, 0).repeat(up, 1).astype(np.float32)
            contours = ax.contour(xs, ys, fine, levels=[0.5], colors=[color], linewidths=1.1)
            contours.set_path_effects(_CASING)


def show_rare_regions(images: list[torch.Tensor], truths: list[torch.Tensor], predictions: dict[str, list],
                      regions: list[Region], outline: list[int], mean: list[float], std: list[float],
                      titles: list[str] | None = None) -> plt.Figure:
    """Zoomed regions, one row each: the image (normalised, 3 x H x W), the truth and each model's class map (H, W),
    in the palette; the `outline` classes are outlined in bright colours, the truth's on the image and each map's
    own on the maps, so that e.g. a human (nearly black) stands apart from clutter (black)."""
    check(len(outline) <= len(OUTLINE_COLORS), f"at most {len(OUTLINE_COLORS)} classes can be outlined, not "
                                               f"{len(outline)}")
    n, k = len(regions), 2 + len(predictions)
    height = 2.55 * n + 0.8  # panels of about 2.3 inches with their titles, then two legend rows
    fig, axes = plt.subplots(n, k, figsize=(2.3 * k, height), squeeze=False)
    colors = dict(zip(outline, OUTLINE_COLORS, strict=False))
    for i, region in enumerate(regions):
        truth = _as_array(region.crop(truths[region.image]))
        image = to_image(region.crop(images[region.image]), mean, std)
        name = titles[i] if titles else f"image {region.image} at ({region.top}, {region.left})"
        panels = [(name, image, truth), ("truth", index_to_rgb(truth), truth)]
        for name, maps in predictions.items():
            labels = _as_array(region.crop(maps[region.image]))
            panels.append((name, index_to_rgb(labels), labels))
        for ax, (name, shown, labels) in zip(axes[i], panels, strict=True):
            ax.imshow(shown, interpolation="nearest")
            _outline(ax, labels, colors)
            ax.set_title(name, fontsize=9)
            ax.axis("off")
    fig.tight_layout(h_pad=1.0)
    _legends(fig, colors, height)
    return fig


def _legends(fig: plt.Figure, outlined: dict[int, str], height: float) -> None:
    """The class colours at the bottom of a figure `height` inches tall, and a row for the outlined classes."""
    class_legend(fig=fig, loc="lower center", ncol=8, fontsize=8, bbox_to_anchor=(0.5, 0.0), frameon=False)
    if not outlined:
        fig.subplots_adjust(bottom=0.4 / height)  # room for the legend, 0.4 inch
        return
    lines = [Line2D([], [], color=color, lw=2, path_effects=_CASING, label=f"{CLASSES[c]} (outline)")
             for c, color in outlined.items()]
    fig.legend(handles=lines, loc="lower center", ncol=len(lines), fontsize=8, bbox_to_anchor=(0.5, 0.3 / height),
               frameon=False)
    fig.subplots_adjust(bottom=0.75 / height)  # room for the legends
