"""Stability of the report's verdicts (issue 31): does a 'better' or 'worse' of one run hold in the others?

Runs the default notebook with papermill once per named run, `seed<N>` (SEED N) or `seed<N>-<precision>` (SEED N,
PRECISION "<precision>"), each with FIGURES_DIR, CHECKPOINT_DIR and OUTPUT_DIR of its own under --out/<run>/, so
that no run resumes from another's checkpoints; PROGRESS is off. The stand-in depends on SEED: runs of seed 0 share
the default STANDIN_DIR, other seeds write theirs to --out/standin-seed<N>/. Then reads each run's
<FIGURES_DIR>/metrics.json, where the notebook lists the verdicts of its paired tests (metrics["mnist"]["verdicts"]
and metrics["uavid"]["verdicts"]: family, comparison, difference, p, verdict), and prints

  - a Markdown table: a row per family and comparison, a column per run with `verdict (p)`, and `stable`: no where
    one run says better or worse and another says something else (or lacks the comparison);
  - each run's wall time, Task 1 and Tasks 2-3 (the notebook's own "seconds"), device and precision;
  - last, the unstable rows. The exit status is 0 either way: this is a report, not a test.

    python -m bench.verdicts                          # from the repository root: the four runs of issue 31
    python -m bench.verdicts --runs seed0 seed1 --reuse   # runs whose metrics.json exists are not run again
"""
import argparse
import json
import re
import time
from pathlib import Path

from utils.config import Config
from utils.findings import p_text

DEFAULTS = Config()
RUNS = ("seed0", "seed1", "seed2", "seed0-bfloat16")
TASKS = ("mnist", "uavid")
DECISIVE = ("better", "worse")
RUN_NAME = re.compile(r"seed(\d+)(?:-(\w+))?")


def parameters(run: str, out: Path) -> dict:
    """The notebook's parameters for a run name such as 'seed1' or 'seed0-bfloat16'."""
    match = RUN_NAME.fullmatch(run)
    if match is None:
        raise SystemExit(f"run {run!r}: expected seed<N> or seed<N>-<precision>, e.g. seed1, seed0-bfloat16")
    seed = int(match[1])
    folder = out / run
    params = {"SEED": seed, "PROGRESS": False, "FIGURES_DIR": str(folder / "figures"),
              "CHECKPOINT_DIR": str(folder / "checkpoints"), "OUTPUT_DIR": str(folder / "outputs"),
              "STANDIN_DIR": DEFAULTS.seg.standin_dir if seed == 0 else str(out / f"standin-seed{seed}")}
    if match[2]:
        params["PRECISION"] = match[2]
    return params


def metrics_path(run: str, out: Path) -> Path:
    return Path(parameters(run, out)["FIGURES_DIR"]) / "metrics.json"


def execute(run: str, out: Path) -> float:
    """Run the notebook for one run into --out/<run>/lab3.ipynb; return its wall seconds."""
    import papermill

    params = parameters(run, out)
    (out / run).mkdir(parents=True, exist_ok=True)
    print(f"{run}: running the notebook with {' '.join(f'{k}={v}' for k, v in params.items())}", flush=True)
    tic = time.perf_counter()
    papermill.execute_notebook("lab3.ipynb", str(out / run / "lab3.ipynb"), parameters=params, progress_bar=False,
                               kernel_name="python3")
    return time.perf_counter() - tic


def verdicts(metrics: dict) -> dict[tuple[str, str], dict]:
    """The verdicts of one run's metrics, by (family, comparison), Task 1's first."""
    return {(v["family"], v["comparison"]): v for task in TASKS for v in metrics.get(task, {}).get("verdicts", [])}


def cell(verdict: dict | None) -> str:
    """'better (p < 0.001)', 'no detectable difference (p = 0.284)'; '–' for a comparison the run lacks."""
    if verdict is None:
        return "–"
    return f"{verdict['verdict']} ({p_text(verdict['p'])})"


def stable(words: list[str | None]) -> bool:
    """Whether no run says better or worse while another says something else (None: the run lacks the row)."""
    decisive = {word for word in words if word in DECISIVE}
    return not decisive or (len(decisive) == 1 and all(word in decisive for word in words))


def verdict_table(runs: dict[str, dict]) -> tuple[list[str], list[tuple[str, str]]]:
    """The Markdown table of every verdict across runs (name: metrics), and its unstable (family, comparison)."""
    by_run = {run: verdicts(metrics) for run, metrics in runs.items()}
    rows = list(dict.fromkeys(key for found in by_run.values() for key in found))  # first seen, first listed
    lines = ["| family | comparison | " + " | ".join(runs) + " | stable |",
             "|---|---|" + "---|" * len(runs) + "---|"]
    unstable = []
    for key in rows:
        found = [by_run[run].get(key) for run in runs]
        steady = stable([v["verdict"] if v else None for v in found])
        if not steady:
            unstable.append(key)
        lines.append(f"| {key[0]} | {key[1]} | " + " | ".join(cell(v) for v in found)
                     + f" | {'yes' if steady else 'no'} |")
    return lines, unstable


def time_table(runs: dict[str, dict], walls: dict[str, float]) -> list[str]:
    """Each run's seconds: the notebook's Task 1 and Tasks 2-3, and papermill's wall time where it ran here."""
    lines = ["| run | Task 1 s | Tasks 2-3 s | papermill wall s | device | precision |", "|---|---|---|---|---|---|"]
    for run, metrics in runs.items():
        mnist, uavid = metrics.get("mnist", {}), metrics.get("uavid", {})
        seconds = [f"{m['seconds']:.0f}" if "seconds" in m else "–" for m in (mnist, uavid)]
        wall = f"{walls[run]:.0f}" if run in walls else "– (reused)"
        lines.append(f"| {run} | {seconds[0]} | {seconds[1]} | {wall} | {mnist.get('device', '–')} | "
                     f"{mnist.get('precision', '–')} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", nargs="+", default=list(RUNS), help="seed<N> or seed<N>-<precision>")
    parser.add_argument("--out", type=Path, default=Path("outputs/verdicts"))
    parser.add_argument("--reuse", action="store_true", help="skip the runs whose metrics.json exists")
    args = parser.parse_args()
    walls = {}
    for run in args.runs:
        if args.reuse and metrics_path(run, args.out).is_file():
            print(f"{run}: reusing {metrics_path(run, args.out)}")
            continue
        walls[run] = execute(run, args.out)
        print(f"{run}: {walls[run]:.0f} s", flush=True)
    runs = {run: json.loads(metrics_path(run, args.out).read_text()) for run in args.runs}
    lines, unstable = verdict_table(runs)
    print("\n" + "\n".join(lines) + "\n\n" + "\n".join(time_table(runs, walls)) + "\n")
    if not any(verdicts(metrics) for metrics in runs.values()):
        print("no verdicts: the notebook wrote none to metrics.json (metrics[task]['verdicts'])")
    print(f"verdicts: {len(lines) - 2} comparisons, {len(unstable)} unstable"
          + "".join(f"\n  unstable: {family}: {comparison}" for family, comparison in unstable))


if __name__ == "__main__":
    main()
