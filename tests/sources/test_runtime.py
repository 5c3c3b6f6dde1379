"""Runtime records from crictl / docker JSON: fixtures, round trips, malformed input."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubehash.errors import InputError
from kubehash.model import RuntimeRecord
from kubehash.sources.gotime import format_rfc3339nano, from_ns, parse_timestamp
from kubehash.sources.runtime import load_runtime, parse_runtime, parse_runtime_lenient
from kubehash.sources.runtime_render import render_crictl_inspect, render_crictl_ps, render_docker_inspect

DATA = Path(__file__).parent.parent / "data" / "runtime"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, sec: int = 0, us: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, sec, us, tzinfo=timezone.utc)


def test_crictl_inspect_concatenated_objects() -> None:
    text = (DATA / "node-a" / "crictl-inspect.json").read_text()
    nginx, proxy = parse_runtime(text, origin="x.json")
    assert nginx.key == ("default", "web-7d4b9c-x2kq9", "nginx")
    assert nginx.hash == 0xB9C897AA and nginx.hash_without_resources is None
    assert nginx.runtime == "cri" and nginx.state == "running"
    assert nginx.pod_uid == "0f6e6a3c-5a7e-4a0b-9b6e-1d2c3b4a5f60"
    assert nginx.container_id is not None and nginx.container_id.startswith("3f1c0a6e")
    assert nginx.started_at == utc(2024, 3, 5, 10, 15, 31, 987654)
    assert nginx.started_at_ns == 1709633731_987654321
    assert nginx.created_at == utc(2024, 3, 5, 10, 15, 30, 123456)
    assert nginx.origin == "x.json" and nginx.node is None
    # a +01:00 offset is converted to UTC; hash without padding; hashWithoutResources read
    assert proxy.started_at_ns == 1709633729_000000001
    assert proxy.hash == 0x2D7E3A0 and proxy.hash_without_resources == 0x8F1A44C2


def test_crictl_inspect_as_array_and_single_object() -> None:
    objs = [json.loads(t) for t in _split_objects((DATA / "node-a" / "crictl-inspect.json").read_text())]
    as_array = parse_runtime(json.dumps(objs), origin="a")
    single = parse_runtime(json.dumps(objs[0]), origin="a")
    assert [r.container for r in as_array] == ["nginx", "istio-proxy"]
    assert single == as_array[:1]


def _split_objects(text: str) -> list[str]:
    dec = json.JSONDecoder()
    out, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        _, j = dec.raw_decode(text, i)
        out.append(text[i:j])
        i = j
    return out


def test_crictl_inspectp_sandbox_is_skipped() -> None:
    sandbox = {
        "status": {
            "id": "9a8b7c6d5e4f",
            "metadata": {"attempt": 0, "name": "web-7d4b9c-x2kq9", "namespace": "default", "uid": "0f6e6a3c"},
            "state": "SANDBOX_READY",
            "createdAt": "2024-03-05T10:15:29.1Z",
            "network": {"additionalIps": [], "ip": "10.244.1.7"},
            "labels": {"io.kubernetes.pod.name": "web-7d4b9c-x2kq9", "io.kubernetes.pod.namespace": "default"},
            "annotations": {"kubernetes.io/config.seen": "2024-03-05T10:15:28Z"},
        }
    }
    nginx = (DATA / "node-a" / "crictl-inspect.json").read_text()
    assert [r.container for r in parse_runtime(json.dumps(sandbox) + nginx, origin="x")] == ["nginx", "istio-proxy"]


def test_crictl_ps() -> None:
    (rec,) = parse_runtime((DATA / "crictl-ps.json").read_text(), origin="ps")
    assert rec.key == ("default", "web-7d4b9c-x2kq9", "nginx")
    assert rec.hash == 0xB9C897AA
    assert rec.started_at is None and rec.started_at_ns is None  # crictl ps has no start time
    assert rec.created_at == utc(2024, 3, 5, 10, 15, 30, 123456)


def test_docker_inspect_skips_sandbox_and_foreign_containers() -> None:
    recs = parse_runtime((DATA / "node-b" / "docker-inspect.json").read_text(), origin="d")
    assert [r.key for r in recs] == [("db", "postgres-0", "postgres")]
    (pg,) = recs
    assert pg.runtime == "docker" and pg.hash == 0x1E2F3A4B and pg.state == "running"
    assert pg.started_at_ns == 1622534403_123456789


def test_load_runtime_directory_infers_nodes(tmp_path: Path) -> None:
    recs, errors = load_runtime([DATA])
    assert errors == []
    assert [(r.node, r.container) for r in recs] == [
        (None, "nginx"),  # crictl-ps.json sits directly in DATA: no node
        ("node-a", "nginx"),
        ("node-a", "istio-proxy"),
        ("node-b", "postgres"),
    ]
    assert recs[1].origin == str(DATA / "node-a" / "crictl-inspect.json")


def test_load_runtime_bad_files_reported_rest_loaded(tmp_path: Path) -> None:
    (tmp_path / "n1").mkdir()
    (tmp_path / "n1" / "good.json").write_text((DATA / "crictl-ps.json").read_text())
    (tmp_path / "n1" / "broken.json").write_text('{"status": ')
    (tmp_path / "n1" / "latin1.json").write_bytes(b'{"a": "\xff"}')
    bad_hash = json.loads((DATA / "crictl-ps.json").read_text())
    bad_hash["containers"].append(json.loads(json.dumps(bad_hash["containers"][0])))
    bad_hash["containers"][1]["annotations"]["io.kubernetes.container.hash"] = "xyz"
    (tmp_path / "n2").mkdir()
    (tmp_path / "n2" / "mixed.json").write_text(json.dumps(bad_hash))
    (tmp_path / "empty").mkdir()
    recs, errors = load_runtime([tmp_path / "n1", tmp_path / "n2", tmp_path / "missing.json", tmp_path / "empty"])
    # the entry with the unparsable hash is kept with 0, as the kubelet reads it, and reported
    assert [(r.origin, r.container, r.hash == 0) for r in recs] == [
        (str(tmp_path / "n1" / "good.json"), "nginx", False),
        (str(tmp_path / "n2" / "mixed.json"), "nginx", False),
        (str(tmp_path / "n2" / "mixed.json"), "nginx", True),
    ]
    msgs = [str(e) for e in errors]
    assert msgs[0].startswith(f"{tmp_path / 'n1' / 'broken.json'}: not valid JSON")
    assert msgs[1].startswith(f"{tmp_path / 'n1' / 'latin1.json'}: not UTF-8")
    assert msgs[2] == (
        f"{tmp_path / 'n2' / 'mixed.json'}: entry 1 (container default/web-7d4b9c-x2kq9/nginx): "
        'annotation io.kubernetes.container.hash: "xyz" is not a hexadecimal hash; the kubelet reads it as 0 '
        "(kept as 0)"
    )
    assert msgs[3] == f"{tmp_path / 'missing.json'}: no such file or directory"
    assert msgs[4] == f"{tmp_path / 'empty'}: directory holds no *.json files"
    assert len(msgs) == 5


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file"),
        ("[1]", "entry 0: not an object"),
        ('{"kind": "Pod"}', "neither crictl inspect"),
        ('{"status": {"labels": {}}}', "no container name"),
        ('{"status": {"metadata": {"name": "c"}, "startedAt": "yesterday"}}', "status.startedAt: not an RFC 3339"),
        ('{"status": {"metadata": {"name": "c"}, "labels": []}}', "status.labels is not an object"),
        ('{"status": {"metadata": {"name": "c"}, "createdAt": "99999999999999999999999"}}', "out of range"),
        ('[{"Id": "x", "Config": {"Labels": {"io.kubernetes.container.name": 3}}}]', "is not a string"),
    ],
)
def test_malformed_entries(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as e:
        parse_runtime(text, origin="f.json")
    assert str(e.value).startswith("f.json: ")


def test_go_zero_and_epoch_mean_not_started() -> None:
    assert parse_timestamp("0001-01-01T00:00:00Z") is None
    assert parse_timestamp("1970-01-01T00:00:00Z") is None
    assert parse_timestamp("0") is None
    assert parse_timestamp("2024-02-29T23:59:59.1Z") == 1709251199_100000000
    with pytest.raises(ValueError):
        parse_timestamp("2023-02-29T00:00:00Z")


# -- property tests ---------------------------------------------------------------------------------------

NAMES = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
NS_RANGE = st.integers(1, 4102444800 * 10**9)  # 1970 (exclusive of 0) .. 2100


@st.composite
def records(draw: Any, *, states: list[str]) -> RuntimeRecord:
    started = draw(st.one_of(st.none(), NS_RANGE))
    # crictl ps prints createdAt as decimal nanoseconds: a count before 2000 is refused (seconds, not ns?)
    created = draw(st.one_of(st.none(), st.integers(946684800 * 10**6, 4102444800 * 10**6).map(lambda us: us * 1000)))
    return RuntimeRecord(
        namespace=draw(NAMES),
        pod=draw(NAMES),
        container=draw(NAMES.filter(lambda n: n != "POD")),
        hash=draw(st.one_of(st.none(), st.integers(0, 2**32 - 1))),
        started_at=from_ns(started),
        pod_uid=draw(st.one_of(st.none(), st.uuids().map(str))),
        container_id=draw(st.one_of(st.none(), st.from_regex(r"[0-9a-f]{64}", fullmatch=True))),
        runtime="docker" if "paused" in states else "cri",
        state=draw(st.one_of(st.none(), st.sampled_from(states))),
        node=draw(st.one_of(st.none(), NAMES)),
        hash_without_resources=draw(st.one_of(st.none(), st.integers(0, 2**32 - 1))),
        origin="dump.json",
        started_at_ns=started,
        created_at=from_ns(created),
    )


CRI_STATES = ["created", "running", "exited", "unknown"]
DOCKER_STATES = ["created", "running", "paused", "restarting", "exited", "dead"]


@given(records(states=CRI_STATES))
def test_crictl_inspect_round_trip(rec: RuntimeRecord) -> None:
    text = json.dumps(render_crictl_inspect(rec), indent=2)
    assert parse_runtime(text, origin="dump.json", node=rec.node) == [rec]


@settings(max_examples=30)
@given(st.lists(records(states=CRI_STATES), min_size=1, max_size=4), st.booleans())
def test_crictl_inspect_many_round_trip(recs: list[RuntimeRecord], as_array: bool) -> None:
    objs = [render_crictl_inspect(r) for r in recs]
    text = json.dumps(objs) if as_array else "\n".join(json.dumps(o, indent=2) for o in objs)
    parsed = parse_runtime(text, origin="dump.json")
    assert [r.key for r in parsed] == [r.key for r in recs]
    assert [(r.hash, r.started_at_ns) for r in parsed] == [(r.hash, r.started_at_ns) for r in recs]


@given(records(states=DOCKER_STATES))
def test_docker_inspect_round_trip(rec: RuntimeRecord) -> None:
    text = json.dumps([render_docker_inspect(rec)])
    assert parse_runtime(text, origin="dump.json", node=rec.node) == [rec]


@given(records(states=CRI_STATES))
def test_crictl_ps_round_trip_without_start_time(rec: RuntimeRecord) -> None:
    text = json.dumps({"containers": [render_crictl_ps(rec)]})
    expected = RuntimeRecord(**{**rec.__dict__, "started_at": None, "started_at_ns": None})
    assert parse_runtime(text, origin="dump.json", node=rec.node) == [expected]


@given(NS_RANGE)
def test_rfc3339nano_round_trip(ns: int) -> None:
    text = format_rfc3339nano(ns)
    assert parse_timestamp(text) == ns
    if "." in text:
        assert not text.endswith("0Z")  # Go drops trailing fractional zeros
    else:
        assert ns % 10**9 == 0


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=8), c, max_size=4),
    max_leaves=20,
)


def _mutate(doc: Any, path: list[Any], value: Any) -> Any:
    if not path:
        return value
    if isinstance(doc, dict) and doc:
        keys = sorted(doc)
        k = keys[path[0] % len(keys)]
        return {**doc, k: _mutate(doc[k], path[1:], value)}
    if isinstance(doc, list) and doc:
        i = path[0] % len(doc)
        return [*doc[:i], _mutate(doc[i], path[1:], value), *doc[i + 1 :]]
    return value


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    records(states=DOCKER_STATES),
    st.sampled_from(["crictl", "docker", "ps"]),
    st.lists(st.integers(0, 50), max_size=5),
    JSONISH,
)
def test_mutated_documents_give_records_or_input_errors(
    rec: RuntimeRecord, fmt: str, path: list[int], value: Any
) -> None:
    doc: Any = {
        "crictl": lambda: render_crictl_inspect(rec),
        "docker": lambda: [render_docker_inspect(rec)],
        "ps": lambda: {"containers": [render_crictl_ps(rec)]},
    }[fmt]()
    text = json.dumps(_mutate(doc, path, value))
    records, errors = parse_runtime_lenient(text, origin="m.json")
    assert all(isinstance(e, InputError) and str(e).startswith("m.json: ") for e in errors)
    assert all(isinstance(r, RuntimeRecord) for r in records)


@given(st.text(max_size=60))
def test_arbitrary_text_never_crashes(text: str) -> None:
    try:
        recs = parse_runtime(text, origin="t")
    except InputError as e:
        assert str(e).startswith("t: ")
    else:
        assert all(isinstance(r, RuntimeRecord) for r in recs)


def test_renderers_look_like_the_tools() -> None:
    (rec,) = parse_runtime((DATA / "crictl-ps.json").read_text(), origin="ps")
    d = render_docker_inspect(rec, image="nginx:1.25")
    labels = d["Config"]["Labels"]
    assert list(labels) == sorted(labels)  # Go prints map keys sorted
    assert d["Config"]["Image"] == "nginx:1.25" and d["Name"].startswith("/k8s_nginx_web-7d4b9c-x2kq9_default_")
    c = render_crictl_inspect(rec, image="docker.io/library/nginx:1.25")
    assert c["status"]["image"]["image"] == "docker.io/library/nginx:1.25"
    assert c["status"]["imageRef"].startswith("docker.io/library/nginx@sha256:")
    assert c["status"]["annotations"]["io.kubernetes.container.hash"] == "b9c897aa"
    assert c["status"]["state"] == "CONTAINER_RUNNING"
