import dataclasses
import math
import re

import numpy as np
import pytest
import torch

from utils import seg_findings
from utils.boundaries import BoundaryScores
from utils.results import Comparison, History, SegScores
from utils.significance import PairedMiou, PairedSequences

CLASSES = ["clutter", "building", "road", "static car", "tree", "low vegetation", "human", "moving car"]


def scores(name: str, iou: list[float], confusion: torch.Tensor | None = None, precision: float = 0.5,
           recall: float = 0.5) -> SegScores:
    confusion = torch.eye(8, dtype=torch.long) * 100 if confusion is None else confusion
    return SegScores(name, 0.8, sum(iou) / len(iou), iou, [precision] * 8, [recall] * 8, confusion, 1000, 1.0, 6)


def comparison(topic: str, sequences: int, better: int, adjusted_p: float, verdict: str) -> Comparison:
    first = scores("U-Net, 6 epochs", [0.5, 0.6, 0.7, 0.2, 0.5, 0.5, 0.1, 0.3])
    second = scores("U-Net without skips, 6 epochs", [0.4, 0.6, 0.8, 0.1, 0.5, 0.5, 0.1, 0.2])
    first = dataclasses.replace(first, parameters=2000)
    return Comparison(topic, first, second, PairedMiou(0.025, 0.0001, 50, 60),
                      PairedSequences(0.012, sequences, better), "controlled comparisons", adjusted_p, verdict)


def test_comparison_table_shows_both_tests_holm_and_the_verdict():
    table = seg_findings.comparison_table([comparison("Skip connections", 6, 5, 0.036, "better")])
    assert table.splitlines()[0] == ("| comparison | measure | model | score | against | its score | difference | "
                                     "frame p | sequences better | sequence p | Holm p | verdict |")
    assert table.splitlines()[2] == ("| Skip connections | mIoU | U-Net, 6 epochs | 0.425 | U-Net without skips, 6 "
                                     "epochs | 0.400 | +0.025 | p < 0.001 | 5 of 6 | 0.012 | 0.036 | better |")
    rare = dataclasses.replace(comparison("Class weights", 6, 6, 0.01, "better"), measure="rare-class mIoU",
                               scores=(0.132, 0.007))
    assert "| Class weights | rare-class mIoU | U-Net, 6 epochs | 0.132 | U-Net without skips, 6 epochs | 0.007 |" in (
        seg_findings.comparison_table([rare]))
    assert seg_findings.outcome(rare) == "better (+0.025 rare-class mIoU)"


def test_rare_classes_are_named_with_their_share_and_the_weights_only_when_weighted():
    frequency = [0.3, 0.2, 0.2, 0.015, 0.2, 0.0805, 0.0025, 0.002]
    text = seg_findings.rare_class_finding(frequency, CLASSES, weighted=True)
    assert re.findall(r"\*([\w ]+)\*", text) == ["static car", "human", "moving car"] and "under 2%" in text
    assert "loss weights" in text
    assert "weights" not in seg_findings.rare_class_finding(frequency, CLASSES, weighted=False)
    text = seg_findings.rare_class_finding([0.125] * 8, CLASSES, True)
    assert text.startswith("No class") and "*" not in text


def history(miou: list[float], loss: list[float], best: int) -> History:
    return History(epoch=list(range(1, len(miou) + 1)), val_miou=miou, val_loss=loss, best_epoch=best)


def test_curve_summary_compares_a_quarter_of_the_epochs_back_and_rising_needs_a_late_best():
    rising = seg_findings.curve_summary("FCN, 6 epochs", history([0.2, 0.25, 0.3, 0.32, 0.33, 0.35],
                                                                 [1.0, 0.9, 0.8, 0.7, 0.6, 0.5], 6))
    assert rising.window == 2 and rising.start_val_miou == 0.32 and seg_findings.still_rising(rising)
    assert rising.lowest_loss_epoch == 6 and rising.last_val_loss == 0.5
    miou = [0.1 * i for i in range(1, 7)] + [0.6] * 4 + [0.604, 0.6]  # 12 epochs, best at 11, flat since 6
    flat = seg_findings.curve_summary("U-Net", history(miou, [1.0] * 11 + [1.04], 11))
    assert flat.window == 3 and not seg_findings.still_rising(flat)
    levelled = seg_findings.curve_summary("U-Net", history([0.5, 0.55, 0.58, 0.6, 0.622, 0.618, 0.619],
                                                           [1.0] * 7, 5))  # up over the last 2, best 2 back
    assert not seg_findings.still_rising(levelled)
    single = seg_findings.curve_summary("U-Net", history([0.4], [1.2], 1))
    assert single.window == 0 and not seg_findings.still_rising(single) and math.isnan(single.start_val_miou)
    row = "| U-Net | 1 | - | - | 0.400 | 0.400 (1) | 1.200 (1) | 1.200 | - | - |"
    assert seg_findings.curve_table([single]).splitlines()[2] == row


def confusion_with(cells: dict[tuple[int, int], int]) -> torch.Tensor:
    confusion = torch.eye(8, dtype=torch.long) * 100
    for (truth, predicted), count in cells.items():
        confusion[truth, predicted] = count
        confusion[truth, truth] -= count
    return confusion


def boundary(by_distance: list[float], pixels: list[int]) -> BoundaryScores:
    pixels = np.array(pixels)
    return BoundaryScores(3.0, 0.25, 0.6, 0.5, np.array([0, 4, 16, 48]), np.array(by_distance),
                          pixels / pixels.sum(), pixels)


def test_leaders_merge_bins_and_a_far_reversal_is_said_with_its_pixels():
    # the U-Net leads at 0 and 4 px, the no-skip U-Net from 16 px on, where 60 of the 1000 pixels lie
    runs = seg_findings.leaders({"U-Net": boundary([0.6, 0.9, 0.5, 0.6], [500, 440, 40, 20]),
                                 "no skips": boundary([0.5, 0.85, 0.8, 0.9], [500, 440, 40, 20])})
    assert [(run.name, run.start, run.end) for run in runs] == [("U-Net", 0, 16), ("no skips", 16, None)]
    assert runs[0].pixel_share == pytest.approx(0.94) and runs[1].pixel_share == pytest.approx(0.06)
    assert runs[1].accuracy == pytest.approx({"U-Net": 0.2 / 0.6 + 0.2, "no skips": (32 + 18) / 60})
    text = seg_findings.boundary_curve_finding(runs)
    assert text == ("- **Boundary curve:** *U-Net* leads from 0 to 16 px (94.0% of the pixels); from 16 px on, "
                    "*no skips* leads (0.833 against 0.533) on only 6.0%.")
    assert seg_findings.leader_table(runs).splitlines()[3] == "| 16 px on | no skips | 6.0% | 0.533 | 0.833 |"


def test_empty_far_bins_are_skipped_and_shown_as_dashes():
    both = {"U-Net": boundary([0.6, 0.9, np.nan, np.nan], [500, 500, 0, 0]),
            "FCN": boundary([0.5, 0.8, np.nan, np.nan], [500, 500, 0, 0])}
    runs = seg_findings.leaders(both)
    assert [(run.name, run.start, run.end) for run in runs] == [("U-Net", 0, None)]
    text = seg_findings.boundary_curve_finding(runs)
    assert "*U-Net* leads at every distance" in text and "changes" not in text
    assert seg_findings.boundary_curve_finding([]) == "- **Boundary curve:** no test pixel lies in the distance bins."
    lines = seg_findings.distance_table(both).splitlines()
    assert lines[2] == "| 0–4 | 500 | 50.0% | 0.600 | 0.500 |"
    assert lines[5] == "| 48 or more | 0 | 0.0% | - | - |"


@pytest.mark.parametrize(("seconds", "other_seconds", "text"), [
    (0.0042, 4.02, "960 times faster"), (1.0, 1.3, "1.3 times faster"), (1.0, 1.94, "1.9 times faster"),
    (2.0, 19.6, "9.8 times faster"), (1.0, 10.2, "10 times faster"), (2.5, 1.0, "2.5 times slower"),
    (4.0, 0.05, "80 times slower"), (1.02, 1.0, "about as fast"), (1.0, 1.0, "about as fast")])
def test_relative_speed_words_a_ratio_either_way(seconds, other_seconds, text):
    assert seg_findings.relative_speed(seconds, other_seconds) == text


@pytest.mark.parametrize(("count", "text"), [(1, "1 sequence"), (0, "0 sequences"), (6, "6 sequences")])
def test_count_text_is_singular_only_for_one(count, text):
    assert seg_findings.count_text(count, "sequence") == text


def test_a_lead_that_changes_more_than_once_is_counted():
    runs = seg_findings.leaders({"U-Net": boundary([0.9, 0.5, 0.9, 0.5], [400, 300, 200, 100]),
                                 "FCN": boundary([0.5, 0.9, 0.5, 0.9], [400, 300, 200, 100])})
    text = seg_findings.boundary_curve_finding(runs)
    assert "(40.0% of the pixels); the lead changes 3 times; from 48 px on, *FCN* leads" in text


def test_a_validation_loss_jump_is_one_that_falls_back_the_next_epoch():
    summary = seg_findings.curve_summary("U-Net", history([0.3, 0.4, 0.35, 0.5, 0.55, 0.56],
                                                          [1.0, 0.8, 1.0, 0.7, 0.65, 0.9], 6))
    assert summary.jumps == (3,)  # epoch 6 rose too, but no epoch after it shows a fall back
    assert seg_findings.curve_table([summary]).splitlines()[2].endswith("| 3 | - |")
    scheduled = history([0.3, 0.4, 0.35, 0.5, 0.55, 0.56, 0.57], [1.0, 0.8, 1.0, 0.7, 0.9, 0.6, 0.5], 7)
    scheduled.lr = [0.5, 1.0, 0.9, 0.6, 0.3, 0.1, 0.0]  # the peak ends epoch 2
    summary = seg_findings.curve_summary("U-Net", scheduled)
    assert summary.jumps == (3, 5) and summary.peak_lr_epoch == 2
    assert seg_findings.curve_table([summary]).splitlines()[2].endswith("| 3, 5 | 2 |")
    summary = dataclasses.replace(summary, peak_lr_epoch=3)
    assert seg_findings.curve_table([summary]).splitlines()[2].endswith("| 3 (lr peak), 5 | 3 |")
    steady = seg_findings.curve_summary("U-Net", history([0.3, 0.4, 0.5], [1.0, 1.1, 1.05], 3))
    assert steady.jumps == ()


def test_outcome_and_class_change_table_give_the_verdict_difference_and_classes():
    better = comparison("Skip connections", 6, 5, 0.01, "better")
    assert seg_findings.class_changes(better, CLASSES) == {
        "higher": ["clutter", "static car", "moving car"], "lower": ["road"],
        "level": ["building", "tree", "low vegetation", "human"]}
    assert seg_findings.outcome(better) == "better (+0.025 mIoU)"
    table = seg_findings.class_change_table([better], CLASSES).splitlines()
    assert table[0] == "| comparison | verdict | classes higher | lower | within 0.01 |"
    assert table[2] == "| Skip connections | better | 3 of 8 | road | building, tree, low vegetation, human |"
    everywhere = dataclasses.replace(better, second=scores("FCN", [0.0] * 8))
    assert seg_findings.class_change_table([everywhere], CLASSES).splitlines()[2].endswith("| 8 of 8 | - | - |")
    slightly = dataclasses.replace(better, second=scores("FCN", [0.495, 0.59, 0.7, 0.2, 0.5, 0.5, 0.1, 0.3]))
    assert seg_findings.class_changes(slightly, CLASSES)["higher"] == ["building"]  # by 0.010, not by 0.005


@pytest.mark.parametrize("count, reading", [(40, "merges objects into coarse blobs"),
                                            (65, "merges some objects"),
                                            (100, "about as fragmented as the truth"),
                                            (137, "splits some regions"),
                                            (200, "breaks regions into speckle")])
def test_fragmentation_reads_the_ratio_of_regions_to_the_truths(count, reading):
    assert seg_findings.fragmentation(count, 100) == reading


def test_far_labels_follow_the_true_class_holding_most_far_pixels():
    first = torch.tensor([[1, 0, 0], [0, 0, 0], [6, 2, 2]])  # class 2 holds 10 of 11 pixels
    second = torch.tensor([[1, 0, 0], [0, 0, 0], [0, 0, 10]])
    dominant, share, labelled = seg_findings.far_labels({"a": first, "b": second})
    assert dominant == 2 and share == pytest.approx(10 / 11)
    assert np.allclose(labelled["a"], [0.6, 0.2, 0.2]) and np.allclose(labelled["b"], [0, 0, 1])
    table = seg_findings.far_table(labelled, dominant, ["x", "y", "z"], "Far pixels", min_share=0.3)
    caption, _, header = table.splitlines()[:3]
    assert caption == "Far pixels: the z pixels, labelled"
    assert "as z" in header and "as x" in header and "as y" not in header
    assert header.index("as z") < header.index("as x")  # the true class first


def test_share_table_prints_each_row_as_percentages():
    table = seg_findings.share_table({"truth": np.array([0.25, 0.75])}, ["a", "b"])
    assert table.splitlines()[2] == "| truth | 25.00% | 75.00% |"
    assert "| 0.002% |" in seg_findings.share_table({"model": np.array([0.00002, 0.99998])}, ["a", "b"])


def test_weight_table_sets_each_rare_class_of_the_weighted_model_beside_the_unweighted():
    weighted = scores("U-Net", [0.5] * 6 + [0.3, 0.5], precision=0.4, recall=0.6)
    unweighted = scores("U-Net, unweighted", [0.5] * 8, precision=0.7, recall=0.2)
    rows = seg_findings.weight_table(weighted, unweighted, CLASSES, [6]).splitlines()
    assert rows[0] == ("| class | precision, weighted | recall, weighted | IoU, weighted | precision, unweighted | "
                       "recall, unweighted | IoU, unweighted |")
    assert rows[2] == f"| {CLASSES[6]} | 0.400 | 0.600 | 0.300 | 0.700 | 0.200 | 0.500 |"
    assert rows[3] == "| all classes (mIoU) |  |  | 0.475 |  |  | 0.500 |"
