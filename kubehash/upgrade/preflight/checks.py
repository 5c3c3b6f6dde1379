"""The two risks of an in-place kubelet upgrade that are not about container hashes (DOMAIN.md §8).

**Taint-based eviction** (check ``taint-eviction``). While its kubelet restarts, a node goes NotReady: the
kubelet stops posting status (``node.kubernetes.io/unreachable``) and reports NotReady while it starts
(``node.kubernetes.io/not-ready``); the node lifecycle controller then adds that taint with effect
``NoExecute``. Feature gate ``TaintBasedEvictions`` (alpha 1.6-1.12 off by default, beta and on by default
from 1.13, GA and locked on in 1.18, gate removed afterwards) makes the taint manager delete every pod on the
node that does not tolerate all its NoExecute taints, at once. ``DefaultTolerationSeconds`` gives pods
created or updated after it ran 300 s tolerations; older pods have none. The gate lives in the
controller-manager, which the version-skew policy upgrades before the kubelets, so it is judged from ``to``.
The taint manager does not skip mirror pods, but deleting a mirror pod does not stop its static pod: the
kubelet treats a mirror pod delete as an update of the static pod (``Kubelet.handleMirrorPod``), keeps it
running and recreates the mirror pod (which admission then gives the defaults); the kubelet's own
NoExecute admission check also skips static pods (``pkg/kubelet/lifecycle/predicate.go``). So mirror pods
are reported as ``info``, never ``risk``.

**Node affinity on re-admission** (check ``node-selector``). On restart the kubelet re-admits every pod
bound to it (``HandlePodAdditions`` -> ``predicateAdmitHandler.Admit``); ``GeneralPredicates`` has checked
``spec.nodeSelector`` *and* required node affinity (``requiredDuringSchedulingIgnoredDuringExecution``,
despite its name) since the affinity field existed (1.6; see kubernetes#76322, #99708), so a pod whose
node lost a label is failed. The pod's status reason is ``MatchNodeSelector`` up to 1.17 and
``NodeAffinity`` from 1.18 (the kubelet reuses the scheduler plugin's name since kubernetes#87091).
Kubelets 1.35+ (``NotEvictPodOnKubeletRestart``, beta and on by default in 1.35) skip that check for pods
that already started (``status.startTime`` set). Kubelets before 1.11 do not know ``matchFields`` (dropped
when decoding) and stop at the first invalid term instead of trying the next. Static pods are re-admitted
from their manifest like any other pod.

All of this is pure logic: :func:`preflight` returns a :class:`PreflightReport`; nothing here prints.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from typing import Any

from kubehash.errors import FieldError, UnsupportedVersionError
from kubehash.kubelet.releases import normalize_minor, release
from kubehash.model import MIRROR_ANNOTATION, node_kubelet_versions
from kubehash.upgrade.preflight.selectors import (
    LabelFix,
    NodeAffinity,
    Term,
    label_fix,
    matches,
    parse_affinity,
    unmet,
)
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
    parse_taints,
    parse_tolerations,
)

__all__ = [
    "CHECKS",
    "SEVERITIES",
    "Finding",
    "Gates",
    "PreflightReport",
    "gates_for",
    "preflight",
]

CHECKS = ("taint-eviction", "node-selector", "error")
SEVERITIES = ("risk", "warning", "info", "error")

#: First minor with TaintBasedEvictions on by default (beta); GA and locked on from 1.18.
TAINT_BASED_EVICTIONS_DEFAULT_ON = 13
#: First kubelet minor whose admission failure reason is ``NodeAffinity`` rather than ``MatchNodeSelector``.
NODE_AFFINITY_REASON_FROM = 18
#: First kubelet minor with ``NotEvictPodOnKubeletRestart`` on by default (beta).
NOT_EVICT_ON_RESTART_FROM = 35
#: First kubelet minor that decodes ``matchFields`` (``v1helper.MatchNodeSelectorTerms``); the same change made
#: an invalid term skip to the next one, where earlier kubelets stopped at it and matched nothing.
MATCH_FIELDS_FROM = 11

TOUCH_LABEL = "kubehash.io/touch"


@dataclass(frozen=True)
class Gates:
    """The version-dependent behaviour modelled for one upgrade target (override any of it)."""

    taint_based_evictions: bool
    skip_started_pods: bool
    rejection_reason: str
    match_fields: bool
    lazy_term_errors: bool = True
    comparison_operators: bool = False


@cache
def _minor(version: str) -> int:
    return int(normalize_minor(version).split(".")[1])


def gates_for(to: str) -> Gates:
    """Upstream defaults for a target version (any supported kubelet version string)."""
    m = _minor(to)
    return Gates(
        taint_based_evictions=m >= TAINT_BASED_EVICTIONS_DEFAULT_ON,
        skip_started_pods=m >= NOT_EVICT_ON_RESTART_FROM,
        rejection_reason="NodeAffinity" if m >= NODE_AFFINITY_REASON_FROM else "MatchNodeSelector",
        match_fields=m >= MATCH_FIELDS_FROM,
        lazy_term_errors=m >= MATCH_FIELDS_FROM,
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


@dataclass
class PreflightReport:
    """Findings of :func:`preflight`, in input order; iterate it for the findings."""

    to: str
    from_version: str | None
    gates: Gates
    findings: list[Finding] = field(default_factory=list)
    pods: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

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
    def summary(self) -> dict[str, Any]:
        by_severity = {s: sum(1 for f in self.findings if f.severity == s) for s in SEVERITIES}
        by_check = {c: sum(1 for f in self.findings if f.check == c) for c in CHECKS}
        at_risk = len({(f.namespace, f.pod) for f in self.findings if f.severity == "risk"})
        return {
            "pods": self.pods,
            "pods_at_risk": at_risk,
            **by_severity,
            "by_check": by_check,
            "skipped": dict(self.skipped),
        }

# --- input -----------------------------------------------------------------------------------------------


class _Bad(ValueError):
    """A malformed pod or node (message names the field)."""


def _items(docs: Any, where: str = "$") -> Iterator[tuple[str, Any]]:
    """(where, object) for every object in a document, a List (``items``) or a list of those."""
    if isinstance(docs, list):
        for i, x in enumerate(docs):
            yield from _items(x, f"{where}[{i}]")
    elif isinstance(docs, Mapping) and isinstance(docs.get("items"), list) and "spec" not in docs:
        for i, x in enumerate(docs["items"]):
            yield from _items(x, f"{where}.items[{i}]")
    else:
        yield where, docs


def _mapping(d: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> Mapping[str, Any]:
    v = d.get(key)
    if v is None and not required:
        return {}
    if not isinstance(v, Mapping):
        raise _Bad(f"{path}.{key}: {'missing' if v is None else 'must be an object'}")
    return v


def _opt_str(d: Mapping[str, Any], key: str, path: str) -> str | None:
    v = d.get(key)
    if v is not None and not isinstance(v, str):
        raise _Bad(f"{path}.{key}: must be a string")
    return v


@dataclass(frozen=True)
class _Node:
    name: str
    labels: Mapping[str, str]
    taints: tuple[Taint, ...]
    version: str | None


def _parse_node(n: Any) -> _Node:
    if not isinstance(n, Mapping):
        raise _Bad("not an object")
    meta = _mapping(n, "metadata", "$", required=True)
    name = _opt_str(meta, "name", "$.metadata")
    if not name:
        raise _Bad("$.metadata.name: missing")
    labels = meta.get("labels") or {}
    if not isinstance(labels, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise _Bad(f"node {name}: $.metadata.labels: must be a map of strings to strings")
    try:
        taints = parse_taints(_mapping(n, "spec", "$").get("taints"))
    except (FieldError, _Bad) as e:
        raise _Bad(f"node {name}: {e}") from None
    version = node_kubelet_versions(n).get(name)
    if version is not None:
        try:
            normalize_minor(version)
        except UnsupportedVersionError:
            raise _Bad(f"node {name}: $.status.nodeInfo.kubeletVersion: not a version: {version!r}") from None
    return _Node(name, dict(labels), taints, version)


@dataclass(frozen=True)
class _Pod:
    namespace: str | None
    name: str
    node: str | None
    phase: str | None
    started: bool
    mirror: bool
    owner: tuple[str, str] | None
    labels: Mapping[str, Any]
    tolerations: tuple[Toleration, ...]
    affinity: NodeAffinity


def _parse_pod(p: Any) -> _Pod:
    if not isinstance(p, Mapping):
        raise _Bad(f"not an object ({type(p).__name__})")
    kind = p.get("kind")
    if kind is not None and kind != "Pod":
        raise _Bad(f"not a Pod (kind {kind!r})")
    meta = _mapping(p, "metadata", "$", required=True)
    name = _opt_str(meta, "name", "$.metadata")
    if not name:
        raise _Bad("$.metadata.name: missing")
    spec = _mapping(p, "spec", "$", required=True)
    status = _mapping(p, "status", "$")
    ann = _mapping(meta, "annotations", "$.metadata")
    labels = _mapping(meta, "labels", "$.metadata")
    owners = meta.get("ownerReferences") or []
    if not isinstance(owners, list) or not all(isinstance(o, Mapping) for o in owners):
        raise _Bad("$.metadata.ownerReferences: must be a list of objects")
    owner = next((o for o in owners if o.get("controller") is True), owners[0] if owners else None)
    owner_ref = None
    if owner is not None:
        okind, oname = owner.get("kind"), owner.get("name")
        if not isinstance(okind, str) or not isinstance(oname, str):
            raise _Bad("$.metadata.ownerReferences: kind and name must be strings")
        owner_ref = (okind, oname)
    try:
        tolerations = parse_tolerations(spec.get("tolerations"))
        affinity = parse_affinity(spec)
    except FieldError as e:
        raise _Bad(str(e)) from None
    return _Pod(
        namespace=_opt_str(meta, "namespace", "$.metadata"),
        name=name,
        node=_opt_str(spec, "nodeName", "$.spec") or None,
        phase=_opt_str(status, "phase", "$.status"),
        started=status.get("startTime") is not None,
        mirror=MIRROR_ANNOTATION in ann,
        owner=owner_ref,
        labels=labels,
        tolerations=tolerations,
        affinity=affinity,
    )


# --- checks ----------------------------------------------------------------------------------------------


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


def _owner_workload(pod: _Pod) -> tuple[str, str] | None:
    """The workload a user rolls: a Deployment behind a ReplicaSet named ``<deployment>-<pod-template-hash>``."""
    if pod.owner is None:
        return None
    kind, name = pod.owner
    h = pod.labels.get("pod-template-hash")
    if kind == "ReplicaSet" and isinstance(h, str) and h and name.endswith("-" + h):
        return ("Deployment", name[: -len(h) - 1])
    return pod.owner


def _roll_hint(pod: _Pod) -> str | None:
    wl = _owner_workload(pod)
    if wl is None:
        return None
    kind, name = wl
    ns = f" -n {shlex.quote(pod.namespace)}" if pod.namespace else ""
    if kind in ("Deployment", "StatefulSet", "DaemonSet"):
        return f"kubectl rollout restart {kind.lower()}/{shlex.quote(name)}{ns}"
    return f"delete the pod so {kind}/{name} recreates it"


def _base_taints(node: _Node | None) -> tuple[Taint, ...]:
    """The node's NoExecute taints other than the two a NotReady node gets."""
    return tuple(
        t for t in (node.taints if node else ()) if t.effect == NO_EXECUTE and t.key not in (NOT_READY, UNREACHABLE)
    )


def _worst(scenarios: Sequence[Sequence[Taint]], tolerations: Sequence[Toleration], gates: Gates) -> int | None:
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


@lru_cache(maxsize=4096)
def _assess(
    tolerations: tuple[Toleration, ...],
    base: tuple[Taint, ...],
    gates: Gates,
    warn_below: int,
    defaults: tuple[int, int],
) -> _Assessment:
    scenarios = [(*base, Taint(NOT_READY, NO_EXECUTE)), (*base, Taint(UNREACHABLE, NO_EXECUTE))]
    delay = _worst(scenarios, tolerations, gates)
    if delay is None or delay > 0:
        return _Assessment(delay, "", False, (), ())
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
    return _Assessment(0, "; ".join(parts), touch_helps, tuple(other), blockers)


def _taint_check(
    pod: _Pod, node: _Node | None, gates: Gates, from_minor: int | None, warn_below: int, defaults: tuple[int, int]
) -> Finding | None:
    tolerations = pod.tolerations
    if pod.owner is not None and pod.owner[0] == "DaemonSet":
        for t in DAEMONSET_TOLERATIONS:
            tolerations = _add_or_update(tolerations, t)
    a = _assess(tolerations, _base_taints(node), gates, warn_below, defaults)
    if a.delay is None or a.delay >= warn_below:
        return None
    if from_minor is not None and from_minor < TAINT_BASED_EVICTIONS_DEFAULT_ON:
        gate = f"TaintBasedEvictions: off in 1.{from_minor}, on from 1.13"
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


def _taint_fix(pod: _Pod, a: _Assessment) -> str:
    ns = f" -n {shlex.quote(pod.namespace)}" if pod.namespace else ""
    roll = _roll_hint(pod)
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


def _kubelet_view(aff: NodeAffinity, gates: Gates) -> NodeAffinity:
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


def _selector_check(
    pod: _Pod, aff: NodeAffinity, node: _Node, gates: Gates, to_minor: int
) -> tuple[Finding, LabelFix | None] | None:
    if matches(aff, node.labels, node.name):
        return None
    fix = label_fix(aff, node.labels, node.name)
    problems = unmet(aff, node.labels, node.name, fix.term if fix else None)
    detail = (
        f"kubelet 1.{to_minor} re-admits the pod on restart and fails it with reason {gates.rejection_reason}: "
        + "; ".join(problems)
    )
    if fix is not None:
        fix_text = fix.kubectl(node.name)
    else:
        roll = _roll_hint(pod)
        fix_text = f"no label change makes {node.name} match: move the pod off the node before the upgrade" + (
            f" ({roll} after fixing its node affinity)" if roll else ""
        )
    return Finding("node-selector", pod.namespace, pod.name, node.name, "risk", detail, fix_text), fix


def _conflicts(
    report: PreflightReport,
    nodes: Mapping[str, _Node],
    constrained: Mapping[str, list[tuple[_Pod, NodeAffinity]]],
    fixes: Mapping[str, list[tuple[int, LabelFix]]],
) -> None:
    """Note on each label fix of a node when applying all of them still leaves some pod on it unmatched
    (two pods want contradicting labels, or a fix removes a label another pod needs)."""
    for name, node_fixes in fixes.items():
        labels: Mapping[str, str] = nodes[name].labels
        for _, fix in node_fixes:
            labels = fix.apply(labels)
        broken = [_key(p) for p, aff in constrained[name] if not matches(aff, labels, name)]
        if not broken:
            continue
        note = f" (note: with every label fix suggested for {name} applied, {', '.join(broken)} still would not match)"
        for i, _ in node_fixes:
            f = report.findings[i]
            report.findings[i] = replace(f, fix=(f.fix or "") + note)


def _key(pod: _Pod) -> str:
    return f"{pod.namespace}/{pod.name}" if pod.namespace else pod.name


def preflight(
    pods: Any,
    nodes: Any,
    *,
    to: str,
    from_version: str | None = None,
    gates: Gates | None = None,
    warn_below_seconds: int = 60,
    default_toleration_seconds: tuple[int, int] = (300, 300),
) -> PreflightReport:
    """Check every pod in ``pods`` (Pod, PodList, list of those, or a list of documents) for the two
    upgrade risks on its node from ``nodes`` (Node, NodeList, list).

    ``to`` is the target version, ``from_version`` the current one for nodes that do not report
    ``status.nodeInfo.kubeletVersion``; pods on nodes already at ``to``'s minor or newer are skipped.
    ``gates`` overrides the upstream defaults of :func:`gates_for`. A toleration that ends within
    ``warn_below_seconds`` is a ``warning``; ``default_toleration_seconds`` are the apiserver's
    ``--default-not-ready-toleration-seconds`` / ``--default-unreachable-toleration-seconds``.
    """
    to_minor_s = release(to).minor
    to_minor = _minor(to_minor_s)
    from_minor = _minor(from_version) if from_version is not None else None
    g = gates or gates_for(to_minor_s)
    report = PreflightReport(
        to=to_minor_s, from_version=normalize_minor(from_version) if from_version else None, gates=g
    )

    def skip(reason: str) -> None:
        report.skipped[reason] = report.skipped.get(reason, 0) + 1

    node_map: dict[str, _Node] = {}
    constrained: dict[str, list[tuple[_Pod, NodeAffinity]]] = {}
    fixes: dict[str, list[tuple[int, LabelFix]]] = {}
    for where, n in _items(nodes):
        try:
            parsed = _parse_node(n)
        except _Bad as e:
            report.findings.append(Finding("error", None, None, None, "error", f"nodes {where}: {e}"))
            continue
        node_map[parsed.name] = parsed

    for where, p in _items(pods):
        report.pods += 1
        try:
            pod = _parse_pod(p)
        except _Bad as e:
            ident = _ident(p)
            report.findings.append(Finding("error", ident[0], ident[1], None, "error", f"pods {where}: {e}"))
            continue
        if pod.phase in ("Succeeded", "Failed"):
            skip("terminal")
            continue
        if pod.node is None:
            skip("unscheduled")
            continue
        node = node_map.get(pod.node)
        node_minor = _minor(node.version) if node and node.version else from_minor
        if node and node.version and node_minor is not None and node_minor >= to_minor:
            skip("node already at target")
            continue
        if g.taint_based_evictions:
            f = _taint_check(pod, node, g, node_minor, warn_below_seconds, default_toleration_seconds)
            if f:
                report.findings.append(f)
        if node is None:
            report.findings.append(
                Finding(
                    "error",
                    pod.namespace,
                    pod.name,
                    pod.node,
                    "error",
                    f"node {pod.node} is not in the nodes input: labels and taints unknown",
                )
            )
            continue
        if g.skip_started_pods and pod.started and pod.affinity.constrained:
            skip("started, kubelet skips affinity on restart")
            continue
        aff = _kubelet_view(pod.affinity, g)
        if not aff.constrained:
            continue
        checked = _selector_check(pod, aff, node, g, to_minor)
        if checked is None or checked[1] is not None:  # matches now, or can be made to
            constrained.setdefault(node.name, []).append((pod, aff))
        if checked:
            report.findings.append(checked[0])
            if checked[1] is not None and checked[1].changes:
                fixes.setdefault(node.name, []).append((len(report.findings) - 1, checked[1]))
    _conflicts(report, node_map, constrained, fixes)
    return report


def _ident(p: Any) -> tuple[str | None, str | None]:
    meta = p.get("metadata") if isinstance(p, Mapping) else None
    if not isinstance(meta, Mapping):
        return None, None
    ns, name = meta.get("namespace"), meta.get("name")
    return (ns if isinstance(ns, str) else None, name if isinstance(name, str) else None)
