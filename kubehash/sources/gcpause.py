"""Pausing Python's cyclic garbage collector while a large document is built.

Parsing a 10k-pod dump creates millions of dicts and lists, none of them garbage; each allocation
threshold crossed triggers a collection that walks all of them again, which costs more than the parsing
itself. The collector is re-enabled (if it was enabled) when the block ends.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

__all__ = ["gc_paused"]


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
