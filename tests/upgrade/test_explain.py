"""explain: reasons for a hash change between two kubelet versions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import go_values

from kubehash.errors import DecodeError
from kubehash.kubelet.schema import load_schema
from kubehash.upgrade.explain import explain

# A container with a service-account token mount and a security context (docs/kubernetes-facts.md).
TYPICAL = {
    "name": "web",
    "image": "nginx:1.14.2",
    "volumeMounts": [
        {"name": "default-token-x7k2p", "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}
    ],
    "securityContext": {"runAsUser": 1000},
    "resources": {"limits": {"cpu": "1000m"}},
}


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("1.9", "1.10", "SecurityContext.RunAsGroup"),
        ("1.11", "1.12", "SecurityContext.ProcMount"),
        ("1.13", "1.14", "VolumeMount.SubPathExpr"),
        ("1.14", "1.15", "SecurityContext.WindowsOptions"),
    ],
)
def test_struct_era_new_fields(old: str, new: str, field: str) -> None:
    ex = explain(TYPICAL, old, new)
    assert ex.changed
    assert [r.kind for r in ex.reasons] == ["field-added"]
    assert field in ex.reasons[0].detail


def test_volume_devices_1_8_to_1_9() -> None:
    ex = explain({"name": "a", "image": "b"}, "1.8", "1.9")
    assert ex.changed and "Container.VolumeDevices" in ex.reasons[0].detail


@pytest.mark.parametrize(("old", "new"), [("1.10", "1.11"), ("1.12", "1.13"), ("1.16", "1.17"), ("1.31", "1.32")])
def test_restart_free_hops(old: str, new: str) -> None:
    assert not explain(TYPICAL, old, new).changed
    assert explain(TYPICAL, old, new).reasons == []


@pytest.mark.parametrize(("old", "new"), [("1.15", "1.16"), ("1.30", "1.31")])
def test_algorithm_change(old: str, new: str) -> None:
    ex = explain(TYPICAL, old, new)
    assert [r.kind for r in ex.reasons] == ["algorithm"]


def test_quantity_form_between_decode_paths() -> None:
    ex = explain(TYPICAL, "1.10", "1.10", old_source="file", new_source="apiserver")
    assert [(r.kind, r.path) for r in ex.reasons] == [("quantity-form", "resources.limits[cpu]")]


def test_go_escaping() -> None:
    """The Go toolchain is a property of the patch release (docs/go-toolchains.md): 1.29.0 was built with
    Go 1.21, 1.29.7 and later with Go 1.22, which writes \\b where 1.21 writes \\u0008."""
    c = {"name": "x", "image": "y", "env": [{"name": "a", "value": "\b"}]}
    ex = explain(c, "1.29.0", "1.30")
    assert [r.kind for r in ex.reasons] == ["go-escaping"]
    assert ex.reasons[0].detail.startswith("v1.29.0 was built with Go 1.21.5, v1.30.14 with Go 1.23")
    assert not explain(c, "1.29.0", "1.30", new_go="1.21").changed
    # a same-minor patch upgrade across the boundary changes the hash; the bare minor is its newest patch
    assert [r.kind for r in explain(c, "v1.28.0", "v1.28.15").reasons] == ["go-escaping"]
    assert not explain(c, "v1.28.15", "1.30.0").changed
    assert not explain(c, "1.29", "1.30").changed


PAIRS = [("1.10", "1.11"), ("1.13", "1.14"), ("1.15", "1.16"), ("1.17", "1.28"), ("1.29", "1.30"), ("1.30", "1.31")]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    pair=st.sampled_from(PAIRS),
    sources=st.sampled_from([("apiserver", "apiserver"), ("file", "apiserver"), ("file", "file")]),
)
def test_no_reason_exactly_when_hashes_equal(
    data: st.DataObject, pair: tuple[str, str], sources: tuple[str, str]
) -> None:
    c: Any = data.draw(go_values(load_schema(pair[0]).root))
    try:
        ex = explain(c, pair[0], pair[1], old_source=sources[0], new_source=sources[1])
    except DecodeError:
        return
    assert (ex.reasons == []) == (ex.old_hash == ex.new_hash)


# ---- the words and paths people read (issue 16) --------------------------------------------------------------

SECCOMP = {"name": "web", "image": "nginx", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("1.30", "1.31", "from 1.31 the kubelet hashes only the container's name and image instead of the JSON"),
        ("1.15", "1.16", "from 1.16 the kubelet hashes the JSON encoding of the whole container instead of the Go"),
        ("1.10", "1.33", "from 1.31 the kubelet hashes only the container's name and image instead of the Go"),
        ("1.31", "1.30", "kubelet 1.30 hashes the JSON encoding of the whole container, kubelet 1.31 hashed only"),
    ],
)
def test_eras_in_plain_words(old: str, new: str, words: str) -> None:
    (r,) = explain(TYPICAL, old, new).reasons
    assert r.kind == "algorithm" and r.detail.startswith(words)
    assert r.detail.endswith("so every running container restarts whatever its spec")


def test_a_field_the_old_version_lacks_has_its_own_kind() -> None:
    (r,) = explain(SECCOMP, "1.18", "1.19").reasons
    assert (r.kind, r.path) == ("field-not-in-old", "securityContext.seccompProfile")
    assert r.detail.startswith("the field does not exist in 1.18")
    (back,) = explain(SECCOMP, "1.19", "1.18").reasons
    assert (back.kind, back.path) == ("field-removed", "securityContext.seccompProfile")


def test_paths_are_kubectl_explain_style_and_can_be_located() -> None:
    from kubehash.upgrade.explain import container_path, located

    ex = explain(
        {"name": "a", "image": "b", "resources": {"limits": {"cpu": "1"}}}, "1.20", "1.30", control_plane="1.30"
    )
    paths = [r.path for r in ex.reasons]
    assert "resources.requests" in paths and all(p[0].islower() for p in paths)
    at = container_path("initContainer", 2, "spec.template.spec")
    assert at == "spec.template.spec.initContainers[2]"
    placed = located(ex.reasons, at)
    assert [r.path for r in placed] == [f"{at}.{p}" for p in paths]
    assert located([explain(TYPICAL, "1.30", "1.31").reasons[0]], at)[0].path == ""  # about the whole container


_JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_JSON_VALUES = st.recursive(
    _JSON_LEAVES,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES)
def test_read_go_json_reads_what_json_reads(value: object) -> None:
    """A JSON-era hash input's document reads back, by msgspec or by the json module (what msgspec declines),
    equal to what the json module reads."""
    from kubehash.golang.jsonvalue import read_go_json

    text = json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")
    try:
        expected = json.loads(text)
    except UnicodeDecodeError:  # a lone surrogate: not text encoding/json writes
        return
    assert read_go_json(text) == expected


@pytest.mark.parametrize("minor", ["1.17", "1.31"])
@pytest.mark.parametrize("source", ["apiserver", "file"])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_document_is_what_the_hash_input_spews(minor: str, source: str, data: st.DataObject) -> None:
    """JSON and name+image eras: the hash input is the spew dump of the plan's document, byte for byte, and an
    undecodable container is the same error either way."""
    from kubehash.kubelet.hashing import plan_for, spew_bytes

    c = data.draw(go_values(load_schema(minor).root))
    plan = plan_for(minor, source)
    assert plan.document is not None
    try:
        expected = plan.input(c)
    except DecodeError as e:
        with pytest.raises(DecodeError) as again:
            plan.document(c)
        assert again.value.path == e.path
        return
    assert spew_bytes(plan.document(c)) == expected
