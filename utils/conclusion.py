"""The report's conclusion (3.4): what the run taught, a paragraph a task, in sentences built from its verdicts and
numbers; a sentence that needs a condition (a verdict, a still-rising curve) is said only where it holds."""
from .findings import _list, capital, epochs_text, pct, prose_name
from .results import Comparison
from .seg_findings import CurveSummary, relative_speed, still_rising
from .study import Judged

CAVEAT = "The tests cover the test digits and images, not the training seed"


def _sides(judged: Judged) -> tuple[str, str]:
    first, second = judged.comparison.split(" against ")
    return prose_name(first), prose_name(second)


def _outcome(first: str, second: str, verdict: str) -> str:
    """'A beat B', 'A lost to B' or 'A and B did not differ detectably'."""
    if verdict == "better":
        return f"{first} beat {second}"
    if verdict == "worse":
        return f"{first} lost to {second}"
    return f"{first} and {second} did not differ detectably"


def convolution_sentence(judged: Judged, lenet_parameters: int, mlp_parameters: int) -> str:
    """LeNet against the MLP, trained alike."""
    size = "fewer" if lenet_parameters < mlp_parameters else "more"
    scores = f"{pct(judged.first)} against the MLP's {pct(judged.second)}, with {size} weights"
    if judged.verdict == "better":
        return f"Convolution suits images: trained alike, LeNet reached {scores}."
    return f"Trained alike, LeNet reached {scores}: {judged.verdict} on these test digits."


def optimizer_sentence(family: list[Judged], sweep_digits: int) -> str:
    """The optimizer comparisons, each at its own best rate."""
    if not family:
        return ""
    clauses = [_outcome(*_sides(judged), judged.verdict) for judged in family]
    return f"At each optimizer's best rate, after one epoch on {sweep_digits:,} digits, {_list(clauses)}."


def regularisation_sentence(family: list[Judged], digits: int) -> str:
    """What each regulariser did to the test cross-entropy where LeNet overfits."""
    by_verdict = {word: [_sides(judged)[0] for judged in family if judged.verdict == word]
                  for word in ("better", "worse", "no detectable difference")}
    parts = []
    if by_verdict["better"]:
        best = min((judged for judged in family if judged.verdict == "better"), key=lambda judged: judged.first)
        each = "each " if len(by_verdict["better"]) > 1 else ""
        parts.append(f"{_list(by_verdict['better'])} {each}lowered the test cross-entropy"
                     + (f", {_sides(best)[0]} furthest ({best.first:.3f} against {best.second:.3f}, ranking "
                        "untested)"
                        if len(by_verdict["better"]) > 1 else f" ({best.first:.3f} against {best.second:.3f})"))
    if by_verdict["worse"]:
        parts.append(f"{_list(by_verdict['worse'])} raised it")
    if by_verdict["no detectable difference"]:
        parts.append(f"{_list(by_verdict['no detectable difference'])} made no detectable difference")
    return f"Where LeNet memorised its {digits:,} training digits, " + "; ".join(parts) + "." if parts else ""


def pooling_sentence(family: list[Judged], as_given: dict[str, float], average: str = "average pooling",
                     maximum: str = "max pooling") -> str:
    """Max against average pooling: moved digits (with the accuracy on the digits as given, `as_given`, by name) and
    the smoothness of the pooled maps (average first in each comparison)."""
    parts = []
    moved = next((judged for judged in family if "moved" in judged.measure), None)
    if moved is not None:
        where = moved.measure.split("digits ")[-1]
        if moved.verdict == "no detectable difference":
            parts.append(f"on digits {where}, {maximum} and {average} were about as accurate")
        else:
            ahead, behind = (average, maximum) if moved.verdict == "better" else (maximum, average)
            scores = (moved.first, moved.second) if ahead == average else (moved.second, moved.first)
            parts.append(f"{ahead} was the more accurate on digits {where} ({pct(scores[0])} against "
                         f"{pct(scores[1])})" + (", though it also led on the digits as given (untested)"
                                                 if as_given.get(ahead, 0) > as_given.get(behind, 0) else ""))
    smooth = next((judged for judged in family if "correlation" in judged.measure), None)
    if smooth is not None:
        if smooth.verdict == "no detectable difference":
            parts.append("neither gave detectably smoother maps")
        elif smooth.verdict == "better":
            parts.append(f"{average} gave the smoother maps, as the handout says")
        else:
            parts.append(f"{maximum}'s maps had the higher neighbour correlation, a measure that rewards thick "
                         "strokes rather than the handout's smoothing")
    return capital("; ".join(parts)) + "." if parts else ""


def mnist_summary(against_mlp: Judged, lenet_parameters: int, mlp_parameters: int, optimizers: list[Judged],
                  regularisers: list[Judged], reg_digits: int, pooling: list[Judged], as_given: dict[str, float],
                  sweep_digits: int) -> str:
    """Task 1 as one paragraph: convolution, optimizers, regularisation, pooling (as_given: each pooling network's
    accuracy on the test digits as given)."""
    sentences = [convolution_sentence(against_mlp, lenet_parameters, mlp_parameters),
                 optimizer_sentence(optimizers, sweep_digits), regularisation_sentence(regularisers, reg_digits),
                 pooling_sentence(pooling, as_given)]
    return "**Task 1.** " + " ".join(sentence for sentence in sentences if sentence)


def _by_topic(comparisons: list[Comparison]) -> dict[str, Comparison]:
    return {comparison.topic: comparison for comparison in comparisons}


def _miou_change(c: Comparison, what: str) -> str:
    """'skips added +0.135 mIoU', 'skips cost 0.020 mIoU' or 'skips made no detectable difference'."""
    if c.verdict == "no detectable difference":
        return f"{what} made no detectable difference"
    return f"{what} added {c.test.difference:+.3f} mIoU" if c.verdict == "better" else \
        f"{what} cost {-c.test.difference:.3f} mIoU"


def segmentation_summary(comparisons: list[Comparison], window: list[Comparison], fcn_seconds: float,
                         window_seconds: float, fcn_curve: CurveSummary, synthetic: bool) -> str:
    """Task 2 as one paragraph: the controlled comparisons (differences as the comparison table prints them), the
    window against the FCN (whose budget, fcn_curve, bounds that verdict), and what the tests cover."""
    topics = _by_topic(comparisons)
    skips, architecture = topics.get("Skip connections"), topics.get("U-Net against FCN")
    upsampling, length = topics.get("Upsampling"), topics.get("Training length")
    parts = ((skips, "skips"), (architecture, "the U-Net over the FCN (more than one change)"),
             (upsampling, "transposed upsampling"))
    changes = [_miou_change(c, what) for c, what in parts if c is not None]
    sentences = []
    if changes:
        epochs = next(c for c in (skips, architecture, upsampling) if c is not None).second.epochs
        sentences.append(f"At {epochs_text(epochs)} each, {_list(changes)}.")
    if length is not None:
        times = length.first.epochs / max(length.second.epochs, 1)
        sentences.append(capital(_miou_change(length, f"training {times:.3g} times as long")) + ".")
    for c in window:
        scored = {"better": "scored higher than", "worse": "scored lower than"}.get(c.verdict, "did not differ "
                                                                                   "detectably from")
        sentence = (f"The sliding window {scored} the FCN on the same sampled pixels (mIoU {c.first.miou:.3f} against "
                    f"{c.second.miou:.3f}) but was {relative_speed(window_seconds, fcn_seconds)}"
                    + (", computing every overlapping window anew" if window_seconds > fcn_seconds else ""))
        if still_rising(fcn_curve) and c.verdict == "better":
            sentence += "; that FCN was still improving"
        sentences.append(sentence + ".")
    sentences.append(CAVEAT + ("; Task 2 ran on the synthetic stand-in." if synthetic else "."))
    return "**Task 2.** " + " ".join(sentences)
