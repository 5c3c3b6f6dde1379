"""Stream the items of a huge ``kubectl get -o json`` List without loading the whole document.

The top-level object is scanned member by member; the ``items`` array is decoded one element at a time
with the C-accelerated ``json`` scanner (``JSONDecoder.raw_decode`` on a sliding text buffer), so peak
memory is one item plus the read buffer. Numbers keep the project's semantics
(:func:`kubehash.golang.jsonvalue.loads`): non-integer literals become ``RawFloat`` with their text.

A top-level array streams its elements; any other JSON value is yielded whole. Input that is not JSON
(YAML) is handed to :func:`kubehash.sources.documents.parse_documents` and its documents are yielded.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TextIO

from kubehash.errors import InputError
from kubehash.golang.jsonvalue import RawFloat
from kubehash.limits import MAX_READ_AHEAD, cut, json_text_violations, value_end
from kubehash.model import FlawedPod
from kubehash.sources.utf8pos import STAND_IN, not_utf8, not_utf8_pod, utf8_error

if TYPE_CHECKING:
    from kubehash.sources.opened import OpenedInput

__all__ = ["iter_items", "iter_json_items", "read_item"]

_DECODER = json.JSONDecoder(parse_float=RawFloat)
_WS = re.compile(r"[ \t\n\r]*")
_NUMBER_TAIL = re.compile(r"[0-9.eE+-]*")
_CHUNK = 1 << 20
#: The API server refuses objects beyond a few MiB; a value this large is a corrupt document.
_MAX_VALUE = MAX_READ_AHEAD


class _Reader:
    """A text buffer over a stream: ``buf[pos:]`` is unread; ``more()`` appends a chunk."""

    def __init__(self, f: TextIO, name: str, chunk_size: int) -> None:
        self.f = f
        self.name = name
        self.chunk = chunk_size
        self.buf = ""
        self.pos = 0
        self.base = 0  # characters dropped from the front of buf
        self.eof = False
        self._mark = 0  # buf index whose UTF-8 byte offset in the stream is _mark_bytes
        self._mark_bytes = 0
        #: Byte offsets in the stream are the file's (not so for a pipe read from the middle).
        self.offsets = True

    def more(self, size: int | None = None, *, compact: bool = False) -> bool:
        """Append a chunk; drop the consumed prefix when it is most of the buffer (or ``compact``)."""
        if self.eof:
            return False
        data = self.f.read(size or self.chunk)
        if not data:
            self.eof = True
            return False
        if self.pos > len(self.buf) // 2 or (compact and self.pos):
            self.byte_offset()
            self.base += self.pos
            self.buf = self.buf[self.pos :]
            self.pos = 0
            self._mark = 0
        self.buf += data
        return True

    def byte_offset(self) -> int:
        """UTF-8 bytes of the stream before the current position (counted incrementally)."""
        seg = self.buf[self._mark : self.pos]
        self._mark_bytes += len(seg) if seg.isascii() else len(seg.encode("utf-8", "surrogateescape"))
        self._mark = self.pos
        return self._mark_bytes

    def error(self, what: str) -> InputError:
        return InputError(f"{self.name}: invalid JSON at character {self.base + self.pos}: {what}")

    def peek(self) -> str:
        """The next non-whitespace character ('' at the end), consuming the whitespace."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self.more():
                return ""

    def expect(self, chars: str) -> str:
        c = self.peek()
        if not c or c not in chars:
            raise self.error(f"expected {' or '.join(repr(x) for x in chars)}, found {c or 'end of input'!r}")
        self.pos += 1
        return c

    def value(self) -> Any:
        """Decode one JSON value at the current position, reading more text until it is complete."""
        self.peek()
        grow = self.chunk
        while True:
            try:
                v, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as e:
                # Compacting first keeps the next failure cheap: JSONDecodeError counts the lines before it.
                if len(self.buf) - self.pos < _MAX_VALUE and self.more(grow, compact=True):
                    grow *= 2  # an item bigger than the buffer: grow geometrically, not quadratically
                    continue
                raise InputError(f"{self.name}: invalid JSON at character {self.base + e.pos}: {e.msg}") from None
            except (RecursionError, ValueError) as e:  # too deep for Python, or an integer it cannot convert
                return self._bounded(e, grow)
            # A value touching the end of the buffer may continue in the next chunk ("1" of "12", or "-0"
            # of "-0.5" when the buffer ends at the ".").
            tail = end
            if type(v) in (int, RawFloat):
                tail = _NUMBER_TAIL.match(self.buf, end).end()  # type: ignore[union-attr]
            if tail == len(self.buf) and self.more(grow):
                continue
            self.pos = end
            return v

    def _bounded(self, error: BaseException, grow: int) -> Any:
        """The value at the current position, which Python's decoder refused, with the parts beyond a bound of
        :mod:`kubehash.limits` replaced by ``null`` (an object comes as a :class:`~kubehash.model.FlawedPod`
        naming them: its containers get error rows)."""
        end = value_end(self.buf, self.pos)
        while end is None:
            if len(self.buf) - self.pos >= MAX_READ_AHEAD or not self.more(grow, compact=True):
                raise self.error(f"cannot be read ({type(error).__name__}: {error})")
            grow *= 2
            end = value_end(self.buf, self.pos)
        found = json_text_violations(self.buf, self.pos, end)
        if not found:
            raise self.error(f"cannot be read ({type(error).__name__}: {error})")
        shifted = [dataclasses.replace(v, start=v.start - self.pos, end=v.end - self.pos) for v in found]
        try:
            v, _ = _DECODER.raw_decode(cut(self.buf[self.pos : end], shifted))
        except (RecursionError, ValueError):
            raise self.error("; ".join(map(str, found))) from None
        self.pos = end
        if type(v) is dict:
            v = FlawedPod(v)
            v.problems = tuple(map(str, found))
        return v


def _array(r: _Reader) -> Iterator[Any]:
    """Elements of the array whose '[' was just consumed."""
    if r.peek() == "]":
        r.pos += 1
        return
    while True:
        yield read_item(r)
        if r.expect(",]") == "]":
            return


def _utf8_value(r: _Reader) -> Any:
    """A value outside the items (a member of the List): one holding bytes that are not UTF-8 is an error of
    the document."""
    v, damaged, offset = _value(r)
    if damaged is not None:
        raise InputError(f"{r.name}: {not_utf8(damaged, offset)}")
    return v


def read_item(r: _Reader) -> Any:
    """The array element at the current position; one holding bytes that are not UTF-8 as
    :func:`~kubehash.sources.utf8pos.not_utf8_pod` makes it (the bad byte's offset in the stream when
    ``r.offsets`` is set)."""
    v, damaged, offset = _value(r)
    return v if damaged is None else not_utf8_pod(v, damaged, offset)


def _value(r: _Reader) -> tuple[Any, bytes | None, int | None]:
    """The value at the current position, and -- when its text holds a stand-in for a byte that is not UTF-8
    -- its bytes and their offset in the stream (``None`` when ``r.offsets`` is not set)."""
    r.peek()
    start = r.base + r.pos  # r.value() may drop the text before the value from the buffer
    v = r.value()
    if not STAND_IN.search(r.buf, start - r.base, r.pos):
        return v, None, None
    text = r.buf[start - r.base : r.pos].encode("utf-8", "surrogateescape")
    return v, text, r.byte_offset() - len(text) if r.offsets else None


def iter_json_items(f: TextIO, *, name: str = "<input>", chunk_size: int = _CHUNK) -> Iterator[Any]:
    """Items of the List in JSON text ``f``; elements of a top-level array; otherwise the value itself."""
    r = _Reader(f, name, chunk_size)
    first = r.peek()
    if first == "[":
        r.pos += 1
        yield from _array(r)
    elif first == "{":
        r.pos += 1
        members: dict[str, Any] = {}
        streamed = False
        if r.peek() == "}":
            r.pos += 1
        else:
            while True:
                if r.peek() != '"':
                    raise r.error("expected an object key")
                key = r.value()
                r.expect(":")
                if key == "items" and not streamed and r.peek() == "[":
                    r.pos += 1
                    streamed = True
                    yield from _array(r)
                else:
                    members[key] = _utf8_value(r)
                if r.expect(",}") == "}":
                    break
        if not streamed:
            yield members
    elif first:
        yield r.value()
    else:
        raise r.error("empty input")
    finish_document(r)


def finish_document(r: _Reader) -> None:
    """Nothing but whitespace may follow the document."""
    if r.peek():
        raise r.error("extra data after the document")


def finish_object(r: _Reader) -> None:
    """The rest of an object after a member value: ``(, "key": value)* }``, values decoded and dropped."""
    while r.expect(",}") == ",":
        if r.peek() != '"':
            raise r.error("expected an object key")
        r.value()
        r.expect(":")
        _utf8_value(r)


def iter_items(path: str | Path, *, chunk_size: int = _CHUNK) -> Iterator[Any]:
    """Items of a ``kubectl get -o json`` dump at ``path`` ('-' for stdin), streamed when it is JSON.

    YAML input is parsed whole by :func:`~kubehash.sources.documents.parse_documents` and each document is
    yielded (Lists among them are expanded into their items).
    """
    from kubehash.sources.opened import open_input

    with open_input(path) as opened:
        yield from iter_opened(opened, chunk_size=chunk_size)


def iter_opened(opened: OpenedInput, *, chunk_size: int = _CHUNK) -> Iterator[Any]:
    """:func:`iter_items` of an input already opened (its head read)."""
    name = opened.name
    try:
        if opened.is_json:
            yield from iter_json_items(text_stream(opened.head, opened.stream), name=name, chunk_size=chunk_size)
            return
        from kubehash.sources.yaml_items import iter_yaml_items

        yield from iter_yaml_items(_NamedReader(_BytesChain(opened.head, opened.stream), name))
    except UnicodeDecodeError as e:
        raise InputError(f"{name}: not UTF-8 text: {utf8_error(opened.path, e)}") from None


def text_stream(first: bytes, rest: BinaryIO) -> TextIO:
    """The UTF-8 text of ``first`` (bytes already read) followed by the rest of the binary stream ``rest``; a byte
    that is not UTF-8 is read as a stand-in character (``surrogateescape``: each item holding one becomes an
    error row, :func:`~kubehash.sources.utf8pos.not_utf8_pod`)."""
    return io.TextIOWrapper(
        io.BufferedReader(_BytesChain(first, rest)), encoding="utf-8", errors="surrogateescape", newline=""
    )


class _NamedReader(io.BufferedReader):
    """A buffered reader whose ``name`` is the input's (errors name it)."""

    def __init__(self, raw: io.RawIOBase, name: str) -> None:
        super().__init__(raw)
        self._name = name

    @property
    def name(self) -> str:
        return self._name


class _BytesChain(io.RawIOBase):
    """``first``, then ``rest``, as one raw binary stream."""

    def __init__(self, first: bytes, rest: BinaryIO) -> None:
        self.first, self.rest = memoryview(first), rest

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        if len(self.first):
            n = min(len(b), len(self.first))
            b[:n] = self.first[:n]
            self.first = self.first[n:]
            return n
        data = self.rest.read(len(b))
        b[: len(data)] = data
        return len(data)
