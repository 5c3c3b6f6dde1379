"""Which running containers an in-place kubelet upgrade restarts, and why.

For every container of every pod the kubelet would compare (DOMAIN.md §6: running containers of
``spec.containers``; from 1.32, with the kubelet's ``SidecarContainers`` gate on, also restartable init
containers), the new kubelet computes the hash of the container's current spec and kills the container when
it differs from the hash recorded when the container was started. So:

* **old hash** -- the recorded one (runtime records), else the hash the node's current kubelet computes for
  the current spec (and when both exist they are compared: a mismatch means the spec changed since the
  container started, or the model is wrong -- reported, never hidden);
* **new hash** -- the target kubelet's hash of the spec after the target control plane's defaults
  (``control_plane``, :func:`kubehash.kubelet.defaults.apply_defaults`; static pods: the new kubelet's);
* **verdict** -- ``restart`` (new ≠ old), ``unchanged``, ``protected`` (an active version-cache ignore file
  on the node makes the patched kubelet skip the check), ``error`` (the container cannot be decoded, or its
  node's version is unknown), ``not-running`` (not running, so never compared: pending, completed, terminated)
  or ``not-checked`` (an init container the target kubelet does not compare).

Kubelet feature gates (:mod:`kubehash.kubelet.kubelet_gates`, ``docs/kubelet-feature-gates.md``): a target
kubelet 1.27-1.30 with ``InPlacePodVerticalScaling`` on restarts a container of a non-static pod whose hash
changed only if its ``hashWithoutResources`` changed too -- the recorded annotation (runtime records), else
what the old kubelet wrote (only a 1.27-1.30 kubelet with the gate on writes one); a missing annotation reads
as 0, so the changed hash restarts the container. That work is done only for containers the full hash would
restart (or whose record carries the annotation, for the model check), once per distinct outcome.

Every input container appears exactly once in the result. Nothing here prints.
"""

from __future__ import annotations

import copy
import itertools
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kubehash.errors import DecodeError, KubehashError
from kubehash.golang.fnv import runtime_hex
from kubehash.kubelet.defaults import Defaulted, apply_defaults
from kubehash.kubelet.hashcache import HashCache, spec_key
from kubehash.kubelet.hashing import plan_for
from kubehash.kubelet.kubelet_gates import (
    IN_PLACE_RESIZE,
    compares_hash_without_resources,
    compares_sidecars,
    kubelet_gates,
    old_kubelet_gates,
)
from kubehash.kubelet.releases import Release, release
from kubehash.kubelet.without_resources import hash_without_resources
from kubehash.model import PodView, RuntimeRecord, is_pod, iter_pods, node_kubelet_versions, pod_view
from kubehash.upgrade.explain import Reason, algorithm_reason, explain
from kubehash.upgrade.ignorefile.rules import IgnoreFile, KubeletStart, protection_hook
from kubehash.upgrade.ignorefile_io import load_ignore_files
from kubehash.upgrade.predict.result import COLUMNS, VERDICTS, ContainerPrediction, Prediction

__all__ = ["COLUMNS", "VERDICTS", "ContainerPrediction", "Prediction", "Predictor", "predict"]


#: Keys for containers without a canonical form: never equal to another key, so never a cache hit.
_UNIQUE = itertools.count()


def _spec_key(spec: Any) -> bytes:
    key = spec_key(spec)
    return key if key is not None else b"#%d" % next(_UNIQUE)


def _parse_time(s: Any) -> datetime | None:
    if not isinstance(s, str) or not s:
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None


def _running(view: PodView, kind: str, name: str, rec: RuntimeRecord | None) -> tuple[bool, datetime | None]:
    """Is the container running (so the kubelet compares its hash), and since when: the runtime's record,
    else the pod's container status, else the pod's phase."""
    if rec is not None and rec.state is not None:
        return rec.state == "running", rec.started_at
    st = view.statuses.get((kind, name))
    if st is not None:
        if st[0]:
            return True, (rec.started_at if rec else None) or _parse_time(st[1])
        return False, None
    if not view.schedulable:
        return False, None
    # No container status (e.g. a trimmed dump): a pod on a node, not finished, runs its containers.
    return kind == "container" or rec is not None, rec.started_at if rec else None


@dataclass(slots=True)
class _Outcome:
    """What every container with one (spec, old minor, decode path, kind, hostNetwork) gets."""

    old_hash: int | None
    new_hash: int | None
    error: DecodeError | None
    lookups: int  # hash-cache lookups it stands for: 1 when the old hash failed, else 2
    undefaulted: bool  # the new side's spec is the current one (no default changed it)
    reasons: list[Reason] | None = None  # why old and new differ, once asked
    old_hwr: int | None = None  # hashWithoutResources: the old kubelet's of the current spec, once asked
    new_hwr: int | None = None  # ... and the target kubelet's of the new side's spec
    #: A static pod's defaults written by an old kubelet whose defaulting gates were set (its hashed copy).
    old_defaults: Defaulted | None = None


def _spec_changed(recorded: int, old_hash: int, old_minor: str) -> Reason:
    return Reason(
        "spec-changed",
        "",
        f"recorded hash {runtime_hex(recorded)} is not the {old_minor} hash {runtime_hex(old_hash)} of the current "
        "spec: the spec changed since the container started (or kubehash's model is wrong)",
        recorded,
        old_hash,
    )


def _restartable(spec: Any) -> bool:
    return isinstance(spec, Mapping) and spec.get("restartPolicy") == "Always"


class _Records:
    """Runtime records matched to containers. By pod uid when the pod and the record both carry one (a pod
    recreated under the same name -- a StatefulSet replica -- must not inherit records of the instance
    before it, whose exited containers the runtime may still list); else by (namespace, pod, container).
    Of several records for one container, a running one wins."""

    def __init__(self, runtime: Iterable[RuntimeRecord]) -> None:
        self.by_uid: dict[tuple[str, str], RuntimeRecord] = {}
        self.by_name: dict[tuple[str | None, str | None, str], RuntimeRecord] = {}
        self.by_name_without_uid: dict[tuple[str | None, str | None, str], RuntimeRecord] = {}
        for rec in runtime:
            if rec.pod_uid:
                _keep(self.by_uid, (rec.pod_uid, rec.container), rec)
            else:
                _keep(self.by_name_without_uid, rec.key, rec)
            _keep(self.by_name, rec.key, rec)

    def __bool__(self) -> bool:
        return bool(self.by_name)

    def find(self, view: PodView, container: str) -> RuntimeRecord | None:
        key = (view.namespace, view.name, container)
        if view.uid is None:
            return self.by_name.get(key)
        return self.by_uid.get((view.uid, container)) or self.by_name_without_uid.get(key)


def _keep(records: dict[Any, RuntimeRecord], key: Any, rec: RuntimeRecord) -> None:
    prev = records.get(key)
    if prev is None or (rec.state == "running" and prev.state != "running"):
        records[key] = rec


class _Defaulter:
    """The container as the new side sees it: after the control plane's apiserver defaults (pods that came
    through the API server) or the new kubelet's with its own gates (static pods read from a manifest, DOMAIN.md
    §4), cached per distinct (spec, container kind, hostNetwork, version, whose gates)."""

    def __init__(
        self,
        control_plane: str,
        kubelet: str,
        feature_gates: Mapping[str, bool] | None,
        kubelet_feature_gates: Mapping[str, bool] | None = None,
    ) -> None:
        self.control_plane, self.kubelet, self.gates = control_plane, kubelet, feature_gates
        # The kubelet defaults static pods with its own gates (those of them that change defaults).
        stages = release(kubelet).gate_stages()
        self.kubelet_gates = {k: v for k, v in (kubelet_feature_gates or {}).items() if k in stages}
        self.cache: dict[tuple[bytes, str, bool, str, bool], tuple[Any, bytes]] = {}
        #: The apply_defaults results behind ``cache`` (explain reuses them).
        self.results: dict[tuple[bytes, str, bool, str, bool], Defaulted] = {}

    def by(self, source: str) -> str:
        return self.kubelet if source == "file" else self.control_plane

    def key(self, key: bytes, kind: str, source: str, host_network: bool) -> tuple[bytes, str, bool, str, bool]:
        """The cache key: the spec, what the defaults depend on, the version that applies them and whether
        its gates are the kubelet's (static pods) or the control plane's -- even when both are one minor."""
        return (key, kind, host_network, self.by(source), source == "file")

    def result(self, key: bytes, kind: str, source: str, host_network: bool) -> Defaulted | None:
        """The :func:`apply_defaults` result behind a call with these arguments (``None``: not a mapping)."""
        return self.results.get(self.key(key, kind, source, host_network))

    def __call__(self, key: bytes, spec: Any, kind: str, source: str, host_network: bool) -> tuple[Any, bytes]:
        version = self.by(source)
        k = self.key(key, kind, source, host_network)
        hit = self.cache.get(k)
        if hit is None:
            if not isinstance(spec, Mapping):
                hit = (spec, key)
            else:
                gates = self.kubelet_gates if source == "file" else self.gates
                d = self.results[k] = apply_defaults(
                    spec, version, feature_gates=gates, container_kind=kind, host_network=host_network
                )
                new = d.obj
                hit = (spec, key) if new == spec else (new, _spec_key(new))
            self.cache[k] = hit
        return hit


class Predictor:
    """The state of one prediction run (node versions, runtime records, ignore files, hash/defaults/explain
    caches), so pods can be fed one at a time -- from a stream, or in worker processes. Arguments are
    :func:`predict`'s."""

    def __init__(
        self,
        *,
        to: str,
        nodes: Any = None,
        runtime: Iterable[RuntimeRecord] | None = None,
        from_version: str | None = None,
        control_plane: str | None = None,
        defaults: bool = True,
        feature_gates: Mapping[str, bool] | None = None,
        protected: Callable[[ContainerPrediction], bool] | None = None,
        old_go: str | None = None,
        new_go: str | None = None,
        ignore_files: Mapping[str, IgnoreFile] | str | os.PathLike[str] | None = None,
        ignore_rule: str = "public",
        kubelet_started: KubeletStart | Mapping[str, KubeletStart] | None = None,
        kubelet_feature_gates: Mapping[str, bool] | None = None,
        old_kubelet_feature_gates: Mapping[str, bool] | None = None,
    ) -> None:
        self.input_errors: list[str] = []
        if ignore_files is not None:
            if not isinstance(ignore_files, Mapping):
                loaded = load_ignore_files([ignore_files])
                self.input_errors.extend(str(e) for e in loaded.problems)
                ignore_files = loaded.files
            hook = protection_hook(ignore_files, running_version=to, rule=ignore_rule, kubelet_started=kubelet_started)
            user_hook = protected
            protected = hook if user_hook is None else (lambda p: user_hook(p) or hook(p))
        self.protected = protected
        self.target = release(to)
        self.cp = release(control_plane).minor if control_plane else self.target.minor
        if isinstance(nodes, Mapping) and "items" not in nodes and "kind" not in nodes:
            self.node_versions = {str(k): str(v) for k, v in nodes.items()}
        else:
            self.node_versions = node_kubelet_versions(nodes) if nodes is not None else {}
        self.records = _Records(runtime or ())
        self.from_version = from_version
        self.defaults = defaults
        self.feature_gates = feature_gates
        self.old_go, self.new_go = old_go, new_go
        #: Both sides' hashes, per compiled plan and spec (decode errors cached: replicas fail once).
        self.hasher = HashCache(cache_errors=True)
        self.defaulter = (
            _Defaulter(self.cp, self.target.minor, feature_gates, kubelet_feature_gates) if defaults else None
        )
        #: Per distinct (spec key, old minor, decode path, container kind, hostNetwork).
        self.outcomes: dict[tuple[bytes, str, str, str, bool], _Outcome] = {}
        self._releases: dict[str, Release | KubehashError] = {}
        #: The target kubelet's gates, and the old kubelets' overrides (applied per old minor).
        self.kubelet_gates = kubelet_gates(self.target, kubelet_feature_gates)
        self.old_kubelet_feature_gates = dict(old_kubelet_feature_gates or {})
        self._old_gates_by_minor: dict[str, dict[str, bool]] = {}
        self._hwr_reasons: dict[tuple[str, str], Reason] = {}
        old_kubelet_gates(self.target, self.old_kubelet_feature_gates)  # unknown gate names fail here
        #: Does the target compare hashWithoutResources / restartable init containers?
        self.hwr = compares_hash_without_resources(self.target, self.kubelet_gates)
        self.sidecars = compares_sidecars(self.target, self.kubelet_gates)
        if not self.target.restartable_init_containers:
            why = f"kubelet {self.target.minor} does not compare init containers' hashes"
        elif not self.sidecars:
            why = f"kubelet {self.target.minor} with SidecarContainers off does not compare init containers' hashes"
        else:
            why = "only restartable (sidecar) init containers are compared"
        self._init_reason = Reason("init-container", "", why)

    def pod(self, pod: Mapping[str, Any]) -> list[ContainerPrediction]:
        """Predictions for the containers of one pod, in :func:`~kubehash.model.iter_containers` order (a
        List or a list of pods: of every pod in it, as :func:`predict` reads them; anything else: none)."""
        if is_pod(pod):
            return self.view(pod_view(pod))
        return [p for d in iter_pods(pod) for p in self.view(pod_view(d))]

    def view(self, view: PodView) -> list[ContainerPrediction]:
        """:meth:`pod` of a pod already reduced to a :class:`~kubehash.model.PodView`."""
        old = self._old_release(view.node)
        return [self._container(view, name, kind, spec, key, old) for name, kind, spec, key in view.containers]

    def _old_release(self, node: str | None) -> Release | str:
        """The release of the node's current kubelet, or the error text every container on it gets."""
        version = (self.node_versions.get(node) if node else None) or self.from_version
        if version is None:
            return f"kubelet version of node {node or '(none)'} unknown: pass nodes or a from-version"
        found = self._releases.get(version)
        if found is None:
            try:
                found = release(version)
            except KubehashError as e:
                found = e
            self._releases[version] = found
        return found if isinstance(found, Release) else f"node {node}: {found}"

    def _container(
        self, view: PodView, name: str, kind: str, spec: Any, key: bytes | None, old: Release | str
    ) -> ContainerPrediction:
        target = self.target
        rec = self.records.find(view, name) if self.records else None
        recorded = rec.hash if rec is not None else None
        running, started = _running(view, kind, name, rec)
        p = ContainerPrediction(
            view.namespace, view.name, name, kind, view.node, view.source, None, target.minor, None, None,
            recorded, "unchanged", [], None, started, "unverified", view.owner_kind, view.owner_name,
        )  # fmt: skip
        if not running:
            p.verdict = "not-running"
            return p
        if kind == "initContainer" and not (self.sidecars and _restartable(spec)):
            p.verdict = "not-checked"
            p.reasons.append(self._init_reason)
            return p
        if not isinstance(old, Release):
            p.verdict, p.error = "error", old
            return p
        p.old_version = old.minor
        if key is None:
            key = _spec_key(spec)
        o = self._outcome(key, spec, kind, view, old)
        p.old_hash, p.new_hash = o.old_hash, o.new_hash
        if o.error is not None:
            e = copy.copy(o.error).with_context(namespace=view.namespace, pod=view.name, container=name)
            p.verdict, p.error = "error", str(e)
            return p
        reference = o.old_hash
        if recorded is not None:
            reference = recorded
            if recorded == o.old_hash:
                p.model_check = "match"
            else:
                p.model_check = "mismatch"
                p.reasons.append(_spec_changed(recorded, o.old_hash, old.minor))  # type: ignore[arg-type]
            hwr = rec.hash_without_resources if rec is not None else None
            if hwr is not None and old.hash_without_resources:
                self._check_hwr(p, o, spec, view, old, hwr)
        if o.new_hash == reference:
            p.reasons.clear()
            return p
        if o.old_hash != o.new_hash:
            p.reasons.extend(self._reasons(o, key, spec, kind, view, old))
        # Static pods are never resized in place (isInPlacePodVerticalScalingAllowed); nor are init containers.
        resizable = self.hwr and kind == "container" and view.source != "file"
        if resizable and self._resized(p, o, key, spec, view, old, rec):
            return p
        p.verdict = "restart"
        if self.protected is not None and self.protected(p):
            p.verdict = "protected"
        return p

    # -- hashWithoutResources (kubelet 1.27-1.30 with InPlacePodVerticalScaling) --------------------------

    def _old_gates(self, old: Release) -> dict[str, bool]:
        """The gates of the kubelets of minor ``old`` now running (that minor's defaults, the overrides)."""
        gates = self._old_gates_by_minor.get(old.minor)
        if gates is None:
            gates = self._old_gates_by_minor[old.minor] = old_kubelet_gates(old, self.old_kubelet_feature_gates)
        return gates

    def _old_writes_annotation(self, old: Release) -> bool:
        """Did the old kubelet (its minor and gates) write the hashWithoutResources annotation?"""
        return compares_hash_without_resources(old, self._old_gates(old))

    def _old_hwr(self, o: _Outcome, spec: Any, view: PodView, old: Release) -> int:
        if o.old_hwr is None:
            o.old_hwr = hash_without_resources(spec, old.minor, source=view.source, go_version=self.old_go)
        return o.old_hwr

    def _new_hwr(self, o: _Outcome, key: bytes, spec: Any, kind: str, view: PodView) -> int:
        if o.new_hwr is None:
            defaulter = self.defaulter
            new_spec = defaulter(key, spec, kind, view.source, view.host_network)[0] if defaulter else spec
            o.new_hwr = hash_without_resources(new_spec, self.target.minor, source=view.source, go_version=self.new_go)
        return o.new_hwr

    def _hwr_reason(self, kind: str, detail: str, old: Any = None, new: Any = None) -> Reason:
        """One shared Reason per distinct text (rows() builds each distinct reason list's text once)."""
        k = (kind, detail)
        r = self._hwr_reasons.get(k)
        if r is None:
            r = self._hwr_reasons[k] = Reason(kind, "", detail, old, new)
        return r

    def _check_hwr(self, p: ContainerPrediction, o: _Outcome, spec: Any, view: PodView, old: Release, rec: int) -> None:
        """Model check of a recorded hashWithoutResources against the old kubelet's of the current spec."""
        try:
            mine = self._old_hwr(o, spec, view, old)
        except DecodeError:  # pragma: no cover - the full hash of the same spec decoded
            return
        if mine != rec:
            p.model_check = "mismatch"
            p.reasons.append(
                self._hwr_reason(
                    "spec-changed",
                    f"recorded hashWithoutResources {runtime_hex(rec)} is not the {old.minor} one of the current spec "
                    f"({runtime_hex(mine)}): more than resources changed since start (or kubehash's model is wrong)",
                )
            )
        elif p.model_check == "mismatch":
            # Not a spec change the model missed: the container was resized in place since it started.
            p.reasons[:] = [r for r in p.reasons if r.kind != "spec-changed"]
            p.reasons.append(
                self._hwr_reason(
                    "resized-since-start",
                    f"recorded hash {runtime_hex(p.recorded_hash)} is not the {old.minor} hash of the current spec, "
                    f"but hashWithoutResources {runtime_hex(rec)} is: only resources changed since start (an in-place "
                    "resize)",
                )
            )

    def _resized(
        self,
        p: ContainerPrediction,
        o: _Outcome,
        key: bytes,
        spec: Any,
        view: PodView,
        old: Release,
        rec: RuntimeRecord | None,
    ) -> bool:
        """The target's hashWithoutResources check (``computePodActions``, 1.27-1.30, gate on, non-static pod)
        of a container whose hash changed: True (no restart) when it is unchanged. Adds the reason."""
        target = self.target.minor
        if rec is not None and rec.hash is not None:
            recorded = rec.hash_without_resources
            missing = "no hashWithoutResources annotation in the runtime record"
        elif self._old_writes_annotation(old):
            recorded = self._old_hwr(o, spec, view, old)
            missing = ""
        else:
            recorded = None
            gate = f" with {IN_PLACE_RESIZE} off" if old.hash_without_resources else ""
            missing = f"kubelet {old.minor}{gate} writes no hashWithoutResources annotation"
        if recorded is None:
            p.reasons.append(
                self._hwr_reason(
                    "hash-without-resources-missing",
                    f"{missing}; kubelet {target} reads it as 0, so the changed hash restarts the container even "
                    f"with {IN_PLACE_RESIZE}",
                )
            )
            return False
        new = self._new_hwr(o, key, spec, p.kind, view)
        if new == recorded:
            p.reasons.append(
                self._hwr_reason(
                    "hash-without-resources",
                    f"hashWithoutResources {runtime_hex(new)} unchanged: kubelet {target} with {IN_PLACE_RESIZE} "
                    "resizes in place, no restart (unless a RestartContainer resize policy applies)",
                    recorded,
                    new,
                )
            )
            return True
        p.reasons.append(
            self._hwr_reason(
                "hash-without-resources",
                f"hashWithoutResources changed too ({runtime_hex(recorded)} -> {runtime_hex(new)}): kubelet {target} "
                f"restarts the container even with {IN_PLACE_RESIZE}",
                recorded,
                new,
            )
        )
        return False

    def _outcome(self, key: bytes, spec: Any, kind: str, view: PodView, old: Release) -> _Outcome:
        """Both hashes of one distinct (spec, old minor, decode path, container kind, hostNetwork), computed
        once; a hit counts as the hash-cache lookups it replaces."""
        source, host_network = view.source, view.host_network
        k = (key, old.minor, source, kind, host_network)
        hasher = self.hasher
        o = self.outcomes.get(k)
        if o is not None:
            hasher.hits += o.lookups
            return o
        defaulter = self.defaulter
        new_spec, new_key = defaulter(key, spec, kind, source, host_network) if defaulter is not None else (spec, key)
        old_spec, old_key, old_defaults = spec, key, None
        if source == "file" and defaulter is not None and isinstance(spec, Mapping):
            gates = self._old_static_gates(old)
            if gates:  # the old kubelet hashed its own copy, defaulted with gates the mirror pod may not show
                d = apply_defaults(spec, old.minor, feature_gates=gates, container_kind=kind, host_network=host_network)
                if d.obj != spec:
                    old_spec, old_key, old_defaults = d.obj, _spec_key(d.obj), d
        old_hash = new_hash = None
        error = None
        try:
            old_hash = hasher.hash_with(plan_for(old.minor, source, self.old_go), old_spec, key=old_key)
            new_hash = hasher.hash_with(plan_for(self.target.minor, source, self.new_go), new_spec, key=new_key)
        except DecodeError as e:
            error = e
        undefaulted = new_key == key and old_defaults is None
        o = self.outcomes[k] = _Outcome(old_hash, new_hash, error, 1 if old_hash is None else 2, undefaulted)
        o.old_defaults = old_defaults
        return o

    def _old_static_gates(self, old: Release) -> dict[str, bool] | None:
        """The defaulting gates an old kubelet of minor ``old`` ran with, when ``old_kubelet_feature_gates``
        moved any of them off that minor's default (``None``: its defaults are what the mirror pod shows)."""
        stages, defaults = old.gate_stages(), old.gate_defaults()
        gates = {g: v for g, v in self._old_gates(old).items() if g in stages}
        return gates if any(v != defaults.get(g) for g, v in gates.items()) else None

    def _reasons(self, o: _Outcome, key: bytes, spec: Any, kind: str, view: PodView, old: Release) -> list[Reason]:
        """Why the two hashes of an outcome differ (explained once per outcome)."""
        if o.reasons is not None:
            return o.reasons
        target = self.target
        if o.undefaulted and old.era != target.era:
            # What explain would say, without its work: no default changed the spec, the era did.
            o.reasons = [algorithm_reason(old.era, target.era)]
            return o.reasons
        defaulter = self.defaulter
        cp = defaulter.control_plane if defaulter is not None else None
        d = defaulter.result(key, kind, view.source, view.host_network) if defaulter is not None else None
        prefix: list[Reason] = []
        if o.old_defaults is not None:  # a static pod: the old kubelet's own defaults in the copy it hashed
            od = o.old_defaults
            prefix = [
                Reason(
                    "old-kubelet-default",
                    a.json_path,
                    f"the {od.version} kubelet wrote it into the static pod it hashed"
                    + (f" (gate {a.gate})" if a.gate else "")
                    + f" [{a.rule}]",
                    None,
                    a.value,
                )
                for a in od.applied
            ]
            spec = od.obj
        ex = explain(
            spec,
            old.minor,
            target.minor,
            old_source=view.source,
            new_source=view.source,
            old_go=self.old_go,
            new_go=self.new_go,
            control_plane=cp if isinstance(spec, Mapping) else None,  # as _Defaulter: null is not defaulted
            feature_gates=self.feature_gates,
            container_kind=kind,
            host_network=view.host_network,
            defaulted=d,
        )
        o.reasons = prefix + list(ex.reasons)
        return o.reasons

    def result(
        self, containers: list[ContainerPrediction], hits: int | None = None, misses: int | None = None
    ) -> Prediction:
        """The :class:`Prediction` of ``containers`` (cache counters: this predictor's, unless given)."""
        hits = self.hasher.hits if hits is None else hits
        misses = self.hasher.misses if misses is None else misses
        cp = self.cp if self.defaults else None
        return Prediction(self.target.minor, cp, containers, hits, misses, list(self.input_errors))


def predict(
    pods: Any,
    *,
    to: str,
    nodes: Any = None,
    runtime: Iterable[RuntimeRecord] | None = None,
    from_version: str | None = None,
    control_plane: str | None = None,
    defaults: bool = True,
    feature_gates: Mapping[str, bool] | None = None,
    protected: Callable[[ContainerPrediction], bool] | None = None,
    old_go: str | None = None,
    new_go: str | None = None,
    progress: Callable[[int], None] | None = None,
    ignore_files: Mapping[str, IgnoreFile] | str | os.PathLike[str] | None = None,
    ignore_rule: str = "public",
    kubelet_started: KubeletStart | Mapping[str, KubeletStart] | None = None,
    kubelet_feature_gates: Mapping[str, bool] | None = None,
    old_kubelet_feature_gates: Mapping[str, bool] | None = None,
) -> Prediction:
    """Predict, for every container in ``pods``, what an in-place upgrade of its node's kubelet to ``to`` does.

    ``pods``: a pod, a ``List``/``PodList``, or an iterable of either (documents as ``kubectl get -o json``
    prints them). ``nodes``: Node documents, or a mapping ``{node: kubelet version}``; pods on nodes not
    listed use ``from_version`` (else their containers get verdict ``error``). ``runtime``: records of what
    the runtime stored (recorded hash, start time). With ``defaults`` (the default) the new side is the
    container after the apiserver defaults of ``control_plane`` (default: ``to``; ``feature_gates`` override
    that version's gate defaults) -- or, for static pods, the new kubelet's. ``protected`` marks
    containers an ignore file protects. ``progress(n)`` is called after each pod with its container count.

    ``ignore_files``: ``{node: IgnoreFile}`` or a directory in the ``kubehash ignore-file generate`` layout;
    a container that would restart is ``protected`` when the patched kubelet (rule ``ignore_rule``, running
    ``to``) skips its check because of its node's file. ``kubelet_started`` (one time, or per node) is when
    the new kubelet starts; ``None``: after every running container did. Files that cannot be used are
    listed in :attr:`Prediction.input_errors` and their nodes treated as having no file.

    ``kubelet_feature_gates`` override the target kubelet's gate defaults, ``old_kubelet_feature_gates`` those
    of the kubelets that started the running containers (each node's minor; a gate that minor lacks is
    ignored for it): ``InPlacePodVerticalScaling`` (hashWithoutResources, 1.27-1.30) and ``SidecarContainers``
    (restartable init containers compared, 1.32+). A gate the target lacks, or a GA gate turned off, is a
    :class:`~kubehash.errors.KubehashError`.
    """
    predictor = Predictor(
        to=to,
        nodes=nodes,
        runtime=runtime,
        from_version=from_version,
        control_plane=control_plane,
        defaults=defaults,
        feature_gates=feature_gates,
        protected=protected,
        old_go=old_go,
        new_go=new_go,
        ignore_files=ignore_files,
        ignore_rule=ignore_rule,
        kubelet_started=kubelet_started,
        kubelet_feature_gates=kubelet_feature_gates,
        old_kubelet_feature_gates=old_kubelet_feature_gates,
    )
    out: list[ContainerPrediction] = []
    for pod in iter_pods(pods):
        preds = predictor.pod(pod)
        out.extend(preds)
        if progress is not None:
            progress(len(preds))
    return predictor.result(out)
