"""``kubehash watch``'s loop: the live cluster's changes (:mod:`kubehash.sources.watch`) through the event
tracker (:mod:`kubehash.upgrade.watch_events`) to a sink that shows them, until a stop is asked (Ctrl-C,
SIGTERM: the caller sets ``stop``), the time is up, or the watch fails."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kubehash.errors import ClusterError
from kubehash.sources.watch import Change, ClusterWatch, Failure, Notice
from kubehash.upgrade.audit import Audit, audit
from kubehash.upgrade.options import Options
from kubehash.upgrade.watch_events import Tracker, WatchEvent, pod_key

__all__ = ["Baseline", "Sink", "WatchEnd", "final_audit", "watch_cluster"]


class Sink(Protocol):
    """Where the watch's output goes (:class:`kubehash.report.watch.WatchPrinter`)."""

    def started(self, tracker: Tracker, pods: int, nodes: int) -> None: ...

    def events(self, events: Sequence[WatchEvent], tracker: Tracker) -> None: ...

    def notice(self, text: str) -> None: ...

    def idle(self, tracker: Tracker) -> None: ...


@dataclass(frozen=True)
class Baseline:
    """The state before the upgrade: ``pods`` and ``nodes`` (a snapshot's; ``None``: the cluster as first
    listed) and node versions known otherwise (a prediction's old side), which win over the nodes' own;
    ``runtime``: the snapshot's runtime records."""

    pods: Sequence[Any] | None = None
    nodes: Sequence[Any] | None = None
    versions: Mapping[str, str] | None = None
    runtime: Sequence[Any] = ()


@dataclass(frozen=True)
class WatchEnd:
    """Why the watch ended (``stopped``: asked to; ``timeout``; ``failed``, with the error) and for how long
    it ran (seconds)."""

    reason: str
    seconds: float
    error: ClusterError | None = None


def _baseline(tracker: Tracker, baseline: Baseline, pods: list[Any], nodes: list[Any]) -> None:
    tracker.set_baseline(
        pods if baseline.pods is None else baseline.pods,
        nodes if baseline.nodes is None else baseline.nodes,
        baseline.versions,
    )


def _baseline_note(baseline: Baseline, missing: int, listed: int) -> str | None:
    """A warning when most of the baseline's pods are not in the cluster: the wrong context, or a baseline of
    another cluster (its restarts could not be seen)."""
    if baseline.pods is None or not baseline.pods:
        return None
    total = len(baseline.pods)
    if missing * 2 <= total:
        return None
    return (
        f"{missing} of the baseline's {total} pods are not in the cluster ({listed} pods listed): is this the "
        "cluster the baseline was taken of (--context)? Their restarts cannot be seen"
    )


def watch_cluster(
    watch: ClusterWatch,
    tracker: Tracker,
    sink: Sink,
    *,
    baseline: Baseline,
    stop: threading.Event,
    timeout: float | None = None,
    clock: Callable[[], float] = time.monotonic,
    poll: float = 0.2,
) -> WatchEnd:
    """List the cluster (a failure raises :class:`ClusterError`), compare it with the baseline, then follow its
    changes until ``stop`` is set, ``timeout`` seconds have passed or a watch gives up. Restarts still
    waiting for their node's version are classified at the end."""
    t0 = clock()
    pods, nodes = watch.start()
    try:
        _baseline(tracker, baseline, pods, nodes)
        sink.started(tracker, len(pods), len(nodes))
        now = clock()
        for n in nodes:
            sink.events(tracker.node("SYNC", n, now), tracker)
        listed = set()
        for p in pods:
            sink.events(tracker.pod("SYNC", p, now), tracker)
            listed.add(pod_key(p))
        missing = [(key, obj) for key, obj in tracker.pod_objects.items() if key not in listed]
        for _, gone in missing:  # baseline pods deleted before the watch began
            sink.events(tracker.pod("DELETED", gone, now), tracker)
        note = _baseline_note(baseline, len(missing), len(pods))
        if note:
            sink.notice(note)
        end = _follow(watch, tracker, sink, stop, None if timeout is None else t0 + timeout, clock, poll)
    finally:
        watch.close()
    sink.events(tracker.finish(), tracker)
    return WatchEnd(end[0], clock() - t0, end[1])


def _follow(
    watch: ClusterWatch,
    tracker: Tracker,
    sink: Sink,
    stop: threading.Event,
    deadline: float | None,
    clock: Callable[[], float],
    poll: float,
) -> tuple[str, ClusterError | None]:
    while True:
        if stop.is_set():
            return "stopped", None
        now = clock()
        if deadline is not None and now >= deadline:
            return "timeout", None
        wait = poll if deadline is None else max(0.0, min(poll, deadline - now))
        item = watch.get(wait)
        now = clock()
        if isinstance(item, Change):
            handle = tracker.node if item.resource == "node" else tracker.pod
            sink.events(handle(item.type, item.object, now), tracker)
        elif isinstance(item, Notice):
            sink.notice(item.text)
        elif isinstance(item, Failure):
            return "failed", item.error
        sink.events(tracker.tick(now), tracker)
        if item is None:
            sink.idle(tracker)


def final_audit(baseline: Baseline, tracker: Tracker, options: Options | None, expected: str | None) -> Audit | None:
    """The audit (:func:`kubehash.upgrade.audit.audit`) of the baseline against the cluster as the watch last saw
    it -- every container of the baseline in one class; ``None`` without a baseline's pods and nodes."""
    if baseline.pods is None or baseline.nodes is None:
        return None
    after_pods = list(tracker.pod_objects.values())
    after_nodes = list(tracker.node_objects.values())
    return audit(
        baseline.pods, baseline.nodes, after_pods, after_nodes, options, runtime_before=baseline.runtime,
        expected=expected,
    )  # fmt: skip
