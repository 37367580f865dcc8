import re

import pytest
import torch

from utils import findings

CLASSES = ["clutter", "building", "road", "static car", "tree", "low vegetation", "human", "moving car"]
VERDICTS = ("better", "worse", "no detectable difference")


def numbers(text: str) -> list[str]:
    """The numbers a finding states, in order, as written (e.g. "0.612", "98.50", "3")."""
    return re.findall(r"-?\d+(?:\.\d+)?", text)


def verdicts(text: str) -> list[str]:
    """The verdicts a finding states, in order."""
    return re.findall("|".join(VERDICTS), text)


@pytest.mark.parametrize(("difference", "p_value", "word"), [
    (0.02, 0.01, "better"), (-0.02, 0.01, "worse"), (0.02, 0.0499, "better"), (0.02, 0.05, "no detectable difference"),
    (-0.3, 0.2, "no detectable difference"), (0.0, 0.001, "no detectable difference")])
def test_verdict_words(difference, p_value, word):
    assert findings.verdict(difference, p_value, margin=0.01) == word  # every difference here is above the margin
    assert findings.verdict(difference, p_value) == word


def test_a_difference_under_the_margin_is_none_however_small_its_p():
    assert findings.verdict(-0.0049, 0.018, margin=0.01) == "no detectable difference"
    assert findings.verdict(-0.0049, 0.018) == "worse"
    assert findings.verdict(0.011, 0.018, margin=0.01) == "better"


def test_filter_finding_follows_the_smoothness_of_the_filters():
    noise = torch.randn(20, 1, 5, 5, generator=torch.Generator().manual_seed(0))
    ramp = torch.linspace(-1, 1, 5).repeat(20, 1, 5, 1)  # every row a smooth ramp: an edge detector
    assert findings.neighbour_correlation(ramp) > 0.5 > abs(findings.neighbour_correlation(noise))
    text = findings.filter_finding(ramp, noise, "LeNet", 6)
    assert "smooth kernels" in text and "noisy" not in text
    assert numbers(text) == ["6"]  # the correlations are printed beside it, not repeated
    assert "as noisy as at initialisation" in findings.filter_finding(noise, noise, "LeNet", 1)
    partly = noise + 1.5 * ramp
    text = findings.filter_finding(partly, noise, "LeNet", 2)
    assert findings.neighbour_correlation(partly) <= 0.5 and "far from smooth" in text



@pytest.mark.parametrize("items, text", [([], ""), (["a"], "a"), (["a", "b"], "a and b"),
                                         (["a", "b", "c"], "a, b and c")])
def test_join_and_lists_in_prose(items, text):
    assert findings.join_and(items) == text


def test_stated_keeps_only_the_sentences_whose_condition_holds_in_order():
    assert findings.stated((True, "A."), (False, "B."), (True, "C.")) == "A. C."
    assert findings.stated((False, "A.")) == ""


def test_join_and_takes_another_conjunction():
    assert findings.join_and(["a", "b", "c"], "or") == "a, b or c" and findings.join_and(["a"], "or") == "a"
