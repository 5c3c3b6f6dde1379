"""Go ``encoding/json.Marshal``, for the JSON-era container hash (kubelet 1.16+).

Rules reproduced (``encoding/json/encode.go``):

* struct fields in declaration order; an embedded struct without a JSON name is inlined at its
  position, and Go's dominant-field rule resolves name clashes (shallowest wins, ties drop the field
  unless exactly one is tagged);
* ``omitempty`` drops ``false``, ``0``, ``""``, nil pointers and empty or nil slices/maps, never structs;
* nil slices/maps/pointers marshal as ``null``; map keys are sorted by their string;
* compact output; strings escaped with ``escapeHTML`` on: ``\\"`` ``\\\\`` ``\\n`` ``\\r`` ``\\t``, other
  control bytes as ``\\u00xx``, ``<`` ``>`` ``&`` as ``\\u003c`` ``\\u003e`` ``\\u0026``, U+2028/U+2029
  escaped. Go 1.22 (golang/go#63379) writes ``\\b`` and ``\\f`` as short escapes; older Go wrote
  ``\\u0008``/``\\u000c`` -- pass ``short_bf=True`` to get the Go >= 1.22 behaviour.

Invalid UTF-8 cannot reach this encoder: Python strings are Unicode and the decoder has already
replaced lone surrogates with U+FFFD, as Go's decoder does.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from kubehash.golang.types import Basic, External, Field, GoType, Map, Pointer, Slice, Struct

__all__ = ["Encode", "compile_encoder", "quote", "quote_go121", "quote_go122", "visible_fields"]

Encode = Callable[[Any], str]

_NEEDS_ESCAPE = re.compile('[\x00-\x1f"\\\\<>&\u2028\u2029]')


def _table(short_bf: bool) -> dict[int, str]:
    table = {c: f"\\u{c:04x}" for c in range(0x20)}
    table.update({ord('"'): '\\"', ord("\\"): "\\\\", ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
    table.update({ord("<"): "\\u003c", ord(">"): "\\u003e", ord("&"): "\\u0026"})
    table.update({0x2028: "\\u2028", 0x2029: "\\u2029"})
    if short_bf:
        table.update({ord("\b"): "\\b", ord("\f"): "\\f"})
    return table


_TABLE_OLD = _table(False)
_TABLE_NEW = _table(True)


def quote_go121(s: str) -> str:
    """A JSON string literal exactly as Go < 1.22 ``encoding/json`` writes it."""
    if _NEEDS_ESCAPE.search(s) is None:
        return '"' + s + '"'
    return '"' + s.translate(_TABLE_OLD) + '"'


def quote_go122(s: str) -> str:
    """A JSON string literal exactly as Go >= 1.22 ``encoding/json`` writes it."""
    if _NEEDS_ESCAPE.search(s) is None:
        return '"' + s + '"'
    return '"' + s.translate(_TABLE_NEW) + '"'


def quote(s: str, *, short_bf: bool = False) -> str:
    return quote_go122(s) if short_bf else quote_go121(s)


@functools.cache  # structs hash by identity and live as long as their schema: compute once per struct
def visible_fields(st: Struct) -> tuple[tuple[tuple[int, ...], Field], ...]:
    """The fields ``encoding/json`` sees on a struct: ``(index path, field)`` in encoding order (a tuple:
    computed once per struct and shared).

    Embedded structs without a JSON name are flattened; Go's dominance rules drop clashing names.
    """
    candidates: list[tuple[tuple[int, ...], Field, bool]] = []  # (index, field, tagged)

    def walk(s: Struct, prefix: tuple[int, ...]) -> None:
        for i, f in enumerate(s.fields):
            if f.json_name is None:
                continue
            index = (*prefix, i)
            inner = f.type.underlying() if not isinstance(f.type, External) else f.type
            if f.embedded and f.json_name == "" and isinstance(inner, Struct):
                walk(inner, index)
                continue
            name = f.json_name or f.name
            candidates.append(
                (index, Field(name, f.type, name, f.omitempty, f.embedded, f.protobuf), bool(f.json_name))
            )

    walk(st, ())
    by_name: dict[str, list[tuple[tuple[int, ...], Field, bool]]] = {}
    for c in candidates:
        by_name.setdefault(c[1].json_name or "", []).append(c)
    keep: list[tuple[tuple[int, ...], Field]] = []
    for group in by_name.values():
        depth = min(len(c[0]) for c in group)
        top = [c for c in group if len(c[0]) == depth]
        if len(top) > 1:
            tagged = [c for c in top if c[2]]
            if len(tagged) != 1:
                continue
            top = tagged
        keep.append((top[0][0], top[0][1]))
    keep.sort(key=lambda c: c[0])
    return tuple(keep)


def _is_empty_fn(t: GoType) -> Callable[[Any], bool]:
    if isinstance(t, External):
        return lambda v: False
    u = t.underlying()
    if isinstance(u, Basic):
        if u.kind == "string":
            return lambda v: v == ""
        if u.kind == "bool":
            return lambda v: not v
        return lambda v: v == 0
    if isinstance(u, Pointer):
        return lambda v: v is None
    if isinstance(u, (Slice, Map)):
        return lambda v: not v
    return lambda v: False


class _Compiler:
    def __init__(self, short_bf: bool) -> None:
        self.quote = quote_go122 if short_bf else quote_go121
        self._cache: dict[int, Encode] = {}

    def encoder(self, t: GoType) -> Encode:
        key = id(t)
        if key in self._cache:
            return self._cache[key]
        slot: list[Encode] = []
        self._cache[key] = lambda v: slot[0](v)
        fn = self._build(t)
        slot.append(fn)
        self._cache[key] = fn
        return fn

    def _build(self, t: GoType) -> Encode:
        if isinstance(t, External):
            codec = t.codec
            q = self.quote
            return lambda v: codec.json(v, q)
        u = t.underlying()
        if isinstance(u, Basic):
            if u.kind == "string":
                return self.quote
            if u.kind == "bool":
                return lambda v: "true" if v else "false"
            return str
        if isinstance(u, Pointer):
            elem = self.encoder(u.elem)
            return lambda v: "null" if v is None else elem(v)
        if isinstance(u, Slice):
            return self._slice(u)
        if isinstance(u, Map):
            return self._map(u)
        if isinstance(u, Struct):
            return self._struct(u)
        raise TypeError(f"encoding/json: unsupported type {t}")

    def _slice(self, u: Slice) -> Encode:
        if isinstance(u.elem, Basic) and u.elem.kind == "uint8":
            raise TypeError("encoding/json: []byte (base64) is not supported")
        elem = self.encoder(u.elem)

        def enc_slice(v: list[Any] | None) -> str:
            if v is None:
                return "null"
            return "[" + ",".join([elem(x) for x in v]) + "]"

        return enc_slice

    def _map(self, u: Map) -> Encode:
        elem = self.encoder(u.elem)
        q = self.quote

        def enc_map(v: dict[str, Any] | None) -> str:
            if v is None:
                return "null"
            return "{" + ",".join([q(k) + ":" + elem(v[k]) for k in sorted(v)]) + "}"

        return enc_map

    def _struct(self, u: Struct) -> Encode:
        plan = []
        for index, f in visible_fields(u):
            plan.append(
                (
                    index,
                    self.quote(f.json_name or "") + ":",
                    self.encoder(f.type),
                    _is_empty_fn(f.type) if f.omitempty else None,
                )
            )
        flat = all(len(index) == 1 for index, *_ in plan)

        def enc_struct(v: list[Any]) -> str:
            parts = []
            for index, key, enc, empty in plan:
                if flat:
                    x = v[index[0]]
                else:
                    x = v
                    for i in index:
                        x = x[i]
                if empty is not None and empty(x):
                    continue
                parts.append(key + enc(x))
            return "{" + ",".join(parts) + "}"

        return enc_struct


def compile_encoder(t: GoType, *, short_bf: bool = False) -> Encode:
    """``string(json.Marshal(v))`` for values of type ``t``; ``short_bf`` selects Go >= 1.22."""
    return _Compiler(short_bf).encoder(t)
