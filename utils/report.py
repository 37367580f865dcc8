"""Tables for the notebook and the metrics file it writes."""
import inspect
import json
from pathlib import Path

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


def segmentation_table(scores: dict, classes: list[str], one_pass: dict[str, float] | None = None) -> str:
    """Test OA, mIoU (and the one-pass mIoU) and per-class IoU of segmentation models (results.SegScores)."""
    rows = []
    for name, score in scores.items():
        row = {"model": name, "parameters": f"{score.parameters:,}", "epochs": score.epochs,
               "train s / epoch": f"{score.seconds_per_epoch:.1f}", "OA": f"{score.accuracy:.3f}",
               "mIoU": f"**{score.miou:.3f}**"}
        if one_pass:
            row["mIoU, one pass"] = f"{one_pass[name]:.3f}"
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
                            "mIoU": f"**{r['miou']:.3f}**", "OA": f"{r['accuracy']:.3f}"}
                           for name, r in results.items()])


def boundary_table(scores: dict) -> str:
    """Accuracy and mIoU in the boundary band against all test pixels (boundaries.BoundaryScores, test OA/mIoU)."""
    return markdown_table([{"model": name, "OA, all pixels": f"{overall['accuracy']:.3f}",
                            "OA, band": f"{band.accuracy:.3f}", "mIoU, all pixels": f"{overall['miou']:.3f}",
                            "mIoU, band": f"{band.miou:.3f}"} for name, (band, overall) in scores.items()])


def mnist_metrics(variants: dict, paired: dict, lenet: str, best: str) -> dict:
    """Task 1's headline numbers for metrics.json (variants: results.Variant; paired: study.paired_tests)."""
    def entry(variant) -> dict:
        return {"epochs": variant.epochs, "best_val_accuracy": variant.best_val, "test_accuracy": variant.test,
                "parameters": variant.parameters}
    return {"mlp": entry(variants["MLP (Lab 2)"]), "lenet": {**entry(variants[lenet]), "variant": lenet},
            "best": {**entry(variants[best]), "name": best},
            "variants": {name: entry(variant) for name, variant in variants.items()},
            "mcnemar_p": {f"{name} against {against}": test.p_value for (name, against), test in paired.items()}}


def uavid_metrics(scores: dict, one_pass: dict[str, float], comparisons: list, boundary: dict, sampled: dict,
                  window_vs_fcn) -> dict:
    """Tasks 2 and 3's headline numbers for metrics.json: test scores, comparisons, boundary and sampled pixels."""
    def model(score) -> dict:
        return {"miou": score.miou, "overall_accuracy": score.accuracy, "parameters": score.parameters,
                "epochs": score.epochs, "seconds_per_epoch": score.seconds_per_epoch,
                "iou": dict(zip(CLASSES, score.iou, strict=True))}
    return {"fcn": {**model(scores["FCN"]), "miou_one_pass": one_pass["FCN"]},
            "unet": {**model(scores["U-Net"]), "miou_one_pass": one_pass["U-Net"]},
            "comparisons": {c.topic: {"first": c.first.name, "second": c.second.name, "difference": c.test.difference,
                                      "p_value": c.test.p_value} for c in comparisons},
            "boundary": {name: {"band_px": b.band, "band_accuracy": b.accuracy, "band_miou": b.miou}
                         for name, b in boundary.items()},
            "sampled_pixels": {name: {"miou": r["miou"], "overall_accuracy": r["accuracy"]}
                               for name, r in sampled.items()},
            "window_vs_fcn": {"difference": window_vs_fcn.difference, "p_value": window_vs_fcn.p_value}}
