"""The output formats and their writers, the same for every result type.

A result type gives its writers three things (a :class:`View`): its **document** (plain values, where the
document itself or a value of its top-level mapping may be :class:`Rows`, written a chunk at a time), its
**blocks** for ``table``/``wide`` (text and tables, in order) and its main **rows** (``csv``, ``markdown``,
DataFrames). Rows are items shown through a column registry (:mod:`kubehash.report.columns`).

* ``json``: msgspec, indented by ``msgspec.json.format`` (two spaces); a streamed list is written a chunk at a
  time, each chunk's text indented to its depth.
* ``yaml``: :mod:`kubehash.report.yamltext` (block style, one distinct scalar of a column written once).
* ``table``/``wide``: kubectl-style aligned columns (:func:`kubehash.report.text.write_table`).
* ``csv``: the standard library's writer, one header row of column names.
* ``markdown``: a pipe table, ``|`` escaped.

Every format writes valid UTF-8 whatever the values hold, and table, wide, csv and markdown escape what a
terminal would act on (:func:`kubehash.report.text.printable`).
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import chain, repeat
from typing import Any, Generic, Protocol, TextIO, TypeVar

import msgspec

from kubehash.errors import FormatError
from kubehash.report.columns import Column, Show, cells, distinct_cells, headings, shown, values
from kubehash.report.plain import clean, plain
from kubehash.report.text import printable, printable_column, write_table
from kubehash.report.yamltext import YamlItems, yaml_document

__all__ = [
    "CHUNK",
    "FORMATS",
    "Block",
    "FormatError",
    "Rows",
    "View",
    "write_csv",
    "write_json",
    "write_markdown",
    "write_text",
    "write_yaml",
]

#: Every ``-o`` format, in the order the CLI lists them.
FORMATS = ("table", "wide", "json", "yaml", "csv", "markdown")
CHUNK = 4096  #: items per chunk

T = TypeVar("T")
R = TypeVar("R", contravariant=True)


@dataclass(frozen=True)
class Rows(Generic[T]):
    """``items`` shown through a column registry."""

    columns: Sequence[Column[T]]
    items: Sequence[T]
    _memos: dict[int, dict[Hashable, Any]] = field(default_factory=dict, compare=False, repr=False)

    def chunks(self) -> Iterator[Sequence[T]]:
        for start in range(0, len(self.items), CHUNK):
            yield self.items[start : start + CHUNK]

    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def values(self, items: Sequence[T]) -> list[list[Any]]:
        """The typed values of ``items`` (some of :attr:`items`), one list per column. A keyed column's values
        are remembered across calls: the chunks of one output share them (replicas' reason lists)."""
        return values(self.columns, items, self._memos)

    def dicts(self, items: Sequence[T] | None = None) -> list[dict[str, Any]]:
        """The documents of ``items`` (default: all), one mapping per item, keys in registry order."""
        cols = self.values(self.items if items is None else items)
        return list(map(dict, map(zip, repeat(self.names()), zip(*cols, strict=True))))

    def encoded(self, items: Sequence[T]) -> bytes:
        """The JSON of :meth:`dicts` (compact), built from one msgspec struct per item (faster than mappings)."""
        struct = _struct(tuple(self.names()))
        try:
            return msgspec.json.encode(list(map(struct, *self.values(items))), enc_hook=plain)
        except (UnicodeEncodeError, TypeError):  # a lone surrogate, a key msgspec cannot write
            return msgspec.json.encode(clean(self.dicts(items)))


@functools.cache
def _struct(names: tuple[str, ...]) -> Any:
    """A struct type whose fields encode as ``names``, in order."""
    fields = [f"f{i}" for i in range(len(names))]
    return msgspec.defstruct("Row", [(f, Any) for f in fields], rename=dict(zip(fields, names, strict=True)))


Block = str | Rows[Any]


class View(Protocol[R]):
    """How one result type is written (see the module docstring)."""

    def document(self, result: R) -> Any: ...

    def blocks(self, result: R, level: Show) -> Iterable[Block]: ...

    def rows(self, result: R) -> Rows[Any]: ...


# -- JSON ------------------------------------------------------------------------------------------------


def _encode(obj: Any) -> bytes:
    try:
        return msgspec.json.encode(obj, enc_hook=plain)
    except (UnicodeEncodeError, TypeError):  # a lone surrogate, a key msgspec cannot write
        return msgspec.json.encode(clean(obj))


def _json(obj: Any) -> str:
    return msgspec.json.format(_encode(obj), indent=2).decode()


_WRAPPED = (b'{\n  "": [\n', b"\n  ]\n}")  # a list two levels in: msgspec.json.format of {"": [...]}


def _json_items(rows: Rows[Any], out: TextIO, depth: int) -> None:
    """The entries of a streamed list (``[`` written, ``]`` not), at ``depth`` (1 or 2) levels of indentation:
    each chunk formatted by msgspec at that depth (wrapped in a mapping for depth 2)."""
    raw = _utf8_buffer(out)
    sep = b"\n"
    for chunk in rows.chunks():
        body = rows.encoded(chunk)
        if depth == 1:
            text = msgspec.json.format(body, indent=2)[2:-2]
        else:
            head, tail = _WRAPPED
            text = msgspec.json.format(b'{"":' + body + b"}", indent=2)[len(head) : -len(tail)]
        if raw is not None:
            raw.write(sep)
            raw.write(text)
        else:
            out.write((sep + text).decode())
        sep = b",\n"


def _utf8_buffer(out: TextIO) -> Any:
    """The binary stream under ``out`` when it encodes to UTF-8 (flushed first), so that msgspec's UTF-8 text is
    written as it is, without decoding and encoding it again; else ``None``."""
    raw = getattr(out, "buffer", None)
    encoding = (getattr(out, "encoding", None) or "").lower().replace("_", "-")
    if raw is None or encoding not in ("utf-8", "utf8"):
        return None
    out.flush()
    return raw


def write_json(doc: Any, out: TextIO) -> None:
    """``doc`` as indented JSON and a newline; :class:`Rows` (the document, or values of its top-level
    mapping) a chunk at a time."""
    if isinstance(doc, Rows):
        if not doc.items:
            out.write("[]\n")
            return
        out.write("[")
        _json_items(doc, out, 1)
        out.write("\n]\n")
        return
    if not (isinstance(doc, dict) and any(isinstance(v, Rows) for v in doc.values())):
        out.write(_json(doc) + "\n")
        return
    sep = "{\n"
    for key, value in doc.items():
        out.write(sep)
        sep = ",\n"
        if not isinstance(value, Rows):
            out.write(_json({key: value})[2:-2])  # without "{\n" and "\n}"
        elif not value.items:
            out.write(f"  {_json(key)}: []")
        else:
            out.write(f"  {_json(key)}: [")
            _json_items(value, out, 2)
            out.write("\n  ]")
    out.write("\n}\n")


# -- YAML ------------------------------------------------------------------------------------------------


def _yaml_items(rows: Rows[Any], out: TextIO) -> None:
    items = YamlItems(rows.names())
    for chunk in rows.chunks():
        out.write(items.text(rows.values(chunk)))


def write_yaml(doc: Any, out: TextIO) -> None:
    """``doc`` as block YAML; :class:`Rows` (the document, or values of its top-level mapping) a chunk at a
    time."""
    if isinstance(doc, Rows):
        if doc.items:
            _yaml_items(doc, out)
        else:
            out.write("[]\n")
        return
    if not (isinstance(doc, dict) and any(isinstance(v, Rows) for v in doc.values())):
        out.write(yaml_document(doc))
        return
    for key, value in doc.items():
        if not isinstance(value, Rows):
            out.write(yaml_document({key: value}))
        elif not value.items:
            out.write(yaml_document({key: []}))
        else:
            out.write(yaml_document({key: None})[: -len(" null\n")] + "\n")
            _yaml_items(value, out)


# -- tables, CSV, Markdown --------------------------------------------------------------------------------


def _cell_chunks(
    rows: Rows[Any], columns: Sequence[Column[Any]], memos: dict[int, dict[Hashable, Any]] | None = None
) -> Iterator[list[list[str]]]:
    """Escaped cell text a chunk at a time; ``memos`` (keyed columns' cells) shared across chunks and passes."""
    memos = {} if memos is None else memos
    for chunk in rows.chunks():
        yield [printable_column(col) for col in cells(columns, chunk, memos)]


def _widths(rows: Rows[Any], columns: Sequence[Column[Any]], memos: dict[int, dict[Hashable, Any]]) -> list[int]:
    """The widest escaped cell of each column, from each chunk's distinct cells."""
    widths = [0] * len(columns)
    for chunk in rows.chunks():
        for i, texts in enumerate(distinct_cells(columns, chunk, memos)):
            widths[i] = max(widths[i], max(map(len, printable_column(texts)), default=0))
    return widths


def write_text(blocks: Iterable[Block], level: Show, out: TextIO) -> None:
    """``table`` (``level`` TABLE) or ``wide`` (WIDE): text blocks as they are (escaped), tables aligned."""
    for block in blocks:
        if isinstance(block, str):
            out.write(printable(block, newlines=True))
            continue
        columns = shown(block.columns, level)
        memos: dict[int, dict[Hashable, Any]] = {}
        write_table(headings(columns), _widths(block, columns, memos), _cell_chunks(block, columns, memos), out)


def write_csv(rows: Rows[Any], out: TextIO) -> None:
    """A header of column names, then one record per item (the ``wide`` columns)."""
    columns = shown(rows.columns, Show.WIDE)
    w = csv.writer(out, lineterminator="\n")
    w.writerow([c.name for c in columns])
    for cols in _cell_chunks(rows, columns):
        w.writerows(zip(*cols, strict=True))


def write_markdown(rows: Rows[Any], out: TextIO) -> None:
    """A pipe table of the ``wide`` columns (``|`` in cells written ``\\|``)."""
    columns = shown(rows.columns, Show.WIDE)
    out.write("| " + " | ".join(c.name for c in columns) + " |\n|" + "|".join("---" for _ in columns) + "|\n")
    for cols in _cell_chunks(rows, columns):
        parts: list[Iterable[str]] = [repeat("| ")]
        for i, col in enumerate(cols):
            parts += [[v.replace("|", "\\|") for v in col] if "|" in "".join(col) else col]
            parts.append(repeat(" | " if i < len(cols) - 1 else " |\n"))
        out.write("".join(chain.from_iterable(zip(*parts, strict=False))))


# -- result types ----------------------------------------------------------------------------------------

_VIEWS: dict[type, View[Any]] = {}

V = TypeVar("V")


def register(kind: type) -> Any:
    """Class decorator: an instance of the decorated :class:`View` writes results of type ``kind``."""

    def add(view_class: type[V]) -> type[V]:
        _VIEWS[kind] = view_class()  # type: ignore[assignment]
        return view_class

    return add


def view_of(result: Any) -> View[Any]:
    """The view registered for ``result``'s type (or a base class of it)."""
    for kind in type(result).__mro__:
        view = _VIEWS.get(kind)
        if view is not None:
            return view
    raise FormatError(f"no output is defined for a {type(result).__name__}")
