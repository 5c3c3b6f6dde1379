"""A small parser for the subset of Go that ``k8s.io/api`` type files use.

It extracts ``type`` declarations (single and grouped): structs with their fields (names, type
expressions, struct tags, embedded fields) and defined non-struct types with their underlying type
expression. Comments are removed first, respecting string, raw-string and rune literals. It is not a
Go parser: anything outside that subset (inline struct types in fields, generics) raises ``ValueError``
so a new release that needs more is noticed instead of silently mis-read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["GoDecl", "GoField", "parse_go_types", "parse_tag", "strip_comments"]


@dataclass
class GoField:
    name: str  # Go field name; for embedded fields the type's name
    type: str  # type expression as written, whitespace removed
    tag: str  # raw struct tag, without backquotes
    embedded: bool = False


@dataclass
class GoDecl:
    name: str
    kind: str  # "struct" or "defined"
    underlying: str = ""  # for "defined"
    fields: list[GoField] = field(default_factory=list)


_SPECIAL = re.compile(r"[/\"'`]")


def _special_at(src: str, i: int) -> tuple[int, str]:
    """(end, kept text) of the comment or literal that may start at ``src[i]`` (a ``/``, quote or backquote):
    a line comment keeps nothing, a block comment its newlines, a literal itself, a lone ``/`` itself."""
    c, n = src[i], len(src)
    if c == "/":
        nxt = src[i + 1 : i + 2]
        if nxt == "/":
            j = src.find("\n", i)
            return (n if j < 0 else j), ""
        if nxt == "*":
            j = src.find("*/", i + 2)
            if j < 0:
                raise ValueError("unterminated block comment")
            return j + 2, "\n" * src.count("\n", i, j)
        return i + 1, "/"
    if c == "`":
        j = src.find("`", i + 1)
        if j < 0:
            raise ValueError("unterminated raw string")
        return j + 1, src[i : j + 1]
    j = i + 1
    while j < n and src[j] != c:
        j += 2 if src[j] == "\\" else 1
    return j + 1, src[i : j + 1]


def strip_comments(src: str) -> str:
    """Remove ``//`` and ``/* */`` comments, keeping literals and line structure."""
    out: list[str] = []
    i, n = 0, len(src)
    while i < n:
        m = _SPECIAL.search(src, i)
        if m is None:
            out.append(src[i:])
            break
        out.append(src[i : m.start()])
        i, kept = _special_at(src, m.start())
        out.append(kept)
    return "".join(out)


_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_TYPE_START = re.compile(rf"^type\s+({_IDENT})\s+(.*)$")
_FIELD_TAG = re.compile(r"`([^`]*)`\s*$")


def parse_tag(tag: str) -> dict[str, str]:
    """``reflect.StructTag`` key/value pairs."""
    return dict(re.findall(r'([A-Za-z0-9_.-]+):"((?:[^"\\]|\\.)*)"', tag))


def _parse_field(line: str) -> list[GoField]:
    tag = ""
    m = _FIELD_TAG.search(line)
    if m:
        tag = m.group(1)
        line = line[: m.start()].rstrip()
    if "struct{" in line.replace(" ", "") or "func(" in line.replace(" ", ""):
        raise ValueError(f"unsupported field declaration: {line!r}")
    parts = line.split(None, 1)
    if len(parts) == 1 or parts[0].endswith("."):
        # embedded: T, *T, pkg.T
        texpr = line.replace(" ", "")
        name = texpr.lstrip("*").split(".")[-1]
        return [GoField(name, texpr, tag, embedded=True)]
    names_part, texpr = parts
    if "," in names_part or texpr.startswith(","):
        joined = line
        names_str, texpr = joined.rsplit(None, 1) if "," in joined else (names_part, texpr)
        names = [n.strip() for n in names_str.split(",") if n.strip()]
    else:
        names = [names_part]
    texpr = texpr.replace(" ", "")
    for nm in names:
        if not re.fullmatch(_IDENT, nm):
            raise ValueError(f"unsupported field declaration: {line!r}")
    return [GoField(nm, texpr, tag) for nm in names]


def _struct_body(lines: list[str], start: int) -> tuple[list[GoField], int]:
    fields: list[GoField] = []
    i = start
    while i < len(lines):
        ln = lines[i].strip()
        i += 1
        if not ln:
            continue
        if ln.startswith("}"):
            return fields, i
        fields.extend(_parse_field(ln))
    raise ValueError("unterminated struct")


def _decl(name: str, rest: str, lines: list[str], i: int) -> tuple[GoDecl | None, int]:
    rest = rest.strip()
    if rest.startswith("=") or "[" in name:
        return None, i  # alias or generic: not part of the supported subset
    if re.match(r"^struct\s*\{", rest):
        if rest.rstrip().endswith("}"):
            body = rest[rest.index("{") + 1 : rest.rindex("}")].strip()
            return GoDecl(name, "struct", fields=_parse_field(body) if body else []), i
        fields, i = _struct_body(lines, i)
        return GoDecl(name, "struct", fields=fields), i
    if rest.startswith("interface"):
        if not rest.rstrip().endswith("}"):
            while i < len(lines) and not lines[i].strip().startswith("}"):
                i += 1
            i += 1
        return GoDecl(name, "interface"), i
    return GoDecl(name, "defined", underlying=rest.replace(" ", "")), i


def parse_go_types(src: str) -> dict[str, GoDecl]:
    """All ``type`` declarations of a Go file, by name."""
    lines = strip_comments(src).split("\n")
    decls: dict[str, GoDecl] = {}
    i = 0
    while i < len(lines):
        ln = lines[i].strip()
        i += 1
        if re.match(r"^type\s*\($", ln):
            while i < len(lines):
                inner = lines[i].strip()
                i += 1
                if inner == ")":
                    break
                if not inner:
                    continue
                m = re.match(rf"^({_IDENT})\s+(.*)$", inner)
                if not m:
                    raise ValueError(f"unsupported type group line: {inner!r}")
                d, i = _decl(m.group(1), m.group(2), lines, i)
                if d:
                    decls[d.name] = d
            continue
        m = _TYPE_START.match(ln)
        if m:
            d, i = _decl(m.group(1), m.group(2), lines, i)
            if d:
                decls[d.name] = d
    return decls
