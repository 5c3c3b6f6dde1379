"""A YAML dump as a byte stream read ahead in chunks, with lazily counted line numbers.

:class:`Stream` keeps the unread part of a file (or standard input) in a buffer that the readers of
:mod:`kubehash.sources.yaml_reader` search with regular expressions and cut into items and documents; it
notes whether a line break other than LF and CRLF was read (libyaml also breaks lines at a lone CR, NEL,
LINE SEPARATOR and PARAGRAPH SEPARATOR, :data:`LINE_BREAK`), so the commoner case can use faster patterns.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import BinaryIO

from kubehash.errors import InputError
from kubehash.sources.yaml_loader import MAX_ITEM_BYTES

__all__ = ["BLANK_AFTER", "BOM", "CHUNK", "LINE_BREAK", "Stream", "open_source"]

#: Bytes read at a time.
CHUNK = 1 << 20
BOM = b"\xef\xbb\xbf"
# Line breaks as libyaml reads them (NEL, LINE and PARAGRAPH SEPARATOR and a lone CR too), and what may
# follow an indicator.
LINE_BREAK = rb"(?:\n|\r(?!\n)|\xc2\x85|\xe2\x80[\xa8\xa9])"
BLANK_AFTER = rb"(?=[ \t\r\n]|\xc2\x85|\xe2\x80[\xa8\xa9]|\Z)"


class Stream:
    """A binary stream read ahead in chunks: ``buf`` holds the stream from file offset ``base`` on."""

    def __init__(self, f: BinaryIO, name: str, *, base: int = 0, line: int | None = 1, chunk: int = CHUNK) -> None:
        self.f, self.name, self.chunk = f, name, chunk
        self.buf = b""
        self.base = base
        self.eof = False
        # Whether a line break other than LF and CRLF has been read: patterns that start at a newline are
        # much faster to search for, and serve until then.
        self.odd_breaks = False
        # Lines are counted lazily: ``line`` is the 1-based line number at ``buf[line_at]`` (None: unknown
        # until asked, then counted from the start of the file -- only a part that reports an error does that).
        self._line = line
        self._line_at = 0

    def more(self, keep: int) -> bool:
        """Read a chunk after the buffer, dropping ``buf[:keep]``; False at the end of the stream."""
        if self.eof:
            return False
        data = self.f.read(self.chunk)
        if not data:
            self.eof = True
            return False
        if not self.odd_breaks:
            self.odd_breaks = _has_odd_breaks(data)
        if keep > 0:
            if self._line is not None:
                self._line += self.buf.count(b"\n", self._line_at, keep)
                self._line_at = 0
            else:
                self._line_at -= keep
            self.buf = self.buf[keep:] + data
            self.base += keep
        else:
            self.buf += data
        return True

    def line(self, i: int) -> int:
        """The 1-based line number of ``buf[i]``."""
        if self._line is None:
            self._line = _count_lines(self.name, self.base) + 1
            self._line_at = 0
        if i >= self._line_at:
            return self._line + self.buf.count(b"\n", self._line_at, i)
        return self._line - self.buf.count(b"\n", i, self._line_at)

    def search(self, pattern: re.Pattern[bytes], start: int, *, lookahead: int = 8) -> re.Match[bytes] | None:
        """The first match at or after ``start``, reading more as needed (a match within ``lookahead`` bytes
        of the end of the buffer is confirmed with more data first). Drops nothing."""
        pos = start
        while True:
            m = pattern.search(self.buf, pos)
            if m is not None and (m.end() + lookahead <= len(self.buf) or self.eof):
                return m
            if m is None and self.eof:
                return None
            if len(self.buf) - start > MAX_ITEM_BYTES + CHUNK:
                return m
            pos = max(start, len(self.buf) - 256)
            if not self.more(0):
                pos = start  # search the final buffer once more, this time accepting matches at its end


def _has_odd_breaks(data: bytes) -> bool:
    """Whether ``data`` holds a line break other than LF or CRLF (a lone CR, NEL, LS, PS)."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return True
    return not data.isascii() and (b"\xc2\x85" in data or b"\xe2\x80\xa8" in data or b"\xe2\x80\xa9" in data)


def _count_lines(name: str, offset: int) -> int:
    """Newlines in the first ``offset`` bytes of the file ``name``."""
    n = 0
    with open(name, "rb") as f:
        left = offset
        while left > 0:
            block = f.read(min(left, 8 << 20))
            if not block:
                break
            n += block.count(b"\n")
            left -= len(block)
    return n


# Line breaks as libyaml reads them (NEL, LINE and PARAGRAPH SEPARATOR and a lone CR too), and what may


def open_source(source: str | Path | BinaryIO) -> tuple[BinaryIO, str, bool]:
    """``(stream, name, owned)`` for a path, ``-`` (standard input) or a binary stream (owned: to close)."""
    if not isinstance(source, (str, Path)):
        return (
            source,
            getattr(source, "name", "<stream>") if isinstance(getattr(source, "name", None), str) else "<stream>",
            False,
        )
    if str(source) == "-":
        return sys.stdin.buffer, "<stdin>", False
    try:
        return open(source, "rb"), str(source), True
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory") from None
    except OSError as e:
        raise InputError(f"{source}: cannot read: {e.strerror or e}") from None
