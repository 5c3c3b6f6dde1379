"""An audit for people: the confusion matrix of a canary upgrade's prediction against what happened, the class
counts per node, and one figure of both (``notebooks/restart-risk.ipynb``, section "Audit of a canary upgrade")."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from kubehash.upgrade.audit import CLASSES, Audit

__all__ = ["AUDIT_COLORS", "audit_by", "audit_confusion", "plot_audit"]

AUDIT_COLORS = dict(zip(CLASSES, ("#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#9ecae1"), strict=True))


def audit_confusion(audit: Audit) -> pd.DataFrame:
    """Containers on the upgraded nodes: predicted to restart (rows) against restarted (columns). A predicted
    restart whose pod was deleted or replaced, or that stopped, is counted where it was seen (not restarted)."""
    rows = [(c.predicted, c.restarted) for c in audit if c.upgraded]
    frame = pd.DataFrame(rows, columns=["predicted", "restarted"])
    table = pd.crosstab(frame["predicted"], frame["restarted"]) if rows else pd.DataFrame()
    table = table.reindex(index=[True, False], columns=[True, False], fill_value=0)
    table.index = pd.Index(["predicted restart", "predicted no restart"], name="prediction")
    table.columns = pd.Index(["restarted", "not restarted"], name="observed")
    return table.astype(int)


def audit_by(audit: Audit, by: str = "node") -> pd.DataFrame:
    """Class counts per ``node`` or ``namespace`` (columns in :data:`~kubehash.upgrade.audit.CLASSES` order,
    then ``total``), upgraded nodes first when by node."""
    keys = [getattr(c, by) or "-" for c in audit]
    frame = pd.crosstab(pd.Series(keys, name=by), pd.Series([c.outcome for c in audit], name="class"))
    frame = frame.reindex(columns=[k for k in CLASSES if k in frame.columns])
    frame["total"] = frame.sum(axis=1)
    if by == "node":
        order = sorted(frame.index, key=lambda n: (n not in audit.upgrades, n))
        frame = frame.loc[order]
    return frame


def plot_audit(audit: Audit) -> Figure:
    """Left: the confusion matrix on the upgraded nodes; right: containers per node stacked by class (upgraded
    nodes marked with their kubelet versions)."""
    confusion = audit_confusion(audit)
    by_node = audit_by(audit, "node")
    fig = Figure(figsize=(11.0, max(3.0, 0.4 * len(by_node) + 1.5)), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1, 2])
    left.imshow(confusion.to_numpy(), cmap="Blues")
    left.set_xticks(range(2), [c.replace(" ", "\n") for c in confusion.columns])
    left.set_yticks(range(2), [c.replace("predicted ", "predicted\n") for c in confusion.index])
    top = max(1, int(confusion.to_numpy().max()))
    for (i, j), n in _cells(confusion):
        left.text(j, i, str(n), ha="center", va="center", fontsize="large", color="white" if n > top / 2 else "black")
    left.set_title(f"Upgraded nodes ({len(audit.upgrades)}): predicted vs. seen", fontsize="medium")
    labels = [
        f"{n} ({audit.upgrades[n][0]} -> {audit.upgrades[n][1]})" if n in audit.upgrades else n for n in by_node.index
    ]
    base = pd.Series(0, index=by_node.index)
    for cls in [c for c in by_node.columns if c != "total"]:
        right.barh(labels[::-1], by_node[cls][::-1], left=base[::-1], label=cls, color=AUDIT_COLORS[cls])
        base = base + by_node[cls]
    right.set_xlabel("containers")
    right.set_title("Containers per node by audit class")
    right.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    return fig


def _cells(frame: pd.DataFrame) -> list[tuple[tuple[int, int], Any]]:
    return [((i, j), frame.iat[i, j]) for i in range(frame.shape[0]) for j in range(frame.shape[1])]
