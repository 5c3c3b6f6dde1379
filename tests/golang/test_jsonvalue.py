"""loads_utf8 (msgspec where it can) gives exactly what loads (the json module) gives."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import json_values

from kubehash.golang.jsonvalue import RawFloat, loads, loads_utf8

FLOAT_TEXTS = st.sampled_from(["1.50", "0.5", "5e-1", "1E400", "-0.0", "1e-7", "2.0E+3", "100.000"])
#: What msgspec rejects or reads differently, if anything: NaN, a lone surrogate escape, a 30-digit integer.
ODD = ["NaN", '"\\ud800"', "1" * 30, "[]", "{}"]
KEYS = st.text(st.sampled_from("ab\u00e9\U0001f600\\\"\n"), max_size=3)


def _same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down, float texts and key order included."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, RawFloat):
        return a.text == b.text
    return bool(a == b) or (a != a and b != b)


@st.composite
def json_texts(draw: st.DrawFn) -> str:
    """JSON text with float literals spelled many ways, duplicate keys and odd strings."""
    value = draw(json_values())
    text = json.dumps(value, ensure_ascii=draw(st.booleans()))
    if draw(st.booleans()):
        key = json.dumps(draw(KEYS))
        text = "{" + f"{key}: {draw(FLOAT_TEXTS)}, {key}: {text}, \"z\": [{draw(FLOAT_TEXTS)}]" + "}"
    if draw(st.booleans()):
        odd = draw(st.sampled_from(ODD))
        text = f"[{text}, {odd}]"
    return text


@settings(max_examples=300, deadline=None)
@given(json_texts())
def test_loads_utf8_is_loads(text: str) -> None:
    assert _same(loads_utf8(text.encode("utf-8", "surrogatepass")), loads(text))


def test_float_texts_are_kept() -> None:
    v = loads_utf8(b'{"a": 1.50, "b": [5e-1, 2]}')
    assert v["a"].text == "1.50" and v["b"][0].text == "5e-1" and type(v["b"][1]) is int
    assert loads_utf8(b'{"a": 1, "a": 2, "b": 3}') == {"a": 2, "b": 3}
    assert list(loads_utf8(b'{"a": 1, "b": 3, "a": 2}')) == ["a", "b"]
