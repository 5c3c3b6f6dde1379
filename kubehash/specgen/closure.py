"""Compute the struct closure of a root type and render it as a spec document."""

from __future__ import annotations

import re
from typing import Any

from kubehash.golang.types import BASIC_KINDS
from kubehash.specgen.goparse import GoDecl, parse_go_types, parse_tag

__all__ = ["EXTERNAL_TYPES", "SPEC_FORMAT", "build_spec", "type_refs"]

SPEC_FORMAT = 1

#: Types from other packages the closure may reach; kubehash implements them in Python.
EXTERNAL_TYPES = frozenset({"resource.Quantity", "intstr.IntOrString"})


def type_refs(expr: str) -> list[str]:
    """Named types a type expression mentions: ``map[ResourceName]resource.Quantity`` ->
    ``["ResourceName", "resource.Quantity"]``."""
    refs: list[str] = []
    rest = expr
    while rest:
        if rest.startswith("*"):
            rest = rest[1:]
        elif rest.startswith("[]"):
            rest = rest[2:]
        elif rest.startswith("map["):
            depth, j = 0, 3
            while True:
                if rest[j] == "[":
                    depth += 1
                elif rest[j] == "]":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            refs.extend(type_refs(rest[4:j]))
            rest = rest[j + 1 :]
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?", rest):
            if rest not in BASIC_KINDS:
                refs.append(rest)
            rest = ""
        else:
            raise ValueError(f"unsupported type expression {expr!r}")
    return refs


def _field_doc(f: Any) -> dict[str, Any]:
    tags = parse_tag(f.tag)
    json_tag = tags.get("json")
    if json_tag is None:
        json_name: str | None = ""
        omitempty = False
    else:
        name, *opts = json_tag.split(",")
        json_name = None if name == "-" and not opts else name
        omitempty = "omitempty" in opts
    return {
        "name": f.name,
        "type": f.type,
        "json": json_name,
        "omitempty": omitempty,
        "embedded": f.embedded,
        "protobuf": "protobuf" in tags,
    }


def build_spec(
    src: str, *, minor: str, root: str = "Container", package: str = "v1", source: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The spec document for ``root`` in the Go file ``src`` (every reachable local named type, in
    first-reached order; struct fields in declaration order)."""
    decls = parse_go_types(src)
    order: list[str] = []
    seen: set[str] = set()
    externals: set[str] = set()
    queue = [root]
    while queue:
        name = queue.pop(0)
        if name in seen:
            continue
        if "." in name:
            if name not in EXTERNAL_TYPES:
                raise ValueError(f"type {name} reached from {root} is not supported")
            externals.add(name)
            seen.add(name)
            continue
        decl: GoDecl | None = decls.get(name)
        if decl is None:
            raise ValueError(f"type {name} not declared in the source")
        if decl.kind not in ("struct", "defined"):
            raise ValueError(f"type {name} is a {decl.kind}; only structs and defined types are supported")
        seen.add(name)
        order.append(name)
        exprs = [f.type for f in decl.fields] if decl.kind == "struct" else [decl.underlying]
        for e in exprs:
            queue.extend(type_refs(e))
    types: list[dict[str, Any]] = []
    for name in order:
        decl = decls[name]
        if decl.kind == "struct":
            types.append({"name": name, "kind": "struct", "fields": [_field_doc(f) for f in decl.fields]})
        else:
            types.append({"name": name, "kind": "defined", "underlying": decl.underlying})
    return {
        "format": SPEC_FORMAT,
        "minor": minor,
        "package": package,
        "root": root,
        "source": source or {},
        "externals": sorted(externals),
        "types": types,
    }
