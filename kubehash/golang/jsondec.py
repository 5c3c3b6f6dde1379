"""Go ``encoding/json.Unmarshal`` into typed values, optionally followed by a gogo-protobuf round trip.

Decoding rules reproduced (``encoding/json/decode.go``, with the API server's case-sensitive field
matching): object keys are matched to JSON field names exactly and unknown keys are ignored (so fields a
release does not know are dropped); ``null`` leaves a non-pointer value at its zero value and sets
pointers, slices and maps to nil; a JSON value of the wrong kind, a non-integer or out-of-range number
for an integer field are errors (Go reports them as ``UnmarshalTypeError``; the kubelet then cannot
decode the pod at all).

``protobuf=True`` applies what the API server's protobuf encoding does before the kubelet sees a
container (``generated.pb.go`` of each release): empty lists and maps come back nil, fields without a
protobuf tag are lost, and external types normalise themselves (``Quantity`` re-parses its string).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubehash.errors import DecodeError
from kubehash.golang.jsonvalue import go_string, json_kind
from kubehash.golang.types import (
    Basic,
    External,
    GoType,
    Map,
    Pointer,
    Slice,
    Struct,
    int_range,
    zero_factory,
)

__all__ = ["Decode", "compile_decoder"]

Decode = Callable[[Any], Any]


def _type_error(v: Any, t: GoType) -> DecodeError:
    return DecodeError(f"cannot unmarshal {json_kind(v)} into Go value of type {t}", v)


class _Compiler:
    def __init__(self, protobuf: bool) -> None:
        self.protobuf = protobuf
        self._cache: dict[int, Decode] = {}

    def decoder(self, t: GoType) -> Decode:
        key = id(t)
        if key in self._cache:
            return self._cache[key]
        slot: list[Decode] = []
        self._cache[key] = lambda v: slot[0](v)
        fn = self._build(t)
        slot.append(fn)
        self._cache[key] = fn
        return fn

    def _build(self, t: GoType) -> Decode:
        if isinstance(t, External):
            codec = t.codec
            if self.protobuf:
                dec, pb = codec.decode, codec.protobuf
                return lambda v: pb(dec(v))
            return codec.decode
        u = t.underlying()
        if isinstance(u, Basic):
            return self._basic(u.kind, t)
        if isinstance(u, Pointer):
            elem = self.decoder(u.elem)
            return lambda v: None if v is None else elem(v)
        if isinstance(u, Slice):
            return self._slice(t, self.decoder(u.elem))
        if isinstance(u, Map):
            return self._map(t, self.decoder(u.elem))
        if isinstance(u, Struct):
            return self._struct(t, u)
        raise TypeError(f"decode: unsupported type {t}")

    def _basic(self, kind: str, t: GoType) -> Decode:
        if kind == "string":

            def dec_string(v: Any) -> str:
                if type(v) is str:
                    return go_string(v)
                if v is None:
                    return ""
                raise _type_error(v, t)

            return dec_string
        if kind == "bool":

            def dec_bool(v: Any) -> bool:
                if v is True or v is False:
                    return v
                if v is None:
                    return False
                raise _type_error(v, t)

            return dec_bool
        lo, hi = int_range(kind)

        def dec_int(v: Any) -> int:
            if type(v) is int:
                if lo <= v <= hi:
                    return v
                raise _type_error(v, t)
            if v is None:
                return 0
            raise _type_error(v, t)

        return dec_int

    def _slice(self, t: GoType, elem: Decode) -> Decode:
        protobuf = self.protobuf

        def dec_slice(v: Any) -> list[Any] | None:
            if type(v) is not list:
                if v is None:
                    return None
                raise _type_error(v, t)
            if not v:
                return None if protobuf else []
            out = []
            for i, x in enumerate(v):
                try:
                    out.append(elem(x))
                except DecodeError as e:
                    raise e.prepend(i) from None
            return out

        return dec_slice

    def _map(self, t: GoType, elem: Decode) -> Decode:
        protobuf = self.protobuf

        def dec_map(v: Any) -> dict[str, Any] | None:
            if type(v) is not dict:
                if v is None:
                    return None
                raise _type_error(v, t)
            if not v:
                return None if protobuf else {}
            out = {}
            for k, x in v.items():
                if type(k) is not str:
                    raise DecodeError(f"map key {k!r} is not a string", k)
                try:
                    out[go_string(k)] = elem(x)
                except DecodeError as e:
                    raise e.prepend(k) from None
            return out

        return dec_map

    def _struct(self, t: GoType, st: Struct) -> Decode:
        from kubehash.golang.jsonenc import visible_fields

        zero: Callable[[], list[Any]] = zero_factory(t, protobuf=self.protobuf)  # a struct's zero is a list
        fields: dict[str, tuple[tuple[int, ...], Decode, bool]] = {}
        for index, f in visible_fields(st):
            # A field without a protobuf tag is still decoded (and validated) from JSON, then lost.
            keep = not self.protobuf or _path_has_protobuf(st, index)
            fields[f.json_name or ""] = (index, self.decoder(f.type), keep)

        def dec_struct(v: Any) -> list[Any]:
            if type(v) is not dict:
                if v is None:
                    return zero()
                raise _type_error(v, t)
            out = zero()
            for k, x in v.items():
                entry = fields.get(k)
                if entry is None:
                    continue
                index, dec, keep = entry
                try:
                    val = dec(x)
                except DecodeError as e:
                    raise e.prepend(k) from None
                if not keep:
                    continue
                if len(index) == 1:
                    out[index[0]] = val
                else:
                    target = out
                    for i in index[:-1]:
                        target = target[i]
                    target[index[-1]] = val
            return out

        return dec_struct


def _path_has_protobuf(st: Struct, index: tuple[int, ...]) -> bool:
    cur: Struct = st
    for i in index:
        f = cur.fields[i]
        if not f.protobuf:
            return False
        u = f.type.underlying() if not isinstance(f.type, External) else f.type
        if isinstance(u, Struct):
            cur = u
    return True


def compile_decoder(t: GoType, *, protobuf: bool = False) -> Decode:
    """A function decoding a JSON value (as Python holds it) into a value of type ``t``."""
    return _Compiler(protobuf).decoder(t)
