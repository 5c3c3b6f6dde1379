"""A small model of Go types: enough to describe ``v1.Container`` and everything it reaches.

Go values are represented by plain Python objects so the compiled encoders stay fast:

=================  ==========================================================
Go type            Python value
=================  ==========================================================
string             ``str`` (valid Unicode; Go's decoder already replaced bad input)
bool               ``bool``
intN / uintN       ``int``
*T                 ``None`` (nil) or the value of ``T``
[]T                ``None`` (nil) or ``list``
map[K]V            ``None`` (nil) or ``dict``
struct             ``list`` of field values in declaration order
external types     whatever their codec defines (``Quantity``, ``IntOrString``)
=================  ==========================================================

Pointers to slices, maps or pointers are not representable (nil pointer and nil slice would
collide); the Kubernetes container closure has none, and :func:`check_representable` rejects them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = [
    "BASIC_KINDS",
    "Basic",
    "Codec",
    "External",
    "Field",
    "GoType",
    "Map",
    "Named",
    "Pointer",
    "Slice",
    "Struct",
    "check_representable",
    "int_range",
    "zero_factory",
]

#: Go basic kinds kubehash understands.
BASIC_KINDS = frozenset(
    {"string", "bool", "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64"}
)


def int_range(kind: str) -> tuple[int, int]:
    """Inclusive range of a Go integer kind (``int``/``uint`` are 64-bit, as on amd64/arm64)."""
    bits = 64 if kind in ("int", "uint") else int(kind.lstrip("uint") or 64)
    if kind.startswith("u"):
        return 0, (1 << bits) - 1
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


class Codec(Protocol):
    """What the compilers call on an :class:`External` type's codec (see ``kubehash.apimachinery.codecs``)."""

    def zero(self) -> Any: ...

    def decode(self, v: Any, /) -> Any: ...

    def protobuf(self, v: Any, /) -> Any: ...

    def spew_body(self, v: Any, /) -> str: ...

    def json(self, v: Any, quote: Callable[[str], str], /) -> str: ...


class GoType:
    """Base class. ``str(t)`` is what Go's ``reflect.Type.String()`` prints."""

    def underlying(self) -> GoType:
        return self


@dataclass(frozen=True)
class Basic(GoType):
    kind: str

    def __str__(self) -> str:
        return self.kind


@dataclass(frozen=True)
class Pointer(GoType):
    elem: GoType

    def __str__(self) -> str:
        return f"*{self.elem}"


@dataclass(frozen=True)
class Slice(GoType):
    elem: GoType

    def __str__(self) -> str:
        return f"[]{self.elem}"


@dataclass(frozen=True)
class Map(GoType):
    key: GoType
    elem: GoType

    def __str__(self) -> str:
        return f"map[{self.key}]{self.elem}"


@dataclass(frozen=True)
class Field:
    """A struct field. ``json_name`` is ``None`` for ``json:"-"``; ``embedded`` for anonymous fields."""

    name: str
    type: GoType
    json_name: str | None
    omitempty: bool = False
    embedded: bool = False
    protobuf: bool = True


@dataclass(eq=False)
class Struct(GoType):
    fields: list[Field] = field(default_factory=list)

    def __str__(self) -> str:
        return "struct{" + "; ".join(f"{f.name} {f.type}" for f in self.fields) + "}"


@dataclass(eq=False)
class Named(GoType):
    """A defined type ``package.Name``; ``definition`` may be set after creation (recursive types)."""

    package: str
    name: str
    definition: GoType | None = None

    def __str__(self) -> str:
        return f"{self.package}.{self.name}"

    def __repr__(self) -> str:
        return f"Named({self})"

    def underlying(self) -> GoType:
        assert self.definition is not None, f"type {self} has no definition"
        return self.definition.underlying()


@dataclass(eq=False)
class External(GoType):
    """A named type whose behaviour is implemented in Python (``resource.Quantity``...).

    ``codec`` is an object with the methods the compilers call (see ``kubehash.golang.codecs``).
    """

    package: str
    name: str
    codec: Codec

    def __str__(self) -> str:
        return f"{self.package}.{self.name}"

    def __repr__(self) -> str:
        return f"External({self})"


def check_representable(t: GoType, _seen: set[int] | None = None) -> None:
    """Raise ``TypeError`` if ``t`` reaches a type the value model cannot represent."""
    seen = _seen if _seen is not None else set()
    if id(t) in seen:
        return
    seen.add(id(t))
    if isinstance(t, Named):
        check_representable(t.underlying(), seen)
    elif isinstance(t, Pointer):
        u = t.elem.underlying() if not isinstance(t.elem, External) else t.elem
        if isinstance(u, (Pointer, Slice, Map)):
            raise TypeError(f"unsupported pointer type {t}")
        check_representable(t.elem, seen)
    elif isinstance(t, (Slice,)):
        check_representable(t.elem, seen)
    elif isinstance(t, Map):
        if not (isinstance(k := t.key.underlying(), Basic) and k.kind == "string"):
            raise TypeError(f"unsupported map key type in {t}")
        check_representable(t.elem, seen)
    elif isinstance(t, Struct):
        for f in t.fields:
            check_representable(f.type, seen)
    elif isinstance(t, Basic) and t.kind not in BASIC_KINDS:
        raise TypeError(f"unsupported basic type {t}")


def zero_factory(t: GoType, *, protobuf: bool = False) -> Callable[[], Any]:
    """A function returning a fresh Go zero value of ``t`` in the Python representation.

    With ``protobuf``, external values are the zero value after a protobuf round trip (a zero
    ``Quantity`` is always marshalled, as ``"0"``, and comes back parsed).
    """
    if isinstance(t, External):
        if protobuf:
            z = t.codec.protobuf(t.codec.zero())
            return lambda: z
        return t.codec.zero
    u = t.underlying()
    if isinstance(u, Basic):
        basic_zero: Any = "" if u.kind == "string" else (False if u.kind == "bool" else 0)
        return lambda: basic_zero
    if isinstance(u, (Pointer, Slice, Map)):
        return lambda: None
    if isinstance(u, Struct):
        makers = [zero_factory(f.type, protobuf=protobuf) for f in u.fields]
        return lambda: [m() for m in makers]
    raise TypeError(f"no zero value for {t}")
