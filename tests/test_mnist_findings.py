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
    assert "These 2 pairs hold most of *LeNet*'s surest mistakes." in text and "(described, not measured)" in text
    text = mnist_findings.confusion_finding(confusion, torch.tensor([1, 1, 2]), torch.tensor([7, 7, 0]), "LeNet")
    assert "surest mistakes." not in text


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
            "untested): a stroke moved across a window border keeps its full strength") in text
    assert "avg loses less (noise σ = 0.4)" in text and "(untested)" in text
    assert "max's maps score higher (test), as does avg on the same conv 1 maps (untested)" in text
    assert "low-pass" in text
    text = mnist_findings.pooling_finding(family, accuracy, "as given", "moved 2 px", ["noise σ = 0.4"],
                                          ("avg", "max"), {"max": 0.7, "avg": 0.4})
    assert "as does max on the same" in text and "it does not settle the handout's smoother average pooling" in text


def test_noise_finding_names_one_network_only_where_it_loses_less_at_every_level():
    accuracy = {"as given": {"max": 0.99, "avg": 0.99}, "noise 0.2": {"max": 0.98, "avg": 0.97},
                "noise 0.4": {"max": 0.90, "avg": 0.92}, "noise 0.6": {"max": 0.70, "avg": 0.65}}
    mixed = mnist_findings.noise_finding(accuracy, "as given", ["noise 0.2", "noise 0.4", "noise 0.6"], ("avg", "max"))
    assert mixed.endswith("the smaller drop goes to avg at 0.4; max at 0.2, 0.6.")
    same = mnist_findings.noise_finding(accuracy, "as given", ["noise 0.2", "noise 0.6"], ("avg", "max"))
    assert same == "- **Noisy digits** (untested): max loses less at every level."


def test_probe_table_shows_the_change_from_the_clean_digits():
    table = mnist_findings.probe_table({"as given": {"max": 0.99}, "moved 2 px": {"max": 0.95}}, "as given")
    assert table.splitlines()[-1] == "| moved 2 px | 95.00 % | -4.00 |"


def test_verdict_table_shows_raw_and_holm_p_and_the_verdict():
    table = mnist_findings.verdict_table([judged("LeNet against the MLP", 0.99, 0.97, "better")])
    assert "Holm p (family of 1)" in table and "p = 0.002" in table and "+2.00 points" in table
    assert table.splitlines()[-1].endswith("| better |")


def test_conclusion_states_each_verdict_with_its_numbers_in_sentences():
    text = conclusion.mnist_summary(
        judged("LeNet against the MLP", 0.99, 0.97, "better"), 431_080, 535_818,
        [judged("SGD + momentum against SGD", 0.95, 0.9, "better"), judged("Adam against SGD + momentum", 0.96, 0.95,
                                                                          "better"),
         judged("Adam, one-cycle against Adam", 0.94, 0.96, "worse")],
        [judged("+ dropout 0.5 against plain", 0.2, 0.3, "better", "test cross-entropy"),
         judged("+ augmentation against plain", 0.1, 0.3, "better", "test cross-entropy"),
         judged("+ batch norm against plain", 0.3, 0.3, "no detectable difference", "test cross-entropy")], 2000,
        [judged("average against max pooling, digits moved 2 px", 0.9, 0.95, "worse", "accuracy, digits moved 2 px"),
         judged("smoothness", 0.5, 0.6, "worse", "neighbour correlation")],
        {"max pooling": 0.99, "average pooling": 0.98}, 8000)
    assert "LeNet reached 99.00 % against the MLP's 97.00 %, with fewer weights." in text
    assert ("after one epoch on 8,000 digits, SGD with momentum beat SGD, Adam beat SGD with momentum and Adam with "
            "one-cycle lost to Adam.") in text
    assert text.startswith("**Task 1.** Convolution")
    assert ("its 2,000 training digits, dropout 0.5 and augmentation each lowered the test cross-entropy, "
            "augmentation furthest (0.100 against 0.300, ranking untested); batch norm made no detectable "
            "difference.") in text
    assert ("Max pooling was the more accurate on digits moved 2 px (95.00 % against 90.00 %), though it also led on "
            "the digits as given (untested); max pooling's maps had the higher neighbour correlation, a measure that "
            "rewards thick strokes rather than the handout's smoothing.") in text
    worse = conclusion.mnist_summary(judged("LeNet against the MLP", 0.97, 0.98, "worse"), 600_000, 535_818, [], [],
                                     2000, [], {}, 8000)
    assert "with more weights: worse on these test digits." in worse and "Convolution suits" not in worse


def test_conclusion_words_the_segmentation_verdicts_and_bounds_the_window_verdict_by_the_budget():
    from types import SimpleNamespace as Record
    short, no_skips = Record(miou=0.52, epochs=6), Record(miou=0.39, epochs=6)
    long, fcn = Record(miou=0.635, epochs=24), Record(miou=0.37, epochs=6)

    def compared(topic: str, verdict: str, first: Record, second: Record) -> Record:
        return Record(topic=topic, verdict=verdict, first=first, second=second,
                      test=Record(difference=first.miou - second.miou))

    comparisons = [compared("Upsampling", "no detectable difference", fcn, fcn),
                   compared("Skip connections", "better", short, no_skips),
                   compared("U-Net against FCN", "better", short, fcn),
                   compared("Training length", "better", long, short)]
    window = [Record(topic="Window against FCN", verdict="better", first=Record(miou=0.455), second=Record(miou=0.364))]
    rising = curve_summary("FCN", History(epoch=[1, 2, 3, 4], val_miou=[0.2, 0.25, 0.3, 0.35],
                                          val_loss=[1.0, 0.9, 0.8, 0.7], best_epoch=4))
    text = conclusion.segmentation_summary(comparisons, window, 0.002, 4.0, rising, True)
    assert ("At 6 epochs each, skips added +0.130 mIoU, the U-Net over the FCN (more than one change) added +0.150 "
            "mIoU and transposed upsampling made no detectable difference.") in text
    assert "Training 4 times as long added +0.115 mIoU." in text
    assert ("The sliding window scored higher than the FCN on the same sampled pixels (mIoU 0.455 against 0.364) but "
            "was 2000 times slower, computing every overlapping window anew; that FCN was still improving.") in text
    assert text.endswith("not the training seed; Task 2 ran on the synthetic stand-in.")
    flat = curve_summary("FCN", History(epoch=[1, 2, 3, 4], val_miou=[0.2, 0.35, 0.35, 0.35],
                                        val_loss=[1.0, 0.9, 0.8, 0.7], best_epoch=4))
    comparisons[1] = compared("Skip connections", "worse", no_skips, short)
    text = conclusion.segmentation_summary(comparisons, window, 0.002, 4.0, flat, False)
    assert "still improving" not in text and "stand-in" not in text
    assert "At 6 epochs each, skips cost 0.130 mIoU" in text


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
    assert "100.00 % on the training digits against 96.00 % on validation: it memorises them." in text
    assert ("it memorises them. Dropout 0.5 silences random units, so no "
            "unit can rely on another (eval-mode training loss 0.009 against 0.001).") in text
    assert ("Batch norm fits as tightly as plain LeNet (eval-mode training loss 0.001 against 0.001), so it does not "
            "loosen the fit; it learns faster (val acc after epoch 1: 95.50 % against 94.00 %), an optimisation "
            "effect.") in text
    assert "moves and turns" not in text
    runs["+ batch norm"] = trained("+ batch norm", [0.945, 0.96])
    unexplained = mnist_findings.regularisation_finding(runs, fitted, family, "plain")
    assert "loosen the fit; the run does not show why it helps." in unexplained
    assert text.endswith(" Augmentation raises it.") and "narrows" not in text
    family[1] = judged("+ augmentation against plain", 0.08, 0.12, "better", "test cross-entropy")
    text = mnist_findings.regularisation_finding(runs, fitted, family, "plain")
    assert ("Augmentation moves and turns each digit, so memorised positions stop paying (eval-mode training loss "
            "0.020 against 0.001); it also narrows the train–validation gap by a point or more.") in text
