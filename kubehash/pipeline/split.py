"""Map a function over the items of a huge List dump in N processes, each parsing its own part of the file.

Parsing is the bulk of the work for a 150k-pod dump, so splitting it is what makes ``--jobs`` pay off;
sending parsed pods between processes would cost as much as parsing them. How it stays exact:

* the parent parses the head of the document up to the second item and learns the *separator* between
  items (``",\\n        "`` in ``kubectl -o json`` output). A pretty-printed document indents by depth, and
  JSON strings cannot hold raw newlines, so ``}`` + separator + ``{`` marks an item boundary of the
  top-level array; compact JSON (no newline in the separator) is not split;
* the byte range after the first item is cut into parts; a worker seeks to the first marker in its part
  and parses items one by one (the ordinary streaming reader, so numbers keep their literal text) until
  the next item would start in the following part, reporting where that item starts;
* the parent checks that every part starts exactly where the previous one said the next item starts, and
  that the array ends once; if a check fails (an inconsistently indented file) it parses the rest of the
  file itself from the last verified item boundary. Results are therefore always what a sequential
  ``map(fn, iter_items(path))`` gives, in the same order.

Items are cut out of the bytes by that marker (:class:`_Scan`): the bytes from a verified item start to
the last marker of a read block are given, as a JSON array, to the caller's ``decode`` (a fast decoder of
just the fields it needs, e.g. :mod:`kubehash.sources.podbytes`) in one call -- in place, without a copy: the
separator byte before the first item and the comma after the last are overwritten by ``[`` and ``]`` for
the call and put back after it, so ``decode`` gets a memoryview valid only during the call. If that declines, the
block goes item by item (the next marker ends each one), each by ``decode`` or else the project's exact
JSON loader. Whatever decodes is exactly the next items of the array: it starts at an item start, is a
valid sequence of JSON values joined by commas, and is followed by a comma, so the array's own parse would
read the same values. When a piece does not decode (or is not UTF-8), the scan stops and the streaming
reader takes over for the rest -- in one process, :func:`~kubehash.sources.stream.iter_items` from the
top, skipping the items already mapped -- so results *and error messages* stay those of the streaming
reader.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from kubehash.errors import InputError
from kubehash.pipeline.parallel import parallel_map
from kubehash.sources.stream import _DECODER, _MAX_VALUE, _WS, _Reader, finish_document, finish_object, iter_items

__all__ = ["map_items"]

R = TypeVar("R")

_HEAD = 8 << 20
_WINDOW = 1 << 20
_BLOCK = 8 << 20
#: Room in the scan buffer for the partial item carried over to the next block (grown when an item is bigger);
#: small, because the whole buffer is checked for ASCII after each read.
_SLACK = 1 << 20

#: ``decode(array)``: the items of a JSON array (of items cut out of the file, valid UTF-8) as ``fn`` should
#: get them, or ``None`` to have the exact loader decode them. The array is a memoryview into the scan's
#: buffer, valid only during the call: ``decode`` must copy whatever it keeps (``bytes(...)``), e.g. no
#: ``msgspec.Raw`` in what it returns.
Decode = Callable[[memoryview], "list[Any] | None"]


@dataclass(frozen=True)
class _Layout:
    first: int  # byte offset of the first item
    marker: bytes  # b"}" + separator + b"{"


@dataclass
class _Part:
    start: int | None  # byte offset of the first item parsed (None: no item starts in the part)
    results: list[Any]
    next: int | None  # byte offset of the item after the last one parsed (None: the array ended)
    after: int | None  # byte offset just after the closing ']' if this part saw it


def _layout(path: Path) -> _Layout | None:
    """Where the items start and what separates them, or ``None`` if the file cannot be split."""
    with path.open("rb") as f:
        head = f.read(_HEAD)
    text = head.decode("utf-8", "ignore")  # only the ASCII prefix up to the second item is used
    r = _Reader(io.StringIO(text), str(path), len(text) or 1)
    try:
        if r.peek() != "{":
            return None
        r.pos += 1
        while True:
            if r.peek() != '"':
                return None
            key = r.value()
            r.expect(":")
            if key == "items" and r.peek() == "[":
                r.pos += 1
                break
            r.value()
            r.expect(",")
        if r.peek() != "{":
            return None
        first = r.byte_offset()
        r.value()
        end = r.pos
        if r.expect(",]") != "," or r.peek() != "{":
            return None
        sep = text[end : r.pos]
    except InputError:
        return None
    if "\n" not in sep or not sep.isascii() or r.base != 0 or not text[:end].isascii():
        return None
    return _Layout(first, b"}" + sep.encode() + b"{")


def _find_start(f: Any, a: int, b: int, marker: bytes) -> int | None:
    """The first item start in [a, b) (an item starts right after ``}`` + separator)."""
    pos = max(0, a - len(marker) + 1)
    while pos < b:
        f.seek(pos)
        window = f.read(_WINDOW + len(marker))
        if not window:
            return None
        i = window.find(marker)
        if i >= 0:
            start = pos + i + len(marker) - 1
            return start if start < b else None
        pos += _WINDOW
    return None


class _Bail(Exception):
    """The byte scan cannot go on: the streaming reader must take over after ``done`` items."""

    def __init__(self, done: int) -> None:
        super().__init__(done)
        self.done = done


class _Scan:
    """Items whose first byte lies in ``[start, limit)``, cut out by the marker and decoded one by one.

    After iterating: ``next`` is where the following item starts (``None`` if the array ended), ``after``
    the byte just after the closing ``]`` (if this scan saw it). Raises :class:`_Bail` where it cannot go on.
    """

    def __init__(self, f: BinaryIO, start: int, limit: int, marker: bytes, decode: Decode | None) -> None:
        self.f, self.start, self.limit, self.marker, self.decode = f, start, limit, marker, decode
        self.next: int | None = None
        self.after: int | None = None
        self.count = 0

    def _items(self, piece: bytes) -> list[Any]:
        """The items in ``piece`` (one or more items joined by the separator)."""
        if not piece.isascii():
            try:
                piece.decode("utf-8")
            except UnicodeDecodeError:
                raise _Bail(self.count) from None
        items = self.decode(memoryview(b"[" + piece + b"]")) if self.decode is not None else None
        if items is None:
            text = piece.decode("utf-8")
            try:
                item, end = _DECODER.raw_decode(text)
            except json.JSONDecodeError:
                raise _Bail(self.count) from None
            if end != len(text):
                raise _Bail(self.count)
            items = [item]
        return items

    def _batch(self, buf: bytearray, a: int, b: int, ascii_ok: bool) -> list[Any] | None:
        """The items in ``buf[a:b]`` by ``decode`` alone (``None``: go item by item), without copying them:
        the bytes just outside (separator whitespace before, a comma after) become ``[`` and ``]`` while
        ``decode`` reads the array in place, then are put back."""
        if self.decode is None:
            return None
        if not ascii_ok:
            try:
                bytes(buf[a:b]).decode("utf-8")
            except UnicodeDecodeError:
                return None
        before, after = buf[a - 1], buf[b]
        buf[a - 1], buf[b] = 0x5B, 0x5D  # [ ]
        try:
            return self.decode(memoryview(buf)[a - 1 : b + 1])
        finally:
            buf[a - 1], buf[b] = before, after

    def _last(self, rest: bytes, offset: int) -> Any:
        """The last item of the array (``rest``: it, the closing ``]`` and the end of the document)."""
        try:
            text = rest.decode("utf-8")
            item, end = _DECODER.raw_decode(text)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise _Bail(self.count) from None
        if type(item) is not dict:
            raise _Bail(self.count)
        close = _WS.match(text, end).end()  # type: ignore[union-attr]
        if text[close : close + 1] != "]":
            raise _Bail(self.count)
        self.after = offset + len(text[: close + 1].encode("utf-8"))
        return item

    def __iter__(self) -> Iterator[Any]:
        f, marker, m = self.f, self.marker, len(self.marker)
        # One buffer for the whole scan, refilled in place (fresh 8 MB objects per block cost a page fault
        # per 4 KB); buf[:end] is valid and keeps the byte before the current item (an item never starts a
        # file), which _batch turns into "[".
        buf = bytearray(_BLOCK + _SLACK)
        f.seek(self.start - 1)
        buf[0:1] = f.read(1)
        end = 1
        base = self.start - 1  # file offset of buf[0]
        i = 1  # start of the current item in buf
        single = 0  # items before this buf index are decoded one at a time (a batch there was declined)
        ascii_ok = True  # all of buf (beyond end too) is ASCII, so buf[:end] is valid UTF-8
        while True:
            if base + i >= self.limit:
                self.next = base + i
                return
            if self.decode is not None and i >= single:
                # Every complete item in the buffer (starting before the limit) in one decode call.
                k = buf.rfind(marker, i, min(end, self.limit - base))
                if k > i:
                    batch = self._batch(buf, i, k + 1, ascii_ok)
                    if batch is None:
                        single = k + m - 1
                    else:
                        for item in batch:
                            self.count += 1
                            yield item
                        i = k + m - 1
                        continue
            j = buf.find(marker, i, end)
            while j < 0:
                if end - i > _MAX_VALUE:
                    raise _Bail(self.count)
                # The current item and the byte before it move to the front, the next block is read after.
                seen = end - i
                rem = end - (i - 1)
                if rem + _BLOCK > len(buf):
                    grown = bytearray(rem + _BLOCK + _SLACK)
                    grown[:rem] = buf[i - 1 : end]
                    buf = grown
                else:
                    buf[:rem] = buf[i - 1 : end]
                base += i - 1
                single -= i - 1
                i = 1
                n = f.readinto(memoryview(buf)[rem : rem + _BLOCK])
                if not n:
                    item = self._last(bytes(buf[1:rem]), base + 1)
                    self.count += 1
                    yield item
                    return
                end = rem + n
                ascii_ok = buf.isascii()
                j = buf.find(marker, max(1, seen - m + 2), end)
            for item in self._items(bytes(buf[i : j + 1])):
                self.count += 1
                yield item
            i = j + m - 1


def _scan_part(
    path: str, fn: Callable[[Any], Any], marker: bytes, decode: Decode | None, span: tuple[int, int, bool]
) -> _Part:
    """:func:`_run_part` by the byte scan; the streaming reader finishes the part if the scan bails."""
    a, b, exact = span
    with open(path, "rb") as raw:
        start = a if exact else _find_start(raw, a, b, marker)
        if start is None:
            return _Part(None, [], None, None)
        scan = _Scan(raw, start, b, marker, decode)
        results: list[Any] = []
        try:
            for item in scan:
                results.append(fn(item))
        except _Bail as e:
            rest = _run_part(path, fn, marker, (start, b, True), skip=e.done)
            return _Part(start, results + rest.results, rest.next, rest.after)
        return _Part(start, results, scan.next, scan.after)


def _run_part(path: str, fn: Callable[[Any], Any], marker: bytes, span: tuple[int, int, bool], skip: int = 0) -> _Part:
    """Parse and map the items starting in [a, b) (from ``a`` itself when ``exact``); the first ``skip``
    items are parsed but not mapped."""
    a, b, exact = span
    with open(path, "rb") as raw:
        start = a if exact else _find_start(raw, a, b, marker)
        if start is None:
            return _Part(None, [], None, None)
        raw.seek(start)
        r = _Reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""), f"{path} (from byte {start})", _WINDOW)
        results = []
        try:
            while True:
                r.peek()
                offset = start + r.byte_offset()
                if offset >= b:
                    return _Part(start, results, offset, None)
                item = r.value()
                if skip:
                    skip -= 1
                else:
                    results.append(fn(item))
                if r.expect(",]") == "]":
                    return _Part(start, results, None, start + r.byte_offset())
        except UnicodeDecodeError as e:
            raise InputError(f"{path}: not UTF-8 text: {e}") from None


def _tail(path: Path, after: int) -> None:
    """Validate the rest of the document after the items array."""
    with path.open("rb") as raw:
        raw.seek(after)
        r = _Reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""), str(path), _WINDOW)
        finish_object(r)
        finish_document(r)


def _sequential(path: Path, fn: Callable[[Any], R], layout: _Layout, decode: Decode | None) -> Iterator[R]:
    """``map(fn, iter_items(path))`` in this process by the byte scan, the streaming reader after a bail."""
    size = path.stat().st_size
    done = 0
    try:
        with path.open("rb") as raw:
            scan = _Scan(raw, layout.first, size + 1, marker=layout.marker, decode=decode)
            for item in scan:
                done += 1
                yield fn(item)
        if scan.after is None:  # pragma: no cover - a scan to the end of the file sees the end of the array
            raise _Bail(done)
        try:
            _tail(path, scan.after)
        except InputError:
            raise _Bail(done) from None  # the streaming reader words the error
    except _Bail:
        for k, item in enumerate(iter_items(path)):
            if k >= done:
                yield fn(item)


def map_items(
    path: str | Path,
    fn: Callable[[Any], R],
    *,
    jobs: int = 1,
    part_bytes: int = 32 << 20,
    decode: Decode | None = None,
) -> Iterator[R]:
    """``map(fn, iter_items(path))``, with the file split between ``jobs`` processes when it allows.

    ``fn`` must be picklable (a module-level function or a ``functools.partial`` of one) and should
    return something small: results travel back to this process, parsed items do not. ``decode`` (also
    picklable) may turn an item's bytes into what ``fn`` gets instead of the fully parsed item -- ``fn``
    must give the same result for both -- or return ``None`` for the exact loader.
    """
    p = Path(path)
    if str(path) == "-" or not p.is_file():
        yield from parallel_map(fn, iter_items(path), jobs=jobs)
        return
    layout = _layout(p)
    if layout is None:  # YAML, compact JSON, a single object...: parse here, hash there
        yield from parallel_map(fn, iter_items(path), jobs=jobs)
        return
    if jobs <= 1:
        yield from _sequential(p, fn, layout, decode)
        return
    size = p.stat().st_size
    part = max(1, min(part_bytes, (size - layout.first) // jobs + 1))
    spans = [(a, min(a + part, size), a == layout.first) for a in range(layout.first, size, part)]
    run = partial(_scan_part, str(p), fn, layout.marker, decode)
    expected: int | None = layout.first
    after: int | None = None
    parts = parallel_map(run, spans, jobs=jobs, chunk_size=1)
    try:
        for got in parts:
            if after is not None or expected is None:
                break  # parts after the end of the array
            if got.start is None:
                continue
            if got.start != expected:
                break  # inconsistent layout: finish sequentially from the last verified boundary
            yield from got.results
            expected, after = got.next, got.after
    finally:
        parts.close()  # stops the worker pool
    if after is None:
        if expected is None:  # pragma: no cover - a part that ended the array always reports where
            raise InputError(f"{p}: items array ended without a position")
        rest = _run_part(str(p), fn, layout.marker, (expected, size + 1, True))
        yield from rest.results
        after = rest.after
    if after is None:
        raise InputError(f"{p}: invalid JSON: the items array is not closed")
    _tail(p, after)
