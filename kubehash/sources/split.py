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
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from kubehash.parallel import parallel_map
from kubehash.sources.documents import InputError
from kubehash.sources.stream import _Reader, finish_document, finish_object, iter_items

__all__ = ["map_items"]

R = TypeVar("R")

_HEAD = 8 << 20
_WINDOW = 1 << 20


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


def _run_part(path: str, fn: Callable[[Any], Any], marker: bytes, span: tuple[int, int, bool]) -> _Part:
    """Parse and map the items starting in [a, b) (from ``a`` itself when ``exact``)."""
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
                results.append(fn(r.value()))
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


def map_items(path: str | Path, fn: Callable[[Any], R], *, jobs: int = 1, part_bytes: int = 32 << 20) -> Iterator[R]:
    """``map(fn, iter_items(path))``, with the file split between ``jobs`` processes when it allows.

    ``fn`` must be picklable (a module-level function or a ``functools.partial`` of one) and should
    return something small: results travel back to this process, parsed items do not.
    """
    p = Path(path)
    if jobs <= 1 or str(path) == "-" or not p.is_file():
        yield from map(fn, iter_items(path))
        return
    layout = _layout(p)
    if layout is None:  # YAML, compact JSON, a single object...: parse here, hash there
        yield from parallel_map(fn, iter_items(path), jobs=jobs)
        return
    size = p.stat().st_size
    part = max(1, min(part_bytes, (size - layout.first) // jobs + 1))
    spans = [(a, min(a + part, size), a == layout.first) for a in range(layout.first, size, part)]
    run = partial(_run_part, str(p), fn, layout.marker)
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
