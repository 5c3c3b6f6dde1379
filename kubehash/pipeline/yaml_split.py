"""Map a function over the items of a ``kubectl get -o yaml`` dump file, split between processes when its
first document is a List with block items (:mod:`kubehash.sources.yaml_items` finds the parts and reads them;
the parent checks that every part starts where the previous one ended, as :mod:`kubehash.pipeline.split`
does for JSON, and reads the rest itself from the last checked item when one does not)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar, cast

from kubehash.pipeline.parallel import parallel_map
from kubehash.sources.yaml_items import (
    Decode,
    YamlLayout,
    YamlPart,
    iter_yaml_items,
    read_part,
    read_rest,
    yaml_layout,
)

__all__ = ["map_yaml_items"]

R = TypeVar("R")


def map_yaml_items(
    path: str | Path,
    fn: Callable[[Any], R],
    *,
    jobs: int = 1,
    decode: Decode | None = None,
    part_bytes: int = 32 << 20,
) -> Iterator[R]:
    """``map(fn, iter_yaml_items(path, decode=decode))``, the file split between ``jobs`` processes when its
    first document is a List with block items. ``fn`` and ``decode`` must be picklable."""
    layout = yaml_layout(path) if jobs > 1 else None
    if layout is None:
        yield from parallel_map(fn, iter_yaml_items(path, decode=decode), jobs=jobs)
        return
    size = Path(path).stat().st_size
    part = max(1, min(part_bytes, (size - layout.first) // jobs + 1))
    spans = [(a, min(a + part, size + 1), a == layout.first) for a in range(layout.first, size, part)]
    run = partial(_run_part, str(path), layout, fn, decode)
    expected: int | None = layout.first
    after: int | None = None
    parts = cast(Generator[YamlPart, None, None], parallel_map(run, spans, jobs=jobs, chunk_size=1))
    try:
        for got in parts:
            if after is not None or expected is None:
                break
            if got.start is None:
                continue
            if got.start != expected:
                break  # not where the previous part ended: read the rest here, from the last checked item
            yield from got.results
            expected, after = got.next, got.after
    finally:
        parts.close()
    if after is None:
        assert expected is not None
        rest = read_part(path, layout, expected, size + 1, exact_start=True, decode=decode, fn=fn)
        yield from rest.results
        after = rest.after
        assert after is not None
    yield from map(fn, read_rest(path, layout, after, decode=decode))


def _run_part(
    path: str, layout: YamlLayout, fn: Callable[[Any], Any], decode: Decode | None, span: tuple[int, int, bool]
) -> YamlPart:
    a, b, exact = span
    return read_part(path, layout, a, b, exact_start=exact, decode=decode, fn=fn)
