"""unknown_fields / drop_unknown_fields: what a minor's v1.Container does not have."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import go_values

from kubehash.kubelet.fieldpath import render_path
from kubehash.kubelet.hashing import hash_container
from kubehash.kubelet.releases import RELEASES
from kubehash.kubelet.schema import load_schema
from kubehash.kubelet.unknown_fields import drop_unknown_fields, unknown_fields

MINORS = [r.minor for r in RELEASES]
SECCOMP = {"name": "web", "image": "nginx", "securityContext": {"runAsUser": 1, "seccompProfile": {"type": "X"}}}


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("1.18", ["securityContext.seccompProfile"]),  # from 1.19
        ("1.19", []),
        ("1.8", ["securityContext.seccompProfile"]),
    ],
)
def test_a_field_newer_than_the_version(version: str, expected: list[str]) -> None:
    assert [render_path(p) for p in unknown_fields(SECCOMP, version)] == expected


def test_paths_name_list_positions_and_keep_inlined_structs() -> None:
    c = {
        "name": "a",
        "volumeMounts": [{"name": "v", "mountPath": "/v"}, {"name": "w", "mountPath": "/w", "subPathExpr": "$(X)"}],
        "livenessProbe": {"httpGet": {"port": 80, "bogus": 1}, "grpc": {"port": 9}},  # Handler is inlined in JSON
        "resources": {"limits": {"cpu": "1"}},
        "madeUp": {"deep": True},
    }
    assert [render_path(p) for p in unknown_fields(c, "1.13")] == [
        "volumeMounts[1].subPathExpr",
        "livenessProbe.httpGet.bogus",
        "livenessProbe.grpc",
        "madeUp",
    ]
    assert [render_path(p) for p in unknown_fields(c, "1.24")] == ["livenessProbe.httpGet.bogus", "madeUp"]


def test_drop_copies_and_never_touches_the_input() -> None:
    before = repr(SECCOMP)
    kept, dropped = drop_unknown_fields(SECCOMP, "1.18")
    assert kept == {"name": "web", "image": "nginx", "securityContext": {"runAsUser": 1}}
    assert dropped == [("securityContext", "seccompProfile")]
    assert repr(SECCOMP) == before


def test_values_of_the_wrong_kind_are_left_for_the_decoder() -> None:
    c = {"name": "a", "securityContext": "not an object", "ports": {"a": 1}}
    assert drop_unknown_fields(c, "1.20") == (c, [])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    schema_minor=st.sampled_from(MINORS),
    version=st.sampled_from(MINORS),
    extra=st.dictionaries(st.text("xyzXYZ_", min_size=1, max_size=6), st.integers(), max_size=2),
)
def test_dropping_is_what_the_kubelet_decode_does(
    data: st.DataObject, schema_minor: str, version: str, extra: dict[str, int]
) -> None:
    """Both decode paths ignore unknown keys: a container hashes the same with and without them; a container
    of a minor's own types has none for that minor; what is dropped is exactly what unknown_fields lists."""
    c: dict[str, Any] = data.draw(go_values(load_schema(schema_minor).root))
    c.update({f"zz{k}": v for k, v in extra.items()})
    kept, dropped = drop_unknown_fields(c, version)
    assert dropped == unknown_fields(c, version)
    assert unknown_fields(kept, version) == []
    assert all(("zz" + k,) in dropped for k in extra)
    for source in ("apiserver", "file"):
        assert hash_container(kept, version, source=source) == hash_container(c, version, source=source)
    if schema_minor == version:
        assert [p for p in dropped if not str(p[0]).startswith("zz")] == []


def test_api_path_from_go_or_json_names() -> None:
    from kubehash.kubelet.fieldpath import MapKey, api_path

    root = load_schema("1.23").root
    assert api_path(root, ["LivenessProbe", "ProbeHandler", "HTTPGet", "Path"], go_names=True) == (
        ("livenessProbe", "httpGet", "path"),
        (),
    )
    segs, inside = api_path(root, ["Resources", "Limits", "cpu", "i", "value"], go_names=True)
    assert render_path(segs) == "resources.limits[cpu]" and inside == ("i", "value")
    assert isinstance(segs[-1], MapKey)
    assert api_path(root, ["ports", 0, "protocol"]) == (("ports", 0, "protocol"), ())
    assert api_path(root, ["nope", "x"]) == (("nope", "x"), ())


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    schema_minor=st.sampled_from(MINORS),
    version=st.sampled_from(MINORS),
    extra=st.dictionaries(st.text("xyzXYZ_", min_size=1, max_size=6), st.integers(), max_size=2),
    oddity=st.sampled_from([None, "not an object", 7, [1]]),
)
def test_the_msgspec_check_never_misses_an_unknown_field(
    data: st.DataObject, schema_minor: str, version: str, extra: dict[str, int], oddity: Any
) -> None:
    """The fast check over the JSON text says "none" only when the walk finds none, and the answer with the
    text is the answer without it; a container of a minor's own types (no odd kinds) passes it."""
    import json

    from kubehash.kubelet.unknown_fields import has_no_unknown_fields

    c: dict[str, Any] = data.draw(go_values(load_schema(schema_minor).root))
    c.update({f"zz{k}": v for k, v in extra.items()})
    if oddity is not None:
        c["securityContext"] = oddity
    raw = json.dumps(c).encode()
    walked = unknown_fields(c, version)
    assert unknown_fields(c, version, raw) == walked
    if has_no_unknown_fields(raw, version):
        assert walked == []
    elif schema_minor == version and not extra and oddity is None:
        pytest.fail("a container of the minor's own types failed the fast check")


def test_the_msgspec_check_on_nested_unknown_keys() -> None:
    import json

    from kubehash.kubelet.unknown_fields import has_no_unknown_fields

    c = {"name": "a", "env": [{"name": "A", "value": "b"}], "resources": {"limits": {"cpu": "1"}}}
    assert has_no_unknown_fields(json.dumps(c).encode(), "1.10")
    c["env"][0]["bogus"] = 1  # type: ignore[index]
    assert not has_no_unknown_fields(json.dumps(c).encode(), "1.10")
    assert unknown_fields(c, "1.10", json.dumps(c).encode()) == [("env", 0, "bogus")]
    assert not has_no_unknown_fields(b'{"name": "a", "resizePolicy": []}', "1.10")
    assert has_no_unknown_fields(b'{"name": "a", "resizePolicy": []}', "1.30")
