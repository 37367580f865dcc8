import random
import re

import numpy as np
import pytest
import torch

from utils import findings
from utils.boundaries import BoundaryScores
from utils.results import Comparison, SegScores, Variant
from utils.significance import McNemar, PairedMiou
from utils.study import against_the_mlp, study_steps

CLASSES = ["clutter", "building", "road", "static car", "tree", "low vegetation", "human", "moving car"]
VERDICTS = ("better", "worse", "no detectable difference")


def numbers(text: str) -> list[str]:
    """The numbers a finding states, in order, as written (e.g. "0.612", "98.50", "3")."""
    return re.findall(r"-?\d+(?:\.\d+)?", text)


def verdicts(text: str) -> list[str]:
    """The verdicts a finding states, in order."""
    return re.findall("|".join(VERDICTS), text)


def random_variants(rng: random.Random) -> tuple[dict, list, dict]:
    steps = study_steps(0.05, 0.02, 1e-3, 3e-3, 0.25, 2, 6)
    pairs = [against_the_mlp(steps, "MLP (Lab 2)"), *steps]
    variants = {name: Variant(name, rng.randint(1, 10 ** 6), rng.randint(1, 9), rng.uniform(0.9, 1.0),
                              rng.uniform(0.9, 1.0), rng.uniform(0.9, 1.0), rng.uniform(0.9, 1.0))
                for name in ["MLP (Lab 2)"] + [s.name for s in steps]}
    tests = {(s.name, s.against): McNemar(rng.randint(0, 80), rng.randint(0, 80), rng.choice([1e-5, rng.random()]))
             for s in pairs if s.against}
    return variants, pairs, tests



def test_mnist_verdicts_and_numbers_agree_with_random_metrics():
    for seed in range(200):
        rng = random.Random(seed)
        variants, pairs, tests = random_variants(rng)
        text = findings.mnist_findings(variants, pairs, tests, "SGD")
        table = findings.study_table(variants, pairs, tests)
        summary = next(line for line in text.splitlines() if line.startswith("- **The study"))
        groups = dict(part.split(": ", 1) for part in summary.split("): ", 1)[1].rstrip(".").split("; "))
        for pair in pairs:
            if pair.against is None:
                continue
            new, old, test = variants[pair.name], variants[pair.against], tests[pair.name, pair.against]
            if test.p_value >= 0.05:
                word = "no detectable difference"
            else:
                word = "better" if new.test > old.test else "worse"
            if pair.kind != "convolution":
                assert f"*{pair.name}*" in groups[word]
            label = "LeNet (Adam)" if pair.kind == "convolution" else pair.name
            row = next(x for x in table.splitlines() if x.startswith(f"| {label} | {pair.against} |"))
            cells = [cell.strip() for cell in row.strip("|").split("|")]
            assert cells[2:4] == [f"{100 * new.test:.2f} %", f"{100 * old.test:.2f} %"]
            assert cells[8:] == [word, findings.MECHANISMS[pair.kind]]
        cnn, mlp = variants["Adam"], variants["MLP (Lab 2)"]
        convolution = next(line for line in text.splitlines() if "MLP" in line)
        stated = numbers(convolution)
        assert f"{100 * cnn.test:.2f}" in stated and f"{100 * mlp.test:.2f}" in stated
        p_value = tests["Adam", "MLP (Lab 2)"].p_value
        assert verdicts(convolution) == ["no detectable difference" if p_value >= 0.05 else
                                         "better" if cnn.test > mlp.test else "worse"]


def test_budget_sentence_follows_the_gap():
    fitted = Variant("+ batch norm", 1, 2, 0.99, 0.99, last_train=0.995, last_val=0.99)
    overfit = Variant("+ batch norm", 1, 2, 0.97, 0.97, last_train=0.999, last_val=0.975)
    for variant, overfits in ((fitted, False), (overfit, True)):
        text = findings.regulariser_budget(variant)
        assert [f"{100 * variant.last_train:.2f}", f"{100 * variant.last_val:.2f}"] == numbers(text)[1:3]
        assert ("hardly any overfitting" in text) == (not overfits)


def random_scores(rng: np.random.Generator, name: str) -> SegScores:
    confusion = torch.from_numpy(rng.integers(0, 1000, (8, 8)))
    iou = rng.uniform(0, 1, 8).tolist()
    return SegScores(name, float(rng.uniform()), float(np.mean(iou)), iou, rng.uniform(0, 1, 8).tolist(),
                     rng.uniform(0, 1, 8).tolist(), confusion, int(rng.integers(1, 10 ** 6)), 1.0, 6)


def test_segmentation_findings_never_contradict_random_metrics():
    for seed in range(300):
        rng = np.random.default_rng(seed)
        first, second = random_scores(rng, "U-Net"), random_scores(rng, "U-Net without skips")
        paired = PairedMiou(first.miou - second.miou, float(rng.choice([1e-4, rng.uniform()])),
                            int(rng.integers(0, 61)), 60)
        text = findings.comparison_finding(Comparison("Skip connections", first, second, paired), CLASSES)
        higher = sum(round(a, 3) > round(b, 3) for a, b in zip(first.iou, second.iou, strict=True))
        lower = [c for a, b, c in zip(first.iou, second.iou, CLASSES, strict=True) if round(a, 3) < round(b, 3)]
        stated = numbers(text)
        assert stated[:2] == [f"{first.miou:.3f}", f"{second.miou:.3f}"] and stated[-2:] == [str(higher), "8"]
        assert all(name in text for name in lower)
        expected = findings.verdict(paired.difference, paired.p_value)
        assert verdicts(text) == [expected]
        assert (expected == "better") == (paired.p_value < 0.05 and first.miou > second.miou)

        frequency = rng.uniform(0, 0.04, 8).tolist()
        weakest = findings.weakest_class_finding(first, CLASSES, frequency)
        worst = int(np.argmin(first.iou))
        named = re.findall(r"\*([a-z ]+)\*", weakest)  # the classes it names, in order
        assert named[0] == CLASSES[worst]
        assert [f"{first.iou[worst]:.3f}", f"{first.recall[worst]:.3f}", f"{first.precision[worst]:.3f}"] == \
            numbers(weakest)[:3]
        row = first.confusion[worst].double() / first.confusion[worst].sum()
        missed = 1 - row[worst]
        top = max((k for k in range(8) if k != worst), key=lambda k: row[k])
        assert named[1] == CLASSES[top]  # where most of its missed pixels go
        assert ("Most" in weakest) == bool(row[top] > missed / 2)
        table = findings.where_pixels_go(first, CLASSES)
        assert table.splitlines()[2] == f"| {CLASSES[worst]} | {row[worst]:.3f} |"
        assert table.splitlines()[3] == f"| {CLASSES[top]} | {row[top]:.3f} |"
        assert ("over-predicted" in weakest) == (first.precision[worst] < first.recall[worst])
        assert (f"{100 * frequency[worst]:.2f}" in numbers(weakest)) == (frequency[worst] < 0.02)

        window, fcn = float(rng.uniform(0.01, 20)), float(rng.uniform(0.001, 1))
        sampled = {"window classifier": float(rng.uniform()), "FCN": float(rng.uniform()), "U-Net": 0.5}
        speed = findings.speed_finding(window, fcn, sampled, "window classifier", "FCN")
        assert re.search(r"the FCN labelled the crop (about as fast|\d+(\.\d)? times (faster|slower)):", speed)
        assert not re.search(r"(?<![\d.])[01] times|(?<![\d.])1\.0 times", speed)
        beats = sampled["window classifier"] > sampled["FCN"]
        assert ("beats" in speed) == beats != ("trails" in speed)
        ranked = re.findall(r"(\d\.\d{3}) \(\*([\w -]+)\*", speed)  # each mIoU with its model, best first
        assert {name: value for value, name in ranked} == {k: f"{v:.3f}" for k, v in sampled.items()}
        assert [value for value, _ in ranked] == sorted((value for value, _ in ranked), reverse=True)


def boundary(accuracy: float, by_distance: list[float], pixels: list[int] = (100, 100, 100, 100)) -> BoundaryScores:
    pixels = np.array(pixels)
    return BoundaryScores(3.0, 0.2, accuracy, 0.5, np.array([0, 2, 4, 8]), np.array(by_distance),
                          pixels / pixels.sum(), pixels)


def test_boundary_finding_compares_the_spread_near_and_far():
    scores = {"FCN": boundary(0.6, [0.5, 0.7, 0.9, 0.92]), "U-Net": boundary(0.8, [0.7, 0.85, 0.93, 0.95])}
    text = findings.boundary_finding(scores, far=4)
    # the band, each model's accuracy in it, the distance called far, and how many models are lower near
    assert numbers(text) == ["3", "0.600", "0.800", "4", "2", "2"]
    assert re.findall(r"\d\.\d{3} \(\*([\w-]+)\*", text) == ["FCN", "U-Net"]
    assert "more near boundaries" in text  # the spread of 0.2 near them against 0.03 far
    flat = {"FCN": boundary(0.8, [0.8, 0.8, 0.5, 0.5]), "U-Net": boundary(0.81, [0.8, 0.8, 0.9, 0.9])}
    text = findings.boundary_finding(flat, far=4)
    assert numbers(text)[-2:] == ["1", "2"] and "more far from boundaries" in text


def test_far_accuracy_pools_the_pixels_of_the_far_bins():
    # far from boundaries: 900 pixels at 0.5 and 100 at 0.95, so 0.545 pooled (0.725 as a mean of the two bins)
    scores = {"FCN": boundary(0.6, [0.5, 0.7, 0.5, 0.95], [50, 50, 900, 100]),
              "U-Net": boundary(0.8, [0.7, 0.85, 0.9, 0.9], [50, 50, 900, 100])}
    assert scores["FCN"].accuracy_from(4) == pytest.approx(0.545)
    text = findings.boundary_finding(scores, far=4)
    assert "lower than 4 px or more away for 1 of the 2 models" in text  # the FCN's 0.600 is above its 0.545
    assert "differ more far from boundaries than near them." in text  # 0.355 apart far, 0.200 near


def test_a_distance_without_pixels_is_left_out_of_the_far_accuracy():
    score = boundary(0.6, [0.5, 0.7, np.nan, 0.9], [50, 50, 0, 100])
    assert score.accuracy_from(4) == pytest.approx(0.9)
    assert np.isnan(score.accuracy_from(16))


@pytest.mark.parametrize(("difference", "p_value", "word"), [
    (0.02, 0.01, "better"), (-0.02, 0.01, "worse"), (0.02, 0.0499, "better"), (0.02, 0.05, "no detectable difference"),
    (-0.3, 0.2, "no detectable difference"), (0.0, 0.001, "no detectable difference")])
def test_verdict_words(difference, p_value, word):
    assert findings.verdict(difference, p_value) == word


@pytest.mark.parametrize(("seconds", "other_seconds", "text"), [
    (0.0042, 4.02, "957 times faster"), (1.0, 1.3, "1.3 times faster"), (1.0, 1.94, "1.9 times faster"),
    (2.0, 19.6, "9.8 times faster"), (1.0, 10.2, "10 times faster"), (2.5, 1.0, "2.5 times slower"),
    (4.0, 0.05, "80 times slower"), (1.02, 1.0, "about as fast"), (1.0, 1.0, "about as fast")])
def test_relative_speed_words_a_ratio_either_way(seconds, other_seconds, text):
    assert findings.relative_speed(seconds, other_seconds) == text


def test_speed_finding_says_when_the_window_classifier_is_faster():
    sampled = {"window classifier": 0.4, "FCN": 0.5}
    assert "the FCN labelled the crop 1.3 times faster:" in findings.speed_finding(
        1.3, 1.0, sampled, "window classifier", "FCN")
    assert "the FCN labelled the crop 2.5 times slower:" in findings.speed_finding(
        0.4, 1.0, sampled, "window classifier", "FCN")


def test_mirror_finding_words_each_change():
    text = findings.mirror_finding({"FCN": 0.4001, "U-Net": 0.62}, {"FCN": 0.4004, "U-Net": 0.6346})
    changes = re.findall(r"(left|raised|lowered) the ([\w-]+)'s", text)
    assert changes == [("left", "FCN"), ("raised", "U-Net")]  # equal to 3 decimals: left as it was
    assert numbers(text) == ["0.400", "0.620", "0.635"]
    text = findings.mirror_finding({"U-Net": 0.62}, {"U-Net": 0.61})
    assert re.findall(r"(left|raised|lowered) the ([\w-]+)'s", text) == [("lowered", "U-Net")]
    assert numbers(text) == ["0.620", "0.610"]


@pytest.mark.parametrize(("part", "whole", "word"), [(0.51, 1.0, "most"), (0.5, 1.0, "the largest share"),
                                                     (0.138, 0.421, "the largest share")])
def test_most_means_more_than_half(part, whole, word):
    assert findings.share_word(part, whole) == word


def test_filter_finding_follows_the_smoothness_of_the_filters():
    noise = torch.randn(20, 1, 5, 5, generator=torch.Generator().manual_seed(0))
    ramp = torch.linspace(-1, 1, 5).repeat(20, 1, 5, 1)  # every row a smooth ramp: an edge detector
    assert findings.neighbour_correlation(ramp) > 0.5 > abs(findings.neighbour_correlation(noise))
    text = findings.filter_finding(ramp, noise, "LeNet", 6)
    assert "smooth kernels" in text and "noisy" not in text
    assert numbers(text) == [f"{findings.neighbour_correlation(ramp):.2f}", "6",
                             f"{findings.neighbour_correlation(noise):.2f}", "1"]
    assert "as noisy as at initialisation" in findings.filter_finding(noise, noise, "LeNet", 1)
    partly = noise + 1.5 * ramp
    text = findings.filter_finding(partly, noise, "LeNet", 2)
    assert findings.neighbour_correlation(partly) <= 0.5 and "far from smooth" in text
