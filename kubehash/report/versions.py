"""``kubehash versions``: the release table, one row per supported kubelet minor.

``default_changes`` lists the API-server defaulting rules added (``+``) or removed (``-``) in that minor, with
the feature gate a rule needs; ``feature_gates`` the container-relevant gates, their stage and default.
Documents also have each minor's full rule list (``defaults``), gated rules and gate defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from kubehash.kubelet.releases import Release
from kubehash.kubelet.schema import spec_document
from kubehash.report.columns import Column, Show
from kubehash.report.formats import Block, Rows, register

__all__ = ["VERSION_COLUMNS", "Versions"]


@dataclass(frozen=True)
class _Minor:
    release: Release
    changes: list[str]  # default changes since the previous minor


def _r(name: str, show: Show = Show.TABLE) -> Column[_Minor]:
    return Column(name, lambda m: getattr(m.release, name), show=show)


VERSION_COLUMNS: tuple[Column[_Minor], ...] = (
    _r("minor"),
    _r("era"),
    _r("go"),
    _r("hash_without_resources"),
    _r("restartable_init_containers"),
    Column("api_tag", lambda m: spec_document(m.release.minor)["source"].get("tag")),
    Column("default_changes", lambda m: m.changes),
    Column(
        "feature_gates",
        lambda m: [
            f"{g}={'on' if m.release.gate_defaults()[g] else 'off'} ({stage})" for g, stage in m.release.feature_gates
        ],
    ),
    Column("defaults", lambda m: list(m.release.defaults), show=Show.DATA),
    Column("gated_defaults", lambda m: dict(m.release.gated_defaults), show=Show.DATA),
    Column("gate_defaults", lambda m: m.release.gate_defaults(), show=Show.DATA),
)


@dataclass(frozen=True)
class Versions:
    """The release table of ``releases`` (oldest first)."""

    releases: Sequence[Release]

    def minors(self) -> list[_Minor]:
        out, previous = [], set[str]()
        for i, r in enumerate(self.releases):
            added = [f"+{d}" for d in r.defaults if d not in previous]
            removed = [f"-{d}" for d in sorted(previous - set(r.defaults))]
            changes = [c + (f" ({r.rule_gate(c[1:])})" if r.rule_gate(c[1:]) else "") for c in added + removed]
            out.append(_Minor(r, changes if i else ["baseline"]))
            previous = set(r.defaults)
        return out


@register(Versions)
class VersionsView:
    def document(self, v: Versions) -> Rows[_Minor]:
        return self.rows(v)

    def blocks(self, v: Versions, level: Show) -> Iterable[Block]:
        return [self.rows(v)]

    def rows(self, v: Versions) -> Rows[Any]:
        return Rows(VERSION_COLUMNS, v.minors())
