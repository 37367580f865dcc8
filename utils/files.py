"""Writing files safely (no torch here: the stand-in generator's workers use it too)."""
import os
from collections.abc import Callable
from pathlib import Path


def write_atomic(path: str | Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a hidden file beside `path`, then move it over `path`: a half-written file never
    replaces a good one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    write(tmp)
    os.replace(tmp, path)
