"""Tables for the notebook and the metrics file it writes."""
import inspect
import json
from pathlib import Path

from .training import History


def markdown_table(rows: list[dict], columns: list[str] | None = None) -> str:
    """A Markdown table of rows (dicts); floats are printed as given, so format them first."""
    columns = columns or list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    lines += ["| " + " | ".join(str(row.get(c, "")) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def update_metrics(path: str | Path, key: str, value: dict) -> dict:
    """Set metrics[key] = value in the JSON file at path (other keys are kept); return the whole file."""
    path = Path(path)
    metrics = json.loads(path.read_text()) if path.is_file() else {}
    metrics[key] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def result_row(name: str, parameters: int, optimizer: str, history: History, test_accuracy: float) -> dict:
    """One row of the MNIST results table: a model, how it was trained, its mean training seconds per epoch
    (validation excluded) and its scores; "-" where training was interrupted before its first epoch ended."""
    seconds, val = history.seconds, history.val_accuracy
    return {"variant": name, "parameters": f"{parameters:,}", "optimizer": optimizer, "epochs": len(history),
            "train s / epoch": f"{sum(seconds) / len(seconds):.1f}" if seconds else "-",
            "best val acc": f"{max(val):.2%}" if val else "-", "test acc": f"{test_accuracy:.2%}"}


def optimizer_label(optimizer: str, lr: float, schedule: str, **_) -> str:
    """How a model was trained, for a table: e.g. 'adam 0.003 one-cycle'."""
    return f"{optimizer} {lr:g}" + (" one-cycle" if schedule == "onecycle" else "")


def source(*objects) -> str:
    """The source code of functions or classes as one Markdown code block, to show the implementation in the
    notebook without copying it there."""
    return "```python\n" + "\n\n".join(inspect.getsource(o).rstrip() for o in objects) + "\n```"
