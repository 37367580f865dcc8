"""Findings of Tasks 2 and 3, written from the run's numbers: each sentence that depends on a number is computed
from it and stated only where its condition holds, so a run on other data (few frames, one test sequence, empty
distance bins) states what that run measured. Statistics are computed first (records); these functions word them.
"""
import math
from dataclasses import dataclass

from .boundaries import BoundaryScores
from .findings import _list, epochs_text, p_text
from .metrics import largest_confusions
from .report import markdown_table
from .results import Comparison, History, SegScores
from .segmentation import MIOU_MARGIN

RARE_SHARE = 0.02  # a class below this share of the training pixels is called rare
EVEN = 0.02  # accuracies closer than this are "about even"

# Why the first model of each comparison can be better: said only where its verdict is "better".
SEG_MECHANISMS = {
    "Upsampling": "A transposed convolution can learn a sharper blend of the 1/16 scores than bilinear interpolation.",
    "Skip connections": "Skips hand the decoder 1/2 to 1/8 features, with the edges the 1/16 level lost.",
    "U-Net against FCN": "The U-Net labels at full resolution from its decoder; the FCN stretches a 1/16 score grid.",
    "Training length": "More crops, and more low-rate steps at the schedule's end.",
    "Window against FCN": "Each window sees its pixel at full resolution; the FCN interpolates a 1/16 grid.",
}

# Plausible causes of confusing two classes, keyed by (true class, predicted class); "*": any predicted class.
KNOWN_CAUSES = {
    ("static car", "moving car"): "the same shape and colour; motion shows at most as blur",
    ("moving car", "static car"): "the same shape and colour; motion shows at most as blur",
    ("moving car", "road"): "small, and on the road",
    ("tree", "low vegetation"): "both green; height is hard to see obliquely",
    ("low vegetation", "tree"): "both green; height is hard to see obliquely",
    ("human", "*"): "a few pixels wide",
}


def relative_speed(seconds: float, other_seconds: float) -> str:
    """How something that takes `seconds` compares with something that takes `other_seconds`: '957 times faster',
    '1.3 times slower', 'about as fast' (one decimal below 10 times)."""
    ratio = other_seconds / seconds
    factor, word = (ratio, "faster") if ratio >= 1 else (1 / ratio, "slower")
    shown = f"{factor:.0f}" if factor >= 10 else f"{factor:.1f}"
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
    return (f"Rare (under {RARE_SHARE:.0%}): {_list(rare)}, yet each counts in mIoU like building"
            + ("; larger loss weights aim to lift them (see 3.2)." if weighted else "."))


PAST_BEST = 0.015  # val mIoU this far below its best: past it (less is noise of the sampled validation images)
RISE = 0.01  # validation mIoU "still rising": up by more than this over the last quarter of the epochs
LOSS_RISE = 0.05  # validation loss "up from its lowest": more than this share above its minimum
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
    """The numbers curve_finding words, one row per model."""
    return markdown_table([{"model": s.name, "epochs": s.epochs, "last epochs": s.window or "-",
                            "val mIoU before them": "-" if math.isnan(s.start_val_miou) else f"{s.start_val_miou:.3f}",
                            "val mIoU, last": f"{s.last_val_miou:.3f}",
                            "best val mIoU (epoch)": f"{s.best_val_miou:.3f} ({s.best_epoch})",
                            "lowest val loss (epoch)": f"{s.lowest_val_loss:.3f} ({s.lowest_loss_epoch})",
                            "last val loss": f"{s.last_val_loss:.3f}",
                            "val loss jumps (epoch)": ", ".join(map(str, s.jumps)) or "-",
                            "peak learning rate (epoch)": s.peak_lr_epoch or "-"} for s in summaries])


def still_rising(summary: CurveSummary) -> bool:
    """Whether validation mIoU rose by more than RISE over the last quarter of the epochs and peaked in its last two
    (a curve that peaked earlier and stayed near its best has levelled off)."""
    s = summary
    return bool(s.window) and s.best_epoch >= s.epochs - 1 and s.last_val_miou - s.start_val_miou > RISE


def curve_finding(summary: CurveSummary) -> str:
    """Whether validation mIoU still rose over the last quarter of the epochs, and whether validation loss rose
    from its lowest (overfitting)."""
    s = summary
    if not s.window:
        trend = f"no trend after {epochs_text(s.epochs)}"
    elif s.best_val_miou - s.last_val_miou > PAST_BEST:
        trend = f"val mIoU past its best (epoch {s.best_epoch})"
    elif still_rising(s):
        trend = f"val mIoU still rising over the last {epochs_text(s.window)}"
    elif s.best_epoch >= s.epochs - s.window:
        trend = f"val mIoU levelled off near its best (epoch {s.best_epoch})"
    else:
        trend = f"val mIoU flat over the last {epochs_text(s.window)}"
    if s.last_val_loss > s.lowest_val_loss * (1 + LOSS_RISE):
        fit = f"val loss up from its lowest (epoch {s.lowest_loss_epoch}): overfitting"
    else:
        fit = "val loss near its lowest: no overfitting"
    text = f"- *{s.name}*: {trend}; {fit}."
    def epochs(group: list[int]) -> str:
        return f"epoch{'s' if len(group) > 1 else ''} {_list([str(epoch) for epoch in group])}"

    at_peak = [epoch for epoch in s.jumps if s.peak_lr_epoch is not None and abs(epoch - s.peak_lr_epoch) <= 1]
    others = [epoch for epoch in s.jumps if epoch not in at_peak]
    if at_peak:
        text += f" Val loss jumps beside the peak learning rate ({epochs(at_peak)}), then recovers."
    if others:
        text += f" One-epoch jumps in val loss ({epochs(others)}): noise, not a trend."
    return text


# ----------------------------------------------------------------------------- comparisons


def comparison_table(comparisons: list[Comparison]) -> str:
    """One row per comparison: both mIoUs, the frame-level and sequence-level tests, Holm's p and the verdict."""
    return markdown_table([{
        "comparison": c.topic, "model": c.first.name, "mIoU": f"{c.first.miou:.3f}", "against": c.second.name,
        "its mIoU": f"{c.second.miou:.3f}", "difference": f"{c.test.difference:+.3f}",
        "frame p": p_text(c.test.p_value).removeprefix("p = "),
        "sequences better": f"{c.sequences.first_better} of {c.sequences.sequences}",
        "sequence p": p_text(c.sequences.p_value).removeprefix("p = "),
        "Holm p": p_text(c.adjusted_p).removeprefix("p = "), "verdict": c.verdict} for c in comparisons])


def _exceptions(lower: list[str], tied: list[str]) -> str:
    """' (building lower; human tied)': the classes a 'higher for N of 8' leaves out, or ''."""
    parts = ([f"{_list(lower)} lower"] if lower else []) + ([f"{_list(tied)} tied"] if tied else [])
    return f" ({'; '.join(parts)})" if parts else ""


UNCONTROLLED = ("Window against FCN", "U-Net against FCN")  # comparisons that change more than one thing
DRIFT_SMALL = 0.25  # a learnt upsampling this close (relative change) to its bilinear start upsamples alike


def comparison_finding(comparison: Comparison, classes: list[str], budgets: dict[str, str] | None = None,
                       drift: float | None = None, rising: tuple[str, ...] = ()) -> str:
    """A comparison's verdict, its classes, and its mechanism where the verdict is better or worse; a frame-level
    difference the sequence test cannot confirm; for UNCONTROLLED comparisons, the parameter counts and budgets
    (budgets: each model's training budget, as printed) that differ too; for "Upsampling" without a detectable
    difference, how far the transposed convolution moved from its bilinear start (drift: relative change of its
    weights); `rising`: the models whose validation mIoU was still rising (still_rising), named where an uncontrolled
    comparison finds them behind."""
    c = comparison
    higher = [name for i, name in enumerate(classes) if round(c.first.iou[i], 3) > round(c.second.iou[i], 3)]
    lower = [name for i, name in enumerate(classes) if round(c.first.iou[i], 3) < round(c.second.iou[i], 3)]
    tied = [name for i, name in enumerate(classes) if round(c.first.iou[i], 3) == round(c.second.iou[i], 3)]
    text = f"- **{c.topic}:** {c.verdict} (Holm {p_text(c.adjusted_p)})"
    if c.verdict == "no detectable difference":
        text += "."
    else:
        text += (", higher for all " if len(higher) == len(classes) else f", higher for {len(higher)} of ") + (
            f"{len(classes)} classes" + _exceptions(lower, tied) + ".")
    if c.sequences.sequences < 2:
        text += f" Only {count_text(c.sequences.sequences, 'test sequence')}: no sequence-level test."
    elif c.verdict == "no detectable difference" and c.test.p_value < 0.05:
        confirm = (f"it is under the {MIOU_MARGIN:g} mIoU that CPU or number format alone moves" if c.adjusted_p < 0.05
                   else f"with {count_text(c.sequences.sequences, 'sequence')} the sequence test cannot confirm it"
                   if c.sequences.p_value >= 0.05 else "Holm's adjustment does not confirm it")
        text += (f" The frame test finds {c.test.difference:+.3f} mIoU (higher on {c.sequences.first_better} of "
                 f"{c.sequences.sequences} sequences), but {confirm}.")
    if c.verdict == "better" and c.topic in SEG_MECHANISMS:
        text += f" {SEG_MECHANISMS[c.topic]}"
    elif c.verdict == "worse":
        text += " This goes against the design, on these test images."
    if c.topic in UNCONTROLLED:
        more = "more" if c.first.parameters > c.second.parameters else "fewer"
        text += f" Uncontrolled: {more} parameters too ({c.first.parameters:,} against {c.second.parameters:,})"
        first, second = (budgets or {}).get(c.first.name), (budgets or {}).get(c.second.name)
        text += " and another training budget (2.7)." if first and second and first != second else "."
        behind = c.second.name if c.verdict == "better" else c.first.name
        if c.verdict != "no detectable difference" and behind in rising and first and second and first != second:
            text += f" *{behind}* was still improving (3.1): part of the gap may be its short training."
    if c.topic == "Upsampling" and c.verdict == "no detectable difference" and drift is not None:
        if drift < DRIFT_SMALL:
            text += (f" The learnt kernels stayed near bilinear (relative change {drift:.3f}), so both FCNs upsample "
                     "alike.")
        else:
            text += (f" Its kernels left bilinear (relative change {drift:.3f}), yet both FCNs blend the same 1/16 "
                     "scores.")
    return text


# ----------------------------------------------------------------------------- per class and confusions


def class_extremes_finding(scores: list[SegScores], classes: list[str], frequency: list[float]) -> str:
    """Each model's worst class by IoU (one name where all share it), and whether those classes are rare."""
    worst = {s.name: min(range(len(classes)), key=lambda i: s.iou[i]) for s in scores}
    if len(set(worst.values())) == 1:
        shared = classes[next(iter(worst.values()))]
        text = f"{'Both models are' if len(scores) == 2 else 'Every model is'} worst on {shared}"
    else:
        text = "Worst classes: " + "; ".join(f"*{name}*, {classes[index]}" for name, index in worst.items())
    rare = all(frequency[index] < RARE_SHARE for index in worst.values())
    return text + (": rare, with few pixels to learn from." if rare else ".")


def confusion_table(scores: list[SegScores], classes: list[str], top: int = 3) -> str:
    """Each model's `top` largest confusions: the share of a true class's pixels given to another class."""
    return markdown_table([{"model": s.name, "true class": classes[c.truth], "labelled as": classes[c.predicted],
                            "share of the true class": f"{c.share:.3f}"}
                           for s in scores for c in largest_confusions(s.confusion, top)])


def known_cause(truth: str, predicted: str) -> str | None:
    """The cause of KNOWN_CAUSES for a pair of classes, or None."""
    return KNOWN_CAUSES.get((truth, predicted), KNOWN_CAUSES.get((truth, "*")))


def confusions_finding(scores: list[SegScores], classes: list[str], top: int = 3) -> str:
    """The models' `top` largest confusions (as confusion_table lists them), each pair once with its cause where
    one is known: first those every model makes, then each model's own."""
    pairs = {s.name: [(c.truth, c.predicted) for c in largest_confusions(s.confusion, top)] for s in scores}
    first = pairs[scores[0].name]
    shared = [pair for pair in first if all(pair in own for own in pairs.values())] if len(scores) > 1 else []

    def phrase(pair: tuple[int, int]) -> str:
        cause = known_cause(classes[pair[0]], classes[pair[1]])
        return f"{classes[pair[0]]} as {classes[pair[1]]}" + (f" ({cause})" if cause else "")

    lines = [f"- {'Both' if len(scores) == 2 else 'All'} models: " + "; ".join(map(phrase, shared)) + "."] if shared \
        else []
    for s in scores:
        own = [pair for pair in pairs[s.name] if pair not in shared]
        if own:
            lines.append(f"- *{s.name}*{' also' if shared else ''}: " + "; ".join(map(phrase, own)) + ".")
        elif not pairs[s.name]:
            lines.append(f"- *{s.name}* confuses no class with another.")
    return "\n".join(lines)


def rare_recall_finding(scores: list[SegScores], rare: list[int]) -> str:
    """What the rare-class zooms show, in numbers: the range of each model's recall over the rare classes."""
    def span(values: list[float]) -> str:
        low, high = f"{min(values):.3f}", f"{max(values):.3f}"
        return low if low == high else f"{low} to {high}"

    recalls = ", ".join(f"{span([s.recall[k] for k in rare])} for *{s.name}*" for s in scores)
    return f"- **Rare classes:** test-split recall {recalls}; the zooms show examples."


def weight_shift_table(weighted: SegScores, shifted: SegScores, classes: list[str], rare: list[int]) -> str:
    """Precision, recall and IoU of each rare class, and the mIoU, as trained (class-weighted loss) and with the
    weights undone."""
    def cells(k: int | None) -> dict[str, str]:
        row = {"class": "all classes (mIoU)" if k is None else classes[k]}
        for label, model in (("as trained", weighted), ("weights undone", shifted)):
            row[f"precision, {label}"] = "" if k is None else f"{model.precision[k]:.3f}"
            row[f"recall, {label}"] = "" if k is None else f"{model.recall[k]:.3f}"
            row[f"IoU, {label}"] = f"{model.miou:.3f}" if k is None else f"{model.iou[k]:.3f}"
        return row

    return markdown_table([cells(k) for k in rare] + [cells(None)])


def weight_shift_finding(weighted: SegScores, shifted: SegScores, classes: list[str], rare: list[int]) -> str:
    """Whether the class weights trade precision for recall on the rare classes: the same network's scores with
    -ln w_c added (inference.ShiftedScores) against them as trained, as weight_shift_table prints them."""
    traded = [k for k in rare if round(shifted.precision[k], 3) > round(weighted.precision[k], 3)
              and round(shifted.recall[k], 3) < round(weighted.recall[k], 3)]
    change = round(shifted.miou, 3) - round(weighted.miou, 3)
    small = f"; under 2.6's {MIOU_MARGIN:g} margin" if abs(change) < MIOU_MARGIN else ""
    text = (f"**Class weights** undone (scores minus $\\ln w_c$; approximate): the mIoU of "
            f"*{weighted.name}* goes from {weighted.miou:.3f} to {shifted.miou:.3f} (untested{small})")
    costly = change >= MIOU_MARGIN
    if traded:
        text += (f", and recall falls while precision rises for {len(traded)} of {len(rare)} rare classes: the weights "
                 "buy recall with precision" + (", here at a cost in mIoU" if costly else ""))
        gained = [k for k in rare if round(shifted.iou[k], 3) > round(weighted.iou[k], 3)]
        text += f", and undone, IoU rises for {len(gained)} of {len(rare)}." if gained else "."
    else:
        text += "; no rare class trades recall for precision" + (", and the weights cost mIoU." if costly else ".")
    return text


# ----------------------------------------------------------------------------- boundaries


def band_error_finding(error_shares: dict[str, float], band: BoundaryScores) -> str:
    """Where the errors lie: in the band, against the band's share of all pixels."""
    low, high = min(error_shares.values()), max(error_shares.values())
    text = f"- **Errors along outlines:** {low:.1%} to {high:.1%} of each model's errors lie in the band's " \
        f"{band.band_share:.1%} of the pixels"
    if low > band.band_share:
        return text + (": most near outlines, where neighbourhoods mix classes."
                       if low > 0.5 else ": errors gather near outlines, where neighbourhoods mix classes.")
    return text + "."


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


# ----------------------------------------------------------------------------- window, speed, tiles


def crop_finding(regions: dict[str, float], truth: float, window: str, fcn: str) -> str:
    """What the sliding-window figure shows, by its region counts: which labelling draws more regions, and why where
    the window classifier does (counts, not regions matched to the truth)."""
    if not truth or regions[window] == regions[fcn]:
        return ""
    if regions[window] > regions[fcn]:
        return (f"The window draws {regions[window]:.0f} regions against the FCN's {regions[fcn]:.0f} (truth: "
                f"{truth:.0f}): the FCN's 1/16 grid merges small objects.")
    return (f"The FCN draws {regions[fcn]:.0f} regions against the window's {regions[window]:.0f} (truth: "
            f"{truth:.0f}).")


def full_resolution_label(height: int) -> str:
    """What the accuracy of a prediction made at `height` rows and enlarged to full size measures."""
    return f"the enlarged {height}-row prediction's pixel accuracy at full resolution"


def tiled_finding(agreement: float) -> str:
    """The tiled prediction against one pass (the share of pixels that agree, as the cell prints it)."""
    seams = "blending leaves no seams" if agreement >= 0.999 else "tile edges see less context"
    return f"Tiles match one pass on {agreement:.4%} of the pixels: {seams}."


def band_gain_finding(first: str, second: str, band_miou: dict[str, float], overall_miou: dict[str, float]) -> str:
    """Whether `first` (e.g. with skips) gains more mIoU over `second` in the boundary band than over all pixels
    (the mIoUs as the boundary table prints them)."""
    band = round(band_miou[first], 3) - round(band_miou[second], 3)
    overall = round(overall_miou[first], 3) - round(overall_miou[second], 3)
    where = "larger in the band (untested)" if band > overall + 1e-9 else "not larger in the band"
    return f"- **Skips at boundaries:** band mIoU {band:+.3f} against {overall:+.3f} overall: {where}."


MERGED, SPECKLED = 0.8, 1.25  # regions per image against the truth's: below, coarse blobs; above, speckle


def _fragments(count: float, truth: float) -> str:
    ratio = count / truth if truth else float("nan")
    if ratio < MERGED:
        return "merges objects into coarse blobs"
    if ratio > SPECKLED:
        return "breaks regions into speckle"
    return "about as fragmented as the truth"


def region_table(regions: dict[str, float], truth: float, labels: str = "labels") -> str:
    """Mean connected regions per image of each prediction, their ratio to the truth's, and what that ratio says
    (below MERGED: coarse blobs; above SPECKLED: speckle)."""
    return markdown_table([{labels: "ground truth", "regions per image": f"{truth:.1f}", "against truth": "1.00",
                            "reads as": "-"}]
                          + [{labels: name, "regions per image": f"{count:.1f}",
                              "against truth": f"{count / truth:.2f}" if truth else "-",
                              "reads as": _fragments(count, truth)} for name, count in regions.items()])


def region_finding(regions: dict[str, float], truth: float, coarse: set[str] = frozenset()) -> str:
    """What the predictions figure shows, by region_table's ratios: which models merge objects into blobs and which
    break regions into speckle, with the reason where the groups split by design (coarse: the models that label from
    coarse features alone, without a full-resolution path)."""
    reading = {name: _fragments(count, truth) for name, count in regions.items()}
    blobs = [name for name, words in reading.items() if words == "merges objects into coarse blobs"]
    speckle = [name for name, words in reading.items() if words == "breaks regions into speckle"]

    def named(group: list[str]) -> str:
        return _list([f"*{name}*" for name in group])

    parts = []
    if blobs:
        parts.append(f"{named(blobs)} paint{'' if len(blobs) > 1 else 's'} coarse blobs"
                     + (", labelling from coarse features alone" if set(blobs) <= set(coarse) else ""))
    if speckle:
        parts.append(f"{named(speckle)} follow{'' if len(speckle) > 1 else 's'} outlines but "
                     f"break{'' if len(speckle) > 1 else 's'} regions into speckle"
                     + (": fine features bring edges and texture alike"
                        if coarse and not set(speckle) & set(coarse) else ""))
    if not parts:
        return "- **Predictions:** every model is about as fragmented as the truth."
    return "- **Predictions:** " + "; ".join(parts) + "."


def far_finding(runs: list[Leader], regions: dict[str, float], truth: float, with_skips: str,
                without_skips: str) -> str:
    """Why the U-Net without skips can lead far from any boundary (the last of the boundary curve's runs): said
    only where it leads there, the U-Net with skips leads nearer, and their regions (region_table) read as blobs
    and speckle. Otherwise ''."""
    if len(runs) < 2 or runs[-1].name != without_skips or runs[0].name != with_skips \
            or not {with_skips, without_skips} <= set(regions) or not truth:
        return ""
    blobs, speckle = regions[without_skips] / truth, regions[with_skips] / truth
    if not (blobs < MERGED and speckle > SPECKLED):
        return ""
    return (f"- **Far from outlines** ({runs[-1].pixel_share:.1%} of the pixels) the no-skip U-Net leads: its blobs "
            "fill large regions, where speckle scatters errors (untested).")
