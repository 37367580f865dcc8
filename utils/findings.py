"""Findings of a run, written from its numbers: the wording (beats, gain, within noise, above) follows the data.

Each function takes plain numbers and returns Markdown: a small table of the numbers the findings rest on, then
short bullets that state only numbers from that table or from the notebook's own tables and prints, so a re-run
with other settings, data or hardware states what that run measured.
"""
import math
from dataclasses import dataclass

import torch

from .report import markdown_table
from .training import History


@dataclass(frozen=True)
class Variant:
    """One trained classifier of Task 1 and what it measured."""

    name: str
    parameters: int
    epochs: int
    best_val: float  # best validation accuracy over its epochs
    test: float  # test accuracy of the kept weights
    seconds_per_epoch: float

    @classmethod
    def of(cls, name: str, parameters: int, history: History, test_accuracy: float) -> "Variant":
        """The record of a model trained by fit, with its test accuracy."""
        seconds = sum(history.seconds) / len(history) if len(history) else float("nan")
        return cls(name, parameters, len(history), max(history.val_accuracy, default=0.0), test_accuracy, seconds)


@dataclass(frozen=True)
class SegScores:
    """One segmentation model's scores on the test split."""

    name: str
    accuracy: float
    miou: float
    iou: list[float]
    precision: list[float]
    recall: list[float]
    confusion: torch.Tensor  # rows = truth, columns = prediction
    parameters: int
    seconds_per_epoch: float
    epochs: int

    @classmethod
    def of(cls, name: str, result: dict) -> "SegScores":
        """From evaluate()'s result, with the "parameters", "seconds_per_epoch" and "epochs" the notebook adds."""
        return cls(name, result["accuracy"], result["miou"], result["iou"].tolist(), result["precision"].tolist(),
                   result["recall"].tolist(), result["confusion"], result["parameters"], result["seconds_per_epoch"],
                   result["epochs"])


def noise_margin(accuracy: float, n: int) -> float:
    """Two standard errors of the difference of two accuracies near `accuracy`, each measured on n images:
    differences below it are called within noise."""
    return 2 * math.sqrt(2 * accuracy * (1 - accuracy) / n)


def pct(x: float) -> str:
    return f"{100 * x:.2f} %"


def _list(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def verdict(change: float, margin: float) -> str:
    """'gain', 'loss' or 'within noise' for a change of accuracy against the noise margin."""
    return "within noise" if abs(change) < margin else "gain" if change > 0 else "loss"


def mnist_findings(variants: dict[str, Variant], ladder: list[str], pooling: str, pooled_from: str,
                   n_val: int, n_test: int) -> str:
    """Task 1's findings: CNN against MLP, what each step of the study changed, pooling, the best network."""
    steps = [variants[name] for name in ladder]
    top = max(v.best_val for v in steps)
    margin = noise_margin(top, n_val)
    rule = f"verdict (noise margin {100 * margin:.2f} points)"
    pairs = [(b, a) for a, b in zip(steps, steps[1:], strict=False)] + [(variants[pooling], variants[pooled_from])]
    rows = [{"change": new.name if new.name != pooling else f"{pooling} (against {pooled_from})",
             "best val acc": pct(new.best_val), "against": pct(old.best_val),
             "difference (points)": f"{100 * (new.best_val - old.best_val):+.2f}",
             rule: verdict(new.best_val - old.best_val, margin)} for new, old in pairs]
    mlp, adam = variants["MLP (Lab 2)"], variants["Adam"]
    best = max(steps, key=lambda v: v.best_val)
    models = [mlp, adam] + ([best] if best is not adam else [])
    errors = [{"model": v.name, "test acc": pct(v.test), "wrong test digits": round((1 - v.test) * n_test)}
              for v in models]
    gains = [r for r in rows[:-1] if r[rule] == "gain"]
    largest = max(gains, key=lambda r: float(r["difference (points)"]), default=None)
    pool = rows[-1]
    beats = "beats" if adam.test > mlp.test else "does not beat"
    lines = [markdown_table(rows), "", markdown_table(errors), "",
             f"*Rule: two validation accuracies near {pct(top)}, each measured on {n_val:,} images, are called "
             f"within noise when they differ by less than {100 * margin:.2f} points (two standard errors of the "
             "difference).*", "",
             f"- **Convolution against the MLP.** Trained alike (Adam at a constant rate), LeNet {beats} the MLP: "
             f"{pct(adam.test)} against {pct(mlp.test)} test accuracy, with {adam.parameters:,} parameters against "
             f"{mlp.parameters:,}.",
             "- **The study.** " + (f"The largest gain came from *{largest['change']}* "
                                    f"({largest['difference (points)']} points); "
                                    if largest else "No step gained beyond noise; ")
             + f"{len(gains)} of the {len(rows) - 1} steps gained beyond noise.",
             f"- **Pooling.** Average instead of max pooling changed the best validation accuracy by "
             f"{pool['difference (points)']} points: {pool[rule]}.",
             f"- **Best network:** *{best.name}*, chosen on validation accuracy ({pct(best.best_val)}), reaches "
             f"{pct(best.test)} test accuracy."]
    return "\n".join(lines)


def where_pixels_go(confusion: torch.Tensor, c: int, classes: list[str], top: int = 3) -> list[tuple[str, float]]:
    """The classes that the true pixels of class c are most often given instead, with the share of c's pixels."""
    row = confusion[c].double()
    share = row / row.sum().clamp(min=1)
    others = [k for k in share.argsort(descending=True).tolist() if k != c][:top]
    return [(classes[k], float(share[k])) for k in others if share[k] > 0]


def segmentation_findings(fcn: SegScores, unet: SegScores, classes: list[str], data: str) -> str:
    """Skip connections (U-Net against FCN, class by class) and the U-Net's weakest class, on `data`."""
    higher = [c for i, c in enumerate(classes) if unet.iou[i] > fcn.iou[i]]
    lower = [c for i, c in enumerate(classes) if unet.iou[i] < fcn.iou[i]]
    weakest = min(range(len(classes)), key=lambda i: unet.iou[i])
    goes = where_pixels_go(unet.confusion, weakest, classes)
    verb = "above" if unet.miou > fcn.miou else "below" if unet.miou < fcn.miou else "level with"
    table = markdown_table([{f"true {classes[weakest]} pixels labelled as": name, "share": f"{share:.3f}"}
                            for name, share in goes]) if goes else ""
    lines = [table, "",
             f"- **Skip connections.** On {data}, the U-Net's test mIoU is {unet.miou:.3f}, {verb} the FCN's "
             f"{fcn.miou:.3f}; its IoU is higher on {len(higher)} of the {len(classes)} classes"
             + (f" and lower on {_list(lower)}" if lower else "") + ". "
             f"It has {unet.parameters:,} parameters against {fcn.parameters:,}, and trained {unet.epochs} epochs "
             f"of {unet.seconds_per_epoch:.1f} s against the FCN's {fcn.epochs} of {fcn.seconds_per_epoch:.1f} s.",
             f"- **The weakest class** for the U-Net is *{classes[weakest]}* (IoU {unet.iou[weakest]:.3f}): "
             f"recall {unet.recall[weakest]:.3f}, precision {unet.precision[weakest]:.3f}"
             + (f"; most of its missed pixels are labelled *{goes[0][0]}* (table)." if goes else ".")]
    return "\n".join(lines)


def speed_finding(window_seconds: float, fcn_seconds: float, scores: dict[str, float]) -> str:
    """The sliding window against one FCN pass: time, and mIoU on the same sampled test pixels."""
    best = max(scores, key=scores.get)
    return (f"- **Sliding window.** On the same crop the FCN was {window_seconds / fcn_seconds:.0f} times faster than "
            f"the window classifier. On the same sampled test pixels the mIoU is "
            + ", ".join(f"{v:.3f} for the {k}" for k, v in scores.items()) + f": the {best} scores highest.")


def mirror_finding(one_pass: dict[str, float], mirrored: dict[str, float]) -> str:
    """Test-time mirror averaging against one pass: the test mIoU of each network both ways."""
    def change(name: str, first: bool) -> str:
        a, b, what = one_pass[name], mirrored[name], f"the {name}'s" + (" test mIoU" if first else "")
        if round(a, 3) == round(b, 3):
            return f"left {what} at {b:.3f}"
        return f"{'raised' if b > a else 'lowered'} {what} from {a:.3f} to {b:.3f}"
    return "- **Mirror averaging** " + _list([change(name, i == 0) for i, name in enumerate(mirrored)]) + "."
