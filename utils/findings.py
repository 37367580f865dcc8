"""Wording shared by the findings: percentages, p-values, verdicts (better, worse, no detectable difference) and
lists in prose, so that a re-run with other settings, data or hardware states what that run measured.
"""
import torch

from .probes import spatial_correlation

ALPHA = 0.05  # a paired test's p-value below this calls a difference detectable
LOSS_RISE = 0.05  # validation loss "up from its lowest": more than this share above its minimum

def pct(fraction: float) -> str:
    return f"{100 * fraction:.2f} %"


def join_and(items: list[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c' (or another conjunction: 'a, b or c')."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def stated(*candidates: tuple[bool, str]) -> str:
    """The sentences whose condition holds, in order: a finding is said only where the run shows it."""
    return " ".join(sentence for holds, sentence in candidates if holds)


def rose(last: float, lowest: float) -> bool:
    """Whether a validation loss ended more than LOSS_RISE above its lowest: up from it, not noise."""
    return last > lowest * (1 + LOSS_RISE)


def expected(held: bool, source: str = "our expectation") -> str:
    """', as expected' where a result bears out the expectation written before it, else ', against <source>'."""
    return ", as expected" if held else f", against {source}"


def capital(text: str) -> str:
    """The text with its first letter upper case, the rest as it is ('sGD' stays)."""
    return text[:1].upper() + text[1:]


def p_text(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def verdict(difference: float, p_value: float, margin: float = 0.0) -> str:
    """'better', 'worse' or 'no detectable difference' for a paired difference and its test; a difference smaller
    than `margin` counts as none, however small its p."""
    if p_value >= ALPHA or difference == 0 or abs(difference) < margin:
        return "no detectable difference"
    return "better" if difference > 0 else "worse"


# ----------------------------------------------------------------------------- Task 1


def epochs_text(count: int) -> str:
    return f"{count} epoch" + ("" if count == 1 else "s")


def neighbour_correlation(weight: torch.Tensor) -> float:
    """How smooth a conv layer's kernels are: the mean correlation of horizontally and vertically adjacent
    weights within a kernel (about 0 for noise, near 1 for smooth blobs and edges)."""
    return float(spatial_correlation(weight.detach().float().cpu().transpose(0, 1))[0])


def filter_finding(trained: torch.Tensor, initial: torch.Tensor, name: str, epochs: int) -> str:
    """How far the first-layer filters of a network have grown from noise (0) towards smooth kernels (1)."""
    after, before = neighbour_correlation(trained), neighbour_correlation(initial)
    if after > 0.5:
        verdict_text = "they have grown into smooth kernels"
    elif after > before + 0.1:
        verdict_text = "more ordered than at initialisation, still far from smooth"
    else:
        verdict_text = "they are still about as noisy as at initialisation"
    return f"*{name}*'s first-layer filters after {epochs_text(epochs)}: {verdict_text}."
