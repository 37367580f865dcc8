"""The notebook's first cell, which fetches the project on Colab or when the notebook is opened alone, run
against a local repository (a `file://` URL) with pip replaced by a recorder, beside installed distributions
made for the test (their metadata only), in and out of their ranges."""
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
MISSING = "not-installed-lab3-test-package>=1.0"  # no such package: the cell must ask pip for it
INSTALLED = {"lab3-test-old": "1.0", "lab3-test-new": "2.1", "lab3-test-kept": "1.5", "lab3-test-local": "2.9.1+cu126"}
OUT_OF_RANGE = ["lab3-test-old>=2.0,<3", "lab3-test-new>=1.0,<2"]  # installed too old and too new: asked for
IN_RANGE = ["lab3-test-kept>=1.0,<2", "lab3-test-local>=2.9.1,<3"]  # kept as installed (a local version too)
UNMET = [OUT_OF_RANGE[0], MISSING, OUT_OF_RANGE[1]]  # in the order of requirements.txt
ASKED = ["-q " + " ".join(UNMET)]  # what the cell must pass to pip, ranges included


def cell_source() -> str:
    """The first code cell of lab3.ipynb, which sets REPO_URL."""
    first = next(cell for cell in nbformat.read(ROOT / "lab3.ipynb", as_version=4).cells if cell.cell_type == "code")
    assert re.search(r"^REPO_URL = ", first.source, re.MULTILINE), "the first code cell must set REPO_URL"
    return first.source


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", "-c", "user.name=lab", "-c", "user.email=lab@example.org", *args], cwd=cwd, check=True,
                   capture_output=True)


@pytest.fixture
def repository(tmp_path) -> Path:
    """A git repository shaped like the project: utils/, data/ and requirements.txt, one requirement missing."""
    repo = tmp_path / "remote" / "lab3"
    (repo / "utils").mkdir(parents=True)
    (repo / "utils" / "__init__.py").write_text("FETCHED = True\n")
    (repo / "data").mkdir()
    (repo / "data" / "README").write_text("MNIST\n")
    requirements = (ROOT / "requirements.txt").read_text()  # installed here, so none of them may be asked for
    ours = "\n".join([OUT_OF_RANGE[0], IN_RANGE[0], MISSING + "  # a comment", OUT_OF_RANGE[1], IN_RANGE[1]])
    (repo / "requirements.txt").write_text(f"{requirements}\n{ours}\n")
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-q", "-m", "project", cwd=repo)
    return repo


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A folder for sys.path holding the metadata of INSTALLED, as pip leaves it (no code)."""
    site = tmp_path_factory.mktemp("site-packages")
    for name, version in INSTALLED.items():
        info = site / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    return site


def run_cell(url: str, cwd: Path, site: Path | None = None) -> subprocess.CompletedProcess:
    """Execute the cell with REPO_URL = url in a fresh interpreter in cwd, with `site` on its path; pip calls are
    printed, not made."""
    source = re.sub(r"^REPO_URL = .*$", f"REPO_URL = {url!r}", cell_source(), count=1, flags=re.MULTILINE)
    harness = (
        "import subprocess, sys\n"
        "_run = subprocess.run\n"
        "def _recording_run(args, **kwargs):\n"
        "    if list(args[1:4]) == ['-m', 'pip', 'install']:\n"
        "        print('PIP', *args[4:])\n"
        "        return subprocess.CompletedProcess(args, 0)\n"
        "    return _run(args, **kwargs)\n"
        "subprocess.run = _recording_run\n"
        f"exec(compile({source!r}, 'bootstrap_cell', 'exec'))\n"
        "import os, utils\n"
        "print('CWD', os.getcwd()); print('FETCHED', getattr(utils, 'FETCHED', False))\n"
        "print('MPS', os.environ['PYTORCH_ENABLE_MPS_FALLBACK'])\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTORCH_ENABLE_MPS_FALLBACK")}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return subprocess.run([sys.executable, "-c", harness], cwd=cwd, capture_output=True, text=True, env=env)


def lines(result: subprocess.CompletedProcess, tag: str) -> list[str]:
    assert result.returncode == 0, result.stderr
    return [line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith(tag + " ")]


def test_alone_it_clones_the_project_and_installs_what_is_missing_or_out_of_range(tmp_path, repository,
                                                                                   installed):
    alone = tmp_path / "content"  # Colab's working folder: the notebook and nothing else
    alone.mkdir()
    result = run_cell(repository.as_uri(), alone, installed)
    assert lines(result, "PIP") == ASKED
    assert lines(result, "CWD") == [str(alone / "lab3")] and lines(result, "FETCHED") == ["True"]
    assert (alone / "lab3" / "data" / "README").is_file()
    assert f"installing {', '.join(UNMET)}" in result.stdout

    again = run_cell(repository.as_uri(), alone / "lab3", installed)  # the cell run a second time: nothing to do
    assert lines(again, "PIP") == [] and lines(again, "CWD") == [str(alone / "lab3")]
    assert again.stdout.count("\n") == 3  # only the harness's own lines

    restarted = run_cell(repository.as_uri(), alone, installed)  # a new runtime in the same folder: no second clone
    assert lines(restarted, "CWD") == [str(alone / "lab3")] and lines(restarted, "PIP") == ASKED
    assert "Cloning" not in restarted.stderr


def test_without_the_packaging_module_it_reads_the_ranges_with_pips_copy(tmp_path, repository, installed):
    blocked = tmp_path / "blocked"  # a `packaging` that cannot be imported, found before the real one
    (blocked / "packaging").mkdir(parents=True)
    (blocked / "packaging" / "__init__.py").write_text("raise ImportError('no packaging here')\n")
    alone = tmp_path / "content"
    alone.mkdir()
    result = run_cell(repository.as_uri(), alone, Path(f"{blocked}{os.pathsep}{installed}"))
    assert lines(result, "PIP") == ASKED


def test_beside_the_project_it_changes_nothing(tmp_path):
    result = run_cell((tmp_path / "no-such-repository").as_uri(), ROOT)  # a clone would fail
    assert lines(result, "PIP") == [] and lines(result, "CWD") == [str(ROOT)]
    assert lines(result, "FETCHED") == ["False"] and not (ROOT / "no-such-repository").exists()
    assert lines(result, "MPS") == ["1"]  # set on every run: PyTorch reads it once, when imported


def test_a_wrong_url_stops_the_cell(tmp_path):
    alone = tmp_path / "content"
    alone.mkdir()
    result = run_cell((tmp_path / "no-such-repository").as_uri(), alone)
    assert result.returncode != 0 and "CalledProcessError" in result.stderr and "git" in result.stderr


def test_alone_without_a_url_it_says_what_to_set(tmp_path):
    alone = tmp_path / "content"
    alone.mkdir()
    result = run_cell("", alone)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.strip() == ("utils/ is not beside this notebook: set REPO_URL in this cell to the lab's "
                                     "clone URL, or open lab3.ipynb from the project's folder")
