"""The fast plain table writer prints exactly what rich prints, whenever it takes over."""

from __future__ import annotations

import string
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.report.render import _plain_table, _rich_table, render_rows

COLUMNS = ["namespace", "pod", "container", "old_hash", "verdict", "reasons"]
TEXT = st.text(alphabet=string.ascii_letters + string.digits + " -/:;.[]()@#é\t", max_size=30)
# Long ASCII cells: the table is wider than the console and rich folds them.
LONG = st.text(alphabet=string.ascii_letters + "  -;:.", max_size=120)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({c: st.one_of(st.none(), TEXT) for c in COLUMNS}), max_size=5))
def test_plain_table_is_rich_table(rows: list[dict[str, Any]]) -> None:
    plain = _plain_table(rows, COLUMNS)
    if plain is not None:
        assert plain == _rich_table(rows, COLUMNS)
    assert render_rows(rows, COLUMNS, "table") == _rich_table(rows, COLUMNS)


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries({c: st.one_of(st.none(), LONG) for c in COLUMNS}), min_size=1, max_size=6))
def test_folded_table_is_rich_table(rows: list[dict[str, Any]]) -> None:
    assert render_rows(rows, COLUMNS, "table") == _rich_table(rows, COLUMNS)


def test_plain_table_steps_aside() -> None:
    assert _plain_table([{"a": "x [bold]y :smile:"}], ["a"]) == "A\nx [bold]y :smile:\n"  # cells are Text
    assert _plain_table([{"a": "é"}], ["a"]) is None
    assert _plain_table([{"a": "x" * 300}], ["a"]) == _rich_table([{"a": "x" * 300}], ["a"])  # folded as rich does
    assert _plain_table([{"a": "1", "b": None}], ["a", "b"]) == "A  B\n1\n"


def test_width_boundary() -> None:
    for total in (197, 198, 199, 200, 201):
        rows = [{"a": "x" * 100, "b": "y" * (total - 102)}]
        plain = _plain_table(rows, ["a", "b"])
        assert plain == _rich_table(rows, ["a", "b"])
        assert render_rows(rows, ["a", "b"], "table") == _rich_table(rows, ["a", "b"])


def test_a_folded_heading_is_left_to_rich() -> None:
    """rich bottom-aligns header cells when one heading folds; such tables go to rich itself."""
    import io

    from kubehash.report.table import plain_table, rich_table

    heads, columns = ["A", "B" * 120], [["x" * 150], ["y"]]
    assert plain_table(heads, columns, io.StringIO()) is False
    rows = [{"a": "x" * 150, "b" * 120: "y"}]
    assert render_rows(rows, ["a", "b" * 120], "table") == rich_table([h.upper() for h in ["a", "b" * 120]], columns)
