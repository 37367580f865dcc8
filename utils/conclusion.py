"""The report's conclusion (3.4): what the run learnt, one line a topic, each with its numbers and verdict."""
from .findings import pct
from .seg_findings import relative_speed
from .study import Judged


def _pair(judged: Judged) -> str:
    fmt = pct if "accuracy" in judged.measure else (lambda value: f"{value:.3f}")
    return f"{fmt(judged.first)} against {fmt(judged.second)} ({judged.verdict})"


def mnist_lines(against_mlp: Judged, optimizers: list[Judged], regularisers: list[Judged], pooling: list[Judged],
                chosen_rates: dict[str, float]) -> list[str]:
    """Task 1 in four lines: convolution, optimizers, regularisation, pooling."""
    detected = [judged for judged in optimizers if judged.verdict != "no detectable difference"]
    lines = [f"- **Convolution** is the largest gain: LeNet against the MLP, trained alike, {_pair(against_mlp)} "
             "test accuracy; shared filters need fewer weights and find a stroke anywhere."]
    lines.append("- **Optimizers** need their own learning rate (" + ", ".join(
        f"{name} {rate:g}" for name, rate in chosen_rates.items()) + "). At those rates, after one short epoch: "
        + "; ".join(f"{judged.comparison} {_pair(judged)}" for judged in detected or optimizers) + ".")
    helped = [judged.comparison.split(" against ")[0] for judged in regularisers if judged.verdict == "better"]
    hurt = [judged.comparison.split(" against ")[0] for judged in regularisers if judged.verdict == "worse"]
    text = "- **Regularisation** pays only where a network overfits: on few digits, "
    text += (f"{', '.join(helped)} lowered the test cross-entropy" if helped else "no regulariser lowered the test "
             "cross-entropy detectably")
    text += (f", and {', '.join(hurt)} raised it." if hurt else ".")
    lines.append(text)
    lines.append("- **Pooling:** " + "; ".join(f"{judged.comparison} {_pair(judged)}" for judged in pooling) + ".")
    return lines


def segmentation_lines(comparisons: list, window: list, fcn_seconds: float, window_seconds: float,
                       synthetic: bool) -> list[str]:
    """Task 2 in three lines: the controlled comparisons, the window classifier, and what the tests cover.
    comparisons, window: results.Comparison records; the seconds each took to label one test crop."""
    parts = [f"{c.topic.lower()}: {c.first.name} {c.first.miou:.3f} against {c.second.name} {c.second.miou:.3f} "
             f"({c.verdict})" for c in comparisons]
    lines = ["- **Pixelwise classification**, test mIoU with both tests and Holm's correction: " + "; ".join(parts)
             + "."]
    for c in window:
        lines.append(f"- **Sliding window against FCN:** the FCN is {relative_speed(fcn_seconds, window_seconds)}, "
                     "as it shares the convolutions of overlapping windows; on the same sampled pixels mIoU "
                     f"{c.first.miou:.3f} "
                     f"({c.first.name}) against {c.second.miou:.3f} ({c.verdict}).")
    lines.append("- **What the verdicts cover:** the test digits and images of one training run per network, not "
                 "the training seed" + ("; Task 2's numbers describe the synthetic stand-in, not UAVid." if synthetic
                                        else "."))
    return lines
