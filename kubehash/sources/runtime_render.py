"""Sample ``crictl inspect``, ``crictl ps -o json`` and ``docker inspect`` output for runtime records, as
the tools print it (keys sorted as Go's ``encoding/json`` writes maps): for examples and tests, read back by
:func:`kubehash.sources.runtime.parse_runtime`.
"""

from __future__ import annotations

from typing import Any

from kubehash.model import RuntimeRecord
from kubehash.sources.gotime import format_rfc3339nano, to_ns
from kubehash.sources.runtime_entries import (
    CRI_STATE_PREFIX,
    DOCKER_ANNOTATION_PREFIX,
    HASH_ANNOTATION,
    HASH_WITHOUT_RESOURCES_ANNOTATION,
    LABEL_CONTAINER,
    LABEL_DOCKER_TYPE,
    LABEL_NAMESPACE,
    LABEL_POD,
    LABEL_POD_UID,
)

__all__ = ["DEFAULT_IMAGE", "render_crictl_inspect", "render_crictl_ps", "render_docker_inspect"]

#: image shown by the renderers when the caller does not name one (records do not carry images)
DEFAULT_IMAGE = "docker.io/library/busybox:1.36"


def _started_ns(r: RuntimeRecord) -> int | None:
    if r.started_at_ns is not None:
        return r.started_at_ns
    return to_ns(r.started_at) if r.started_at is not None else None


def _identity_labels(r: RuntimeRecord) -> dict[str, str]:
    labels = {LABEL_CONTAINER: r.container}
    for key, value in ((LABEL_POD, r.pod), (LABEL_NAMESPACE, r.namespace), (LABEL_POD_UID, r.pod_uid)):
        if value is not None:
            labels[key] = value
    return labels


def _hash_annotations(r: RuntimeRecord, prefix: str) -> dict[str, str]:
    out: dict[str, str] = {}
    if r.hash is not None:
        out[prefix + HASH_ANNOTATION] = format(r.hash, "x")
    if r.hash_without_resources is not None:
        out[prefix + HASH_WITHOUT_RESOURCES_ANNOTATION] = format(r.hash_without_resources, "x")
    out[prefix + "io.kubernetes.container.restartCount"] = "0"
    out[prefix + "io.kubernetes.container.terminationMessagePath"] = "/dev/termination-log"
    out[prefix + "io.kubernetes.container.terminationMessagePolicy"] = "File"
    out[prefix + "io.kubernetes.pod.terminationGracePeriod"] = "30"
    return out


def _log_path(r: RuntimeRecord) -> str:
    return f"/var/log/pods/{r.namespace or '_'}_{r.pod or '_'}_{r.pod_uid or '_'}/{r.container}/0.log"


def _sorted(m: dict[str, str]) -> dict[str, str]:
    """Go's encoding/json prints map keys sorted; so do crictl and docker."""
    return dict(sorted(m.items()))


def render_crictl_inspect(record: RuntimeRecord, *, image: str = DEFAULT_IMAGE) -> dict[str, Any]:
    """Minimal but realistic ``crictl inspect`` output for ``record`` (what crictl 1.2x prints)."""
    status: dict[str, Any] = {}
    if record.container_id is not None:
        status["id"] = record.container_id
    status["metadata"] = {"attempt": 0, "name": record.container}
    if record.state is not None:
        status["state"] = CRI_STATE_PREFIX + record.state.upper()
    if record.created_at is not None:
        status["createdAt"] = format_rfc3339nano(to_ns(record.created_at))
    status["startedAt"] = format_rfc3339nano(_started_ns(record), zero="1970-01-01T00:00:00Z")
    status["finishedAt"] = "1970-01-01T00:00:00Z"
    status["exitCode"] = 0
    status["image"] = {"annotations": {}, "image": image}
    status["imageRef"] = image.split(":")[0] + "@sha256:" + "0" * 64
    status["reason"] = ""
    status["message"] = ""
    status["labels"] = _sorted(_identity_labels(record))
    status["annotations"] = _sorted(_hash_annotations(record, ""))
    status["mounts"] = []
    status["logPath"] = _log_path(record)
    return {"status": status, "info": {"sandboxID": "0" * 64, "pid": 4242, "removing": False}}


def render_crictl_ps(record: RuntimeRecord) -> dict[str, Any]:
    """One entry of ``crictl ps -o json`` ``containers`` for ``record`` (no start time in this format)."""
    entry: dict[str, Any] = {}
    if record.container_id is not None:
        entry["id"] = record.container_id
    entry["podSandboxId"] = "0" * 64
    entry["metadata"] = {"name": record.container, "attempt": 0}
    entry["image"] = {"image": "sha256:" + "0" * 64, "annotations": {}}
    entry["imageRef"] = "sha256:" + "0" * 64
    if record.state is not None:
        entry["state"] = CRI_STATE_PREFIX + record.state.upper()
    entry["createdAt"] = str(to_ns(record.created_at)) if record.created_at is not None else "0"
    entry["labels"] = _sorted(_identity_labels(record))
    entry["annotations"] = _sorted(_hash_annotations(record, ""))
    return entry


def render_docker_inspect(record: RuntimeRecord, *, image: str = DEFAULT_IMAGE) -> dict[str, Any]:
    """Minimal but realistic ``docker inspect`` output (one array element) for a dockershim container."""
    labels = _identity_labels(record)
    labels[LABEL_DOCKER_TYPE] = "container"
    labels["io.kubernetes.container.logpath"] = _log_path(record)
    labels.update(_hash_annotations(record, DOCKER_ANNOTATION_PREFIX))
    state: dict[str, Any] = {}
    if record.state is not None:
        state["Status"] = record.state
        state["Running"] = record.state == "running"
    state.update(
        Paused=False,
        Restarting=False,
        OOMKilled=False,
        Dead=False,
        Pid=4242 if record.state == "running" else 0,
        ExitCode=0,
        Error="",
        StartedAt=format_rfc3339nano(_started_ns(record)),
        FinishedAt="0001-01-01T00:00:00Z",
    )
    out: dict[str, Any] = {"Id": record.container_id}
    if record.created_at is not None:
        out["Created"] = format_rfc3339nano(to_ns(record.created_at))
    out["Path"] = "/bin/sh"
    out["Args"] = []
    out["State"] = state
    name = f"k8s_{record.container}_{record.pod or ''}_{record.namespace or ''}_{record.pod_uid or ''}_0"
    out["Name"] = "/" + name
    out["RestartCount"] = 0
    out["Config"] = {"Hostname": record.pod or "", "Labels": _sorted(labels), "Image": image}
    return out
