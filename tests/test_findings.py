import re

import pytest
import torch

from utils import findings
from utils.findings import SegScores, Variant

LADDER = ["SGD", "Adam", "Adam + one-cycle"]


def variants(sgd=0.97, adam=0.98, onecycle=0.99, pool=0.985, mlp_test=0.975, adam_test=0.985):
    return {"MLP (Lab 2)": Variant("MLP (Lab 2)", 500_000, 3, 0.97, mlp_test, 2.0),
            "SGD": Variant("SGD", 431_080, 2, sgd, sgd, 10.0),
            "Adam": Variant("Adam", 431_080, 2, adam, adam_test, 11.0),
            "Adam + one-cycle": Variant("Adam + one-cycle", 431_080, 2, onecycle, onecycle, 11.0),
            "average pooling": Variant("average pooling", 431_080, 2, pool, pool, 11.0)}


def text(**kw):
    return findings.mnist_findings(variants(**kw), LADDER, "average pooling", "Adam + one-cycle", 5000, 10000)


def prose_and_tables(t):
    lines = t.splitlines()
    return [x for x in lines if not x.startswith("|")], [x for x in lines if x.startswith("|")]


def test_noise_margin_is_two_standard_errors_of_a_difference():
    assert findings.noise_margin(0.99, 5000) == pytest.approx(2 * (2 * 0.99 * 0.01 / 5000) ** 0.5)


def test_the_wording_follows_the_numbers():
    t = text()
    assert "LeNet beats the MLP: 98.50 % against 97.50 % test accuracy" in t
    assert "| Adam | 98.00 % | 97.00 % | +1.00 | gain |" in t
    assert "| 97.50 % | 250 |" in t  # the MLP's wrong test digits
    # average pooling 0.5 points below max pooling, beyond the margin of 0.40 points: a loss
    assert "Average instead of max pooling changed the best validation accuracy by -0.50 points: loss." in t
    assert "The largest gain came from *Adam*" in t or "The largest gain came from *Adam + one-cycle*" in t
    assert "does not beat the MLP" in text(adam_test=0.97)
    assert "+0.05 points: within noise" in text(pool=0.9905)
    assert "No step gained beyond noise" in text(adam=0.97, onecycle=0.9702)


def test_the_prose_states_only_numbers_of_its_tables_and_inputs():
    t = text()
    prose, tables = prose_and_tables(t)
    table_numbers = set(re.findall(r"[+-]?\d[\d,]*(?:\.\d+)?", " ".join(tables)))
    inputs = {"431,080", "500,000", "5,000", "0.40", "2", "3"}  # the parameters, images and margin stated
    stated = set(re.findall(r"[+-]?\d[\d,]*(?:\.\d+)?", " ".join(prose)))
    assert stated <= table_numbers | inputs, stated - table_numbers - inputs


def scores(name, iou, epochs=12):
    k = len(iou)
    confusion = torch.eye(k, dtype=torch.long) * 100
    confusion[0, 1], confusion[0, 2] = 30, 10
    return SegScores(name, 0.8, sum(iou) / k, iou, [0.5] * k, [0.6] * k, confusion, 1000, 2.0, epochs)


def test_segmentation_findings_compare_class_by_class():
    classes = ["a", "b", "c"]
    fcn, unet = scores("FCN", [0.2, 0.5, 0.6]), scores("U-Net", [0.1, 0.7, 0.8], epochs=30)
    t = findings.segmentation_findings(fcn, unet, classes, "the stand-in")
    assert "trained 30 epochs of 2.0 s against the FCN's 12 of 2.0 s" in t
    assert "the U-Net's test mIoU is 0.533, above the FCN's 0.433" in t
    assert "higher on 2 of the 3 classes and lower on a" in t
    assert "The weakest class** for the U-Net is *a* (IoU 0.100): recall 0.600, precision 0.500" in t
    assert "| b | 0.214 |" in t and "| c | 0.071 |" in t and "labelled *b*" in t
    t = findings.segmentation_findings(unet, fcn, classes, "UAVid")
    assert "below the FCN's" in t and "stand-in" not in t


def test_speed_finding_names_the_faster_and_the_best():
    t = findings.speed_finding(12.0, 0.02, {"window classifier": 0.3, "FCN": 0.4, "U-Net": 0.5})
    assert "the FCN was 600 times faster" in t and "the U-Net scores highest" in t


def test_mirror_finding_words_each_change():
    t = findings.mirror_finding({"FCN": 0.4001, "U-Net": 0.62}, {"FCN": 0.4004, "U-Net": 0.6346})
    assert t == "- **Mirror averaging** left the FCN's test mIoU at 0.400 and raised the U-Net's from 0.620 to 0.635."
    assert "lowered the U-Net's test mIoU from 0.620 to 0.610" in findings.mirror_finding({"U-Net": 0.62},
                                                                                         {"U-Net": 0.61})
