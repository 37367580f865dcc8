"""Tables for the notebook and the metrics file it writes."""
import inspect
import json
from pathlib import Path

from .boundaries import errors_in_band
from .files import write_atomic
from .models import count_parameters
from .palette import CLASSES


def markdown_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """A Markdown table of rows (dicts); floats are printed as given, so format them first."""
    columns = columns or list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def update_metrics(path: str | Path, key: str, value: dict) -> dict:
    """Set metrics[key] = value in the JSON file at path (other keys are kept); return the whole file. The file is
    replaced whole: a run stopped while writing leaves the previous one."""
    path = Path(path)
    metrics = json.loads(path.read_text()) if path.is_file() else {}
    metrics[key] = value
    text = json.dumps(metrics, indent=2) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, lambda tmp: tmp.write_text(text))
    return metrics


def source(*objects) -> str:
    """The source code of functions or classes as one Markdown code block, to show the implementation in the
    notebook without copying it there."""
    return "```python\n" + "\n\n".join(inspect.getsource(o).rstrip() for o in objects) + "\n```"


def classifier_table(trained: list) -> str:
    """The MNIST results: one row per trained classifier (results.Trained)."""
    rows = []
    for result in trained:
        history = result.history
        rows.append({"variant": result.name, "parameters": f"{count_parameters(result.model):,}",
                     "optimizer": result.label, "epochs": len(history),
                     "train s / epoch": f"{history.seconds_per_epoch():.1f}" if len(history) else "-",
                     "best val acc": f"{history.best('val_accuracy'):.2%}" if len(history) else "-",
                     "test acc": f"{result.test_accuracy:.2%}"})
    return markdown_table(rows)


def class_weight_table(frequency, weights, classes: list[str]) -> str:
    """Each class's share of the training pixels and its weight in the loss (1 where the loss is unweighted)."""
    return markdown_table([{"class": name, "pixels in train": f"{float(frequency[i]):.2%}",
                            "loss weight": f"{float(weights[i]):.2f}" if weights is not None else "1"}
                           for i, name in enumerate(classes)])


def segmentation_table(scores: dict, classes: list[str]) -> str:
    """Test OA, mIoU and per-class IoU of segmentation models (results.SegScores)."""
    rows = []
    for name, score in scores.items():
        row = {"model": name, "parameters": f"{score.parameters:,}", "epochs": score.epochs,
               "train s / epoch": f"{score.seconds_per_epoch:.1f}", "OA": f"{score.accuracy:.3f}",
               "mIoU": f"{score.miou:.3f}"}
        rows.append(row | {c: f"{score.iou[i]:.3f}" for i, c in enumerate(classes)})
    return markdown_table(rows)


def per_class_table(results: dict[str, dict], classes: list[str], keys=("precision", "recall", "f1")) -> str:
    """Precision, recall and F1 (or other per-class metrics) of each model, one row per class."""
    return markdown_table([{"class": c, **{f"{name} {key}": f"{float(result[key][i]):.3f}"
                                           for name, result in results.items() for key in keys}}
                           for i, c in enumerate(classes)])


def sampled_table(results: dict[str, dict], classes: list[str]) -> str:
    """Per-class IoU, mIoU and OA of models scored on the same sampled pixels."""
    return markdown_table([{"model": name, **{c: f"{float(r['iou'][i]):.3f}" for i, c in enumerate(classes)},
                            "mIoU": f"{r['miou']:.3f}", "OA": f"{r['accuracy']:.3f}"}
                           for name, r in results.items()])


def boundary_table(scores: dict) -> str:
    """Accuracy and mIoU in the boundary band against all test pixels (boundaries.BoundaryScores, test OA/mIoU),
    and the share of each model's errors that lie in the band."""
    return markdown_table([{"model": name, "OA, all pixels": f"{overall['accuracy']:.3f}",
                            "OA, band": f"{band.accuracy:.3f}", "mIoU, all pixels": f"{overall['miou']:.3f}",
                            "mIoU, band": f"{band.miou:.3f}",
                            "errors in band": f"{errors_in_band(band, overall['accuracy']):.1%}"}
                           for name, (band, overall) in scores.items()])


def mnist_metrics(classifiers: dict, verdicts: list, chosen_rates: dict[str, float],
                  tested_rates: dict[str, float]) -> dict:
    """Task 1's headline numbers for metrics.json (classifiers: results.Trained by name; verdicts: study.Judged;
    chosen_rates: each recipe's best in the sweep; tested_rates: those its tests used)."""
    return {"classifiers": {name: {"epochs": len(result.history), "test_accuracy": result.test_accuracy,
                                   "best_val_accuracy": result.history.best("val_accuracy"),
                                   "parameters": count_parameters(result.model)}
                            for name, result in classifiers.items()},
            "chosen_rates": chosen_rates, "tested_rates": tested_rates,
            "verdicts": [judged.as_record() for judged in verdicts]}


def uavid_metrics(fcn, unet, comparisons: list, boundary: dict, sampled: dict) -> dict:
    """Tasks 2 and 3's headline numbers for metrics.json: the FCN's and U-Net's test scores (results.SegScores),
    every comparison (results.Comparison; its verdicts as a benchmark reads them), boundary and sampled pixels."""
    def model(score) -> dict:
        return {"name": score.name, "miou": score.miou, "overall_accuracy": score.accuracy,
                "parameters": score.parameters, "epochs": score.epochs, "seconds_per_epoch": score.seconds_per_epoch,
                "iou": dict(zip(CLASSES, score.iou, strict=True))}
    return {"fcn": model(fcn), "unet": model(unet),
            "comparisons": {c.topic: {"first": c.first.name, "second": c.second.name, "measure": c.measure,
                                      "difference": c.test.difference,
                                      "p_value": c.test.p_value, "sequence_p_value": c.sequences.p_value,
                                      "sequences": c.sequences.sequences, "sequences_first_better":
                                          c.sequences.first_better, "holm_p_value": c.adjusted_p}
                            for c in comparisons},
            "verdicts": [{"family": c.family, "comparison": c.topic, "measure": c.measure,
                          "difference": c.test.difference, "p": c.adjusted_p, "verdict": c.verdict}
                         for c in comparisons],
            "boundary": {name: {"band_px": b.band, "band_accuracy": b.accuracy, "band_miou": b.miou}
                         for name, b in boundary.items()},
            "sampled_pixels": {name: {"miou": r["miou"], "overall_accuracy": r["accuracy"]}
                               for name, r in sampled.items()}}
