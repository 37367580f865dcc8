"""Tables for the notebook and the metrics file it writes."""
import json
from pathlib import Path


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
