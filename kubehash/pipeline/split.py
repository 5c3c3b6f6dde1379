"""Map a function over the items of a huge List dump, in N processes when the dump is a regular file.

Parsing is the bulk of the work for a 150k-pod dump, so splitting it is what makes ``--jobs`` pay off;
sending parsed pods between processes would cost as much as parsing them. Items are cut out of the bytes by
the document's marker (:mod:`kubehash.sources.scan`, compact or indented JSON alike):

* one process: the scan reads the input once, from its head on (a pipe works too);
* N processes (a regular file only): the byte range after the first item is cut into parts; a worker seeks
  to the first marker in its part and maps the items that start there, reporting where the next item
  starts. The parent checks that every part starts exactly where the previous one said the next item starts,
  and that the array ends once; if a check fails it maps the rest of the file itself from the last verified
  item boundary.

When the scan cannot go on (a piece does not decode), the streaming reader
(:func:`~kubehash.sources.stream.iter_items`) takes over, so results -- and error messages -- are always what
a sequential ``map(fn, iter_items(path))`` gives, in the same order. Input that is not a JSON List (a single
object, YAML) is read by the streaming reader in one process.
"""

from __future__ import annotations

import io
import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, overload

from kubehash.errors import InputError
from kubehash.pipeline.parallel import parallel_map
from kubehash.pipeline.yaml_split import map_yaml_items
from kubehash.sources import yaml_items
from kubehash.sources.opened import OpenedInput, open_input
from kubehash.sources.scan import Bail, Decode, Layout, Scan, detect_layout, find_start
from kubehash.sources.stream import (
    _BytesChain,
    _NamedReader,
    _Reader,
    finish_document,
    finish_object,
    iter_items,
    iter_opened,
    read_item,
    text_stream,
)
from kubehash.sources.utf8pos import utf8_error

__all__ = ["can_split", "map_items"]

R = TypeVar("R")

_WINDOW = 1 << 20


@dataclass
class _Part:
    start: int | None  # byte offset of the first item mapped (None: no item starts in the part)
    results: list[Any]
    next: int | None  # byte offset of the item after the last one mapped (None: the array ended)
    after: int | None  # byte offset just after the closing ']' if this part saw it


def can_split(opened: OpenedInput) -> bool:
    """Whether ``opened`` can be split between processes: a regular file holding a JSON List, or a YAML List
    with block items (``kubectl get -o yaml``)."""
    if opened.path is None:
        return False
    if opened.is_json:
        return detect_layout(opened.head) is not None
    return yaml_items.yaml_layout(opened.path) is not None


@overload
def map_items(
    source: OpenedInput | str | os.PathLike[str],
    fn: Callable[[Any], R],
    *,
    jobs: int = 1,
    part_bytes: int = 32 << 20,
    decode: Decode | None = None,
    yaml_decode: Callable[[bytes], Any] | None = None,
) -> Iterator[R]: ...


@overload
def map_items(
    source: OpenedInput | str | os.PathLike[str],
    fn: None,
    *,
    jobs: int = 1,
    part_bytes: int = 32 << 20,
    decode: Decode | None = None,
    yaml_decode: Callable[[bytes], Any] | None = None,
) -> Iterator[Any]: ...


def map_items(
    source: OpenedInput | str | os.PathLike[str],
    fn: Callable[[Any], Any] | None,
    *,
    jobs: int = 1,
    part_bytes: int = 32 << 20,
    decode: Decode | None = None,
    yaml_decode: Callable[[bytes], Any] | None = None,
) -> Iterator[Any]:
    """``map(fn, iter_items(source))``, with the file split between ``jobs`` processes when it allows.

    ``source``: a path (``-``: standard input) or an :class:`~kubehash.sources.opened.OpenedInput` (closed
    when done). ``fn`` must be picklable (a module-level function or a ``functools.partial`` of one) and
    should return something small: results travel back to this process, parsed items do not. ``decode``
    (also picklable) may turn an item's bytes into what ``fn`` gets instead of the fully parsed item -- ``fn``
    must give the same result for both -- or return ``None`` for the exact loader. ``yaml_decode`` does the
    same for one YAML item's text (:func:`kubehash.sources.yaml_views.decode_pod`). ``fn=None``: the items
    themselves, in this process.
    """
    opened = source if isinstance(source, OpenedInput) else open_input(source)
    if fn is None:
        fn, jobs = _same, 1
    with opened:
        if not opened.is_json:  # YAML: libyaml item by item, a regular file split between the processes
            if opened.path is not None:
                yield from map_yaml_items(opened.path, fn, jobs=jobs, decode=yaml_decode, part_bytes=part_bytes)
            else:
                stream = _NamedReader(_BytesChain(opened.head, opened.stream), opened.name)
                yield from map(fn, yaml_items.iter_yaml_items(stream, decode=yaml_decode))
            return
        layout = detect_layout(opened.head)
        if layout is None:  # a single object, a list of one...: the streaming reader, in this process
            yield from map(fn, iter_opened(opened))
        elif jobs <= 1 or opened.path is None:
            yield from _sequential(opened, fn, layout, decode)
        else:
            yield from _parallel(opened.path, fn, layout, decode, jobs, part_bytes)


def _same(item: Any) -> Any:
    return item


def _sequential(opened: OpenedInput, fn: Callable[[Any], R], layout: Layout, decode: Decode | None) -> Iterator[R]:
    """``map(fn, ...)`` in this process by one scan of the input; the streaming reader after a bail."""
    prefix = opened.head[layout.first - 1 :]
    scan = Scan(opened.stream, layout.first, 1 << 62, layout, decode, prefix=prefix)
    try:
        for item in scan:
            yield fn(item)
        _tail(scan, opened.name)
    except Bail as e:
        if opened.path is not None:  # a file: its error messages are the streaming reader's, from the top
            for item in itertools.islice(iter_items(opened.path), e.done, None):
                yield fn(item)
            return
        name = f"{opened.name} (from item {e.done + 1})"
        reader = _Reader(text_stream(e.rest, opened.stream), name, _WINDOW)
        reader.offsets = False  # it starts at the item the scan stopped at, not at the start of the stream
        try:
            for item in _rest_of_array(reader):
                yield fn(item)
            finish_object(reader)
            finish_document(reader)
        except UnicodeDecodeError as u:  # a pipe: it cannot be read again for the exact offset
            raise InputError(f"{name}: not UTF-8 text: {utf8_error(None, u)}") from None


def _tail(scan: Scan, name: str) -> None:
    """The rest of the document after the items array: ``(, "key": value)* }`` and nothing more."""
    reader = _Reader(io.StringIO(scan.tail), name, _WINDOW)
    try:
        finish_object(reader)
        finish_document(reader)
    except InputError:
        raise Bail(scan.count) from None  # the streaming reader words the error


def _rest_of_array(r: _Reader) -> Iterator[Any]:
    """Items from an item start to the end of the array (its ``]`` consumed)."""
    while True:
        yield read_item(r)
        if r.expect(",]") == "]":
            return


def _parallel(
    path: Path, fn: Callable[[Any], R], layout: Layout, decode: Decode | None, jobs: int, part_bytes: int
) -> Iterator[R]:
    size = path.stat().st_size
    part = max(1, min(part_bytes, (size - layout.first) // jobs + 1))
    spans = [(a, min(a + part, size), a == layout.first) for a in range(layout.first, size, part)]
    run = partial(_scan_part, str(path), fn, layout, decode)
    expected: int | None = layout.first
    after: int | None = None
    parts = parallel_map(run, spans, jobs=jobs, chunk_size=1)
    done = 0
    broken = False
    try:
        for got in parts:
            if after is not None or expected is None:
                break  # parts after the end of the array
            if got.start is None:
                continue
            if got.start != expected:
                break  # inconsistent layout: finish sequentially from the last verified boundary
            yield from got.results
            done += len(got.results)
            expected, after = got.next, got.after
    except InputError:
        broken = True
    finally:
        parts.close()  # stops the worker pool
    if broken:
        # A part that cannot be read (truncated, not UTF-8...): the file is read again from the top as one
        # process reads it, so the error names the same place and the same items before it are kept.
        with open_input(path) as opened:
            yield from map(fn, itertools.islice(_sequential(opened, _same, layout, decode), done, None))
        return
    if after is None:
        if expected is None:  # pragma: no cover - a part that ended the array always reports where
            raise InputError(f"{path}: items array ended without a position")
        rest = _run_part(str(path), fn, layout, (expected, size + 1, True))
        yield from rest.results
        after = rest.after
    if after is None:
        raise InputError(f"{path}: invalid JSON: the items array is not closed")
    with path.open("rb") as raw:
        raw.seek(after)
        r = _Reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""), str(path), _WINDOW)
        finish_object(r)
        finish_document(r)


def _scan_part(
    path: str, fn: Callable[[Any], Any], layout: Layout, decode: Decode | None, span: tuple[int, int, bool]
) -> _Part:
    """:func:`_run_part` by the byte scan; the streaming reader finishes the part if the scan bails."""
    a, b, exact = span
    with open(path, "rb") as raw:
        start = a if exact else find_start(raw, a, b, layout)
        if start is None:
            return _Part(None, [], None, None)
        scan = Scan(raw, start, b, layout, decode)
        results: list[Any] = []
        try:
            for item in scan:
                results.append(fn(item))
        except Bail as e:
            rest = _run_part(path, fn, layout, (start, b, True), skip=e.done)
            return _Part(start, results + rest.results, rest.next, rest.after)
        return _Part(start, results, scan.next, scan.after)


def _run_part(path: str, fn: Callable[[Any], Any], layout: Layout, span: tuple[int, int, bool], skip: int = 0) -> _Part:
    """Parse and map the items starting in [a, b) (from ``a`` itself when ``exact``) with the streaming
    reader; the first ``skip`` items are parsed but not mapped."""
    a, b, exact = span
    with open(path, "rb") as raw:
        start = a if exact else find_start(raw, a, b, layout)
        if start is None:
            return _Part(None, [], None, None)
        raw.seek(start)
        r = _Reader(io.TextIOWrapper(raw, encoding="utf-8", newline=""), f"{path} (from byte {start})", _WINDOW)
        results: list[Any] = []
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
            raise InputError(f"{path}: not UTF-8 text: {utf8_error(path, e)}") from None
