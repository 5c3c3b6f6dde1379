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
* **node-settled** -- every restart predicted on an upgraded node was seen (or its pod deleted first): nothing
  more to wait for on that node.
* **pod-not-running** / **pod-running** -- a pod left Running (its phase, or a container waiting in a back-off
  or error state: kubectl's STATUS column), and came back. Completed pods (``Succeeded``) and pods being
  deleted are not counted.
* **evicted** -- the kubelet evicted the pod (``status.reason`` ``Evicted``) or it was deleted by eviction
  (``DisruptionTarget`` condition, Kubernetes 1.26+: ``EvictionByEvictionAPI``, ``TerminationByKubelet``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Protocol

from kubehash.upgrade.watch_state import (
    ContainerDigest,
    PodDigest,
    digest_pod,
    eviction_reason,
    kubelet_version,
    node_name,
    pod_key,
    pod_status,
    restart_detail,
)

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
    "pod_key",
    "pod_status",
]

EVENT_KINDS = ("node-upgraded", "restart", "node-settled", "pod-not-running", "pod-running", "evicted")
EXPECTED, UNEXPECTED, UNRELATED = "expected", "UNEXPECTED", "unrelated"
Key = tuple[str | None, str | None, str]  # (namespace, pod, container)

class Expectations(Protocol):
    """What the prediction says: asked when a node upgrades, and for each restart on an upgraded node."""

    def node_upgraded(self, node: str, version: str) -> str | None:
        """Note that ``node`` now runs kubelet ``version``; returns a sentence to show, if any."""

    def verdict(self, namespace: str | None, pod: str | None, container: str) -> str | None:
        """The predicted verdict of a container (``restart``, ``unchanged``, ...), ``None`` when not covered."""

    def restarts_on(self, node: str) -> list[Key]:
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
        """The fields that hold something, in field order (``klass`` as ``class``)."""
        return {_KEYS.get(k, k): v for k in _EVENT_FIELDS if (v := getattr(self, k)) is not None and v != ""}


@dataclass
class Tally:
    """The running counts. ``nodes_settled``: upgraded nodes whose every predicted restart was seen;
    ``pods_not_running``: pods that left Running during the watch and are not back."""

    nodes: int = 0
    nodes_upgraded: int = 0
    nodes_settled: int = 0
    expected_restarts: int = 0
    unexpected_restarts: int = 0
    unrelated_restarts: int = 0
    pods_not_running: int = 0
    evictions: int = 0

    def document(self) -> dict[str, int]:
        return {k: getattr(self, k) for k in _TALLY_FIELDS}


_EVENT_FIELDS = tuple(f.name for f in fields(WatchEvent))
_KEYS = {"klass": "class"}
_TALLY_FIELDS = tuple(f.name for f in fields(Tally))


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
        self.expected: set[Key] = set()
        self.unexpected: list[WatchEvent] = []
        self._pending: list[_Pending] = []
        #: per upgraded node: the predicted restarts not seen yet, how many were predicted, how many of them
        #: belonged to pods deleted first; the nodes settled; the pods present, by (namespace, name)
        self._remaining: dict[str, set[Key]] = {}
        self._predicted_on: dict[str, int] = {}
        self._gone_on: Counter[str] = Counter()
        self._settled_nodes: set[str] = set()
        self._names: dict[tuple[str | None, str | None], str] = {}
        self._not_running: set[str] = set()
        self._evicted: set[str] = set()

    # -- state --------------------------------------------------------------------------------------------

    def set_baseline(
        self, pods: Iterable[Any], nodes: Iterable[Any], versions: Mapping[str, str] | None = None
    ) -> None:
        """The state before the upgrade: pods (restarts are counted from their statuses) and nodes (their kubelet
        versions); ``versions`` (node -> kubelet version, e.g. a prediction's old side) win over the nodes'."""
        for n in nodes:
            name, version = node_name(n), kubelet_version(n)
            if name and version:
                self.baseline_versions[name] = version
        self.baseline_versions.update(versions or {})
        self.versions = dict(self.baseline_versions)
        for p in pods:
            d = digest_pod(p)
            self.digests[d.key] = d
            self.pod_objects[d.key] = p
            self._names[(d.namespace, d.name)] = d.key
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
        name = node_name(obj)
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
            predicted = set(self.expectations.restarts_on(name))
            here = {k for k in predicted - self.expected if (k[0], k[1]) in self._names}
            self._remaining[name], self._predicted_on[name] = here, len(predicted)
            self._gone_on[name] = len(predicted - self.expected) - len(here)
            self._settled_nodes.discard(name)
            events.extend(self._settle_node(name))
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
            events.extend(self._forget(before or d))
        else:
            self.digests[d.key] = d
            self.pod_objects[d.key] = obj
            self._names[(d.namespace, d.name)] = d.key
        self.tally.pods_not_running = len(self._not_running)
        return events

    def _forget(self, d: PodDigest) -> list[WatchEvent]:
        """A pod deleted: its predicted restarts will not come (its node may settle without them)."""
        self.digests.pop(d.key, None)
        self.pod_objects.pop(d.key, None)
        self._not_running.discard(d.key)
        if self._names.get((d.namespace, d.name)) != d.key:
            return []
        del self._names[(d.namespace, d.name)]
        events = []
        for _, c in d.containers:
            events.extend(self._settled(d.node, (d.namespace, d.name, c), gone=True))
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
            detail = restart_detail(prev, st) if prev is not None else None
            if detail is None:
                continue
            if self.upgraded(after.node):
                events.extend(self._classify(after, key[1], detail))
            else:
                self._pending.append(_Pending(now + self.grace, after, key[1], detail))
        return events

    def _classify(self, pod: PodDigest, container: str, detail: str, upgraded: bool = True) -> list[WatchEvent]:
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
            return [event, *self._settled(pod.node, (pod.namespace, pod.name, container))]
        if klass == UNEXPECTED:
            self.tally.unexpected_restarts += 1
            self.unexpected.append(event)
        else:
            self.tally.unrelated_restarts += 1
        return [event]

    def _settled(self, node: str | None, key: Key, *, gone: bool = False) -> list[WatchEvent]:
        """``node-settled`` when the last restart predicted on ``node`` was seen (or its pod deleted)."""
        remaining = self._remaining.get(node or "")
        if remaining is None or key not in remaining:
            return []
        remaining.discard(key)
        if gone:
            self._gone_on[node or ""] += 1
        return self._settle_node(node or "")

    def _settle_node(self, node: str) -> list[WatchEvent]:
        if self._remaining.get(node) or node not in self._predicted_on or node in self._settled_nodes:
            return []
        self._settled_nodes.add(node)
        self.tally.nodes_settled += 1
        n, gone = self._predicted_on[node], self._gone_on[node]
        what = f"all {n} predicted restart{'s' if n != 1 else ''}"
        detail = f"{what} seen"
        if gone:
            detail = f"{what} accounted for: {n - gone} seen, {gone} whose pod was deleted first"
        return [WatchEvent("node-settled", node, detail=detail)]

    def _settle(self, which: Any, *, force_unrelated: bool = False) -> list[WatchEvent]:
        """Classify the pending restarts ``which`` selects: on an upgraded node as any restart there, else (when
        their time is up or ``force_unrelated``) as unrelated."""
        keep, out = [], []
        for p in self._pending:
            if not which(p):
                keep.append(p)
            elif self.upgraded(p.pod.node):
                out.extend(self._classify(p.pod, p.container, p.detail))
            elif force_unrelated:
                out.extend(self._classify(p.pod, p.container, p.detail, upgraded=False))
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
