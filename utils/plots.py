"""Figures for the lab: data grids, training curves, confusion matrices, filters, segmentations."""
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.patches import Patch
from torchvision.utils import make_grid

from .palette import CLASSES, PALETTE


def save(fig: plt.Figure, name: str, folder: str | Path = "figures", stamp: str | None = None) -> Path:
    """Save fig as <folder>/<name>.png; `stamp` writes a visible note across the top (e.g. 'synthetic data')."""
    if stamp:
        # above the figure's own titles; bbox_inches="tight" grows the canvas to fit it
        fig.text(0.5, 1.01, stamp, ha="center", va="bottom", fontsize=9, color="white", weight="bold",
                 bbox=dict(facecolor="#c0392b", edgecolor="none", boxstyle="round,pad=0.3"))
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    return path


def show_digits(images: torch.Tensor, labels: torch.Tensor, preds: torch.Tensor | None = None,
                ncols: int = 12, title: str | None = None, captions: list[str] | None = None) -> plt.Figure:
    """A grid of digits titled with their label (and prediction, red where wrong), and an optional caption each."""
    n = len(images)
    nrows = (n + ncols - 1) // ncols
    fig, axes = plt.subplots(nrows, ncols, figsize=(ncols * 0.9, nrows * (1.3 if captions else 1.05)), squeeze=False)
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


def plot_class_counts(counts: dict[str, list[int]], names: list[str] | None = None) -> plt.Figure:
    """Grouped bars of class counts per split, e.g. {"train": [...], "val": [...], "test": [...]}."""
    k = len(next(iter(counts.values())))
    names = names or [str(i) for i in range(k)]
    fig, ax = plt.subplots(figsize=(8, 3))
    width = 0.8 / len(counts)
    for j, (split, values) in enumerate(counts.items()):
        ax.bar(np.arange(k) + j * width - 0.4 + width / 2, values, width, label=f"{split} ({sum(values):,})")
    ax.set_xticks(np.arange(k), names)
    ax.set_ylabel("images")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plot_curves(histories: dict[str, dict], metric: str = "accuracy", title: str | None = None) -> plt.Figure:
    """Loss (left) and `metric` (right) per epoch; solid = validation, dashed = training."""
    fig, (ax_loss, ax_metric) = plt.subplots(1, 2, figsize=(11, 3.8))
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, (name, h) in enumerate(histories.items()):
        c = colors[i % len(colors)]
        ax_loss.plot(h["epoch"], h["train_loss"], "--", color=c, alpha=0.7)
        ax_loss.plot(h["epoch"], h["val_loss"], "-o", color=c, ms=3, label=name)
        if metric == "accuracy":
            ax_metric.plot(h["epoch"], np.array(h["train_accuracy"]) * 100, "--", color=c, alpha=0.7)
            ax_metric.plot(h["epoch"], np.array(h["val_accuracy"]) * 100, "-o", color=c, ms=3, label=name)
        else:
            ax_metric.plot(h["epoch"], h[f"val_{metric}"], "-o", color=c, ms=3, label=name)
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", yscale="log", title="loss (dashed: train)")
    ylabel = "accuracy (%)" if metric == "accuracy" else f"validation {metric}"
    ax_metric.set(xlabel="epoch", ylabel=ylabel, title=f"{ylabel}" + (" (dashed: train)" if metric == "accuracy" else ""))
    if metric == "accuracy":
        best = max(max(h["val_accuracy"]) for h in histories.values()) * 100
        ax_metric.set_ylim(max(90, best - 6), 100)
    ax_metric.legend(fontsize=8, loc="lower right")
    for ax in (ax_loss, ax_metric):
        ax.grid(alpha=0.3)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_confusion(matrix: torch.Tensor, names: list[str], normalize: bool = True, title: str = "") -> plt.Figure:
    """Confusion matrix, rows = truth, columns = prediction; normalised per row (recall) by default."""
    mat = matrix.double().numpy()
    shown = mat / np.maximum(mat.sum(1, keepdims=True), 1) if normalize else mat
    k = len(names)
    fig, ax = plt.subplots(figsize=(0.62 * k + 2.2, 0.55 * k + 1.6))
    im = ax.imshow(shown, cmap="Blues", vmin=0, vmax=1 if normalize else None)
    for i in range(k):
        for j in range(k):
            v = shown[i, j]
            text = f"{v:.2f}" if normalize else f"{int(v)}"
            if normalize and v < 0.005:
                text = ""
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if v > (0.5 if normalize else shown.max() / 2) else "black")
    ax.set_xticks(range(k), names, rotation=45 if max(map(len, names)) > 2 else 0, ha="right" if max(map(len, names)) > 2 else "center")
    ax.set_yticks(range(k), names)
    ax.set(xlabel="predicted", ylabel="true", title=title or ("confusion matrix (rows sum to 1)" if normalize else "confusion matrix"))
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    fig.tight_layout()
    return fig


def show_filters(weight: torch.Tensor, title: str = "first-layer filters") -> plt.Figure:
    """The kernels of a conv layer (out, in, k, k) as a grid, each scaled to its own range."""
    grid = make_grid(weight.detach().cpu()[:, :1], nrow=10, normalize=True, scale_each=True, padding=1, pad_value=1)
    fig, ax = plt.subplots(figsize=(6, 1.6 * ((len(weight) + 9) // 10)))
    ax.imshow(grid.permute(1, 2, 0), interpolation="nearest")
    ax.set_title(title)
    ax.axis("off")
    return fig


def show_feature_maps(image: torch.Tensor, maps: list[torch.Tensor], names: list[str]) -> plt.Figure:
    """One input digit and the feature maps (C, H, W) it produces in each named layer."""
    fig, axes = plt.subplots(1, len(maps) + 1, figsize=(3 + 4.2 * len(maps), 3.2),
                             gridspec_kw={"width_ratios": [0.6] + [1] * len(maps)})
    axes[0].imshow(image.squeeze().cpu(), cmap="gray_r")
    axes[0].set_title("input")
    for ax, fmap, name in zip(axes[1:], maps, names):
        grid = make_grid(fmap.detach().cpu()[:, None], nrow=10, normalize=True, scale_each=True, padding=1, pad_value=1)
        ax.imshow(grid[0], cmap="viridis", interpolation="nearest")
        ax.set_title(f"{name}: {fmap.shape[0]} maps of {fmap.shape[1]}×{fmap.shape[2]}")
    for ax in axes:
        ax.axis("off")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------- segmentation


def colorize(mask: np.ndarray | torch.Tensor) -> np.ndarray:
    """Class indices (H, W) -> UAVid colours (H, W, 3) uint8."""
    mask = mask.cpu().numpy() if torch.is_tensor(mask) else mask
    return PALETTE[mask]


def class_legend(ax: plt.Axes | None = None, fig: plt.Figure | None = None, **kwargs):
    """A legend with each UAVid class in its colour."""
    handles = [Patch(facecolor=PALETTE[i] / 255, edgecolor="gray", label=name) for i, name in enumerate(CLASSES)]
    target = fig if fig is not None else ax
    return target.legend(handles=handles, **kwargs)


def show_segmentation(images: list[np.ndarray], columns: dict[str, list[np.ndarray]], titles: list[str] | None = None) -> plt.Figure:
    """One row per image: the image, then each named column (label masks are coloured, boolean maps shown as errors)."""
    n, k = len(images), 1 + len(columns)
    h, w = images[0].shape[:2]
    fig, axes = plt.subplots(n, k, figsize=(3.2 * k, 3.2 * k / k * h / w * n + 0.9), squeeze=False)
    for i in range(n):
        axes[i, 0].imshow(images[i])
        axes[i, 0].set_title(titles[i] if titles else "image", fontsize=9)
        for j, (name, masks) in enumerate(columns.items(), start=1):
            m = masks[i]
            if m.dtype == bool:
                axes[i, j].imshow(images[i], alpha=0.35)
                overlay = np.zeros((*m.shape, 4))
                overlay[m] = (0.9, 0.1, 0.1, 0.85)
                axes[i, j].imshow(overlay)
                axes[i, j].set_title(f"{name} ({m.mean():.1%} wrong)", fontsize=9)
            else:
                axes[i, j].imshow(colorize(m), interpolation="nearest")
                axes[i, j].set_title(name, fontsize=9)
    for ax in axes.flat:
        ax.axis("off")
    fig.tight_layout()
    class_legend(fig=fig, loc="lower center", ncol=8, fontsize=8, bbox_to_anchor=(0.5, -0.02), frameon=False)
    fig.subplots_adjust(bottom=0.06 if n > 1 else 0.14)
    return fig


def plot_iou_bars(ious: dict[str, np.ndarray], title: str = "per-class IoU") -> plt.Figure:
    """Per-class IoU of one or more models, bars in the class colours (models told apart by hatching)."""
    fig, ax = plt.subplots(figsize=(10, 3.6))
    k, m = len(CLASSES), len(ious)
    width = 0.8 / m
    hatches = ["", "//", "..", "xx"]
    for j, (name, iou) in enumerate(ious.items()):
        x = np.arange(k) + j * width - 0.4 + width / 2
        ax.bar(x, iou, width, color=PALETTE / 255, edgecolor="gray", hatch=hatches[j % 4])
        for xi, v in zip(x, iou):
            ax.text(xi, v + 0.01, f"{v:.2f}", ha="center", fontsize=6.5)
    handles = [Patch(facecolor="white", edgecolor="gray", hatch=hatches[j % 4], label=name) for j, name in enumerate(ious)]
    ax.legend(handles=handles, fontsize=8, loc="upper right")
    ax.set_xticks(np.arange(k), CLASSES, rotation=20)
    ax.set(ylim=(0, 1.08), ylabel="IoU", title=title)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def denormalize(x: torch.Tensor, mean: list[float], std: list[float]) -> np.ndarray:
    """A normalised image tensor (3, H, W) back to a displayable (H, W, 3) array in [0, 1]."""
    x = x.cpu() * torch.tensor(std).view(3, 1, 1) + torch.tensor(mean).view(3, 1, 1)
    return x.clamp(0, 1).permute(1, 2, 0).numpy()
