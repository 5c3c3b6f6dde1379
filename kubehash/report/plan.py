"""Rendering an :class:`~kubehash.upgrade.plan.UpgradePlan`.

``table``: a header, the compared paths (one row each) and every hop the skew policy allows;
``json``/``yaml``: the stable document (:meth:`UpgradePlan.to_dict`); ``csv``/``markdown``: the path rows.
"""

from __future__ import annotations

from typing import Any

from kubehash.report.render import render_rows
from kubehash.upgrade.plan.skew import SKEW_POLICY

__all__ = ["HOP_COLUMNS", "PATH_COLUMNS", "PLAN_FORMATS", "render_plan"]

PLAN_FORMATS = ("table", "json", "yaml", "csv", "markdown")
PATH_COLUMNS = ["path", "versions", "hops", "restarts_per_hop", "restarts", "containers", "policy"]
HOP_COLUMNS = ["from", "to", "nodes", "restarts", "pods", "restart_free", "reasons"]


def render_plan(plan: Any, fmt: str) -> str:
    if fmt in ("json", "yaml"):
        return render_rows([], [], fmt, document=plan.to_dict())
    if fmt in ("csv", "markdown"):
        return render_rows(plan.path_rows(), PATH_COLUMNS, fmt)
    if fmt != "table":
        raise ValueError(f"unknown output format {fmt!r}")
    direct = plan.direct
    head = [
        f"In-place kubelet upgrade {plan.from_version} -> {plan.to}: {plan.containers} containers on "
        f"{len(plan.nodes)} nodes",
        f"Skew policy: {SKEW_POLICY}.",
        f"Cheapest allowed path: {' > '.join(plan.cheapest.versions)} ({plan.cheapest.restarts} container "
        f"restarts in {len(plan.cheapest.hops)} hops); direct jump: {direct.restarts} restarts"
        + ("" if direct.allowed else " (outside the skew policy)")
        + ".",
    ]
    free = plan.restart_free_hops
    if free:
        head.append("Restart-free hops: " + ", ".join(f"{h.from_version} -> {h.to}" for h in free) + ".")
    return (
        "\n".join(head)
        + "\n\n"
        + render_rows(plan.path_rows(), PATH_COLUMNS, "table")
        + "\n"
        + render_rows(plan.hop_rows(), HOP_COLUMNS, "table")
    )
