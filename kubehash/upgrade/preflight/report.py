"""What preflight reports: one :class:`Finding` per risk, warning or input problem, gathered in a
:class:`PreflightReport`; and the version-dependent :class:`Behaviour` it judges by (the release table's rows,
``docs/upgrade-behaviour.md``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TypedDict

from kubehash.kubelet.releases import release

__all__ = ["CHECKS", "SEVERITIES", "Behaviour", "Finding", "PreflightReport", "PreflightSummary", "behaviour_for"]

CHECKS = ("taint-eviction", "node-selector", "kubelet-flags", "error")
SEVERITIES = ("risk", "warning", "info", "error")


@dataclass(frozen=True)
class Behaviour:
    """The version-dependent behaviour preflight models for one upgrade target (the release table's rows;
    override any of it)."""

    taint_based_evictions: bool
    skip_started_pods: bool
    rejection_reason: str
    match_fields: bool
    lazy_term_errors: bool = True
    comparison_operators: bool = False


def behaviour_for(to: str) -> Behaviour:
    """The upstream behaviour of a target version (any supported kubelet version string)."""
    r = release(to)
    return Behaviour(
        taint_based_evictions=r.taint_based_evictions,
        skip_started_pods=r.not_evict_on_restart,
        rejection_reason=r.affinity_rejection_reason,
        match_fields=r.match_fields,
        lazy_term_errors=r.match_fields,
    )


@dataclass(frozen=True)
class Finding:
    """One risk (or an input problem) for one pod."""

    check: str
    namespace: str | None
    pod: str | None
    node: str | None
    severity: str
    detail: str
    fix: str | None = None


class PreflightSummary(TypedDict):
    """:attr:`PreflightReport.summary`: pods read and at risk, findings by severity (one key per
    :data:`SEVERITIES`) and by check, and what was skipped (by kind); whether pods were checked at all, and the
    kubelet inputs checked: command lines, config files, the nodes they belong to, and how many of those inputs
    (per node, or per file for one given alone) hold a risk."""

    pods: int
    pods_at_risk: int
    risk: int
    warning: int
    info: int
    error: int
    by_check: dict[str, int]
    skipped: dict[str, int]
    pods_checked: bool
    kubelet_command_lines: int
    kubelet_config_files: int
    kubelet_nodes: int
    kubelet_at_risk: int


@dataclass
class PreflightReport:
    """Findings of :func:`preflight`, in input order; iterate it for the findings."""

    to: str
    from_version: str | None
    gates: Behaviour
    findings: list[Finding] = field(default_factory=list)
    pods: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    pods_checked: bool = True
    kubelet_command_lines: int = 0
    kubelet_config_files: int = 0
    kubelet_nodes: set[str] = field(default_factory=set)
    kubelet_at_risk: set[str] = field(default_factory=set)  # nodes (or files given alone) with a kubelet risk

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    @property
    def risks(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "risk"]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def summary(self) -> PreflightSummary:
        by_severity = {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}
        by_check = {c: sum(1 for f in self.findings if f.check == c) for c in CHECKS}
        at_risk = len({(f.namespace, f.pod) for f in self.findings if f.severity == "risk" and f.pod is not None})
        return {
            "pods": self.pods,
            "pods_at_risk": at_risk,
            "risk": by_severity["risk"],
            "warning": by_severity["warning"],
            "info": by_severity["info"],
            "error": by_severity["error"],
            "by_check": by_check,
            "skipped": dict(self.skipped),
            "pods_checked": self.pods_checked,
            "kubelet_command_lines": self.kubelet_command_lines,
            "kubelet_config_files": self.kubelet_config_files,
            "kubelet_nodes": len(self.kubelet_nodes),
            "kubelet_at_risk": len(self.kubelet_at_risk),
        }
