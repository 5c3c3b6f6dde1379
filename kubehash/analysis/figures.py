"""matplotlib figures of the frames in :mod:`kubehash.analysis.frames`.

Figures are built with ``matplotlib.figure.Figure`` directly (no pyplot state, no backend chosen here), so
they work the same in a notebook, in a script that saves them, and under the Agg backend in tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from kubehash.analysis.frames import RISKS, compare_predictions, pods_at_risk, restarts_by

__all__ = ["VERDICT_COLORS", "plot_comparison", "plot_pods_at_risk", "plot_restarts_by", "plot_upgrade_paths"]

VERDICT_COLORS = {
    "restart": "#d62728",
    "protected": "#2ca02c",
    "error": "#ff7f0e",
    "unchanged": "#9ecae1",
    "not-running": "#d9d9d9",
    "not-checked": "#bcbddc",
}
_RISK_COLORS = dict(zip(RISKS, ("#6a3d9a", "#d62728", "#ff7f0e", "#fdbf6f", "#fb9a99"), strict=True))


def _figure(width: float = 8.0, height: float = 4.0) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.add_subplot()


def plot_restarts_by(prediction: Any, by: str) -> Figure:
    """Horizontal bars per node/namespace stacked by verdict, or restarting containers per reason."""
    frame = restarts_by(prediction, by)
    fig, ax = _figure(8.0, max(2.5, 0.35 * len(frame) + 1.2))
    if by == "reason":
        ax.barh(frame.index[::-1], frame["containers"][::-1], color=VERDICT_COLORS["restart"])
        ax.set_xlabel("restarting containers")
        ax.set_title(f"Why containers restart (kubelet {prediction.to})")
        return fig
    left = pd.Series(0, index=frame.index[::-1])
    for verdict in [c for c in frame.columns if c != "total"]:
        values = frame[verdict][::-1]
        ax.barh(frame.index[::-1], values, left=left, label=verdict, color=VERDICT_COLORS.get(verdict))
        left = left + values
    ax.set_xlabel("containers")
    ax.set_title(f"Containers by {by} after an in-place upgrade to kubelet {prediction.to}")
    ax.legend(loc="lower right", fontsize="small")
    return fig


def plot_pods_at_risk(prediction: Any) -> Figure:
    """Pods whose restart is an outage, per namespace, stacked by risk."""
    frame = pods_at_risk(prediction)
    counts = pd.crosstab(frame["namespace"], frame["risk"]) if not frame.empty else pd.DataFrame()
    fig, ax = _figure(8.0, max(2.5, 0.35 * len(counts) + 1.2))
    left = pd.Series(0, index=counts.index)
    for risk in RISKS:
        if risk in counts.columns and counts[risk].any():
            ax.barh(counts.index, counts[risk], left=left, label=risk, color=_RISK_COLORS[risk])
            left = left + counts[risk]
    ax.set_xlabel("restarted pods that are single instances")
    ax.set_title(f"Single-instance pods at risk (kubelet {prediction.to})")
    if len(counts):
        ax.legend(loc="lower right", fontsize="small")
    return fig


def plot_comparison(predictions: Mapping[str, Any], by: str = "node") -> Figure:
    """Grouped bars: restarting containers per node/namespace for each labelled prediction."""
    frame = compare_predictions(predictions, by).drop(index="total")
    fig, ax = _figure(8.0, 4.0)
    width = 0.8 / max(1, len(frame.columns))
    xs = range(len(frame.index))
    for i, label in enumerate(frame.columns):
        bars = ax.bar([x + i * width for x in xs], frame[label], width=width, label=label)
        ax.bar_label(bars, fontsize=7)
    ax.set_xticks([x + width * (len(frame.columns) - 1) / 2 for x in xs], list(frame.index), rotation=30, ha="right")
    ax.set_ylabel("restarting containers")
    ax.set_title(f"Restarts per {by}")
    ax.legend(fontsize="small")
    return fig


def plot_upgrade_paths(plan: Any) -> Figure:
    """One bar per compared path, stacked by hop (labelled ``a>b``); hops outside the skew policy hatched."""
    fig, ax = _figure(9.0, max(2.5, 0.6 * len(plan.paths) + 1.2))
    widest = max((p.restarts for p in plan.paths), default=0)
    names = [", ".join(p.names) for p in plan.paths]
    for row, p in enumerate(plan.paths):
        left = 0
        for h in p.hops:
            ax.barh(
                row,
                h.restarts,
                left=left,
                color=VERDICT_COLORS["restart"] if h.restarts else VERDICT_COLORS["unchanged"],
                edgecolor="white",
                hatch=None if h.allowed else "//",
            )
            if h.restarts and h.restarts >= 0.12 * widest:
                ax.text(left + h.restarts / 2, row, f"{h.from_version}>{h.to}", ha="center", va="center", fontsize=7)
            left += h.restarts
        ax.text(left, row, f"  {p.restarts}", va="center", fontsize=8)
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_xlabel("container restarts (summed over hops)")
    ax.set_title(f"Upgrade paths {plan.from_version} -> {plan.to}")
    return fig
