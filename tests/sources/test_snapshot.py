"""Snapshots: exact round trips of pods (number literals included), records and metadata; sniffing; refusal."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubehash.errors import InputError, OutputError
from kubehash.golang.jsonvalue import RawFloat, loads
from kubehash.model import RuntimeRecord
from kubehash.sources.snapshot import (
    MAGIC,
    Snapshot,
    dumps_snapshot,
    is_snapshot,
    load_pods_or_snapshot,
    load_snapshot,
    loads_snapshot,
    save_snapshot,
)


def exact(v: Any) -> Any:
    """A form where equality also compares types and number literals (1.50 != 1.5, 1 != 1.0, True != 1)."""
    if isinstance(v, RawFloat):
        return ("raw", v.text)
    if isinstance(v, dict):
        return ("map", [(k, exact(x)) for k, x in v.items()])  # key order matters too
    if isinstance(v, list):
        return ("list", [exact(x) for x in v])
    return (type(v).__name__, v)


FLOAT_TEXT = st.builds(
    lambda sign, whole, frac, exp: f"{sign}{whole}{frac}{exp}",
    st.sampled_from(["", "-"]),
    st.sampled_from(["0", "1", "2", "10", "123456789012345678901234567890"]),
    st.sampled_from(["", ".0", ".5", ".50", ".000001", ".1234567890123456789"]),
    st.sampled_from(["", "e3", "E-7", "e+2", "e400", "e-400"]),
).filter(lambda t: any(c in t for c in ".eE"))

LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | FLOAT_TEXT.map(RawFloat)
    | st.text(max_size=10)
)
JSON_DOCS = st.recursive(
    LEAVES,
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c, max_size=4),
    max_leaves=25,
)


@given(st.lists(JSON_DOCS, max_size=4), st.lists(JSON_DOCS, max_size=2))
def test_pods_and_nodes_round_trip_exactly(pods: list[Any], nodes: list[Any]) -> None:
    snap = Snapshot(pods=pods, nodes=nodes, source={"kind": "files"})
    back = loads_snapshot(dumps_snapshot(snap))
    assert exact(back.pods) == exact(pods)
    assert exact(back.nodes) == exact(nodes)


@given(st.lists(FLOAT_TEXT, min_size=1, max_size=5))
def test_json_number_text_survives(texts: list[str]) -> None:
    doc = loads('{"spec": {"containers": [{"resources": {"limits": {"cpu": [' + ",".join(texts) + "]}}}]}}")
    back = loads_snapshot(dumps_snapshot(Snapshot(pods=[doc]))).pods[0]
    cpus = back["spec"]["containers"][0]["resources"]["limits"]["cpu"]
    assert [c.text for c in cpus] == texts
    assert all(type(c) is RawFloat for c in cpus)


TIMES = st.integers(1, 4102444800 * 10**9)


@st.composite
def records(draw: Any) -> RuntimeRecord:
    from kubehash.sources.gotime import from_ns

    started = draw(st.one_of(st.none(), TIMES))
    return RuntimeRecord(
        namespace=draw(st.one_of(st.none(), st.text(max_size=8))),
        pod=draw(st.one_of(st.none(), st.text(max_size=8))),
        container=draw(st.text(max_size=8)),
        hash=draw(st.one_of(st.none(), st.integers(0, 2**64 - 1))),
        started_at=from_ns(started),
        pod_uid=draw(st.one_of(st.none(), st.uuids().map(str))),
        container_id=draw(st.one_of(st.none(), st.text(max_size=8))),
        runtime=draw(st.sampled_from(["cri", "docker"])),
        state=draw(st.one_of(st.none(), st.sampled_from(["running", "exited"]))),
        node=draw(st.one_of(st.none(), st.text(max_size=8))),
        hash_without_resources=draw(st.one_of(st.none(), st.integers(0, 2**32 - 1))),
        origin=draw(st.one_of(st.none(), st.text(max_size=8))),
        started_at_ns=started,
        created_at=draw(st.one_of(st.none(), st.integers(1, 4102444800 * 10**6).map(lambda us: from_ns(us * 1000)))),
    )


@given(st.lists(records(), max_size=5))
def test_runtime_records_round_trip(recs: list[RuntimeRecord]) -> None:
    created = datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    snap = Snapshot(runtime=recs, created_at=created, notes=["x: broken"], source={"kind": "cluster", "context": "c"})
    back = loads_snapshot(dumps_snapshot(snap))
    assert back == snap


def test_save_load_sniff_and_refuse(tmp_path: Path) -> None:
    pod = loads('{"kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","x":1.50}]}}')
    snap = Snapshot(pods=[pod], source={"kind": "files", "pods": "pods.json"})
    out = tmp_path / "snap.khs"
    assert save_snapshot(out, snap) is True
    assert out.read_bytes().startswith(MAGIC)
    assert is_snapshot(out)
    back = load_snapshot(out)
    assert back.pods[0]["spec"]["containers"][0]["x"].text == "1.50"
    assert back.kubehash_version == snap.kubehash_version and back.created_at == snap.created_at
    assert save_snapshot(out, snap) is False  # same bytes: nothing to do
    other = Snapshot(pods=[], created_at=snap.created_at)
    with pytest.raises(OutputError, match="use --force"):
        save_snapshot(out, other)
    assert load_snapshot(out).pods == back.pods  # untouched
    save_snapshot(out, other, force=True)
    assert load_snapshot(out).pods == []


def test_is_snapshot_rejects_dumps(tmp_path: Path) -> None:
    dump = tmp_path / "pods.json"
    dump.write_text(json.dumps({"kind": "List", "items": []}))
    assert not is_snapshot(dump)
    assert not is_snapshot(tmp_path / "missing")
    assert not is_snapshot(tmp_path)
    assert not is_snapshot("-")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"kind": "List"}', "not a kubehash snapshot"),
        (MAGIC + b"\xc1", "corrupt snapshot"),
        (MAGIC + b"\x92\x01\x02", "body is not a map"),
        (MAGIC + b"\x81\xa6format\x63", "snapshot format 99 is not supported"),
    ],
)
def test_bad_snapshots(tmp_path: Path, data: bytes, message: str) -> None:
    f = tmp_path / "s"
    f.write_bytes(data)
    with pytest.raises(InputError, match=message) as e:
        load_snapshot(f)
    assert str(e.value).startswith(str(f))


def test_truncated_snapshot(tmp_path: Path) -> None:
    data = dumps_snapshot(Snapshot(pods=[{"metadata": {"name": "p" * 100}}]))
    f = tmp_path / "s"
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="corrupt snapshot"):
        load_snapshot(f)


@given(st.binary(max_size=80), st.booleans())
def test_garbage_gives_input_error(tail: bytes, valid_prefix: bool) -> None:
    data = (dumps_snapshot(Snapshot())[:40] if valid_prefix else MAGIC) + tail
    try:
        snap = loads_snapshot(data, name="g")
    except InputError as e:
        assert str(e).startswith("g: ")
    else:
        assert isinstance(snap, Snapshot)


def test_load_pods_or_snapshot(tmp_path: Path) -> None:
    dump = tmp_path / "pods.yaml"
    dump.write_text("kind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n  spec: {containers: []}\n")
    from_dump = load_pods_or_snapshot(dump)
    assert [p["metadata"]["name"] for p in from_dump.pods] == ["a"]
    assert from_dump.source == {"kind": "files", "pods": str(dump)} and from_dump.runtime == []
    snap_file = tmp_path / "s.khs"
    save_snapshot(snap_file, Snapshot(pods=from_dump.pods, nodes=[{"metadata": {"name": "n"}}]))
    assert load_pods_or_snapshot(snap_file).nodes == [{"metadata": {"name": "n"}}]
    with pytest.raises(InputError, match="cannot read"):
        load_pods_or_snapshot(tmp_path / "missing.json")
