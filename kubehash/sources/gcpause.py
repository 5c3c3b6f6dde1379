"""Pausing Python's cyclic garbage collector while a large document is built.

Parsing a 10k-pod dump creates millions of dicts and lists, none of them garbage; each allocation
threshold crossed triggers a collection that walks all of them again, which costs more than the parsing
itself. The collector is re-enabled (if it was enabled) when the block ends; with ``freeze=True`` the objects
that survived the block are first moved out of its reach (``gc.freeze``): otherwise the first collections
after it walk all of them (the allocation count kept growing while it was off), which cost a second or more
at 150k pods. They are still freed when no longer referenced; only a reference cycle among them would outlive the run.

:func:`gc_relaxed` is the milder form for long streaming runs (``predict`` over a 150k-pod dump): the
collector stays on, but only runs every ``threshold`` net allocations instead of 700, so cyclic garbage
(rare here) is still reclaimed while the growing results and caches are not walked over and over.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused", "gc_relaxed"]


@contextlib.contextmanager
def gc_paused(*, freeze: bool = False) -> Iterator[None]:
    """The collector off while the block runs; with ``freeze`` (a command's one big run, not a library call
    made again and again), what survived the block is frozen before the collector is back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if freeze:
                gc.freeze()
            gc.enable()


@contextlib.contextmanager
def gc_relaxed(threshold: int = 50_000) -> Iterator[None]:
    """Collect generation 0 every ``threshold`` allocations (at least) while the block runs."""
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], threshold), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
