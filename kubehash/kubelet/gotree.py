"""A typed Go value as a plain tree keyed by Go field names, for diffing (``explain``).

Structs become dicts ``{FieldName: ...}`` in declaration order (embedded fields under their type name, as
spew shows them), quantities show their internal form (``i``, ``d``, ``s``, ``Format``), IntOrString its
three fields. Nil stays ``None``; empty slices/maps stay empty, so a diff sees exactly what spew sees.
"""

from __future__ import annotations

from typing import Any

from kubehash.apimachinery.intstr import IntOrString
from kubehash.apimachinery.quantity import Quantity
from kubehash.golang.types import External, GoType, Map, Pointer, Slice, Struct

__all__ = ["go_tree"]


def go_tree(t: GoType, value: Any) -> Any:
    if isinstance(t, External):
        if isinstance(value, Quantity):
            return {
                "i": {"value": value.value, "scale": value.scale},
                "d": value.dec,
                "s": value.s,
                "Format": value.format,
            }
        if isinstance(value, IntOrString):
            return {"Type": value.type, "IntVal": value.int_val, "StrVal": value.str_val}
        return value
    u = t.underlying()
    if value is None:
        return None
    if isinstance(u, Pointer):
        return go_tree(u.elem, value)
    if isinstance(u, Slice):
        return [go_tree(u.elem, x) for x in value]
    if isinstance(u, Map):
        return {k: go_tree(u.elem, value[k]) for k in sorted(value)}
    if isinstance(u, Struct):
        return {f.name: go_tree(f.type, x) for f, x in zip(u.fields, value, strict=True)}
    return value
