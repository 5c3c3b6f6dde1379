"""What matters while an upgrade runs, from the successive states of a cluster's pods and nodes: the events
``kubehash watch`` prints, and their running tally. Pure: states in, events out; nothing here reads or prints.

* **node-upgraded** -- a node's ``status.nodeInfo.kubeletVersion`` changed (the kubelet reports its version in
  its first node status update after it starts, every Kubernetes version).
* **restart** -- a container of the same pod (same ``metadata.uid``) was started again: its status'
  ``restartCount`` grew or its ``containerID`` changed (the kubelet reports every start of a container so,
  after a crash or after it killed the container because its hash no longer matched). Each restart gets a
  class: ``expected`` (on an upgraded node, the prediction said ``restart`` and this is its first restart
  since), ``UNEXPECTED`` (on an upgraded node and not foreseen: predicted ``unchanged``/``protected``/...,
  or restarted again after its predicted restart) or ``unrelated`` (on a node that was not upgraded, of a pod
  the prediction does not cover, or of a container that was not running at the baseline). The two watch
  streams are not ordered with each other, so a restart on a node not (yet) seen upgraded waits ``grace``
  seconds for the node's new version before it is called unrelated.
* **pod-not-running** / **pod-running** -- a pod left Running (its phase, or a container waiting in a back-off
  or error state: kubectl's STATUS column), and came back. Completed pods (``Succeeded``) and pods being
  deleted are not counted.
* **evicted** -- the kubelet evicted the pod (``status.reason`` ``Evicted``) or it was deleted by eviction
  (``DisruptionTarget`` condition, Kubernetes 1.26+: ``EvictionByEvictionAPI``, ``TerminationByKubelet``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

__all__ = [
    "EVENT_KINDS",
    "EXPECTED",
    "UNEXPECTED",
    "UNRELATED",
    "ContainerDigest",
    "Expectations",
    "PodDigest",
    "Tally",
    "Tracker",
    "WatchEvent",
    "digest_pod",
    "eviction_reason",
    "kubelet_version",
    "pod_status",
]

EVENT_KINDS = ("node-upgraded", "restart", "pod-not-running", "pod-running", "evicted")
EXPECTED, UNEXPECTED, UNRELATED = "expected", "UNEXPECTED", "unrelated"

#: Waiting reasons that are no trouble (a container being created); any other waiting reason is.
_BENIGN_WAITING = frozenset({"ContainerCreating", "PodInitializing"})
#: ``DisruptionTarget`` condition reasons that mean an eviction.
_EVICTION_REASONS = frozenset({"EvictionByEvictionAPI", "TerminationByKubelet"})
_STATUS_LISTS = (("initContainer", "initContainerStatuses"), ("container", "containerStatuses"))


class Expectations(Protocol):
    """What the prediction says: asked when a node upgrades, and for each restart on an upgraded node."""

    def node_upgraded(self, node: str, version: str) -> str | None:
        """Note that ``node`` now runs kubelet ``version``; returns a sentence to show, if any."""

    def verdict(self, namespace: str | None, pod: str | None, container: str) -> str | None:
        """The predicted verdict of a container (``restart``, ``unchanged``, ...), ``None`` when not covered."""

    def restarts_on(self, node: str) -> list[tuple[str | None, str | None, str]]:
        """The containers on ``node`` predicted to restart, as (namespace, pod, container)."""


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """One line of ``kubehash watch``. ``old``/``new``: the kubelet versions (node-upgraded) or pod statuses
    (pod-not-running, pod-running); ``klass``: the restart's class; ``detail``: the evidence, in words."""

    kind: str
    node: str | None
    namespace: str | None = None
    pod: str | None = None
    container: str | None = None
    klass: str | None = None
    old: str | None = None
    new: str | None = None
    detail: str = ""

    def document(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, "")}


@dataclass
class Tally:
    """The running counts. ``pods_not_running``: pods that left Running during the watch and are not back."""

    nodes: int = 0
    nodes_upgraded: int = 0
    expected_restarts: int = 0
    unexpected_restarts: int = 0
    unrelated_restarts: int = 0
    pods_not_running: int = 0
    evictions: int = 0

    def document(self) -> dict[str, int]:
        return asdict(self)


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


def _restart_detail(before: ContainerDigest, after: ContainerDigest) -> str | None:
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


@dataclass
class _Pending:
    due: float
    pod: PodDigest
    container: str
    detail: str


class Tracker:
    """The watch's state: each node's kubelet version at the baseline and now, each pod's last digest (and
    object), and the tally. Feed it :meth:`set_baseline`, then every change (:meth:`node`, :meth:`pod`, with
    the time in seconds), :meth:`tick` now and then, and :meth:`finish` at the end."""

    def __init__(self, expectations: Expectations, *, grace: float = 30.0) -> None:
        self.expectations = expectations
        self.grace = grace
        self.baseline_versions: dict[str, str] = {}
        self.versions: dict[str, str] = {}
        self.digests: dict[str, PodDigest] = {}
        #: the latest object of every pod and node (the state a final audit compares with the baseline)
        self.pod_objects: dict[str, Any] = {}
        self.node_objects: dict[str, Any] = {}
        self.notes: dict[str, str] = {}  # node -> what the expectations said when it upgraded
        self.tally = Tally()
        self._expected_seen: set[tuple[str, str]] = set()
        #: (namespace, pod, container) of every expected restart seen, and every UNEXPECTED restart's event
        self.expected: set[tuple[str | None, str | None, str]] = set()
        self.unexpected: list[WatchEvent] = []
        self._pending: list[_Pending] = []
        self._not_running: set[str] = set()
        self._evicted: set[str] = set()

    # -- state --------------------------------------------------------------------------------------------

    def set_baseline(
        self, pods: Iterable[Any], nodes: Iterable[Any], versions: Mapping[str, str] | None = None
    ) -> None:
        """The state before the upgrade: pods (restarts are counted from their statuses), nodes (their kubelet
        versions; ``versions`` fills in nodes the list lacks)."""
        for name, v in (versions or {}).items():
            self.baseline_versions.setdefault(name, v)
        for n in nodes:
            name, v = _str(_map(_map(n).get("metadata")).get("name")), kubelet_version(n)
            if name and v:
                self.baseline_versions[name] = v
        self.versions = dict(self.baseline_versions)
        for p in pods:
            d = digest_pod(p)
            self.digests[d.key] = d
            self.pod_objects[d.key] = p
        self._count_nodes()

    def upgraded(self, node: str | None) -> bool:
        """Whether ``node`` now runs another kubelet version than at the baseline."""
        if node is None or node not in self.versions:
            return False
        return self.versions[node] != self.baseline_versions.get(node, self.versions[node])

    def _count_nodes(self) -> None:
        self.tally.nodes = len(self.versions)
        self.tally.nodes_upgraded = sum(1 for n in self.versions if self.upgraded(n))

    # -- nodes --------------------------------------------------------------------------------------------

    def node(self, kind: str, obj: Any, now: float) -> list[WatchEvent]:
        """A node ADDED, MODIFIED, DELETED (or listed again: any other ``kind``)."""
        name = _str(_map(_map(obj).get("metadata")).get("name"))
        if name is None:
            return []
        if kind == "DELETED":
            self.node_objects.pop(name, None)
            return []
        self.node_objects[name] = obj
        version = kubelet_version(obj)
        before = self.versions.get(name)
        if version is None or version == before:
            return []
        self.versions[name] = version
        self.baseline_versions.setdefault(name, before or version)
        self._count_nodes()
        if before is None:  # a node that joined: nothing was predicted for it
            return []
        events: list[WatchEvent] = []
        if self.upgraded(name):
            note = self.expectations.node_upgraded(name, version)
            if note:
                self.notes[name] = note
            events.append(WatchEvent("node-upgraded", name, old=before, new=version, detail=note or ""))
        events.extend(self._settle(lambda p: p.pod.node == name))
        return events

    # -- pods ---------------------------------------------------------------------------------------------

    def pod(self, kind: str, obj: Any, now: float) -> list[WatchEvent]:
        """A pod ADDED, MODIFIED, DELETED (or listed again: any other ``kind``)."""
        d = digest_pod(obj)
        before = self.digests.get(d.key)
        events: list[WatchEvent] = []
        if d.eviction and d.key not in self._evicted:
            self._evicted.add(d.key)
            self._not_running.discard(d.key)
            self.tally.evictions += 1
            events.append(_pod_event("evicted", d, detail=d.eviction))
        if before is not None:
            events.extend(self._restarts(before, d, now))
            if kind != "DELETED" and d.key not in self._evicted:
                events.extend(self._status_change(before, d))
        if kind == "DELETED":
            self.digests.pop(d.key, None)
            self.pod_objects.pop(d.key, None)
            self._not_running.discard(d.key)
        else:
            self.digests[d.key] = d
            self.pod_objects[d.key] = obj
        self.tally.pods_not_running = len(self._not_running)
        return events

    def _status_change(self, before: PodDigest, after: PodDigest) -> list[WatchEvent]:
        if before.status == after.status:
            return []
        ok = ("Running", "Succeeded", "Terminating")
        if before.status == "Running" and after.status not in ok:
            self._not_running.add(after.key)
            return [_pod_event("pod-not-running", after, old=before.status, new=after.status)]
        if after.status == "Running" and after.key in self._not_running:
            self._not_running.discard(after.key)
            return [_pod_event("pod-running", after, old=before.status, new=after.status)]
        if after.status in ok:
            self._not_running.discard(after.key)
        return []

    def _restarts(self, before: PodDigest, after: PodDigest, now: float) -> list[WatchEvent]:
        events = []
        for key, st in after.containers.items():
            prev = before.containers.get(key)
            detail = _restart_detail(prev, st) if prev is not None else None
            if detail is None:
                continue
            if self.upgraded(after.node):
                events.append(self._classify(after, key[1], detail))
            else:
                self._pending.append(_Pending(now + self.grace, after, key[1], detail))
        return events

    def _classify(self, pod: PodDigest, container: str, detail: str, upgraded: bool = True) -> WatchEvent:
        verdict = self.expectations.verdict(pod.namespace, pod.name, container)
        seen = (pod.key, container)
        if not upgraded:
            klass, why = UNRELATED, "node not upgraded"
        elif verdict is None:
            klass, why = UNRELATED, "pod not in the prediction"
        elif verdict == "not-running":
            klass, why = UNRELATED, "was not running at the baseline"
        elif verdict == "restart" and seen not in self._expected_seen:
            self._expected_seen.add(seen)
            klass, why = EXPECTED, "predicted restart"
        elif verdict == "restart":
            klass, why = UNEXPECTED, "restarted again after its predicted restart"
        else:
            klass, why = UNEXPECTED, f"predicted {verdict}"
        event = _pod_event("restart", pod, container=container, klass=klass, detail=f"{why}; {detail}")
        if klass == EXPECTED:
            self.tally.expected_restarts += 1
            self.expected.add((pod.namespace, pod.name, container))
        elif klass == UNEXPECTED:
            self.tally.unexpected_restarts += 1
            self.unexpected.append(event)
        else:
            self.tally.unrelated_restarts += 1
        return event

    def _settle(self, which: Any, *, force_unrelated: bool = False) -> list[WatchEvent]:
        """Classify the pending restarts ``which`` selects: on an upgraded node as any restart there, else (when
        their time is up or ``force_unrelated``) as unrelated."""
        keep, out = [], []
        for p in self._pending:
            if not which(p):
                keep.append(p)
            elif self.upgraded(p.pod.node):
                out.append(self._classify(p.pod, p.container, p.detail))
            elif force_unrelated:
                out.append(self._classify(p.pod, p.container, p.detail, upgraded=False))
            else:
                keep.append(p)
        self._pending = keep
        return out

    def tick(self, now: float) -> list[WatchEvent]:
        """Restarts whose node did not upgrade within the grace period: unrelated."""
        return self._settle(lambda p: p.due <= now, force_unrelated=True)

    def finish(self) -> list[WatchEvent]:
        """At the end of the watch: every restart still waiting for its node is classified."""
        return self._settle(lambda p: True, force_unrelated=True)

    @property
    def pending(self) -> int:
        """Restarts waiting for their node's new version."""
        return len(self._pending)

    def upgraded_nodes(self) -> list[tuple[str, str, str]]:
        """(node, baseline version, version now) of each upgraded node, by name."""
        return [(n, self.baseline_versions[n], v) for n, v in sorted(self.versions.items()) if self.upgraded(n)]

    def not_seen(self) -> list[tuple[str, str | None, str | None, str]]:
        """(node, namespace, pod, container) of each restart predicted on an upgraded node and not seen (yet):
        a spared container, a pod deleted first, or a kubelet that has not synced the pod yet."""
        out = []
        for node, _, _ in self.upgraded_nodes():
            for ns, pod, container in self.expectations.restarts_on(node):
                if (ns, pod, container) not in self.expected:
                    out.append((node, ns, pod, container))
        return out

    def summary(self) -> dict[str, Any]:
        """The end of the watch, as a document: the tally, the upgraded nodes, the UNEXPECTED restarts and the
        predicted restarts not seen."""
        return {
            "tally": self.tally.document(),
            "upgraded_nodes": [{"node": n, "from": a, "to": b} for n, a, b in self.upgraded_nodes()],
            "unexpected_restarts": [e.document() for e in self.unexpected],
            "predicted_not_seen": [
                {"node": n, "namespace": ns, "pod": p, "container": c} for n, ns, p, c in self.not_seen()
            ],
        }


def _pod_event(kind: str, d: PodDigest, **kw: Any) -> WatchEvent:
    return WatchEvent(kind, d.node, d.namespace, d.name, **kw)
