"""Fields of a container that a Kubernetes minor's ``v1.Container`` does not have.

Go's ``encoding/json`` (and the API server's case-sensitive decoder built on it) ignores object keys that
match no field of the target struct, so a field newer than a release is silently lost wherever that
release decodes a container: the API server drops it when a pod is created (the stored pod never has it),
the kubelet drops it when it reads a static-pod file. Which fields a minor has is data: the Go struct
closure of ``v1.Container`` in ``specs/<minor>.json`` (JSON names, embedded structs inlined as
``encoding/json`` inlines them).

A key is walked only where the value has the JSON kind the field's type takes (an object for a struct or a
map, an array for a slice); anything else is left for the decoder to report.

When the container's JSON bytes are at hand, :func:`unknown_fields` first decodes them with ``msgspec`` into
struct types mirroring the minor's schema with unknown fields forbidden (C speed, nothing kept): if that
succeeds no key is unknown; if it fails (an unknown key, or just a value of an unusual kind) the walk decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any

import msgspec

from kubehash.golang.jsonenc import visible_fields
from kubehash.golang.types import External, GoType, Map, Pointer, Slice, Struct
from kubehash.kubelet.fieldpath import MapKey
from kubehash.kubelet.releases import release
from kubehash.kubelet.schema import load_schema

__all__ = ["FieldPath", "drop_unknown_fields", "has_no_unknown_fields", "unknown_fields"]

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
        return _walk_struct(value, u, at, found, keep)
    if isinstance(u, Slice) and isinstance(value, list):
        items = [_walk(v, u.elem, (*at, i), found, keep) for i, v in enumerate(value)]
        return items if keep else value
    if isinstance(u, Map) and isinstance(value, Mapping):
        entries = {k: _walk(v, u.elem, (*at, MapKey(k)), found, keep) for k, v in value.items()}
        return entries if keep else value
    return value


def _walk_struct(value: Mapping[Any, Any], u: Struct, at: FieldPath, found: list[FieldPath], keep: bool) -> Any:
    """:func:`_walk` of a JSON object decoded into struct ``u``."""
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


class _Recursive(Exception):
    pass


def _msgspec_type(t: GoType, building: set[int], made: dict[int, Any]) -> Any:
    """A type msgspec decodes a value of Go type ``t`` into when no object at a struct position has a key the
    struct lacks (``None`` allowed everywhere; other kinds than the walk recurses into fail the decode)."""
    t = _deref(t)
    if isinstance(t, External):
        return Any
    u = t.underlying()
    if isinstance(u, Struct):
        found = made.get(id(u))
        if found is None:
            if id(u) in building:
                raise _Recursive
            building.add(id(u))
            fields = list(_fields(u).items())
            names = [f"f{i}" for i in range(len(fields))]
            found = made[id(u)] = msgspec.defstruct(
                "Known",
                [(n, _msgspec_type(ft, building, made), None) for n, (_, ft) in zip(names, fields, strict=True)],
                rename={n: k for n, (k, _) in zip(names, fields, strict=True)},
                forbid_unknown_fields=True,
            )
            building.discard(id(u))
        return found | None
    if isinstance(u, Slice):
        return list[_msgspec_type(u.elem, building, made)] | None  # type: ignore[misc]
    if isinstance(u, Map):
        return dict[str, _msgspec_type(u.elem, building, made)] | None  # type: ignore[misc]
    return Any


@cache
def _known_decoder(minor: str) -> msgspec.json.Decoder[Any] | None:
    """A decoder that accepts a container's JSON only when it has no unknown field (``None``: the schema has
    a recursive type, which the check does not describe)."""
    try:
        return msgspec.json.Decoder(_msgspec_type(_root(minor), set(), {}))
    except (_Recursive, TypeError):
        return None


def has_no_unknown_fields(raw: bytes, version: str) -> bool:
    """``True`` when the container's JSON text ``raw`` provably has no field Kubernetes ``version`` lacks;
    ``False`` when that takes :func:`unknown_fields` to tell."""
    decoder = _known_decoder(release(version).minor)
    if decoder is None:
        return False
    try:
        decoder.decode(raw)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):
        return False
    return True


def unknown_fields(container: Any, version: str, raw: bytes | None = None) -> list[FieldPath]:
    """The paths of the fields in ``container`` (a container mapping) that Kubernetes ``version`` does not
    have, in document order. ``raw``: the JSON text ``container`` was parsed from, if known (faster)."""
    if raw is not None and has_no_unknown_fields(raw, version):
        return []
    found: list[FieldPath] = []
    _walk(container, _root(release(version).minor), (), found, False)
    return found


def drop_unknown_fields(container: Any, version: str) -> tuple[Any, list[FieldPath]]:
    """``container`` as Kubernetes ``version`` decodes it -- every field it does not have dropped (a copy;
    the input is never touched) -- and the dropped fields' paths."""
    found: list[FieldPath] = []
    kept = _walk(container, _root(release(version).minor), (), found, True)
    return kept, found
