import torch
from torch import nn

from utils import mnist_findings
from utils.results import History, Trained
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


def test_usable_rates_are_those_reaching_the_same_floor_for_every_recipe():
    runs = {0.01: trained("a", [0.899]), 0.1: trained("b", [0.985]), 1.0: trained("c", [0.90])}
    assert mnist_findings.usable_rates(runs) == [0.1, 1.0]
    assert mnist_findings.usable_rates(runs, floor=0.95) == [0.1]


def test_grid_edge_note_names_the_recipes_whose_window_reaches_an_end_of_the_grid():
    inside = {0.01: trained("a", [0.5]), 0.1: trained("b", [0.95]), 1.0: trained("c", [0.1])}
    low = {0.01: trained("a", [0.93]), 0.1: trained("b", [0.95]), 1.0: trained("c", [0.1])}
    high = {0.01: trained("a", [0.5]), 0.1: trained("b", [0.95]), 1.0: trained("c", [0.96])}
    assert mnist_findings.grid_edge_note({"SGD": inside}) == ""
    assert mnist_findings.grid_edge_note({"SGD": inside, "Adam": low, "SGD + batch norm": high}) == (
        "Windows reaching a grid end may be wider: *Adam* and *SGD + batch norm*.")


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
    assert "These 2 pairs hold most of *LeNet*'s surest mistakes." in text and "(described, not measured)" in text
    text = mnist_findings.confusion_finding(confusion, torch.tensor([1, 1, 2]), torch.tensor([7, 7, 0]), "LeNet")
    assert "surest mistakes." not in text


def test_probe_table_shows_the_change_from_the_clean_digits():
    table = mnist_findings.probe_table({"as given": {"max": 0.99}, "moved 2 px": {"max": 0.95}}, "as given")
    assert table.splitlines()[-1] == "| moved 2 px | 95.00 % | -4.00 |"


def test_smoothness_table_names_whose_maps_both_operators_pool():
    table = mnist_findings.smoothness_table({"max pooling": {"correlation": 0.55, "variation": 1.4},
                                             "average pooling": {"correlation": 0.53, "variation": 1.5}},
                                            {"average pooling": {"correlation": 0.51, "variation": 1.6}}, "max-pooling")
    assert table.splitlines()[0] == "| LeNet | pooling of its conv 1 maps | correlation | variation |"
    assert table.splitlines()[2] == "| max-pooling | max pooling (its own) | 0.550 | 1.400 |"
    assert table.splitlines()[-1] == "| max-pooling | average pooling | 0.510 | 1.600 |"


def test_verdict_table_shows_raw_and_holm_p_and_the_verdict():
    table = mnist_findings.verdict_table([judged("LeNet against the MLP", 0.99, 0.97, "better")])
    assert "Holm p (family of 1)" in table and "p = 0.002" in table and "+2.00 points" in table
    smooth = mnist_findings.verdict_table([judged("average against max", 0.5, 0.55, "worse",
                                                  mnist_findings.SMOOTHNESS)])
    assert smooth.splitlines()[-1].endswith("| less smooth |")
    assert table.splitlines()[-1].endswith("| better |")





def test_outcome_words_the_verdict_with_its_difference_and_holm_p():
    accuracy = Judged("optimizers", "Adam against SGD", "test accuracy", 0.97, 0.95, "McNemar", 0.0001, 0.0004,
                      "better")
    assert mnist_findings.outcome(accuracy) == "better (+2.00 points, Holm p < 0.001)"
    loss = Judged("regularisation", "+ dropout 0.5 against plain", "test cross-entropy", 0.10, 0.12, "paired t-test",
                  0.02, 0.04, "better", higher_is_better=False)
    assert mnist_findings.outcome(loss) == "better (-0.020 test cross-entropy, Holm p = 0.040)"
