"""Where a file stops being UTF-8: the exact byte offset of the first invalid sequence, for error messages.

An item of a dump with a byte that is not UTF-8 is read with the byte as a stand-in character (Python's
``surrogateescape``) and becomes an error row naming the byte (:func:`not_utf8_pod`); the dump goes on.

A text reader decodes in chunks, so the position in its :class:`UnicodeDecodeError` is relative to a chunk (or
to a worker's part of the file with ``--jobs``), not to the file. :func:`utf8_error` rescans the file in binary
and reports the offset from the start of the file, the same whichever reader met the bad byte.
"""

from __future__ import annotations

import codecs
import os
import re
from typing import Any

from kubehash.model import FlawedPod

__all__ = ["STAND_IN", "not_utf8", "not_utf8_pod", "utf8_error"]

#: What a text layer reading with ``surrogateescape`` puts for a byte that is not UTF-8: U+DC80..U+DCFF. Valid
#: UTF-8 never decodes to a surrogate, so each of these characters is one bad byte.
STAND_IN = re.compile("[\udc80-\udcff]")

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
    return _no_offset(fallback)


def _no_offset(e: UnicodeDecodeError) -> str:
    bad = e.object[e.start : e.end]
    return f"{e.reason}" + (f" (byte 0x{bytes(bad)[0]:02x})" if bad else "")


def not_utf8_pod(item: Any, text: bytes, offset: int | None) -> Any:
    """An item of a dump whose bytes ``text`` (at ``offset`` in the file, ``None``: unknown) are not all UTF-8,
    read with each bad byte as a stand-in character: a pod comes back as a :class:`~kubehash.model.FlawedPod`
    naming the first bad byte -- its containers get error rows, the items after it are still read (the API
    server only writes UTF-8: such a byte is damage to that pod, not the end of the dump); anything else as
    it is."""
    if type(item) is not dict and type(item) is not FlawedPod:
        return item
    where = not_utf8(text, offset)
    if where is None:
        return item
    flawed = FlawedPod(item)
    flawed.problems = (*(item.problems if type(item) is FlawedPod else ()), f"{where}: the pod cannot be predicted")
    kind = item.get("kind")
    flawed.kind_damaged = isinstance(kind, str) and STAND_IN.search(kind) is not None
    return flawed


def not_utf8(text: bytes, offset: int | None) -> str | None:
    """``not UTF-8 text: <reason> (byte 0xNN at offset N)`` for the first invalid UTF-8 in ``text`` (at ``offset``
    in the file; ``None``: unknown, no offset given), or ``None`` when it is all UTF-8."""
    try:
        text.decode("utf-8")
        return None
    except UnicodeDecodeError as e:
        bad = e.object[e.start : e.end]
        where = _describe(offset + e.start, bytes(bad), e.reason) if offset is not None else _no_offset(e)
    return f"not UTF-8 text: {where}"
