"""Plain values: what a document may hold, whatever a field was read as.

Results carry what the cluster's documents held: a name may be a number read from odd JSON (an exact
``RawFloat``), a string may hold a lone surrogate (a ``\\ud800`` escape in the input), an explanation's old and
new values may be any Go-tree value. Documents are written from :func:`plain` values only, so JSON and YAML
never fail on them after the work is done; lone surrogates become U+FFFD (:func:`clean`), as Go's
``encoding/json`` writes them.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import msgspec

__all__ = ["clean", "plain", "text_of", "time_text"]

_SCALARS = (str, int, float, bool, type(None))


def time_text(t: date) -> str:
    """A time as RFC 3339 text, the way documents write it (msgspec's: ``Z`` for UTC)."""
    return msgspec.json.encode(t)[1:-1].decode()


def text_of(s: str) -> str:
    """``s`` with each lone surrogate replaced by U+FFFD (the same string when it has none)."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return s


def _key(k: Any) -> str:
    return k if type(k) is str else str(plain(k))


def plain(v: Any) -> Any:
    """``v`` as ``None``, ``bool``, ``int``, ``float``, ``str``, ``list`` or ``dict`` with string keys: subclasses
    become their base type, mappings dicts, other iterables of values lists, times ISO 8601 text, dataclasses
    their fields, anything else its ``str``."""
    if type(v) in _SCALARS:
        return v
    if isinstance(v, bool):
        return bool(v)
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, str):
        return str(v)
    if isinstance(v, Mapping):
        return {_key(k): plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple, set, frozenset)):
        return [plain(x) for x in v]
    if isinstance(v, (datetime, date)):
        return time_text(v)
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {f.name: plain(getattr(v, f.name)) for f in dataclasses.fields(v)}
    return str(v)


def clean(v: Any) -> Any:
    """:func:`plain` all the way down, with every string passed through :func:`text_of` and every infinite or
    NaN float ``None`` (JSON has no such numbers)."""
    v = plain(v)
    if type(v) is str:
        return text_of(v)
    if type(v) is float and not math.isfinite(v):
        return None
    if type(v) is dict:
        return {text_of(k): clean(x) for k, x in v.items()}
    if type(v) is list:
        return [clean(x) for x in v]
    return v
