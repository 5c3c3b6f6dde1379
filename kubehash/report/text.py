"""Text for people: escaping what a terminal would act on, and kubectl-style aligned tables.

Names, reasons and details come from the cluster and may hold anything. Before they reach a terminal
(``table``, ``wide``, ``csv``, ``markdown``), every character a terminal or an editor would act on instead of
showing is written as an escape: C0 controls (``\\x1b`` starts a terminal escape sequence; ``\\n``, ``\\t``
and ``\\r`` keep their names), DEL and the C1 controls (``\\x9b`` is a one-byte CSI), the bidirectional
overrides and isolates, the line and paragraph separators, the byte-order mark and lone surrogates (which
cannot be written as UTF-8). Backslashes themselves are left alone: the text stays readable and is never
ambiguous for names, which cannot hold them.

Tables are laid out as ``kubectl get`` does (``text/tabwriter``): each column as wide as its widest cell
(counted in characters), three spaces between columns, no wrapping, the last column not padded. The widths
are known only after every row: the caller reads the rows twice, a chunk at a time (the first time only each
column's distinct cells), and never holds the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import chain, repeat
from typing import TextIO

__all__ = ["GAP", "printable", "printable_column", "write_table"]

GAP = "   "  #: between table columns (kubectl's tabwriter padding)

_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")
_UNSAFE_BUT_NEWLINE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_TRAILING = re.compile(" +\n")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    named = _NAMED.get(c)
    if named is not None:
        return named
    o = ord(c)
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def printable(s: str, *, newlines: bool = False) -> str:
    """``s`` with every character a terminal would act on escaped (``newlines``: keep line breaks)."""
    return (_UNSAFE_BUT_NEWLINE if newlines else _UNSAFE).sub(_escape, s)


def printable_column(cells: list[str]) -> list[str]:
    """:func:`printable` of each cell; the list itself when no cell needs it (one search for the column)."""
    if not _UNSAFE.search("".join(cells)):
        return cells
    return [_UNSAFE.sub(_escape, v) for v in cells]


def write_table(
    heads: Sequence[str], widths: Sequence[int], chunks: Iterable[Sequence[list[str]]], out: TextIO
) -> None:
    """Write an aligned table: ``heads``, then the rows of each chunk (one list of escaped cell strings per
    column, all of a chunk's lists the same length). ``widths``: the widest cell of each column (its heading
    aside)."""
    widths = [max(w, len(h)) for w, h in zip(widths, heads, strict=True)]
    out.write(_rows(widths, [[h] for h in heads]))
    for cols in chunks:
        if cols and cols[0]:
            out.write(_rows(widths, cols))


def _rows(widths: Sequence[int], cols: Sequence[list[str]]) -> str:
    """The lines of some rows: each cell but the last padded to its column's width, :data:`GAP` between."""
    parts: list[Iterable[str]] = []
    for w, col in zip(widths[:-1], cols, strict=False):
        parts += [map(str.ljust, col, repeat(w)), repeat(GAP)]
    parts += [cols[-1], repeat("\n")]
    text = "".join(chain.from_iterable(zip(*parts, strict=False)))
    return _TRAILING.sub("\n", text) if " \n" in text else text  # lines end without spaces
