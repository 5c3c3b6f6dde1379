"""The report writers as they were before streaming (frozen copies): the oracle the streamed writers must
match byte for byte. Only tests import this."""

from __future__ import annotations

import io
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from operator import le
from typing import Any

import yaml

from kubehash.report.prediction import _VERDICT_ORDER, TABLE_COLUMNS, WIDE_COLUMNS
from kubehash.report.render import cell_text, render_rows
from kubehash.upgrade.predict import VERDICTS, Prediction

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
    cells = [[v if type(v) is str else cell_text(v) for v in map(r.get, columns)] for r in rows]
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
        table.add_row(*(Text(cell_text(r.get(c))) for c in columns))  # Text: no [markup] in cells
    buf = io.StringIO()
    Console(file=buf, width=_TABLE_WIDTH, color_system=None, force_terminal=False).print(table)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def old_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> str:
    plain = _plain_table(rows, columns)
    return plain if plain is not None else _rich_table(rows, columns)


def _count_rows(groups: dict[str, dict[str, int]], label: str) -> tuple[list[dict[str, Any]], list[str]]:
    verdicts = [v for v in _VERDICT_ORDER if any(v in g for g in groups.values())]
    rows = [{label: k, **{v: g.get(v, 0) for v in verdicts}, "total": sum(g.values())} for k, g in groups.items()]
    return rows, [label, *verdicts, "total"]


def render_summary(summary: dict[str, Any]) -> str:
    """The summary as text tables: verdict totals, per node, per namespace, restart reasons."""
    parts = []
    cp = f", control plane {summary['control_plane']}" if summary.get("control_plane") else ""
    verdicts = ", ".join(f"{n} {v}" for v, n in summary["verdicts"].items()) or "nothing"
    n = summary["containers"]
    parts.append(f"Upgrade to kubelet {summary['to']}{cp}: {n} container{'' if n == 1 else 's'}: {verdicts}\n")
    checks = summary.get("model_check") or {}
    if checks.get("match") or checks.get("mismatch"):
        parts.append(
            f"Model check against recorded hashes: {checks.get('match', 0)} match, {checks.get('mismatch', 0)} "
            f"mismatch, {checks.get('unverified', 0)} without a runtime record\n"
        )
    rows, cols = _count_rows(summary["by_node"], "node")
    parts.append("\n" + old_table(rows, cols))
    rows, cols = _count_rows(summary["by_namespace"], "namespace")
    parts.append("\n" + old_table(rows, cols))
    if summary["restart_reasons"]:
        rrows = [{"reason": k, "restarts": v} for k, v in summary["restart_reasons"].items()]
        parts.append("\n" + old_table(rrows, ["reason", "restarts"]))
    return "".join(parts)


def old_summary(p: Prediction) -> dict[str, Any]:
    by_node: dict[str, Counter[str]] = defaultdict(Counter)
    by_ns: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: Counter[str] = Counter()
    for c in p.containers:
        by_node[c.node or "-"][c.verdict] += 1
        by_ns[c.namespace or "-"][c.verdict] += 1
        if c.verdict == "restart":
            # Was a set (order followed the hash seed); first-seen order since the review of session 3.
            for kind in dict.fromkeys(r.kind for r in c.reasons):
                reasons[kind] += 1
    total = p.cache_hits + p.cache_misses
    return {
        "to": p.to,
        "control_plane": p.control_plane,
        "sides": p.sides,
        "containers": len(p.containers),
        "verdicts": {v: n for v in VERDICTS if (n := sum(1 for c in p.containers if c.verdict == v))},
        "restart_reasons": dict(reasons.most_common()),
        "model_check": dict(Counter(c.model_check for c in p.containers if c.verdict != "not-running")),
        "by_node": {k: dict(v) for k, v in sorted(by_node.items())},
        "by_namespace": {k: dict(v) for k, v in sorted(by_ns.items())},
        "hash_cache": {
            "hits": p.cache_hits,
            "misses": p.cache_misses,
            "hit_rate": round(p.cache_hits / total, 4) if total else 0.0,
        },
    }


def old_render_prediction(p: Prediction, fmt: str) -> str:
    """``render_prediction`` before streaming: the whole document in memory."""
    if fmt in ("json", "yaml"):
        doc = {"summary": old_summary(p), "containers": [c.to_dict() for c in p.containers]}
        if fmt == "json":
            return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True)
    rows = p.rows()
    if fmt in ("csv", "markdown"):
        return render_rows(rows, WIDE_COLUMNS, fmt)
    columns = TABLE_COLUMNS if fmt == "table" else WIDE_COLUMNS
    return render_summary(old_summary(p)) + "\n" + old_table(rows, columns)
