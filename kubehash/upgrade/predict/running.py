"""Is a container running, so that the kubelet compares its hash, and since when; is an init container one the
kubelet compares (restartable, a sidecar)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from kubehash.golang.fnv import runtime_hex
from kubehash.model import PodView, RuntimeRecord
from kubehash.upgrade.explain import Reason

__all__ = ["restartable", "running", "spec_changed"]


def _parse_time(s: Any) -> datetime | None:
    if not isinstance(s, str) or not s:
        return None
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None


def running(view: PodView, kind: str, name: str, rec: RuntimeRecord | None) -> tuple[bool, datetime | None]:
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


def spec_changed(recorded: int, old_hash: int, old_minor: str) -> Reason:
    return Reason(
        "spec-changed",
        "",
        f"recorded hash {runtime_hex(recorded)} is not the {old_minor} hash {runtime_hex(old_hash)} of the current "
        "spec: the spec changed since the container started (or kubehash's model is wrong)",
        recorded,
        old_hash,
    )


def restartable(spec: Any) -> bool:
    return isinstance(spec, Mapping) and spec.get("restartPolicy") == "Always"
