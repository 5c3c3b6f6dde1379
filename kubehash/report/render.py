"""Every output format in one place: rows (dicts) plus the columns to show."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import yaml

from kubehash.report.table import plain_table, rich_table, table_text

__all__ = ["FORMATS", "cell_text", "render_rows"]

FORMATS = ("table", "json", "yaml", "csv", "markdown")


def cell_text(v: Any) -> str:
    """A row value as a table/csv/markdown cell: ``None`` is empty, lists are joined with ``"; "``."""
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return "; ".join(cell_text(x) for x in v)
    return str(v)


def _heads(columns: Sequence[str]) -> list[str]:
    return [c.upper().replace("_", " ") for c in columns]


def _cell_columns(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> list[list[str]]:
    return [[v if type(v) is str else cell_text(v) for v in [r.get(c) for r in rows]] for c in columns]


def _plain_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str | None:
    """:func:`_rich_table`'s layout without rich's cost (about 1 ms per row) when every cell is printable
    ASCII (:func:`kubehash.report.table.plain_table`); ``None``: only rich can lay it out."""
    buf = io.StringIO()
    return buf.getvalue() if plain_table(_heads(columns), _cell_columns(rows, columns), buf) else None


def _rich_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    return rich_table(_heads(columns), _cell_columns(rows, columns))


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
            w.writerow([cell_text(r.get(c)) for c in columns])
        return buf.getvalue()
    if fmt == "markdown":
        out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
        for r in rows:
            out.append("| " + " | ".join(cell_text(r.get(c)).replace("|", "\\|") for c in columns) + " |")
        return "\n".join(out) + "\n"
    if fmt == "table":
        return table_text(_heads(columns), _cell_columns(rows, columns))
    raise ValueError(f"unknown output format {fmt!r}")
