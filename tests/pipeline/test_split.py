"""Splitting a dump between processes gives exactly the sequential results, whatever the layout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kubehash.errors import InputError
from kubehash.golang.jsonvalue import RawFloat
from kubehash.pipeline.split import map_items
from kubehash.sources.scan import detect_layout
from kubehash.sources.stream import iter_items


def _layout(path: Path) -> Any:
    return detect_layout(path.read_bytes())


def _describe(item: Any) -> str:
    """A picklable summary that keeps types and RawFloat texts visible."""

    def walk(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, RawFloat):
            return ["RawFloat", v.text]
        return v

    return json.dumps(walk(item))


def _items(n: int) -> list[dict[str, Any]]:
    """Pods with non-ASCII text from the second one on (the head up to the first item must be ASCII for the
    file to be split, see ``_layout``)."""
    return [
        {"kind": "Pod", "metadata": {"name": f"p{i}"} | ({"é": "ü" * (i % 3)} if i else {}), "spec": {"x": [{"y": i}]}}
        for i in range(n)
    ]


@pytest.mark.parametrize("indent", [4, 2, None])
@pytest.mark.parametrize("part_bytes", [7, 100, 1 << 20])
def test_split_equals_sequential(tmp_path: Path, indent: int | None, part_bytes: int) -> None:
    path = tmp_path / "pods.json"
    doc = {"apiVersion": "v1", "items": _items(40), "kind": "List", "metadata": {"resourceVersion": ""}}
    path.write_text(json.dumps(doc, indent=indent, ensure_ascii=False).replace('"y": 3', '"y": 3.50'))
    expected = [_describe(x) for x in iter_items(path)]
    assert len(expected) == 40 and '["RawFloat", "3.50"]' in expected[3]
    assert _layout(path) is not None  # pretty-printed and compact alike: split and scanned
    assert list(map_items(path, _describe, jobs=2, part_bytes=part_bytes)) == expected
    assert list(map_items(path, _describe, jobs=1)) == expected


def test_inconsistent_indentation_falls_back(tmp_path: Path) -> None:
    """A nested array formatted like the top-level one: its fake boundaries must not be trusted."""
    text = (
        '{\n    "items": [\n        {"a": 1},\n        {"b": [{"c": 1},\n        {"d": 2},\n        {"d": 3}]},'
        '\n        {"e": 3},\n        {"f": 4}\n    ],\n    "kind": "List"\n}\n'
    )
    path = tmp_path / "odd.json"
    path.write_text(text)
    expected = [_describe(x) for x in iter_items(path)]
    assert len(expected) == 4
    for part_bytes in range(5, 60, 3):
        assert list(map_items(path, _describe, jobs=2, part_bytes=part_bytes)) == expected


def test_bad_documents(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{\n    "items": [\n        {"a": 1},\n        {"b": 2}\n    ],\n    "kind": "List"\n} x')
    with pytest.raises(InputError, match="extra data"):
        list(map_items(path, _describe, jobs=2, part_bytes=10))
    path.write_text('{\n    "items": [\n        {"a": 1},\n        {"b": 2}\n')
    with pytest.raises(InputError, match="invalid JSON"):
        list(map_items(path, _describe, jobs=2, part_bytes=10))


def test_unsplittable_inputs_still_map(tmp_path: Path) -> None:
    single = tmp_path / "single.json"
    single.write_text(json.dumps({"items": _items(1)}))
    yaml_file = tmp_path / "pods.yaml"
    yaml_file.write_text("items:\n- a: 1\n- b: 2.50\n")
    for path in (single, yaml_file):
        assert _layout(path) is None
        expected = [_describe(x) for x in iter_items(path)]
        assert list(map_items(path, _describe, jobs=2)) == expected


def test_crlf_files_split_exactly(tmp_path: Path) -> None:
    path = tmp_path / "crlf.json"
    text = json.dumps({"items": _items(12), "kind": "List"}, indent=4, ensure_ascii=False).replace("\n", "\r\n")
    path.write_bytes(text.encode())
    expected = [_describe(x) for x in iter_items(path)]
    assert len(expected) == 12
    for part_bytes in (50, 300):
        assert list(map_items(path, _describe, jobs=2, part_bytes=part_bytes)) == expected


def _generic_decode(view: memoryview) -> list[Any] | None:
    """A picklable ``decode``: msgspec's generic decoder, declining any batch that holds a float or a
    ``decline`` marker (those go item by item, then to the exact loader)."""
    import msgspec

    data = bytes(view)
    if b"decline" in data or b"." in data:
        return None
    return msgspec.json.decode(data)


@pytest.mark.parametrize("part_bytes", [9, 64, 333, 1 << 20])
def test_decode_hook_batches_equal_sequential(tmp_path: Path, part_bytes: int) -> None:
    items = _items(60)
    for i in (5, 17, 18, 41):
        items[i]["metadata"]["note"] = "decline"
    path = tmp_path / "pods.json"
    text = json.dumps({"items": items, "kind": "List"}, indent=4, ensure_ascii=False).replace('"y": 30', '"y": 30.50')
    path.write_text(text)
    expected = [_describe(x) for x in iter_items(path)]
    assert '["RawFloat", "30.50"]' in expected[30]
    assert _layout(path) is not None
    assert list(map_items(path, _describe, jobs=1, decode=_generic_decode)) == expected
    assert list(map_items(path, _describe, jobs=2, part_bytes=part_bytes, decode=_generic_decode)) == expected


def test_decode_hook_keeps_the_streaming_errors(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    body = ",\n        ".join(json.dumps(x, ensure_ascii=False) for x in _items(8))
    for tail in ('\n    ],\n    "kind": \n}\n', "\n    ]\n} x", ",\n        {"):
        path.write_text('{\n    "items": [\n        ' + body + tail)
        assert _layout(path) is not None
        with pytest.raises(InputError) as exact:
            list(iter_items(path))
        with pytest.raises(InputError) as fast:
            list(map_items(path, _describe, jobs=1, decode=_generic_decode))
        assert str(fast.value) == str(exact.value)


@pytest.mark.parametrize("block", [16, 61, 200, 1000])
@pytest.mark.parametrize("decode", [None, _generic_decode])
def test_small_blocks_equal_sequential(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int, decode: Any
) -> None:
    """The scan's buffer refills (items cut across blocks, an item bigger than the buffer, non-ASCII text
    arriving in a later block, declined batches) give the sequential results."""
    from kubehash.sources import scan

    monkeypatch.setattr(scan, "BLOCK", block)
    monkeypatch.setattr(scan, "SLACK", block // 2)
    items = _items(30)
    items[7]["metadata"]["big"] = "x" * (5 * block)  # bigger than the whole buffer
    items[12]["metadata"]["note"] = "decline"
    items[20]["metadata"]["é"] = "ü" * 40
    path = tmp_path / "pods.json"
    path.write_text(json.dumps({"items": items, "kind": "List"}, indent=4, ensure_ascii=False), encoding="utf-8")
    expected = [_describe(x) for x in iter_items(path)]
    assert _layout(path) is not None
    assert list(map_items(path, _describe, jobs=1, decode=decode)) == expected
    assert list(map_items(path, _describe, jobs=2, part_bytes=333, decode=decode)) == expected
