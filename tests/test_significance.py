import math

import pytest
import torch

from utils import significance
from utils.errors import LabError
from utils.metrics import ConfusionMatrix, metrics_from_confusion
from utils.significance import grouped_confusions, mcnemar, paired_miou_test, per_image_confusions


def test_mcnemar_counts_only_disagreements_and_matches_the_binomial_tail():
    first = torch.tensor([True] * 10 + [False] * 2 + [True] * 50 + [False] * 7)
    second = torch.tensor([False] * 10 + [True] * 2 + [True] * 50 + [False] * 7)
    result = mcnemar(first, second)
    assert (result.only_first, result.only_second) == (10, 2)
    by_hand = 2 * sum(math.comb(12, k) for k in range(3)) / 2 ** 12  # two-sided exact, n = 12 discordant
    assert math.isclose(result.p_value, by_hand, rel_tol=1e-9)


def test_mcnemar_of_identical_answers_finds_nothing():
    answers = torch.rand(500, generator=torch.Generator().manual_seed(1)) < 0.9
    result = mcnemar(answers, answers)
    assert (result.only_first, result.only_second, result.p_value) == (0, 0, 1.0)


def test_mcnemar_refuses_answers_of_unequal_length():
    with pytest.raises(LabError, match="got 1 answers of the first model and 5 of the second") as err:
        mcnemar(torch.tensor([True]), torch.tensor([True, False, False, True, False]))
    assert "\n" not in str(err.value)


def test_grouped_confusions_leave_out_labels_outside_the_classes_as_the_confusion_matrix_does():
    groups = torch.tensor([0, 0, 0, 1, 1, 1])
    truth = torch.tensor([0, 3, 1, 1, -1, 255])  # 3, -1 and 255: no class of 3 (e.g. an ignore label)
    predicted = torch.tensor([0, 2, 1, 2, 0, 1])
    counts = grouped_confusions(groups, truth, predicted, 2, 3)
    assert counts.tolist() == [[[1, 0, 0], [0, 1, 0], [0, 0, 0]], [[0, 0, 0], [0, 0, 1], [0, 0, 0]]]
    whole = ConfusionMatrix(3)
    whole.update(predicted, truth)
    assert torch.equal(counts.sum(0), whole.mat)


def _noisy(masks, keep, generator):
    return [torch.where(torch.rand(m.shape, generator=generator) < keep, m,
                        torch.randint(0, 4, m.shape, generator=generator)) for m in masks]


def test_per_image_confusions_sum_to_the_whole_split():
    generator = torch.Generator().manual_seed(0)
    masks = [torch.randint(0, 4, (7, 9), generator=generator) for _ in range(5)]
    preds = _noisy(masks, 0.6, generator)
    per_image = per_image_confusions(preds, masks, 4)
    assert per_image.shape == (5, 4, 4)
    whole = torch.zeros(4, 4, dtype=torch.int64)
    for pred, mask in zip(preds, masks, strict=True):
        for t, p in zip(mask.flatten().tolist(), pred.flatten().tolist(), strict=True):
            whole[t, p] += 1
    assert torch.equal(per_image.sum(0), whole)


def test_paired_test_separates_a_clearly_better_model_and_not_a_model_from_itself():
    generator = torch.Generator().manual_seed(0)
    masks = [torch.randint(0, 4, (20, 20), generator=generator) for _ in range(30)]
    good = per_image_confusions(_noisy(masks, 0.9, generator), masks, 4)
    poor = per_image_confusions(_noisy(masks, 0.5, generator), masks, 4)
    result = paired_miou_test(good, poor, permutations=2000)
    expected = metrics_from_confusion(good.sum(0))["miou"] - metrics_from_confusion(poor.sum(0))["miou"]
    assert math.isclose(result.difference, expected, rel_tol=1e-9)
    assert result.p_value < 0.01 and result.images_first_better == 30
    same = paired_miou_test(good, good, permutations=2000)
    assert same.difference == 0 and same.p_value == 1.0 and same.images_first_better == 0


def test_paired_test_of_two_equally_good_models_is_rarely_significant():
    generator = torch.Generator().manual_seed(3)
    masks = [torch.randint(0, 4, (20, 20), generator=generator) for _ in range(30)]
    p_values = [paired_miou_test(per_image_confusions(_noisy(masks, 0.7, generator), masks, 4),
                                 per_image_confusions(_noisy(masks, 0.7, generator), masks, 4),
                                 permutations=500, seed=seed).p_value for seed in range(20)]
    assert sum(p < 0.05 for p in p_values) <= 4  # about 1 in 20 expected by chance


def test_holm_adjusts_step_down_and_keeps_order():
    # sorted 0.01, 0.02, 0.04 get factors 3, 2, 1: 0.03, 0.04, then max(0.04, 0.04)
    assert significance.holm([0.04, 0.01, 0.02]) == pytest.approx([0.04, 0.03, 0.04])
    assert significance.holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert significance.holm([]) == []


def two_class(*rows: tuple[int, int, int, int]) -> torch.Tensor:
    """Per-image 2-class confusions, one (TP0, FN0, FP0, TP1) tuple an image: [[a, b], [c, d]]."""
    return torch.tensor([[[a, b], [c, d]] for a, b, c, d in rows])


# three sequences: A (2 images), B and C; the first model's per-sequence mIoU 1, 0.5833, 0.8167, the second's
# 0.775, 1, 0.5833 (e.g. B: [[5, 5], [0, 10]] gives IoU 5/10 and 10/15)
SEQUENCES = ["A", "A", "B", "C"]
FIRST = two_class((10, 0, 0, 10), (10, 0, 0, 10), (5, 5, 0, 10), (8, 2, 0, 10))
SECOND = two_class((5, 5, 0, 10), (10, 0, 0, 10), (10, 0, 0, 10), (5, 5, 0, 10))


def test_sequence_mious_sum_the_confusions_of_each_sequence():
    assert significance.sequence_mious(FIRST, SEQUENCES) == pytest.approx([1.0, 7 / 12, (0.8 + 10 / 12) / 2])
    assert significance.sequence_mious(SECOND, SEQUENCES) == pytest.approx([(0.75 + 0.8) / 2, 1.0, 7 / 12])


def test_sequence_test_is_scipys_paired_t_test_over_the_sequences():
    from scipy.stats import ttest_rel
    test = significance.paired_sequence_test(FIRST, SECOND, SEQUENCES)
    expected = ttest_rel([1.0, 7 / 12, (0.8 + 10 / 12) / 2], [0.775, 1.0, 7 / 12]).pvalue
    assert test.p_value == pytest.approx(expected) and (test.sequences, test.first_better) == (3, 2)


def test_one_sequence_or_equal_differences_give_p_one():
    one = significance.paired_sequence_test(FIRST, SECOND, ["A"] * 4)
    assert (one.p_value, one.sequences) == (1.0, 1)
    same = significance.paired_sequence_test(FIRST, FIRST, SEQUENCES)
    assert (same.p_value, same.sequences, same.first_better) == (1.0, 3, 0)


def test_sequence_test_needs_a_sequence_per_image():
    with pytest.raises(LabError):
        significance.paired_sequence_test(FIRST, SECOND, ["A", "B"])


def test_the_smallest_sign_flip_p_is_two_of_all_sign_patterns():
    from utils.significance import smallest_sign_flip_p
    assert smallest_sign_flip_p(6) == 2 / 64 and smallest_sign_flip_p(1) == 1.0 and smallest_sign_flip_p(0) == 1.0


def test_sign_flip_test_finds_a_steady_shift_and_not_noise():
    from utils.significance import sign_flip_test
    noise = torch.randn(2000, generator=torch.Generator().manual_seed(1))
    assert sign_flip_test(noise + 0.5) == 1 / 10001  # no sign pattern moves the mean this far
    assert sign_flip_test(noise) > 0.05
    assert sign_flip_test(torch.zeros(10)) == 1.0  # no difference at all
