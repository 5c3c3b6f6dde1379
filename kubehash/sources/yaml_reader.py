"""Cut a YAML stream into documents, and a List's block sequence of items into items, read one by one.

kubectl (``sigs.k8s.io/yaml`` over go-yaml) writes a List as a top-level block mapping whose ``items`` is a
block sequence: ``- `` at a fixed column (0 in kubectl's output) starts an item and every line of the item
is indented further. :class:`Reader` cuts the byte stream at those lines and hands each item's text to a
``decode`` function (:data:`Decode`) or to the exact loader (:func:`kubehash.sources.yaml_loader.load_yaml`);
documents are cut at ``---`` / ``...`` lines at column 0, where libyaml always ends a document. The List
around its items is parsed on its own afterwards (:meth:`Reader.check_rest`). See
:mod:`kubehash.sources.yaml_items` for what is read and how it relates to loading the whole document.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Iterator
from typing import Any

from kubehash.sources.utf8pos import not_utf8
from kubehash.sources.yaml_loader import MAX_ITEM_BYTES, YamlInputError, load_yaml
from kubehash.sources.yaml_stream import BLANK_AFTER, BOM, CHUNK, LINE_BREAK, Stream

__all__ = ["FALLBACK", "Decode", "Reader"]

#: Returned by a ``decode`` function (:func:`read_part`, :func:`iter_yaml_items`) that cannot decode an item:
#: the exact loader decodes it instead.
FALLBACK: Any = object()

#: ``decode(text)``: what the caller wants for the item whose YAML text (bytes, starting at its ``- `` line)
#: is ``text``, or :data:`FALLBACK`. A ``decode`` with an ``unreadable(text, error)`` attribute also gets
#: the items the exact loader refuses (a syntax error, a bound broken): what it returns stands for the item
#: and the items after it are still read; without it the error ends the read.
Decode = Callable[[bytes], Any]

# Column-0 document markers: libyaml ends a document at every one of them.
_MARKERS = (
    re.compile(rb"\n(---|\.\.\.)" + BLANK_AFTER),  # (a leading newline: searched for quickly)
    re.compile(LINE_BREAK + rb"(---|\.\.\.)" + BLANK_AFTER),
)
_MARKER_HERE = re.compile(rb"(---|\.\.\.)" + BLANK_AFTER)
# Blank, comment and directive lines only (what may precede a document's ``---``).
_PREAMBLE = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n|%[^\n]*\n|[ \t]*(?:#[^\n]*)?\Z)*")
# The top-level ``items:`` key of a List with a block sequence value on the following lines.
_ITEMS_KEY = re.compile(rb"(?:^|\n)items[ \t]*:[ \t]*(?:#[^\n]*)?\r?\n")
_FIRST_ITEM = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*( *)-(?:[ \t\r\n]|\Z)")
_FROM_LINE = re.compile(r"\(from line (\d+),")
_BOUNDARIES: dict[tuple[int, bool], re.Pattern[bytes]] = {}
_LEFT_LINES: dict[int, re.Pattern[bytes]] = {}
_BLANKS = (b" ", b"\t", b"\r", b"\n", b"")


def _boundary(column: int, odd_breaks: bool) -> re.Pattern[bytes]:
    """The next line that starts an item (group 2) or ends the items block, for items at ``column``:
    a ``-`` at the column followed by a blank, or content at the column or left of it; group 1 is the
    line break before it (``odd_breaks``: any of libyaml's, else LF)."""
    found = _BOUNDARIES.get((column, odd_breaks))
    if found is None:
        found = _BOUNDARIES[(column, odd_breaks)] = re.compile(
            rb"(%s)(?:( {%d}-)%s| {0,%d}(?!\xc2\x85|\xe2\x80[\xa8\xa9])[^ \t\r\n#])"
            % (LINE_BREAK if odd_breaks else rb"\n", column, BLANK_AFTER, column)
        )
    return found


class Reader:
    """The documents and items of a YAML stream (see the module docstring)."""

    def __init__(self, s: Stream, decode: Decode | None, *, items_before: Callable[[], int] | None = None) -> None:
        self.s = s
        self.decode = decode
        self.document = 0
        self.next_offset: int | None = None
        #: For a part of a List read by another process (its items numbered from 1): counts the List's items
        #: before the part, so that errors number items in the whole List (counted once, only on an error).
        self.items_before = items_before
        self._before: int | None = None

    @property
    def name(self) -> str:
        return self.s.name

    def documents(self, pos: int = 0) -> Iterator[Any]:
        """Every item (of a List) or document from ``buf[pos]`` to the end of the stream."""
        s = self.s
        if s.base == 0 and pos == 0:
            s.more(0)
            if s.buf.startswith(BOM):
                pos = len(BOM)
        while True:
            if pos >= len(s.buf):
                self._drop(pos)
                pos = 0
                if not s.more(0):
                    return
            end, nxt = self.document_end(pos)
            self.document += 1
            layout = self.list_layout(pos, end)
            if layout is not None:
                at, column = layout
                header, header_line = s.buf[pos:at], s.line(pos)
                self._drop(at)
                after = yield from self.items(0, column, 1, None)
                assert after is not None
                end, nxt = self.document_end(after, inside=True)
                self.check_rest(header, header_line, after, end)
            elif end > pos:
                docs = load_yaml(s.buf[pos:end], name=self.name, document=self.document, line=s.line(pos))
                for doc in docs:
                    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
                        yield from doc["items"]
                    else:
                        yield doc
            pos = nxt
            if pos > CHUNK:
                self._drop(pos)
                pos = 0

    def _drop(self, pos: int) -> None:
        """Forget ``buf[:pos]``."""
        s = self.s
        if pos <= 0:
            return
        if s._line is not None:
            s._line += (
                s.buf.count(b"\n", s._line_at, pos) if pos >= s._line_at else -s.buf.count(b"\n", pos, s._line_at)
            )
            s._line_at = 0
        else:
            s._line_at -= pos
        s.buf = s.buf[pos:]
        s.base += pos

    def document_end(self, pos: int, *, inside: bool = False) -> tuple[int, int]:
        """``(end, next)``: where the document starting at ``buf[pos]`` (``inside``: continuing at
        ``buf[pos]``) ends and the next one starts (for a List larger than the search window, the end of the
        buffer: only its head is looked at)."""
        s = self.s
        search_from = max(0, pos - 3)  # pos is a line start: a marker there follows the line break before it
        while True:
            m = _MARKER_HERE.match(s.buf) if search_from == 0 else None
            if m is None:
                odd = s.odd_breaks
                m = s.search(_MARKERS[odd], search_from)
                if s.odd_breaks and not odd:
                    m = s.search(_MARKERS[True], search_from)
            if m is None:
                end = len(s.buf)
                if end - pos > MAX_ITEM_BYTES and self.list_layout(pos, end) is None:
                    raise YamlInputError(
                        self.name,
                        f"larger than {MAX_ITEM_BYTES} bytes (MAX_ITEM_BYTES) and not a List with block items",
                        document=self.document + 1,
                        line=s.line(pos),
                    )
                return end, end
            at = m.start(1)
            if m.group(1) == b"...":
                eol = s.buf.find(b"\n", at)
                stop = len(s.buf) if eol < 0 else eol + 1
                return stop, stop
            if not inside and (at == pos or _PREAMBLE.fullmatch(s.buf, pos, at)):
                search_from = at + 3  # this ``---`` starts the document itself
                continue
            return at, at

    def list_layout(self, pos: int, end: int) -> tuple[int, int] | None:
        """``(buffer index of the first item, its column)`` when the document at ``buf[pos:end]`` is a List
        with block items; ``None`` otherwise."""
        s = self.s
        m = _ITEMS_KEY.search(s.buf, pos, min(end, pos + MAX_ITEM_BYTES))
        if m is None:
            return None
        first = _FIRST_ITEM.match(s.buf, m.end(), end)
        if first is None:
            return None
        return first.start(1), len(first.group(1))

    def items(self, at: int, column: int, index: int, limit: int | None) -> Generator[Any, None, int | None]:
        """The items from ``buf[at]`` (an item's line) on, numbered from ``index``. Returns (as the
        generator's value) the buffer index where the items block ends, or ``None`` when it stopped before
        an item that starts at file offset ``limit`` or later (``next_offset`` is that item's offset)."""
        s = self.s
        while True:
            if limit is not None and s.base + at >= limit:
                self.next_offset = s.base + at
                return None
            end, is_item = self._boundary(at, column)
            if end - at > MAX_ITEM_BYTES:
                raise YamlInputError(
                    self.name,
                    f"larger than {MAX_ITEM_BYTES} bytes (MAX_ITEM_BYTES)",
                    item=self.number(index),
                    line=s.line(at),
                )
            yield self.item(s.buf[at:end], index, at)
            index += 1
            if not is_item:
                return end
            at = end
            if at > CHUNK:  # keep the buffer at about one chunk
                self._drop(at)
                at = 0

    def _boundary(self, at: int, column: int) -> tuple[int, bool]:
        """Where the item at ``buf[at]`` ends, and whether another item starts there (else the items block
        ends there, or the stream does)."""
        s = self.s
        if not s.odd_breaks:
            # Lines left of the items' content, found quickly (a newline, at most ``column`` spaces, not a
            # space); comment lines and CRLF blank lines among them are passed over.
            pattern = _LEFT_LINES.get(column)
            if pattern is None:
                pattern = _LEFT_LINES[column] = re.compile(rb"\n {0,%d}[^ \n]" % column)
            pos = at
            while True:
                m = s.search(pattern, pos)
                if s.odd_breaks:
                    break  # such a break was read during the search: the general pattern below
                if m is None:
                    return len(s.buf), False
                line, c = m.start() + 1, m.end() - 1
                char = s.buf[c]
                if char == 0x23 or (char in b"\t\r" and c - line <= column):  # '#', a tab, a CRLF blank line
                    pos = c
                    continue
                if char == 0x2D and c - line == column and s.buf[c + 1 : c + 2] in _BLANKS:
                    return line, True
                return line, False
        m = s.search(_boundary(column, True), at)
        if m is None:
            return len(s.buf), False
        return m.end(1), m.group(2) is not None

    def item(self, text: bytes, index: int, at: int) -> Any:
        """One item: ``decode``'s answer, else the exact loader's."""
        if self.decode is not None:
            value = self.decode(text)
            if value is not FALLBACK:
                return value
        try:
            docs = load_yaml(text, name=self.name, item=index)
        except YamlInputError as e:  # again, numbering the lines as in the file (only now worth counting)
            index = self.number(index)
            error = self._not_utf8(text, index, at) or e
            try:
                if error is e:
                    load_yaml(text, name=self.name, item=index, line=self.s.line(at))
            except YamlInputError as numbered:
                error = numbered
            unreadable = getattr(self.decode, "unreadable", None)
            if unreadable is None:
                raise error from None
            return unreadable(text, error)  # the decoder's stand-in for the item; the items after it go on
        if len(docs) != 1 or not isinstance(docs[0], list) or len(docs[0]) != 1:  # pragma: no cover - by the cut
            raise YamlInputError(
                self.name, "not a single sequence entry", item=self.number(index), line=self.s.line(at)
            )
        return docs[0][0]

    def number(self, index: int) -> int:
        """``index`` (an item's number in what this reader reads) as its number in the whole List."""
        if self.items_before is None:
            return index
        if self._before is None:
            self._before = self.items_before()
        return index + self._before

    def _not_utf8(self, text: bytes, index: int, at: int) -> YamlInputError | None:
        """The error of an item (``text`` at ``buf[at]``) that is not UTF-8, worded as for a JSON dump: the first
        bad byte, its offset in the file and its line (libyaml's own words name neither)."""
        try:
            text.decode("utf-8")
            return None
        except UnicodeDecodeError as e:
            line = self.s.line(at) + text.count(b"\n", 0, e.start)
        return YamlInputError(self.name, not_utf8(text, self.s.base + at) or "", item=index, line=line)

    def check_rest(self, header: bytes, header_line: int, after: int, end: int) -> None:
        """Parse the List around its items: ``header`` (the document up to its ``items:`` line, which starts
        at line ``header_line``) with ``items: []``, then the rest of the document, ``buf[after:end]``."""
        s = self.s
        rest = s.buf[after:end]
        if len(header) + len(rest) > MAX_ITEM_BYTES:
            raise YamlInputError(
                self.name,
                f"the List around its items is larger than {MAX_ITEM_BYTES} bytes",
                document=self.document,
                line=s.line(after),
            )
        if _ITEMS_KEY.search(rest):  # (a second key after a line break other than LF is not looked for)
            raise YamlInputError(
                self.name, "a second 'items' key after the items", document=self.document, line=s.line(after)
            )
        m = _ITEMS_KEY.search(header)
        assert m is not None
        head = header[: m.start()] + (b"\n" if m.start() else b"") + b"items: []\n"
        head_lines = head.count(b"\n")
        try:
            docs = load_yaml(head + rest, name=self.name, document=self.document)
        except YamlInputError as e:
            after_line = s.line(after)

            def in_file(n: int) -> int:
                return header_line + n - 1 if n <= head_lines else after_line + n - head_lines - 1

            problem = _FROM_LINE.sub(lambda m: f"(from line {in_file(int(m.group(1)))},", e.problem)
            line = in_file(e.line) if e.line is not None else None
            raise YamlInputError(self.name, problem, document=self.document, line=line, column=e.column) from None
        if len(docs) != 1 or not isinstance(docs[0], dict) or docs[0].get("items") != []:
            raise YamlInputError(
                self.name,
                "the List around its items is not a mapping with one 'items' key",
                document=self.document,
                line=header_line,
            )
