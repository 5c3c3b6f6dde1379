"""Columns: how one field of a result is shown, defined once for every output.

A :class:`Column` names a field and says how to get its **typed value** (what JSON, YAML and DataFrames hold:
``None``, numbers, booleans, strings, lists and mappings of them), its **cell** (what tables, CSV and Markdown
show, as text) and **where it is shown** (:class:`Show`). A result type's registry is a tuple of columns in
document order; every output of that type is derived from it (:mod:`kubehash.report.formats`).

Values are computed a column at a time over a chunk of items (:func:`values`, :func:`cells`): a column with a
``keys`` function computes its value once per distinct key in the chunk (replicas share their reason lists, so a
container's reasons are known by the ids of its reason objects, which are stable while the items live).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from kubehash.report.plain import time_text

__all__ = [
    "Column",
    "Show",
    "cell_text",
    "cells",
    "distinct_cells",
    "frame_values",
    "headings",
    "shown",
    "time_text",
    "values",
]

T = TypeVar("T")


class Show(enum.IntEnum):
    """Where a column appears: each level also appears in every output of the levels after it."""

    TABLE = 0  #: ``-o table`` and everything else
    WIDE = 1  #: ``-o wide``, CSV, Markdown, documents and DataFrames
    DATA = 2  #: documents (JSON, YAML) and DataFrames only


def cell_text(v: Any) -> str:
    """A typed value as cell text: ``None`` is empty, booleans ``true``/``false``, lists joined with ``"; "``,
    mappings as ``key=value`` pairs."""
    if type(v) is str:
        return v
    if v is None:
        return ""
    if v is True or v is False:
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return "; ".join(map(cell_text, v))
    if isinstance(v, dict):
        return ", ".join(f"{cell_text(k)}={cell_text(x)}" for k, x in v.items())
    if isinstance(v, datetime):
        return time_text(v)
    return str(v)


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """One field of a result type.

    ``value(item)``: the typed value. ``cell(item)``: what the cell shows (any value, made text by
    :func:`cell_text`); default: the typed value. ``frame(item)``: the DataFrame value when the typed value does
    not suit a DataFrame cell; ``parts``: the keys of a mapping-valued column, which a DataFrame splits into
    ``<name>_<key>`` columns. ``text(cell)``: the cell value as text (default :func:`cell_text`), once per
    distinct cell value of a chunk. ``keys(items)``: one key per item of a chunk; items with equal keys have equal
    values and cells, computed once. ``heading``: the table heading (default: the name in capitals, ``_`` as
    spaces)."""

    name: str
    value: Callable[[T], Any]
    cell: Callable[[T], Any] | None = None
    frame: Callable[[T], Any] | None = None
    show: Show = Show.TABLE
    heading: str = ""
    parts: tuple[str, ...] = ()
    keys: Callable[[Sequence[T]], list[Hashable]] | None = None
    text: Callable[[Any], str] | None = None

    @property
    def title(self) -> str:
        return self.heading or self.name.upper().replace("_", " ")


def shown(columns: Sequence[Column[T]], level: Show) -> list[Column[T]]:
    """The columns an output of ``level`` shows (``Show.TABLE``: table; ``Show.WIDE``: wide, CSV, Markdown)."""
    return [c for c in columns if c.show <= level]


def headings(columns: Sequence[Column[Any]]) -> list[str]:
    return [c.title for c in columns]


def _computed(
    items: Sequence[T],
    get: Callable[[T], Any],
    keys: Callable[[Sequence[T]], list[Hashable]] | None,
    memo: dict[Hashable, Any] | None = None,
) -> list[Any]:
    if keys is None:
        return list(map(get, items))
    ks = keys(items)
    memo = {} if memo is None else memo
    for k, item in dict(zip(ks, items, strict=True)).items():
        if k not in memo:
            memo[k] = get(item)
    return list(map(memo.__getitem__, ks))


def values(
    columns: Sequence[Column[T]], items: Sequence[T], memos: dict[int, dict[Hashable, Any]] | None = None
) -> list[list[Any]]:
    """The typed values of ``items``, one list per column. ``memos``: each keyed column's values by key, kept
    by the caller across chunks of the same items (so its keys stay meaningful)."""
    if memos is None:
        return [_computed(items, c.value, c.keys) for c in columns]
    return [
        _computed(items, c.value, c.keys, memos.setdefault(i, {}) if c.keys else None) for i, c in enumerate(columns)
    ]


def frame_values(column: Column[T], items: Sequence[T]) -> list[Any]:
    """A column's DataFrame values."""
    return _computed(items, column.frame or column.value, column.keys)


#: Types of which no two compare equal, except the numbers among each other.
_HASHABLE = frozenset({str, int, float, bool, type(None), datetime})
_NUMBERS = frozenset({int, float, bool})
_TEXTS = frozenset({str, type(None), datetime})


_MEMO = 65536  #: most texts a column remembers across chunks


def _texts(f: Callable[[Any], str], raw: list[Any], memo: dict[Any, str] | None) -> list[str]:
    """``[f(v) for v in raw]``, ``f`` called once per distinct value (remembered in ``memo`` across chunks when
    the values are strings, times or ``None``, of which no two compare equal)."""
    types = set(map(type, raw))
    if not (types <= _HASHABLE and len(types & _NUMBERS) <= 1):
        return list(map(f, raw))
    if memo is None or not types <= _TEXTS:
        memo = {}
    elif len(memo) > _MEMO:
        memo.clear()
    new = list(dict.fromkeys(raw).keys() - memo.keys())
    memo.update(zip(new, map(f, new), strict=True))
    return list(map(memo.__getitem__, raw))


def distinct_map(f: Callable[[Any], Any], vals: list[Any]) -> list[Any]:
    """``[f(v) for v in vals]``, calling ``f`` once per distinct value when the values allow it."""
    return _texts(f, vals, None)


def _cell_values(column: Column[T], i: int, items: Sequence[T], memos: dict[int, dict[Any, Any]] | None) -> list[Any]:
    memo = memos.setdefault(i, {}) if memos is not None and column.keys else None
    return _computed(items, column.cell or column.value, column.keys, memo)


def distinct_cells(
    columns: Sequence[Column[T]], items: Sequence[T], memos: dict[int, dict[Any, Any]] | None = None
) -> list[list[str]]:
    """For each column, the cell text of ``items``, each distinct text at least once (for column widths).
    ``memos``: as for :func:`cells`."""
    out = []
    for i, c in enumerate(columns):
        raw = _cell_values(c, i, items, memos)
        types = set(map(type, raw))
        if types <= _HASHABLE and len(types & _NUMBERS) <= 1:
            raw = list(dict.fromkeys(raw))
        if c.text is None and types <= {str}:
            out.append(raw)
        else:
            out.append(_texts(c.text or cell_text, raw, None if memos is None else memos.setdefault(~i, {})))
    return out


def cells(
    columns: Sequence[Column[T]], items: Sequence[T], memos: dict[int, dict[Any, Any]] | None = None
) -> list[list[str]]:
    """The cell text of ``items``, one list per column (not yet escaped: :func:`kubehash.report.text.printable`).
    ``memos``: keyed columns' cells and columns' texts, kept by the caller across chunks of the same items."""
    out = []
    for i, c in enumerate(columns):
        raw = _cell_values(c, i, items, memos)
        if c.text is None and set(map(type, raw)) <= {str}:
            out.append(raw)
        else:
            out.append(_texts(c.text or cell_text, raw, None if memos is None else memos.setdefault(~i, {})))
    return out
