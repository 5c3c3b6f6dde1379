"""Every output format in one place: rows (dicts) plus the columns to show."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import yaml

__all__ = ["FORMATS", "render_rows"]

FORMATS = ("table", "json", "yaml", "csv", "markdown")


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return "; ".join(_cell(x) for x in v)
    return str(v)


def render_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], fmt: str, *, document: Any = None) -> str:
    """Render ``rows`` (only ``columns``, in order) as ``fmt``. For json/yaml, ``document`` (if given)
    is rendered instead of the bare row list."""
    if fmt == "json":
        return json.dumps(document if document is not None else list(rows), indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return yaml.safe_dump(document if document is not None else list(rows), sort_keys=False, allow_unicode=True)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_cell(r.get(c)) for c in columns])
        return buf.getvalue()
    if fmt == "markdown":
        out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
        for r in rows:
            out.append("| " + " | ".join(_cell(r.get(c)).replace("|", "\\|") for c in columns) + " |")
        return "\n".join(out) + "\n"
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, pad_edge=False, header_style="bold")
        for c in columns:
            table.add_column(c.upper().replace("_", " "), overflow="fold")
        for r in rows:
            table.add_row(*(Text(_cell(r.get(c))) for c in columns))  # Text: no [markup] in cells
        buf = io.StringIO()
        Console(file=buf, width=200, color_system=None, force_terminal=False).print(table)
        return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"
    raise ValueError(f"unknown output format {fmt!r}")
