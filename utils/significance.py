"""Paired tests for two models scored on the same test items: McNemar's exact test on per-image right/wrong
(classification), sign-flip permutation tests of a mean difference over items (per-digit losses) and of the mIoU
difference over images (segmentation)."""
from dataclasses import dataclass

import torch
from scipy.stats import binomtest, ttest_rel

from .errors import check
from .metrics import count_confusions, iou_per_class


@dataclass(frozen=True)
class McNemar:
    """McNemar's exact test: only the items the two models disagree on count."""

    only_first: int  # items the first model gets right and the second wrong
    only_second: int  # items the second gets right and the first wrong
    p_value: float  # two-sided: the chance of a split at least this uneven if both were equally good


def mcnemar(first_correct: torch.Tensor, second_correct: torch.Tensor) -> McNemar:
    """Compare two models' right/wrong answers on the same items (boolean tensors of equal length)."""
    first_correct, second_correct = first_correct.bool().flatten(), second_correct.bool().flatten()
    check(len(first_correct) == len(second_correct),
          f"McNemar's test pairs the answers item by item: got {len(first_correct)} answers of the first model and "
          f"{len(second_correct)} of the second; score both on the same items")
    only_first = int((first_correct & ~second_correct).sum())
    only_second = int((~first_correct & second_correct).sum())
    discordant = only_first + only_second
    p_value = binomtest(only_first, discordant, 0.5).pvalue if discordant else 1.0
    return McNemar(only_first, only_second, float(p_value))


def grouped_confusions(groups: torch.Tensor, truth: torch.Tensor, predicted: torch.Tensor, num_groups: int,
                       num_classes: int) -> torch.Tensor:
    """One confusion matrix per group (e.g. per image) of labelled items, stacked (groups, C, C); items whose
    true label is outside [0, C) are left out, as ConfusionMatrix does."""
    return count_confusions(truth, predicted, num_classes, groups, num_groups)


def per_image_confusions(predictions: list[torch.Tensor], masks: list[torch.Tensor],
                         num_classes: int) -> torch.Tensor:
    """One confusion matrix per image, stacked (images, C, C); rows = truth, columns = prediction."""
    return torch.stack([grouped_confusions(torch.zeros_like(mask), mask, pred, 1, num_classes)[0]
                        for pred, mask in zip(predictions, masks, strict=True)])


@dataclass(frozen=True)
class PairedMiou:
    """The mIoU difference of two models on the same images, and how often chance alone gives one as large."""

    difference: float  # mIoU of the first minus mIoU of the second
    p_value: float  # two-sided, from swapping the two models' predictions on random subsets of images
    images_first_better: int  # images on which the first model's pixel accuracy is higher
    images: int


def mean_iou(confusions: torch.Tensor, classes: list[int] | None = None) -> torch.Tensor:
    """The mIoU of each confusion matrix of a batch (..., C, C), over all classes or the listed ones."""
    iou = iou_per_class(confusions)
    return (iou if classes is None else iou[..., classes]).mean(-1)


def _pixel_accuracy(confusions: torch.Tensor) -> torch.Tensor:
    return confusions.diagonal(dim1=-2, dim2=-1).sum(-1) / confusions.sum((-2, -1)).clamp(min=1)


def sign_flip_test(differences: torch.Tensor, permutations: int = 10000, seed: int = 0, chunk: int = 500) -> float:
    """Two-sided p of a paired mean difference (per item: first minus second), assuming no distribution: under the
    null hypothesis each difference is as likely negative as positive, so random sign flips give its null spread."""
    differences = differences.double().flatten()
    observed = abs(float(differences.mean()))
    generator = torch.Generator().manual_seed(seed)
    at_least = 0
    for start in range(0, permutations, chunk):  # a chunk of sign patterns at a time: bounded memory
        signs = torch.randint(0, 2, (min(chunk, permutations - start), len(differences)), generator=generator) * 2 - 1
        at_least += int(((signs.double() @ differences).abs() / len(differences) >= observed - 1e-12).sum())
    return (at_least + 1) / (permutations + 1)


def paired_miou_test(first: torch.Tensor, second: torch.Tensor, permutations: int = 10000,
                     seed: int = 0, classes: list[int] | None = None) -> PairedMiou:
    """Sign-flip permutation test on per-image confusion matrices (images, C, C) of two models: under the null
    hypothesis either model could have produced either prediction of each image (classes: the mIoU's, or all)."""
    first, second = first.double(), second.double()
    observed = float(mean_iou(first.sum(0), classes) - mean_iou(second.sum(0), classes))
    images, size = first.shape[0], first.shape[-1]
    swap = (torch.rand(permutations, images, generator=torch.Generator().manual_seed(seed)) < 0.5).double()
    change = (second - first).reshape(images, -1)  # what swapping image i moves from one sum to the other
    first_sums = (first.sum(0).flatten() + swap @ change).reshape(-1, size, size)
    second_sums = (second.sum(0).flatten() - swap @ change).reshape(-1, size, size)
    null = mean_iou(first_sums, classes) - mean_iou(second_sums, classes)
    p_value = float(((null.abs() >= abs(observed) - 1e-12).sum() + 1) / (permutations + 1))
    better = int((_pixel_accuracy(first) > _pixel_accuracy(second)).sum())
    return PairedMiou(observed, p_value, better, images)


@dataclass(frozen=True)
class PairedSequences:
    """A paired t-test over whole test sequences of each model's per-sequence mIoU (frames of a sequence are alike)."""

    p_value: float  # two-sided; 1.0 where there are fewer than 2 sequences or the differences do not vary
    sequences: int
    first_better: int  # sequences on which the first model's mIoU is higher


def sequence_mious(confusions: torch.Tensor, sequences: list[str], classes: list[int] | None = None) -> list[float]:
    """The mIoU (over all classes or the listed ones) of each sequence, in order of first appearance, from
    per-image confusions (images, C, C)."""
    names = list(dict.fromkeys(sequences))
    return [float(mean_iou(confusions[[s == name for s in sequences]].double().sum(0), classes)) for name in names]


def paired_sequence_test(first: torch.Tensor, second: torch.Tensor, sequences: list[str],
                         classes: list[int] | None = None) -> PairedSequences:
    """Paired t-test (scipy's ttest_rel) of two models' per-sequence mIoU (over all classes or the listed ones);
    sequences: each image's sequence."""
    check(len(sequences) == first.shape[0] == second.shape[0],
          f"one sequence name per image: got {len(sequences)} names for {first.shape[0]} and {second.shape[0]} images")
    first_mious, second_mious = sequence_mious(first, sequences, classes), sequence_mious(second, sequences, classes)
    differences = [a - b for a, b in zip(first_mious, second_mious, strict=True)]
    better = sum(d > 0 for d in differences)
    if len(differences) < 2 or max(differences) - min(differences) < 1e-12:
        return PairedSequences(1.0, len(differences), better)
    return PairedSequences(float(ttest_rel(first_mious, second_mious).pvalue), len(differences), better)


def holm(p_values: list[float]) -> list[float]:
    """Holm's step-down adjustment of a family of p-values, in their order: a family's verdicts at the adjusted
    p < alpha keep the chance of any false 'detectable' at most alpha."""
    order = sorted(range(len(p_values)), key=lambda index: p_values[index])
    adjusted, running = [0.0] * len(p_values), 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted


def smallest_sign_flip_p(pairs: int) -> float:
    """The smallest two-sided p an exact sign-flip (permutation) test of `pairs` paired differences can give: every
    difference of one sign, 2 of the 2**pairs sign patterns."""
    return min(1.0, 2 / 2 ** pairs)
