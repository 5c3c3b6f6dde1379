"""Rendering a :class:`~kubehash.upgrade.predict.Prediction`: summary tables plus per-container rows.

``table`` shows the summary (per node, per namespace, by reason) and one row per container with the
columns a reader needs; ``wide`` adds kind, decode path, versions, recorded hash, model check and owner.
``json``/``yaml`` give the stable document ``{"summary": ..., "containers": [...]}``; ``csv``/``markdown``
give the rows only (all ``wide`` columns).
"""

from __future__ import annotations

from typing import Any

from kubehash.report.render import render_rows

__all__ = ["PREDICT_FORMATS", "render_prediction"]

PREDICT_FORMATS = ("table", "wide", "json", "yaml", "csv", "markdown")

TABLE_COLUMNS = ["namespace", "pod", "container", "node", "old_hash", "new_hash", "verdict", "reasons"]
WIDE_COLUMNS = [
    "namespace",
    "pod",
    "container",
    "kind",
    "node",
    "source",
    "old_version",
    "new_version",
    "old_hash",
    "recorded_hash",
    "new_hash",
    "verdict",
    "model_check",
    "owner",
    "reasons",
]
_VERDICT_ORDER = ("restart", "protected", "error", "unchanged", "not-running", "not-checked")


def _count_rows(groups: dict[str, dict[str, int]], label: str) -> tuple[list[dict[str, Any]], list[str]]:
    verdicts = [v for v in _VERDICT_ORDER if any(v in g for g in groups.values())]
    rows = [{label: k, **{v: g.get(v, 0) for v in verdicts}, "total": sum(g.values())} for k, g in groups.items()]
    return rows, [label, *verdicts, "total"]


def render_summary(summary: dict[str, Any]) -> str:
    """The summary as text tables: verdict totals, per node, per namespace, restart reasons."""
    parts = []
    cp = f", control plane {summary['control_plane']}" if summary.get("control_plane") else ""
    verdicts = ", ".join(f"{n} {v}" for v, n in summary["verdicts"].items()) or "nothing"
    n = summary["containers"]
    parts.append(f"Upgrade to kubelet {summary['to']}{cp}: {n} container{'' if n == 1 else 's'}: {verdicts}\n")
    checks = summary.get("model_check") or {}
    if checks.get("match") or checks.get("mismatch"):
        parts.append(
            f"Model check against recorded hashes: {checks.get('match', 0)} match, {checks.get('mismatch', 0)} "
            f"mismatch, {checks.get('unverified', 0)} without a runtime record\n"
        )
    rows, cols = _count_rows(summary["by_node"], "node")
    parts.append("\n" + render_rows(rows, cols, "table"))
    rows, cols = _count_rows(summary["by_namespace"], "namespace")
    parts.append("\n" + render_rows(rows, cols, "table"))
    if summary["restart_reasons"]:
        rrows = [{"reason": k, "restarts": v} for k, v in summary["restart_reasons"].items()]
        parts.append("\n" + render_rows(rrows, ["reason", "restarts"], "table"))
    return "".join(parts)


def render_prediction(prediction: Any, fmt: str) -> str:
    if fmt in ("json", "yaml"):
        return render_rows([], [], fmt, document=prediction.to_dict())
    rows = prediction.rows()
    if fmt in ("csv", "markdown"):
        return render_rows(rows, WIDE_COLUMNS, fmt)
    if fmt in ("table", "wide"):
        columns = TABLE_COLUMNS if fmt == "table" else WIDE_COLUMNS
        return render_summary(prediction.summary) + "\n" + render_rows(rows, columns, "table")
    raise ValueError(f"unknown output format {fmt!r}")
