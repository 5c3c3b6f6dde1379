"""One finding about a node's kubelet command line or config file that the target kubelet will mind."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from kubehash.model.kubelet_args import Origin

__all__ = ["KubeletFlagFinding", "Severity", "What", "worst"]

Severity = Literal["risk", "warning", "info"]
What = Literal[
    "removed",
    "maybe-removed",
    "deprecated",
    "unknown",
    "not-yet",
    "stray-argument",
    "gate-removed",
    "gate-locked",
    "gate-unknown",
    "api-version",
]


@dataclass(frozen=True)
class KubeletFlagFinding:
    """One thing about a node's kubelet command line or config file that the target kubelet will mind."""

    node: str | None
    kind: Literal["flag", "field", "feature-gate", "argument", "config"]
    name: str  # "--allow-privileged", "evictionHard", "DynamicKubeletConfig", ...
    severity: Severity
    what: What
    current: str
    target: str
    removed_in: str | None = None
    deprecated_in: str | None = None
    replacement: str | None = None
    origin: str | None = None  # "FILE line N"
    message: str = ""


def _where(origin: Origin | str | None) -> str:
    if origin is None:
        return ""
    return f"; delete it from {origin}" if str(origin) else ""


def worst(findings: Iterable[KubeletFlagFinding]) -> Severity | None:
    """The most severe of ``findings`` (``None`` for none)."""
    order = {"risk": 0, "warning": 1, "info": 2}
    best: Severity | None = None
    for f in findings:
        if best is None or order[f.severity] < order[best]:
            best = f.severity
    return best
