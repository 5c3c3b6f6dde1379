"""Cutting the items of a JSON List dump out of its bytes, so they can be decoded in batches (by msgspec) and
split between processes, with results exactly those of the streaming reader.

**Layout.** The head of the document is parsed up to the second item (:func:`detect_layout`). What separates
the first item from the second is the document's *marker*: ``}`` + separator + ``{`` -- and, when the
separator holds no newline (compact JSON, ``kubectl get --raw``), also the second item's first key
(``},{"metadata"``). A JSON string cannot hold a raw newline or an unescaped ``"``, so a marker occurrence is
always an object boundary in *some* array of the document (a pretty-printer indents nested arrays deeper, and
nested arrays of objects starting with the same key are rare); where one is nested inside an item, decoding
the piece it cuts fails (its brackets do not balance) and the streaming reader takes over.

**Scan.** :class:`Scan` reads a block, finds the last marker in it, and hands every complete item before it to
``decode`` as one JSON array, in place (the byte before the first item and the comma after the last are
overwritten by ``[`` and ``]`` for the call). If ``decode`` declines (returns ``None``), the block goes item by
item, each by ``decode`` or else by the exact loader. Whatever decodes is exactly the next items of the array:
it starts at an item start, is a valid sequence of JSON values joined by commas, and is followed by a comma. A
piece that does not decode (or is not UTF-8) raises :class:`Bail`, and the caller finishes with the streaming
reader, so results and error messages stay those of :mod:`kubehash.sources.stream`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, cast

from kubehash.errors import InputError
from kubehash.sources.stream import _DECODER, _MAX_VALUE, _WS, _Reader
from kubehash.sources.utf8pos import not_utf8_pod

__all__ = ["HEAD_BYTES", "Bail", "Decode", "Layout", "Scan", "detect_layout", "find_start"]

#: How much of a document is read to detect its layout.
HEAD_BYTES = 8 << 20
#: How far a part's start is searched for at a time.
WINDOW = 1 << 20
#: Bytes read per block (module attributes, so tests can shrink them).
BLOCK = 8 << 20
#: Room in the scan buffer for the partial item carried over to the next block (grown when an item is bigger);
#: small, because the whole buffer is checked for ASCII after each read.
SLACK = 1 << 20

#: ``decode(array)``: the items of a JSON array (of items cut out of the document, valid UTF-8) as the caller
#: should get them, or ``None`` to have the exact loader decode them. The array is a memoryview into the scan's
#: buffer, valid only during the call: ``decode`` must copy whatever it keeps.
Decode = Callable[[memoryview], "list[Any] | None"]

_FIRST_KEY = re.compile(r'\{[ \t\n\r]*"(?:[^"\\]|\\.)*"')


@dataclass(frozen=True)
class Layout:
    """Where the items of a List document start, and what separates them."""

    first: int  # byte offset of the first item
    marker: bytes  # b"}" + separator + b"{" (+ the first key, for a separator without a newline)
    offset: int  # where, in a marker occurrence, the next item starts (at its "{")


def _first_item(r: _Reader) -> tuple[int, int] | None:
    """Read a List up to its second item: (byte offset of the first item, text position after it), or
    ``None`` when the items are not objects or there is a single one."""
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
    return first, end


def detect_layout(head: bytes) -> Layout | None:
    """The layout of a JSON List whose first bytes are ``head`` (:data:`HEAD_BYTES` of them, or the whole
    document), or ``None`` when it has none a scan can use (not a List, a single item, non-ASCII before the
    second item, items that are not objects)."""
    text = head.decode("utf-8", "ignore")  # only the ASCII prefix up to the second item is used
    r = _Reader(io.StringIO(text), "<head>", len(text) or 1)
    try:
        found = _first_item(r)
    except InputError:
        return None
    if found is None:
        return None
    first, end = found
    sep = text[end : r.pos]
    marker = "}" + sep + "{"
    if "\n" not in sep:  # compact: the second item's first key makes the marker specific
        m = _FIRST_KEY.match(text, r.pos)
        if m is None:
            return None
        marker = "}" + sep + m.group(0)
    if not marker.isascii() or r.base != 0 or not text[: r.pos + len(marker)].isascii():
        return None
    return Layout(first, marker.encode(), 1 + len(sep))


def find_start(f: BinaryIO, a: int, b: int, layout: Layout) -> int | None:
    """The first item start in [a, b) of a seekable file (an item starts at its marker's offset)."""
    marker = layout.marker
    pos = max(0, a - layout.offset)
    while pos < b:
        f.seek(pos)
        window = f.read(WINDOW + len(marker))
        if not window:
            return None
        i = window.find(marker)
        if i >= 0:
            start = pos + i + layout.offset
            if start >= a:
                return start if start < b else None
            pos += i + 1
            continue
        pos += WINDOW
    return None


class Bail(Exception):
    """The byte scan cannot go on: the streaming reader must take over after ``done`` items. ``rest`` is the
    document from the item it stopped at, as far as the scan had read it."""

    def __init__(self, done: int, rest: bytes = b"") -> None:
        super().__init__(done)
        self.done = done
        self.rest = rest


class Scan:
    """Items whose first byte lies in ``[start, limit)``, cut out by the layout's marker and decoded.

    ``f`` is positioned just after ``prefix``, the document's bytes from ``start - 1`` on that were already read
    (a file: ``None``, then the scan seeks to ``start - 1``; a pipe: the rest of its head). After iterating:
    ``next`` is where the following item starts (``None`` if the array ended), ``after`` the byte just after the
    closing ``]`` (if this scan saw it). Raises :class:`Bail` where it cannot go on.
    """

    def __init__(
        self,
        f: BinaryIO,
        start: int,
        limit: int,
        layout: Layout,
        decode: Decode | None,
        prefix: bytes | None = None,
    ) -> None:
        self.f, self.start, self.limit, self.layout, self.decode = f, start, limit, layout, decode
        self.prefix = prefix
        self.next: int | None = None
        self._state: tuple[bytearray, int, int] = (bytearray(), 0, 0)
        #: The document after the items array's ``]`` (once the scan saw it).
        self.tail = ""
        self.after: int | None = None
        self.count = 0

    def _items(self, piece: bytes, offset: int) -> list[Any]:
        """The items in ``piece`` (one or more items joined by the separator; at ``offset`` in the document).
        One item whose bytes are not all UTF-8 is read with each bad byte as a stand-in character and comes as
        :func:`~kubehash.sources.utf8pos.not_utf8_pod` makes it (an error row; the scan goes on)."""
        utf8 = True
        if not piece.isascii():
            try:
                piece.decode("utf-8")
            except UnicodeDecodeError:
                utf8 = False
        items = self.decode(memoryview(b"[" + piece + b"]")) if self.decode is not None and utf8 else None
        if items is None:
            text = piece.decode("utf-8", "surrogateescape")
            try:
                item, end = _DECODER.raw_decode(text)
            except (ValueError, RecursionError):  # ValueError: JSONDecodeError, or an integer Python refuses
                raise Bail(self.count) from None
            if end != len(text):
                raise Bail(self.count)
            items = [item if utf8 else not_utf8_pod(item, piece, offset)]
        return items

    def _batch(self, buf: bytearray, a: int, b: int, ascii_ok: bool) -> list[Any] | None:
        """The items in ``buf[a:b]`` by ``decode`` alone (``None``: go item by item), without copying them."""
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
            text = rest.decode("utf-8", "surrogateescape")
            item, end = _DECODER.raw_decode(text)
        except (ValueError, RecursionError):  # JSONDecodeError is a ValueError
            raise Bail(self.count, rest) from None
        if type(item) is not dict:
            raise Bail(self.count, rest)
        close = _WS.match(text, end).end()  # type: ignore[union-attr]
        if text[close : close + 1] != "]":
            raise Bail(self.count, rest)
        item_bytes = text[:end].encode("utf-8", "surrogateescape")
        rest_bytes = text[end:].encode("utf-8", "surrogateescape")
        try:
            rest_bytes.decode("utf-8")
        except UnicodeDecodeError:
            raise Bail(self.count, rest) from None  # after the last item: the streaming reader words the error
        self.after = offset + len(text[: close + 1].encode("utf-8", "surrogateescape"))
        self.tail = text[close + 1 :]
        return not_utf8_pod(item, item_bytes, offset)

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from self._scan()
        except Bail as e:
            if not e.rest:
                buf, i, end = self._state
                e.rest = bytes(buf[i:end])
            raise

    def _scan(self) -> Iterator[Any]:
        f, marker, m, off = self.f, self.layout.marker, len(self.layout.marker), self.layout.offset
        # One buffer for the whole scan, refilled in place (fresh 8 MB objects per block cost a page fault
        # per 4 KB); buf[:end] is valid and keeps the byte before the current item (an item never starts a
        # document), which _batch turns into "[".
        prefix = self.prefix
        if prefix is None:
            f.seek(self.start - 1)
            prefix = f.read(1)
        buf = bytearray(max(BLOCK + SLACK, len(prefix) + BLOCK))
        buf[: len(prefix)] = prefix
        end = len(prefix)
        base = self.start - 1  # document offset of buf[0]
        i = 1  # start of the current item in buf
        single = 0  # items before this buf index are decoded one at a time (a batch there was declined)
        ascii_ok = buf.isascii()  # all of buf (beyond end too) is ASCII, so buf[:end] is valid UTF-8
        self._state = (buf, i, end)
        while True:
            if base + i >= self.limit:
                self.next = base + i
                return
            self._state = (buf, i, end)
            if self.decode is not None and i >= single:
                # Every complete item in the buffer (starting before the limit) in one decode call.
                k = buf.rfind(marker, i, min(end, self.limit - base))
                if k > i:
                    batch = self._batch(buf, i, k + 1, ascii_ok)
                    if batch is None:
                        single = k + off
                    else:
                        for item in batch:
                            self.count += 1
                            yield item
                        i = k + off
                        continue
            j = buf.find(marker, i, end)
            while j < 0:
                if end - i > _MAX_VALUE:
                    raise Bail(self.count, bytes(buf[i:end]))
                # The current item and the byte before it move to the front, the next block is read after.
                seen = end - i
                rem = end - (i - 1)
                if rem + BLOCK > len(buf):
                    grown = bytearray(rem + BLOCK + SLACK)
                    grown[:rem] = buf[i - 1 : end]
                    buf = grown
                else:
                    buf[:rem] = buf[i - 1 : end]
                base += i - 1
                single -= i - 1
                i = 1
                self._state = (buf, i, rem)
                # Every stream scanned is buffered (an open file, stdin.buffer): BinaryIO just does not declare it.
                n = cast(io.BufferedIOBase, f).readinto(memoryview(buf)[rem : rem + BLOCK])
                if not n:
                    item = self._last(bytes(buf[1:rem]), base + 1)
                    self.count += 1
                    yield item
                    return
                end = rem + n
                self._state = (buf, i, end)
                ascii_ok = buf.isascii()
                j = buf.find(marker, max(1, seen - m + 2), end)
            for item in self._items(bytes(buf[i : j + 1]), base + i):
                self.count += 1
                yield item
            i = j + off
