"""A kubelet command line that belongs to no node: the message names the file and says what to pass (issue 17:
it said "node (none)")."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubehash import exitcodes
from kubehash.cli import main


def test_flags_file_of_no_node_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flags = tmp_path / "flags.txt"
    flags.write_text("/usr/bin/kubelet --v=2\n")
    assert main(["preflight", "--to", "v1.14.10", "--kubelet-flags", str(flags)]) == exitcodes.INPUT_ERROR
    err = capsys.readouterr().err
    assert err.startswith(f"error: {flags}: it belongs to no node (not given as DIR/<node>/...)")
    assert "(none)" not in err and "pass --from" in err
