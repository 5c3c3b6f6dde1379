"""Bindings of ``Quantity`` and ``IntOrString`` to the Go type model (``kubehash.golang.types.External``).

Each codec provides ``zero``, ``decode`` (Go ``UnmarshalJSON`` from a JSON value as Python holds it),
``protobuf`` (what the API server's protobuf round trip leaves), ``spew_body`` and ``json``
(``MarshalJSON``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubehash.apimachinery.intstr import INT, STRING, IntOrString
from kubehash.apimachinery.quantity import Quantity, parse_quantity
from kubehash.errors import DecodeError, KubehashError, QuantityError
from kubehash.golang.jsonvalue import go_string, json_kind, number_text
from kubehash.golang.types import External

__all__ = ["INT_OR_STRING", "QUANTITY", "IntOrStringCodec", "QuantityCodec"]

# Go's strings.TrimSpace on the raw JSON text; raw JSON strings cannot hold control characters.
_GO_SPACE = " \u0085\u00a0\u1680" + "".join(chr(c) for c in range(0x2000, 0x200B)) + "\u2028\u2029\u202f\u205f\u3000"
_MUST_ESCAPE = frozenset(chr(c) for c in range(0x20)) | {'"', "\\"}
_ZERO_QUANTITY = Quantity()


class QuantityCodec:
    """``resource.Quantity``: ``UnmarshalJSON`` strips quotes, trims spaces and calls ``ParseQuantity``
    on the *raw* text; ``null`` yields the zero Quantity (no format)."""

    def zero(self) -> Quantity:
        return _ZERO_QUANTITY

    def decode(self, v: Any) -> Quantity:
        if v is None:
            return _ZERO_QUANTITY
        if type(v) is str:
            if not v.isascii() or any(c in _MUST_ESCAPE for c in v):
                v = go_string(v)
                # The raw JSON held a backslash escape for these, which ParseQuantity rejects.
                if any(c in _MUST_ESCAPE for c in v):
                    raise DecodeError(
                        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'", v
                    )
            text = v.strip(_GO_SPACE)
        elif isinstance(v, bool) or not isinstance(v, (int, float)):
            # true/false/objects/arrays reach ParseQuantity as their raw text, which never parses.
            text = "true" if v is True else "false" if v is False else None
            if text is None:
                raise DecodeError(f"cannot unmarshal {json_kind(v)} into Go value of type resource.Quantity", v)
        else:
            text = number_text(v)
        try:
            return parse_quantity(text)
        except QuantityError as e:
            raise DecodeError(str(e), v) from None
        except KubehashError as e:  # pragma: no cover - defensive
            raise DecodeError(str(e), v) from None

    def protobuf(self, q: Quantity) -> Quantity:
        try:
            return q.protobuf_roundtrip()
        except QuantityError as e:  # canonical strings always parse; kept for safety
            raise DecodeError(str(e), q.string()) from None

    def spew_body(self, q: Quantity) -> str:
        return q.spew_body()

    def json(self, q: Quantity, quote: Callable[[str], str]) -> str:
        return q.marshal_json()


class IntOrStringCodec:
    """``intstr.IntOrString``: a JSON string selects ``String``; anything else decodes an int32."""

    _zero = IntOrString()

    def zero(self) -> IntOrString:
        return self._zero

    def decode(self, v: Any) -> IntOrString:
        if type(v) is str:
            return IntOrString(STRING, 0, go_string(v))
        if v is None:
            return IntOrString(INT, 0, "")
        if type(v) is int and -(1 << 31) <= v < (1 << 31):
            return IntOrString(INT, v, "")
        raise DecodeError(f"cannot unmarshal {json_kind(v)} into Go value of type int32", v)

    def protobuf(self, v: IntOrString) -> IntOrString:
        return v

    def spew_body(self, v: IntOrString) -> str:
        return v.spew_body()

    def json(self, v: IntOrString, quote: Callable[[str], str]) -> str:
        if v.type == INT:
            return str(v.int_val)
        if v.type == STRING:
            return quote(v.str_val)
        raise KubehashError("impossible IntOrString.Type")


QUANTITY = External("resource", "Quantity", QuantityCodec())
INT_OR_STRING = External("intstr", "IntOrString", IntOrStringCodec())
