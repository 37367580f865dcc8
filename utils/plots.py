"""Charts for the lab: class counts, training curves, a study of several models, confusion matrices, IoU bars;
and saving a figure."""
import math
from pathlib import Path

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import torch
from matplotlib.axis import Axis
from matplotlib.colors import to_rgb
from matplotlib.container import BarContainer
from matplotlib.image import AxesImage
from matplotlib.patches import Patch

from .palette import CLASSES, PALETTE
from .results import History

_FILL = 0.8  # the bars of a category fill 0.8 of the space between two categories


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


def grouped_bars(ax: plt.Axes, datasets: list, labels: list[str] | None = None, **kwargs) -> list[BarContainer]:
    """Bars of several datasets side by side, value i of each in category i (at x = i); one container per dataset,
    labelled for the legend if labels are given. kwargs go to every ax.bar."""
    n = len(datasets)
    width = _FILL / n
    return [ax.bar(np.arange(len(values)) + (j - (n - 1) / 2) * width, values, width,
                   label=labels[j] if labels else None, **kwargs) for j, values in enumerate(datasets)]


def plot_class_counts(counts: dict[str, list[int]], names: list[str] | None = None,
                      xlabel: str = "class") -> plt.Figure:
    """Grouped bars of class counts per split, e.g. {"train": [...], "val": [...], "test": [...]}."""
    k = len(next(iter(counts.values())))
    names = names or [str(i) for i in range(k)]
    fig, ax = plt.subplots(figsize=(8, 3))
    grouped_bars(ax, list(counts.values()), labels=[f"{split} ({sum(values):,})" for split, values in counts.items()])
    ax.set_xticks(np.arange(k), names)
    ax.set(xlabel=xlabel, ylabel="images")
    ax.legend(fontsize=8, ncol=len(counts), loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    fig.tight_layout()
    return fig


def plot_curves(histories: dict[str, History], metric: str = "accuracy", title: str | None = None,
                loss_label: str = "cross-entropy loss") -> plt.Figure:
    """Training loss, validation loss (same scale) and validation `metric` per epoch, one line per model.

    Accuracy is drawn as the validation error rate on a log scale, so that 10 % and 0.6 % errors are both readable.
    """
    fig, (ax_train, ax_val, ax_metric) = plt.subplots(1, 3, figsize=(15, 4.2))
    ax_val.sharey(ax_train)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    markers = "os^Dv<>PX*"  # colour and marker both differ, so overlapping lines stay apart
    for i, (name, h) in enumerate(histories.items()):
        style = dict(color=colors[i % len(colors)], marker=markers[i % len(markers)], ms=4, label=name)
        ax_train.plot(h.epoch, h.train_loss, "-", **style)
        ax_val.plot(h.epoch, h.val_loss, "-", **style)
        if metric == "accuracy":
            ax_metric.plot(h.epoch, _error_rates(h), "-", **style)
        else:
            ax_metric.plot(h.epoch, getattr(h, f"val_{metric}"), "-", **style)
    ax_train.set(xlabel="epoch", ylabel=f"{loss_label}, log scale", yscale="log",
                 title="training loss (train mode, as trained)")
    ax_val.set(xlabel="epoch", title="validation loss")
    if metric == "accuracy":
        ax_metric.set(xlabel="epoch", ylabel="error rate (%), log scale", yscale="log",
                      title="validation error rate = 100 % - accuracy")
    else:
        name = {"miou": "mIoU"}.get(metric, metric)
        ax_metric.set(xlabel="epoch", ylabel=f"validation {name}", title=f"validation {name}")
    for ax in (ax_train, ax_val, ax_metric):
        ax.grid(alpha=0.3, which="both")
        ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    for ax in (ax_train, ax_metric):  # ax_val shares ax_train's axis
        if ax.get_yscale() == "log" and not _log_if_wide(ax):
            ax.set_ylabel(ax.get_ylabel().replace(", log scale", ""))
    ax_metric.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _decade_ticks(axis: Axis) -> None:
    """Labelled ticks at 1, 2 and 5 times each power of ten on a log axis, written plainly (0.5, 1, 2, ...)."""
    axis.set_major_locator(mticker.LogLocator(subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(mticker.FormatStrFormatter("%g"))
    axis.set_minor_formatter(mticker.NullFormatter())


def _wide(low: float, high: float) -> bool:
    """Whether values from low to high span about a decade (5 times or more): then a log axis keeps the small ones
    apart; over less, a linear axis reads better."""
    return low > 0 and high / low >= 5


def _log_if_wide(ax: plt.Axes) -> bool:
    """Keep ax's log y axis, with plain ticks, where its range is _wide; make it linear otherwise. Returns whether
    it stays log."""
    if _wide(*ax.get_ylim()):
        _decade_ticks(ax.yaxis)
        return True
    ax.set_yscale("linear")
    return False


def _error_rates(history: History) -> np.ndarray:
    """Validation error rate (%) per epoch: 100 % - accuracy."""
    return 100 - 100 * np.array(history.val_accuracy)


def _best_errors(ax: plt.Axes, histories: dict[str, History], colors: list[str]) -> None:
    """A dot chart of each model's best validation error rate, one row per model (first on top), value written."""
    best = np.array([_error_rates(h).min() for h in histories.values()])
    rows = np.arange(len(best))
    ax.hlines(rows, 0, 1, transform=ax.get_yaxis_transform(), color="0.9", lw=0.8, zorder=0)
    ax.scatter(best, rows, c=colors, s=40, zorder=2)
    for row, v in zip(rows, best, strict=True):
        ax.annotate(f"{v:.2f} %", (v, row), xytext=(6, 0), textcoords="offset points", va="center", fontsize=8,
                    weight="bold" if v == best.min() else "normal")
    ax.set_yticks(rows, list(histories))
    ax.set_ylim(len(best) - 0.5, -0.5)
    if _wide(best.min(), best.max()):
        ax.set(xscale="log", xlim=(best.min() / 1.4, best.max() * 2.5), xlabel="error rate (%), log scale")
        _decade_ticks(ax.xaxis)
    else:
        ax.set(xlim=(0, best.max() * 1.3), xlabel="error rate (%)")
    ax.set_title("best validation error rate", fontsize=10)
    ax.grid(axis="x", alpha=0.3)


def _error_multiples(axes: np.ndarray, histories: dict[str, History], colors: list[str]) -> None:
    """One small panel per model: its validation error per epoch in colour, every other model's in grey."""
    errors = {name: (h.epoch, _error_rates(h)) for name, h in histories.items()}
    for ax, (name, (epoch, err)), color in zip(axes.flat, errors.items(), colors, strict=False):
        for other, (e, r) in errors.items():
            if other != name:
                ax.plot(e, r, "-", color="0.82", lw=0.9, zorder=1)
        ax.plot(epoch, err, "-o", color=color, lw=2, ms=3, zorder=2)
        ax.set_title(name, fontsize=8.5, color=color)
        ax.grid(alpha=0.3)
    ax = axes.flat[0]  # the axes are shared: one setting serves them all
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(mticker.MaxNLocator(integer=True))
    _log_if_wide(ax)
    for ax in axes.flat:
        ax.tick_params(labelsize=7.5)


def plot_study(histories: dict[str, History], title: str = "") -> plt.Figure:
    """A study of several models at a glance: left, each model's best validation error rate (a dot per model, in
    the given order); right, each model's validation error per epoch, one small panel each, the others in grey."""
    n = len(histories)
    cycle = [c for c in plt.rcParams["axes.prop_cycle"].by_key()["color"] if len(set(to_rgb(c))) > 1]  # no grey
    colors = [cycle[i % len(cycle)] for i in range(n)]
    fig = plt.figure(figsize=(12, 4), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1, 1.75], wspace=0.02)
    _best_errors(left.subplots(), histories, colors)
    nrows = 1 if n <= 3 else 2
    axes = right.subplots(nrows, math.ceil(n / nrows), sharex=True, sharey=True, squeeze=False)
    for ax in axes.flat[n:]:
        ax.remove()
    _error_multiples(axes, histories, colors)
    right.suptitle("validation error rate per epoch (each model in colour, the others in grey)", fontsize=10)
    right.supxlabel("epoch", fontsize=9)
    right.supylabel("error rate (%)", fontsize=9)
    if title:
        fig.suptitle(title)
    return fig


def _draw_confusion(ax: plt.Axes, matrix: torch.Tensor, names: list[str], normalize: bool = True) -> AxesImage:
    """Draw one confusion matrix on ax (see plot_confusion); returns its image, for a colour bar."""
    mat = matrix.double().cpu().numpy()
    k = len(names)
    if normalize:
        shown, vmax = mat / np.maximum(mat.sum(1, keepdims=True), 1), 1.0
    else:
        shown = mat.copy()
        np.fill_diagonal(shown, 0)
        vmax = max(shown.max(), 1)
    im = ax.imshow(shown, cmap="Blues", vmin=0, vmax=vmax)
    for i in range(k):
        for j in range(k):
            if normalize:
                v = shown[i, j]
                if v >= 0.005:
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                            color="white" if v > 0.5 else "black")
            elif i == j:
                ax.text(j, i, f"{int(mat[i, j])}", ha="center", va="center", fontsize=7, color="dimgray",
                        style="italic")
            elif mat[i, j] > 0:
                ax.text(j, i, f"{int(mat[i, j])}", ha="center", va="center", fontsize=7,
                        color="white" if shown[i, j] > vmax / 2 else "black")
    long_names = max(map(len, names)) > 2
    ax.set_xticks(range(k), names, rotation=45 if long_names else 0, ha="right" if long_names else "center")
    ax.set_yticks(range(k), names)
    ax.set(xlabel="predicted", ylabel="true")
    return im


def plot_confusion(matrix: torch.Tensor, names: list[str], normalize: bool = True, title: str = "") -> plt.Figure:
    """Confusion matrix, rows = truth, columns = prediction.

    normalize: each row divided by its sum (recall on the diagonal). Otherwise counts, coloured by the
    off-diagonal counts only (the mistakes), with the diagonal written in grey.
    """
    k = len(names)
    fig, ax = plt.subplots(figsize=(0.62 * k + 2.2, 0.55 * k + 1.6))
    im = _draw_confusion(ax, matrix, names, normalize)
    default = "confusion matrix (rows sum to 1)" if normalize else "confusion matrix: counts (colour: mistakes only)"
    ax.set_title(title or default)
    fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04, label=None if normalize else "mistakes")
    fig.tight_layout()
    return fig


def plot_confusions(matrices: dict[str, torch.Tensor], names: list[str], title: str = "") -> plt.Figure:
    """Row-normalised confusion matrices of several models side by side (titled by their keys), one colour bar."""
    n, k = len(matrices), len(names)
    fig, axes = plt.subplots(1, n, figsize=(n * (0.6 * k + 1.0) + 1.4, 0.55 * k + 1.9), sharey=True, squeeze=False,
                             layout="constrained")
    for ax, (name, matrix) in zip(axes[0], matrices.items(), strict=True):
        im = _draw_confusion(ax, matrix, names)
        ax.set_title(name)
    for ax in axes[0, 1:]:
        ax.set_ylabel("")
    fig.colorbar(im, ax=axes[0].tolist(), fraction=0.04 / n, pad=0.02, label="fraction of the true class")
    fig.suptitle(title or "confusion matrices (rows sum to 1)")
    return fig


def iou_text(value: float) -> str:
    """An IoU as a bar label, two decimals; '<0.01' where two decimals would print a non-zero IoU as 0.00."""
    return "<0.01" if 0 < value < 0.005 else f"{value:.2f}"


def plot_iou_bars(ious: dict[str, np.ndarray], title: str = "per-class IoU") -> plt.Figure:
    """Per-class IoU of one or more models, bars in the class colours (models told apart by hatching)."""
    fig, ax = plt.subplots(figsize=(10, 3.6))
    hatches = ["", "//", "..", "xx"]
    bars = grouped_bars(ax, list(ious.values()), edgecolor="gray")
    for j, container in enumerate(bars):
        for bar, color in zip(container, PALETTE / 255, strict=True):  # each class in its colour
            bar.set(facecolor=color, hatch=hatches[j % 4])
        ax.bar_label(container, labels=[iou_text(value) for value in list(ious.values())[j]], fontsize=7.5,
                     padding=1)
    handles = [Patch(facecolor="white", edgecolor="gray", hatch=hatches[j % 4], label=name)
               for j, name in enumerate(ious)]
    ax.legend(handles=handles, fontsize=8, loc="upper right")
    ax.set_xticks(np.arange(len(CLASSES)), CLASSES, rotation=20)
    ax.set(ylim=(0, 1.08), ylabel="IoU", title=title)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def bin_spans(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The width and centre of each distance bin from its left edges; the last, open bin is drawn as wide as the
    one before it."""
    edges = np.asarray(edges, dtype=float)
    widths = np.diff(edges, append=edges[-1] + (edges[-1] - edges[-2] if len(edges) > 1 else 1.0))
    return widths, edges + widths / 2


def plot_boundary_accuracy(scores: dict, title: str = "") -> plt.Figure:
    """Pixel accuracy against the distance to the nearest true class boundary, one line per model at the bins'
    centres (scores: name -> boundaries.BoundaryScores); below, each bin's pixels per px of distance, so that
    bins of unequal width compare."""
    fig, (ax, share_ax) = plt.subplots(2, 1, figsize=(7.5, 4.6), sharex=True, height_ratios=[3, 1])
    first = next(iter(scores.values()))
    widths, centres = bin_spans(first.distances)
    for name, score in scores.items():
        ax.plot(centres, score.accuracy_by_distance, marker="o", markersize=3, label=name)
    ax.axvspan(0, first.band, color="0.9", zorder=0, label=f"boundary band (< {first.band:g} px)")
    ax.set(ylabel="pixel accuracy", title=title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    share_ax.bar(first.distances, 100 * first.pixel_share / widths, width=widths, align="edge", color="0.6",
                 edgecolor="white")
    share_ax.set(xlabel="distance to the nearest true class boundary (px, at the network's input size; last bin open)",
                 ylabel="% of pixels\nper px")
    fig.tight_layout()
    return fig


def plot_lr_sweep(sweep: dict, chosen: dict[str, float], title: str = "") -> plt.Figure:
    """Validation accuracy against learning rate (log scale), one line per recipe; the chosen rate circled.
    sweep: {recipe: {rate: results.Trained}}."""
    fig, ax = plt.subplots(figsize=(8.5, 4.2))
    for name, runs in sweep.items():
        rates = sorted(runs)
        line, = ax.plot(rates, [100 * runs[rate].history.best("val_accuracy") for rate in rates], "-o", ms=4,
                        label=name)
        ax.plot([chosen[name]], [100 * runs[chosen[name]].history.best("val_accuracy")], "o", ms=12, mfc="none",
                color=line.get_color())
    ax.set(xscale="log", xlabel="learning rate (log scale)", ylabel="validation accuracy (%)",
           title=title or "learning-rate sweep (circled: the rate chosen)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0), frameon=False)  # off the curves
    fig.tight_layout()
    return fig
