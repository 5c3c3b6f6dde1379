"""What the container runtime recorded about each container: the kubelet's hash and the start time.

Reads the JSON that node tools print (docs/kubernetes-facts.md#where-the-running-containers-hash-is-recorded):

* ``crictl inspect ID...`` (containerd, CRI-O): one object, a JSON array, or several objects one after the
  other (what ``crictl inspect ID1 ID2`` prints). Hash in ``status.annotations["io.kubernetes.container.hash"]``,
  identity in ``status.labels``, start time ``status.startedAt`` (RFC 3339, nanoseconds). Pod sandboxes
  (``crictl inspectp``, metadata with ``uid``/``namespace``) are skipped.
* ``crictl ps -o json``: ``{"containers": [...]}`` with the same labels and annotations, ``createdAt`` as a
  string of nanoseconds and no start time.
* ``docker inspect ID...`` (dockershim, kubelet ≤ 1.23): a JSON array; the hash is the docker label
  ``annotation.io.kubernetes.container.hash``, start time ``State.StartedAt``. Pod sandbox ("POD",
  ``io.kubernetes.docker.type=podsandbox``) and non-Kubernetes containers are skipped.

The kubelet writes the hash with ``strconv.FormatUint(hash, 16)`` (lowercase, no padding) and reads it
back with ``strconv.ParseUint(s, 16, 64)``; ``hashWithoutResources`` (kubelet 1.27–1.30, in-place
resize) is read too when present.

``load_runtime`` takes files and directories. In a directory every ``*.json`` below it is read (sorted);
a file at ``DIR/<node>/...`` is attributed to node ``<node>``, so ``crictl inspect`` dumps collected as
``runtime/node-a/containers.json``, ``runtime/node-b/containers.json`` carry their node names.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from kubehash.errors import InputError
from kubehash.model import RuntimeRecord
from kubehash.sources.gotime import format_rfc3339nano, from_ns, parse_timestamp, to_ns

__all__ = [
    "HASH_ANNOTATION",
    "HASH_WITHOUT_RESOURCES_ANNOTATION",
    "load_runtime",
    "parse_runtime",
    "parse_runtime_lenient",
    "render_crictl_inspect",
    "render_crictl_ps",
    "render_docker_inspect",
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
#: image shown by the renderers when the caller does not name one (records do not carry images)
DEFAULT_IMAGE = "docker.io/library/busybox:1.36"

_HEX = re.compile(r"[0-9a-fA-F]+\Z")
_CRI_STATE_PREFIX = "CONTAINER_"


class _ItemError(Exception):
    """A problem with one container entry; becomes an InputError naming the file and the entry."""


class _Notes:
    """What parsing one entry found about values it kept: ``errors`` (unusable, replaced: exit 2) and
    ``warnings`` (used as read, but no runtime writes them so)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.warnings: list[str] = []


# -- parsing ----------------------------------------------------------------------------------------------


def _json_values(text: str, origin: str) -> list[Any]:
    """Every JSON value in ``text``: one value or several concatenated (whitespace between them)."""
    dec = json.JSONDecoder()
    out: list[Any] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        try:
            value, i = dec.raw_decode(text, i)
        except json.JSONDecodeError as e:
            raise InputError(f"{origin}: not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
        except (ValueError, RecursionError) as e:
            raise InputError(f"{origin}: not valid JSON: {e}") from None
        out.append(value)
    if not out:
        raise InputError(f"{origin}: empty file (expected crictl or docker inspect JSON)")
    return out


def _entries(values: list[Any]) -> Iterator[tuple[bool, Any]]:
    """(from a ``crictl ps`` container list?, entry) for every container entry."""
    for v in values:
        if isinstance(v, list):
            for item in v:
                yield False, item
        elif isinstance(v, dict) and isinstance(v.get("containers"), list) and "status" not in v:
            for item in v["containers"]:  # crictl ps -o json
                yield True, item
        else:
            yield False, v


def _str_map(v: Any, field: str) -> dict[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise _ItemError(f"{field} is not an object")
    return v


def _opt_str(m: Mapping[str, Any], key: str, field: str) -> str | None:
    v = m.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise _ItemError(f"{field} is not a string (got {json.dumps(v)[:40]})")
    return v


def _hash(m: Mapping[str, Any], key: str, field: str, notes: _Notes) -> int | None:
    """The hash annotation as the kubelet reads it (``getUint64ValueFromLabel``: ``strconv.ParseUint(v, 16,
    64)``, and 0 when that fails -- the kubelet logs the error and compares 0). A value it cannot parse is
    kept as 0 and noted as an error; one wider than 32 bits is kept and warned about (every kubelet hashes
    with 32-bit FNV-1a -- adler32 before 1.6 -- so no kubelet wrote it, and it never matches); a non-string
    value is not something a runtime stores, so the entry is rejected."""
    v = m.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise _ItemError(f"{field}: {json.dumps(v)[:40]} is not a hexadecimal hash")
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


def _time(m: Mapping[str, Any], key: str, field: str, notes: _Notes) -> int | None:
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
        raise _ItemError(f"{field}: {str(e)[:120]}") from None
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
        raise _ItemError("state is not a string")
    return v.removeprefix(_CRI_STATE_PREFIX).lower()


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
    notes: _Notes,
) -> RuntimeRecord | None:
    name = _opt_str(labels, LABEL_CONTAINER, f"label {LABEL_CONTAINER}") or fallback_name
    if name is None:
        raise _ItemError(f"no container name (label {LABEL_CONTAINER})")
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


def _crictl_inspect(item: dict[str, Any], origin: str, node: str | None, notes: _Notes) -> RuntimeRecord | None:
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


def _crictl_ps(item: dict[str, Any], origin: str, node: str | None, notes: _Notes) -> RuntimeRecord | None:
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


def _docker(item: dict[str, Any], origin: str, node: str | None, notes: _Notes) -> RuntimeRecord | None:
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


def _describe(item: Any, index: int) -> str:
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


def _parse_item(item: Any, origin: str, node: str | None, from_ps: bool, notes: _Notes) -> RuntimeRecord | None:
    if not isinstance(item, dict):
        raise _ItemError("not an object")
    if from_ps:
        return _crictl_ps(item, origin, node, notes)
    if isinstance(item.get("status"), dict):
        return _crictl_inspect(item, origin, node, notes)
    if "Id" in item and ("Config" in item or "State" in item):
        return _docker(item, origin, node, notes)
    if "id" in item and ("labels" in item or "annotations" in item):
        return _crictl_ps(item, origin, node, notes)
    raise _ItemError("neither crictl inspect, crictl ps -o json nor docker inspect output")


def parse_runtime_lenient(
    text: str, *, origin: str, node: str | None = None, warnings: list[str] | None = None
) -> tuple[list[RuntimeRecord], list[InputError]]:
    """Records from every good entry of ``text``, and one :class:`InputError` per bad entry (or for the
    whole text when it is not JSON) -- and per value that is unusable in a kept record (a hash annotation the
    kubelet would read as 0, kept as 0; a start time that reads as before 2000, dropped). Doubtful values that
    are used (a hash wider than 32 bits, a time as a JSON number) go to ``warnings`` (one line each, naming
    ``origin`` and the entry), or, without that list, are returned as errors too: never silently."""
    try:
        values = _json_values(text, origin)
    except InputError as e:
        return [], [e]
    records: list[RuntimeRecord] = []
    errors: list[InputError] = []
    for i, (from_ps, item) in enumerate(_entries(values)):
        notes = _Notes()
        try:
            rec = _parse_item(item, origin, node, from_ps, notes)
        except _ItemError as e:
            errors.append(InputError(f"{origin}: {_describe(item, i)}: {e}"))
            continue
        errors.extend(InputError(f"{origin}: {_describe(item, i)}: {n}") for n in notes.errors)  # kept, reported
        if warnings is None:
            errors.extend(InputError(f"{origin}: {_describe(item, i)}: {n}") for n in notes.warnings)
        else:
            warnings.extend(f"{origin}: {_describe(item, i)}: {n}" for n in notes.warnings)
        if rec is not None:
            records.append(rec)
    return records, errors


def parse_runtime(text: str, *, origin: str, node: str | None = None) -> list[RuntimeRecord]:
    """Records from crictl/docker JSON; raises :class:`InputError` (naming ``origin``) on the first bad entry."""
    records, errors = parse_runtime_lenient(text, origin=origin, node=node)
    if errors:
        raise errors[0]
    return records


def _files(path: Path) -> list[tuple[Path, str | None]]:
    """(file, node) pairs: the file itself, or every ``*.json`` under a directory with its node name."""
    if not path.is_dir():
        return [(path, None)]
    out: list[tuple[Path, str | None]] = []
    for f in sorted(p for p in path.rglob("*.json") if p.is_file()):
        rel = f.relative_to(path).parts
        out.append((f, rel[0] if len(rel) >= 2 else None))
    if not out:
        raise InputError(f"{path}: directory holds no *.json files")
    return out


def load_runtime(
    paths: Iterable[str | os.PathLike[str]], *, warnings: list[str] | None = None
) -> tuple[list[RuntimeRecord], list[InputError]]:
    """Records from files and directories (see the module docstring for the ``DIR/<node>/`` layout).

    A file that cannot be read or parsed, or a bad entry in one, gives an :class:`InputError`; everything
    else still loads. ``warnings``: as in :func:`parse_runtime_lenient`.
    """
    records: list[RuntimeRecord] = []
    errors: list[InputError] = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            errors.append(InputError(f"{path}: no such file or directory"))
            continue
        try:
            files = _files(path)
        except InputError as e:
            errors.append(e)
            continue
        for f, node in files:
            try:
                text = f.read_text(encoding="utf-8")
            except UnicodeDecodeError as e:
                errors.append(InputError(f"{f}: not UTF-8 text: {e.reason} at byte {e.start}"))
                continue
            except OSError as e:
                errors.append(InputError(f"{f}: cannot read: {e.strerror or e}"))
                continue
            recs, errs = parse_runtime_lenient(text, origin=str(f), node=node, warnings=warnings)
            records.extend(recs)
            errors.extend(errs)
    return records, errors


# -- rendering (sample data, tests) ----------------------------------------------------------------------


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
        status["state"] = _CRI_STATE_PREFIX + record.state.upper()
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
        entry["state"] = _CRI_STATE_PREFIX + record.state.upper()
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
