"""Invalid UTF-8 in a dump: the pod holding the byte gets error rows naming the byte's offset in the file,
whatever reader met it and however many processes split the file (issue 17: with --jobs 2 it was the offset
inside a worker's part), and every other pod -- after it too -- is predicted; a pipe too (without an offset
when the scan had to hand over to the streaming reader)."""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest

from kubehash import exitcodes
from kubehash.cli import main
from kubehash.pipeline.cluster import Cluster, predict_cluster
from kubehash.sources.utf8pos import utf8_error
from kubehash.upgrade.options import Options

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cluster"


def _containers(pods: list[Any]) -> int:
    return sum(len(p["spec"]["containers"]) + len(p["spec"].get("initContainers", [])) for p in pods)


def _bad_dump(tmp_path: Path, copies: int, indent: int | None = 2) -> tuple[Path, int, list[Any]]:
    """The example cluster ``copies`` times over, as kubectl's indented or the API server's compact JSON, with
    one byte 0xff in a container name nine tenths in: the path, the byte's offset and the pods."""
    doc = json.loads((EXAMPLE / "pods.json").read_text())
    doc["items"] = doc["items"] * copies
    data = json.dumps(doc, indent=indent, separators=None if indent else (",", ":")).encode()
    key = b'"name": "' if indent else b'"name":"'
    at = data.index(key, len(data) * 9 // 10) + len(key)
    path = tmp_path / "pods.json"
    path.write_bytes(data[:at] + b"\xff" + data[at + 1 :])
    return path, at, doc["items"]


@pytest.mark.parametrize("indent", [2, None])
@pytest.mark.parametrize("jobs", [1, 2])
def test_offset_is_the_files(tmp_path: Path, jobs: int, indent: int | None, capsys: pytest.CaptureFixture[str]) -> None:
    path, at, pods = _bad_dump(tmp_path, 6, indent)
    args = ["predict", "--to", "v1.14.10", "--from", "v1.10.13", "--pods", str(path), "-q", "--jobs", str(jobs)]
    assert main([*args, "-o", "json"]) == exitcodes.INPUT_ERROR
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["summary"]["containers"] == sum(
        len(p["spec"]["containers"]) + len(p["spec"].get("initContainers", [])) for p in pods
    )  # nothing lost
    errors = {c["error"] for c in doc["containers"] if c["verdict"] == "error"}
    (error,) = errors
    assert re.fullmatch(r"pod \S+: not UTF-8 text: invalid start byte \(byte 0xff at offset (\d+)\): .*", error)
    assert f"(byte 0xff at offset {at})" in error
    assert f"error: {error}" in captured.err


def test_utf8_error_across_block_boundaries(tmp_path: Path) -> None:
    f = tmp_path / "t"
    data = ("é" * 700_000).encode()  # 1.4 MB of two-byte characters: a block ends inside one
    f.write_bytes(data + b"\xc3(")
    with pytest.raises(UnicodeDecodeError) as e:
        (data + b"\xc3(").decode()
    assert utf8_error(f, e.value) == f"invalid continuation byte (byte 0xc3 at offset {len(data)})"
    assert utf8_error(None, e.value) == "invalid continuation byte (byte 0xc3)"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_pipe_with_invalid_utf8_loses_only_that_pod(tmp_path: Path) -> None:
    path, at, pods = _bad_dump(tmp_path, 2)
    fifo = tmp_path / "pods.fifo"
    os.mkfifo(fifo)
    data = path.read_bytes()

    def feed() -> None:
        with open(fifo, "wb") as f:
            f.write(data)

    threading.Thread(target=feed, daemon=True).start()
    result = predict_cluster(Cluster(pods=fifo), Options(to="1.14.10", from_version="1.10.13"))
    assert not result.input_errors
    assert len(result) == _containers(pods)
    errors = {c.error for c in result if c.verdict == "error"}
    assert errors == {next(iter(errors))} and f"(byte 0xff at offset {at})" in next(iter(errors))


def test_bad_byte_in_the_last_item_and_in_the_tail(tmp_path: Path) -> None:
    """The last item (read apart from the others) becomes error rows too; a bad byte after the array is an
    error of the document (the items were all predicted)."""
    doc = json.loads((EXAMPLE / "pods.json").read_text())
    data = json.dumps(doc, separators=(",", ":")).encode()
    last = data.rindex(b'"name":"') + len(b'"name":"')
    path = tmp_path / "last.json"
    path.write_bytes(data[:last] + b"\xc3(" + data[last + 2 :])
    result = predict_cluster(Cluster(pods=path), Options(to="1.14.10", from_version="1.10.13"))
    assert not result.input_errors
    errors = [c.error for c in result if c.verdict == "error"]
    assert errors and all(f"invalid continuation byte (byte 0xc3 at offset {last})" in e for e in errors)
    tail = tmp_path / "tail.json"
    tail.write_bytes(data[:-1] + b', "x": "\xff"}')
    result = predict_cluster(Cluster(pods=tail), Options(to="1.14.10", from_version="1.10.13"))
    (error,) = result.input_errors
    assert "not UTF-8 text" in error and f"offset {len(data) + 7}" in error
    assert len(result) == 304 and not [c for c in result if c.verdict == "error"]


def test_yaml_dump_bad_byte_is_numbered_in_the_whole_list(tmp_path: Path) -> None:
    """A YAML dump split between two processes: the item holding a byte that is not UTF-8 is one error row
    naming the item's number in the whole List (not in the second process's part), its line and the byte's
    offset in the file -- the same as in one process."""
    import yaml

    doc = json.loads((EXAMPLE / "pods.json").read_text())
    pods = [json.loads(json.dumps(p)) for p in doc["items"] * 8]  # copies: no YAML anchors between items
    data = yaml.safe_dump({"apiVersion": "v1", "items": pods, "kind": "List"}, sort_keys=False).encode()
    at = data.index(b"image: ", len(data) * 3 // 4) + len(b"image: ")
    path = tmp_path / "pods.yaml"
    path.write_bytes(data[:at] + b"\xff" + data[at + 1 :])
    item = data.count(b"\n- ", 0, at)
    line = data.count(b"\n", 0, at) + 1
    errors = []
    for jobs in (1, 2):
        result = predict_cluster(Cluster(pods=path), Options(to="1.14.10", from_version="1.10.13"), jobs=jobs)
        bad = {c.error for c in result if c.verdict == "error"}
        assert len(bad) == 1 and len(result) >= len(pods)
        errors.append(bad.pop())
    assert errors[0] == errors[1]
    assert f"item {item} (line {line}): not UTF-8 text: invalid start byte (byte 0xff at offset {at})" in errors[0]
