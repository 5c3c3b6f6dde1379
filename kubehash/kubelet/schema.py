"""Load ``specs/<minor>.json`` into the Go type model (``kubehash.golang.types``)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from kubehash.apimachinery.codecs import INT_OR_STRING, QUANTITY
from kubehash.golang.types import (
    BASIC_KINDS,
    Basic,
    External,
    Field,
    GoType,
    Map,
    Named,
    Pointer,
    Slice,
    Struct,
    check_representable,
)

__all__ = ["Schema", "load_schema", "parse_type_expr", "spec_document"]

_EXTERNALS: dict[str, External] = {"resource.Quantity": QUANTITY, "intstr.IntOrString": INT_OR_STRING}
_BASICS = {k: Basic(k) for k in BASIC_KINDS}


class Schema:
    """The typed closure of ``v1.Container`` for one minor."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc
        self.minor: str = doc["minor"]
        package = doc["package"]
        self.types: dict[str, Named] = {t["name"]: Named(package, t["name"]) for t in doc["types"]}
        for t in doc["types"]:
            named = self.types[t["name"]]
            if t["kind"] == "struct":
                named.definition = Struct(
                    [
                        Field(
                            f["name"],
                            parse_type_expr(f["type"], self.types),
                            f["json"],
                            f["omitempty"],
                            f["embedded"],
                            f["protobuf"],
                        )
                        for f in t["fields"]
                    ]
                )
            else:
                named.definition = parse_type_expr(t["underlying"], self.types)
        self.root: Named = self.types[doc["root"]]
        check_representable(self.root)


def parse_type_expr(expr: str, local: dict[str, Named]) -> GoType:
    """Resolve a Go type expression from a spec file."""
    if expr.startswith("*"):
        return Pointer(parse_type_expr(expr[1:], local))
    if expr.startswith("[]"):
        return Slice(parse_type_expr(expr[2:], local))
    if expr.startswith("map["):
        depth = 0
        for j in range(3, len(expr)):
            if expr[j] == "[":
                depth += 1
            elif expr[j] == "]":
                depth -= 1
                if depth == 0:
                    return Map(parse_type_expr(expr[4:j], local), parse_type_expr(expr[j + 1 :], local))
        raise ValueError(f"bad map type {expr!r}")
    if expr in _BASICS:
        return _BASICS[expr]
    if expr in _EXTERNALS:
        return _EXTERNALS[expr]
    if expr in local:
        return local[expr]
    raise ValueError(f"unknown type {expr!r}")


def spec_document(minor: str) -> dict[str, Any]:
    text = resources.files("kubehash.specs").joinpath(f"{minor}.json").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@cache
def load_schema(minor: str) -> Schema:
    return Schema(spec_document(minor))
