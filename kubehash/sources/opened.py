"""Opening a ``--pods`` input once: a regular file, standard input (``-``), or a pipe such as
``<(kubectl get pods -A -o json)``.

A pipe can be read only once, so the input is opened here, its head read into memory and every decision
made from the head -- is it a kubehash snapshot (:data:`~kubehash.sources.snapshot.MAGIC`), JSON or YAML, a
List whose items can be cut out of the bytes (:func:`~kubehash.sources.scan.detect_layout`) -- before the
rest is read from the same stream. Only a regular file can be split between processes (parts are found by
seeking); a pipe is read in one pass.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kubehash.errors import InputError
from kubehash.sources.scan import HEAD_BYTES

__all__ = ["OpenedInput", "open_input"]


@dataclass
class OpenedInput:
    """An input opened for one pass: ``head`` is its first bytes, ``stream`` is positioned just after them.
    ``path`` is set for a regular file (which can be reopened, sought and split), ``None`` for a pipe."""

    name: str
    head: bytes
    stream: BinaryIO
    path: Path | None
    size: int | None

    def close(self) -> None:
        if self.stream is not sys.stdin.buffer:
            self.stream.close()

    def __enter__(self) -> OpenedInput:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def is_json(self) -> bool:
        return self.head.lstrip(b" \t\r\n\xef\xbb\xbf")[:1] in (b"{", b"[")

    def read_all(self) -> bytes:
        """The whole input (head included), for inputs that are parsed whole (snapshots)."""
        return self.head + self.stream.read()


def open_input(source: str | os.PathLike[str], *, head_bytes: int = HEAD_BYTES) -> OpenedInput:
    """Open ``source`` (``-`` is standard input) and read its head (up to ``head_bytes``); an
    :class:`~kubehash.errors.InputError` naming it when it cannot be opened or read."""
    text = os.fspath(source)
    if text == "-":
        stream: BinaryIO = sys.stdin.buffer
        return OpenedInput("<stdin>", _head(stream, head_bytes, "<stdin>"), stream, None, None)
    p = Path(text)
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{p}: is a directory")
        stream = p.open("rb")
    except InputError:
        raise
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None
    regular = stat.S_ISREG(st.st_mode)
    head = _head(stream, head_bytes, str(p))
    return OpenedInput(str(p), head, stream, p if regular else None, st.st_size if regular else None)


def _head(stream: BinaryIO, n: int, name: str) -> bytes:
    """Up to ``n`` bytes: a pipe may return fewer per read, so read until ``n`` or the end."""
    parts: list[bytes] = []
    got = 0
    try:
        while got < n:
            chunk = stream.read(n - got)
            if not chunk:
                break
            parts.append(chunk)
            got += len(chunk)
    except OSError as e:
        raise InputError(f"{name}: cannot read: {e.strerror or e}") from None
    return b"".join(parts)
