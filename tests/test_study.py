import pytest
import torch

from utils import probes, study
from utils.errors import LabError


def test_judge_adjusts_a_family_with_holm_and_words_each_verdict():
    tests = [study.Paired("a", "test accuracy", 0.99, 0.98, "McNemar", 0.02),
             study.Paired("b", "test accuracy", 0.97, 0.98, "McNemar", 0.01),
             study.Paired("c", "test cross-entropy", 0.10, 0.20, "paired t-test", 0.2, higher_is_better=False)]
    judged = study.judge("family", tests)
    assert [j.adjusted for j in judged] == pytest.approx([0.04, 0.03, 0.2])
    assert [j.verdict for j in judged] == ["better", "worse", "no detectable difference"]
    assert judged[0].as_record() == {"family": "family", "comparison": "a", "difference": pytest.approx(0.01),
                                     "p": pytest.approx(0.04), "verdict": "better"}


def test_lower_loss_is_better():
    assert study.verdict(-0.1, 0.001, higher_is_better=False) == "better"
    assert study.verdict(0.1, 0.001, higher_is_better=False) == "worse"
    assert study.verdict(0.1, 0.05) == "no detectable difference"


def test_loss_test_is_a_sign_flip_permutation_test():
    first, second = torch.tensor([0.1, 0.4, 0.3, 0.2, 0.5]), torch.tensor([0.3, 0.5, 0.6, 0.2, 0.9])
    paired = study.loss_test("x", first, second)
    # differences -0.2, -0.1, -0.3, 0, -0.4: of the 16 sign patterns of the four non-zero ones, only all-minus and
    # all-plus reach a mean this far from 0, so the exact p is 2/16
    assert paired.p_value == pytest.approx(2 / 16, abs=0.01) and paired.test == "permutation"
    assert (paired.first, paired.second, paired.higher_is_better) == (pytest.approx(0.3), pytest.approx(0.5), False)


def test_sign_test_counts_wins_and_leaves_ties_out():
    first = torch.tensor([2.0] * 9 + [0.0] + [1.0] * 5)
    second = torch.tensor([1.0] * 9 + [1.0] + [1.0] * 5)
    paired = study.sign_test("x", first, second, "smoothness")
    assert paired.p_value == pytest.approx(22 / 1024)  # 9 wins, 1 loss: 2 * P(X >= 9) = 2 * 11 / 1024


def test_accuracy_test_is_mcnemar_on_the_same_items():
    first = torch.tensor([True] * 10 + [False] * 2 + [True] * 50)
    second = torch.tensor([False] * 10 + [True] * 2 + [True] * 50)
    paired = study.accuracy_test("x", first, second)
    assert paired.first == pytest.approx(60 / 62) and paired.second == pytest.approx(52 / 62)
    assert paired.p_value == pytest.approx(0.0385742, abs=1e-6)  # binomial, 2 of 12 discordant


def test_regularisation_recipes_change_one_thing_each():
    recipes = study.regularisation_recipes(2000, 20, 3e-3, 0.5)
    plain = recipes["plain"]
    assert (plain.limit, plain.epochs, plain.schedule) == (2000, 20, "onecycle")
    changed = {name: {key for key, value in vars(recipe).items() if vars(plain)[key] != value}
               for name, recipe in recipes.items()}
    assert changed == {"plain": set(), "+ dropout 0.5": {"dropout"}, "+ augmentation": {"augment"},
                       "+ batch norm": {"batch_norm"}}


def test_optimizer_pairs_name_recipes_of_the_sweep_each_tested_at_its_own_best_rate():
    names = set(study.sweep_recipes(8000))
    assert all(first in names and second in names for first, second in study.OPTIMIZER_PAIRS)
    assert study.sweep_recipes(8000)["Adam, one-cycle"].schedule == "onecycle"


def test_shift_moves_every_digit_by_the_given_pixels():
    images = torch.zeros(40, 28, 28, dtype=torch.uint8)
    images[:, 10:18, 12:16] = 255
    moved = probes.shift_digits(images, 2, seed=1)
    assert moved.dtype == torch.uint8 and (moved.float().sum((1, 2)) == images.float().sum((1, 2))).all()
    rows = moved.float().sum(2).argmax(1)  # first bright row
    cols = moved.float().sum(1).argmax(1)
    offsets = {(int(r) - 10, int(c) - 12) for r, c in zip(rows, cols, strict=True)}
    assert offsets <= {(2, 0), (-2, 0), (0, 2), (0, -2)} and len(offsets) > 1
    with pytest.raises(LabError, match="28"):
        probes.shift_digits(images, 28)


def test_noise_is_clipped_and_has_the_given_spread():
    noisy = probes.add_noise(torch.full((100, 28, 28), 128, dtype=torch.uint8), 0.1, seed=0)
    assert noisy.min() >= 0 and noisy.max() <= 1
    assert float(noisy.std()) == pytest.approx(0.1, rel=0.05)


def test_spatial_correlation_is_one_for_ramps_and_near_zero_for_noise():
    ramp = torch.arange(16.0).repeat(16, 1).expand(2, 3, 16, 16) + torch.arange(16.0)[:, None]
    noise = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    assert probes.spatial_correlation(ramp).min() > 0.8
    assert probes.spatial_correlation(noise).abs().max() < 0.1


def test_relative_variation_is_the_mean_step_over_the_mean_value():
    ramp = torch.arange(8.0).repeat(8, 1)[None, None]  # steps of 1 across, 0 down; mean value 3.5
    assert torch.allclose(probes.relative_variation(ramp), torch.tensor([0.5 / 3.5]))
    checkerboard = ((torch.arange(8)[:, None] + torch.arange(8)) % 2).float()[None, None]  # steps of 1, mean 0.5
    assert torch.allclose(probes.relative_variation(checkerboard), torch.tensor([2.0]))
    assert probes.relative_variation(torch.zeros(1, 1, 4, 4)).item() == 0.0


def test_operator_smoothness_pools_the_same_maps_both_ways():
    from utils.models import LeNet
    from utils.run import Run
    model = LeNet()
    images = torch.rand(8, 28, 28, generator=torch.Generator().manual_seed(0))
    data = study.StudyData((images, torch.zeros(8)), None, None, 0.0, 1.0, 8, 0)
    smooth = study.operator_smoothness(model, images, data, Run(torch.device("cpu")))
    assert smooth["max"].shape == smooth["avg"].shape == (8,)
    with torch.no_grad():
        maps = model.eval().features[:2](images.unsqueeze(1))
    expected = probes.spatial_correlation(torch.nn.functional.avg_pool2d(maps, 2))
    assert torch.allclose(smooth["avg"], expected, atol=1e-5)
    rough = study.operator_smoothness(model, images, data, Run(torch.device("cpu")), probes.relative_variation)
    assert torch.allclose(rough["max"], probes.relative_variation(torch.nn.functional.max_pool2d(maps, 2)), atol=1e-5)



def test_compared_runs_take_each_best_rate_but_one_cycle_at_constant_adams_peak():
    sweep = {"Adam": {0.001: "adam-1", 0.003: "adam-3"}, "Adam, one-cycle": {0.003: "cycle-3", 0.01: "cycle-10"},
             "SGD": {0.1: "sgd-1"}}
    runs = study.compared_runs(sweep, {"Adam": 0.003, "Adam, one-cycle": 0.01, "SGD": 0.1})
    assert runs == {"Adam": "adam-3", "Adam, one-cycle": "cycle-3", "SGD": "sgd-1"}
    assert study.compared_rates({"Adam": 0.003, "Adam, one-cycle": 0.01, "SGD": 0.1}) == {
        "Adam": 0.003, "Adam, one-cycle": 0.003, "SGD": 0.1}
    assert study.compared_rates({"SGD": 0.1}) == {"SGD": 0.1}
