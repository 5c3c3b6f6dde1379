"""Decode just what ``predict`` reads from a pod's JSON bytes, skipping the rest at C speed.

``predict`` looks at a small part of each pod: ``metadata`` (name, namespace, whether the mirror-pod
annotation is present, ownerReferences), ``spec`` (nodeName, hostNetwork, containers, initContainers) and
``status`` (phase, the name and state of each container status). ``managedFields``, volumes and most of the
status are dead weight, often most of the item's bytes. :func:`decode_pods` decodes items with ``msgspec``
into small structs (unknown fields are skipped without building objects), keeps each container as its raw
JSON bytes, and builds a pod mapping holding exactly the values ``predict`` reads, so its predictions are
those of the fully parsed pod.

Containers are parsed by the project's exact loader (:func:`kubehash.golang.jsonvalue.loads`: number
literal text kept) and memoised by their raw bytes: equal bytes are an equal JSON value, so the replicas of
a workload share one container mapping (:data:`SPEC_KEYS` keeps its hash-cache key too).

Anything the structs do not describe exactly -- a field of an unexpected JSON type (``containers`` not a
list, a ``name`` that is not a string...), a nested ``items`` list, a duplicate key with two types -- makes
:func:`decode_pods` return ``None``, and the caller decodes the items with the exact loader.
"""

from __future__ import annotations

from typing import Any

import msgspec

from kubehash.golang.jsonvalue import loads
from kubehash.kubelet.hashcache import spec_key
from kubehash.model import MIRROR_ANNOTATION

__all__ = ["SPEC_KEYS", "decode_pods"]

_UNSET = msgspec.UNSET


class _Running(msgspec.Struct):
    startedAt: str | None = None


class _State(msgspec.Struct):
    running: _Running | msgspec.UnsetType | None = _UNSET  # presence matters ("running" in state)


class _ContainerStatus(msgspec.Struct):
    name: str | None = None
    state: _State | None = None


class _Status(msgspec.Struct):
    phase: str | None = None
    containerStatuses: list[_ContainerStatus] | None = None
    initContainerStatuses: list[_ContainerStatus] | None = None


class _Owner(msgspec.Struct):
    kind: str | None = None
    name: str | None = None
    controller: bool | None = None


class _Meta(msgspec.Struct):
    name: str | None = None
    namespace: str | None = None
    annotations: dict[str, msgspec.Raw] | None = None
    ownerReferences: list[_Owner] | None = None


class _Spec(msgspec.Struct):
    nodeName: str | None = None
    hostNetwork: bool | None = None
    containers: list[msgspec.Raw] | None = None
    initContainers: list[msgspec.Raw] | None = None


class _Pod(msgspec.Struct):
    kind: str | None = None
    metadata: _Meta | None = None
    spec: _Spec | None = None
    status: _Status | None = None
    items: msgspec.Raw | msgspec.UnsetType = _UNSET


_DECODER = msgspec.json.Decoder(list[_Pod])
#: Distinct containers kept (raw bytes -> parsed mapping); emptied when full, which only costs re-parsing.
_MAX_CONTAINERS = 4096
_CONTAINERS: dict[bytes, Any] = {}
#: ``id(container mapping) -> spec_key(mapping)`` for the mappings in the container memo (same lifetime).
SPEC_KEYS: dict[int, bytes] = {}


def _container(raw: msgspec.Raw) -> Any:
    data = bytes(raw)
    c = _CONTAINERS.get(data)
    if c is None:
        c = loads(data.decode("utf-8"))
        if len(_CONTAINERS) >= _MAX_CONTAINERS:
            _CONTAINERS.clear()
            SPEC_KEYS.clear()
        _CONTAINERS[data] = c
        key = spec_key(c)
        if key is not None:
            SPEC_KEYS[id(c)] = key
    return c


def _state(run: _Running | msgspec.UnsetType | None) -> dict[str, Any]:
    if run is _UNSET:
        return {}
    return {"running": {"startedAt": run.startedAt} if isinstance(run, _Running) else None}


def _statuses(items: list[_ContainerStatus] | None) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    out: list[dict[str, Any]] = []
    for s in items:
        state: dict[str, Any] | None = None
        if s.state is not None:
            state = _state(s.state.running)
        out.append({"name": s.name, "state": state})
    return out


def decode_pods(data: bytes) -> list[dict[str, Any]] | None:
    """The pod mappings ``predict`` needs from a JSON array of items (valid UTF-8), or ``None`` when only the
    exact loader can say what some item is."""
    try:
        pods = _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    try:
        out = [_pod(p) for p in pods]
    except (_Declined, ValueError, RecursionError):
        return None
    return out


class _Declined(Exception):
    pass


def _pod(pod: _Pod) -> dict[str, Any]:
    if pod.items is not _UNSET:
        raise _Declined
    out: dict[str, Any] = {"kind": pod.kind}
    m = pod.metadata
    if m is not None:
        refs = m.ownerReferences
        out["metadata"] = {
            "name": m.name,
            "namespace": m.namespace,
            "annotations": {MIRROR_ANNOTATION: None} if m.annotations and MIRROR_ANNOTATION in m.annotations else {},
            "ownerReferences": None
            if refs is None
            else [{"kind": r.kind, "name": r.name, "controller": r.controller} for r in refs],
        }
    s = pod.spec
    if s is not None:
        out["spec"] = {
            "nodeName": s.nodeName,
            "hostNetwork": s.hostNetwork,
            "initContainers": None if s.initContainers is None else [_container(c) for c in s.initContainers],
            "containers": None if s.containers is None else [_container(c) for c in s.containers],
        }
    st = pod.status
    if st is not None:
        out["status"] = {
            "phase": st.phase,
            "containerStatuses": _statuses(st.containerStatuses),
            "initContainerStatuses": _statuses(st.initContainerStatuses),
        }
    return out
