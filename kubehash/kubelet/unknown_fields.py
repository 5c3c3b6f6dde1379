"""Fields of a container that a Kubernetes minor's ``v1.Container`` does not have.

Go's ``encoding/json`` (and the API server's case-sensitive decoder built on it) ignores object keys that
match no field of the target struct, so a field newer than a release is silently lost wherever that
release decodes a container: the API server drops it when a pod is created (the stored pod never has it),
the kubelet drops it when it reads a static-pod file. Which fields a minor has is data: the Go struct
closure of ``v1.Container`` in ``specs/<minor>.json`` (JSON names, embedded structs inlined as
``encoding/json`` inlines them).

A key is walked only where the value has the JSON kind the field's type takes (an object for a struct or a
map, an array for a slice); anything else is left for the decoder to report.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

from kubehash.golang.jsonenc import visible_fields
from kubehash.golang.types import External, GoType, Map, Pointer, Slice, Struct
from kubehash.kubelet.fieldpath import MapKey
from kubehash.kubelet.releases import release
from kubehash.kubelet.schema import load_schema

__all__ = ["FieldPath", "drop_unknown_fields", "unknown_fields"]

#: A path inside a container: JSON names, list positions and map keys (:class:`~kubehash.kubelet.fieldpath.MapKey`;
#: :func:`~kubehash.kubelet.fieldpath.render_path` writes it as ``kubectl explain`` does).
FieldPath = tuple[str | int, ...]


@cache
def _root(minor: str) -> GoType:
    return load_schema(minor).root


_FIELDS: dict[int, dict[str, GoType]] = {}


def _fields(st: Struct) -> dict[str, GoType]:
    """JSON name -> type of the fields ``encoding/json`` sees on ``st`` (computed once per struct)."""
    found = _FIELDS.get(id(st))
    if found is None:
        found = _FIELDS[id(st)] = {f.json_name or f.name: f.type for _, f in visible_fields(st)}
    return found


def _deref(t: GoType) -> GoType:
    while not isinstance(t, External) and isinstance(u := t.underlying(), Pointer):
        t = u.elem
    return t


def _walk(value: Any, t: GoType, at: FieldPath, found: list[FieldPath], keep: bool) -> Any:
    """``value`` without the keys ``t`` does not declare (a copy where anything was dropped, when ``keep``),
    each dropped key's path appended to ``found``."""
    t = _deref(t)
    if isinstance(t, External):
        return value
    u = t.underlying()
    if isinstance(u, Struct) and isinstance(value, Mapping):
        fields = _fields(u)
        out: dict[str, Any] | None = {} if keep else None
        for k, v in value.items():
            ft = fields.get(k) if isinstance(k, str) else None
            if ft is None:
                found.append((*at, k))
                continue
            w = _walk(v, ft, (*at, k), found, keep)
            if out is not None:
                out[k] = w
        return out if out is not None else value
    if isinstance(u, Slice) and isinstance(value, list):
        items = [_walk(v, u.elem, (*at, i), found, keep) for i, v in enumerate(value)]
        return items if keep else value
    if isinstance(u, Map) and isinstance(value, Mapping):
        entries = {k: _walk(v, u.elem, (*at, MapKey(k)), found, keep) for k, v in value.items()}
        return entries if keep else value
    return value


def unknown_fields(container: Any, version: str) -> list[FieldPath]:
    """The paths of the fields in ``container`` (a container mapping) that Kubernetes ``version`` does not
    have, in document order."""
    found: list[FieldPath] = []
    _walk(container, _root(release(version).minor), (), found, False)
    return found


def drop_unknown_fields(container: Any, version: str) -> tuple[Any, list[FieldPath]]:
    """``container`` as Kubernetes ``version`` decodes it -- every field it does not have dropped (a copy;
    the input is never touched) -- and the dropped fields' paths."""
    found: list[FieldPath] = []
    kept = _walk(container, _root(release(version).minor), (), found, True)
    return kept, found
