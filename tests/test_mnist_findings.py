import torch
from torch import nn

from utils import conclusion, mnist_findings
from utils.results import History, Trained
from utils.seg_findings import curve_summary
from utils.study import Judged


def trained(name: str, val_accuracy: list[float], val_loss: list[float] | None = None) -> Trained:
    history = History()
    for epoch, accuracy in enumerate(val_accuracy, start=1):
        history.append(epoch=epoch, train_loss=0.1, train_accuracy=0.99, val_loss=(val_loss or [0.1] * 99)[epoch - 1],
                       val_accuracy=accuracy, val_miou=0.0, lr=0.1, seconds=1.0)
    history.best_epoch = max(range(1, len(val_accuracy) + 1), key=lambda epoch: val_accuracy[epoch - 1])
    return Trained(name, nn.Linear(2, 2), "sgd 0.1", history, torch.tensor([True, False]), torch.tensor([0.1, 2.0]))


def judged(comparison: str, first: float, second: float, verdict: str, measure: str = "test accuracy") -> Judged:
    return Judged("family", comparison, measure, first, second, "McNemar", 0.001, 0.002, verdict)


def test_usable_rates_are_those_within_a_point_of_the_best():
    runs = {0.01: trained("a", [0.90]), 0.1: trained("b", [0.985]), 1.0: trained("c", [0.978])}
    assert mnist_findings.usable_rates(runs) == [0.1, 1.0]


def test_sweep_finding_credits_batch_norm_only_when_it_widens_the_range():
    narrow = {0.01: trained("a", [0.97]), 0.1: trained("b", [0.5])}
    wide = {0.01: trained("a", [0.975]), 0.1: trained("b", [0.98])}
    text = mnist_findings.sweep_finding({"SGD": narrow, "SGD + batch norm": wide},
                                        {"SGD": 0.01, "SGD + batch norm": 0.1})
    assert "widens" in text and "2 of 2" in text
    text = mnist_findings.sweep_finding({"SGD": wide, "SGD + batch norm": narrow},
                                        {"SGD": 0.1, "SGD + batch norm": 0.01})
    assert "widens" not in text


def test_confused_pairs_are_the_largest_off_diagonal_counts():
    confusion = torch.eye(10, dtype=torch.long) * 100
    confusion[4, 9], confusion[3, 5], confusion[7, 1] = 12, 7, 3
    assert mnist_findings.confused_pairs(confusion) == [(4, 9, 12), (3, 5, 7), (7, 1, 3)]
    assert mnist_findings.confused_pairs(torch.eye(10) * 5) == []


def test_confusion_finding_tables_the_pairs_and_the_surest_mistakes_in_them():
    confusion = torch.eye(10, dtype=torch.long) * 100
    confusion[4, 9], confusion[3, 5] = 12, 7
    text = mnist_findings.confusion_finding(confusion, torch.tensor([4, 4, 2]), torch.tensor([9, 9, 0]), "LeNet")
    rows = [line for line in text.splitlines() if line.startswith("| 4") or line.startswith("| 3")]
    assert rows[0].startswith("| 4 | 9 | 12 | 2 |") and rows[1].startswith("| 3 | 5 | 7 | 0 |")
    assert "*LeNet*'s 2 most confused pairs is described, not measured; these pairs hold most of its surest" in text


def test_curve_finding_says_overfitting_only_when_validation_loss_rose():
    rising = trained("a", [0.9, 0.95, 0.94], val_loss=[0.3, 0.2, 0.4])
    falling = trained("b", [0.9, 0.95, 0.96], val_loss=[0.3, 0.2, 0.1])
    text = mnist_findings.curve_finding({"rising": rising.history, "falling": falling.history})
    assert "lowest after epoch 2: it has begun to overfit" in text and text.count("no overfitting yet") == 1


def test_pooling_finding_explains_the_shift_verdict_and_leaves_noise_untested():
    family = [judged("average against max pooling, digits moved 2 px", 0.90, 0.95, "worse",
                     "accuracy, digits moved 2 px"),
              judged("average against max pooling, smoothness of the pooled maps", 0.5, 0.6, "worse",
                     "neighbour correlation")]
    accuracy = {"as given": {"max": 0.99, "avg": 0.98}, "moved 2 px": {"max": 0.95, "avg": 0.90},
                "noise σ = 0.4": {"max": 0.80, "avg": 0.85}}
    text = mnist_findings.pooling_finding(family, accuracy, "as given", "moved 2 px", ["noise σ = 0.4"],
                                          ("avg", "max"), {"max": 0.4, "avg": 0.7})
    assert ("max is more accurate (test), as on the digits as given, and loses less (-4.00 against -8.00 points, "
            "untested): a window's maximum stays put") in text
    assert "avg loses less (noise σ = 0.4)" in text and "not tested" in text
    assert "max's maps are the smoother" in text and "and avg the smoother operator" in text and "low-pass" in text
    text = mnist_findings.pooling_finding(family, accuracy, "as given", "moved 2 px", ["noise σ = 0.4"],
                                          ("avg", "max"), {"max": 0.7, "avg": 0.4})
    assert "and max the smoother operator" in text and "against the handout" in text


def test_noise_finding_names_one_network_only_where_it_loses_less_at_every_level():
    accuracy = {"as given": {"max": 0.99, "avg": 0.99}, "noise 0.2": {"max": 0.98, "avg": 0.97},
                "noise 0.4": {"max": 0.90, "avg": 0.92}, "noise 0.6": {"max": 0.70, "avg": 0.65}}
    mixed = mnist_findings.noise_finding(accuracy, "as given", ["noise 0.2", "noise 0.4", "noise 0.6"], ("avg", "max"))
    assert mixed.endswith("the smaller drop goes to avg at 0.4; max at 0.2, 0.6.")
    same = mnist_findings.noise_finding(accuracy, "as given", ["noise 0.2", "noise 0.6"], ("avg", "max"))
    assert same == "- **Noisy digits** (described, not tested): max loses less at every level."


def test_probe_table_shows_the_change_from_the_clean_digits():
    table = mnist_findings.probe_table({"as given": {"max": 0.99}, "moved 2 px": {"max": 0.95}}, "as given")
    assert table.splitlines()[-1] == "| moved 2 px | 95.00 % | -4.00 |"


def test_verdict_table_shows_raw_and_holm_p_and_the_verdict():
    table = mnist_findings.verdict_table([judged("LeNet against the MLP", 0.99, 0.97, "better")])
    assert "Holm p (family of 1)" in table and "p = 0.002" in table and "+2.00 points" in table
    assert table.splitlines()[-1].endswith("| better |")


def test_conclusion_states_each_verdict_with_its_numbers():
    lines = conclusion.mnist_lines(judged("LeNet against the MLP", 0.99, 0.97, "better"),
                                   [judged("Adam against SGD", 0.95, 0.9, "better")],
                                   [judged("+ dropout 0.5 against plain", 0.2, 0.3, "better", "test cross-entropy")],
                                   [judged("a", 0.9, 0.95, "worse", "accuracy, moved 2 px"),
                                    judged("b", 0.5, 0.6, "worse", "neighbour correlation")], 8000)
    text = "\n".join(lines)
    assert "99.00 % against 97.00 % (better)" in text and "Adam against SGD: better" in text and "8,000" in text
    assert "+ dropout 0.5 better" in text and "accuracy, moved 2 px worse; neighbour correlation lower." in text


def test_conclusion_groups_the_segmentation_verdicts():
    from types import SimpleNamespace as Record
    scores = Record(miou=0.5, name="U-Net")
    comparisons = [Record(topic="Skip connections", verdict="no detectable difference", first=scores, second=scores),
                   Record(topic="Training length", verdict="better", first=scores, second=scores)]
    window = [Record(topic="Window against FCN", verdict="better", first=Record(miou=0.455, name="window"),
                     second=Record(miou=0.364, name="FCN"))]
    rising = curve_summary("FCN", History(epoch=[1, 2, 3, 4], val_miou=[0.2, 0.25, 0.3, 0.35],
                                          val_loss=[1.0, 0.9, 0.8, 0.7], best_epoch=4))
    text = "\n".join(conclusion.segmentation_lines(comparisons, window, 0.002, 4.0, rising, True))
    assert "better: Training length; no detectable difference: Skip connections" in text
    assert "2000 times faster" in text and "(mIoU 0.455 against 0.364)" in text and "stand-in" in text
    assert "against an FCN of 4 epochs still improving: a verdict on this budget." in text
    flat = curve_summary("FCN", History(epoch=[1, 2, 3, 4], val_miou=[0.2, 0.35, 0.35, 0.35],
                                        val_loss=[1.0, 0.9, 0.8, 0.7], best_epoch=4))
    text = "\n".join(conclusion.segmentation_lines(comparisons, window, 0.002, 4.0, flat, True))
    assert "against an FCN of 4 epochs." in text and "still rising" not in text


def test_regularisation_finding_gives_each_better_regulariser_its_mechanism_and_names_the_worse():
    runs = {name: trained(name, [0.95, 0.96]) for name in ("plain", "+ dropout 0.5", "+ augmentation")}
    runs["plain"] = trained("plain", [0.94, 0.96])
    runs["+ batch norm"] = trained("+ batch norm", [0.955, 0.96])  # the same gap, 1.5 points ahead after epoch 1
    fitted = {"plain": {"accuracy": 1.0, "loss": 0.001}, "+ dropout 0.5": {"accuracy": 0.995, "loss": 0.009},
              "+ augmentation": {"accuracy": 0.975, "loss": 0.02}, "+ batch norm": {"accuracy": 1.0, "loss": 0.001}}
    family = [judged("+ dropout 0.5 against plain", 0.10, 0.12, "better", "test cross-entropy"),
              judged("+ augmentation against plain", 0.13, 0.12, "worse", "test cross-entropy"),
              judged("+ batch norm against plain", 0.09, 0.12, "better", "test cross-entropy")]
    text = mnist_findings.regularisation_finding(runs, fitted, family, "plain")
    assert "100.00 % on its own training digits against 96.00 % on validation: it memorises them." in text
    assert "Lower test cross-entropy with + dropout 0.5, + batch norm: dropout silences" in text
    assert ("+ batch norm fits at least as tightly as plain (train loss 0.001 against 0.001) but learns faster "
            "(val acc after epoch 1: 95.50 % against 94.00 %): an optimisation effect.") in text
    assert "each batch's own statistics" not in text and "augmentation moves" not in text
    runs["+ batch norm"] = trained("+ batch norm", [0.945, 0.96])
    unexplained = mnist_findings.regularisation_finding(runs, fitted, family, "plain")
    assert "+ batch norm fits at least as tightly as plain (train loss 0.001 against 0.001): the run does not show " \
        "why" in unexplained
    assert "Higher with + augmentation." in text and text.endswith("narrower by a point or more: + augmentation.")
