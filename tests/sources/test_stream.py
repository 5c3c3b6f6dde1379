"""Streaming the items of a List dump gives exactly what loading the whole document gives."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import json_values

from kubehash.errors import InputError
from kubehash.golang.jsonvalue import RawFloat, loads
from kubehash.sources.stream import iter_items, iter_json_items


def _same(a: Any, b: Any) -> bool:
    """Equal including types and RawFloat texts."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, RawFloat):
        return a.text == b.text
    return a == b


@settings(max_examples=80, deadline=None)
@given(
    items=st.lists(json_values(), max_size=6),
    indent=st.sampled_from([None, 0, 2, 4]),
    chunk=st.integers(1, 40),
    extra=st.dictionaries(st.sampled_from(["apiVersion", "kind", "metadata"]), json_values(4), max_size=3),
)
def test_stream_equals_whole_load(items: list[Any], indent: int | None, chunk: int, extra: dict[str, Any]) -> None:
    text = json.dumps({**extra, "items": items}, indent=indent)
    expected = loads(text)["items"]
    got = list(iter_json_items(io.StringIO(text), chunk_size=chunk))
    assert _same(got, expected)


@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
def test_number_literals_keep_their_text_across_chunk_boundaries(chunk: int) -> None:
    text = '{"items": [1.50, 12345678901234567890, -0.0, 1e3, {"cpu": 0.250}], "kind": "List"}'
    got = list(iter_json_items(io.StringIO(text), chunk_size=chunk))
    assert [type(x).__name__ for x in got] == ["RawFloat", "int", "RawFloat", "RawFloat", "dict"]
    assert got[0].text == "1.50" and got[1] == 12345678901234567890 and got[3].text == "1e3"
    assert got[4]["cpu"].text == "0.250"


def test_other_documents() -> None:
    assert list(iter_json_items(io.StringIO('[{"a": 1}, 2]'))) == [{"a": 1}, 2]
    assert list(iter_json_items(io.StringIO('{"kind": "Pod", "spec": {}}'))) == [{"kind": "Pod", "spec": {}}]
    assert list(iter_json_items(io.StringIO("{}"))) == [{}]
    assert list(iter_json_items(io.StringIO('{"items": []}'))) == []
    assert list(iter_json_items(io.StringIO('{"items": 3}'))) == [{"items": 3}]


@pytest.mark.parametrize(
    "text",
    ['{"items": [{"a": 1}', '{"items": [1 2]}', '{"items": [1]} x', "", '{"items" [1]}', "{1: 2}", "[1,]"],
)
def test_bad_json_is_an_input_error(text: str) -> None:
    with pytest.raises(InputError, match="invalid JSON"):
        list(iter_json_items(io.StringIO(text), name="dump.json", chunk_size=4))


def test_iter_items_files(tmp_path: Path) -> None:
    j = tmp_path / "pods.json"
    j.write_text(json.dumps({"apiVersion": "v1", "items": [{"kind": "Pod"}, {"kind": "Pod", "x": 0.10}]}, indent=4))
    got = list(iter_items(j, chunk_size=8))
    assert got[1]["x"].text == "0.1"  # json.dumps wrote the float's repr
    y = tmp_path / "pods.yaml"
    y.write_text("kind: List\nitems:\n- kind: Pod\n  metadata: {name: a}\n---\nkind: Pod\n")
    assert list(iter_items(y)) == [{"kind": "Pod", "metadata": {"name": "a"}}, {"kind": "Pod"}]
    with pytest.raises(InputError, match="cannot read"):
        list(iter_items(tmp_path / "missing.json"))
    with pytest.raises(InputError, match="is a directory"):
        list(iter_items(tmp_path))
