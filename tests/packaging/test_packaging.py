"""The wheel ships the specs (kubehash.specs) and py.typed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_wheel_contains_specs(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("kubehash-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    specs = {p.name for p in (ROOT / "specs").glob("*.json")}
    assert {f"kubehash/specs/{s}" for s in specs} <= names
    assert "kubehash/specs/releases.json" in names and "kubehash/specs/1.10.json" in names
    assert "kubehash/py.typed" in names
