"""A progress bar on stderr for long runs: only when stderr is a terminal and ``--quiet`` is not given."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from kubehash.model import iter_pods


@contextmanager
def pod_progress(docs: Any, *, quiet: bool, label: str = "pods") -> Iterator[Callable[[int], None] | None]:
    """Yield a per-pod callback that advances a rich progress bar (``None`` when no bar is shown)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    total = sum(1 for _ in iter_pods(docs)) if isinstance(docs, list) else None
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda _n: bar.advance(task)
