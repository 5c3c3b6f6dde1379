"""The node-affinity check: a restarted kubelet re-admits its pods, and fails one whose node no longer matches
its ``nodeSelector`` or required node affinity (see :mod:`kubehash.upgrade.preflight.checks`); the minimal
``kubectl label node`` fix."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from kubehash.upgrade.preflight.inputs import Node, Pod, pod_key, roll_hint
from kubehash.upgrade.preflight.report import Behaviour, Finding, PreflightReport
from kubehash.upgrade.preflight.selectors import LabelFix, NodeAffinity, Term, label_fix, matches, unmet

__all__ = ["kubelet_view", "note_conflicts", "selector_check"]


def kubelet_view(aff: NodeAffinity, gates: Behaviour) -> NodeAffinity:
    """The affinity as the target kubelet evaluates it: without ``matchFields`` before 1.11, and cut after the
    first invalid term where the kubelet stops there (an invalid term never matches, so keeping it is exact)."""
    if not gates.match_fields:
        aff = _strip_fields(aff)
    if gates.lazy_term_errors or aff.terms is None:
        return aff
    bad = next((i for i, t in enumerate(aff.terms) if t.errors), None)
    return aff if bad is None else replace(aff, terms=aff.terms[: bad + 1])


def _strip_fields(aff: NodeAffinity) -> NodeAffinity:
    if aff.terms is None:
        return aff
    return replace(
        aff,
        terms=tuple(
            Term(t.expressions, (), t.index, tuple(e for e in t.errors if "matchFields" not in e)) for t in aff.terms
        ),
    )


def selector_check(
    pod: Pod, aff: NodeAffinity, node: Node, gates: Behaviour, to_minor: str
) -> tuple[Finding, LabelFix | None] | None:
    if matches(aff, node.labels, node.name):
        return None
    fix = label_fix(aff, node.labels, node.name)
    problems = unmet(aff, node.labels, node.name, fix.term if fix else None)
    detail = (
        f"kubelet {to_minor} re-admits the pod on restart and fails it with reason {gates.rejection_reason}: "
        + "; ".join(problems)
    )
    if fix is not None:
        fix_text = fix.kubectl(node.name)
    else:
        roll = roll_hint(pod)
        fix_text = f"no label change makes {node.name} match: move the pod off the node before the upgrade" + (
            f" ({roll} after fixing its node affinity)" if roll else ""
        )
    return Finding("node-selector", pod.namespace, pod.name, node.name, "risk", detail, fix_text), fix


def note_conflicts(
    report: PreflightReport,
    nodes: Mapping[str, Node],
    constrained: Mapping[str, list[tuple[Pod, NodeAffinity]]],
    fixes: Mapping[str, list[tuple[int, LabelFix]]],
) -> None:
    """Note on each label fix of a node when applying all of them still leaves some pod on it unmatched
    (two pods want contradicting labels, or a fix removes a label another pod needs)."""
    for name, node_fixes in fixes.items():
        labels: Mapping[str, str] = nodes[name].labels
        for _, fix in node_fixes:
            labels = fix.apply(labels)
        broken = [pod_key(p) for p, aff in constrained[name] if not matches(aff, labels, name)]
        if not broken:
            continue
        note = f" (note: with every label fix suggested for {name} applied, {', '.join(broken)} still would not match)"
        for i, _ in node_fixes:
            f = report.findings[i]
            report.findings[i] = replace(f, fix=(f.fix or "") + note)
