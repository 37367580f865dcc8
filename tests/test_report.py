from pathlib import Path

import numpy as np
import pytest
import torch

from utils import report
from utils.boundaries import BoundaryScores
from utils.models import LeNet
from utils.results import History, SegScores, Trained


def test_classifier_table_reads_the_kept_epoch_and_the_test_answers():
    history = History(epoch=[1, 2], seconds=[10.0, 12.0], val_accuracy=[0.98, 0.97], best_epoch=1)
    trained = Trained("LeNet", LeNet(), "adam 0.001", history, torch.tensor([True] * 9921 + [False] * 79))
    row = report.classifier_table([trained]).splitlines()[2]
    assert row == "| LeNet | 431,080 | adam 0.001 | 2 | 11.0 | 98.00% | 99.21% |"


def test_classifier_table_of_a_training_interrupted_in_its_first_epoch():
    trained = Trained("LeNet", LeNet(), "sgd 0.1", History(), torch.tensor([True, False]))
    assert report.classifier_table([trained]).splitlines()[2] == "| LeNet | 431,080 | sgd 0.1 | 0 | - | - | 50.00% |"


def test_segmentation_table_has_a_row_per_model_and_a_column_per_class():
    score = SegScores("FCN", 0.7, 0.4, [0.1, 0.7], [0.5, 0.5], [0.5, 0.5], torch.eye(2), 1234, 3.25, 6)
    lines = report.segmentation_table({"FCN": score}, ["a", "b"]).splitlines()
    assert lines[0] == "| model | parameters | epochs | train s / epoch | OA | mIoU | a | b |"
    assert lines[2] == "| FCN | 1,234 | 6 | 3.2 | 0.700 | 0.400 | 0.100 | 0.700 |"


def test_boundary_table_sets_the_band_beside_all_pixels():
    band = BoundaryScores(3.0, 0.2, 0.6, 0.3, np.arange(3), np.ones(3), np.ones(3) / 3, np.full(3, 10))
    table = report.boundary_table({"U-Net": (band, {"accuracy": 0.9, "miou": 0.5})})
    # 20 % of the pixels in the band at 0.6: 8 % of all pixels wrong there, of the 10 % wrong overall
    assert table.splitlines()[2] == "| U-Net | 0.900 | 0.600 | 0.500 | 0.300 | 80.0% |"


def test_markdown_table_and_metrics_file(tmp_path):
    assert report.markdown_table([{"a": 1, "b": "x"}]) == "| a | b |\n|---|---|\n| 1 | x |"
    path = tmp_path / "metrics.json"
    report.update_metrics(path, "mnist", {"acc": 0.99})
    assert report.update_metrics(path, "uavid", {"miou": 0.5}) == {"mnist": {"acc": 0.99}, "uavid": {"miou": 0.5}}


def test_metrics_file_stopped_while_being_written_keeps_its_previous_content(tmp_path, monkeypatch):
    path = tmp_path / "metrics.json"
    report.update_metrics(path, "mnist", {"acc": 0.99})
    before = path.read_text()
    real_write_text = Path.write_text

    def stopped_halfway(self, text, *args, **kwargs):  # as if the kernel died while writing
        real_write_text(self, text[:len(text) // 2], *args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(Path, "write_text", stopped_halfway)
    with pytest.raises(KeyboardInterrupt):
        report.update_metrics(path, "uavid", {"miou": 0.5})
    assert path.read_text() == before


def test_uavid_metrics_list_every_verdict_as_the_benchmark_reads_it():
    from utils.results import Comparison
    from utils.significance import PairedMiou, PairedSequences
    fcn = SegScores("FCN, 6 epochs", 0.7, 0.4, [0.4] * 8, [0.5] * 8, [0.5] * 8, torch.eye(8), 10, 1.0, 6)
    unet = SegScores("U-Net, 30 epochs", 0.8, 0.5, [0.5] * 8, [0.5] * 8, [0.5] * 8, torch.eye(8), 20, 2.0, 30)
    against = Comparison("U-Net against FCN", unet, fcn, PairedMiou(0.1, 0.001, 50, 60), PairedSequences(0.01, 6, 6),
                         "controlled comparisons", 0.04, "better")
    window = Comparison("Window against FCN", fcn, unet, PairedMiou(-0.1, 0.2, 10, 60), PairedSequences(0.3, 6, 1),
                        "window against FCN", 0.3, "no detectable difference")
    metrics = report.uavid_metrics(fcn, unet, [against, window], {}, {})
    assert metrics["verdicts"] == [
        {"family": "controlled comparisons", "comparison": "U-Net against FCN", "measure": "mIoU", "difference": 0.1,
         "p": 0.04, "verdict": "better"},
        {"family": "window against FCN", "comparison": "Window against FCN", "measure": "mIoU", "difference": -0.1,
         "p": 0.3, "verdict": "no detectable difference"}]
    assert (metrics["fcn"]["name"], metrics["unet"]["miou"]) == ("FCN, 6 epochs", 0.5)
