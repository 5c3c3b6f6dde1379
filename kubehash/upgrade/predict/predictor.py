"""Which running containers an in-place kubelet upgrade restarts, and why.

For every container of every pod the kubelet would compare (running containers of ``spec.containers``; from
1.32, with the kubelet's ``SidecarContainers`` gate on, also restartable init containers), the new kubelet
computes the hash of the container's current spec and kills the container when it differs from the hash
recorded when the container was started. So:

* **old hash** -- the recorded one (runtime records), else the hash the node's current kubelet computes for
  the current spec (and when both exist they are compared: a mismatch means the spec changed since the
  container started, or the model is wrong -- reported, never hidden);
* **new hash** -- the target kubelet's hash of the spec after the target control plane's defaults
  (:class:`~kubehash.upgrade.predict.defaulter.Defaulter`; static pods: the new kubelet's);
* **verdict** -- ``restart`` (new != old), ``unchanged``, ``protected`` (an active version-cache ignore file
  on the node makes the patched kubelet skip the check), ``error`` (the container cannot be decoded, or its
  node's version is unknown), ``not-running`` (not running, so never compared: pending, completed, terminated)
  or ``not-checked`` (an init container the target kubelet does not compare).

A 1.27-1.30 target with ``InPlacePodVerticalScaling`` also checks ``hashWithoutResources``
(:mod:`~kubehash.upgrade.predict.resize`). Every input container appears exactly once in the result. Reason
paths are given from the pod (``spec.containers[0].securityContext.seccompProfile``; :meth:`Predictor.view`
takes another place for the pod spec, e.g. a Deployment's ``spec.template.spec``).

Input that cannot come from a cluster -- containers without the defaults every API server writes, fields the
node's kubelet does not have, pods on no node without status or uid -- is noted per container and summed up in
the prediction's warnings (:mod:`~kubehash.upgrade.predict.inputcheck`). With ``static_files``, pods decoded
from files (``source`` ``file``) are the kubelet's manifest files themselves rather than mirror pods: the old
side is then the old kubelet's own defaults of the file, as the new side is the new kubelet's. Nothing here
reads files or prints. This module judges each container; the kubelet each node runs now is resolved in
:mod:`~kubehash.upgrade.predict.oldkubelets`, both hashes of each distinct container are computed once in
:mod:`~kubehash.upgrade.predict.outcomes`.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from kubehash.kubelet.gates import compares_hash_without_resources, compares_sidecars, kubelet_gates
from kubehash.kubelet.hashcache import HashCache
from kubehash.kubelet.toolchains import Toolchain, describe_side, shown_version
from kubehash.model import (
    NOT_OBJECTS,
    Documents,
    NodeVersions,
    PodView,
    Rejected,
    RuntimeRecord,
    is_pod,
    iter_pods,
    pod_view,
)
from kubehash.upgrade.downgrade import downgrade_warnings
from kubehash.upgrade.explain import Reason, container_path, located
from kubehash.upgrade.ignorefile.rules import IgnoreFile, protection_hook
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict.defaulter import Defaulter, unique_spec_key
from kubehash.upgrade.predict.inputcheck import UNKNOWN_FIELD, container_notes, counted, input_warnings
from kubehash.upgrade.predict.oldkubelets import OldKubelets
from kubehash.upgrade.predict.outcome import Judged, OldKubelet, Outcome
from kubehash.upgrade.predict.outcomes import Outcomes
from kubehash.upgrade.predict.records import RuntimeIndex
from kubehash.upgrade.predict.resize import ResizeCheck
from kubehash.upgrade.predict.result import ContainerPrediction, Prediction, malformed_rows
from kubehash.upgrade.predict.running import restartable as _restartable
from kubehash.upgrade.predict.running import running as _running
from kubehash.upgrade.predict.running import spec_changed as _spec_changed
from kubehash.upgrade.predict.why import outcome_reasons

__all__ = ["Predictor", "predict"]


#: ``protected(prediction)``: does something (an ignore file) make the kubelet skip this container's check?
Protection = Callable[[ContainerPrediction], bool]


class Predictor:
    """The state of one prediction run (node versions, runtime records, ignore files, hash/defaults/explain
    caches), so pods can be fed one at a time -- from a stream, or in worker processes."""

    def __init__(
        self,
        options: Options,
        *,
        nodes: Documents | NodeVersions | None = None,
        runtime: Iterable[RuntimeRecord] = (),
        ignore_files: Mapping[str, IgnoreFile] | None = None,
        protected: Protection | None = None,
        static_files: bool = False,
        check_input: bool = True,
    ) -> None:
        self.options = options
        #: Pods with source ``file`` are manifest files as written (not mirror pods): both sides default them.
        self.static_files = static_files
        #: Note input that cannot come from a cluster (off for pods kubehash made from manifests).
        self.check_input = check_input
        #: Reason lists placed below a container's path: (id of the relative list, path) -> (list, located).
        self._located: dict[tuple[int, str], tuple[list[Reason], list[Reason]]] = {}
        self.target = target = options.target
        if ignore_files is not None:
            hook = protection_hook(
                ignore_files,
                running_version=options.to,
                rule=options.ignore_rule,
                kubelet_started=options.kubelet_started,
            )
            user_hook = protected
            protected = hook if user_hook is None else (lambda p: user_hook(p) or hook(p))
        self.protected = protected
        #: The kubelet each node runs now (:attr:`node_versions`, :attr:`toolchains` of the old versions).
        self.old_kubelets = OldKubelets(options, nodes)
        self.node_versions = self.old_kubelets.node_versions
        self.toolchains: dict[str, Toolchain] = self.old_kubelets.toolchains
        self.records = RuntimeIndex(runtime)
        #: Documents that were not pods, by what they are (:func:`~kubehash.model.not_a_pod`).
        self.skipped: Counter[str] = Counter()
        #: Both sides' hashes, per compiled plan and spec (decode errors cached: replicas fail once).
        self.hasher = HashCache(cache_errors=True)
        self.defaulter = (
            Defaulter(options.control_plane_release, target, options.feature_gates, options.kubelet_feature_gates)
            if options.defaults
            else None
        )
        gates = kubelet_gates(target, options.kubelet_feature_gates)
        self.resize = ResizeCheck(
            target, options.to, options.old_kubelet_feature_gates, self.defaulter, options.old_go, options.new_go
        )
        #: Both hashes per distinct (spec key, old kubelet's hash plan, container kind, hostNetwork).
        self._outcomes = Outcomes(
            options, self.hasher, self.defaulter, self.resize, static_files=static_files, check_input=check_input
        )
        self.outcomes = self._outcomes.table
        #: Per distinct (spec key, id of the old kubelet, kind, decode path, hostNetwork, index, pod-spec path).
        self._memo: dict[tuple[bytes, int, str, str, bool, int, str], Judged] = {}
        #: The versions shown for each side: as the nodes report them, a bare minor as the patch it stands for.
        self.new_version = shown_version(options.target_toolchain)
        #: Does the target compare hashWithoutResources / restartable init containers?
        self.hwr = compares_hash_without_resources(target, gates)
        self.sidecars = compares_sidecars(target, gates)
        if not target.restartable_init_containers:
            why = f"kubelet {target.minor} does not compare init containers' hashes"
        elif not self.sidecars:
            why = f"kubelet {target.minor} with SidecarContainers off does not compare init containers' hashes"
        else:
            why = "only restartable (sidecar) init containers are compared"
        self._init_reason = Reason("init-container", "", why)

    def pod(self, pod: Mapping[str, Any]) -> list[ContainerPrediction]:
        """Predictions for the containers of one pod, in :func:`~kubehash.model.iter_containers` order (a
        List or a list of pods: of every pod in it, as :func:`predict` reads them; anything else: none)."""
        if is_pod(pod):
            return self.view(pod_view(pod))
        return [p for d in iter_pods(pod, self.skipped) for p in self.view(pod_view(d))]

    def view(self, view: PodView, *, at: str = "spec") -> list[ContainerPrediction]:
        """:meth:`pod` of a pod already reduced to a :class:`~kubehash.model.PodView`; ``at`` is where the pod
        spec is in the object the reasons' paths start from (``spec.template.spec`` for a Deployment). A pod no
        API server would have stored (:attr:`PodView.problems`) gets an error row per container -- or one row,
        container ``-``, when its containers cannot even be listed."""
        if view.problems:
            return malformed_rows(view, self.new_version)
        old = self.old_kubelets.of(view)
        out = []
        index: dict[str, int] = {}
        for name, kind, spec, key in view.containers:
            i = index[kind] = index.get(kind, -1) + 1
            if type(spec) is Rejected:  # beyond a bound of kubehash.limits: nothing else reads it
                out.append(self._rejected(view, name, kind, spec))
            else:
                out.append(self._container(view, name, kind, spec, key, old, i, at))
        return out

    def _rejected(self, view: PodView, name: str, kind: str, spec: Rejected) -> ContainerPrediction:
        """The error row of a container beyond a bound of :mod:`kubehash.limits` (pod, container, field)."""
        where = f"{view.namespace}/{view.name}" if view.namespace else view.name
        return ContainerPrediction(
            view.namespace,
            view.name,
            name,
            kind,
            view.node,
            view.source,
            None,
            self.new_version,
            verdict="error",
            error=f"pod {where}, container {name}: {spec.problem}",
            owner_kind=view.owner_kind,
            owner_name=view.owner_name,
            pod_uid=view.uid,
        )

    def _container(
        self,
        view: PodView,
        name: str,
        kind: str,
        spec: Any,
        key: bytes | None,
        old: OldKubelet | str,
        index: int = 0,
        at: str = "spec",
    ) -> ContainerPrediction:
        rec = self.records.find(view, name) if self.records else None
        running, started = _running(view, kind, name, rec)
        notes = self._input_notes(view, spec)
        compared = running and self._compares(kind, spec)
        if compared and rec is None and type(old) is OldKubelet:
            # the common case: judged once per distinct (spec, old kubelet, kind, path, place), shared by replicas
            p = self._replica(view, name, kind, spec, key, old, index, at, started, notes)
        else:
            p = ContainerPrediction(
                view.namespace, view.name, name, kind, view.node, view.source, None, self.new_version, None, None,
                rec.hash if rec is not None else None, "unchanged", [], None, started, "unverified", view.owner_kind,
                view.owner_name, None, notes, view.uid,
            )  # fmt: skip
            if not running:
                p.verdict = "not-running"
            elif not compared:
                p.verdict = "not-checked"
                p.reasons.append(self._init_reason)
            elif isinstance(old, str):
                p.verdict, p.error = "error", old
            else:
                self._with_record(p, view, kind, spec, key, old, rec, index, at)
        if p.verdict == "restart" and self.protected is not None and self.protected(p):
            p.verdict = "protected"
        return p

    def _compares(self, kind: str, spec: Any) -> bool:
        """Does the target kubelet compare this running container's hash (an init container: only a
        restartable one, with SidecarContainers on)?"""
        return kind != "initContainer" or (self.sidecars and _restartable(spec))

    def _replica(
        self,
        view: PodView,
        name: str,
        kind: str,
        spec: Any,
        key: bytes | None,
        old: OldKubelet,
        index: int,
        at: str,
        started: datetime | None,
        notes: tuple[str, ...],
    ) -> ContainerPrediction:
        """The prediction of a running, compared container without a runtime record, from its judgement
        (:meth:`_judged`) and its own pod's fields."""
        j = self._judged(view, kind, spec, key, old, index, at)
        p = ContainerPrediction(
            view.namespace, view.name, name, kind, view.node, view.source, old.version, self.new_version,
            j.old_hash, j.new_hash, None, j.verdict, list(j.reasons), None, started, "unverified",
            view.owner_kind, view.owner_name, None, notes + j.unknown if j.unknown else notes, view.uid,
        )  # fmt: skip
        if j.error is not None:
            p.error = str(copy.copy(j.error).with_context(namespace=view.namespace, pod=view.name, container=name))
        return p

    def _judged(
        self, view: PodView, kind: str, spec: Any, key: bytes | None, old: OldKubelet, index: int, at: str
    ) -> Judged:
        """What a running, compared container without a runtime record gets, computed once per (spec, old
        kubelet, kind, decode path, hostNetwork, index, pod-spec path); a hit counts the hash-cache lookups it
        replaces, as :meth:`Outcomes.get` does."""
        key = unique_spec_key(spec) if key is None else key
        mk = (key, id(old), kind, view.source, view.host_network, index, at)
        j = self._memo.get(mk)
        if j is not None:
            self.hasher.hits += j.lookups
            return j
        o = self._outcomes.get(key, spec, kind, view, old)
        path = container_path(kind, index, at)
        unknown = tuple(UNKNOWN_FIELD + f"{path}.{u}" for u in o.unknown)
        verdict = "error"
        reasons: tuple[Reason, ...] = ()
        if o.error is None:
            t = ContainerPrediction(None, None, "", kind, None, view.source, old.version, self.new_version)
            self._judge(t, o, key, spec, view, old, None, path)
            verdict, reasons = t.verdict, tuple(t.reasons)
        j = self._memo[mk] = Judged(o.old_hash, o.new_hash, verdict, reasons, unknown, o.error, o.lookups)
        return j

    def _with_record(
        self,
        p: ContainerPrediction,
        view: PodView,
        kind: str,
        spec: Any,
        key: bytes | None,
        old: OldKubelet,
        rec: RuntimeRecord | None,
        index: int,
        at: str,
    ) -> None:
        """The verdict of a running, compared container that a runtime record speaks for (its recorded hashes
        are its own: nothing shared with replicas)."""
        p.old_version = old.version
        key = unique_spec_key(spec) if key is None else key
        o = self._outcomes.get(key, spec, kind, view, old)
        p.old_hash, p.new_hash = o.old_hash, o.new_hash
        if o.unknown:
            p.input_notes += tuple(UNKNOWN_FIELD + f"{container_path(kind, index, at)}.{u}" for u in o.unknown)
        if o.error is not None:
            e = copy.copy(o.error).with_context(namespace=view.namespace, pod=view.name, container=p.container)
            p.verdict, p.error = "error", str(e)
            return
        self._judge(p, o, key, spec, view, old, rec, container_path(kind, index, at))

    def _input_notes(self, view: PodView, spec: Any) -> tuple[str, ...]:
        """:func:`~kubehash.upgrade.predict.inputcheck.container_notes`, after the fast test a pod read from a
        cluster passes (``()`` then, and for manifest files and unchecked runs)."""
        odd = (
            view.uid is None
            or type(spec) is not dict
            or "terminationMessagePath" not in spec
            or "terminationMessagePolicy" not in spec
            or "imagePullPolicy" not in spec
        )
        if odd and self.check_input and not (self.static_files and view.source == "file"):
            return container_notes(view, spec)
        return ()

    def _judge(
        self,
        p: ContainerPrediction,
        o: Outcome,
        key: bytes,
        spec: Any,
        view: PodView,
        old: OldKubelet,
        rec: RuntimeRecord | None,
        at: str = "",
    ) -> None:
        """The verdict of a running, compared, decodable container, and why (paths below ``at``)."""
        reference = o.old_hash
        recorded = p.recorded_hash
        if recorded is not None:
            reference = recorded
            p.model_check = "match" if recorded == o.old_hash else "mismatch"
            if recorded != o.old_hash:
                p.reasons.append(_spec_changed(recorded, o.old_hash, old.minor))  # type: ignore[arg-type]
            hwr = rec.hash_without_resources if rec is not None else None
            if hwr is not None and old.release.hash_without_resources:
                self.resize.check_record(p, o, spec, view, old, hwr)
        if o.new_hash == reference:
            p.reasons.clear()
            return
        if o.old_hash != o.new_hash:
            p.reasons.extend(self._place(self._reasons(o, key, spec, p.kind, view, old), at))
        # Static pods are never resized in place (isInPlacePodVerticalScalingAllowed); nor are init containers.
        resizable = self.hwr and p.kind == "container" and view.source != "file"
        if resizable and self.resize.resized(p, o, key, spec, view, old, rec):
            return
        p.verdict = "restart"  # "protected" is the caller's to decide (the container's node, pod...)

    def _place(self, reasons: list[Reason], at: str) -> list[Reason]:
        """``reasons`` (shared by every container of one outcome) below the container's path ``at``, built
        once per (outcome, path): replicas at the same place share their Reason objects."""
        k = (id(reasons), at)
        hit = self._located.get(k)
        if hit is None:
            hit = self._located[k] = (reasons, located(reasons, at))
        return hit[1]

    def _reasons(self, o: Outcome, key: bytes, spec: Any, kind: str, view: PodView, old: OldKubelet) -> list[Reason]:
        """Why the two hashes of an outcome differ (explained once per outcome: :func:`outcome_reasons`)."""
        if o.reasons is None:
            o.reasons = outcome_reasons(
                o, key, spec, kind, view, old, self.target, self.defaulter, self.options, self.static_files
            )
        return o.reasons

    def result(
        self,
        containers: list[ContainerPrediction],
        hits: int | None = None,
        misses: int | None = None,
        input_errors: Iterable[str] = (),
    ) -> Prediction:
        """The :class:`Prediction` of ``containers`` (cache counters: this predictor's, unless given)."""
        hits = self.hasher.hits if hits is None else hits
        misses = self.hasher.misses if misses is None else misses
        sides = self._sides(containers)
        errors = list(input_errors)
        warnings = input_warnings(containers) if self.check_input else []
        bad = {k: n for k, n in self.skipped.items() if k in NOT_OBJECTS}
        other = {k: n for k, n in self.skipped.items() if k not in NOT_OBJECTS}
        if bad:
            errors.append(f"{counted(bad)} in the pods input: not objects, skipped (a dump's items are objects)")
        if other:
            warnings.append(f"{counted(other)} in the pods input: not pods, skipped")
        warnings.extend(self.records.unmatched_warning(containers))
        nodes = {c.node: c.old_version for c in containers if c.old_version}
        warnings.extend(downgrade_warnings(nodes.items(), self.new_version))
        return Prediction(self.new_version, self.options.defaults_by, containers, hits, misses, errors, sides, warnings)

    def _sides(self, containers: list[ContainerPrediction]) -> dict[str, Any]:
        """What each side was taken as (patch, Go toolchain): the target, and every old version seen."""
        sides = {"to": describe_side(self.new_version, self.options.target_toolchain)}
        for v in sorted({c.old_version for c in containers if c.old_version}):
            tc = self.toolchains.get(v) or self.options.old_toolchain(v)  # predicted in another process
            sides[v] = describe_side(v, tc)
        return sides


def predict(
    pods: Documents,
    options: Options,
    *,
    nodes: Documents | NodeVersions | None = None,
    runtime: Iterable[RuntimeRecord] = (),
    ignore_files: Mapping[str, IgnoreFile] | None = None,
    protected: Protection | None = None,
    progress: Callable[[int], None] | None = None,
) -> Prediction:
    """Predict, for every container in ``pods``, what an in-place upgrade of its node's kubelet does.

    ``pods``: a pod, a ``List``/``PodList``, or an iterable of either (documents as ``kubectl get -o json``
    prints them). ``options``: the run's settings (target version, defaults, gates, Go toolchains...).
    ``nodes``: Node documents, or ``{node: kubelet version}``; pods on nodes not listed use
    ``options.from_version`` (else their containers get verdict ``error``). ``runtime``: what the runtime
    recorded per container (recorded hash, start time). ``ignore_files``: ``{node: IgnoreFile}`` (read them
    with :func:`kubehash.sources.ignorefiles.load_ignore_files`): a container that would restart is
    ``protected`` when the patched kubelet skips its check. ``protected``: a further callback marking
    containers protected. ``progress(n)`` is called after each pod with its container count.
    """
    predictor = Predictor(options, nodes=nodes, runtime=runtime, ignore_files=ignore_files, protected=protected)
    out: list[ContainerPrediction] = []
    for pod in iter_pods(pods, predictor.skipped):
        preds = predictor.pod(pod)
        out.extend(preds)
        if progress is not None:
            progress(len(preds))
    return predictor.result(out)
