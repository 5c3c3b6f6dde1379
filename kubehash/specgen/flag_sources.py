"""Read one minor's kubelet flags and ``KubeletConfiguration`` fields from the upstream Go files a spec
file's ``sources`` section names (see :mod:`kubehash.specgen.kubelet_flags` for the manifest format).

Reading is textual (:mod:`kubehash.specgen.goflags`, :mod:`kubehash.specgen.goparse`); a missing file,
function or constant stops the generator with a message naming it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from kubehash.specgen.goflags import FlagDecl, read_flags, read_go_string_constants
from kubehash.specgen.goparse import GoDecl, parse_go_types, parse_tag, strip_comments

__all__ = ["config_fields", "read_minor_config", "read_minor_flags"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read(root: Path, minor: str, entry: Mapping[str, Any]) -> tuple[str, str, str]:
    """(text, sha256, the minor whose file it is) of a manifest entry."""
    src_minor = str(entry.get("from_minor", minor))
    path = root / src_minor / str(entry["path"])
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SystemExit(f"{minor}: cannot read {path}: {e.strerror or e}") from None
    return data.decode("utf-8"), _sha256(data), src_minor


def _restrict(src: str, functions: Sequence[str]) -> str:
    """Blank every line outside the bodies of the named functions (line numbers stay)."""
    code = strip_comments(src)
    keep = [False] * (code.count("\n") + 1)
    for fn in functions:
        m = re.search(rf"(?m)^func\s*(?:\([^)]*\)\s*)?{re.escape(fn)}\s*\(", code)
        if not m:
            raise SystemExit(f"function {fn} not found")
        depth, i = 0, code.index("{", m.end())
        start_line = code.count("\n", 0, m.start())
        while True:
            if code[i] == "{":
                depth += 1
            elif code[i] == "}":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        for ln in range(start_line, code.count("\n", 0, i) + 1):
            keep[ln] = True
    return "\n".join(line if keep[n] else "" for n, line in enumerate(code.split("\n")))


def _entry_text(text: str, entry: Mapping[str, Any]) -> str:
    """The text of a manifest entry to scan: only its ``functions`` (with the file's constants) if it names any."""
    if not entry.get("functions"):
        return text
    consts = read_go_string_constants(strip_comments(text))
    return (
        _restrict(text, entry["functions"])
        + "\n"
        + "\n".join(f"const {k} = {json.dumps(v)}" for k, v in consts.items())
    )


def _forced_message(root: Path, minor: str, entry: Mapping[str, Any]) -> str | None:
    """The ``deprecated_by`` constant's message a caller attaches to every flag of the entry's file."""
    deprecated_by = entry.get("deprecated_by")
    if not deprecated_by:
        return None
    dep_text, _, _ = _read(root, minor, deprecated_by)
    forced_msg = read_go_string_constants(strip_comments(dep_text)).get(str(deprecated_by["const"]))
    if forced_msg is None:
        raise SystemExit(f"{minor}: constant {deprecated_by['const']} not found in {deprecated_by['path']}")
    return forced_msg


def _raw_row(
    d: FlagDecl, entry: Mapping[str, Any], minor: str, src_minor: str, forced_msg: str | None
) -> dict[str, Any]:
    """The raw spec row of one registration."""
    deprecated = forced_msg if forced_msg is not None else d.deprecated
    if entry.get("undeprecated"):
        deprecated = None
    row: dict[str, Any] = {"file": d.file, "line": d.line}
    if src_minor != minor:
        row["from_minor"] = src_minor
    for key, value in (
        ("shorthand", d.shorthand),
        ("go_field", d.go_field),
        ("deprecated", deprecated),
        ("os", entry.get("os")),
    ):
        if value is not None:
            row[key] = value
    if d.hidden:
        row["hidden"] = True
    if d.boolean:
        row["bool"] = True
    return row


def read_minor_flags(
    root: Path, minor: str, source: Mapping[str, Any]
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The flags of one minor (name -> raw row) and the files read (with sha256), per ``source``."""
    flags: dict[str, dict[str, Any]] = {}
    files: list[dict[str, Any]] = []
    for entry in source["files"]:
        text, digest, src_minor = _read(root, minor, entry)
        files.append({**entry, "sha256": digest})
        text = _entry_text(text, entry)
        forced_msg = _forced_message(root, minor, entry)
        only, except_ = set(entry.get("only", ())), set(entry.get("except", ()))
        decls = read_flags(text, str(entry["path"]), tuple(entry.get("calls", ())))
        for d in decls:
            name = d.name.replace("_", "-")
            if (only and name not in only) or name in except_ or name in flags:
                continue
            flags[name] = _raw_row(d, entry, minor, src_minor, forced_msg)
    return dict(sorted(flags.items())), files


_LEAF_TYPES = re.compile(
    r"^(?:\*?metav1\.|\*?v1\.|\*?runtime\.|\*?resource\.|\*?logsapi\.|\*?componentbaseconfig|\*?tracingapi)"
)


def config_fields(src: str, root_type: str = "KubeletConfiguration") -> dict[str, dict[str, Any]]:
    """JSON field paths of ``root_type`` in a ``types.go`` (nested structs of the same file walked, slices
    and maps of them as ``path[]`` / ``path{}``), each with ``deprecated`` when its doc comment says so."""
    decls = parse_go_types(src)
    deprecated = _deprecated_fields(src)
    out: dict[str, dict[str, Any]] = {}

    def walk(type_name: str, prefix: str, seen: tuple[str, ...]) -> None:
        decl: GoDecl | None = decls.get(type_name)
        if decl is None or decl.kind != "struct" or type_name in seen:
            return
        for f in decl.fields:
            tag = parse_tag(f.tag).get("json", "")
            name = tag.split(",")[0]
            if name == "-":
                continue
            if f.embedded and (not name or ",inline" in tag):
                if f.name not in ("TypeMeta", "ObjectMeta"):
                    walk(f.type.lstrip("*"), prefix, (*seen, type_name))
                continue
            if not name:
                name = f.name
            path = f"{prefix}{name}"
            row: dict[str, Any] = {"go_field": f.name}
            if (type_name, f.name) in deprecated:
                row["deprecated"] = deprecated[(type_name, f.name)]
            out[path] = row
            texpr = f.type
            if _LEAF_TYPES.match(texpr):
                continue
            inner = texpr.lstrip("*")
            suffix = ""
            if inner.startswith("[]"):
                inner, suffix = inner[2:].lstrip("*"), "[]"
            elif inner.startswith("map["):
                inner, suffix = inner[inner.index("]") + 1 :].lstrip("*"), "{}"
            walk(inner, f"{path}{suffix}.", (*seen, type_name))

    walk(root_type, "", ())
    return dict(sorted(out.items()))


def _deprecated_fields(src: str) -> dict[tuple[str, str], str]:
    """(struct, Go field) -> the line of its doc comment that says ``Deprecated``."""
    out: dict[tuple[str, str], str] = {}
    current: str | None = None
    comment: list[str] = []
    for raw in src.split("\n"):
        line = raw.strip()
        m = re.match(r"^type\s+(\w+)\s+struct\s*\{", line)
        if m:
            current, comment = m.group(1), []
            continue
        if current is None:
            continue
        if line.startswith("}"):
            current = None
        elif line.startswith("//"):
            comment.append(line)
        elif line:
            fm = re.match(r"^(\w+)\s", line)
            said = [c for c in comment if re.search(r"\bDeprecated\b", c)]
            if fm and said:
                out[(current, fm.group(1))] = said[0].lstrip("/ ").strip()
            comment = []
        else:
            comment = []
    return out


def read_minor_config(
    root: Path, minor: str, source: Mapping[str, Any]
) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    text, digest, _ = _read(root, minor, source)
    return config_fields(text, str(source.get("root_type", "KubeletConfiguration"))), {**source, "sha256": digest}
