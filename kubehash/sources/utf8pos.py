"""Where a file stops being UTF-8: the exact byte offset of the first invalid sequence, for error messages.

A text reader decodes in chunks, so the position in its :class:`UnicodeDecodeError` is relative to a chunk (or
to a worker's part of the file with ``--jobs``), not to the file. :func:`utf8_error` rescans the file in binary
and reports the offset from the start of the file, the same whichever reader met the bad byte.
"""

from __future__ import annotations

import codecs
import os

__all__ = ["utf8_error"]

_BLOCK = 1 << 20


def _describe(at: int, bad: bytes, reason: str) -> str:
    return f"{reason} (byte 0x{bad[0]:02x} at offset {at})" if bad else f"{reason} at offset {at}"


def utf8_error(path: str | os.PathLike[str] | None, fallback: UnicodeDecodeError) -> str:
    """``<reason> (byte 0xNN at offset N)`` for the first invalid UTF-8 in the regular file ``path``; when the
    file cannot be read again (a pipe, ``None``), the reason alone, without a position that may be wrong."""
    if path is not None:
        try:
            with open(path, "rb") as f:
                decoder = codecs.getincrementaldecoder("utf-8")()
                offset = 0
                while True:
                    block = f.read(_BLOCK)
                    pending = len(decoder.getstate()[0])
                    try:
                        decoder.decode(block, final=not block)
                    except UnicodeDecodeError as e:
                        data = e.object[e.start : e.end]
                        return _describe(offset - pending + e.start, bytes(data), e.reason)
                    if not block:
                        break
                    offset += len(block)
        except OSError:
            pass
    bad = fallback.object[fallback.start : fallback.end]
    return f"{fallback.reason}" + (f" (byte 0x{bytes(bad)[0]:02x})" if bad else "")
