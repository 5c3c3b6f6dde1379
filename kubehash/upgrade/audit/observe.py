"""What happened to one container between two states of a cluster, read from its pod's status (and the
runtime's records when both states have them).

The kubelet (every version) reports a container it started again -- after a crash, or after it killed it
because the container's hash no longer matched its spec -- in the pod's ``status.containerStatuses`` (init
containers: ``initContainerStatuses``) with a new ``containerID``, ``restartCount`` one higher, a new
``state.running.startedAt`` and the previous instance in ``lastState.terminated`` (``reason``, ``exitCode``,
``finishedAt``). A container that is running in the first state and whose status is gone from the same pod
(same ``metadata.uid``) in the second has stopped too. Each of these is one *signal*; a container with at least
one signal restarted. Nothing here reads files.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubehash.model import RuntimeRecord

__all__ = ["ContainerState", "Observation", "container_state", "observe", "short_id"]

_STATUS_LISTS = {"container": "containerStatuses", "initContainer": "initContainerStatuses"}


@dataclass(frozen=True, slots=True)
class ContainerState:
    """One container's status as the kubelet reported it (``None`` fields: not reported)."""

    container_id: str | None = None
    restart_count: int | None = None
    running: bool = False
    started_at: str | None = None  # state.running.startedAt, as written
    last_reason: str | None = None  # lastState.terminated.reason
    exit_code: int | None = None  # lastState.terminated.exitCode
    finished_at: str | None = None  # lastState.terminated.finishedAt


@dataclass(frozen=True, slots=True)
class Observation:
    """What :func:`observe` saw: ``restarted`` when any ``signals`` (one sentence each) say so; ``started``
    when a container that was not running before runs now without a restart (a pending pod that started)."""

    restarted: bool
    signals: tuple[str, ...] = ()
    started: bool = False
    gone: bool = False


def _map(x: Any) -> Mapping[str, Any]:
    return x if isinstance(x, Mapping) else {}


def _text(x: Any) -> str | None:
    return x if isinstance(x, str) and x else None


def _int(x: Any) -> int | None:
    return x if isinstance(x, int) and not isinstance(x, bool) else None


def container_state(pod: Mapping[str, Any], kind: str, name: str) -> ContainerState | None:
    """The status of container ``name`` (``kind`` ``container`` or ``initContainer``) in ``pod``, or ``None``
    when the pod reports none (the first status of that name wins, as in the kubelet's own lookup)."""
    statuses = _map(pod.get("status")).get(_STATUS_LISTS.get(kind, "containerStatuses"))
    if not isinstance(statuses, list):
        return None
    for st in statuses:
        if isinstance(st, Mapping) and st.get("name") == name:
            state, last = _map(st.get("state")), _map(_map(st.get("lastState")).get("terminated"))
            running = isinstance(state.get("running"), Mapping)
            return ContainerState(
                container_id=_text(st.get("containerID")),
                restart_count=_int(st.get("restartCount")),
                running=running,
                started_at=_text(_map(state.get("running")).get("startedAt")) if running else None,
                last_reason=_text(last.get("reason")),
                exit_code=_int(last.get("exitCode")),
                finished_at=_text(last.get("finishedAt")),
            )
    return None


def _changed(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a != b


def short_id(container_id: str | None) -> str:
    """A container ID as ``docker ps``/``crictl ps`` show it: the first 12 characters after the scheme."""
    if not container_id:
        return "-"
    return container_id.split("://", 1)[-1][:12]


def _status_signals(before: ContainerState, after: ContainerState) -> list[str]:
    signals = []
    if _changed(before.container_id, after.container_id):
        signals.append(f"containerID {short_id(before.container_id)} -> {short_id(after.container_id)}")
    rb, ra = before.restart_count, after.restart_count
    if rb is not None and ra is not None and ra > rb:
        signals.append(f"restartCount {rb} -> {ra}")
    if _changed(before.started_at, after.started_at):
        signals.append(f"startedAt {before.started_at} -> {after.started_at}")
    return signals


def observe(
    before: ContainerState | None,
    after: ContainerState | None,
    record_before: RuntimeRecord | None = None,
    record_after: RuntimeRecord | None = None,
) -> Observation:
    """The restart signals between two statuses of one container of the same pod (same uid): the container
    ID changed, ``restartCount`` grew, ``startedAt`` moved, the runtime's container ID changed, or a container
    running before has no status now."""
    signals = _status_signals(before, after) if before is not None and after is not None else []
    ids = (record_before.container_id, record_after.container_id) if record_before and record_after else (None, None)
    if _changed(*ids) and not any(s.startswith("containerID") for s in signals):
        signals.append(f"runtime container {short_id(ids[0])} -> {short_id(ids[1])}")
    gone = before is not None and before.running and after is None
    if gone:
        signals.append("container running before has no status now")
    started = not signals and after is not None and after.running and (before is None or not before.running)
    return Observation(bool(signals), tuple(signals), started, gone)
