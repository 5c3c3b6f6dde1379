"""``kubehash explain``: why each container's hash differs between two kubelet versions.

``table`` (also called ``text``): one line per container, ``ns/pod name: old -> new: changes`` and a line per
reason; ``json``/``yaml``: one mapping per container, its reasons with their old and new values;
``wide``/``csv``/``markdown``: one row per container.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from kubehash.report.columns import Column, Show
from kubehash.report.formats import Block, Rows, register
from kubehash.report.plain import plain
from kubehash.report.prediction import hex_text
from kubehash.upgrade.explain import Explanation

__all__ = ["EXPLAIN_COLUMNS", "Explained", "Explanations", "explanation_text"]


@dataclass(frozen=True)
class Explained:
    """One container's explanation."""

    pod: str
    container: str
    explanation: Explanation


def _ex(name: str, **kw: Any) -> Column[Explained]:
    get = attrgetter(name)
    return Column(name, lambda e: get(e.explanation), **kw)


def _reasons(e: Explained) -> list[dict[str, Any]]:
    return [
        {"kind": r.kind, "path": r.path, "detail": r.detail, "old": plain(r.old), "new": plain(r.new)}
        for r in e.explanation.reasons
    ]


EXPLAIN_COLUMNS: tuple[Column[Explained], ...] = (
    Column("pod", attrgetter("pod")),
    Column("container", attrgetter("container")),
    _ex("old_version"),
    _ex("new_version"),
    _ex("old_source"),
    _ex("new_source"),
    _ex("old_hash", text=hex_text),
    _ex("new_hash", text=hex_text),
    _ex("changed"),
    Column("reasons", _reasons, cell=lambda e: [r.text() for r in e.explanation.reasons]),
)


def explanation_text(ex: Explanation) -> str:
    """``1.10 (apiserver) 5f3a -> 1.17 (apiserver) 9c1b: changes`` and ``  - <reason>`` lines (or ``unchanged``)."""
    head = f"{ex.old_version} ({ex.old_source}) {ex.old_hash:x} -> {ex.new_version} ({ex.new_source}) {ex.new_hash:x}: "
    if not ex.reasons:
        return head + "unchanged"
    return head + "changes\n" + "\n".join("  - " + r.text() for r in ex.reasons)


@dataclass(frozen=True)
class Explanations:
    """What ``kubehash explain`` writes."""

    items: Sequence[Explained]


@register(Explanations)
class ExplanationsView:
    def document(self, e: Explanations) -> Rows[Explained]:
        return self.rows(e)

    def blocks(self, e: Explanations, level: Show) -> Iterable[Block]:
        if level is Show.TABLE:
            return [f"{x.pod} {x.container}: {explanation_text(x.explanation)}\n" for x in e.items]
        return [self.rows(e)]

    def rows(self, e: Explanations) -> Rows[Explained]:
        return Rows(EXPLAIN_COLUMNS, e.items)
