"""docs/how-a-hash-is-computed.md shows real output: every line kubehash prints for its container is on the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubehash.cli import main

ROOT = Path(__file__).parents[2]
PAGE = ROOT / "docs" / "how-a-hash-is-computed.md"


@pytest.mark.parametrize(
    "args",
    [
        ["hash", "--to", "1.10", "--show-input"],
        ["hash", "--to", "1.17", "--show-input"],
        ["hash", "--to", "1.31", "--show-input"],
        ["explain", "--from", "1.10", "--to", "1.17"],
    ],
)
def test_page_output_is_current(args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pods = json.loads((ROOT / "examples" / "cluster" / "pods.json").read_text())
    pod = next(p for p in pods["items"] if p["metadata"]["name"] == "hello-world-b59adfe-4vqf4")
    container = tmp_path / "hello.json"
    container.write_text(json.dumps(pod["spec"]["containers"][0], indent=2))
    main([*args, str(container)])
    out = capsys.readouterr().out
    page = PAGE.read_text(encoding="utf-8")
    assert out.strip()
    for line in out.splitlines():
        assert line in page, f"{' '.join(args)}: {line[:100]!r} is not on the page"
    assert json.dumps(pod["spec"]["containers"][0], indent=2) in page  # the `cat hello.json` block
