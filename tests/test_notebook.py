"""Smoke runs of lab3.ipynb top to bottom, with tiny settings injected into its `parameters` cell; checks of what an
executed notebook shows (clean outputs, plurals, numbers backed by tables or prints); re-runs of its cells."""
import json
import os
import re
import subprocess
import sys
from itertools import zip_longest
from pathlib import Path

import nbformat
import papermill
import papermill.iorw
import papermill.parameterize
import pytest
import torch
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from utils.mnist_findings import PROPERTY_VERDICTS
from utils.segmentation import MIOU_MARGIN

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[1]


TINY = dict(
    RESUME=False, PROGRESS=False, TRAIN_LIMIT=1500, MLP_EPOCHS=1, SWEEP_LIMIT=1500, SWEEP_RATES=[0.01, 0.1],
    REG_LIMIT=1280, REG_EPOCHS=2, SHIFTS=[2], NOISES=[0.4],
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
    return "\n".join(["".join(output.get("text", "")), "".join(output.get("data", {}).get("text/markdown", "")),
                      "".join(output.get("data", {}).get("text/plain", ""))])


def numbers(text: str) -> set[str]:
    """Numbers with a decimal point or of 100 and more, without thousands separators ("98.50 %" as "98.50")."""
    found = {n.replace(",", "").lstrip("+") for n in NUMBER.findall(text)}
    return {n for n in found if "." in n or abs(float(n)) >= 100}


# --- checks of any executed notebook: each returns its problems, one line each, naming the cell

PLURAL = re.compile(r"(?<![\d.,])1 (epochs|sequences|images|frames|pixels|tests)\b")
# a number in prose: a percentage, a decimal, a p-value (0.003, 2e-05), an integer (thousands separated or not); not
# part of a word, a path, a fraction or a colour ("seq13", "1/16", "#c0392b")
PROSE_NUMBER = re.compile(r"(?<![\w.,/#])[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e[+-]?\d+)?(?![\w/])")
ANY_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?")
BOUND = re.compile(r"p [<>≤≥] [\d.e-]+")  # 'p < 0.001': a threshold, not a result
CODE_BLOCK = re.compile(r"```.*?```", re.DOTALL)  # report.source's listings


def code_outputs(nb):
    """(cell index, output) of every output of the notebook's code cells."""
    return [(index, output) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
            for output in cell.outputs]


def first_line(nb, index: int) -> str:
    return nb.cells[index].source.strip().splitlines()[0][:70] if nb.cells[index].source.strip() else ""


def unclean_outputs(nb) -> list[str]:
    """Outputs to stderr, and outputs that show a warning or a traceback."""
    problems = []
    for index, output in code_outputs(nb):
        text = output_text(output) + "".join(output.get("traceback", []))
        if output.get("name") == "stderr":
            problems.append(f"cell {index} ({first_line(nb, index)}): stderr: {text.strip()[:300]}")
        elif "Warning" in text or "Traceback" in text or output.output_type == "error":
            problems.append(f"cell {index} ({first_line(nb, index)}): {text.strip()[:300]}")
    return problems


def singular_plurals(nb) -> list[str]:
    """'1 epochs', '1 images' and the like, in outputs and in Markdown cells."""
    problems = []
    for index, cell in enumerate(nb.cells):
        texts = [cell.source] if cell.cell_type == "markdown" else [output_text(o) for o in cell.outputs]
        for text in texts:
            for match in PLURAL.finditer(text):
                context = text[max(0, match.start() - 60):match.end() + 20].replace("\n", " ")
                problems.append(f"cell {index} ({first_line(nb, index)}): {match[0]!r} in ...{context}...")
    return problems


def number_values(text: str, pattern: re.Pattern = ANY_NUMBER) -> set[float]:
    """The numbers of text as absolute values: '98.57 %' and '98.57%' alike, '1,234' as 1234, '2e-05' as 2e-05."""
    return {abs(float(n.replace(",", ""))) for n in pattern.findall(text)}


def markdown_outputs(nb) -> list[tuple[int, str]]:
    """(cell index, text) of every Markdown output, code listings left out."""
    return [(index, CODE_BLOCK.sub("", "".join(output.data["text/markdown"])))
            for index, output in code_outputs(nb) if "text/markdown" in output.get("data", {})]


def unbacked_numbers(nb) -> list[str]:
    """Numbers stated in the prose of Markdown outputs that no table, print or setting shows.

    A Markdown output's lines starting with '|' are its tables, the others its prose. Every percentage, decimal and
    integer of 10 and more in prose must appear in a table of any Markdown output, in a stream output, or in the
    parameters (or injected-parameters) cell; thresholds ('p < 0.001'), section numbers ('2.6') and integers below
    10 are left out."""
    rendered = markdown_outputs(nb)
    shown = set()
    for _, text in rendered:
        shown |= number_values("\n".join(line for line in text.splitlines() if line.lstrip().startswith("|")))
    for _, output in code_outputs(nb):
        if output.output_type == "stream":
            shown |= number_values(output.text)
    for cell in nb.cells:
        if {"parameters", "injected-parameters"} & set(cell.metadata.get("tags", [])):
            shown |= number_values(re.sub(r"#.*", "", cell.source))  # the settings, not their comments
        if cell.cell_type == "markdown":  # section numbers, as in "the mIoU of one pass (2.6)"
            shown |= {float(n) for n in re.findall(r"^#+ (\d+\.\d+)\b", cell.source, re.MULTILINE)}
    problems = []
    for index, text in rendered:
        for line in text.splitlines():
            if line.lstrip().startswith("|"):
                continue
            for match in PROSE_NUMBER.finditer(BOUND.sub("", line)):
                value = abs(float(match[0].replace(",", "")))
                if (value < 10 and not re.search(r"[.e]", match[0])) or value in shown:
                    continue
                problems.append(f"cell {index} ({first_line(nb, index)}): {match[0]} shown in no table, print or "
                                f"setting: {line.strip()[:200]}")
    return problems


def assert_clean(nb) -> None:
    """An executed notebook's outputs are clean: no stderr, warning or traceback; no '1 epochs'; every number of
    its prose shown in a table, a print or the settings."""
    problems = unclean_outputs(nb) + singular_plurals(nb) + unbacked_numbers(nb)
    assert not problems, "\n".join(problems)


def test_notebook_runs_end_to_end_and_its_findings_follow_its_numbers(tmp_path):
    nb, figures = run(tmp_path, SEED=3)  # not the default seed: other numbers, the same rules
    metrics = json.loads((figures / "metrics.json").read_text())
    assert metrics["mnist"]["classifiers"]["LeNet"]["parameters"] == 431080
    assert 0 <= metrics["mnist"]["classifiers"]["LeNet"]["test_accuracy"] <= 1
    assert metrics["uavid"]["data"] == "synthetic"
    assert set(metrics["uavid"]["unet"]["iou"]) == {"clutter", "building", "road", "static car", "tree",
                                                    "low vegetation", "human", "moving car"}
    for name in ("mnist_lr_sweep", "mnist_regularisation", "mnist_probes", "mnist_confusion", "uavid_samples",
                 "uavid_predictions", "uavid_confusion", "uavid_rare_classes"):
        assert (figures / f"{name}.png").is_file(), name
    text = "\n".join(output_text(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    # the banner and the table titles
    assert "Task 2 runs on a synthetic stand-in" in text and "[synthetic stand-in]" in text
    assert len(list((tmp_path / "outputs" / "uavid_predictions").glob("seq*/Labels/*.png"))) > 0

    # every MNIST verdict table row agrees with its Holm p and its difference, and metrics.json lists the same
    rows = [line.strip("|").split("|") for line in text.splitlines()
            if line.startswith("|") and ("McNemar" in line or "permutation" in line or "sign test" in line)]
    judged = {cells[0].strip(): cells for cells in rows}
    mnist_verdicts = {v["comparison"]: v for v in metrics["mnist"]["verdicts"]}
    assert set(judged) == set(mnist_verdicts) and len(judged) == 10
    for name, cells in judged.items():
        holm_text, word = cells[-2].strip(), cells[-1].strip()
        word = {shown: said for said, shown in PROPERTY_VERDICTS.get(cells[1].strip(), {}).items()}.get(word, word)
        lower_is_better = "cross-entropy" in cells[1]
        difference = mnist_verdicts[name]["difference"] * (-1 if lower_is_better else 1)
        p_value = float(holm_text.split()[-1])
        assert_verdict(difference, holm_text, p_value, word)
        assert word == mnist_verdicts[name]["verdict"], name

    # the segmentation discussion words each verdict and difference as metrics.json records them
    readers = ("seg_readings.comparison_lines(", "seg_readings.window_line(", "seg_readings.weights_line(")
    seg = "".join(output_text(o) for c in nb.cells if any(reader in c.source for reader in readers) for o in c.outputs)
    stated = re.findall(r"^- \*\*[^*]+\*\*[^:]*: (better|worse|no detectable difference) \(([+-][\d.]+) "
                        r"(?:rare-class )?mIoU", seg, re.MULTILINE)
    verdicts = list(metrics["uavid"]["verdicts"])
    assert len(stated) == len(verdicts) == 6  # 5 controlled comparisons, class weights among them; the window's
    said = sorted((word, round(float(difference), 3)) for word, difference in stated)  # in the report's order
    recorded = sorted((v["verdict"], round(v["difference"], 3)) for v in verdicts)
    assert said == recorded
    # ... and each comparison table row's verdict follows its difference and Holm p
    rows = [line.strip("|").split("|") for line in text.splitlines() if line.startswith("|")
            and line.count("|") == 13 and line.strip("|").split("|")[0].strip() in {v["comparison"] for v in verdicts}]
    assert len(rows) == len(verdicts)
    for cells in rows:
        holm_text = cells[-2].strip()
        holm_text = holm_text if holm_text.startswith("p") else f"p = {holm_text}"
        assert_verdict(float(cells[6]), holm_text, float(holm_text.split()[-1]), cells[-1].strip(), MIOU_MARGIN)
    summary = "".join(output_text(o) for c in nb.cells if "seg_readings.task2_conclusion(" in c.source
                      for o in c.outputs)
    assert "The sliding window" in summary and SPEED.search(summary)
    assert_clean(nb)


def assert_verdict(difference: float, p_text: str, p_value: float, word: str, margin: float = 0.0) -> None:
    """A finding's verdict agrees with its difference and p-value ('p < 0.001' or 'p = 0.123'), a difference under
    `margin` counting as none."""
    detectable = p_text.startswith("p <") or p_value < 0.05
    expected = "no detectable difference" if not detectable or difference == 0 or abs(difference) < margin else \
        "better" if difference > 0 else "worse"
    assert word == expected, (difference, p_text, word)


# --- re-running a cell after Run All gives the same output, timings aside

TIMES = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?\s*(?:ms|µs|s|sec|seconds?|min|minutes?)\b")
SPEED = re.compile(r"\d[\d.,]* times (?:faster|slower)|about as fast")  # findings.relative_speed, of two timings
PROGRESS_LINE = re.compile(r"\d+%\|.*\||\d+it/s\]|s/it\]")  # tqdm's bars drawn as text
TIME_HEADER = re.compile(r"(?:^|\s)(?:s|ms|seconds?|time)(?:\s|$)")  # a table column of timings: "train s / epoch"
IMAGES = ("image/png", "image/jpeg", "image/svg+xml")


def without_timings(text: str) -> str:
    """text with its timings, speed ratios, progress bars and timing columns of Markdown tables replaced by
    placeholders."""
    lines, header = [], None
    for line in text.splitlines():
        if PROGRESS_LINE.search(line):
            continue
        if line.lstrip().startswith("|"):
            cells = line.strip().strip("|").split("|")
            if header is None:
                header = [bool(TIME_HEADER.search(cell.strip())) for cell in cells]
            elif len(cells) == len(header) and not set(line) <= set("|-: "):
                line = "|" + "|".join(" <time> " if timing else cell for cell, timing in zip(cells, header,
                                                                                              strict=True)) + "|"
        else:
            header = None
        lines.append(SPEED.sub("<speed>", TIMES.sub("<time>", line)))
    return "\n".join(lines)


def output_signature(outputs) -> dict:
    """What a cell shows, to compare across runs: its streams and Markdown and plain text without timings, how many
    images, its errors."""
    signature = {"images": 0}
    for output in outputs:
        data = output.get("data", {})
        if output.output_type == "stream":
            signature[output.name] = signature.get(output.name, "") + output.text  # split as it was flushed
        elif output.output_type == "error":
            signature.setdefault("errors", []).append(f"{output.ename}: {output.evalue}")
        elif any(kind in data for kind in IMAGES):
            signature["images"] += 1
        elif "text/markdown" in data:
            signature.setdefault("markdown", []).append(without_timings("".join(data["text/markdown"])))
        elif "text/plain" in data:
            signature.setdefault("plain", []).append(without_timings("".join(data["text/plain"])))
    for name in ("stdout", "stderr"):
        if name in signature:
            signature[name] = without_timings(signature[name])
    return signature


def signature_difference(first: dict, second: dict) -> str:
    """The first line that differs between two output signatures, and where."""
    def lines(value) -> list[str]:
        return [] if value is None else "\n".join(value).splitlines() if isinstance(value, list) \
            else str(value).splitlines()

    for key in sorted(set(first) | set(second)):
        pairs = zip_longest(lines(first.get(key)), lines(second.get(key)), fillvalue="(nothing)")
        for number, (before, after) in enumerate(pairs, start=1):
            if before != after:
                return f"{key}, line {number}: {before[:200]!r} became {after[:200]!r}"
    return ""


def test_every_cell_re_runs_in_place_with_the_same_output(tmp_path):
    # Issue 30.3: after Run All, any cell re-runs in place and gives the same output. The quick settings replace
    # the injected-parameters cell (papermill's way, so cell indices are those of lab3.ipynb); one kernel runs every
    # code cell, then each once more, and each cell's second outputs must equal its first, timings aside and images
    # counted, not compared. The second pass goes from the last cell up: each cell then re-runs on what Run All
    # left behind (the cells below it re-ran first and redefine only what they had defined), as a reader's re-run
    # does; top down, each re-run would follow re-runs of the cells above it, a second Run All, which restores
    # what a later cell overwrote (as Task 2's `pairs` overwrote Task 1's). No cell is skipped: the Colab cell does
    # nothing where utils/ is found.
    nb = papermill.iorw.load_notebook_node(str(ROOT / "lab3.ipynb"))  # as papermill reads it: tags on every cell
    settings = {**TINY, "FIGURES_DIR": str(tmp_path / "figures"), "OUTPUT_DIR": str(tmp_path / "outputs"),
                "STANDIN_DIR": str(tmp_path / "standin")}
    nb = papermill.parameterize.parameterize_notebook(nb, settings, kernel_name="python3")
    client = NotebookClient(nb, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    code = [index for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    client.reset_execution_trackers()
    with client.setup_kernel():
        for index in code:
            client.execute_cell(nb.cells[index], index)
        first = {index: output_signature(nb.cells[index].outputs) for index in code}
        client.allow_errors = True  # every cell re-runs, and every difference is reported
        for index in reversed(code):
            client.execute_cell(nb.cells[index], index)
    differences = [f"cell {index} ({first_line(nb, index)}): "
                   + signature_difference(first[index], output_signature(nb.cells[index].outputs))
                   for index in code if first[index] != output_signature(nb.cells[index].outputs)]
    assert not differences, "\n".join(differences)


def test_on_uavid_nothing_says_stand_in(tmp_path):
    from utils.standin import make_standin  # a small tree in UAVid's layout, read as UAVid

    # the smallest data the settings allow: 2 frames a sequence and one test sequence (2 test images)
    uavid = make_standin(tmp_path / "uavid_release", size=(192, 108), frames=2, seed=1)
    nb, figures = run(tmp_path, UAVID_DIR=str(uavid), UAVID_TEST_SEQUENCES=1)
    metrics = json.loads((figures / "metrics.json").read_text())
    assert metrics["uavid"]["data"] == "uavid"
    text = "\n".join(output_text(o) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert re.search(r"test:\s+2 images from\s+1 sequences?\b", text), "the test split is not one sequence"
    for cell in nb.cells:
        texts = [cell.source] if cell.cell_type == "markdown" else [output_text(o) for o in cell.outputs]
        for text in texts:
            assert not re.search(r"stand-in|synthetic", text, re.IGNORECASE), text[:300]
    assert_clean(nb)


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
