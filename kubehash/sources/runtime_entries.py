"""One container entry of ``crictl inspect``, ``crictl ps -o json`` or ``docker inspect`` output as a
:class:`~kubehash.model.RuntimeRecord`: the labels and annotations the kubelet writes (names below), the
hash as the kubelet reads it back, the start and creation times. See :mod:`kubehash.sources.runtime` for
the formats and where each value is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from kubehash.model import RuntimeRecord
from kubehash.sources.gotime import format_rfc3339nano, from_ns, parse_timestamp

__all__ = [
    "CRI_STATE_PREFIX",
    "DOCKER_ANNOTATION_PREFIX",
    "HASH_ANNOTATION",
    "HASH_WITHOUT_RESOURCES_ANNOTATION",
    "LABEL_CONTAINER",
    "LABEL_DOCKER_TYPE",
    "LABEL_NAMESPACE",
    "LABEL_POD",
    "LABEL_POD_UID",
    "ItemError",
    "Notes",
    "describe",
    "parse_entry",
]

HASH_ANNOTATION = "io.kubernetes.container.hash"
HASH_WITHOUT_RESOURCES_ANNOTATION = "io.kubernetes.container.hashWithoutResources"
DOCKER_ANNOTATION_PREFIX = "annotation."  # dockershim stores annotations as labels with this prefix
LABEL_POD = "io.kubernetes.pod.name"
LABEL_NAMESPACE = "io.kubernetes.pod.namespace"
LABEL_POD_UID = "io.kubernetes.pod.uid"
LABEL_CONTAINER = "io.kubernetes.container.name"
LABEL_DOCKER_TYPE = "io.kubernetes.docker.type"
SANDBOX_NAME = "POD"

_HEX = re.compile(r"[0-9a-fA-F]+\Z")
CRI_STATE_PREFIX = "CONTAINER_"


class ItemError(Exception):
    """A problem with one container entry; becomes an InputError naming the file and the entry."""


class Notes:
    """What parsing one entry found about values it kept: ``errors`` (unusable, replaced: exit 2) and
    ``warnings`` (used as read, but no runtime writes them so)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []


def _str_map(v: Any, field: str) -> dict[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise ItemError(f"{field} is not an object")
    return v


def _opt_str(m: Mapping[str, Any], key: str, field: str) -> str | None:
    v = m.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise ItemError(f"{field} is not a string (got {json.dumps(v)[:40]})")
    return v


def _hash(m: Mapping[str, Any], key: str, field: str, notes: Notes) -> int | None:
    """The hash annotation as the kubelet reads it (``getUint64ValueFromLabel``: ``strconv.ParseUint(v, 16,
    64)``, and 0 when that fails -- the kubelet logs the error and compares 0). A value it cannot parse is
    kept as 0 and noted as an error; one wider than 32 bits is kept and warned about (every kubelet hashes
    with 32-bit FNV-1a -- adler32 before 1.6 -- so no kubelet wrote it, and it never matches); a non-string
    value is not something a runtime stores, so the entry is rejected."""
    v = m.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise ItemError(f"{field}: {json.dumps(v)[:40]} is not a hexadecimal hash")
    if len(v) > 64 or not _HEX.match(v) or int(v, 16) >= 1 << 64:
        notes.errors.append(
            f"{field}: {json.dumps(v)[:40]} is not a hexadecimal hash; the kubelet reads it as 0 (kept as 0)"
        )
        return 0
    h = int(v, 16)
    if h >= 1 << 32:
        notes.warnings.append(
            f"{field}: {v[:20]} is wider than 32 bits: kubelets write 32-bit hashes, so no kubelet wrote it "
            "(the kubelet compares it as is: it never matches, the container restarts)"
        )
    return h


#: 2000-01-01T00:00:00Z in nanoseconds: no container runtime recorded a start before it
_PLAUSIBLE_NS = 946_684_800 * 10**9


def _time(m: Mapping[str, Any], key: str, field: str, notes: Notes) -> int | None:
    """A time as crictl/docker print it: RFC 3339 text, or (``crictl ps``, raw CRI) a decimal string of
    nanoseconds. A count that reads as a time before 2000 is not usable (seconds or milliseconds where
    nanoseconds belong): an error, the time is dropped. A JSON number is no tool's output: used as
    nanoseconds when plausible, with a warning."""
    v = m.get(key)
    if v is None:
        return None
    try:
        ns = parse_timestamp(v)
    except ValueError as e:
        raise ItemError(f"{field}: {str(e)[:120]}") from None
    if ns is None or (isinstance(v, str) and not v.isdigit()):
        return ns
    shown = json.dumps(v)[:30]
    if not ns >= _PLAUSIBLE_NS:
        notes.errors.append(
            f"{field}: {shown} read as nanoseconds is {format_rfc3339nano(ns)}, before any container runtime "
            "existed (seconds or milliseconds?): start time ignored"
        )
        return None
    if not isinstance(v, str):
        notes.warnings.append(
            f"{field}: {shown} is a JSON number, not the text crictl and docker print: read as nanoseconds "
            f"since the epoch ({format_rfc3339nano(ns)})"
        )
    return ns


def _cri_state(v: Any) -> str | None:
    if v is None:
        return None
    if not isinstance(v, str):
        raise ItemError("state is not a string")
    return v.removeprefix(CRI_STATE_PREFIX).lower()


def _record(
    labels: Mapping[str, Any],
    annotations: Mapping[str, Any],
    *,
    prefix: str,
    fallback_name: str | None,
    runtime: str,
    container_id: str | None,
    state: str | None,
    started_ns: int | None,
    created_ns: int | None,
    origin: str,
    node: str | None,
    notes: Notes,
) -> RuntimeRecord | None:
    name = _opt_str(labels, LABEL_CONTAINER, f"label {LABEL_CONTAINER}") or fallback_name
    if name is None:
        raise ItemError(f"no container name (label {LABEL_CONTAINER})")
    if name == SANDBOX_NAME:
        return None
    ann_field = "label " + prefix if prefix else "annotation "
    return RuntimeRecord(
        namespace=_opt_str(labels, LABEL_NAMESPACE, f"label {LABEL_NAMESPACE}"),
        pod=_opt_str(labels, LABEL_POD, f"label {LABEL_POD}"),
        container=name,
        hash=_hash(annotations, prefix + HASH_ANNOTATION, ann_field + HASH_ANNOTATION, notes),
        started_at=from_ns(started_ns),
        pod_uid=_opt_str(labels, LABEL_POD_UID, f"label {LABEL_POD_UID}"),
        container_id=container_id,
        runtime=runtime,
        state=state,
        node=node,
        hash_without_resources=_hash(
            annotations,
            prefix + HASH_WITHOUT_RESOURCES_ANNOTATION,
            ann_field + HASH_WITHOUT_RESOURCES_ANNOTATION,
            notes,
        ),
        origin=origin,
        started_at_ns=started_ns,
        created_at=from_ns(created_ns),
    )


def _crictl_inspect(item: dict[str, Any], origin: str, node: str | None, notes: Notes) -> RuntimeRecord | None:
    status = _str_map(item.get("status"), "status")
    meta = _str_map(status.get("metadata"), "status.metadata")
    if "uid" in meta or "namespace" in meta:
        return None  # PodSandboxMetadata: `crictl inspectp` output, a pod sandbox, not a container
    return _record(
        _str_map(status.get("labels"), "status.labels"),
        _str_map(status.get("annotations"), "status.annotations"),
        prefix="",
        fallback_name=_opt_str(meta, "name", "status.metadata.name"),
        runtime="cri",
        container_id=_opt_str(status, "id", "status.id"),
        state=_cri_state(status.get("state")),
        started_ns=_time(status, "startedAt", "status.startedAt", notes),
        created_ns=_time(status, "createdAt", "status.createdAt", notes),
        origin=origin,
        node=node,
        notes=notes,
    )


def _crictl_ps(item: dict[str, Any], origin: str, node: str | None, notes: Notes) -> RuntimeRecord | None:
    meta = _str_map(item.get("metadata"), "metadata")
    return _record(
        _str_map(item.get("labels"), "labels"),
        _str_map(item.get("annotations"), "annotations"),
        prefix="",
        fallback_name=_opt_str(meta, "name", "metadata.name"),
        runtime="cri",
        container_id=_opt_str(item, "id", "id"),
        state=_cri_state(item.get("state")),
        started_ns=None,
        created_ns=_time(item, "createdAt", "createdAt", notes),
        origin=origin,
        node=node,
        notes=notes,
    )


def _docker(item: dict[str, Any], origin: str, node: str | None, notes: Notes) -> RuntimeRecord | None:
    config = _str_map(item.get("Config"), "Config")
    labels = _str_map(config.get("Labels"), "Config.Labels")
    if LABEL_CONTAINER not in labels or labels.get(LABEL_DOCKER_TYPE) == "podsandbox":
        return None  # not a Kubernetes container, or a pod's infra container
    st = _str_map(item.get("State"), "State")
    state = _opt_str(st, "Status", "State.Status")
    if state is None and isinstance(st.get("Running"), bool):
        state = "running" if st["Running"] else "exited"
    return _record(
        labels,
        labels,
        prefix=DOCKER_ANNOTATION_PREFIX,
        fallback_name=None,
        runtime="docker",
        container_id=_opt_str(item, "Id", "Id"),
        state=state,
        started_ns=_time(st, "StartedAt", "State.StartedAt", notes),
        created_ns=_time(item, "Created", "Created", notes),
        origin=origin,
        node=node,
        notes=notes,
    )


def _dict_or(v: Any, default: dict[str, Any]) -> dict[str, Any]:
    return v if isinstance(v, dict) else default


def describe(item: Any, index: int) -> str:
    """``entry N`` plus the container's identity when the entry is well-formed enough to tell."""
    where = f"entry {index}"
    if not isinstance(item, dict):
        return where
    status = _dict_or(item.get("status"), item)
    config = _dict_or(item.get("Config"), {})
    labels = _dict_or(status.get("labels"), _dict_or(config.get("Labels"), {}))
    ns, pod, name = labels.get(LABEL_NAMESPACE), labels.get(LABEL_POD), labels.get(LABEL_CONTAINER)
    if isinstance(ns, str) and isinstance(pod, str) and isinstance(name, str):
        return f"{where} (container {ns}/{pod}/{name})"
    cid = status.get("id") if isinstance(status.get("id"), str) else item.get("Id")
    if isinstance(cid, str):
        where += f" (id {cid[:12]})"
    return where


def parse_entry(item: Any, origin: str, node: str | None, from_ps: bool, notes: Notes) -> RuntimeRecord | None:
    """The record of one entry (``None``: a pod sandbox or not a Kubernetes container); :class:`ItemError`
    when the entry is not one of the formats or a value there is unusable."""
    if not isinstance(item, dict):
        raise ItemError("not an object")
    if from_ps:
        return _crictl_ps(item, origin, node, notes)
    if isinstance(item.get("status"), dict):
        return _crictl_inspect(item, origin, node, notes)
    if "Id" in item and ("Config" in item or "State" in item):
        return _docker(item, origin, node, notes)
    if "id" in item and ("labels" in item or "annotations" in item):
        return _crictl_ps(item, origin, node, notes)
    raise ItemError("neither crictl inspect, crictl ps -o json nor docker inspect output")
