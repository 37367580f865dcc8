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
    assert table.splitlines()[0] == ("| comparison | model | mIoU | against | its mIoU | difference | frame p | "
                                     "sequences better | sequence p | Holm p | verdict |")
    assert table.splitlines()[2] == ("| Skip connections | U-Net, 6 epochs | 0.425 | U-Net without skips, 6 epochs | "
                                     "0.400 | +0.025 | p < 0.001 | 5 of 6 | 0.012 | 0.036 | better |")


def test_comparison_finding_names_classes_the_mechanism_only_for_a_verdict_and_too_few_sequences():
    text = seg_findings.comparison_finding(comparison("Skip connections", 6, 5, 0.036, "better"), CLASSES)
    assert "better (Holm p = 0.036), higher for 3 of 8 classes (road lower; building, tree, low vegetation and human " \
        "tied)." in text
    assert seg_findings.SEG_MECHANISMS["Skip connections"] in text
    text = seg_findings.comparison_finding(comparison("Skip connections", 1, 1, 1.0, "no detectable difference"),
                                           CLASSES)
    assert "no detectable difference (Holm p = 1.000)." in text and "classes" not in text
    assert "1 test sequence:" in text and "sequence-level" in text and "The skips" not in text
    text = seg_findings.comparison_finding(comparison("Skip connections", 6, 0, 0.03, "worse"), CLASSES)
    assert "worse (Holm" in text and "The skips" not in text and "against the design" in text


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


def test_curve_finding_compares_a_quarter_of_the_epochs_back_and_judges_overfitting_on_validation_loss():
    rising = seg_findings.curve_summary("FCN, 6 epochs", history([0.2, 0.25, 0.3, 0.32, 0.33, 0.35],
                                                                 [1.0, 0.9, 0.8, 0.7, 0.6, 0.5], 6))
    assert rising.window == 2 and rising.start_val_miou == 0.32
    text = seg_findings.curve_finding(rising)
    assert text == ("- *FCN, 6 epochs*: val mIoU still rising over the last 2 epochs; "
                    "val loss near its lowest: no overfitting.")
    miou = [0.1 * i for i in range(1, 7)] + [0.6] * 4 + [0.604, 0.6]  # 12 epochs, best at 11, flat since 6
    flat = seg_findings.curve_summary("U-Net", history(miou, [1.0] * 11 + [1.04], 11))
    assert flat.window == 3 and seg_findings.curve_finding(flat) == (
        "- *U-Net*: val mIoU levelled off near its best (epoch 11); val loss near its lowest: no overfitting.")
    early = seg_findings.curve_summary("U-Net", history(miou[:8] + [0.6] * 4, [1.0] * 12, 7))  # best before the window
    assert "val mIoU flat over the last 3 epochs" in seg_findings.curve_finding(early)
    past = seg_findings.curve_summary("U-Net", history([0.5, 0.6, 0.55, 0.55], [1.0, 0.8, 0.9, 0.9], 2))
    assert past.window == 2
    assert seg_findings.curve_finding(past) == (
        "- *U-Net*: val mIoU past its best (epoch 2); val loss up from its lowest (epoch 2): overfitting.")
    levelled = seg_findings.curve_summary("U-Net", history([0.5, 0.55, 0.58, 0.6, 0.622, 0.618, 0.619],
                                                           [1.0] * 7, 5))  # up over the last 2, best 2 back
    assert not seg_findings.still_rising(levelled)
    assert "val mIoU levelled off near its best (epoch 5)" in seg_findings.curve_finding(levelled)
    single = seg_findings.curve_summary("U-Net", history([0.4], [1.2], 1))
    assert "no trend after 1 epoch" in seg_findings.curve_finding(single) and math.isnan(single.start_val_miou)
    row = "| U-Net | 1 | - | - | 0.400 | 0.400 (1) | 1.200 (1) | 1.200 | - | - |"
    assert seg_findings.curve_table([single]).splitlines()[2] == row


def test_comparison_finding_words_an_unconfirmed_frame_difference_confounds_and_the_upsampling_drift():
    unconfirmed = comparison("Skip connections", 6, 5, 0.2, "no detectable difference")
    text = seg_findings.comparison_finding(unconfirmed, CLASSES)
    assert text.endswith(" +0.025 mIoU (higher on 5 of 6 sequences), but Holm's adjustment does not confirm it.")
    unconfirmed = dataclasses.replace(unconfirmed, sequences=PairedSequences(0.09, 6, 5))
    text = seg_findings.comparison_finding(unconfirmed, CLASSES)
    assert text.endswith(" +0.025 mIoU (higher on 5 of 6 sequences), but with 6 sequences the sequence test cannot "
                         "confirm it.")
    text = seg_findings.comparison_finding(comparison("U-Net against FCN", 6, 5, 0.01, "better"), CLASSES,
                                           budgets={"U-Net, 6 epochs": "a", "U-Net without skips, 6 epochs": "a"})
    assert text.endswith("Uncontrolled: more parameters too (2,000 against 1,000).")
    text = seg_findings.comparison_finding(comparison("Window against FCN", 6, 5, 0.01, "better"), CLASSES,
                                           budgets={"U-Net, 6 epochs": "9 windows", "U-Net without skips, 6 epochs":
                                                    "4 crops"})
    assert text.endswith("(2,000 against 1,000) and another training budget (2.7).")
    upsampling = comparison("Upsampling", 6, 3, 0.5, "no detectable difference")
    text = seg_findings.comparison_finding(upsampling, CLASSES, drift=0.0421)
    assert text.endswith(" The learnt kernels stayed near bilinear (relative change 0.042), so both FCNs upsample "
                         "alike.")
    moved = seg_findings.comparison_finding(upsampling, CLASSES, drift=0.3)
    assert "stayed near bilinear" not in moved
    assert "left bilinear (relative change 0.300), yet both" in moved


def test_band_gain_finding_compares_the_band_with_all_pixels():
    text = seg_findings.band_gain_finding("skips", "none", {"skips": 0.45, "none": 0.40}, {"skips": 0.52, "none": 0.50})
    assert text == "- **Skips at boundaries:** band mIoU +0.050 against +0.020 overall: larger in the band (untested)."
    text = seg_findings.band_gain_finding("skips", "none", {"skips": 0.41, "none": 0.40}, {"skips": 0.52, "none": 0.50})
    assert text.endswith("+0.010 against +0.020 overall: not larger in the band.")


def test_region_finding_words_the_ratio_to_the_truth():
    regions = {"FCN": 5.0, "U-Net": 20.0, "window": 40.0}
    assert seg_findings.region_finding(regions, 20.0) == (
        "- **Predictions:** *FCN* paints coarse blobs; *window* follows outlines but breaks "
        "regions into speckle.")
    text = seg_findings.region_finding(regions, 20.0, coarse={"FCN"})
    assert "coarse blobs, labelling from coarse features alone;" in text and text.endswith("texture alike.")
    assert seg_findings.region_finding({"FCN": 5.0, "U-Net": 4.0}, 20.0, coarse={"FCN"}) == (
        "- **Predictions:** *FCN* and *U-Net* paint coarse blobs.")
    assert "every model is about as fragmented" in seg_findings.region_finding({"U-Net": 20.0}, 20.0)
    table = seg_findings.region_table(regions, 20.0).splitlines()
    assert table[3] == "| FCN | 5.0 | 0.25 | merges objects into coarse blobs |"
    assert table[4] == "| U-Net | 20.0 | 1.00 | about as fragmented as the truth |"
    assert table[5] == "| window | 40.0 | 2.00 | breaks regions into speckle |"


def test_class_extremes_name_each_models_worst_class_once_where_shared():
    fcn = scores("FCN", [0.5, 0.6, 0.8, 0.2, 0.5, 0.5, 0.05, 0.3])
    unet = scores("U-Net", [0.5, 0.9, 0.8, 0.2, 0.5, 0.5, 0.3, 0.1])
    frequency = [0.2, 0.2, 0.2, 0.05, 0.2, 0.13, 0.01, 0.01]
    text = seg_findings.class_extremes_finding([fcn, unet], CLASSES, frequency)
    assert text == "Worst classes: *FCN*, human; *U-Net*, moving car: rare, with few pixels to learn from."
    assert seg_findings.class_extremes_finding([fcn, unet], CLASSES, [0.125] * 8).endswith("moving car.")
    assert seg_findings.class_extremes_finding([fcn, fcn], CLASSES, frequency).startswith("Both models are worst on "
                                                                                            "human: rare")


def confusion_with(cells: dict[tuple[int, int], int]) -> torch.Tensor:
    confusion = torch.eye(8, dtype=torch.long) * 100
    for (truth, predicted), count in cells.items():
        confusion[truth, predicted] = count
        confusion[truth, truth] -= count
    return confusion


def test_confusions_are_named_with_their_known_cause_and_without_one_otherwise():
    # static car -> moving car 25 of 100, moving car -> road 20 of 100, road -> building 10 of 100
    model = scores("U-Net", [0.5] * 8, confusion_with({(3, 7): 25, (7, 2): 20, (2, 1): 10}))
    text = seg_findings.confusions_finding([model], CLASSES)
    assert text == ("- *U-Net*: static car as moving car (the same shape and colour; motion shows at most as blur); "
                    "moving car as road (small, and on the road); road as building.")
    table = seg_findings.confusion_table([model], CLASSES, top=1)
    assert table.splitlines()[2] == "| U-Net | static car | moving car | 0.250 |"
    assert seg_findings.known_cause("human", "road") == "a few pixels wide"
    assert seg_findings.known_cause("road", "human") is None
    assert seg_findings.confusions_finding([scores("FCN", [1.0] * 8)], CLASSES) == \
        "- *FCN* confuses no class with another."


def test_confusions_every_model_makes_are_said_once():
    fcn = scores("FCN", [0.5] * 8, confusion_with({(7, 2): 50, (3, 2): 30, (6, 0): 28}))
    unet = scores("U-Net", [0.5] * 8, confusion_with({(3, 7): 27, (7, 2): 23, (6, 0): 14}))
    text = seg_findings.confusions_finding([fcn, unet], CLASSES)
    assert text.splitlines() == [
        "- Both models: moving car as road (small, and on the road); human as clutter (a few pixels wide).",
        "- *FCN* also: static car as road.",
        "- *U-Net* also: static car as moving car (the same shape and colour; motion shows at most as blur)."]


def test_rare_recall_gives_each_models_range_over_the_rare_classes():
    fcn, unet = scores("FCN", [0.5] * 8, recall=0.1), scores("U-Net", [0.5] * 8, recall=0.45)
    assert seg_findings.rare_recall_finding([fcn, unet], [6, 7]) == (
        "- **Rare classes:** test-split recall 0.100 for *FCN*, 0.450 for *U-Net*; the zooms show examples.")
    unet.recall[7] = 0.6
    assert "0.450 to 0.600 for *U-Net*;" in seg_findings.rare_recall_finding([fcn, unet], [6, 7])


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


def test_far_finding_links_the_far_reversal_to_blobs_and_speckle_only_where_both_hold():
    runs = seg_findings.leaders({"U-Net": boundary([0.6, 0.9, 0.5, 0.6], [500, 440, 40, 20]),
                                 "no skips": boundary([0.5, 0.85, 0.8, 0.9], [500, 440, 40, 20])})
    text = seg_findings.far_finding(runs, {"U-Net": 30.0, "no skips": 5.0}, 20.0, "U-Net", "no skips")
    assert text.startswith("- **Far from outlines** (6.0% of the pixels) the no-skip U-Net leads:")
    assert text.endswith("its blobs fill large regions, where speckle scatters errors (untested).")
    assert seg_findings.far_finding(runs, {"U-Net": 20.0, "no skips": 5.0}, 20.0, "U-Net", "no skips") == ""
    assert seg_findings.far_finding(runs, {"U-Net": 30.0, "no skips": 5.0}, 20.0, "no skips", "U-Net") == ""
    assert seg_findings.far_finding(runs[:1], {"U-Net": 30.0, "no skips": 5.0}, 20.0, "U-Net", "no skips") == ""


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


def test_band_error_finding_explains_only_when_every_model_errs_more_in_the_band():
    band = boundary([0.6, 0.9, 0.8, 0.9], [1, 1, 1, 1])  # the band holds 25 % of the pixels
    text = seg_findings.band_error_finding({"FCN": 0.4, "U-Net": 0.5}, band)
    assert "40.0% to 50.0% of each model's errors lie in the band's 25.0% of the pixels" in text
    assert "errors gather near outlines" in text and "most near" not in text
    assert ": most near outlines" in seg_findings.band_error_finding({"FCN": 0.6, "U-Net": 0.7}, band)
    text = seg_findings.band_error_finding({"FCN": 0.2, "U-Net": 0.5}, band)
    assert text.endswith("lie in the band's 25.0% of the pixels.")


@pytest.mark.parametrize(("seconds", "other_seconds", "text"), [
    (0.0042, 4.02, "957 times faster"), (1.0, 1.3, "1.3 times faster"), (1.0, 1.94, "1.9 times faster"),
    (2.0, 19.6, "9.8 times faster"), (1.0, 10.2, "10 times faster"), (2.5, 1.0, "2.5 times slower"),
    (4.0, 0.05, "80 times slower"), (1.02, 1.0, "about as fast"), (1.0, 1.0, "about as fast")])
def test_relative_speed_words_a_ratio_either_way(seconds, other_seconds, text):
    assert seg_findings.relative_speed(seconds, other_seconds) == text


def test_tiled_finding_words_the_agreement_as_printed():
    text = seg_findings.tiled_finding(1.0)
    assert text == "Tiles match one pass on 100.0000% of the pixels: blending leaves no seams."
    text = seg_findings.tiled_finding(0.99)
    assert "less context" in text and "no seams" not in text


@pytest.mark.parametrize(("count", "text"), [(1, "1 sequence"), (0, "0 sequences"), (6, "6 sequences")])
def test_count_text_is_singular_only_for_one(count, text):
    assert seg_findings.count_text(count, "sequence") == text


def test_weight_shift_finding_says_the_trade_only_for_the_classes_that_make_it():
    weighted = dataclasses.replace(scores("U-Net", [0.5] * 8), precision=[0.5] * 6 + [0.3, 0.4],
                                   recall=[0.5] * 6 + [0.6, 0.7])
    shifted = dataclasses.replace(scores("U-Net", [0.45] * 8), precision=[0.5] * 6 + [0.5, 0.4],
                                  recall=[0.5] * 6 + [0.4, 0.7])
    text = seg_findings.weight_shift_finding(weighted, shifted, CLASSES, [6, 7])
    assert "goes from 0.500 to 0.450 (untested)" in text and "cost" not in text
    costly = seg_findings.weight_shift_finding(weighted, dataclasses.replace(shifted, miou=0.52), CLASSES, [6, 7])
    assert costly.endswith("the weights buy recall with precision, here at a cost in mIoU.")
    small = seg_findings.weight_shift_finding(weighted, dataclasses.replace(shifted, miou=0.505), CLASSES, [6, 7])
    assert "(untested; under 2.6's 0.01 margin)" in small and "cost" not in small
    assert "for 1 of 2 rare classes: the weights buy recall with precision" in text and "IoU rises" not in text
    better_iou = dataclasses.replace(shifted, iou=[0.45] * 6 + [0.55, 0.4])
    assert seg_findings.weight_shift_finding(weighted, better_iou, CLASSES, [6, 7]).endswith(
        "the weights buy recall with precision, and undone, IoU rises for 1 of 2.")
    untouched = seg_findings.weight_shift_finding(weighted, weighted, CLASSES, [6, 7])
    assert "no rare class trades" in untouched and "buy" not in untouched
    table = seg_findings.weight_shift_table(weighted, shifted, CLASSES, [6, 7]).splitlines()
    assert table[2] == "| human | 0.300 | 0.600 | 0.500 | 0.500 | 0.400 | 0.450 |"
    assert table[-1] == "| all classes (mIoU) |  |  | 0.500 |  |  | 0.450 |"


def test_a_lead_that_changes_more_than_once_is_counted():
    runs = seg_findings.leaders({"U-Net": boundary([0.9, 0.5, 0.9, 0.5], [400, 300, 200, 100]),
                                 "FCN": boundary([0.5, 0.9, 0.5, 0.9], [400, 300, 200, 100])})
    text = seg_findings.boundary_curve_finding(runs)
    assert "(40.0% of the pixels); the lead changes 3 times; from 48 px on, *FCN* leads" in text


def test_an_uncontrolled_verdict_against_a_model_still_improving_says_so():
    window = comparison("Window against FCN", 6, 6, 0.001, "better")
    budgets = {"U-Net, 6 epochs": "600 crops × 6 epochs", "U-Net without skips, 6 epochs": "60 crops × 6 epochs"}
    text = seg_findings.comparison_finding(window, CLASSES, budgets, rising=("U-Net without skips, 6 epochs",))
    assert text.endswith("*U-Net without skips, 6 epochs* was still improving (3.1): part of the gap may be its short "
                         "training.")
    assert "still improving" not in seg_findings.comparison_finding(window, CLASSES, budgets)
    unbudgeted = seg_findings.comparison_finding(window, CLASSES, rising=("U-Net without skips, 6 epochs",))
    assert "still improving" not in unbudgeted  # equal or unknown budgets: not the explanation


def test_a_detectable_difference_under_the_margin_is_said_as_such():
    tiny = dataclasses.replace(comparison("Upsampling", 6, 0, 0.018, "no detectable difference"),
                               test=PairedMiou(-0.0049, 0.0001, 50, 60))
    text = seg_findings.comparison_finding(tiny, CLASSES)
    assert "-0.005 mIoU (higher on 0 of 6 sequences), but it is under the 0.01 mIoU that CPU or number format alone " \
        "moves." in text


def test_a_validation_loss_jump_is_one_that_falls_back_the_next_epoch():
    summary = seg_findings.curve_summary("U-Net", history([0.3, 0.4, 0.35, 0.5, 0.55, 0.56],
                                                          [1.0, 0.8, 1.0, 0.7, 0.65, 0.9], 6))
    assert summary.jumps == (3,)  # epoch 6 rose too, but no epoch after it shows a fall back
    assert seg_findings.curve_finding(summary).endswith(
        "One-epoch jumps in val loss (epoch 3): noise, not a trend.")
    assert seg_findings.curve_table([summary]).splitlines()[2].endswith("| 3 | - |")
    scheduled = history([0.3, 0.4, 0.35, 0.5, 0.55, 0.56, 0.57], [1.0, 0.8, 1.0, 0.7, 0.9, 0.6, 0.5], 7)
    scheduled.lr = [0.5, 1.0, 0.9, 0.6, 0.3, 0.1, 0.0]  # the peak ends epoch 2
    summary = seg_findings.curve_summary("U-Net", scheduled)
    assert summary.jumps == (3, 5) and summary.peak_lr_epoch == 2
    assert seg_findings.curve_finding(summary).endswith(
        "Val loss jumps beside the peak learning rate (epoch 3), then recovers. One-epoch jumps in "
        "val loss (epoch 5): noise, not a trend.")
    assert seg_findings.curve_table([summary]).splitlines()[2].endswith("| 3, 5 | 2 |")
    steady = seg_findings.curve_summary("U-Net", history([0.3, 0.4, 0.5], [1.0, 1.1, 1.05], 3))
    assert steady.jumps == () and "jumps" not in seg_findings.curve_finding(steady)


def test_crop_finding_says_which_labelling_keeps_more_regions():
    text = seg_findings.crop_finding({"window": 57.0, "FCN": 28.0}, 103.0, "window", "FCN")
    assert text == ("The window draws 57 regions against the FCN's 28 (truth: 103): the FCN's 1/16 grid merges small "
                    "objects.")
    assert seg_findings.crop_finding({"window": 20.0, "FCN": 28.0}, 103.0, "window", "FCN") == (
        "The FCN draws 28 regions against the window's 20 (truth: 103).")
    assert seg_findings.crop_finding({"window": 28.0, "FCN": 28.0}, 103.0, "window", "FCN") == ""
