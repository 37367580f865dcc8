"""The dependency files: ranges in requirements*.txt, exact versions in requirements-lock.txt, and CI's oldest
set made of the ranges' lower bounds."""
import re
import subprocess
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def requirements(name: str) -> list[Requirement]:
    lines = (line.split("#")[0].strip() for line in (ROOT / name).read_text().splitlines())
    return [Requirement(line) for line in lines if line and not line.startswith("-r")]


def lower_bound(requirement: Requirement) -> Version:
    [low] = [Version(s.version) for s in requirement.specifier if s.operator == ">="]
    return low


def test_every_requirement_is_a_range_from_a_lower_bound():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for requirement in requirements(name):
            assert lower_bound(requirement) in requirement.specifier, requirement
            assert any(s.operator == "<" for s in requirement.specifier), f"{requirement}: no upper bound"


def test_the_lock_pins_every_requirement_inside_its_range():
    lock = {}
    for requirement in requirements("requirements-lock.txt"):
        [spec] = requirement.specifier
        assert spec.operator == "==", requirement
        lock[re.sub(r"[-_.]+", "-", requirement.name).lower()] = Version(spec.version)
    assert not [name for name in lock if name.startswith(("nvidia", "triton", "cuda"))]  # torch pins these itself
    for name in ("requirements.txt", "requirements-dev.txt"):
        for requirement in requirements(name):
            assert lock[requirement.name.lower()] in requirement.specifier, requirement


def test_ci_installs_the_lower_bounds_as_the_oldest_set():
    script = (ROOT / ".ci" / "run").read_text()
    [expression] = re.findall(r"sed -n '([^']+)' requirements.txt requirements-dev.txt", script)
    result = subprocess.run(["sed", "-n", expression, "requirements.txt", "requirements-dev.txt"], cwd=ROOT,
                            capture_output=True, text=True, check=True)
    oldest = [Requirement(line) for line in result.stdout.splitlines()]
    expected = {r.name: Version(str(lower_bound(r))) for name in ("requirements.txt", "requirements-dev.txt")
                for r in requirements(name)}
    assert {r.name: Version(next(iter(r.specifier)).version) for r in oldest} == expected
    assert all(str(r.specifier).startswith("==") for r in oldest) and expected["torch"] == Version("2.9.1")
