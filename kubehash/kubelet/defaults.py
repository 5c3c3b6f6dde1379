"""API-server defaulting of containers, per Kubernetes minor (``pkg/apis/core/v1/defaults.go``, 1.8-1.36).

The facts and their sources are in ``docs/upstream-defaults.md``. Which rules a minor applies, and which of
them need a feature gate, is data (``specs/releases.json``: ``defaults``, ``gated_defaults``,
``feature_gates``); each rule is one small function in :mod:`kubehash.kubelet.default_rules`. The order
follows the generated ``SetObjectDefaults_Pod``: ``SetDefaults_Pod`` (requests from limits, ``resizePolicy``,
hostPort from 1.28), ``SetDefaults_PodSpec`` (hostPort up to 1.27), then for every init, regular and ephemeral container
``SetDefaults_Container``, port protocols, ``fieldRef``/``fileKeyRef``, resource lists (rounded up to milli)
and probe / lifecycle handlers.

What is modelled, and choices made where the research is unconfirmed ([U]):

* Defaulting only. The API server also *drops* fields of disabled gates when a pod is created
  (``dropDisabledFields``: ``startupProbe`` with ``StartupProbe`` off, ``grpc`` with
  ``GRPCContainerProbe`` off, ...); kubehash does not, because its input is normally a pod the cluster
  already stored. Defaulting code for such fields is not gated, so their defaults run whenever the field
  is present; the gate is named in :class:`Applied` for provenance.
* Ephemeral containers get the nested defaults (ports, env, resources, probes) from 1.16, when the field
  appeared ([U] before 1.20), and ``imagePullPolicy``/termination message defaults from 1.20 (PR #94896).
* Pod templates (Deployment, DaemonSet, StatefulSet, ReplicaSet, Job, CronJob, PodTemplate) get only
  the container-level defaults plus hostPort on ``hostNetwork`` (up to 1.27; 1.28-1.30 only with
  ``DefaultHostNetworkHostPortsInPodTemplates``); never requests-from-limits or ``resizePolicy``.
* Quantities that need rounding are written back as their canonical string (what the API server stores).
  A static pod's kubelet keeps the rounded value in memory with no cached string; re-parsing the
  canonical string caches it, so for a static pod with a sub-milli quantity the struct-era (<= 1.15)
  ``file`` hash of the defaulted mapping may differ from the kubelet's ([U], rare).
* ``GA`` feature gates are treated as locked to true (setting them false is an error); gate lifetimes the
  note does not give (``StartupProbe`` kept until 1.22; ``SidecarContainers``, ``InPlacePodVerticalScaling``
  and ``EnvFiles`` until 1.36) are assumptions ([U]).
* 1.8.0 is assumed to default like the 1.8 development copy the note read ([U]).
* ``limits: {}`` creates an empty, non-nil ``requests`` map (a static pod keeps it; the API-server path
  turns it into nil) ([U], inferred from the code).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubehash.errors import KubehashError
from kubehash.kubelet.default_rules import (
    RULES,
    Applied,
    Defaulted,
    Path,
    Rule,
    _container,
    _dict,
    _host_port,
    _list,
    _plain,
    _requests_from_limits,
    _resize_policy,
    _Run,
)
from kubehash.kubelet.gates import effective_gates
from kubehash.kubelet.releases import release

__all__ = [
    "CONTAINER_KINDS",
    "RULES",
    "Applied",
    "Defaulted",
    "Rule",
    "apply_defaults",
    "rule_applies",
]

CONTAINER_KINDS = ("container", "initContainer", "ephemeralContainer")
_KIND_LIST = {"container": "containers", "initContainer": "initContainers", "ephemeralContainer": "ephemeralContainers"}
_TEMPLATE_KINDS = frozenset({"Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ReplicationController", "Job"})


# ---- objects ------------------------------------------------------------------------------------


def _pod_spec(spec: dict[str, Any], at: Path, run: _Run, *, template: bool) -> None:
    run.host_network = spec.get("hostNetwork") is True
    lists = {kind: _list(spec.get(_KIND_LIST[kind])) for kind in CONTAINER_KINDS}
    if not template:  # SetDefaults_Pod
        for kind in ("container", "initContainer"):
            for i, c in enumerate(lists[kind]):
                if isinstance(c, dict):
                    _pod_only(c, (*at, _KIND_LIST[kind], i), run, kind)
    host_rule = "host-port-in-templates" if template else "host-port"
    if run.host_network and run.on(host_rule):  # SetDefaults_PodSpec (<= 1.27) / SetDefaults_Pod (>= 1.28)
        for kind in ("container", "initContainer"):
            for i, c in enumerate(lists[kind]):
                if isinstance(c, dict):
                    _host_port(c, (*at, _KIND_LIST[kind], i), run, host_rule)
    for kind in ("initContainer", "container", "ephemeralContainer"):
        for i, c in enumerate(lists[kind]):
            if isinstance(c, dict):
                _container(c, (*at, _KIND_LIST[kind], i), run, kind)


def _pod_only(c: dict[str, Any], at: Path, run: _Run, kind: str) -> None:
    _requests_from_limits(c, at, run)
    if kind == "container":
        _resize_policy(c, at, run)


def _template_spec(obj: dict[str, Any]) -> tuple[dict[str, Any], Path] | None:
    kind = obj.get("kind")
    spec = _dict(obj.get("spec")) or {}
    if kind == "PodTemplate":
        inner = _dict((_dict(obj.get("template")) or {}).get("spec"))
        return (inner, ("template", "spec")) if inner is not None else None
    if kind == "CronJob":
        job = _dict((_dict(spec.get("jobTemplate")) or {}).get("spec")) or {}
        inner = _dict((_dict(job.get("template")) or {}).get("spec"))
        return (inner, ("spec", "jobTemplate", "spec", "template", "spec")) if inner is not None else None
    if kind in _TEMPLATE_KINDS:
        inner = _dict((_dict(spec.get("template")) or {}).get("spec"))
        return (inner, ("spec", "template", "spec")) if inner is not None else None
    return None


def _is_container(obj: dict[str, Any]) -> bool:
    return "spec" not in obj and "kind" not in obj


def _object(obj: Any, at: Path, run: _Run) -> None:
    if not isinstance(obj, dict):
        raise KubehashError(f"apply_defaults: {_where(at)} is not an object")
    if isinstance(obj.get("items"), list) and "spec" not in obj:
        for i, item in enumerate(obj["items"]):
            _object(item, (*at, "items", i), run)
        return
    if (found := _template_spec(obj)) is not None:
        tspec, rel = found
        _pod_spec(tspec, (*at, *rel), run, template=True)
        return
    spec = _dict(obj.get("spec"))
    if obj.get("kind") in (None, "Pod") and spec is not None:
        _pod_spec(spec, (*at, "spec"), run, template=False)
        return
    if obj.get("kind") == "Pod":
        return  # a Pod without a spec has no containers to default
    if _is_container(obj):
        _container(obj, at, run, None)
        return
    raise KubehashError(
        f"apply_defaults: {_where(at)} is not a Pod, a pod template, a List or a container (kind {obj.get('kind')!r})"
    )


def _where(at: Path) -> str:
    return Applied(at, None, "").json_path


def apply_defaults(
    obj: Mapping[str, object],
    version: str,
    *,
    feature_gates: Mapping[str, bool] | None = None,
    container_kind: str | None = None,
    host_network: bool = False,
    owned: bool = False,
) -> Defaulted:
    """What the API server of ``version`` stores for ``obj`` after defaulting (a deep copy; ``owned``: ``obj``
    is the caller's own fresh copy of plain dicts and lists, defaulted in place -- ``predict`` parses the
    container's JSON text again, which costs a fraction of the deep copy).

    ``obj`` is a Pod (kubectl JSON), a List of objects, a workload with a pod template, or a bare container.
    A bare container gets the container-level defaults only, unless ``container_kind`` (``container``,
    ``initContainer`` or ``ephemeralContainer``) says it belongs to a Pod: then the Pod-only defaults apply
    too (requests from limits, ``resizePolicy``, and hostPort when ``host_network``).
    ``feature_gates`` overrides that minor's gate defaults (unknown gates are a :class:`KubehashError`).
    """
    rel = release(version)
    run = _Run(rel, effective_gates(rel, feature_gates), [])
    copy = obj if owned else _plain(obj)
    if container_kind is None:
        _object(copy, (), run)
    else:
        if container_kind not in CONTAINER_KINDS:
            kinds = ", ".join(CONTAINER_KINDS)
            raise KubehashError(f"apply_defaults: unknown container kind {container_kind!r}; expected one of {kinds}")
        if not isinstance(copy, dict):
            raise KubehashError("apply_defaults: the container is not an object")
        if container_kind != "ephemeralContainer":
            _pod_only(copy, (), run, container_kind)
            if host_network and run.on("host-port"):
                _host_port(copy, (), run, "host-port")
        _container(copy, (), run, container_kind)
    return Defaulted(copy, rel.minor, run.gates, run.applied)


def rule_applies(version: str, rule: str, feature_gates: Mapping[str, bool] | None = None) -> bool:
    """Does the API server of ``version`` (``feature_gates`` overriding its gate defaults) run defaulting
    rule ``rule`` (:data:`RULES`)?"""
    rel = release(version)
    return _Run(rel, effective_gates(rel, feature_gates), []).on(rule)
