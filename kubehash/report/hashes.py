"""``kubehash hash``: the kubelet's hash of each container of a file.

``json``/``yaml``: one mapping per container, those that could not be hashed included (``hash`` and ``hex``
null, ``error`` set); ``table``/``wide``/``csv``/``markdown``: the containers that were hashed. With
``show_input`` each row also has the exact text fed to FNV-1a, and ``table`` prints it under a ``#`` line
per container instead of a table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from kubehash.golang.fnv import runtime_hex
from kubehash.report.columns import Column, Show
from kubehash.report.formats import Block, Rows, register

__all__ = ["HASH_COLUMNS", "INPUT_COLUMN", "ContainerHash", "Hashes"]


@dataclass(frozen=True)
class ContainerHash:
    """One container's hash under one kubelet version (``hash`` None: it could not be decoded, see ``error``)."""

    pod: str
    container: str
    kind: str
    source: str
    version: str
    hash: int | None = None
    input: str | None = None
    error: str | None = None


HASH_COLUMNS: tuple[Column[ContainerHash], ...] = (
    *(Column(name, attrgetter(name)) for name in ("pod", "container", "kind", "source", "version", "hash")),
    Column("hex", lambda h: None if h.hash is None else runtime_hex(h.hash)),
    Column("error", attrgetter("error"), show=Show.DATA),
)
#: The hash input, shown with ``--show-input`` (after ``hex``).
INPUT_COLUMN: Column[ContainerHash] = Column("input", attrgetter("input"))


@dataclass(frozen=True)
class Hashes:
    """What ``kubehash hash`` writes."""

    items: Sequence[ContainerHash]
    show_input: bool = False

    @property
    def columns(self) -> tuple[Column[ContainerHash], ...]:
        if not self.show_input:
            return HASH_COLUMNS
        return (*HASH_COLUMNS[:-1], INPUT_COLUMN, HASH_COLUMNS[-1])


def _input_text(h: ContainerHash) -> str:
    return f"# {h.pod} {h.container} hash={h.hash} hex={runtime_hex(h.hash or 0)}\n{h.input}\n"


@register(Hashes)
class HashesView:
    def document(self, hashes: Hashes) -> Rows[ContainerHash]:
        return Rows(hashes.columns, hashes.items)

    def blocks(self, hashes: Hashes, level: Show) -> Iterable[Block]:
        if hashes.show_input and level is Show.TABLE:
            return [_input_text(h) for h in hashes.items if h.hash is not None]
        return [self.rows(hashes)]

    def rows(self, hashes: Hashes) -> Rows[Any]:
        return Rows(hashes.columns, [h for h in hashes.items if h.hash is not None])
