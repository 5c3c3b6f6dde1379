"""Every output format in one place: rows (dicts) plus the columns to show."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Sequence
from operator import le
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


_TABLE_WIDTH = 200
# Cells whose width rich measures differently from len(): anything but printable ASCII.
_NOT_PLAIN = re.compile(r"[^\x20-\x7e]")


def _plain_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str | None:
    """:func:`_rich_table`'s layout (two spaces between columns, lines right-stripped) when every cell is
    printable ASCII, without rich's cost (about 1 ms per row, which matters for 100k-row predictions).
    ``None``: let rich lay it out (wide characters, tabs). A table wider than the console is laid out as
    rich does it (:func:`_folded_table`)."""
    if not columns:
        return None
    heads = [c.upper().replace("_", " ") for c in columns]
    cells = [[v if type(v) is str else _cell(v) for v in map(r.get, columns)] for r in rows]
    special = _NOT_PLAIN.search
    if any(special(" ".join(row)) for row in cells):  # one search per row: the separator is plain
        return None
    widths = [
        max(len(h), max(map(len, col), default=0)) for h, col in zip(heads, zip(*cells, strict=True), strict=False)
    ]
    widths += [len(h) for h in heads[len(widths) :]]  # no rows: the headings alone
    if sum(widths) + 2 * (len(widths) - 1) > _TABLE_WIDTH:
        return _folded_table(heads, cells)
    lines = ["  ".join([v.ljust(w) for v, w in zip(row, widths, strict=True)]).rstrip() for row in [heads, *cells]]
    return "\n".join(lines) + "\n"


def _folded_table(heads: list[str], cells: list[list[str]]) -> str | None:
    """Printable-ASCII cells in a table wider than the console: rich's column widths, computed by rich from
    two stand-in rows (a column's measurement is the largest minimum -- longest word -- and the largest
    maximum -- longest cell -- of its cells), and rich's word wrapping with ``fold`` (``divide_line``) for
    the cells that do not fit their column."""
    from rich._wrap import divide_line
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    n = len(heads)
    longest = [""] * n
    wordiest = [""] * n
    word_len = [0] * n
    for row in cells:
        for i, v in enumerate(row):
            if len(v) > len(longest[i]):
                longest[i] = v
            if len(v) > word_len[i]:
                w = max(map(len, v.split()), default=0)
                if w > word_len[i]:
                    wordiest[i], word_len[i] = v, w
    table = Table(box=None, pad_edge=False, header_style="bold")
    for h in heads:
        table.add_column(h, overflow="fold")
    table.add_row(*(Text(v) for v in longest))
    table.add_row(*(Text(v) for v in wordiest))
    console = Console(file=io.StringIO(), width=_TABLE_WIDTH, color_system=None, force_terminal=False)
    try:
        widths = table._calculate_column_widths(
            console, console.options.update_width(_TABLE_WIDTH - table._extra_width)
        )
        inner = [w - table._get_padding_width(i) for i, w in enumerate(widths)]
    except Exception:  # pragma: no cover - another rich version: let rich lay it out
        return None
    if any(w < 1 for w in inner):
        return None
    out: list[str] = []
    for row in [heads, *cells]:
        if all(map(le, map(len, row), inner)):  # the common case: no cell wraps
            out.append("  ".join(map(str.ljust, row, inner)).rstrip())
            continue
        parts = []
        for v, w in zip(row, inner, strict=True):
            if len(v) <= w:
                parts.append([v])
            else:
                cuts = [0, *divide_line(v, w, fold=True), len(v)]
                parts.append([v[a:b].rstrip() for a, b in itertools.pairwise(cuts)])
        for k in range(max(len(p) for p in parts)):
            line = [(p[k] if k < len(p) else "").ljust(w) for p, w in zip(parts, inner, strict=True)]
            out.append("  ".join(line).rstrip())
    return "\n".join(out) + "\n"


def _rich_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="bold")
    for c in columns:
        table.add_column(c.upper().replace("_", " "), overflow="fold")
    for r in rows:
        table.add_row(*(Text(_cell(r.get(c))) for c in columns))  # Text: no [markup] in cells
    buf = io.StringIO()
    Console(file=buf, width=_TABLE_WIDTH, color_system=None, force_terminal=False).print(table)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


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
        plain = _plain_table(rows, columns)
        return plain if plain is not None else _rich_table(rows, columns)
    raise ValueError(f"unknown output format {fmt!r}")
