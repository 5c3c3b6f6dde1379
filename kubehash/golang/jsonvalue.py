"""JSON values as Python holds them, and what Go's decoder would have seen.

Go decoders see the raw JSON text of a number; Python's ``json`` turns ``1e3`` into ``1000.0``.
kubehash's own loaders keep the text: they parse floats into :class:`RawFloat`, a ``float`` that
remembers its literal. For plain ``float`` values (from a caller's ``json.loads``) the shortest
``repr`` stands in for the literal, which is what the JSON text almost always was.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

__all__ = ["RawFloat", "go_string", "json_kind", "loads", "loads_utf8", "number_text", "read_go_json"]


class RawFloat(float):
    """A JSON number that was not an integer literal, with its source text."""

    text: str

    def __new__(cls, text: str) -> RawFloat:
        self = super().__new__(cls, text)
        self.text = text
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (RawFloat, (self.text,))


def loads(text: str | bytes) -> Any:
    """``json.loads`` keeping the literal text of non-integer numbers."""
    return json.loads(text, parse_float=RawFloat)


_FAST = msgspec.json.Decoder(float_hook=RawFloat)


def loads_utf8(data: bytes) -> Any:
    """:func:`loads` of UTF-8 JSON text, by msgspec where it gives the same value (the same types, key order,
    duplicate keys resolved the same way, the same float texts) and by :func:`loads` for what msgspec rejects
    and ``json`` accepts (lone surrogate escapes, ``NaN``...) or rejects with its own message."""
    try:
        return _FAST.decode(data)
    except (msgspec.DecodeError, RecursionError):
        return loads(data.decode("utf-8"))


def number_text(v: int | float) -> str:
    """The JSON literal Go's decoder would have seen for a Python number."""
    if isinstance(v, RawFloat):
        return v.text
    if isinstance(v, float):
        return repr(v)
    return str(v)


def json_kind(v: Any) -> str:
    """The JSON kind Go names in ``cannot unmarshal <kind> into ...``."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number " + number_text(v)
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


def go_string(s: str) -> str:
    """A decoded JSON string as Go holds it: lone surrogates become U+FFFD (``encoding/json`` unquote)."""
    if s.isascii():
        return s
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def read_go_json(data: bytes | None) -> Any:
    """JSON text that Go's encoding/json wrote (a JSON-era hash input's document) as a value, to compare two
    of them: by msgspec, which reads such text as the json module would, faster; by the json module for what
    msgspec declines (nothing encoding/json writes: a number beyond float64, say). ``None`` stays ``None``."""
    if data is None:
        return None
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError:
        return json.loads(data.decode("utf-8"))
