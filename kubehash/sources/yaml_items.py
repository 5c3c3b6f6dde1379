"""Stream the items of a ``kubectl get -o yaml`` dump, one item in memory at a time, parsed by libyaml.

A dump of 150k pods is a single YAML document of about a gigabyte; loading it whole takes tens of GB.
kubectl (``sigs.k8s.io/yaml`` over go-yaml) writes a List as a top-level block mapping whose ``items`` is
a block sequence: ``- `` at a fixed column (0 in kubectl's output) starts an item and every line of the
item is indented further. :mod:`~kubehash.sources.yaml_reader` cuts the byte stream
(:mod:`~kubehash.sources.yaml_stream`) at those lines and each item is parsed on its own with PyYAML's C
loader (:func:`~kubehash.sources.yaml_loader.load_yaml`), so memory is one item plus a read buffer. This
module is the entry point: the items of a whole stream, or of a part of a file for a worker process.

What is read, and how it relates to loading the whole document
(:func:`kubehash.sources.documents.parse_documents`, whose values are the reference):

* a document whose top-level ``items:`` key (at column 0) is followed by a block sequence is streamed:
  its items are yielded one by one; the rest of the document (``apiVersion``, ``kind``, ``metadata``) is
  parsed on its own afterwards, with ``items: []`` standing in for the sequence, so a syntax error there
  still fails the read. Any other document (a single object, a ``List`` in flow style...) is parsed whole;
  a List's items are yielded, any other document itself (as ``iter_items`` does);
* documents are cut at ``---`` / ``...`` lines at column 0, where libyaml always ends a document;
* values are those of the whole-document loader, with these deliberate differences:

  - a float becomes a :class:`~kubehash.golang.jsonvalue.RawFloat` whose text is Go's ``encoding/json``
    text of the float64 (:func:`~kubehash.sources.yaml_loader.go_json_float`): what ``sigs.k8s.io/yaml``'s
    YAML-to-JSON conversion (go-yaml value, then ``json.Marshal``) hands to the API server or the kubelet
    for that YAML, the counterpart of the JSON path keeping a number's literal text (``1.0`` reaches Go as
    ``1``, ``1.5e-7`` as ``1.5e-7``). Infinities and NaN stay Python floats (Go's ``json.Marshal`` refuses
    them);
  - an item is YAML on its own: an alias to an anchor outside the item, or a quoted scalar / flow
    collection that runs onto a line at the items' column, is an error (kubectl never writes either);
  - the bounds of :mod:`kubehash.limits`: an item (or a document parsed whole) larger than
    ``MAX_ITEM_BYTES``, nested deeper than ``MAX_DEPTH``, or holding more than ``MAX_NODES`` values once
    its aliases are expanded (an "alias bomb"), or whose aliases form a cycle, is rejected with a
    :class:`~kubehash.sources.yaml_loader.YamlInputError` naming the file, the item (or document) and the
    line, before any Python value is built for it.

For ``--jobs``, :func:`yaml_layout` finds where the items of a file's first document start, and
:func:`read_part` reads the items that start in a byte range ``[start, limit)`` of the file in a worker
process; :func:`kubehash.pipeline.yaml_split.map_yaml_items` runs parts in parallel and checks that each
part starts exactly where the previous one ended (a ``- `` line at the items' column is an item start by
the rule above, so a part can find its first item by scanning for one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from kubehash.sources.yaml_loader import YamlInputError
from kubehash.sources.yaml_reader import FALLBACK, Decode, Reader
from kubehash.sources.yaml_stream import BLANK_AFTER, BOM, CHUNK, LINE_BREAK, Stream, open_source

__all__ = [
    "FALLBACK",
    "Decode",
    "YamlLayout",
    "YamlPart",
    "iter_yaml_items",
    "read_part",
    "read_rest",
    "yaml_layout",
]


@dataclass(frozen=True)
class YamlLayout:
    """Where the items of a file's first document (a List with block items) are.

    ``first``: byte offset of the first item's line; ``column``: the column of its ``-``; ``line``: the
    first item's line number; ``header``: the document's text before the items (``items:`` line included),
    parsed with the rest of the document after the items to check it."""

    first: int
    column: int
    line: int
    header: bytes


@dataclass
class YamlPart:
    """What :func:`read_part` read from ``[start, limit)``: ``start`` is the offset of its first item
    (``None``: no item starts there); ``results`` the items (or ``fn`` of them); ``next`` the offset of the item
    after the last one (``None`` if the items block ended); ``after`` where the block ended, if it did."""

    start: int | None
    results: list[Any]
    next: int | None
    after: int | None


def iter_yaml_items(
    source: str | Path | BinaryIO, *, decode: Decode | None = None, chunk_size: int = CHUNK
) -> Iterator[Any]:
    """The items of every List document and every other document of the YAML stream at ``source`` (a
    path, ``-`` for standard input, or a binary stream), one at a time. ``decode`` (optional) may turn an
    item's text into what the caller wants instead (e.g. :func:`kubehash.sources.yaml_views.decode_pod`)."""
    f, name, owned = open_source(source)
    try:
        yield from Reader(Stream(f, name, chunk=chunk_size), decode).documents()
    finally:
        if owned:
            f.close()


# -- parts of a file, for worker processes ----------------------------------------------------------------


def yaml_layout(path: str | Path) -> YamlLayout | None:
    """The layout of the List that is the first document of the file at ``path``, or ``None`` when the
    file does not start with a List with block items (read it with :func:`iter_yaml_items`)."""
    p = Path(path)
    if str(path) == "-" or not p.is_file():
        return None
    with p.open("rb") as f:
        r = Reader(Stream(f, str(p)), None)
        s = r.s
        s.more(0)
        pos = len(BOM) if s.buf.startswith(BOM) else 0
        try:
            end, _ = r.document_end(pos)
        except YamlInputError:
            return None
        layout = r.list_layout(pos, end)
        if layout is None:
            return None
        return YamlLayout(layout[0], layout[1], s.line(layout[0]), s.buf[pos : layout[0]])


def read_part(
    path: str | Path,
    layout: YamlLayout,
    start: int,
    limit: int,
    *,
    exact_start: bool = False,
    decode: Decode | None = None,
    fn: Callable[[Any], Any] | None = None,
) -> YamlPart:
    """The items that start in ``[start, limit)`` of the List laid out by ``layout`` (from ``start`` itself
    when ``exact_start``; else from the first ``- `` line at the items' column at or after ``start``), each
    decoded (``decode``, else the exact loader) and mapped by ``fn`` if given. Errors name the item by its
    number in the whole List and its line (counted from the start of the file when an error occurs)."""
    name = str(path)
    with open(path, "rb") as f:
        if not exact_start:
            found = _find_item(f, start, limit, layout.column)
            if found is None:
                return YamlPart(None, [], None, None)
            start = found
        f.seek(start)
        before = None if start == layout.first else partial(_count_items, name, layout, start)
        r = Reader(
            Stream(f, name, base=start, line=layout.line if start == layout.first else None),
            decode,
            items_before=before,
        )
        r.s.more(0)
        results: list[Any] = []
        items = r.items(0, layout.column, 1, limit)
        while True:
            try:
                item = next(items)
            except StopIteration as stop:
                after = stop.value
                break
            results.append(fn(item) if fn is not None else item)
        if after is None:
            return YamlPart(start, results, r.next_offset, None)
        return YamlPart(start, results, None, r.s.base + after)


def _find_item(f: BinaryIO, start: int, limit: int, column: int) -> int | None:
    """Offset of the first item line at or after ``start`` and before ``limit``."""
    marker = re.compile(rb"%s {%d}-%s" % (LINE_BREAK, column, BLANK_AFTER))
    pos = max(0, start - 3)
    while pos < limit:
        f.seek(pos)
        window = f.read(CHUNK + column + 3)
        if not window:
            return None
        m = marker.search(window)
        while m is not None and pos + m.end() - column - 1 < start:  # a line that starts before ``start``
            m = marker.search(window, m.start() + 1)
        if m is not None and (m.end() < len(window) or len(window) < CHUNK):
            found = pos + m.end() - column - 1
            return found if found < limit else None
        pos += CHUNK
    return None


def _count_items(name: str, layout: YamlLayout, offset: int) -> int:
    """Items of the List that start before ``offset`` (only to number an error)."""
    marker = re.compile(rb"%s {%d}-%s" % (LINE_BREAK, layout.column, BLANK_AFTER))
    begin = max(0, layout.first - 3)
    with open(name, "rb") as f:
        f.seek(begin)
        data = f.read(offset - begin)
    return len(marker.findall(data))


def read_rest(path: str | Path, layout: YamlLayout, after: int, *, decode: Decode | None = None) -> Iterator[Any]:
    """After the parts: check the rest of the List's document (from ``after``, where its items ended) and
    yield the items and documents of the rest of the file."""
    name = str(path)
    with open(path, "rb") as f:
        f.seek(after)
        r = Reader(Stream(f, name, base=after, line=None), decode)
        r.document = 1
        r.s.more(0)
        end, nxt = r.document_end(0, inside=True)
        r.check_rest(layout.header, 1, 0, end)
        if nxt < len(r.s.buf) or not r.s.eof:
            yield from r.documents(nxt)
