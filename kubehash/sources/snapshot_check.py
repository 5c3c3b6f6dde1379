"""What a snapshot may hold, checked on read: nesting depth and the shape of runtime records.

A snapshot is written by kubehash from pods and nodes it read, so a well-formed file never fails these
checks; they turn a crafted or damaged file into a :class:`ValueError` (which the reader reports as an
input error naming the file) instead of a ``RecursionError`` later in the run or a record whose fields
have types the rest of kubehash does not expect. msgspec's decoder has no nesting option of its own: it
stops at the interpreter's recursion limit (caught by the reader); the limit here is far below it.
"""

from __future__ import annotations

from typing import Any

from kubehash.sources.gotime import MAX_NS, MIN_NS

__all__ = ["MAX_DEPTH", "check_depth", "check_record"]

#: Maps and lists nested inside one pod or node; a real object stays below 20 (the API server's JSON
#: decoder accepts up to 10,000, but nothing in a Pod's schema nests more than a few levels).
MAX_DEPTH = 100

_STR_FIELDS = ("namespace", "pod", "pod_uid", "container_id", "state", "node", "origin")
_HASH_FIELDS = ("hash", "hash_without_resources")
_NS_FIELDS = ("started_at", "created_at", "started_at_ns")


def check_depth(items: list[Any], what: str, limit: int = MAX_DEPTH) -> None:
    """Raise ``ValueError`` naming ``what[i]`` when an element nests maps/lists deeper than ``limit``.

    Walks level by level (no recursion), so any depth the decoder produced is checked safely."""
    for i, item in enumerate(items):
        frontier, depth = [item], 0
        while frontier:
            depth += 1
            if depth > limit:
                raise ValueError(f"{what}[{i}] is nested more than {limit} levels deep")
            frontier = _next_level(frontier)


def _next_level(frontier: list[Any]) -> list[Any]:
    """The maps and lists directly inside those of ``frontier``."""
    nxt: list[Any] = []
    add = nxt.append
    for o in frontier:
        values = o.values() if type(o) is dict else o if type(o) is list else ()
        for v in values:
            if type(v) is dict or type(v) is list:
                add(v)
    return nxt


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _check_field(where: str, name: str, v: Any) -> None:
    if v is None:
        return
    if name in _STR_FIELDS or name == "runtime":
        if not isinstance(v, str):
            raise ValueError(f"{where}.{name} is not a string")
    elif name in _HASH_FIELDS:
        if not (_is_int(v) and 0 <= v < 1 << 64):
            raise ValueError(f"{where}.{name} is not a 64-bit unsigned integer")
    elif name in _NS_FIELDS and not (_is_int(v) and MIN_NS <= v <= MAX_NS):
        raise ValueError(f"{where}.{name} is not a time in nanoseconds")


def check_record(m: Any, i: int, known: set[str]) -> dict[str, Any]:
    """The known fields of runtime record ``i`` as stored (times in nanoseconds), or ``ValueError`` saying
    which field of ``runtime[i]`` has a type or value kubehash never writes."""
    if not isinstance(m, dict):
        raise ValueError(f"runtime[{i}] is not a map")
    kw = {k: v for k, v in m.items() if k in known}
    if not isinstance(kw.get("container"), str):
        raise ValueError(f"runtime[{i}].container is not a string")
    for name in ("namespace", "pod", "hash"):
        kw.setdefault(name, None)
    for name, v in kw.items():
        _check_field(f"runtime[{i}]", name, v)
    return kw
