"""Tasks 2 and 3's readings: the report's sentences on the curves, predictions and comparisons, each stated only
where this run's numbers bear it out, with the mechanism said only where the result it explains occurred."""
from dataclasses import dataclass

import numpy as np

from .findings import LOSS_RISE, capital, epochs_text, expected, join_and, rose, stated
from .metrics import largest_confusions
from .results import Comparison, SegScores
from .seg_findings import (
    BLOBS,
    DRIFT_SMALL,
    PAST_BEST,
    RARE_SHARE,
    RISE,
    SPECKLED,
    CurveSummary,
    Leader,
    boundary_curve_finding,
    outcome,
    relative_speed,
    still_rising,
)

PAST = {"better": "beat", "worse": "lost to", "no detectable difference": "did not differ detectably from"}

# Causes of the confusions the course names, by (true class, labelled as); described, not measured
CAUSES = {("static car", "moving car"): "alike in one frame; motion shows only as blur",
          ("moving car", "static car"): "alike in one frame; motion shows only as blur",
          ("moving car", "road"): "small, and on the road",
          ("tree", "low vegetation"): "both green; height is hard to see obliquely",
          ("low vegetation", "tree"): "both green; height is hard to see obliquely"}


def _trend(curve: CurveSummary) -> str:
    if not curve.window:
        return "has one epoch, so no trend"
    rise = f"up {curve.start_val_miou:.3f} → {curve.last_val_miou:.3f} over the last {epochs_text(curve.window)}"
    if still_rising(curve):
        return rise + ": not levelled off"
    if curve.last_val_miou - curve.start_val_miou > RISE and curve.best_epoch == curve.epochs - 1:
        return rise + f" (best {curve.best_val_miou:.3f}, epoch {curve.best_epoch})"  # too close to call
    if curve.best_val_miou - curve.last_val_miou > PAST_BEST:
        return f"peaked at epoch {curve.best_epoch} and fell back"
    return f"levelled off near its best (epoch {curve.best_epoch})" + (
        ", as the learning rate anneals" if curve.peak_lr_epoch and curve.peak_lr_epoch < curve.epochs else "")


def curve_lines(curves: list[CurveSummary]) -> list[str]:
    """One line per model: the validation mIoU's trend, overfitting and one-epoch loss jumps."""
    lines, overfitting = [], []
    for curve in curves:
        overfits = rose(curve.last_val_loss, curve.lowest_val_loss)
        overfitting += [curve.name] if overfits else []
        text = (f"- *{curve.name}*: val mIoU {_trend(curve)}"
                + (f"; val loss up from its lowest (epoch {curve.lowest_loss_epoch}): overfitting." if overfits
                   else "."))
        lines.append(text)
    if not overfitting:
        lines.append(f"- No validation loss ends {LOSS_RISE:.0%} above its lowest: no overfitting.")
    return lines


def class_lines(scores: list[SegScores], frequency: list[float], classes: list[str]) -> list[str]:
    """The lowest-scoring class of each model, and each model's three largest confusions with their cause."""
    every_model = "Both models" if len(scores) == 2 else f"All {len(scores)} models"
    worst = {s.name: classes[min(range(len(classes)), key=lambda index: s.iou[index])] for s in scores}
    rare_worst = all(frequency[classes.index(name)] < RARE_SHARE for name in worst.values())
    lines = [(f"- {every_model} score lowest on " + next(iter(worst.values())) if len(set(worst.values())) == 1 else
              "- Lowest class: " + "; ".join(f"*{model}*, {name}" for model, name in worst.items()))
             + (": rare, with few pixels to learn from." if rare_worst else ", not rare.")]
    confused = {s.name: [(classes[cell.truth], classes[cell.predicted])  # its 3 largest shares given to another class
                         for cell in largest_confusions(s.confusion, 3)] for s in scores}
    shared = [pair for pair in next(iter(confused.values())) if all(pair in pairs for pairs in confused.values())]
    own = {f"*{name}*{' also' if shared else ''}": [pair for pair in pairs if pair not in shared]
           for name, pairs in confused.items()}
    explained = set()  # each cause is given once, at its first mention
    for label, pairs in {every_model: shared, **own}.items():
        named = []
        for true_class, labelled_as in pairs:
            cause = CAUSES.get((true_class, labelled_as), "a few pixels wide" if true_class == "human" else "")
            named.append(f"{true_class} as {labelled_as}" + (f" ({cause})" if cause and cause not in explained else ""))
            explained.add(cause)
        if named:
            lines.append(f"- {label} label{'s' if label != every_model else ''} {'; '.join(named)}.")
    return lines


def prediction_lines(regions: dict[str, float], truth_regions: float, coarse_only: set[str]) -> list[str]:
    """What the predictions figure shows, by connected regions per image: coarse blobs and speckle (coarse_only: the
    models without a full-resolution path)."""
    blobs = [name for name, count in regions.items() if count < BLOBS * truth_regions]
    speckle = [name for name, count in regions.items() if count > SPECKLED * truth_regions]
    lines = []
    if blobs:
        lines.append(f"- **Predictions:** {join_and([f'*{name}*' for name in blobs])} "
                     f"paint{'' if len(blobs) > 1 else 's'} coarse blobs{expected(set(blobs) <= coarse_only)}.")
    if speckle:
        lines.append(f"- {join_and([f'*{name}*' for name in speckle])} follow{'' if len(speckle) > 1 else 's'} "
                     f"outlines but break{'' if len(speckle) > 1 else 's'} regions into speckle"
                     f"{expected(not set(speckle) & coarse_only)}.")
    return lines


@dataclass(frozen=True)
class FarPixels:
    """The pixels from the distance where the boundary curve's lead last changes hands (seg_findings.far_labels)."""

    true_class: str  # the class holding most of them
    share: float  # its share of them
    right: dict[str, float]  # each model's share of that class's far pixels labelled right


def boundary_lines(error_share: dict[str, float], band_share: float, runs: list[Leader], far: FarPixels | None,
                   longer: SegScores) -> list[str]:
    """Errors along outlines, and the boundary curve across all distances (runs: seg_findings.leaders); where the
    lead changes hands, what the far pixels are and how the near leader, the far leader and the longer-trained
    model label them."""
    low, high = min(error_share.values()), max(error_share.values())
    lines = [f"- **Errors along outlines:** {low:.1%} to {high:.1%} of each model's errors lie in the band's "
             f"{band_share:.1%} of the pixels{expected(low > band_share)}.",
             boundary_curve_finding(runs)]
    if far is not None and len(runs) > 1 and runs[-1].name != runs[0].name:
        near_leader, far_leader = runs[0].name, runs[-1].name
        lines[-1] += (f" There, {far.share:.1%} are {far.true_class} interiors, which the first labels "
                      f"{far.right[near_leader]:.1%} right, the second {far.right[far_leader]:.1%}"
                      + (f", and {epochs_text(longer.epochs)} of training {far.right[longer.name]:.1%}."
                         if far.right[longer.name] - far.right[near_leader] >= 0.1 else "."))
    return lines


def rare_lines(share: dict[str, dict[str, float]], fcn: str, no_skips: str, train_loss: dict[str, float]) -> list[str]:
    """What the rare-class zooms and the label shares show (share: {'truth' or model: {rare class: share of the
    test pixels}}; train_loss: the last training loss of the FCN, the no-skip and the short U-Net, same loss)."""
    unlabelled = [cls for cls, value in share[no_skips].items() if value == 0]
    others = [name for name in train_loss if name != no_skips]
    fits_least = all(train_loss[no_skips] > train_loss[name] for name in others)
    text = stated(
        (bool(unlabelled), f"*{no_skips}* labels none as {join_and(unlabelled, 'or')}"
                           + ("" if fits_least else
                              " (why is untested)." if all(share[fcn][cls] > 0 for cls in unlabelled) else ".")),
        (bool(unlabelled) and fits_least,
         f"and fits its training crops least (loss {train_loss[no_skips]:.3f}; "
         + "; ".join(f"*{name}* {train_loss[name]:.3f}" for name in others)
         + "): its decoder must learn to rebuild detail from 1/16, where the FCN only interpolates its scores; "
         "small rare classes come last (untested)."),
    )
    return [f"- **Rare classes:** {text}"] if text else []


def unfound(weights: Comparison, rare: list[int], classes: list[str], margin: float) -> list[str]:
    """The rare classes whose recall stays under `margin` with and without the class weights."""
    return [classes[k] for k in rare if max(weights.first.recall[k], weights.second.recall[k]) < margin]


def weights_line(weights: Comparison, share: dict[str, dict[str, float]], rare: list[int], classes: list[str],
                 margin: float) -> str:
    """What the class weights change in the same U-Net trained with and without them (2.6's tested comparison): the
    rare classes' mIoU, and the rare classes' labelling, recall (gains of `margin` or more) and precision
    (share: rare_shares' {'truth' or model: {rare class: share of the pixels}})."""
    weighted, unweighted = weights.first, weights.second
    missed = unfound(weights, rare, classes, margin)
    names = [classes[k] for k in rare]
    ignored = [name for name in names if share[unweighted.name][name] < share["truth"][name] / 4]
    recall_up = [classes[k] for k in rare if round(weighted.recall[k], 3) - round(unweighted.recall[k], 3)
                 >= margin - 1e-9]
    never = [name for name in recall_up if share[unweighted.name][name] == 0]
    precision_down = [classes[k] for k in rare if classes[k] in recall_up and classes[k] not in never
                      and round(weighted.precision[k], 3) < round(unweighted.precision[k], 3)]
    if recall_up:
        gain = (f"Weighted, recall rises by {margin:g} or more for {len(recall_up)} of {len(rare)} rare classes "
                "(not tested)"
                + (f"; precision falls for {join_and(precision_down)}" if precision_down else "")
                + (f"; {join_and(never)}, unlabelled unweighted, had none to lose." if never else "."))
    else:
        gain = f"No rare class gains {margin:g} in recall, against our expectation."
    return (f"- **Class weights** (*{weighted.name}*, with and without): {outcome(weights)}"
            f"{expected(weights.verdict == 'better')}. ") + stated(
        (bool(ignored), f"Unweighted, the U-Net almost never labels {join_and(ignored, 'or')}."), (True, gain),
        (bool(missed), f"{capital(join_and(missed))} stays under {margin:g} recall either way."))


@dataclass(frozen=True)
class Comparisons:
    """2.6's four controlled comparisons, as segmentation.compare returned them."""

    upsampling: Comparison
    skips: Comparison
    architecture: Comparison
    length: Comparison

    @classmethod
    def of(cls, controlled: list[Comparison]) -> "Comparisons":
        topic = {c.topic: c for c in controlled}
        return cls(topic["Upsampling"], topic["Skip connections"], topic["U-Net against FCN"], topic["Training length"])


def comparison_lines(compared: Comparisons, upsampling: tuple[str, str], up_drift: float,
                     band: float, band_miou: tuple[float, float]) -> list[str]:
    """Each comparison's outcome against 2.6's expectation, with the evidence the run has for its mechanism
    (upsampling: (tested, default); band_miou: the band's mIoU with and without skips)."""
    c = compared
    all_miou = (c.skips.first.miou, c.skips.second.miou)
    return [
        stated((True, f"- **Upsampling** ({upsampling[0]} against {upsampling[1]}): {outcome(c.upsampling)}"
                      + (", as expected (not an equivalence test)" if c.upsampling.verdict == "no detectable difference"
                         else expected(False))
                      + (", though the learnt kernels stayed near bilinear." if up_drift < DRIFT_SMALL
                         else f", though its kernels moved {up_drift:.3f} of their norm from bilinear."))),
        stated((True, f"- **Skip connections**: {outcome(c.skips)}{expected(c.skips.verdict == 'better')}"
                      + (f"; the gain is larger within {band:g} px of a boundary ({band_miou[1]:.3f} → "
                         f"{band_miou[0]:.3f} against {all_miou[1]:.3f} → {all_miou[0]:.3f}, not tested)."
                         if c.skips.verdict == "better" and band_miou[0] - band_miou[1] > all_miou[0] - all_miou[1]
                         else "."))),
        stated((True, f"- **U-Net against FCN**: {outcome(c.architecture)}"
                      f"{expected(c.architecture.verdict == 'better')}. Not one change: also "
                      f"{c.architecture.first.parameters:,} against {c.architecture.second.parameters:,} "
                      f"parameters, and {c.architecture.first.seconds_per_epoch:.1f} against "
                      f"{c.architecture.second.seconds_per_epoch:.1f} s an epoch.")),
        stated((True, f"- **{c.length.first.epochs} against {epochs_text(c.length.second.epochs)}**: "
                      f"{outcome(c.length)}{expected(c.length.verdict == 'better')}.")),
    ]


def window_line(window: Comparison, same_budget: bool, fcn_rising: bool) -> str:
    """The sliding window against the FCN on the sampled pixels, against 2.3's expectation, and what else differs."""
    first, second = window.first, window.second
    return stated((True, f"- **Sliding window against FCN**: {outcome(window)}{expected(window.verdict == 'better')}."),
                  (True, f"Uncontrolled: {'more' if first.parameters > second.parameters else 'fewer'} "
                         f"parameters ({first.parameters:,} against {second.parameters:,})"
                         + ("" if same_budget else ", another budget")
                         + (", and an FCN not levelled off (3.1)" if fcn_rising else "") + "."))


def task2_conclusion(compared: Comparisons, window: Comparison, weights: Comparison | None,
                     upsampling: tuple[str, str], window_seconds: float, fcn_seconds: float,
                     error_share: dict[str, float], band_share: float, band: float, data: str,
                     rare: list[int], classes: list[str], margin: float) -> str:
    """Task 2 in a paragraph: what each comparison found in this run, and where the errors lie (weights: the class
    weights' comparison, None where untrained, with the rare classes found in neither model, recall under
    `margin`; upsampling: (tested, default); error_share: each model's share of its errors in the band; data: what
    it ran on, e.g. 'synthetic stand-in')."""
    c = compared
    low, high = min(error_share.values()), max(error_share.values())
    missed = unfound(weights, rare, classes, margin) if weights else []
    weights_text = (f"The weighted loss {PAST[weights.verdict]} the unweighted one on the rare classes' mIoU "
                    f"({weights.test.difference:+.3f}" + (f"; {join_and(missed)} found in neither" if missed else "")
                    + ")." if weights else "")
    return stated(
        (True, f"**Task 2** ({data}; one network per variant). At {epochs_text(c.skips.first.epochs)} each, skips "
               f"{PAST[c.skips.verdict]} none "
               f"({c.skips.test.difference:+.3f} mIoU) and the U-Net "
               f"{PAST[c.architecture.verdict]} the FCN ({c.architecture.test.difference:+.3f}, more than one "
               f"change), while in the FCN, {upsampling[0]} upsampling "
               + ("made no detectable difference" if c.upsampling.verdict == "no detectable difference"
                  else f"{PAST[c.upsampling.verdict]} {upsampling[1]}") + "."),
        (True, f"{capital(epochs_text(c.length.first.epochs))} {PAST[c.length.verdict]} {c.length.second.epochs} "
               f"({c.length.test.difference:+.3f})."),
        (bool(weights_text), weights_text),
        (True, f"The sliding window {PAST[window.verdict]} the FCN ({window.test.difference:+.3f} mIoU on the "
               f"same pixels, uncontrolled) {'but' if window.verdict == 'better' else 'and'} was "
               f"{relative_speed(window_seconds, fcn_seconds)}{expected(window_seconds > fcn_seconds)}."),
        (low > band_share, f"{'Most' if low > 0.5 else 'Many'} errors ({low:.1%} to {high:.1%}) lie under {band:g} px "
                           f"from a boundary, on {band_share:.1%} of the pixels."))


def rare_shares(label_share: dict[str, np.ndarray], rare: list[int], classes: list[str]) -> dict[str, dict[str, float]]:
    """{'truth' or model: {rare class: share of the test pixels}} from boundaries.label_shares' arrays."""
    return {name: {classes[k]: float(shares[k]) for k in rare} for name, shares in label_share.items()}
