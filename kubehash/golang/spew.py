"""go-spew ``%#v`` rendering, as the kubelet configures it for hashing.

Reproduces ``spew.ConfigState{Indent: " ", SortKeys: true, DisableMethods: true, SpewKeys: true}``
formatting a value with ``%#v`` (``hashutil.DeepHashObject``, kubelet 1.6-1.15; ``dump.ForHash`` later),
from ``github.com/davecgh/go-spew/spew/format.go``:

* a value prints ``(<type>)`` then its body, except for slice elements, map keys and map values,
  whose type is suppressed (spew's ``ignoreNextType``);
* a pointer prints ``(*T)`` then the body of what it points to, or ``<nil>``; a pointer whose type is
  suppressed prints ``<*>`` then the body;
* structs ``{Name:(type)value Other:...}`` with every field in declaration order, embedded fields named by
  their type name; nil slices and maps ``<nil>``, empty ones ``[]`` / ``map[]``;
* strings raw (no quotes, no escaping), bools ``true``/``false``, integers in decimal;
* map keys sorted (string keys by byte order, which is code-point order for valid UTF-8).

The schema is compiled once into closures (``compile_typed``), so rendering never inspects types.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubehash.golang.types import Basic, External, GoType, Map, Pointer, Slice, Struct

__all__ = ["Render", "compile_body", "compile_typed"]

Render = Callable[[Any], str]


def _basic_body(kind: str) -> Render:
    if kind == "string":
        return _identity
    if kind == "bool":
        return _bool
    return str


def _identity(v: str) -> str:
    return v


def _bool(v: bool) -> str:
    return "true" if v else "false"


class _Compiler:
    def __init__(self) -> None:
        self._body: dict[int, Render] = {}

    def body(self, t: GoType) -> Render:
        """Render a value whose type prefix is not printed (but nested fields still are)."""
        key = id(t)
        if key in self._body:
            return self._body[key]
        # Indirection allows recursive types: the slot is filled before the body is built.
        slot: list[Render] = []
        self._body[key] = lambda v: slot[0](v)
        fn = self._build_body(t)
        slot.append(fn)
        self._body[key] = fn
        return fn

    def _build_body(self, t: GoType) -> Render:
        if isinstance(t, External):
            return t.codec.spew_body
        u = t.underlying()
        if isinstance(u, Basic):
            return _basic_body(u.kind)
        if isinstance(u, Pointer):
            elem = self.body(u.elem)
            return lambda v: "<nil>" if v is None else "<*>" + elem(v)
        if isinstance(u, Slice):
            elem = self.body(u.elem)

            def slice_body(v: list[Any] | None) -> str:
                if v is None:
                    return "<nil>"
                return "[" + " ".join([elem(x) for x in v]) + "]"

            return slice_body
        if isinstance(u, Map):
            key = self.body(u.key)
            val = self.body(u.elem)

            def map_body(v: dict[str, Any] | None) -> str:
                if v is None:
                    return "<nil>"
                return "map[" + " ".join([key(k) + ":" + val(v[k]) for k in sorted(v)]) + "]"

            return map_body
        if isinstance(u, Struct):
            parts = [(f.name + ":", self.typed(f.type)) for f in u.fields]

            def struct_body(v: list[Any]) -> str:
                return "{" + " ".join([name + r(x) for (name, r), x in zip(parts, v, strict=True)]) + "}"

            return struct_body
        raise TypeError(f"spew: unsupported type {t}")

    def typed(self, t: GoType) -> Render:
        """Render a value with its ``(type)`` prefix, as a struct field or a top-level value."""
        prefix = f"({t})"
        u = t if isinstance(t, External) else t.underlying()
        if isinstance(u, Pointer):
            elem = self.body(u.elem)
            return lambda v: prefix + ("<nil>" if v is None else elem(v))
        body = self.body(t)
        return lambda v: prefix + body(v)


def compile_typed(t: GoType) -> Render:
    """``fmt.Sprintf("%#v", value)`` under the kubelet's spew config, for values of type ``t``."""
    return _Compiler().typed(t)


def compile_body(t: GoType) -> Render:
    """Like :func:`compile_typed` without the outer ``(type)`` (spew's ``ignoreNextType``)."""
    return _Compiler().body(t)
