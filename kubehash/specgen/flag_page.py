"""The generated tables of ``docs/kubelet-flags.md``: one row per kubelet flag and per ``KubeletConfiguration``
field with the minors it was introduced, deprecated and removed in, between two marker comments."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubehash.specgen.flag_life import minor_key

__all__ = ["TABLE_BEGIN", "TABLE_END", "go_to_json_paths", "render_markdown", "render_tables"]

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
