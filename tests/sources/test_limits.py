"""kubehash.limits: the bounds' checks agree with Python's own decoder on any JSON, find what breaks a bound
with its path, and work at any depth (no recursion)."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash import limits
from kubehash.apimachinery.quantity import parse_quantity
from kubehash.errors import QuantityError
from kubehash.model import Rejected, checked_spec
from kubehash.upgrade.ignorefile.rules import kubelet_reads, parse_ignore_file

keys = st.text(st.characters(codec="utf-8", exclude_characters='"\\'), max_size=5)
scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text()
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=30
)


def depth(v: Any) -> int:
    if isinstance(v, dict):
        return 1 + max((depth(x) for x in v.values()), default=0)
    if isinstance(v, list):
        return 1 + max((depth(x) for x in v), default=0)
    return 0


def nest(n: int, leaf: Any = 1, key: str | None = "k") -> Any:
    v = leaf
    for _ in range(n):
        v = {key: v} if key is not None else [v]
    return v


def deep_dumps(v: Any) -> str:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(30000)
    try:
        return json.dumps(v)
    finally:
        sys.setrecursionlimit(limit)


@settings(max_examples=300, deadline=None)
@given(values, st.booleans())
def test_no_violation_in_ordinary_json(v: Any, indent: bool) -> None:
    text = json.dumps(v, indent=2 if indent else None)
    assert limits.json_text_violations(text) == []
    assert limits.depth_violation(v) is None
    if isinstance(v, (dict, list)):
        assert limits.value_end(text, 0) == len(text)
        assert not limits.might_be_too_deep(text) or text.count("{") + text.count("[") > limits.MAX_DEPTH


@settings(max_examples=100, deadline=None)
@given(values, st.integers(1, 30), st.sampled_from(["k", None]), st.booleans())
def test_depth_found_with_its_path_and_cut(v: Any, extra: int, key: str | None, indent: bool) -> None:
    doc = {"spec": {"containers": [v, nest(limits.MAX_DEPTH + extra, v, key)]}}
    text = deep_dumps(doc) if not indent else json.dumps(doc, indent=1)
    found = limits.json_text_violations(text)
    assert [f.problem for f in found] == [limits.DEPTH_PROBLEM]
    assert found[0].path.startswith("$.spec.containers[1]" + (".k.k" if key else "[0][0]"))
    assert limits.might_be_too_deep(text)
    cut = json.loads(limits.cut(text, found))
    assert cut["spec"]["containers"][0] == json.loads(json.dumps(v))
    assert depth(cut) <= limits.MAX_DEPTH
    assert limits.depth_violation(doc) is not None and limits.depth_violation(cut) is None


def test_depth_bound_is_exact() -> None:
    assert depth(nest(limits.MAX_DEPTH)) == limits.MAX_DEPTH  # MAX_DEPTH collections: the outermost is level 1
    assert limits.json_text_violations(json.dumps(nest(limits.MAX_DEPTH, key=None))) == []
    assert limits.depth_violation(nest(limits.MAX_DEPTH)) is None
    assert limits.depth_violation(nest(limits.MAX_DEPTH + 1)) == "$" + ".k" * 12 + f"... ({limits.MAX_DEPTH} levels)"
    assert len(limits.json_text_violations(json.dumps(nest(limits.MAX_DEPTH + 1, key=None)))) == 1


def test_far_deeper_than_python_recursion() -> None:
    text = "[" * 200_000 + "]" * 200_000
    found = limits.json_text_violations(text)
    assert len(found) == 1 and (found[0].start, found[0].end) == (limits.MAX_DEPTH, len(text) - limits.MAX_DEPTH)
    assert limits.value_end(text, 0) == len(text)
    assert limits.value_end(text[:-1], 0) is None  # incomplete
    assert limits.depth_violation(json.loads(limits.cut(text, found))) is None


def test_integer_bound_and_string_bound() -> None:
    big = "9" * (limits.MAX_NUMBER_CHARS + 1)
    text = '{"a": [1, -' + big + '], "b": 1.' + big + ', "c": ' + "9" * limits.MAX_NUMBER_CHARS + "}"
    found = limits.json_text_violations(text)
    assert [(f.path, "MAX_NUMBER_CHARS" in f.problem) for f in found] == [("$.a[1]", True)]
    assert json.loads(limits.cut(text, found))["a"] == [1, None]
    long = '{"s": "' + "x" * (limits.MAX_STRING_BYTES + 1) + '"}'
    assert [f.path for f in limits.json_text_violations(long)] == ["$.s"]


def test_checked_spec_marks_deep_containers() -> None:
    deep = {"name": "c", "env": [nest(limits.MAX_DEPTH)]}
    got = checked_spec(deep)
    assert isinstance(got, Rejected) and got.name == "c" and got.problem.startswith("$.env[0].k.k")
    ok = {"name": "c", "env": [nest(limits.MAX_DEPTH - 3)]}
    assert checked_spec(ok) is ok


def test_quantity_bound() -> None:
    assert parse_quantity("1" + "0" * (limits.MAX_QUANTITY_CHARS - 1)) is not None
    with pytest.raises(QuantityError, match="MAX_QUANTITY_CHARS"):
        parse_quantity("1" + "0" * 5000)


@given(st.integers(-(2**63), 2**63 - 1), st.integers(0, 6000))
@settings(max_examples=50, deadline=None)
def test_ignore_file_time_of_any_length(t: int, zeros: int) -> None:
    sign = "-" if t < 0 else ""
    text = f"v1.28.3,{sign}{'0' * zeros}{abs(t)}"
    assert kubelet_reads(text).history_time == t and not kubelet_reads(text).time_error
    assert kubelet_reads("v1.28.3," + "9" * 5000).time_error
    if t >= 0:
        assert parse_ignore_file(text).timestamp == t


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='{}[]":,\\ 0123456789-.eaxnul\n', max_size=300), st.integers(0, 10))
def test_any_text_is_walked_without_error(text: str, start: int) -> None:
    """Not JSON (spliced, truncated, unbalanced): the walk ends quietly; the caller's decoder reports it."""
    for v in limits.json_text_violations(text, min(start, len(text))):
        assert 0 <= v.start <= v.end <= len(text)
    end = limits.value_end(text, 0)
    assert end is None or 0 < end <= len(text)
