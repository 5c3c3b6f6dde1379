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
from kubehash.upgrade.preflight.report import Finding, PreflightReport

__all__ = ["FINDING_COLUMNS", "summary_line"]

#: One column per field of a finding, in the order of its document.
FINDING_COLUMNS: tuple[Column[Finding], ...] = tuple(
    Column(name, attrgetter(name)) for name in ("check", "severity", "namespace", "pod", "node", "detail", "fix")
)


def summary_line(report: PreflightReport) -> str:
    """``11 pods, 5 at risk; findings: risk 5, warning 1, info 2, error 0`` (and what was skipped)."""
    s = report.summary
    skipped = ", ".join(f"{n} {why}" for why, n in s["skipped"].items())
    return (
        f"{s['pods']} pods, {s['pods_at_risk']} at risk; findings: risk {s['risk']}, warning {s['warning']}, "
        f"info {s['info']}, error {s['error']}" + (f"; skipped: {skipped}" if skipped else "")
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
