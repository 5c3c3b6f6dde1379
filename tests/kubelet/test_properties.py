"""Property-based tests of the whole hash engine over generated containers."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import go_values, json_values

import kubehash
from kubehash.errors import DecodeError, KubehashError
from kubehash.golang.jsondec import compile_decoder
from kubehash.golang.jsonenc import compile_encoder
from kubehash.golang.jsonvalue import loads
from kubehash.kubelet.schema import load_schema

VERSIONS = ["1.10", "1.14", "1.17", "1.28", "1.33"]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def containers(minor: str) -> st.SearchStrategy[dict[str, Any]]:
    return go_values(load_schema(minor).root)


def _shuffled(v: Any, rnd: random.Random) -> Any:
    if isinstance(v, dict):
        items = list(v.items())
        rnd.shuffle(items)
        return {k: _shuffled(x, rnd) for k, x in items}
    if isinstance(v, list):
        return [_shuffled(x, rnd) for x in v]
    return v


@pytest.mark.parametrize("minor", VERSIONS)
@SETTINGS
@given(data=st.data())
def test_key_order_never_changes_a_hash(minor: str, data: st.DataObject) -> None:
    c = data.draw(containers(minor))
    seed = data.draw(st.integers(0, 2**32))
    for source in ("apiserver", "file"):
        try:
            expected = kubehash.hash_input(c, minor, source=source)
        except DecodeError:
            continue  # e.g. a generated quantity beyond what kubehash evaluates
        assert kubehash.hash_input(_shuffled(c, random.Random(seed)), minor, source=source) == expected


LIST_FIELDS = ["command", "args", "ports", "env", "envFrom", "volumeMounts"]


@SETTINGS
@given(field=st.sampled_from(LIST_FIELDS), base=containers("1.17"))
def test_empty_list_vs_absent(field: str, base: dict[str, Any]) -> None:
    """file path: the JSON era cannot tell ``[]`` from an absent omitempty list, the struct era can;
    the apiserver path turns ``[]`` into nil, so neither era can."""
    absent = {k: v for k, v in base.items() if k != field}
    empty = {**absent, field: []}
    try:
        kubehash.hash_container(absent, "1.10", source="file")
    except DecodeError:
        return
    assert kubehash.hash_container(empty, "1.17", source="file") == kubehash.hash_container(
        absent, "1.17", source="file"
    )
    assert kubehash.hash_container(empty, "1.10", source="file") != kubehash.hash_container(
        absent, "1.10", source="file"
    )
    for minor in ("1.10", "1.17"):
        assert kubehash.hash_container(empty, minor) == kubehash.hash_container(absent, minor)


@pytest.mark.parametrize("minor", VERSIONS)
@SETTINGS
@given(data=st.data())
def test_apiserver_path_is_idempotent(minor: str, data: st.DataObject) -> None:
    """Decoding the apiserver path's own output (re-marshalled as JSON) changes nothing."""
    c = data.draw(containers(minor))
    root = load_schema(minor).root
    decode = compile_decoder(root, protobuf=True)
    encode = compile_encoder(root)
    try:
        value = decode(c)
    except DecodeError:
        return
    again = decode(loads(encode(value)))
    assert again == value
    assert kubehash.hash_input(loads(encode(value)), minor) == kubehash.hash_input(c, minor)


@pytest.mark.parametrize("minor", ["1.10", "1.17", "1.33"])
@pytest.mark.parametrize("source", ["apiserver", "file"])
@settings(max_examples=150, deadline=None)
@given(value=json_values())
def test_arbitrary_json_only_raises_kubehash_errors(minor: str, source: str, value: Any) -> None:
    try:
        kubehash.hash_container(value, minor, source=source)
    except DecodeError as e:
        assert e.field_path.startswith("$")
        assert str(e)


FIELD_PATHS = ["name", "command", "ports", "resources", "livenessProbe", "securityContext", "env", "lifecycle"]


@settings(max_examples=200, deadline=None)
@given(field=st.sampled_from(FIELD_PATHS), value=json_values(), minor=st.sampled_from(VERSIONS))
def test_arbitrary_values_in_fields_report_the_field(field: str, value: Any, minor: str) -> None:
    c = {"name": "c", "image": "i", field: value}
    try:
        kubehash.hash_container(c, minor)
    except DecodeError as e:
        assert e.path and e.path[0] == field, e.path
    except KubehashError as e:  # pragma: no cover - any other error must still be ours
        raise AssertionError(f"unexpected {type(e).__name__}") from e


@SETTINGS
@given(c=containers("1.17"))
def test_json_era_hash_is_fnv_of_go_json(c: dict[str, Any]) -> None:
    """The JSON-era input is the byte list of valid JSON that round-trips to the decoded value."""
    try:
        data = kubehash.hash_input(c, "1.17", source="file")
    except DecodeError:
        return
    inner = data[len(b"([]uint8)[") : -1]
    text = bytes(int(x) for x in inner.split(b" ")).decode("utf-8") if inner else ""
    doc = json.loads(text)
    assert isinstance(doc, dict) and "resources" in doc
    assert kubehash.hash_input(doc, "1.17", source="file") == data
