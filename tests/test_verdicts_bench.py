"""bench.verdicts: the table of verdicts across runs, and which rows are unstable."""
import json
import sys
from pathlib import Path

import pytest

from bench import verdicts


def verdict(family: str, comparison: str, word: str, p: float, difference: float = 0.01) -> dict:
    return {"family": family, "comparison": comparison, "difference": difference, "p": p, "verdict": word}


def metrics(mnist: list[dict], uavid: list[dict], seconds: tuple[float, float] = (10.0, 20.0)) -> dict:
    return {"mnist": {"verdicts": mnist, "seconds": seconds[0], "device": "cpu (2 threads)", "precision": "float32"},
            "uavid": {"verdicts": uavid, "seconds": seconds[1]}}


NONE = "no detectable difference"
RUNS = {
    "seed0": metrics([verdict("study", "+ momentum against SGD", "better", 0.0001),
                      verdict("study", "+ dropout against + batch norm", "worse", 0.047)],
                     [verdict("segmentation", "Upsampling", NONE, 0.064)]),
    "seed1": metrics([verdict("study", "+ momentum against SGD", "better", 0.002),
                      verdict("study", "+ dropout against + batch norm", NONE, 0.3)],
                     [verdict("segmentation", "Upsampling", NONE, 0.5)]),
    "seed0-bfloat16": metrics([verdict("study", "+ momentum against SGD", "better", 0.0004)],
                              [verdict("segmentation", "Upsampling", "worse", 0.01, -0.01)], (30.0, 40.0)),
}


def test_the_table_has_a_row_per_comparison_and_a_column_per_run():
    lines, unstable = verdicts.verdict_table(RUNS)
    assert lines == [
        "| family | comparison | seed0 | seed1 | seed0-bfloat16 | stable |",
        "|---|---|---|---|---|---|",
        "| study | + momentum against SGD | better (p < 0.001) | better (p = 0.002) | better (p < 0.001) | yes |",
        "| study | + dropout against + batch norm | worse (p = 0.047) | no detectable difference (p = 0.300) | – "
        "| no |",
        "| segmentation | Upsampling | no detectable difference (p = 0.064) | no detectable difference (p = 0.500) "
        "| worse (p = 0.010) | no |",
    ]
    assert unstable == [("study", "+ dropout against + batch norm"), ("segmentation", "Upsampling")]


def test_a_verdict_is_stable_when_no_run_contradicts_a_better_or_worse():
    assert verdicts.stable(["better", "better", "better"])
    assert verdicts.stable([NONE, NONE, None])  # nothing stated, nothing reversed
    assert not verdicts.stable(["better", "worse"])
    assert not verdicts.stable(["better", NONE])
    assert not verdicts.stable([NONE, "worse"])
    assert not verdicts.stable(["better", None])  # a run that lacks it does not confirm it


def test_each_run_has_its_own_folders_and_seed_and_precision():
    out = Path("outputs/verdicts")
    assert verdicts.parameters("seed2", out) == {
        "SEED": 2, "PROGRESS": False, "FIGURES_DIR": "outputs/verdicts/seed2/figures",
        "CHECKPOINT_DIR": "outputs/verdicts/seed2/checkpoints", "OUTPUT_DIR": "outputs/verdicts/seed2/outputs",
        "STANDIN_DIR": "outputs/verdicts/standin-seed2"}
    bfloat16 = verdicts.parameters("seed0-bfloat16", out)
    assert (bfloat16["SEED"], bfloat16["PRECISION"], bfloat16["STANDIN_DIR"]) == (0, "bfloat16", "data/uavid_standin")
    assert bfloat16["CHECKPOINT_DIR"] == "outputs/verdicts/seed0-bfloat16/checkpoints"
    assert verdicts.metrics_path("seed0", out) == out / "seed0" / "figures" / "metrics.json"


def test_the_time_table_shows_the_notebook_seconds_and_the_wall_time_where_it_ran():
    assert verdicts.time_table(RUNS, {"seed1": 33.4}) == [
        "| run | Task 1 s | Tasks 2-3 s | papermill wall s | device | precision |",
        "|---|---|---|---|---|---|",
        "| seed0 | 10 | 20 | – (reused) | cpu (2 threads) | float32 |",
        "| seed1 | 10 | 20 | 33 | cpu (2 threads) | float32 |",
        "| seed0-bfloat16 | 30 | 40 | – (reused) | cpu (2 threads) | float32 |",
    ]


def test_with_reuse_it_reports_the_runs_found_without_running_the_notebook(tmp_path, monkeypatch, capsys):
    for run, found in RUNS.items():
        path = verdicts.metrics_path(run, tmp_path)
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(found))
    monkeypatch.setattr(verdicts, "execute", lambda run, out: pytest.fail(f"{run} ran"))
    monkeypatch.setattr(sys, "argv", ["verdicts", "--runs", *RUNS, "--out", str(tmp_path), "--reuse"])
    verdicts.main()
    printed = capsys.readouterr().out
    assert "| study | + momentum against SGD | better (p < 0.001) | better (p = 0.002) |" in printed
    assert printed.splitlines()[-3:] == ["verdicts: 3 comparisons, 2 unstable",
                                         "  unstable: study: + dropout against + batch norm",
                                         "  unstable: segmentation: Upsampling"]
