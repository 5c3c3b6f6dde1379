"""Invalid UTF-8 in a dump: the offset reported is the byte's offset in the file, whatever reader met it and
however many processes split the file (issue 17: with --jobs 2 it was the offset inside a worker's part); a
pipe gives an input error, not an internal one."""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path

import pytest

from kubehash import exitcodes
from kubehash.cli import main
from kubehash.pipeline.cluster import Cluster, predict_cluster
from kubehash.sources.utf8pos import utf8_error
from kubehash.upgrade.options import Options

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cluster"


def _bad_dump(tmp_path: Path, copies: int) -> tuple[Path, int]:
    doc = json.loads((EXAMPLE / "pods.json").read_text())
    doc["items"] = doc["items"] * copies
    data = json.dumps(doc, indent=2).encode()
    at = data.index(b'"name": "', len(data) * 9 // 10) + len(b'"name": "')
    path = tmp_path / "pods.json"
    path.write_bytes(data[:at] + b"\xff" + data[at + 1 :])
    return path, at


@pytest.mark.parametrize("jobs", [1, 2])
def test_offset_is_the_files(tmp_path: Path, jobs: int, capsys: pytest.CaptureFixture[str]) -> None:
    path, at = _bad_dump(tmp_path, 6)
    args = ["predict", "--to", "v1.14.10", "--from", "v1.10.13", "--pods", str(path), "-q", "--jobs", str(jobs)]
    assert main(args) == exitcodes.INPUT_ERROR
    err = capsys.readouterr().err
    assert err.startswith(f"error: {path}: not UTF-8 text: invalid start byte (byte 0xff at offset {at}) (the dump")
    assert err.count("\n") == 1


def test_utf8_error_across_block_boundaries(tmp_path: Path) -> None:
    f = tmp_path / "t"
    data = ("é" * 700_000).encode()  # 1.4 MB of two-byte characters: a block ends inside one
    f.write_bytes(data + b"\xc3(")
    with pytest.raises(UnicodeDecodeError) as e:
        (data + b"\xc3(").decode()
    assert utf8_error(f, e.value) == f"invalid continuation byte (byte 0xc3 at offset {len(data)})"
    assert utf8_error(None, e.value) == "invalid continuation byte (byte 0xc3)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_pipe_with_invalid_utf8_is_an_input_error(tmp_path: Path) -> None:
    path, _ = _bad_dump(tmp_path, 2)
    fifo = tmp_path / "pods.fifo"
    os.mkfifo(fifo)
    data = path.read_bytes()

    def feed() -> None:
        with open(fifo, "wb") as f:
            f.write(data)

    threading.Thread(target=feed, daemon=True).start()
    result = predict_cluster(Cluster(pods=fifo), Options(to="1.14.10", from_version="1.10.13"))
    (error,) = result.input_errors
    assert re.match(r"^.*pods\.fifo \(from item \d+\): not UTF-8 text: invalid start byte", error)
    assert len(result) > 0  # the pods before the bad byte
