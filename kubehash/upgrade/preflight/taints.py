"""The taint-eviction check: what the taint manager does with a pod when its node goes NotReady while the
kubelet restarts (see :mod:`kubehash.upgrade.preflight.checks`), and the fix that keeps it."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kubehash.kubelet.releases import Release
from kubehash.upgrade.preflight.inputs import Node, Pod, roll_hint
from kubehash.upgrade.preflight.report import Behaviour, Finding
from kubehash.upgrade.preflight.tolerations import (
    DAEMONSET_TOLERATIONS,
    NO_EXECUTE,
    NOT_READY,
    UNREACHABLE,
    Taint,
    Toleration,
    admit_default_tolerations,
    eviction_delay,
    matching_tolerations,
)

__all__ = ["TOUCH_LABEL", "taint_check"]

TOUCH_LABEL = "kubehash.io/touch"


def _add_or_update(tolerations: Sequence[Toleration], tol: Toleration) -> tuple[Toleration, ...]:
    """``AddOrUpdateTolerationInPodSpec``: replace the toleration equal in key/effect/operator/value, else append."""
    same = [
        t
        for t in tolerations
        if (t.key, t.effect, t.operator, t.value) == (tol.key, tol.effect, tol.operator, tol.value)
    ]
    if not same:
        return (*tolerations, tol)
    return tuple(tol if t in same else t for t in tolerations)


def _base_taints(node: Node | None) -> tuple[Taint, ...]:
    """The node's NoExecute taints other than the two a NotReady node gets."""
    return tuple(
        t for t in (node.taints if node else ()) if t.effect == NO_EXECUTE and t.key not in (NOT_READY, UNREACHABLE)
    )


def _worst(scenarios: Sequence[Sequence[Taint]], tolerations: Sequence[Toleration], gates: Behaviour) -> int | None:
    delays = [eviction_delay(s, tolerations, comparison_operators=gates.comparison_operators) for s in scenarios]
    bounded = [d for d in delays if d is not None]
    return min(bounded) if bounded else None


@dataclass(frozen=True)
class _Assessment:
    """What the taint manager does with one toleration list on one set of node taints."""

    delay: int | None  # seconds until eviction in the worse scenario; 0 at once, None never
    why: str  # untolerated taints / zero-second tolerations (when delay == 0)
    touch_helps: bool  # an update (DefaultTolerationSeconds) makes the pod safe
    other_taints: tuple[str, ...]  # node taints still untolerated after the defaults
    blockers: tuple[str, ...]  # the pod's tolerations that keep DefaultTolerationSeconds from adding defaults


def _why_at_once(scenarios: list[tuple[Taint, ...]], tolerations: tuple[Toleration, ...], gates: Behaviour) -> str:
    """Why a pod is evicted at once: the taints it does not tolerate, the tolerations that end at once."""
    untolerated: dict[str, None] = {}
    zero: dict[str, None] = {}
    for sc in scenarios:
        bad, used = matching_tolerations(sc, tolerations, comparison_operators=gates.comparison_operators)
        untolerated.update((t.describe(), None) for t in bad)
        zero.update((t.describe(), None) for t in used if t.seconds is not None and t.seconds <= 0)
    parts = []
    if untolerated:
        parts.append(f"no toleration for {', '.join(untolerated)}")
    if zero:
        parts.append(f"toleration {', '.join(zero)} ends at once")
    return "; ".join(parts)


@lru_cache(maxsize=4096)
def _assess(
    tolerations: tuple[Toleration, ...],
    base: tuple[Taint, ...],
    gates: Behaviour,
    warn_below: int,
    defaults: tuple[int, int],
) -> _Assessment:
    scenarios = [(*base, Taint(NOT_READY, NO_EXECUTE)), (*base, Taint(UNREACHABLE, NO_EXECUTE))]
    delay = _worst(scenarios, tolerations, gates)
    if delay is None or delay > 0:
        return _Assessment(delay, "", False, (), ())
    after = admit_default_tolerations(tolerations, not_ready_seconds=defaults[0], unreachable_seconds=defaults[1])
    fixed = _worst(scenarios, after, gates)
    other = {
        t.describe(): None
        for sc in scenarios
        for t in matching_tolerations(sc, after, comparison_operators=gates.comparison_operators)[0]
        if t.key not in (NOT_READY, UNREACHABLE)
    }
    blockers = tuple(
        t.describe() for t in tolerations if t.key in (NOT_READY, UNREACHABLE, "") and t.effect in (NO_EXECUTE, "")
    )
    touch_helps = after != tolerations and (fixed is None or fixed >= warn_below)
    return _Assessment(0, _why_at_once(scenarios, tolerations, gates), touch_helps, tuple(other), blockers)


def taint_check(
    pod: Pod, node: Node | None, gates: Behaviour, old: Release | None, warn_below: int, defaults: tuple[int, int]
) -> Finding | None:
    tolerations = pod.tolerations
    if pod.owner is not None and pod.owner[0] == "DaemonSet":
        for t in DAEMONSET_TOLERATIONS:
            tolerations = _add_or_update(tolerations, t)
    a = _assess(tolerations, _base_taints(node), gates, warn_below, defaults)
    if a.delay is None or a.delay >= warn_below:
        return None
    if old is not None and not old.taint_based_evictions:
        gate = f"TaintBasedEvictions: off in {old.minor}, on from 1.13"
    else:
        gate = "TaintBasedEvictions: on by default since 1.13"
    where = pod.node or "its node"
    if a.delay > 0:
        detail = f"evicted {a.delay}s after {where} goes NotReady during the kubelet restart ({gate})"
        severity = "warning"
    else:
        detail = f"{a.why}: evicted at once when {where} goes NotReady during the kubelet restart ({gate})"
        severity = "risk"
    if pod.mirror:
        detail = (
            f"mirror pod of a static pod; {detail}, but the taint manager deletes only the mirror object: the "
            "kubelet keeps the static pod running and recreates the mirror pod"
        )
        return Finding("taint-eviction", pod.namespace, pod.name, pod.node, "info", detail, None)
    return Finding("taint-eviction", pod.namespace, pod.name, pod.node, severity, detail, _taint_fix(pod, a))


def _taint_fix(pod: Pod, a: _Assessment) -> str:
    ns = f" -n {shlex.quote(pod.namespace)}" if pod.namespace else ""
    roll = roll_hint(pod)
    if a.delay:
        where = f"in the pod template, then {roll}" if roll else "and recreate the pod"
        return f"if the kubelet restart can take {a.delay}s or longer, raise tolerationSeconds {where}"
    if a.touch_helps:
        touch = f"kubectl label pod{ns} {shlex.quote(pod.name)} {TOUCH_LABEL}=1 --overwrite"
        text = f"{touch} (any update makes DefaultTolerationSeconds add not-ready/unreachable tolerations; no restart)"
        if roll:
            text += f"; rolling the owner also works but restarts the pods: {roll}"
        return text
    if a.other_taints:
        reason = f"the node's NoExecute taint(s) {', '.join(a.other_taints)} are not tolerated either"
        wanted = f"tolerations for {', '.join(a.other_taints)}"
    else:
        blockers = ", ".join(a.blockers)
        reason = f"the pod's own toleration(s) {blockers} stop DefaultTolerationSeconds from adding the defaults"
        wanted = f"tolerations for {NOT_READY} and {UNREACHABLE} (NoExecute)"
    if roll:
        return f"{reason}: add {wanted} to the pod template, then {roll}"
    return f"{reason}: recreate the pod with {wanted}"
