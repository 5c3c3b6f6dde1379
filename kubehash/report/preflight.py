"""A :class:`~kubehash.upgrade.preflight.PreflightReport`: the finding columns and its outputs.

``table``/``wide``/``csv``/``markdown``: one row per finding that is not an input error (those go to
standard error); ``table`` and ``wide`` end with the summary line (:func:`summary_line`);
``json``/``yaml``: the report's document, every finding included.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from operator import attrgetter
from typing import Any

from kubehash.report.columns import Column, Show
from kubehash.report.formats import Block, Rows, register
from kubehash.upgrade.preflight.report import Finding, PreflightReport, PreflightSummary

__all__ = ["FINDING_COLUMNS", "summary_line"]

#: One column per field of a finding, in the order of its document.
FINDING_COLUMNS: tuple[Column[Finding], ...] = tuple(
    Column(name, attrgetter(name)) for name in ("check", "severity", "namespace", "pod", "node", "detail", "fix")
)


def summary_line(report: PreflightReport) -> str:
    """``11 pods, 5 at risk; findings: risk 5, warning 1, info 2, error 0`` (and what was skipped); with kubelet
    inputs, what of them was checked (``kubelet: 2 command lines, 1 config file (2 nodes), 2 at risk``) -- in
    place of the pods when no pods or nodes were given."""
    s = report.summary
    skipped = ", ".join(f"{n} {why}" for why, n in s["skipped"].items())
    parts = [f"{s['pods']} pods, {s['pods_at_risk']} at risk"] if s["pods_checked"] else []
    if s["kubelet_command_lines"] or s["kubelet_config_files"] or not parts:
        parts.append(_kubelet_part(s))
    return (
        "; ".join(parts) + f"; findings: risk {s['risk']}, warning {s['warning']}, "
        f"info {s['info']}, error {s['error']}" + (f"; skipped: {skipped}" if skipped else "")
    )


def _kubelet_part(s: PreflightSummary) -> str:
    def many(n: int, what: str) -> str:
        return f"{n} {what}{'' if n == 1 else 's'}"

    nodes = f" ({many(s['kubelet_nodes'], 'node')})" if s["kubelet_nodes"] else ""
    return (
        f"kubelet: {many(s['kubelet_command_lines'], 'command line')}, {many(s['kubelet_config_files'], 'config file')}"
        f"{nodes} checked, {s['kubelet_at_risk']} at risk"
    )


@register(PreflightReport)
class PreflightView:
    def document(self, report: PreflightReport) -> dict[str, Any]:
        return {
            "to": report.to,
            "from": report.from_version,
            "gates": asdict(report.gates),
            "summary": report.summary,
            "findings": Rows(FINDING_COLUMNS, report.findings),
        }

    def blocks(self, report: PreflightReport, level: Show) -> Iterable[Block]:
        return [self.rows(report), "\n" + summary_line(report) + "\n"]

    def rows(self, report: PreflightReport) -> Rows[Finding]:
        return Rows(FINDING_COLUMNS, [f for f in report.findings if f.severity != "error"])
