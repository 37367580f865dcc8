"""Findings of a run, written from its numbers: each comparison states its numbers, a paired test and the
mechanism behind it, and the wording (better, worse, no detectable difference, most, the largest share) follows
the data, so a re-run with other settings, data or hardware states what that run measured.
"""
import torch

from .boundaries import BoundaryScores
from .report import markdown_table
from .results import Comparison, SegScores, Variant
from .significance import McNemar
from .study import Step

ALPHA = 0.05  # a paired test's p-value below this calls a difference detectable

# Why each change of the MNIST study can matter: true whatever this run measured.
MECHANISMS = {
    "convolution": "a shared 5×5 filter finds a stroke anywhere and pooling tolerates small shifts; the MLP learns "
                   "each position anew",
    "momentum": "steps add up: directions that agree grow, oscillations cancel",
    "adam": "each parameter's step is scaled by its own gradient history",
    "onecycle": "a warm-up makes a high peak rate stable; the annealing lets the weights settle",
    "batch_norm": "each channel is rescaled per batch, so the next layer's inputs stay on one scale",
    "dropout": "random units are zeroed, so none can rely on another: fights overfitting, slows fitting",
    "augment": "randomly moved digits force invariance to small moves: fights overfitting, slows fitting",
    "epochs": "more steps to fit, and a longer annealing",
    "pool": "the mean of a 2×2 block dilutes a stroke with background; the maximum keeps it",
}


def pct(fraction: float) -> str:
    return f"{100 * fraction:.2f} %"


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def verdict(difference: float, p_value: float) -> str:
    """'better', 'worse' or 'no detectable difference' for a paired difference and its test."""
    if p_value >= ALPHA or difference == 0:
        return "no detectable difference"
    return "better" if difference > 0 else "worse"


def share_word(part: float, whole: float) -> str:
    """'most' only where part is more than half of whole; otherwise 'the largest share'."""
    return "most" if part > whole / 2 else "the largest share"


# ----------------------------------------------------------------------------- Task 1


def _compared(variants: dict[str, Variant], pairs: list[Step], tests: dict[tuple[str, str], McNemar]):
    """Each step that changes another: (step, its variant, the other's, McNemar's test, the verdict)."""
    for step in pairs:
        if step.against is not None:
            new, old, test = variants[step.name], variants[step.against], tests[step.name, step.against]
            yield step, new, old, test, verdict(new.test - old.test, test.p_value)


def study_table(variants: dict[str, Variant], pairs: list[Step], tests: dict[tuple[str, str], McNemar]) -> str:
    """One row per pair: test accuracy against the variant it changes, and McNemar's test on the test digits."""
    rows = []
    for step, new, old, test, word in _compared(variants, pairs, tests):
        change = "LeNet (Adam)" if step.kind == "convolution" else step.name
        rows.append({"change": change, "against": step.against, "test acc": pct(new.test),
                     "against's": pct(old.test), "difference (points)": f"{100 * (new.test - old.test):+.2f}",
                     "digits only it gets right": test.only_first, "only the other": test.only_second,
                     "McNemar": p_text(test.p_value), "verdict": word, "why it can matter": MECHANISMS[step.kind]})
    return markdown_table(rows)


def epochs_text(count: int) -> str:
    return f"{count} epoch" + ("" if count == 1 else "s")


def regulariser_budget(before: Variant) -> str:
    """Whether the study's budget leaves overfitting for dropout and augmentation to remove."""
    gap = before.last_train - before.last_val
    head = (f"After {epochs_text(before.epochs)}, *{before.name}* fits its training digits to {pct(before.last_train)} "
            f"(over its last epoch) against {pct(before.last_val)} on validation")
    if gap < 0.01:
        return (head + ": with hardly any overfitting to remove, this budget cannot show what dropout and "
                "augmentation are for, only what they cost.")
    return head + ": that gap is what a regulariser can close."


def mnist_findings(variants: dict[str, Variant], pairs: list[Step], tests: dict[tuple[str, str], McNemar],
                   best: str) -> str:
    """Task 1's findings: convolution against the MLP, the study's verdicts, the budget's limit for the
    regularisers, and the best network (pairs: study steps, one of kind "convolution")."""
    lines = []
    by_verdict: dict[str, list[str]] = {"better": [], "worse": [], "no detectable difference": []}
    for pair, new, old, test, word in _compared(variants, pairs, tests):
        if pair.kind == "convolution":
            lines.append(f"- **Convolution against the MLP** (both Adam at a constant rate): LeNet reaches "
                         f"{pct(new.test)} against {pct(old.test)} with {new.parameters:,} parameters against "
                         f"{old.parameters:,} ({p_text(test.p_value)}: {word}).")
        else:
            by_verdict[word].append(f"*{pair.name}*")
    summary = "; ".join(f"{word}: {_list(names)}" for word, names in by_verdict.items() if names)
    lines.append(f"- **The study, step by step** (McNemar, p < {ALPHA}): {summary}.")
    kinds = {pair.kind: pair for pair in pairs}
    if "dropout" in kinds:
        lines.append("- **The budget.** " + regulariser_budget(variants[kinds["dropout"].against]))
    chosen = variants[best]
    lines.append(f"- **Best network** on validation accuracy ({pct(chosen.best_val)}): *{best}*, "
                 f"{pct(chosen.test)} on the test digits.")
    return "\n".join(lines)


def neighbour_correlation(weight: torch.Tensor) -> float:
    """How smooth a conv layer's kernels are: the mean correlation of horizontally and vertically adjacent
    weights within a kernel (about 0 for noise, near 1 for smooth blobs and edges)."""
    kernels = weight.detach().float().cpu()[:, 0]
    kernels = kernels - kernels.mean(dim=(1, 2), keepdim=True)
    pairs = [(kernels[:, :, :-1], kernels[:, :, 1:]), (kernels[:, :-1, :], kernels[:, 1:, :])]
    products = sum(float((a * b).sum()) for a, b in pairs)
    norms = sum(float((a * a).sum() * (b * b).sum()) ** 0.5 for a, b in pairs)
    return products / norms if norms > 0 else 0.0


def filter_finding(trained: torch.Tensor, initial: torch.Tensor, name: str, epochs: int) -> str:
    """How far the first-layer filters of a network have grown from noise (0) towards smooth kernels (1)."""
    after, before = neighbour_correlation(trained), neighbour_correlation(initial)
    if after > 0.5:
        verdict_text = "they have grown into smooth kernels, edge and stroke detectors"
    elif after > before + 0.1:
        verdict_text = ("adjacent weights agree more than at initialisation, the start of edge and stroke "
                        "detectors, but the filters are still far from smooth")
    else:
        verdict_text = "they are still about as noisy as at initialisation"
    return (f"Adjacent weights of *{name}*'s first-layer filters correlate at {after:.2f} after {epochs_text(epochs)}, "
            f"against {before:.2f} at initialisation (1 would be perfectly smooth): {verdict_text}.")


# ----------------------------------------------------------------------------- Tasks 2 and 3


# Why each controlled segmentation comparison can differ: true whatever this run measured.
SEG_MECHANISMS = {
    "Upsampling": "both scale up the same 1/16 grid of scores; the transposed convolution starts as bilinear "
                  "interpolation and can learn a sharper blend of neighbouring scores, but no detail the grid lacks",
    "Skip connections": "without skips the decoder must recover where edges are from 1/16-resolution features; "
                        "the skips hand it the encoder's features at 1/2 to 1/8, which still hold them",
    "U-Net against FCN": "the U-Net adds a decoder with skips and a full-resolution head to the same encoder: "
                         "labels are made at full resolution instead of interpolated from a 1/16 grid",
    "Training length": "the same network with more epochs sees more crops, and its one-cycle schedule spends more "
                       "steps at low rates",
}


def comparison_table(comparisons: list[Comparison]) -> str:
    rows = [{"comparison": c.topic, "model": c.first.name, "mIoU": f"{c.first.miou:.3f}", "against": c.second.name,
             "its mIoU": f"{c.second.miou:.3f}", "difference": f"{c.test.difference:+.3f}",
             "images where its pixel accuracy is higher": f"{c.test.images_first_better} of {c.test.images}",
             "permutation test": p_text(c.test.p_value), "verdict": verdict(c.test.difference, c.test.p_value),
             "why it can differ": SEG_MECHANISMS[c.topic]} for c in comparisons]
    return markdown_table(rows)


def comparison_finding(comparison: Comparison, classes: list[str]) -> str:
    first, second, test = comparison.first, comparison.second, comparison.test
    higher = [c for i, c in enumerate(classes) if round(first.iou[i], 3) > round(second.iou[i], 3)]
    lower = [c for i, c in enumerate(classes) if round(first.iou[i], 3) < round(second.iou[i], 3)]
    return (f"- **{comparison.topic}:** *{first.name}* {first.miou:.3f} against *{second.name}* {second.miou:.3f} "
            f"({p_text(test.p_value)}: {verdict(test.difference, test.p_value)}), higher IoU on {len(higher)} of "
            f"{len(classes)} classes" + (f", lower on {_list(lower)}." if lower else "."))


def boundary_finding(scores: dict[str, BoundaryScores], far: float) -> str:
    """Accuracy near the true class boundaries against far from them, model by model."""
    near = {name: s.accuracy for name, s in scores.items()}
    away = {name: s.accuracy_from(far) for name, s in scores.items()}
    band = next(iter(scores.values())).band
    spread_near, spread_far = max(near.values()) - min(near.values()), max(away.values()) - min(away.values())
    lower = sum(near[name] < away[name] for name in scores)
    where = "near boundaries than far from them" if spread_near > spread_far else "far from boundaries than near them"
    return (f"- **Boundaries:** within {band:g} px of one the accuracy is "
            + _list([f"{v:.3f} (*{k}*)" for k, v in near.items()])
            + f", lower than {far:g} px or more away for {lower} of the {len(scores)} models: there a pixel's "
            f"neighbourhood mixes two classes. The best and worst models differ more {where}.")


def relative_speed(seconds: float, other_seconds: float) -> str:
    """How something that takes `seconds` compares with something that takes `other_seconds`: '957 times faster',
    '1.3 times slower', 'about as fast' (one decimal below 10 times)."""
    ratio = other_seconds / seconds
    factor, word = (ratio, "faster") if ratio >= 1 else (1 / ratio, "slower")
    shown = f"{factor:.0f}" if factor >= 10 else f"{factor:.1f}"
    return "about as fast" if shown == "1.0" else f"{shown} times {word}"


def speed_finding(window_seconds: float, fcn_seconds: float, sampled_miou: dict[str, float],
                  window: str, fcn: str) -> str:
    """The sliding window against one FCN pass: time, and mIoU on the same sampled test pixels, either way."""
    speed = relative_speed(fcn_seconds, window_seconds)
    ahead = sampled_miou[window] > sampled_miou[fcn]
    ranking = sorted(sampled_miou, key=sampled_miou.get, reverse=True)
    reason = ("each window sees its own pixel at full resolution, while the FCN interpolates a grid 16 times "
              "coarser" if ahead else "the FCN's deep encoder sees far more context than one small window")
    return (f"- **Sliding window against the FCN:** the FCN labelled the crop {speed}: overlapping windows "
            "recompute what one FCN pass computes once. On the same sampled pixels the mIoU is "
            + _list([f"{sampled_miou[k]:.3f} (*{k}*)" for k in ranking])
            + f": the window classifier {'beats' if ahead else 'trails'} the FCN, plausibly as {reason} (the two "
            "also differ in size and training).")


def weakest_class(scores: SegScores) -> int:
    return min(range(len(scores.iou)), key=lambda i: scores.iou[i])


def _weakest_shares(scores: SegScores) -> tuple[int, torch.Tensor]:
    """The weakest class, and the share of its true pixels that each class is given."""
    weakest = weakest_class(scores)
    row = scores.confusion[weakest].double()
    return weakest, row / row.sum().clamp(min=1)


def where_pixels_go(scores: SegScores, classes: list[str], top: int = 3) -> str:
    """A table: the share of the weakest class's true pixels given to each class (itself first)."""
    weakest, share = _weakest_shares(scores)
    order = [weakest] + [k for k in share.argsort(descending=True).tolist() if k != weakest][:top]
    column = f"true {classes[weakest]} pixels labelled as"
    return markdown_table([{column: classes[k], "share": f"{float(share[k]):.3f}"} for k in order])


def weakest_class_finding(scores: SegScores, classes: list[str], frequency: list[float]) -> str:
    """The weakest class of a model: its recall and precision, and where its missed pixels go (where_pixels_go)."""
    weakest, share = _weakest_shares(scores)
    missed = float(1 - share[weakest])
    others = [k for k in share.argsort(descending=True).tolist() if k != weakest and share[k] > 0]
    text = (f"- **Weakest class** of the {scores.name}: *{classes[weakest]}* (IoU {scores.iou[weakest]:.3f}, "
            f"recall {scores.recall[weakest]:.3f}, precision {scores.precision[weakest]:.3f}).")
    if others:
        top = others[0]
        text += (f" {share_word(float(share[top]), missed).capitalize()} of its missed pixels are labelled "
                 f"*{classes[top]}* (table).")
    if scores.precision[weakest] < scores.recall[weakest]:
        text += " Precision below recall: it is over-predicted, as a large class weight in the loss pushes it to be."
    if frequency[weakest] < 0.02:
        text += f" It covers {frequency[weakest]:.2%} of the training pixels."
    return text


def mirror_finding(one_pass: dict[str, float], mirrored: dict[str, float]) -> str:
    """Test-time mirror averaging against one pass: the test mIoU of each network both ways."""
    def change(name: str, first: bool) -> str:
        before, after = one_pass[name], mirrored[name]
        what = f"the {name}'s" + (" test mIoU" if first else "")
        if round(before, 3) == round(after, 3):
            return f"left {what} at {after:.3f}"
        return f"{'raised' if after > before else 'lowered'} {what} from {before:.3f} to {after:.3f}"
    return "- **Mirror averaging** " + _list([change(name, i == 0) for i, name in enumerate(mirrored)]) + "."
