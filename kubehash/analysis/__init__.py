"""Restart-risk analysis for people: pandas DataFrames and matplotlib figures from a prediction or an upgrade
plan, for notebooks (``notebooks/restart-risk.ipynb``). Needs the ``analysis`` extra
(``pip install 'kubehash[analysis]'``: pandas, matplotlib).

Layer: beside ``report/`` -- it reads :mod:`kubehash.upgrade` results and prints nothing.
"""

from __future__ import annotations

from kubehash.analysis.audit import AUDIT_COLORS, audit_by, audit_confusion, plot_audit
from kubehash.analysis.figures import (
    VERDICT_COLORS,
    plot_comparison,
    plot_pods_at_risk,
    plot_restarts_by,
    plot_upgrade_paths,
)
from kubehash.analysis.frames import (
    RISKS,
    compare_predictions,
    containers_frame,
    plan_hops,
    plan_paths,
    pods_at_risk,
    preflight_findings,
    restarts_by,
    risk_overview,
    silenced_changes,
    workloads,
)

__all__ = [
    "AUDIT_COLORS",
    "RISKS",
    "VERDICT_COLORS",
    "audit_by",
    "audit_confusion",
    "compare_predictions",
    "containers_frame",
    "plan_hops",
    "plan_paths",
    "plot_audit",
    "plot_comparison",
    "plot_pods_at_risk",
    "plot_restarts_by",
    "plot_upgrade_paths",
    "pods_at_risk",
    "preflight_findings",
    "restarts_by",
    "risk_overview",
    "silenced_changes",
    "workloads",
]
