"""What a checkout needs on macOS and Windows too: file names that those systems can hold."""
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.IGNORECASE)


def test_tracked_file_names_suit_windows_and_case_insensitive_disks():
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\n")
    files = [f for f in files if f]
    assert files
    parts = {part for f in files for part in f.split("/")}
    assert not [p for p in parts if re.search(r'[<>:"\\|?*]', p) or p.endswith((".", " ")) or WINDOWS_RESERVED.match(p)]
    lower = [f.lower() for f in files]
    assert len(set(lower)) == len(lower), "two files differ only in case: one is lost on macOS and Windows"
