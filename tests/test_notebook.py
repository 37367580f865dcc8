"""Smoke run of lab3.ipynb top to bottom, with tiny settings injected into its `parameters` cell."""
import json
from pathlib import Path

import nbformat
import papermill

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
    tracebacks = [o["traceback"] for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert len(tracebacks) == 1 and len(tracebacks[0]) == 1  # one line, no stack
