"""Checking a prediction against what an upgrade did: :func:`audit` of a before and an after state.

Nodes whose ``status.nodeInfo.kubeletVersion`` differs between the two states are the upgraded ones. For the
containers on them, the before state is predicted with :class:`~kubehash.upgrade.predict.Predictor` -- each
node to the version the after state reports, with the given options' other settings -- and each container's
pod is looked up in the after state (by ``metadata.uid``; by name when the uid is gone: a replaced pod), its
status compared (:func:`~kubehash.upgrade.audit.observe.observe`). Each container of the before state gets
exactly one class (:data:`~kubehash.upgrade.audit.result.CLASSES`). Nothing here reads files.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kubehash.errors import KubehashError
from kubehash.model import (
    NOT_OBJECTS,
    Documents,
    NodeVersions,
    PodView,
    RuntimeRecord,
    iter_pods,
    node_kubelet_versions,
    pod_view,
)
from kubehash.upgrade.audit.evidence import why, with_evidence
from kubehash.upgrade.audit.observe import ContainerState, Observation, container_state, observe
from kubehash.upgrade.audit.result import (
    PREDICTED_AND_RESTARTED,
    PREDICTED_NOT_RESTARTED,
    RESTARTED_NOT_PREDICTED,
    RESTARTED_ON_NODE_NOT_UPGRADED,
    UNCHANGED_AS_PREDICTED,
    Audit,
    ContainerAudit,
)
from kubehash.upgrade.audit.versions import same_release
from kubehash.upgrade.ignorefile.rules import IgnoreFile
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import ContainerPrediction, Predictor
from kubehash.upgrade.predict.records import RuntimeIndex

__all__ = ["audit", "upgraded_nodes"]

Pod = Mapping[str, Any]


def _versions(nodes: Documents | NodeVersions | None) -> dict[str, str]:
    if nodes is None:
        return {}
    if isinstance(nodes, Mapping) and not {"items", "kind", "metadata"} & nodes.keys():
        return {str(k): str(v) for k, v in nodes.items()}
    return node_kubelet_versions(nodes)


def upgraded_nodes(
    before_nodes: Documents | NodeVersions | None, after_nodes: Documents | NodeVersions | None
) -> dict[str, tuple[str, str]]:
    """``{node: (kubelet version before, after)}`` for every node in both states whose version changed (Node
    documents, or ``{node: version}``)."""
    vb, va = _versions(before_nodes), _versions(after_nodes)
    return {n: (vb[n], va[n]) for n in sorted(vb.keys() & va.keys()) if vb[n] != va[n]}


class _After:
    """The after state's pods, by uid and by (namespace, name)."""

    def __init__(self, pods: Documents, skipped: Counter[str]) -> None:
        self.by_uid: dict[str, tuple[PodView, Pod]] = {}
        self.by_name: dict[tuple[str | None, str], tuple[PodView, Pod]] = {}
        self.problems: list[str] = []
        for pod in iter_pods(pods, skipped):
            view = pod_view(pod)
            if view.problems:
                self.problems.append(f"after state: {_pod_ref(view)}: {'; '.join(view.problems)}")
            if view.uid is not None:
                self.by_uid.setdefault(view.uid, (view, pod))
            self.by_name.setdefault((view.namespace, view.name), (view, pod))

    def unseen(self, seen: set[int]) -> list[PodView]:
        """The pods no pod of the before state was matched to (new pods), each once."""
        pods = {id(p): v for v, p in (*self.by_uid.values(), *self.by_name.values())}
        return [v for k, v in pods.items() if k not in seen]

    def match(self, view: PodView) -> tuple[str, tuple[PodView, Pod] | None]:
        """``("same", pod)``, ``("pod-replaced", pod)`` (its name under another uid) or ``("pod-deleted", None)``."""
        if view.uid is not None and (hit := self.by_uid.get(view.uid)) is not None:
            return "same", hit
        hit = self.by_name.get((view.namespace, view.name))
        if hit is None:
            return "pod-deleted", None
        if view.uid is None or hit[0].uid is None:
            return "same", hit  # no uid to tell instances apart: the name decides
        return "pod-replaced", hit


class _Predictors:
    """One :class:`Predictor` per target version (the after state's version of upgraded nodes)."""

    def __init__(self, options: Options | None, before: dict[str, str], runtime: list[RuntimeRecord], **kw: Any):
        self.options, self.before, self.runtime, self.kw = options, before, runtime, kw
        self.made: dict[str, Predictor | str] = {}

    def get(self, version: str) -> Predictor | str:
        found = self.made.get(version)
        if found is None:
            try:
                opts = Options(to=version) if self.options is None else dataclasses.replace(self.options, to=version)
                found = Predictor(opts, nodes=self.before, runtime=self.runtime, **self.kw)
            except KubehashError as e:
                found = f"kubelet {version} reported by the after state: {e}"
            self.made[version] = found
        return found


def _classify(upgraded: bool, predicted: bool, restarted: bool) -> str:
    if not upgraded:
        return RESTARTED_ON_NODE_NOT_UPGRADED if restarted else UNCHANGED_AS_PREDICTED
    if predicted:
        return PREDICTED_AND_RESTARTED if restarted else PREDICTED_NOT_RESTARTED
    return RESTARTED_NOT_PREDICTED if restarted else UNCHANGED_AS_PREDICTED


class _Auditor:
    def __init__(self, after: _After, upgrades: dict[str, tuple[str, str]], runtime_before: RuntimeIndex,
                 runtime_after: RuntimeIndex, predictors: _Predictors) -> None:  # fmt: skip
        self.after, self.upgrades, self.predictors = after, upgrades, predictors
        self.rb, self.ra = runtime_before, runtime_after
        self.seen_after: set[int] = set()
        self.errors: list[str] = []

    def pod(self, pod: Pod) -> list[ContainerAudit]:
        view = pod_view(pod)
        how, hit = self.after.match(view)
        if how == "same" and hit is not None:
            self.seen_after.add(id(hit[1]))  # a replacement (new uid) is a new pod
        rows = [(name, kind) for name, kind, _, _ in view.containers] or ([("-", "container")] if view.problems else [])
        predictions = self._predict(view, len(rows))
        return [
            self._container(view, pod, name, kind, how, hit, p)
            for (name, kind), p in zip(rows, predictions, strict=True)
        ]

    def _predict(self, view: PodView, n: int) -> list[ContainerPrediction | None]:
        up = self.upgrades.get(view.node or "")
        if up is None:
            return [None] * n
        predictor = self.predictors.get(up[1])
        if isinstance(predictor, str):
            self.errors.append(predictor)
            return [_error(view, name, kind, predictor) for name, kind, _, _ in view.containers] or [None] * n
        out: list[ContainerPrediction | None] = list(predictor.view(view))
        return out if len(out) == n else [*out, *[None] * (n - len(out))][:n]

    def _look(self, view: PodView, pod: Pod, name: str, kind: str, how: str,
              hit: tuple[PodView, Pod] | None) -> _Look:  # fmt: skip
        """The container's status and records in both states, and what they show."""
        before = container_state(pod, kind, name)
        rec_b = self.rb.find(view, name) if self.rb else None
        if how != "same" or hit is None:
            return _Look(before, None, rec_b, None, Observation(False), how)
        after = container_state(hit[1], kind, name)
        rec_a = self.ra.find(hit[0], name) if self.ra else None
        obs = observe(before, after, rec_b, rec_a)
        observed = _observed(obs, before, after)
        if observed == "stopped" and _evicted(hit[1]):
            observed = "evicted"
        return _Look(before, after, rec_b, rec_a, obs, observed)

    def _container(self, view: PodView, pod: Pod, name: str, kind: str, how: str,
                   hit: tuple[PodView, Pod] | None, p: ContainerPrediction | None) -> ContainerAudit:  # fmt: skip
        look = self._look(view, pod, name, kind, how, hit)
        obs = look.obs
        up = self.upgrades.get(view.node or "")
        predicted = p is not None and p.verdict in ("restart", "protected")
        outcome = _classify(up is not None, predicted, obs.restarted)
        error = p.error if p is not None and p.verdict == "error" else None
        if error is None and view.problems:
            error = f"before state: {_pod_ref(view)}: {'; '.join(view.problems)}"
        if error:
            self.errors.append(error)
        moved = hit[0].node if how == "pod-replaced" and hit is not None and hit[0].node != view.node else None
        c = ContainerAudit(
            namespace=view.namespace,
            pod=view.name,
            container=name,
            kind=kind,
            node=view.node,
            upgraded=up is not None,
            outcome=outcome,
            observed=look.observed,
            predicted=predicted,
            restarted=obs.restarted,
            version_before=None if up is None else up[0],
            version_after=None if up is None else up[1],
            node_after=moved,
            why=why(p, look.observed) if outcome == PREDICTED_NOT_RESTARTED and p is not None else None,
            evidence=obs.signals,
            error=error,
            **_predicted_fields(p, error),
            **look.fields(),
        )
        return with_evidence(c, obs)


@dataclass(frozen=True, slots=True)
class _Look:
    before: ContainerState | None
    after: ContainerState | None
    rec_b: RuntimeRecord | None
    rec_a: RuntimeRecord | None
    obs: Observation
    observed: str

    def fields(self) -> dict[str, Any]:
        """The :class:`ContainerAudit` fields read from the statuses and records."""
        before, after = self.before, self.after
        last = after if after is not None and self.obs.restarted else None
        return {
            "restart_count_before": None if before is None else before.restart_count,
            "restart_count_after": None if after is None else after.restart_count,
            "last_reason": None if last is None else last.last_reason,
            "exit_code": None if last is None else last.exit_code,
            "recorded_hash_before": None if self.rec_b is None else self.rec_b.hash,
            "recorded_hash_after": None if self.rec_a is None else self.rec_a.hash,
        }


def _predicted_fields(p: ContainerPrediction | None, error: str | None) -> dict[str, Any]:
    """The :class:`ContainerAudit` fields taken from the prediction."""
    if p is None:
        return {}
    reasons = "" if error is not None else p.reason_text()
    return {"verdict": p.verdict, "reasons": reasons, "old_hash": p.old_hash, "new_hash": p.new_hash}


def _evicted(pod: Pod) -> bool:
    """The kubelet's eviction manager marks a pod it evicts ``status.phase: Failed``, ``status.reason: Evicted``."""
    status = pod.get("status")
    return isinstance(status, Mapping) and status.get("reason") == "Evicted"


def _observed(obs: Observation, before: ContainerState | None, after: ContainerState | None) -> str:
    if obs.restarted:
        return "restarted"
    if obs.started:
        return "started"
    if before is not None and before.running:
        return "running" if after is not None and after.running else "stopped"
    return "not-running"


def _pod_ref(view: PodView) -> str:
    return f"pod {view.namespace + '/' if view.namespace else ''}{view.name}"


def _skipped(counts: Counter[str], side: str) -> tuple[list[str], list[str]]:
    """Documents of a pods input that are not pods: ``(errors, warnings)`` -- not objects are errors (a dump's
    items are objects), other objects (a Node in the pods dump) warnings."""
    bad = {k: n for k, n in counts.items() if k in NOT_OBJECTS}
    other = {k: n for k, n in counts.items() if k not in NOT_OBJECTS}
    errors = [f"{side} state: {_counted(bad)} in the pods input: not objects, skipped"] if bad else []
    return errors, [f"{side} state: {_counted(other)} in the pods input: not pods, skipped"] if other else []


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))


def _error(view: PodView, name: str, kind: str, error: str) -> ContainerPrediction:
    return ContainerPrediction(view.namespace, view.name, name, kind, view.node, view.source, None, "", verdict="error",
                               error=error)  # fmt: skip


def _unspared(containers: list[ContainerAudit]) -> list[str]:
    refs = [c.ref for c in containers if c.outcome == PREDICTED_AND_RESTARTED and c.verdict == "protected"]
    if not refs:
        return []
    shown = ", ".join(refs[:5]) + (", ..." if len(refs) > 5 else "")
    return [
        f"{len(refs)} container(s) restarted although an ignore file should have spared them (is the kubelet "
        f"patched, and the file where it reads it?): {shown}"
    ]


def _warnings(upgrades: dict[str, tuple[str, str]], expected: str | None, cs: list[ContainerAudit]) -> list[str]:
    warnings = _unspared(cs)
    if expected is not None:
        off = sorted(n for n, (_, a) in upgrades.items() if not same_release(a, expected))
        if off:
            warnings.append(f"{len(off)} upgraded node(s) report a kubelet other than {expected}: {', '.join(off)}")
    if not upgrades:
        warnings.append("no node's kubelet version changed between the two states: nothing was upgraded")
    return warnings


def audit(
    before_pods: Documents,
    before_nodes: Documents | NodeVersions | None,
    after_pods: Documents,
    after_nodes: Documents | NodeVersions | None,
    options: Options | None = None,
    *,
    runtime_before: Iterable[RuntimeRecord] = (),
    runtime_after: Iterable[RuntimeRecord] = (),
    ignore_files: Mapping[str, IgnoreFile] | None = None,
    expected: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Audit:
    """Audit an upgrade: which containers of ``before_pods`` were predicted to restart on the nodes the upgrade
    reached, and which did (:mod:`kubehash.upgrade.audit`).

    ``*_pods``: pods as :func:`~kubehash.upgrade.predict.predict` takes them; ``*_nodes``: Node documents or
    ``{node: kubelet version}``. ``options``: every setting of ``predict`` but ``to``, which is each upgraded
    node's version in ``after_nodes`` (``None``: the defaults). ``runtime_before``/``runtime_after``: the
    runtime's records of each state (recorded hashes; container IDs). ``ignore_files``: ``{node: IgnoreFile}``
    active during the upgrade. ``expected``: the version the upgrade was meant to reach; upgraded nodes that
    report another one are warned about. ``progress(n)`` is called after each pod of the before state with its
    container count."""
    skipped_after: Counter[str] = Counter()
    skipped: Counter[str] = Counter()
    after = _After(after_pods, skipped_after)
    upgrades = upgraded_nodes(before_nodes, after_nodes)
    runtime_b = list(runtime_before)
    predictors = _Predictors(options, _versions(before_nodes), runtime_b, ignore_files=ignore_files)
    auditor = _Auditor(after, upgrades, RuntimeIndex(runtime_b), RuntimeIndex(runtime_after), predictors)
    containers: list[ContainerAudit] = []
    for pod in iter_pods(before_pods, skipped):
        rows = auditor.pod(pod)
        containers.extend(rows)
        if progress is not None:
            progress(len(rows))
    new = after.unseen(auditor.seen_after)
    new_pods = tuple(sorted(f"{v.namespace or '-'}/{v.name}" for v in new))
    (errors_b, warnings_b), (errors_a, warnings_a) = _skipped(skipped, "before"), _skipped(skipped_after, "after")
    warnings = [*warnings_b, *warnings_a, *_warnings(upgrades, expected, containers)]
    errors = list(dict.fromkeys([*auditor.errors, *after.problems, *errors_b, *errors_a]))
    return Audit(tuple(containers), upgrades, new_pods, sum(len(v.containers) for v in new), tuple(errors),
                 tuple(warnings))  # fmt: skip
