"""Smoke run of lab3.ipynb top to bottom, with tiny settings injected into its `parameters` cell."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import papermill
import pytest
import torch
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


TINY = dict(
    RESUME=False, PROGRESS=False, TRAIN_LIMIT=1500, MLP_EPOCHS=1, STUDY_EPOCHS=1, LONG_EPOCHS=1,
    STANDIN_WIDTH=192, STANDIN_HEIGHT=108, STANDIN_FRAMES=2, SEG_HEIGHT=72, SEG_CROP=48,
    SEG_CROPS_PER_EPOCH=40, SEG_BATCH_SIZE=4, SEG_EPOCHS=1, FCN_EPOCHS=1, UNET_WIDTH=4, UNET_DEPTH=2, FCN_WIDTH=4,
    PATCH_SIZE=11, PATCH_TRAIN_WINDOWS=1500, PATCH_EPOCHS=1, TILE_SIZE=48, TILE_OVERLAP=16, PIXEL_SAMPLE=500,
)
NUMBER = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?")


def run(tmp_path, **settings):
    """Execute the notebook with TINY settings (and `settings`) into tmp_path; return it and its figures folder."""
    figures = tmp_path / "figures"
    params = {**TINY, "FIGURES_DIR": str(figures), "OUTPUT_DIR": str(tmp_path / "outputs"),
              "STANDIN_DIR": str(tmp_path / "standin"), **settings}
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(ROOT / "lab3.ipynb"), str(out), parameters=params, cwd=str(ROOT),
                               progress_bar=False, kernel_name="python3")
    nb = nbformat.read(out, as_version=4)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    return nb, figures


def output_text(output) -> str:
    return "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/markdown", "")) \
        + "".join(output.get("data", {}).get("text/plain", ""))


def numbers(text: str) -> set[str]:
    """Numbers with a decimal point or of 100 and more, without thousands separators ("98.50 %" as "98.50")."""
    found = {n.replace(",", "").lstrip("+") for n in NUMBER.findall(text)}
    return {n for n in found if "." in n or abs(float(n)) >= 100}


def test_notebook_runs_end_to_end_and_its_findings_follow_its_numbers(tmp_path):
    nb, figures = run(tmp_path, SEED=3)  # not the default seed: other numbers, the same rules
    metrics = json.loads((figures / "metrics.json").read_text())
    assert metrics["mnist"]["lenet"]["parameters"] == 431080
    assert 0 <= metrics["mnist"]["best"]["test_accuracy"] <= 1
    assert metrics["uavid"]["data"] == "synthetic"
    assert set(metrics["uavid"]["unet"]["iou"]) == {"clutter", "building", "road", "static car", "tree",
                                                    "low vegetation", "human", "moving car"}
    for name in ("mnist_study", "mnist_confusion", "uavid_samples", "uavid_predictions", "uavid_confusion",
                 "uavid_rare_classes"):
        assert (figures / f"{name}.png").is_file(), name
    text = "".join(output_text(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "synthetic stand-in in UAVid" in text and "[synthetic stand-in]" in text  # the banner and the table titles
    assert len(list((tmp_path / "outputs" / "uavid_predictions").glob("seq*/Labels/*.png"))) > 0

    # the findings state only numbers that the run's tables and prints show, and their claims agree with them
    is_findings = ["findings.mnist_findings" in c.source or "findings.comparison_finding" in c.source
                   for c in nb.cells]
    rendered = [output_text(o) for c, f in zip(nb.cells, is_findings, strict=True) if f for o in c.outputs]
    assert len(rendered) == 2
    shown = numbers("".join(output_text(o) for c, f in zip(nb.cells, is_findings, strict=True) if not f
                            and c.cell_type == "code" for o in c.outputs))
    shown |= numbers("".join(c.source for c in nb.cells if c.cell_type == "markdown"))
    for finding in rendered:
        tables = "\n".join(line for line in finding.splitlines() if line.startswith("|"))
        prose = "\n".join(line for line in finding.splitlines() if not line.startswith("|"))
        missing = numbers(prose) - numbers(tables) - shown
        assert not missing, f"numbers stated in the findings but shown nowhere else: {missing}"
    mnist, seg = rendered
    claim = re.search(r"LeNet reaches ([\d.]+) % against ([\d.]+) % .*\((p [<=] ([\d.]+)): ([a-z ]+)\)", mnist)
    assert_verdict(float(claim[1]) - float(claim[2]), claim[3], float(claim[4]), claim[5])
    comparisons = re.findall(r"\*([^*]+)\* ([\d.]+) against \*([^*]+)\* ([\d.]+) \((p [<=] ([\d.]+)): ([a-z ]+)\)", seg)
    assert len(comparisons) == 4
    for _, first, _, second, p_text, p_value, word in comparisons:
        assert_verdict(float(first) - float(second), p_text, float(p_value), word)
    sampled = dict((name, float(value)) for value, name in re.findall(r"([\d.]+) \(\*([\w -]+)\*\)", seg)
                   if name in ("window classifier", "FCN", "U-Net"))
    ahead = "beats" if sampled["window classifier"] > sampled["FCN"] else "trails"
    assert f"the window classifier {ahead} the FCN" in seg


def assert_verdict(difference: float, p_text: str, p_value: float, word: str) -> None:
    """A finding's verdict agrees with its difference and p-value ('p < 0.001' or 'p = 0.123')."""
    detectable = p_text.startswith("p <") or p_value < 0.05
    expected = "no detectable difference" if not detectable or difference == 0 else \
        "better" if difference > 0 else "worse"
    assert word == expected, (difference, p_text, word)


def test_on_uavid_nothing_says_stand_in(tmp_path):
    from utils.standin import make_standin  # a small tree in UAVid's layout, read as UAVid

    uavid = make_standin(tmp_path / "uavid_release", size=(192, 108), frames=2, seed=1)
    nb, figures = run(tmp_path, UAVID_DIR=str(uavid))
    assert json.loads((figures / "metrics.json").read_text())["uavid"]["data"] == "uavid"
    for cell in nb.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else [output_text(o) for o in cell.outputs]
        for text in texts:
            assert not re.search(r"stand-in|synthetic", text, re.IGNORECASE), text[:300]


def report_lint() -> Path | None:
    """The course's report check: $REPORT_LINT, or shared/tools/report_lint.py beside this checkout or beside a
    folder above it (a worktree's, a clone's in another folder)."""
    if os.environ.get("REPORT_LINT"):
        return Path(os.environ["REPORT_LINT"])
    found = [folder / "shared" / "tools" / "report_lint.py" for folder in ROOT.parents]
    return next((path for path in found if path.is_file()), None)


def test_the_committed_report_passes_the_report_check():
    lint = report_lint()
    if lint is None:
        pytest.skip("the course's report check is not part of this repository and no shared/tools/report_lint.py "
                    f"is beside {ROOT} or a folder above it: set REPORT_LINT to its path to run this test")
    assert lint.is_file(), f"REPORT_LINT={lint} is not a file"
    result = subprocess.run([sys.executable, str(lint), str(ROOT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout


def test_a_bad_setting_stops_with_one_line(tmp_path):
    out = tmp_path / "out.ipynb"
    try:
        papermill.execute_notebook(str(ROOT / "lab3.ipynb"), str(out), parameters={"BATCH_SIZE": 0},
                                   cwd=str(ROOT), progress_bar=False, kernel_name="python3")
    except papermill.PapermillExecutionError as err:
        assert err.ename == "LabError"
        assert "BATCH_SIZE=0 in the parameters cell" in err.evalue
    else:
        raise AssertionError("the notebook ran with BATCH_SIZE=0")
    nb = nbformat.read(out, as_version=4)
    tracebacks = [o["traceback"] for c in nb.cells if c.cell_type == "code"
                  for o in c.outputs if o.output_type == "error"]
    assert len(tracebacks) == 1 and len(tracebacks[0]) == 1  # one line, no stack


CTRL_C_IN_EPOCH_2 = """
from utils import training as _training
_real_epoch, _epochs = _training.train_one_epoch, []
def _interrupt_the_second_epoch(*args, **kwargs):  # as if Ctrl-C were pressed during epoch 2
    _epochs.append(1)
    if len(_epochs) == 2:
        raise KeyboardInterrupt
    return _real_epoch(*args, **kwargs)
_training.train_one_epoch = _interrupt_the_second_epoch
"""


def test_ctrl_c_in_a_training_cell_keeps_its_results_and_stops_the_run(tmp_path):
    nb = nbformat.read(ROOT / "lab3.ipynb", as_version=4)
    params = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    mlp = next(i for i, c in enumerate(nb.cells) if "mlp_history = training.fit" in c.source)
    settings = nbformat.v4.new_code_cell(f"RESUME, PROGRESS, TRAIN_LIMIT, MLP_EPOCHS = True, False, 1500, 3\n"
                                         f"FIGURES_DIR = {str(tmp_path / 'figures')!r}\n"
                                         f"CHECKPOINT_DIR = {str(tmp_path / 'checkpoints')!r}")
    after = nbformat.v4.new_code_cell("print('the run went on')")
    nb.cells = (nb.cells[:params + 1] + [settings] + nb.cells[params + 1:mlp]
                + [nbformat.v4.new_code_cell(CTRL_C_IN_EPOCH_2), nb.cells[mlp], after])
    with pytest.raises(CellExecutionError) as err:
        NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    assert err.value.ename == "Interrupted"
    assert "MLP stopped" in err.value.evalue and "after 1 finished epoch" in err.value.evalue

    outputs = nb.cells[-2].outputs
    text = "".join(o.get("text", "") for o in outputs)
    assert "[MLP] interrupted during epoch 2" in text and "1 finished epoch" in text
    errors = [o for o in outputs if o.output_type == "error"]
    assert len(errors) == 1 and len(errors[0]["traceback"]) == 1  # one line, no stack
    assert not nb.cells[-1].outputs  # Run All stops there
    # the finished epoch is kept: in the checkpoint, from which a re-run of the cell resumes
    state = torch.load(tmp_path / "checkpoints" / "mnist_mlp.pt", map_location="cpu", weights_only=True)
    assert state["history"]["epoch"] == [1] and state["best_model"] is not None


def test_run_all_as_jupyter_runs_it_with_progress_bars_as_widgets(tmp_path):
    # nbclient executes the cells one after the other as Jupyter's Run All does, no papermill; the quick settings
    # go in a cell of their own after the parameters (and the committed run's injected-parameters), progress bars on
    nb = nbformat.read(ROOT / "lab3.ipynb", as_version=4)
    params = max(i for i, c in enumerate(nb.cells)
                 if {"parameters", "injected-parameters"} & set(c.metadata.get("tags", [])))
    settings = {**TINY, "PROGRESS": True, "FIGURES_DIR": str(tmp_path / "figures"),
                "OUTPUT_DIR": str(tmp_path / "outputs"), "STANDIN_DIR": str(tmp_path / "standin")}
    nb.cells.insert(params + 1, nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in settings.items())))
    NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()

    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(widgets) >= 3  # a bar for each model trained, at least
    assert "application/vnd.jupyter.widget-state+json" in nb.metadata.get("widgets", {})
    text_bars = [o for o in outputs if o.output_type == "stream" and re.search(r"\d+it/s\]|\|[#█ ]+\|", o.text)]
    assert not text_bars, text_bars[0].text[:200]  # no bars drawn as text in the cells' output
