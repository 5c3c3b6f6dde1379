"""An :class:`~kubehash.upgrade.plan.UpgradePlan`: the path and hop columns, the header, its outputs.

``table``: a header (each end's patch and Go toolchain, the assumptions made, whether a patch hop first changes
the restart count), the compared paths (one row each), every hop the skew policy allows (each side's patch and
Go; ``KIND`` ``patch`` for a newer patch of the same minor) and the nodes whose kubelet version could not be read;
``wide`` adds the policy notes and error counts; ``json``/``yaml``: the plan's document (its paths with their
hops, every hop, ``sides``, and ``errors``/``warnings`` when there are any); ``csv``/``markdown``: the paths.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import Any

from kubehash.report.columns import Column, Show
from kubehash.report.formats import Block, Rows, register
from kubehash.upgrade.plan.planner import Hop, UpgradePath, UpgradePlan
from kubehash.upgrade.plan.skew import SKEW_POLICY

__all__ = ["ERROR_COLUMNS", "HOP_COLUMNS", "PATH_COLUMNS", "plan_header"]


def _reasons_text(h: Hop) -> str:
    return ", ".join(f"{k} ({v})" for k, v in h.reasons.items())


#: One column per field of a hop, in the order of its document.
HOP_COLUMNS: tuple[Column[Hop], ...] = (
    Column("from", attrgetter("from_version")),
    Column("from_go", attrgetter("from_go"), heading="GO"),
    Column("to", attrgetter("to")),
    Column("to_go", attrgetter("to_go"), heading="GO"),
    Column("kind", attrgetter("kind")),
    Column("allowed", attrgetter("allowed"), show=Show.WIDE),
    Column("policy_note", attrgetter("policy_note"), show=Show.WIDE),
    Column("nodes", lambda h: list(h.nodes), cell=lambda h: len(h.nodes), frame=lambda h: len(h.nodes)),
    Column("restarts", attrgetter("restarts")),
    Column("pods_restarted", attrgetter("pods_restarted"), heading="PODS"),
    Column("restart_free", attrgetter("restart_free"), cell=lambda h: "yes" if h.restart_free else ""),
    Column("errors", attrgetter("errors"), show=Show.WIDE),
    Column("reasons", attrgetter("reasons"), cell=_reasons_text, frame=lambda h: "; ".join(h.reasons)),
    Column(
        "flags_removed",
        lambda h: list(h.flags_removed),
        cell=lambda h: " ".join(h.flags_removed),
        frame=lambda h: tuple(h.flags_removed),
        show=Show.WIDE,
    ),
)


def _policy(p: UpgradePath) -> str:
    return "ok" if p.allowed else "; ".join(h.short_note for h in p.hops if not h.allowed)


#: One column per field of a compared path, in the order of its document.
PATH_COLUMNS: tuple[Column[UpgradePath], ...] = (
    Column("names", lambda p: list(p.names), cell=lambda p: ", ".join(p.names), heading="PATH"),
    Column("versions", attrgetter("versions"), cell=lambda p: " > ".join(p.versions)),
    Column("allowed", attrgetter("allowed"), cell=_policy, heading="POLICY"),
    Column("restarts", attrgetter("restarts")),
    Column(
        "restarts_per_hop",
        lambda p: [h.restarts for h in p.hops],
        cell=lambda p: " + ".join(str(h.restarts) for h in p.hops),
    ),
    Column("containers_restarted", attrgetter("containers_restarted"), heading="CONTAINERS"),
    Column("restart_free_hops", attrgetter("restart_free_hops"), show=Show.WIDE),
    Column(
        "hops", lambda p: Rows(HOP_COLUMNS, p.hops).dicts(), cell=lambda p: len(p.hops), frame=lambda p: len(p.hops)
    ),
)


#: The nodes whose kubelet version could not be read.
ERROR_COLUMNS: tuple[Column[tuple[str, str]], ...] = (
    Column("node", lambda e: e[0]),
    Column("error", lambda e: e[1]),
)


def _side(plan: UpgradePlan, end: str) -> str:
    side = plan.sides.get(end)
    return f" (Go {side['go']})" if side else ""


def _patch_first(plan: UpgradePlan) -> str | None:
    """Whether going to the newest patch of the start's minor first changes the restart count."""
    try:
        first, by_minor = plan.path("patch-first"), plan.path("minor-by-minor")
    except KeyError:
        return None
    patch = first.hops[0].to
    if first.restarts == by_minor.restarts:
        return f"Going to {patch} first (a patch hop) does not change the restart count ({first.restarts})."
    return (
        f"Going to {patch} first (a patch hop) changes the restart count: {first.restarts} instead of "
        f"{by_minor.restarts} minor by minor."
    )


def plan_header(plan: UpgradePlan) -> str:
    """What the plan says in words: the upgrade (each end's patch and Go), the assumptions, the policy, the
    cheapest path, whether a patch hop first matters, the restart-free hops, the nodes left out."""
    direct = plan.direct
    head = [
        f"In-place kubelet upgrade {plan.from_version}{_side(plan, 'from')} -> {plan.to}{_side(plan, 'to')}: "
        f"{plan.containers} containers on {len(plan.nodes)} nodes",
        *(f"Assumed: {a}." for side in plan.sides.values() for a in side["assumptions"]),
        f"Skew policy: {SKEW_POLICY}.",
        f"Cheapest allowed path: {' > '.join(plan.cheapest.versions)} ({plan.cheapest.restarts} container "
        f"restarts in {len(plan.cheapest.hops)} hops); direct jump: {direct.restarts} restarts"
        + ("" if direct.allowed else " (outside the skew policy)")
        + ".",
    ]
    patch_first = _patch_first(plan)
    if patch_first:
        head.append(patch_first)
    free = plan.restart_free_hops
    if free:
        head.append("Restart-free hops: " + ", ".join(f"{h.from_version} -> {h.to}" for h in free) + ".")
    if plan.errors:
        head.append(f"Not planned: {len(plan.errors)} node(s) whose kubelet version cannot be read (below).")
    return "\n".join(head) + "\n"


@register(UpgradePlan)
class PlanView:
    def document(self, plan: UpgradePlan) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "from": plan.from_version,
            "to": plan.to,
            "sides": plan.sides,
            "skew_policy": SKEW_POLICY,
            "containers": plan.containers,
            "nodes": plan.nodes,
            "cheapest": plan.cheapest.versions,
            "paths": Rows(PATH_COLUMNS, plan.paths),
            "hops": Rows(HOP_COLUMNS, plan.hops),
        }
        if plan.errors:
            doc["errors"] = Rows(ERROR_COLUMNS, list(plan.errors.items()))
        if plan.warnings:
            doc["warnings"] = list(plan.warnings)
        return doc

    def blocks(self, plan: UpgradePlan, level: Show) -> Iterable[Block]:
        out: list[Block] = [plan_header(plan), "\n", self.rows(plan), "\n", Rows(HOP_COLUMNS, plan.hops)]
        if plan.errors:
            out += ["\n", Rows(ERROR_COLUMNS, list(plan.errors.items()))]
        return out

    def rows(self, plan: UpgradePlan) -> Rows[UpgradePath]:
        return Rows(PATH_COLUMNS, plan.paths)
