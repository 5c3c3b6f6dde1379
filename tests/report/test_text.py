"""Text for terminals: escaping and the aligned table."""

from __future__ import annotations

import io
import re

from hypothesis import given, settings
from hypothesis import strategies as st
from report_strategies import TEXT

from kubehash.report.text import GAP, printable, printable_column, write_table

#: What must never reach a terminal raw.
RAW = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


@settings(max_examples=300, deadline=None)
@given(s=TEXT)
def test_printable_escapes_what_a_terminal_acts_on(s: str) -> None:
    out = printable(s)
    out.encode("utf-8")
    assert not RAW.search(out) and "\n" not in out
    assert "\n" not in printable(s, newlines=False)
    if not RAW.search(s) and "\n" not in s:
        assert out == s
    assert printable_column([s, "x"]) == [out, "x"]


def test_escapes_are_readable() -> None:
    assert printable("a\x1b[2Jb\n\t") == "a\\x1b[2Jb\\n\\t"
    assert printable("x\u202ey\ud800") == "x\\u202ey\\ud800"
    assert printable("one\ntwo\x07", newlines=True) == "one\ntwo\\x07"


CELL = st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    heads=st.lists(CELL.filter(bool), min_size=1, max_size=4).flatmap(
        lambda h: st.tuples(
            st.just(h), st.lists(st.lists(st.lists(CELL, min_size=len(h), max_size=len(h)), max_size=3), max_size=3)
        )
    )
)
def test_table_columns_line_up(heads: tuple[list[str], list[list[list[str]]]]) -> None:
    head, chunks = heads
    rows = [head, *(row for chunk in chunks for row in chunk)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    out = io.StringIO()
    columns = [[list(col) for col in zip(*chunk, strict=True)] for chunk in chunks if chunk]
    write_table(head, [max((len(r[i]) for r in rows[1:]), default=0) for i in range(len(head))], columns, out)
    lines = out.getvalue().split("\n")
    assert lines.pop() == "" and len(lines) == len(rows)
    for line, row in zip(lines, rows, strict=True):
        at = 0
        for w, cell in zip(widths, row, strict=True):
            assert line[at : at + len(cell)] == cell
            at += w + len(GAP)
        assert line == line.rstrip()
