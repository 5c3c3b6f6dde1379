"""Text tables, column by column: the layout rich prints for ``Table(box=None, pad_edge=False)`` on a
200-column console (rich 13 to 15), reproduced without rich's per-row cost for printable-ASCII cells.

Rich's layout for such a table: each column as wide as its widest cell (heading included), two spaces
between columns, lines right-stripped. A table wider than the console gets rich's column widths (computed
by rich itself from two stand-in rows) and rich's ``fold`` word wrapping for the cells that do not fit.
Cells with anything but printable ASCII (wide characters, tabs) are measured differently by rich: those
tables are printed by rich itself (:func:`rich_table`).
"""

from __future__ import annotations

import functools
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import TextIO

__all__ = ["TABLE_WIDTH", "plain_table", "rich_table", "table_text", "write_table"]

TABLE_WIDTH = 200
# Cells whose width rich measures differently from len(): anything but printable ASCII.
_NOT_PLAIN = re.compile(r"[^\x20-\x7e]")
_CHUNK = 4096  # rows per write
_Cuts = dict[int, dict[str, tuple[str, ...]]]  # column -> cell -> its lines, for the columns that fold
_ZIP_PIECES = functools.partial(itertools.zip_longest, fillvalue="")


def write_table(heads: Sequence[str], columns: Sequence[Sequence[str]], out: TextIO) -> None:
    """Write the table (``columns``: one list of cell strings per heading, all the same length) to ``out``:
    :func:`plain_table` when it can, else :func:`rich_table`."""
    if not plain_table(heads, columns, out):
        out.write(rich_table(heads, columns))


def plain_table(heads: Sequence[str], columns: Sequence[Sequence[str]], out: TextIO) -> bool:
    """Write rich's layout of the table to ``out`` when every cell is printable ASCII; ``False`` (nothing
    written) when rich has to lay it out."""
    if not heads:
        return False
    spaced = []
    for col in columns:
        text = "".join(col)
        if _NOT_PLAIN.search(text):
            return False
        spaced.append(" " in text)
    longest = [max(len(h), max(map(len, col), default=0)) for h, col in zip(heads, columns, strict=True)]
    widths = longest
    if sum(widths) + 2 * (len(widths) - 1) > TABLE_WIDTH:
        inner = _folded_widths(heads, columns, spaced)
        if inner is None or any(len(h) > w for h, w in zip(heads, inner, strict=True)):
            return False  # rich gives no room, or folds a heading (rich bottom-aligns header cells)
        widths = inner
    fmt = "  ".join([f"%-{w}s" for w in widths[:-1]] + ["%s"])
    # The columns with a cell (or heading) wider than the column: the pieces of each cell cut so far.
    cuts: _Cuts = {i: {} for i, (n, w) in enumerate(zip(longest, widths, strict=True)) if n > w}
    out.write(_lines(fmt, widths, [[h] for h in heads], cuts))
    n = len(columns[0]) if columns else 0
    for start in range(0, n, _CHUNK):
        chunk = [col[start : start + _CHUNK] for col in columns]
        out.write(_lines(fmt, widths, chunk, cuts))
    return True


def _lines(fmt: str, widths: list[int], columns: list[Sequence[str]], cuts: _Cuts) -> str:
    """The text of some rows: cells padded to ``widths`` (``fmt``), lines right-stripped. A cell wider than
    its column (only in the columns of ``cuts``) is folded into lines (:func:`_cut`) and its row takes as
    many lines as its most-folded cell."""
    folded = {i: c for i, c in cuts.items() if max(map(len, columns[i]), default=0) > widths[i]}
    if not folded:
        return "\n".join(map(str.rstrip, map(fmt.__mod__, zip(*columns, strict=True)))) + "\n"
    parts: list[Iterable[tuple[str, ...]]] = []
    for i, (col, w) in enumerate(zip(columns, widths, strict=True)):
        pieces = folded.get(i)
        if pieces is None:
            parts.append(zip(col))  # one piece each
        else:
            for v in dict.fromkeys(col):
                if v not in pieces:
                    pieces[v] = _cut(v, w) if len(v) > w else (v,)
            parts.append(map(pieces.__getitem__, col))
    # Each row (the pieces of each cell) gives the lines zip_longest makes of its cells' pieces.
    lines = itertools.chain.from_iterable(itertools.starmap(_ZIP_PIECES, zip(*parts, strict=True)))
    return "\n".join(map(str.rstrip, map(fmt.__mod__, lines))) + "\n"


def _cut(v: str, w: int) -> tuple[str, ...]:
    """``v`` cut into lines of at most ``w`` as rich folds it: ``divide_line`` with ``fold`` (break at
    spaces, split words longer than the column), pieces right-stripped."""
    if " " not in v:  # one word (printable ASCII: space is the only blank): divide_line chops it every w
        return tuple([v[a : a + w] for a in range(0, len(v), w)])
    from rich._wrap import divide_line

    cuts = [0, *divide_line(v, w, fold=True), len(v)]
    return tuple([v[a:b].rstrip() for a, b in itertools.pairwise(cuts)])


def _folded_widths(heads: Sequence[str], columns: Sequence[Sequence[str]], spaced: list[bool]) -> list[int] | None:
    """Rich's column widths (padding excluded) for a table wider than the console, computed by rich from
    two stand-in rows: rich measures a column by the largest minimum (longest word) and the largest maximum
    (longest cell) of its cells, so the first longest cell and the first cell with the longest word stand in
    for all of them (in a column without spaces, ``spaced`` false, each cell is one word: the same cell).
    ``None`` when rich would give a column no room (let rich print it)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="bold")
    for h in heads:
        table.add_column(h, overflow="fold")
    longest = [max(col, key=len, default="") for col in columns]
    wordiest = [_wordiest(dict.fromkeys(col)) if sp else v for col, sp, v in zip(columns, spaced, longest, strict=True)]
    table.add_row(*map(Text, longest))
    table.add_row(*map(Text, wordiest))
    console = Console(file=io.StringIO(), width=TABLE_WIDTH, color_system=None, force_terminal=False)
    try:
        widths = table._calculate_column_widths(console, console.options.update_width(TABLE_WIDTH - table._extra_width))
        inner = [w - table._get_padding_width(i) for i, w in enumerate(widths)]
    except Exception:  # pragma: no cover - another rich version: let rich lay it out
        return None
    return None if any(w < 1 for w in inner) else inner


def _wordiest(cells: Iterable[str]) -> str:
    """The first cell with the longest word ("" when no cell has a word)."""
    best, wordiest = 0, ""
    for v in cells:
        if len(v) > best:  # a shorter cell cannot hold a longer word
            w = max(map(len, v.split()), default=0)
            if w > best:
                best, wordiest = w, v
    return wordiest


def rich_table(heads: Sequence[str], columns: Sequence[Sequence[str]]) -> str:
    """The table as rich prints it (cells are :class:`rich.text.Text`: no markup), lines right-stripped."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, pad_edge=False, header_style="bold")
    for h in heads:
        table.add_column(h, overflow="fold")
    for row in zip(*columns, strict=True):
        table.add_row(*(Text(v) for v in row))
    buf = io.StringIO()
    Console(file=buf, width=TABLE_WIDTH, color_system=None, force_terminal=False).print(table)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def table_text(heads: Sequence[str], columns: Sequence[Sequence[str]]) -> str:
    """:func:`write_table` into a string."""
    buf = io.StringIO()
    write_table(heads, columns, buf)
    return buf.getvalue()
