"""Snapshot integrity (issue 17): the checksum trailer, format-1 files, bad elements and deep nesting."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash import exitcodes
from kubehash.cli import main
from kubehash.errors import InputError, WriteError
from kubehash.model import RuntimeRecord
from kubehash.sources.snapshot import (
    CHECKSUM_TAG,
    MAGIC,
    MAX_DEPTH,
    TRAILER_LEN,
    Snapshot,
    dumps_snapshot,
    load_pods_or_snapshot,
    load_snapshot,
    loads_snapshot,
    looks_like_snapshot,
    save_snapshot,
)
from kubehash.sources.snapshot_check import check_depth

ROOT = Path(__file__).parent.parent.parent
EXAMPLE = ROOT / "examples" / "cluster"


def _pod(name: str, image: str = "nginx:1.25") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "shop", "uid": f"uid-{name}"},
        "spec": {"nodeName": "node-a", "containers": [{"name": "web", "image": image}]},
        "status": {"containerStatuses": [{"name": "web", "state": {"running": {"startedAt": "2024-01-01T00:00:00Z"}}}]},
    }


SNAP = Snapshot(
    pods=[_pod("a"), _pod("b", "redis:7")],
    nodes=[{"metadata": {"name": "node-a"}, "status": {"nodeInfo": {"kubeletVersion": "v1.27.3"}}}],
    runtime=[RuntimeRecord("shop", "a", "web", 0x1234ABCD, started_at=datetime(2024, 1, 1, tzinfo=timezone.utc))],
    created_at=datetime(2024, 1, 2, tzinfo=timezone.utc),
)


def _legacy(snap: Snapshot) -> bytes:
    """A format-1 file as kubehash wrote it before the checksum: magic and map, no trailer."""
    data = dumps_snapshot(snap)
    body = msgpack.unpackb(data[len(MAGIC) : -TRAILER_LEN], ext_hook=msgpack.ExtType, strict_map_key=False)
    body["format"] = 1
    return MAGIC + msgpack.packb(body, use_bin_type=True)


def test_trailer_is_the_sha256_of_everything_before_it() -> None:
    data = dumps_snapshot(SNAP)
    assert data[-TRAILER_LEN:-32] == CHECKSUM_TAG
    assert data[-32:] == hashlib.sha256(data[:-TRAILER_LEN]).digest()
    assert loads_snapshot(data).warnings == []


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_any_flipped_bit_is_an_input_error_naming_the_file(data: st.DataObject) -> None:
    raw = bytearray(dumps_snapshot(SNAP))
    pos = data.draw(st.integers(len(MAGIC), len(raw) - 1), label="byte")
    raw[pos] ^= 1 << data.draw(st.integers(0, 7), label="bit")
    with pytest.raises(InputError) as e:
        loads_snapshot(bytes(raw), name="snap.khs")
    assert str(e.value).startswith("snap.khs: ")


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_truncation_is_an_input_error(data: st.DataObject) -> None:
    raw = dumps_snapshot(SNAP)
    cut = data.draw(st.integers(len(MAGIC), len(raw) - 1))
    with pytest.raises(InputError, match=r"^s: "):
        loads_snapshot(raw[:cut], name="s")


def test_missing_trailer_on_format_2_is_damage() -> None:
    raw = dumps_snapshot(SNAP)
    with pytest.raises(InputError, match="checksum trailer is missing"):
        loads_snapshot(raw[:-TRAILER_LEN], name="s")


def test_format_1_still_reads_with_a_warning() -> None:
    back = loads_snapshot(_legacy(SNAP), name="old.khs")
    assert back.pods == SNAP.pods and back.runtime == SNAP.runtime
    (warning,) = back.warnings
    assert warning.startswith("old.khs: snapshot format 1 has no checksum")


def test_cli_flipped_bit_exits_2_and_format_1_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "s.khs"
    assert main(["snapshot", "--out", str(good), "--pods", str(EXAMPLE / "pods.json"), "-q"]) == exitcodes.OK
    raw = bytearray(good.read_bytes())
    raw[len(raw) // 2] ^= 0x04  # inside a pod: without the checksum this changed hashes and exited 3
    bad = tmp_path / "flipped.khs"
    bad.write_bytes(bytes(raw))
    capsys.readouterr()
    assert main(["predict", "--to", "v1.14.10", "--pods", str(bad), "--from", "v1.10.13", "-q"]) == 2
    cap = capsys.readouterr()
    assert cap.out == ""
    assert cap.err.startswith(f"error: {bad}: damaged snapshot: SHA-256 checksum mismatch")
    old = tmp_path / "old.khs"
    old.write_bytes(_legacy(load_snapshot(good)))
    code = main(["predict", "--to", "v1.14.10", "--pods", str(old), "--from", "v1.10.13", "-q", "-o", "json"])
    assert code == exitcodes.RESTARTS
    assert f"warning: {old}: snapshot format 1 has no checksum" in capsys.readouterr().err


@pytest.mark.parametrize("head", [b"\x91", b"\x81\xa1a"])
def test_100k_deep_msgpack_is_an_input_error(head: bytes) -> None:
    with pytest.raises(InputError, match=r"^deep: corrupt snapshot: nested deeper"):
        loads_snapshot(MAGIC + head * 100_000 + b"\xc0", name="deep")


def _with(**fields: Any) -> bytes:
    body: dict[str, Any] = {"format": 1, "created_at": "2024-01-01T00:00:00Z", "pods": [], "nodes": []}
    body.update(fields)
    return MAGIC + msgpack.packb(body, use_bin_type=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"runtime": [{"container": "c", "hash": "zz"}]}, r"runtime\[0\]\.hash is not a 64-bit"),
        ({"runtime": [{"container": "c", "started_at": "x"}]}, r"runtime\[0\]\.started_at is not a time"),
        ({"runtime": [{"container": "c", "pod": 5}]}, r"runtime\[0\]\.pod is not a string"),
        ({"runtime": [{"container": 7}]}, r"runtime\[0\]\.container is not a string"),
        ({"runtime": [3]}, r"runtime\[0\] is not a map"),
        ({"runtime": 5}, "runtime is not a list"),
        ({"notes": {"a": 1}}, "notes is not a list of strings"),
        ({"source": [1]}, "source is not a map"),
        ({"pods": {"a": 1}}, "pods or nodes is not a list"),
        ({"format": "x" * 200}, r"snapshot format 'xxxxxxxxxxxxxxxxxxxx\.\.\. is not supported"),
    ],
)
def test_bad_elements_are_input_errors(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        loads_snapshot(_with(**fields), name="s")


def test_bad_extension_values_are_input_errors() -> None:
    for ext in (msgpack.ExtType(1, b"\xff"), msgpack.ExtType(2, b"9" * 5000), msgpack.ExtType(2, b"abc")):
        with pytest.raises(InputError, match=r"^s: corrupt snapshot"):
            loads_snapshot(_with(pods=[ext]), name="s")


def _nested(depth: int) -> Any:
    v: Any = "leaf"
    for i in range(depth):
        v = [v] if i % 2 else {"k": v}
    return v


def test_depth_limit() -> None:
    check_depth([_nested(MAX_DEPTH)], "pods")
    with pytest.raises(ValueError, match=r"pods\[1\] is nested more than 100 levels"):
        check_depth([{}, _nested(MAX_DEPTH + 1)], "pods")
    with pytest.raises(InputError, match=r"nodes\[0\] is nested more than"):
        loads_snapshot(_with(nodes=[_nested(500)]), name="s")


def test_save_to_unwritable_path_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["snapshot", "--out", str(blocker / "s.khs"), "--pods", str(EXAMPLE / "pods.json"), "-q"])
    assert code == exitcodes.INPUT_ERROR
    err = capsys.readouterr().err
    assert err.startswith(f"error: {blocker}") and "Traceback" not in err
    with pytest.raises(WriteError, match=f"^{blocker}: is not a directory"):
        save_snapshot(blocker / "s.khs", SNAP)


def test_flipped_trailer_bit_shows_where_the_digests_differ() -> None:
    raw = bytearray(dumps_snapshot(SNAP))
    raw[-5] ^= 0x40  # inside the recorded digest, past its first 16 hex digits
    with pytest.raises(InputError) as e:
        loads_snapshot(bytes(raw), name="s")
    recorded = bytes(raw[-32:]).hex()
    computed = hashlib.sha256(bytes(raw[: -len(CHECKSUM_TAG) - 32])).hexdigest()
    assert f"recorded {recorded}, computed {computed}" in str(e.value)
    assert "first differ at hex digit 55 of 64" in str(e.value)


@pytest.mark.parametrize("at", [0, 5, 15])
def test_flipped_header_byte_is_a_damaged_snapshot(tmp_path: Path, at: int) -> None:
    raw = bytearray(dumps_snapshot(SNAP))
    raw[at] ^= 0x01
    assert looks_like_snapshot(bytes(raw[:16])) and not looks_like_snapshot(b'{"kind": "PodList", "items": []}')
    with pytest.raises(InputError, match=r"^s: damaged snapshot: its header reads"):
        loads_snapshot(bytes(raw), name="s")
    path = tmp_path / "hdr.kh"
    path.write_bytes(bytes(raw))
    with pytest.raises(InputError, match=r"damaged snapshot: its header reads"):
        load_pods_or_snapshot(path)
