"""One pod's state as ``kubehash watch`` compares it (:class:`PodDigest`), read from a pod object, and the
words for what changed between two of them: kubectl's STATUS (:func:`pod_status`), an eviction
(:func:`eviction_reason`), a container's restart (:func:`restart_detail`). Pure; Kubernetes 1.x pod status
fields as every kubelet reports them (``DisruptionTarget`` conditions: 1.26+)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "ContainerDigest",
    "PodDigest",
    "digest_pod",
    "eviction_reason",
    "kubelet_version",
    "node_name",
    "pod_key",
    "pod_status",
    "restart_detail",
]

#: Waiting reasons that are no trouble (a container being created); any other waiting reason is.
_BENIGN_WAITING = frozenset({"ContainerCreating", "PodInitializing"})
#: ``DisruptionTarget`` condition reasons that mean an eviction.
_EVICTION_REASONS = frozenset({"EvictionByEvictionAPI", "TerminationByKubelet"})
_STATUS_LISTS = (("initContainer", "initContainerStatuses"), ("container", "containerStatuses"))


@dataclass(frozen=True, slots=True)
class ContainerDigest:
    """What a restart is seen by: a container's ``containerID``, ``restartCount`` and last termination."""

    container_id: str | None
    restart_count: int | None
    running: bool
    last_reason: str | None = None
    exit_code: int | None = None


@dataclass(frozen=True, slots=True)
class PodDigest:
    """The part of a pod the tracker compares."""

    key: str
    namespace: str | None
    name: str | None
    node: str | None
    status: str
    containers: dict[tuple[str, str], ContainerDigest] = field(default_factory=dict)
    eviction: str | None = None


def _map(x: Any) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


def _str(x: Any) -> str | None:
    return x if isinstance(x, str) and x else None


def _int(x: Any) -> int | None:
    return x if isinstance(x, int) and not isinstance(x, bool) else None


def node_name(node: Any) -> str | None:
    """A node's ``metadata.name``."""
    return _str(_map(_map(node).get("metadata")).get("name"))


def kubelet_version(node: Any) -> str | None:
    """A node's ``status.nodeInfo.kubeletVersion``."""
    return _str(_map(_map(_map(node).get("status")).get("nodeInfo")).get("kubeletVersion"))


def _statuses(pod: Mapping[str, Any]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    status = _map(pod.get("status"))
    for kind, key in _STATUS_LISTS:
        items = status.get(key)
        for st in items if isinstance(items, list) else ():
            if isinstance(st, Mapping) and _str(st.get("name")):
                yield kind, st


def pod_status(pod: Any) -> str:
    """kubectl's STATUS of a pod, reduced to what matters here: ``Terminating`` (being deleted), the phase
    (or ``status.reason``, e.g. ``Evicted``) when not Running, a running pod's first container waiting for a
    reason other than being created (``CrashLoopBackOff``, ``ImagePullBackOff``, ...), else ``Running``."""
    pod = _map(pod)
    if _map(pod.get("metadata")).get("deletionTimestamp"):
        return "Terminating"
    status = _map(pod.get("status"))
    phase = _str(status.get("phase")) or "Unknown"
    if phase != "Running":
        return _str(status.get("reason")) or phase
    for kind, st in _statuses(pod):
        waiting = _map(_map(st.get("state")).get("waiting"))
        reason = _str(waiting.get("reason"))
        if kind == "container" and reason and reason not in _BENIGN_WAITING:
            return reason
    return "Running"


def eviction_reason(pod: Any) -> str | None:
    """Why the pod was evicted (``Evicted``, ``EvictionByEvictionAPI``, ``TerminationByKubelet``), or ``None``."""
    status = _map(_map(pod).get("status"))
    if status.get("reason") == "Evicted":
        return "Evicted"
    conditions = status.get("conditions")
    for c in conditions if isinstance(conditions, list) else ():
        c = _map(c)
        if c.get("type") == "DisruptionTarget" and c.get("status") == "True" and c.get("reason") in _EVICTION_REASONS:
            return str(c["reason"])
    return None


def _container(st: Mapping[str, Any]) -> ContainerDigest:
    last = _map(_map(st.get("lastState")).get("terminated"))
    return ContainerDigest(
        container_id=_str(st.get("containerID")),
        restart_count=_int(st.get("restartCount")),
        running=isinstance(_map(st.get("state")).get("running"), Mapping),
        last_reason=_str(last.get("reason")),
        exit_code=_int(last.get("exitCode")),
    )


def pod_key(pod: Any) -> str:
    """``metadata.uid``, else ``namespace/name`` (a pod recreated under the same name is another pod)."""
    meta = _map(_map(pod).get("metadata"))
    return _str(meta.get("uid")) or f"{meta.get('namespace') or ''}/{meta.get('name') or ''}"


def digest_pod(pod: Any) -> PodDigest:
    """The :class:`PodDigest` of a pod object (``kubectl get pod -o json``)."""
    pod = _map(pod)
    meta = _map(pod.get("metadata"))
    return PodDigest(
        key=pod_key(pod),
        namespace=_str(meta.get("namespace")),
        name=_str(meta.get("name")),
        node=_str(_map(pod.get("spec")).get("nodeName")),
        status=pod_status(pod),
        containers={(kind, st["name"]): _container(st) for kind, st in _statuses(pod)},
        eviction=eviction_reason(pod),
    )


def restart_detail(before: ContainerDigest, after: ContainerDigest) -> str | None:
    """The evidence of a restart between two statuses of one container, ``None`` when it did not restart."""
    grew = before.restart_count is not None and after.restart_count is not None
    grew = grew and after.restart_count > before.restart_count  # type: ignore[operator]
    changed = bool(before.container_id and after.container_id and before.container_id != after.container_id)
    if not (grew or changed):
        return None
    parts = [f"restartCount {before.restart_count}->{after.restart_count}" if grew else "new container ID"]
    if after.last_reason or after.exit_code is not None:
        code = f" exit code {after.exit_code}" if after.exit_code is not None else ""
        parts.append(f"last state {after.last_reason or 'terminated'}{code}")
    return ", ".join(parts)
