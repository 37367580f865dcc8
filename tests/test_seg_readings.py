import dataclasses

import torch
from test_seg_findings import CLASSES, comparison, scores

from utils import seg_readings
from utils.seg_findings import CurveSummary, Leader


def curve(name: str, last_loss: float, jumps: tuple[int, ...] = ()) -> CurveSummary:
    return CurveSummary(name, 6, 2, 0.30, 0.35, 0.35, 6, 1.0, 4, last_loss, jumps, 2)


def test_curve_lines_say_overfitting_only_where_measured():
    lines = seg_readings.curve_lines([curve("FCN, 6 epochs", 1.0, (3,)), curve("U-Net, 6 epochs", 1.2, (5,))])
    assert lines[0] == "- *FCN, 6 epochs*: val mIoU up 0.300 → 0.350 over the last 2 epochs: not levelled off."
    assert lines[1].endswith("val loss up from its lowest (epoch 4): overfitting.") and len(lines) == 2
    calm = seg_readings.curve_lines([curve("FCN, 6 epochs", 1.0)])
    assert calm[-1].endswith("no overfitting.")


def test_class_lines_name_shared_confusions_once_with_their_cause():
    confusion = torch.eye(8, dtype=torch.long) * 100
    confusion[3, 7] = 40  # static car as moving car
    confusion[7, 2] = 30  # moving car as road
    confusion[6, 0] = 20  # human as clutter
    both = [scores("FCN", [0.5, 0.6, 0.7, 0.2, 0.5, 0.5, 0.1, 0.3], confusion),
            scores("U-Net", [0.6, 0.7, 0.8, 0.3, 0.6, 0.6, 0.2, 0.4], confusion)]
    frequency = [0.2, 0.3, 0.2, 0.01, 0.15, 0.12, 0.002, 0.018]
    lines = seg_readings.class_lines(both, frequency, CLASSES)
    assert lines[0] == "- Both models score lowest on human: rare, with few pixels to learn from."
    assert lines[1] == ("- Both models label static car as moving car (alike in one frame; motion shows only as "
                        "blur); moving car as road (small, and on the road); human as clutter (a few pixels wide).")
    assert len(lines) == 2  # nothing of their own
    common = [scores("FCN", [0.5, 0.6, 0.1, 0.2, 0.5, 0.5, 0.3, 0.3], confusion), both[1]]
    assert seg_readings.class_lines(common, frequency, CLASSES)[0] == (
        "- Lowest class: *FCN*, road; *U-Net*, human, not rare.")


def test_prediction_lines_say_as_expected_only_of_the_models_it_fits():
    lines = seg_readings.prediction_lines({"FCN": 30.0, "U-Net": 200.0, "U-Net without skips": 90.0}, 100.0,
                                          {"FCN", "U-Net without skips"})
    assert lines == ["- **Predictions:** *FCN* paints coarse blobs, as expected.",
                     "- *U-Net* follows outlines but breaks regions into speckle, as expected."]
    assert seg_readings.prediction_lines({"FCN": 200.0}, 100.0, {"FCN"}) == [
        "- *FCN* follows outlines but breaks regions into speckle, against our expectation."]
    assert seg_readings.prediction_lines({"U-Net": 100.0}, 100.0, set()) == []


def test_boundary_lines_name_both_leaders_and_the_longer_training_where_the_lead_changes():
    runs = [Leader("U-Net, 6 epochs", 0, 32, 0.956, {"U-Net, 6 epochs": 0.84, "U-Net without skips": 0.75}),
            Leader("U-Net without skips", 32, None, 0.044, {"U-Net, 6 epochs": 0.76, "U-Net without skips": 0.89})]
    far = seg_readings.FarPixels("building", 0.767, {"U-Net, 6 epochs": 0.70, "U-Net without skips": 0.909,
                                                     "U-Net, 24 epochs": 0.926})
    longer = dataclasses.replace(scores("U-Net, 24 epochs", [0.5] * 8), epochs=24)
    lines = seg_readings.boundary_lines({"a": 0.65, "b": 0.76}, 0.366, runs, far, longer)
    assert lines[0] == ("- **Errors along outlines:** 65.0% to 76.0% of each model's errors lie in the band's 36.6% "
                        "of the pixels, as expected.")
    assert lines[1].endswith("There, 76.7% are building interiors, which the first labels 70.0% right, "
                             "the second 90.9%, and 24 epochs of training 92.6%.")
    short_too = dataclasses.replace(far, right={**far.right, "U-Net, 24 epochs": 0.75})
    assert seg_readings.boundary_lines({"a": 0.65}, 0.366, runs, short_too, longer)[1].endswith(
        "which the first labels 70.0% right, the second 90.9%.")
    quiet = seg_readings.boundary_lines({"a": 0.3}, 0.366, runs[:1], None, longer)
    assert quiet[0].endswith("of the pixels, against our expectation.") and "interiors" not in quiet[1]


def test_rare_lines_are_left_out_when_no_condition_holds():
    truth = {"static car": 0.012, "human": 0.0025, "moving car": 0.013}
    share = {"truth": truth, "FCN": {"static car": 0.024, "human": 0.0004, "moving car": 0.02},
             "no skips": {"static car": 0.0, "human": 0.0, "moving car": 0.01}, "U-Net, 6 epochs": truth}
    losses = {"FCN": 0.71, "no skips": 0.65, "U-Net, 6 epochs": 0.65}  # no skips fits no worse than the U-Net
    assert seg_readings.rare_lines(share, "FCN", "no skips", losses) == [
        "- **Rare classes:** *no skips* labels none as static car or human (why is untested)."]
    [line] = seg_readings.rare_lines(share, "FCN", "no skips", losses | {"no skips": 0.948})
    assert line == ("- **Rare classes:** *no skips* labels none as static car or human and fits its training crops "
                    "least (loss 0.948; *FCN* 0.710; *U-Net, 6 epochs* 0.650): its decoder must learn to rebuild "
                    "detail from 1/16, where the FCN only interpolates its scores; small rare classes come last "
                    "(untested).")
    alike = {name: truth for name in share}
    assert seg_readings.rare_lines(alike, "FCN", "no skips", losses) == []


def test_weights_line_reports_labelling_recall_and_precision_only_where_they_occurred():
    weighted = scores("U-Net", [0.5] * 8, precision=0.4, recall=0.6)
    unweighted = scores("U-Net, unweighted", [0.5] * 8, precision=0.6, recall=0.4)
    truth = {"static car": 0.012, "human": 0.0025, "moving car": 0.013}
    share = {"truth": truth, "U-Net": truth, "U-Net, unweighted": {**truth, "human": 0.0, "moving car": 0.001}}
    tested = dataclasses.replace(comparison("Class weights", 6, 6, 0.01, "better"), first=weighted,
                                 second=unweighted, measure="rare-class mIoU")
    text = seg_readings.weights_line(tested, share, [3, 6, 7], CLASSES, 0.01)
    assert text == ("- **Class weights** (*U-Net*, with and without): better (+0.025 rare-class mIoU), as expected. "
                    "Unweighted, the U-Net almost never labels human or moving car. Weighted, recall rises by 0.01 "
                    "or more for 3 of 3 rare classes (not tested); precision falls for static car and moving car; "
                    "human, unlabelled unweighted, had none to lose.")
    level = seg_readings.weights_line(dataclasses.replace(tested, first=unweighted, verdict="no detectable difference"),
                                      {**share, "U-Net, unweighted": truth}, [3, 6, 7], CLASSES, 0.01)
    assert "rare-class mIoU), against our expectation." in level
    assert level.endswith("No rare class gains 0.01 in recall, against our expectation.")
    slight = dataclasses.replace(unweighted, recall=[0.595] * 8)  # recall +0.005: under the margin
    assert "No rare class gains 0.01 in recall" in seg_readings.weights_line(
        dataclasses.replace(tested, second=slight), share, [3, 6, 7], CLASSES, 0.01)


def test_comparison_lines_and_conclusion_word_each_verdict_against_its_expectation():
    better = comparison("Skip connections", 6, 6, 0.001, "better")
    none = comparison("Upsampling", 6, 3, 0.5, "no detectable difference")
    slower = dataclasses.replace(better.first, seconds_per_epoch=2.4)  # the FCN's: 1 s an epoch
    architecture = dataclasses.replace(better, topic="U-Net against FCN", first=slower)
    compared = seg_readings.Comparisons(none, better, architecture,
                                        dataclasses.replace(better, topic="Training length"))
    window = dataclasses.replace(better, topic="Window against FCN")
    lines = seg_readings.comparison_lines(compared, ("transposed", "bilinear"), 0.4, 3, (0.41, 0.25))
    assert lines[0].endswith("no detectable difference (+0.025 mIoU), as expected (not an equivalence test), though "
                             "its kernels moved 0.400 of their norm from bilinear.")
    assert lines[2].endswith("Not one change: also 2,000 against 1,000 parameters, and 2.4 against 1.0 s an epoch.")
    assert lines[1].endswith("as expected; the gain is larger within 3 px of a boundary (0.250 → 0.410 against "
                             f"{better.second.miou:.3f} → {better.first.miou:.3f}, not tested).")
    assert seg_readings.window_line(window, False, True).endswith(
        "another budget, and an FCN not levelled off (3.1).")
    conclusion = seg_readings.task2_conclusion(compared, window, None, ("transposed", "bilinear"), 3.0, 0.003,
                                               {"FCN": 0.6, "U-Net": 0.7}, 0.35, 3, "UAVid", [3, 6, 7], CLASSES, 0.01)
    assert "weighted" not in conclusion
    weights = dataclasses.replace(better, topic="Class weights", measure="rare-class mIoU")
    assert "The weighted loss beat the unweighted one on the rare classes' mIoU (+0.025)." in (
        seg_readings.task2_conclusion(compared, window, weights, ("transposed", "bilinear"), 3.0, 0.003,
                                      {"FCN": 0.6, "U-Net": 0.7}, 0.35, 3, "UAVid", [3, 6, 7], CLASSES, 0.01))
    no_humans = dataclasses.replace(weights, first=dataclasses.replace(weights.first, recall=[0.5] * 6 + [0.002, 0.5]),
                                    second=dataclasses.replace(weights.second, recall=[0.5] * 6 + [0.0, 0.5]))
    assert "rare classes' mIoU (+0.025; human found in neither)." in seg_readings.task2_conclusion(
        compared, window, no_humans, ("transposed", "bilinear"), 3.0, 0.003, {"FCN": 0.6}, 0.35, 3, "UAVid",
        [3, 6, 7], CLASSES, 0.01)
    shares = {name: {"static car": 0.012, "human": 0.0025, "moving car": 0.013}
              for name in ("truth", no_humans.second.name)}
    assert seg_readings.weights_line(no_humans, shares, [3, 6, 7], CLASSES, 0.01).endswith(
        "Human stays under 0.01 recall either way.")
    assert conclusion.endswith("Most errors (60.0% to 70.0%) lie under 3 px from a boundary, on 35.0% of the pixels.")
    assert conclusion.startswith("**Task 2** (UAVid; one network per variant). At 6 epochs each, skips beat none")
    assert "transposed upsampling made no detectable difference" in conclusion
    assert "1000 times slower, as expected." in conclusion
    worse = dataclasses.replace(compared, skips=dataclasses.replace(better, verdict="worse"))
    lines = seg_readings.comparison_lines(worse, ("transposed", "bilinear"), 0.1, 3, (0.41, 0.25))
    assert lines[1].endswith(", against our expectation.") and "kernels stayed near bilinear." in lines[0]
    assert seg_readings.window_line(window, True, False).endswith("parameters (2,000 against 1,000).")


def test_a_curve_best_one_epoch_before_the_end_is_not_called_rising():
    almost = CurveSummary("U-Net, 6 epochs", 6, 2, 0.454, 0.486, 0.496, 5, 0.67, 5, 0.674, (), 2)
    [line, _] = seg_readings.curve_lines([almost])
    assert line == "- *U-Net, 6 epochs*: val mIoU up 0.454 → 0.486 over the last 2 epochs (best 0.496, epoch 5)."
