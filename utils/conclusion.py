"""The report's conclusion (3.4): what the run learnt, one line a topic, each with its numbers and verdict."""
from .findings import epochs_text, pct
from .seg_findings import CurveSummary, relative_speed, still_rising
from .study import Judged


def _pair(judged: Judged) -> str:
    fmt = pct if "accuracy" in judged.measure else (lambda value: f"{value:.3f}")
    return f"{fmt(judged.first)} against {fmt(judged.second)} ({judged.verdict})"


def _changed(judged: Judged) -> str:
    """The variant a comparison tries, e.g. 'SGD + momentum' of 'SGD + momentum against SGD'."""
    return judged.comparison.split(" against ")[0]


def _direction(judged: Judged) -> str:
    """A verdict, or for a measure that is a property rather than a score (a correlation) its direction."""
    if "correlation" in judged.measure and judged.verdict in ("better", "worse"):
        return "higher" if judged.verdict == "better" else "lower"
    return judged.verdict


def mnist_lines(against_mlp: Judged, optimizers: list[Judged], regularisers: list[Judged], pooling: list[Judged],
                sweep_digits: int) -> list[str]:
    """Task 1 in four lines: convolution, optimizers, regularisation, pooling (sweep_digits: the digits of the
    sweep's one epoch, the optimizers' whole budget)."""
    return [
        f"- **Convolution:** LeNet against the MLP trained alike, {_pair(against_mlp)}, with fewer weights.",
        f"- **Optimizers** at their own best rates (1.6), after one epoch on {sweep_digits:,} digits: "
        + "; ".join(f"{judged.comparison}: {judged.verdict}" for judged in optimizers) + ".",
        "- **Regularisation** where LeNet overfits (test cross-entropy): "
        + "; ".join(f"{_changed(judged)} {judged.verdict}" for judged in regularisers) + ".",
        "- **Pooling**, average against max: " + "; ".join(
            f"{judged.measure} {_direction(judged)}" for judged in pooling) + ".",
    ]


def segmentation_lines(comparisons: list, window: list, fcn_seconds: float, window_seconds: float,
                       fcn_curve: CurveSummary, synthetic: bool) -> list[str]:
    """Task 2 in three lines: the controlled comparisons, the window classifier against the FCN (whose budget,
    fcn_curve, bounds that verdict), and what the tests cover. comparisons, window: results.Comparison records;
    the seconds each took to label one test crop."""
    by_verdict = {word: [c.topic for c in comparisons if c.verdict == word]
                  for word in ("better", "worse", "no detectable difference")}
    lines = ["- **Segmentation**, test mIoU (reasons in 3.3): " + "; ".join(
        f"{word}: {', '.join(topics)}" for word, topics in by_verdict.items() if topics) + "."]
    lines += [f"- **Sliding window:** the FCN is {relative_speed(fcn_seconds, window_seconds)}; on the same "
              f"sampled pixels the window classifier is {c.verdict} (mIoU {c.first.miou:.3f} against "
              f"{c.second.miou:.3f}), against an FCN of {epochs_text(fcn_curve.epochs)}"
              + (" still improving: a verdict on this budget." if still_rising(fcn_curve) else ".") for c in window]
    lines.append("- The verdicts cover the test digits and images, not the training seed"
                 + ("; Task 2 ran on the synthetic stand-in." if synthetic else "."))
    return lines
