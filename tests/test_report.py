from utils import report
from utils.training import History


def test_result_row_formats_a_history():
    history = History(epoch=[1, 2], seconds=[10.0, 12.0], val_accuracy=[0.97, 0.98], best_epoch=2)
    row = report.result_row("LeNet", 431080, "adam 0.001", history, 0.9921)
    assert row == {"variant": "LeNet", "parameters": "431,080", "optimizer": "adam 0.001", "epochs": 2,
                   "train s / epoch": "11.0", "best val acc": "98.00%", "test acc": "99.21%"}


def test_result_row_of_a_training_interrupted_in_its_first_epoch():
    row = report.result_row("MLP", 10, "sgd 0.1", History(), 0.1)
    assert row["epochs"] == 0 and row["train s / epoch"] == "-" and row["best val acc"] == "-"


def test_markdown_table_and_metrics_file(tmp_path):
    assert report.markdown_table([{"a": 1, "b": "x"}]) == "| a | b |\n|---|---|\n| 1 | x |"
    path = tmp_path / "metrics.json"
    report.update_metrics(path, "mnist", {"acc": 0.99})
    assert report.update_metrics(path, "uavid", {"miou": 0.5}) == {"mnist": {"acc": 0.99}, "uavid": {"miou": 0.5}}
