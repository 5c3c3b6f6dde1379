"""Generate / check ``specs/kubelet-flags.json`` and ``specs/kubelet-config.json``.

``python -m kubehash.specgen.kubelet_flags --sources DIR [--check]``

``DIR/<minor>/`` holds, at their upstream paths, the Go files a maintainer downloaded for that minor (from a
checkout of the release tag: ``cmd/kubelet/app/options/*.go``, ``pkg/kubelet/config/flags.go``, the vendored
klog / glog, ``k8s.io/component-base/logs``, and ``k8s.io/kubelet/config/v1beta1/types.go``). *Which* files
of a minor make up the kubelet's flag set, and in which role, is data: the ``sources`` section of each spec
file (``files``: ``path``, optional ``os``, ``only`` / ``except`` flag names, ``functions`` to restrict the
scan to, ``deprecated_by`` = the constant whose message a caller attaches to every flag of the file,
``from_minor`` = read the file of another minor, with the reason in ``inferred``). Adding a minor is adding
a ``sources`` entry and running the generator.

Each spec file keeps the **raw** per-minor lists the generator read (with the file, line and sha256 of each
source) and the **derived** table (introduced / deprecated / removed per flag or field). Minors without
sources are not guessed: a change between two read minors is pinned to one minor only by a curated
``events`` row (a CHANGELOG entry or a component repository tag, each with its reference); otherwise the
row keeps the range it is known to lie in (``*_range``) and says ``exact: false``. :func:`derive_flags`
and :func:`derive_config` are pure, so a test recomputes the derived tables from the raw lists without the
upstream sources.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from kubehash.specgen.goflags import read_flags, read_go_string_constants
from kubehash.specgen.goparse import GoDecl, parse_go_types, parse_tag, strip_comments

__all__ = [
    "config_fields",
    "derive_config",
    "derive_flags",
    "flag_replacement",
    "go_to_json_paths",
    "main",
    "minor_key",
    "read_minor_config",
    "read_minor_flags",
    "render_markdown",
]

FLAGS_SPEC = "kubelet-flags.json"
CONFIG_SPEC = "kubelet-config.json"
SCHEMA = 1


def minor_key(minor: str) -> tuple[int, int]:
    major, _, rest = minor.partition(".")
    return int(major), int(rest)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- reading one minor ----------------------------------------------------------------------------------


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


def read_minor_flags(
    root: Path, minor: str, source: Mapping[str, Any]
) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The flags of one minor (name -> raw row) and the files read (with sha256), per ``source``."""
    flags: dict[str, dict[str, Any]] = {}
    files: list[dict[str, Any]] = []
    for entry in source["files"]:
        text, digest, src_minor = _read(root, minor, entry)
        files.append({**entry, "sha256": digest})
        if entry.get("functions"):  # only these functions' registrations, with the file's constants
            consts = read_go_string_constants(strip_comments(text))
            text = (
                _restrict(text, entry["functions"])
                + "\n"
                + "\n".join(f"const {k} = {json.dumps(v)}" for k, v in consts.items())
            )
        deprecated_by = entry.get("deprecated_by")
        forced_msg = None
        if deprecated_by:
            dep_text, _, _ = _read(root, minor, deprecated_by)
            forced_msg = read_go_string_constants(strip_comments(dep_text)).get(str(deprecated_by["const"]))
            if forced_msg is None:
                raise SystemExit(f"{minor}: constant {deprecated_by['const']} not found in {deprecated_by['path']}")
        only, except_ = set(entry.get("only", ())), set(entry.get("except", ()))
        decls = read_flags(text, str(entry["path"]), tuple(entry.get("calls", ())))
        for d in decls:
            name = d.name.replace("_", "-")
            if (only and name not in only) or name in except_ or name in flags:
                continue
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
            flags[name] = row
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


# -- deriving the table ---------------------------------------------------------------------------------


def _events_for(events: Iterable[Mapping[str, Any]], key: str) -> dict[tuple[str, str], Mapping[str, Any]]:
    """(name, change) -> event."""
    return {(str(e[key]), str(e["change"])): e for e in events}


def _pin(
    change: str, name: str, lo: str, hi: str, events: Mapping[tuple[str, str], Mapping[str, Any]], minors: Sequence[str]
) -> tuple[str, bool, list[str] | None, Any]:
    """The minor of a change known to lie in (lo, hi]: (minor, exact, range-if-not-exact, event source)."""
    ev = events.get((name, change))
    first = minors[minors.index(lo) + 1] if lo in minors else hi
    if ev is not None and minor_key(first) <= minor_key(str(ev["minor"])) <= minor_key(hi):
        return str(ev["minor"]), True, None, ev.get("source")
    if first == hi:
        return hi, True, None, None
    return hi, False, [first, hi], None


def derive_flags(
    minors: Sequence[str], raw: Mapping[str, Mapping[str, Mapping[str, Any]]], events: Sequence[Mapping[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Flag -> introduced / deprecated / removed, from the per-minor raw lists and the events.

    ``raw`` has only the minors that were read; a change between two read minors is pinned by an event in
    that gap or kept as a range. A change after the last read minor comes from an event only.
    """
    read = [m for m in minors if m in raw]
    ev = _events_for(events, "flag")
    names = sorted({n for m in read for n in raw[m]} | {str(e["flag"]) for e in events if e["change"] == "added"})
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        present = [m for m in read if name in raw[m]]
        row: dict[str, Any] = {}
        sources: list[Any] = []
        if present:
            first = present[0]
            prev = read[read.index(first) - 1] if read.index(first) > 0 else None
            if prev is None:  # in the first minor read: "introduced" means "at or before"
                row["introduced"] = first
                row["introduced_exact"] = first == minors[0]
                if first != minors[0]:
                    row["introduced_range"] = [minors[0], first]
            else:
                m, exact, rng, src = _pin("added", name, prev, first, ev, minors)
                row["introduced"], row["introduced_exact"] = m, exact
                if rng:
                    row["introduced_range"] = rng
                if src:
                    sources.append(src)
            last = present[-1]
            nxt = read[read.index(last) + 1] if read.index(last) + 1 < len(read) else None
            if nxt is not None:
                m, exact, rng, src = _pin("removed", name, last, nxt, ev, minors)
                row["removed"], row["removed_exact"] = m, exact
                if rng:
                    row["removed_range"] = rng
                if src:
                    sources.append(src)
            elif (name, "removed") in ev and minor_key(str(ev[(name, "removed")]["minor"])) > minor_key(last):
                e = ev[(name, "removed")]
                row["removed"], row["removed_exact"] = str(e["minor"]), True
                sources.append(e.get("source"))
            gaps = [m for m in read if minor_key(present[0]) <= minor_key(m) <= minor_key(last) and m not in present]
            if gaps:
                row["absent_in"] = gaps  # read minors inside the flag's life that lack it (flag came back)
            dep = [m for m in present if raw[m][name].get("deprecated") is not None]
            if dep:
                dfirst = dep[0]
                i = present.index(dfirst)
                if i == 0:  # deprecated from the first minor read that has it: as exact as its introduction
                    row["deprecated"], row["deprecated_exact"] = dfirst, bool(row["introduced_exact"])
                else:
                    m, exact, rng, src = _pin("deprecated", name, present[i - 1], dfirst, ev, minors)
                    row["deprecated"], row["deprecated_exact"] = m, exact
                    if rng:
                        row["deprecated_range"] = rng
                    if src:
                        sources.append(src)
                latest = raw[dep[-1]][name]
                row["deprecation_message"] = latest.get("deprecated", "")
            elif (name, "deprecated") in ev and minor_key(str(ev[(name, "deprecated")]["minor"])) > minor_key(last):
                e = ev[(name, "deprecated")]
                row["deprecated"], row["deprecated_exact"] = str(e["minor"]), True
                row["deprecation_message"] = str(e.get("message", ""))
                sources.append(e.get("source"))
            latest_row = raw[last][name]
            for key in ("go_field", "os", "shorthand", "bool"):
                if key in latest_row:
                    row[key] = latest_row[key]
            row["read_in"] = present
        else:  # only known from an "added" event after the last read minor
            e = ev[(name, "added")]
            row["introduced"], row["introduced_exact"] = str(e["minor"]), True
            row["read_in"] = []
            sources.append(e.get("source"))
            for key in ("go_field", "os"):
                if key in e:
                    row[key] = e[key]
            if (name, "removed") in ev:
                row["removed"], row["removed_exact"] = str(ev[(name, "removed")]["minor"]), True
                sources.append(ev[(name, "removed")].get("source"))
        replacement = flag_replacement(row.get("deprecation_message"))
        if replacement:
            row["replacement"] = replacement
        if sources:
            row["event_sources"] = sources
        out[name] = row
    return out


_REPLACEMENT_FLAG = re.compile(r"(?:[Uu]se|[Ii]n favor of|instead)\s+(--[a-z0-9][a-z0-9-]*)")


def flag_replacement(message: str | None) -> str | None:
    """The flag a deprecation message names as its replacement (``"Use --fail-swap-on instead"``)."""
    if not message:
        return None
    m = _REPLACEMENT_FLAG.search(message)
    return m.group(1) if m else None


def derive_config(
    minors: Sequence[str], raw: Mapping[str, Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """apiVersion -> field path -> added / deprecated / removed, from per-minor raw field lists."""
    by_version: dict[str, dict[str, Mapping[str, Any]]] = {}
    for m in minors:
        if m in raw:
            by_version.setdefault(str(raw[m]["api_version"]), {})[m] = raw[m]["fields"]
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for api_version, per_minor in by_version.items():
        fields_raw = {m: per_minor[m] for m in minors if m in per_minor}
        evs = [e for e in events if e.get("api_version") == api_version]
        table = derive_flags(minors, fields_raw, [{**e, "flag": e["field"]} for e in evs])
        for row in table.values():
            row.pop("replacement", None)
        out[api_version] = table
    return out


# -- the spec files ------------------------------------------------------------------------------------


def _minors() -> list[str]:
    from kubehash.kubelet.releases import RELEASES

    return [r.minor for r in RELEASES]


def build_flags_spec(root: Path, previous: Mapping[str, Any]) -> dict[str, Any]:
    minors = _minors()
    sources = dict(previous["sources"])
    raw: dict[str, Any] = {}
    for minor in sorted(sources, key=minor_key):
        flags, files = read_minor_flags(root, minor, sources[minor])
        sources[minor] = {**sources[minor], "files": files}
        raw[minor] = flags
    events = list(previous.get("events", []))
    return {
        "schema": SCHEMA,
        "about": previous.get("about", ""),
        "generated_by": "python -m kubehash.specgen.kubelet_flags",
        "minors": minors,
        "policy": previous.get("policy", {}),
        "sources": {m: sources[m] for m in sorted(sources, key=minor_key)},
        "events": events,
        "raw": raw,
        "flags": derive_flags(minors, raw, events),
    }


def build_config_spec(root: Path, previous: Mapping[str, Any]) -> dict[str, Any]:
    minors = _minors()
    sources = dict(previous["sources"])
    raw: dict[str, Any] = {}
    for minor in sorted(sources, key=minor_key):
        fields, src = read_minor_config(root, minor, sources[minor])
        sources[minor] = src
        raw[minor] = {"api_version": src["api_version"], "fields": fields}
    events = list(previous.get("events", []))
    return {
        "schema": SCHEMA,
        "about": previous.get("about", ""),
        "generated_by": "python -m kubehash.specgen.kubelet_flags",
        "minors": minors,
        "policy": previous.get("policy", {}),
        "sources": {m: sources[m] for m in sorted(sources, key=minor_key)},
        "events": events,
        "raw": raw,
        "fields": derive_config(minors, raw, events),
    }


def dumps(spec: Mapping[str, Any]) -> str:
    return json.dumps(spec, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kubehash.specgen.kubelet_flags", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", required=True, help="directory with one sub-directory of upstream files per minor")
    ap.add_argument("--specs", default="specs", help="spec directory (default: specs)")
    ap.add_argument("--docs", default="docs/kubelet-flags.md", help="the rendered page (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="fail if a spec file or the page is not what the sources give")
    args = ap.parse_args(argv)
    specs, root = Path(args.specs), Path(args.sources)
    flags_path, config_path = specs / FLAGS_SPEC, specs / CONFIG_SPEC
    flags_prev = json.loads(flags_path.read_text(encoding="utf-8"))
    config_prev = json.loads(config_path.read_text(encoding="utf-8"))
    flags_new = dumps(build_flags_spec(root, flags_prev))
    config_new = dumps(build_config_spec(root, config_prev))
    page_path = Path(args.docs)
    page_new = render_markdown(
        json.loads(flags_new),
        json.loads(config_new),
        page_path.read_text(encoding="utf-8") if page_path.exists() else None,
    )
    outputs = ((flags_path, flags_new), (config_path, config_new), (page_path, page_new))
    if args.check:
        stale = [str(path) for path, text in outputs if not path.exists() or path.read_text(encoding="utf-8") != text]
        for name in stale:
            print(
                f"{name}: not what the sources give; regenerate with python -m kubehash.specgen.kubelet_flags",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for p, text in outputs:
        tmp = p.with_suffix(p.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(p)
        print(f"wrote {p}")
    return 0


# -- the rendered page ---------------------------------------------------------------------------------

TABLE_BEGIN = "<!-- BEGIN GENERATED TABLES (python -m kubehash.specgen.kubelet_flags) -->"
TABLE_END = "<!-- END GENERATED TABLES -->"


def _when(row: Mapping[str, Any], key: str) -> str:
    if key not in row:
        return ""
    rng = row.get(f"{key}_range")
    return f"{rng[0]}–{rng[1]}" if rng else str(row[key])


def go_to_json_paths(config_spec: Mapping[str, Any]) -> dict[str, str]:
    """Go field path of ``KubeletConfiguration`` (``Authentication.Anonymous.Enabled``) -> JSON path
    (``authentication.anonymous.enabled``), over every minor of ``config_spec``'s raw lists."""
    out: dict[str, str] = {}
    for minor in sorted(config_spec["raw"], key=minor_key):
        fields = config_spec["raw"][minor]["fields"]
        for path in fields:
            parts = path.split(".")
            prefixes = [".".join(parts[: i + 1]) for i in range(len(parts))]
            if all(p in fields for p in prefixes):
                out[".".join(str(fields[p]["go_field"]) for p in prefixes)] = path
    return out


def render_tables(flags_spec: Mapping[str, Any], config_spec: Mapping[str, Any]) -> str:
    to_json = go_to_json_paths(config_spec)
    lines = [TABLE_BEGIN, "", "### Flags", ""]
    lines.append("| flag | introduced | deprecated | removed | replacement | read in |")
    lines.append("|---|---|---|---|---|---|")
    for name, row in flags_spec["flags"].items():
        field = to_json.get(str(row.get("go_field")))
        repl = row.get("replacement") or (f"config `{field}`" if field and row.get("deprecated") else "")
        read_in = row.get("read_in", [])
        read = f"{read_in[0]}–{read_in[-1]} ({len(read_in)})" if read_in else "event only"
        os_note = f" ({row['os']} only)" if row.get("os") else ""
        lines.append(
            f"| `--{name}`{os_note} | {_when(row, 'introduced')} | {_when(row, 'deprecated')} | "
            f"{_when(row, 'removed')} | {repl} | {read} |"
        )
    for api_version, table in config_spec["fields"].items():
        lines += ["", f"### `KubeletConfiguration` fields ({api_version})", ""]
        lines.append("| field | added | deprecated | removed |")
        lines.append("|---|---|---|---|")
        for path, row in table.items():
            lines.append(
                f"| `{path}` | {_when(row, 'introduced')} | {_when(row, 'deprecated')} | {_when(row, 'removed')} |"
            )
    lines += ["", TABLE_END]
    return "\n".join(lines)


def render_markdown(flags_spec: Mapping[str, Any], config_spec: Mapping[str, Any], page: str | None) -> str:
    """``page`` with its generated block replaced by the current tables (a new page is just the tables)."""
    tables = render_tables(flags_spec, config_spec)
    if page is None or TABLE_BEGIN not in page:
        return (page or "") + tables + "\n"
    head, _, rest = page.partition(TABLE_BEGIN)
    _, _, tail = rest.partition(TABLE_END)
    return head + tables + tail


if __name__ == "__main__":
    sys.exit(main())
