"""Smoke run of lab3.ipynb top to bottom, with tiny settings injected into its `parameters` cell."""
import json
from pathlib import Path

import nbformat
import papermill
import pytest
import torch
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


def test_notebook_runs_end_to_end_with_tiny_settings(tmp_path):
    figures = tmp_path / "figures"
    params = dict(
        RESUME=False, PROGRESS=False, FIGURES_DIR=str(figures), OUTPUT_DIR=str(tmp_path / "outputs"),
        TRAIN_LIMIT=1500, MLP_EPOCHS=1, STUDY_EPOCHS=1, LONG_EPOCHS=1,
        UAVID_DIR=str(tmp_path / "no_uavid_here"), STANDIN_DIR=str(tmp_path / "standin"),
        STANDIN_WIDTH=192, STANDIN_HEIGHT=108, STANDIN_FRAMES=2, SEG_HEIGHT=72, SEG_CROP=48,
        SEG_CROPS_PER_EPOCH=40, SEG_BATCH_SIZE=4, SEG_EPOCHS=1, UNET_WIDTH=4, UNET_DEPTH=2, FCN_WIDTH=4,
        PATCH_SIZE=11, PATCH_TRAIN_WINDOWS=1500, PATCH_EPOCHS=1, TILE_SIZE=48, TILE_OVERLAP=16,
    )
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(ROOT / "lab3.ipynb"), str(out), parameters=params, cwd=str(ROOT),
                               progress_bar=False, kernel_name="python3")
    nb = nbformat.read(out, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors

    metrics = json.loads((figures / "metrics.json").read_text())
    assert metrics["mnist"]["lenet"]["parameters"] == 431080
    assert 0 <= metrics["mnist"]["best"]["test_accuracy"] <= 1
    assert metrics["uavid"]["data"] == "synthetic"
    assert set(metrics["uavid"]["unet"]["iou"]) == {"clutter", "building", "road", "static car", "tree",
                                                    "low vegetation", "human", "moving car"}
    for name in ("mnist_curves", "mnist_confusion", "uavid_samples", "uavid_predictions", "uavid_confusion"):
        assert (figures / f"{name}.png").is_file(), name
    text = "".join(str(o.get("data", o.get("text", ""))) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "SYNTHETIC" in text or "stand-in" in text
    assert len(list((tmp_path / "outputs" / "uavid_predictions").glob("seq*/Labels/*.png"))) > 0


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
    assert err.value.evalue.startswith("MLP stopped by Ctrl-C after 1 finished epoch(s): the best weights")

    outputs = nb.cells[-2].outputs
    text = "".join(o.get("text", "") for o in outputs)
    assert "interrupted during epoch 2: keeping the best weights and the history of 1 finished epoch(s)" in text
    errors = [o for o in outputs if o.output_type == "error"]
    assert len(errors) == 1 and len(errors[0]["traceback"]) == 1  # one line, no stack
    assert not nb.cells[-1].outputs  # Run All stops there
    # the finished epoch is kept: in the checkpoint, from which a re-run of the cell resumes
    state = torch.load(tmp_path / "checkpoints" / "mnist_mlp.pt", map_location="cpu", weights_only=True)
    assert state["history"]["epoch"] == [1] and state["best_model"] is not None
