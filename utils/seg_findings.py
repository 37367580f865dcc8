"""Tables and summaries of Tasks 2 and 3 from the run's records (curves, comparisons, boundaries, regions), and
the short captions and outcome phrases the notebook's discussion builds on; each is said only where its condition
holds, so a run on other data (few frames, one test sequence, empty distance bins) states what it measured.
"""
import math
from dataclasses import dataclass

import numpy as np
import torch

from .boundaries import BoundaryScores
from .findings import epochs_text, join_and, p_text
from .metrics import largest_confusions
from .report import markdown_table
from .results import Comparison, History, SegScores

RARE_SHARE = 0.02  # a class below this share of the training pixels is called rare


def relative_speed(seconds: float, other_seconds: float) -> str:
    """How something that takes `seconds` compares with something that takes `other_seconds`: '960 times faster',
    '1.3 times slower', 'about as fast' (two significant figures)."""
    ratio = other_seconds / seconds
    factor, word = (ratio, "faster") if ratio >= 1 else (1 / ratio, "slower")
    shown = f"{float(f'{factor:.2g}'):.0f}" if factor >= 10 else f"{factor:.1f}"  # two significant figures
    return "about as fast" if shown == "1.0" else f"{shown} times {word}"


def count_text(count: int, noun: str) -> str:
    """'1 sequence', '6 sequences'."""
    return f"{count} {noun}" + ("" if count == 1 else "s")


# ----------------------------------------------------------------------------- data and curves


def rare_class_finding(frequency: list[float], classes: list[str], weighted: bool) -> str:
    """The classes below RARE_SHARE of the training pixels, with their shares (as the class table prints them);
    weighted: whether the loss weights the classes."""
    rare = [f"*{classes[i]}*" for i, share in enumerate(frequency) if share < RARE_SHARE]
    if not rare:
        return f"No class covers under {RARE_SHARE:.0%} of the training pixels."
    return (f"Rare (under {RARE_SHARE:.0%}): {join_and(rare)}"
            + ("; larger loss weights favour them." if weighted else "."))


PAST_BEST = 0.015  # val mIoU this far below its best: past it (less is noise of the sampled validation images)
RISE = 0.01  # validation mIoU "still rising": up by more than this over the last quarter of the epochs
JUMP = 1.15  # a validation loss this many times the epoch before's, and lower again the epoch after, is a jump


@dataclass(frozen=True)
class CurveSummary:
    """The end of one training run's validation curves."""

    name: str
    epochs: int
    window: int  # the last quarter of the epochs (at least 1); 0 after one epoch
    start_val_miou: float  # validation mIoU `window` epochs before the last; NaN after one epoch
    last_val_miou: float
    best_val_miou: float
    best_epoch: int
    lowest_val_loss: float
    lowest_loss_epoch: int
    last_val_loss: float
    jumps: tuple[int, ...] = ()  # epochs whose validation loss jumped (JUMP) and fell back the next epoch
    peak_lr_epoch: int | None = None  # the epoch that ended at the highest learning rate (None: not recorded)


def curve_summary(name: str, history: History) -> CurveSummary:
    """The last validation mIoU against the one a quarter of the epochs earlier, the best mIoU, and the lowest and
    last validation loss."""
    epochs = len(history)
    window = min(epochs - 1, max(2, epochs // 4))  # a quarter of the epochs, 2 at least; 0 after one epoch
    start = history.val_miou[-1 - window] if window else float("nan")
    lowest = min(range(epochs), key=lambda i: history.val_loss[i])
    loss = history.val_loss
    jumps = tuple(i + 1 for i in range(1, epochs - 1) if loss[i] > JUMP * loss[i - 1] and loss[i + 1] < loss[i])
    peak = max(range(epochs), key=lambda i: history.lr[i]) + 1 if len(history.lr) == epochs else None
    return CurveSummary(name, epochs, window, start, history.val_miou[-1], max(history.val_miou), history.best_epoch,
                        loss[lowest], lowest + 1, loss[-1], jumps, peak)


def curve_table(summaries: list[CurveSummary]) -> str:
    """The numbers behind the report's reading of the curves, one row per model (the trend: its last epochs)."""
    return markdown_table([{"model": s.name, "epochs": s.epochs,
                            "trend read over": f"last {epochs_text(s.window)}" if s.window else "-",
                            "val mIoU at the trend's start":
                                "-" if math.isnan(s.start_val_miou) else f"{s.start_val_miou:.3f}",
                            "val mIoU, last": f"{s.last_val_miou:.3f}",
                            "best val mIoU (epoch)": f"{s.best_val_miou:.3f} ({s.best_epoch})",
                            "lowest val loss (epoch)": f"{s.lowest_val_loss:.3f} ({s.lowest_loss_epoch})",
                            "last val loss": f"{s.last_val_loss:.3f}",
                            "val loss jumps (epoch)": ", ".join(f"{epoch} (lr peak)" if epoch == s.peak_lr_epoch
                                                                else str(epoch) for epoch in s.jumps) or "-",
                            "peak learning rate (epoch)": s.peak_lr_epoch or "-"} for s in summaries])


def still_rising(summary: CurveSummary) -> bool:
    """Whether validation mIoU rose by more than RISE over the last quarter of the epochs and is best at the last
    epoch: not levelled off."""
    s = summary
    return bool(s.window) and s.best_epoch == s.epochs and s.last_val_miou - s.start_val_miou > RISE


# ----------------------------------------------------------------------------- comparisons


def comparison_table(comparisons: list[Comparison]) -> str:
    """One row per comparison: the measure, both models' value of it, the frame-level and sequence-level tests,
    Holm's p and the verdict."""
    return markdown_table([{
        "comparison": c.topic, "measure": c.measure, "model": c.first.name, "score": f"{c.compared()[0]:.3f}",
        "against": c.second.name, "its score": f"{c.compared()[1]:.3f}", "difference": f"{c.test.difference:+.3f}",
        "frame p": p_text(c.test.p_value).removeprefix("p = "),
        "sequences better": f"{c.sequences.first_better} of {c.sequences.sequences}",
        "sequence p": p_text(c.sequences.p_value).removeprefix("p = "),
        "Holm p": p_text(c.adjusted_p).removeprefix("p = "), "verdict": c.verdict} for c in comparisons])


CLASS_MARGIN = 0.01  # per-class IoU closer than this counts as level, as the mIoU margin of the verdicts


def class_changes(comparison: Comparison, classes: list[str], margin: float = CLASS_MARGIN) -> dict[str, list[str]]:
    """The classes whose test IoU (to three decimals) is higher or lower for the first model by at least margin,
    and those level (within it)."""
    differences = [round(a, 3) - round(b, 3) for a, b in zip(comparison.first.iou, comparison.second.iou, strict=True)]
    level = margin - 1e-9  # a difference of exactly the margin, as printed, counts
    return {"higher": [name for name, d in zip(classes, differences, strict=True) if d > level],
            "lower": [name for name, d in zip(classes, differences, strict=True) if d < -level],
            "level": [name for name, d in zip(classes, differences, strict=True) if abs(d) <= level]}


def outcome(comparison: Comparison) -> str:
    """A comparison's verdict with its difference, e.g. 'better (+0.135 mIoU)'."""
    return f"{comparison.verdict} ({comparison.test.difference:+.3f} {comparison.measure})"


def class_change_table(comparisons: list[Comparison], classes: list[str]) -> str:
    """For each comparison, the classes whose test IoU the first model raises, lowers or leaves level (within
    CLASS_MARGIN)."""
    rows = []
    for c in comparisons:
        split = class_changes(c, classes)
        rows.append({"comparison": c.topic, "verdict": c.verdict,
                     "classes higher": f"{len(split['higher'])} of {len(classes)}",
                     "lower": ", ".join(split["lower"]) or "-",
                     f"within {CLASS_MARGIN:g}": ", ".join(split["level"]) or "-"})
    return markdown_table(rows)


DRIFT_SMALL = 0.25  # a learnt upsampling this close (relative change) to its bilinear start upsamples alike


# ----------------------------------------------------------------------------- per class and confusions


def confusion_table(scores: list[SegScores], classes: list[str], top: int = 3) -> str:
    """Each model's `top` largest confusions: the share of a true class's pixels given to another class."""
    return markdown_table([{"model": s.name, "true class": classes[c.truth], "labelled as": classes[c.predicted],
                            "share of the true class": f"{c.share:.3f}"}
                           for s in scores for c in largest_confusions(s.confusion, top)])


def weight_table(weighted: SegScores, unweighted: SegScores, classes: list[str], rare: list[int]) -> str:
    """Precision, recall and IoU of each rare class, and the mIoU, of a model trained with the class-weighted loss
    and its twin trained without the weights."""
    def cells(k: int | None) -> dict[str, str]:
        row = {"class": "all classes (mIoU)" if k is None else classes[k]}
        for label, model in (("weighted", weighted), ("unweighted", unweighted)):
            row[f"precision, {label}"] = "" if k is None else f"{model.precision[k]:.3f}"
            row[f"recall, {label}"] = "" if k is None else f"{model.recall[k]:.3f}"
            row[f"IoU, {label}"] = f"{model.miou:.3f}" if k is None else f"{model.iou[k]:.3f}"
        return row

    return markdown_table([cells(k) for k in rare] + [cells(None)])


# ----------------------------------------------------------------------------- boundaries


@dataclass(frozen=True)
class Leader:
    """A run of distance bins in which one model is the most accurate."""

    name: str
    start: float  # px, the first bin's left edge
    end: float | None  # px, the next run's first edge; None: to the farthest pixels
    pixel_share: float  # of all test pixels
    accuracy: dict[str, float]  # each model's pooled accuracy over the run's pixels


def leaders(scores: dict[str, BoundaryScores]) -> list[Leader]:
    """The most accurate model in each non-empty distance bin, runs of the same model merged."""
    first = next(iter(scores.values()))
    runs: list[tuple[str, list[int]]] = []
    for i in range(len(first.distances)):
        if first.pixels_by_distance[i] == 0:
            continue
        best = max(scores, key=lambda name: scores[name].accuracy_by_distance[i])
        if runs and runs[-1][0] == best:
            runs[-1][1].append(i)
        else:
            runs.append((best, [i]))
    result = []
    for index, (name, bins) in enumerate(runs):
        pixels = first.pixels_by_distance[bins]
        pooled = {model: float((s.accuracy_by_distance[bins] * pixels).sum() / pixels.sum()) for model, s in
                  scores.items()}
        end = float(first.distances[runs[index + 1][1][0]]) if index + 1 < len(runs) else None
        result.append(Leader(name, float(first.distances[bins[0]]), end, float(first.pixel_share[bins].sum()),
                             pooled))
    return result


def leader_table(runs: list[Leader]) -> str:
    """The runs of distance bins of boundary_curve_finding: the leader, the pixels, each model's pooled accuracy."""
    return markdown_table([{"distance (px)": _span(run).removeprefix("from "), "most accurate": run.name,
                            "share of test pixels": f"{run.pixel_share:.1%}",
                            **{name: f"{value:.3f}" for name, value in run.accuracy.items()}} for run in runs])


def distance_table(scores: dict[str, BoundaryScores]) -> str:
    """Each distance bin: its test pixels, their share, and each model's accuracy ('-' for an empty bin)."""
    first = next(iter(scores.values()))
    edges = [*first.distances[1:], None]
    return markdown_table([{"distance (px)": f"{first.distances[i]:g}" + (f"–{edges[i]:g}" if edges[i] is not None
                                                                          else " or more"),
                            "test pixels": f"{int(first.pixels_by_distance[i]):,}",
                            "share": f"{first.pixel_share[i]:.1%}",
                            **{name: "-" if first.pixels_by_distance[i] == 0 else f"{s.accuracy_by_distance[i]:.3f}"
                               for name, s in scores.items()}} for i in range(len(first.distances))])


def _span(leader: Leader) -> str:
    return f"from {leader.start:g} px on" if leader.end is None else f"from {leader.start:g} to {leader.end:g} px"


def boundary_curve_finding(runs: list[Leader]) -> str:
    """Which model is the most accurate at which distance from a true boundary (leaders), with the pixels there."""
    if not runs:
        return "- **Boundary curve:** no test pixel lies in the distance bins."
    if len(runs) == 1:
        return f"- **Boundary curve:** *{runs[0].name}* leads at every distance."
    last, near = runs[-1], runs[0]
    text = f"- **Boundary curve:** *{near.name}* leads {_span(near)} ({near.pixel_share:.1%} of the pixels)"
    if len(runs) > 2:
        text += f"; the lead changes {len(runs) - 1} times"
    if last.name != near.name:
        text += (f"; from {last.start:g} px on, *{last.name}* leads ({last.accuracy[last.name]:.3f} against "
                 f"{last.accuracy[near.name]:.3f}) on " + ("only " if last.pixel_share < 0.1 else "")
                 + f"{last.pixel_share:.1%}")
    return text + "."


def far_labels(confusions: dict[str, torch.Tensor]) -> tuple[int, float, dict[str, np.ndarray]]:
    """Of pixels far from any boundary (boundaries.far_confusion, one matrix per model): the true class holding the
    most of them, its share of them, and each model's labels for it (shares of that class's pixels)."""
    first = next(iter(confusions.values())).double()
    dominant = int(first.sum(1).argmax())
    share = float(first[dominant].sum() / first.sum()) if first.sum() > 0 else 0.0
    labelled = {name: (matrix[dominant].double() / max(float(matrix[dominant].sum()), 1.0)).numpy()
                for name, matrix in confusions.items()}
    return dominant, share, labelled


def far_table(labelled: dict[str, np.ndarray], dominant: int, classes: list[str], caption: str,
              min_share: float = 0.05) -> str:
    """far_labels' result as a captioned table: each model's labels for the dominant true class (those reaching
    min_share in some model)."""
    shown = [k for k in range(len(classes)) if max(labels[k] for labels in labelled.values()) >= min_share]
    shown.sort(key=lambda k: (k != dominant, -max(labels[k] for labels in labelled.values())))
    return (f"{caption}: the {classes[dominant]} pixels, labelled\n\n"
            + markdown_table([{"model": name, **{f"as {classes[k]}": f"{labels[k]:.1%}" for k in shown}}
                              for name, labels in labelled.items()]))


def share_text(value: float) -> str:
    """A pixel share as a percentage, with a third decimal where two would print a non-zero share as 0.00%."""
    return f"{value:.3%}" if 0 < value < 0.0001 else f"{value:.2%}"


def share_table(shares: dict[str, np.ndarray], classes: list[str]) -> str:
    """The share of the test pixels labelled each class: the truth and each model (rows), one column per class."""
    return markdown_table([{"labels": name, **{c: share_text(row[k]) for k, c in enumerate(classes)}}
                           for name, row in shares.items()])


# ----------------------------------------------------------------------------- window, speed, tiles


def full_resolution_label(height: int) -> str:
    """What the accuracy of a prediction made at `height` rows and enlarged to full size measures."""
    return f"the enlarged {height}-row prediction's pixel accuracy at full resolution"


# regions per image against the truth's: below BLOBS, coarse blobs; below MERGED, some objects merged; above SPLIT,
# some regions split; above SPECKLED, speckle
BLOBS, MERGED, SPLIT, SPECKLED = 0.5, 0.8, 1.25, 1.5


def fragmentation(count: float, truth: float) -> str:
    """How a prediction's regions per image compare with the truth's: coarse blobs, some objects merged, about
    alike, some regions split, or speckle."""
    ratio = count / truth if truth else float("nan")
    if ratio < BLOBS:
        return "merges objects into coarse blobs"
    if ratio < MERGED:
        return "merges some objects"
    if ratio > SPECKLED:
        return "breaks regions into speckle"
    if ratio > SPLIT:
        return "splits some regions"
    return "about as fragmented as the truth"


def region_table(regions: dict[str, float], truth: float, labels: str = "labels") -> str:
    """Mean connected regions per image of each prediction, their ratio to the truth's, and what that ratio says
    (fragmentation)."""
    return markdown_table([{labels: "ground truth", "regions per image": f"{truth:.1f}", "against truth": "1.00",
                            "reads as": "-"}]
                          + [{labels: name, "regions per image": f"{count:.1f}",
                              "against truth": f"{count / truth:.2f}" if truth else "-",
                              "reads as": fragmentation(count, truth)} for name, count in regions.items()])


