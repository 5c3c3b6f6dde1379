"""The pods and nodes preflight reads, parsed strictly: a field of the wrong JSON type is an input problem
naming its path (an API server would never have stored such an object), never a guess."""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from kubehash.errors import FieldError, KubehashError, ObjectError
from kubehash.kubelet.versions import parse_version
from kubehash.model import MIRROR_ANNOTATION, node_kubelet_versions
from kubehash.upgrade.preflight.selectors import NodeAffinity, parse_affinity
from kubehash.upgrade.preflight.tolerations import Taint, Toleration, parse_taints, parse_tolerations

__all__ = ["Node", "Pod", "ident", "items", "parse_node", "parse_pod", "pod_key", "roll_hint"]


def items(docs: Any, where: str = "$") -> Iterator[tuple[str, Any]]:
    """(where, object) for every object in a document, a List (``items``) or a list of those."""
    if isinstance(docs, list):
        for i, x in enumerate(docs):
            yield from items(x, f"{where}[{i}]")
    elif isinstance(docs, Mapping) and isinstance(docs.get("items"), list) and "spec" not in docs:
        for i, x in enumerate(docs["items"]):
            yield from items(x, f"{where}.items[{i}]")
    else:
        yield where, docs


def _mapping(d: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> Mapping[str, Any]:
    v = d.get(key)
    if v is None and not required:
        return {}
    if not isinstance(v, Mapping):
        raise ObjectError(f"{path}.{key}: {'missing' if v is None else 'must be an object'}")
    return v


def _opt_str(d: Mapping[str, Any], key: str, path: str) -> str | None:
    v = d.get(key)
    if v is not None and not isinstance(v, str):
        raise ObjectError(f"{path}.{key}: must be a string")
    return v


@dataclass(frozen=True)
class Node:
    name: str
    labels: Mapping[str, str]
    taints: tuple[Taint, ...]
    version: str | None


def parse_node(n: Any) -> Node:
    if not isinstance(n, Mapping):
        raise ObjectError("not an object")
    meta = _mapping(n, "metadata", "$", required=True)
    name = _opt_str(meta, "name", "$.metadata")
    if not name:
        raise ObjectError("$.metadata.name: missing")
    labels = meta.get("labels") or {}
    if not isinstance(labels, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise ObjectError(f"node {name}: $.metadata.labels: must be a map of strings to strings")
    try:
        taints = parse_taints(_mapping(n, "spec", "$").get("taints"))
    except (FieldError, ObjectError) as e:
        raise ObjectError(f"node {name}: {e}") from None
    version = node_kubelet_versions(n).get(name)
    if version is not None:
        try:
            parse_version(version)
        except KubehashError:
            raise ObjectError(f"node {name}: $.status.nodeInfo.kubeletVersion: not a version: {version!r}") from None
    return Node(name, dict(labels), taints, version)


@dataclass(frozen=True)
class Pod:
    namespace: str | None
    name: str
    node: str | None
    phase: str | None
    started: bool
    mirror: bool
    owner: tuple[str, str] | None
    labels: Mapping[str, Any]
    tolerations: tuple[Toleration, ...]
    affinity: NodeAffinity


def _owner_ref(meta: Mapping[str, Any]) -> tuple[str, str] | None:
    """(kind, name) of the pod's controller reference, else of its first owner reference."""
    owners = meta.get("ownerReferences") or []
    if not isinstance(owners, list) or not all(isinstance(o, Mapping) for o in owners):
        raise ObjectError("$.metadata.ownerReferences: must be a list of objects")
    owner = next((o for o in owners if o.get("controller") is True), owners[0] if owners else None)
    if owner is None:
        return None
    okind, oname = owner.get("kind"), owner.get("name")
    if not isinstance(okind, str) or not isinstance(oname, str):
        raise ObjectError("$.metadata.ownerReferences: kind and name must be strings")
    return okind, oname


def parse_pod(p: Any) -> Pod:
    if not isinstance(p, Mapping):
        raise ObjectError(f"not an object ({type(p).__name__})")
    kind = p.get("kind")
    if kind is not None and kind != "Pod":
        raise ObjectError(f"not a Pod (kind {kind!r})")
    meta = _mapping(p, "metadata", "$", required=True)
    name = _opt_str(meta, "name", "$.metadata")
    if not name:
        raise ObjectError("$.metadata.name: missing")
    spec = _mapping(p, "spec", "$", required=True)
    status = _mapping(p, "status", "$")
    ann = _mapping(meta, "annotations", "$.metadata")
    labels = _mapping(meta, "labels", "$.metadata")
    owner_ref = _owner_ref(meta)
    try:
        tolerations = parse_tolerations(spec.get("tolerations"))
        affinity = parse_affinity(spec)
    except FieldError as e:
        raise ObjectError(str(e)) from None
    return Pod(
        namespace=_opt_str(meta, "namespace", "$.metadata"),
        name=name,
        node=_opt_str(spec, "nodeName", "$.spec") or None,
        phase=_opt_str(status, "phase", "$.status"),
        started=status.get("startTime") is not None,
        mirror=MIRROR_ANNOTATION in ann,
        owner=owner_ref,
        labels=labels,
        tolerations=tolerations,
        affinity=affinity,
    )


def pod_key(pod: Pod) -> str:
    return f"{pod.namespace}/{pod.name}" if pod.namespace else pod.name


def _owner_workload(pod: Pod) -> tuple[str, str] | None:
    """The workload a user rolls: a Deployment behind a ReplicaSet named ``<deployment>-<pod-template-hash>``."""
    if pod.owner is None:
        return None
    kind, name = pod.owner
    h = pod.labels.get("pod-template-hash")
    if kind == "ReplicaSet" and isinstance(h, str) and h and name.endswith("-" + h):
        return ("Deployment", name[: -len(h) - 1])
    return pod.owner


def roll_hint(pod: Pod) -> str | None:
    """How to recreate the pod through its owner (``kubectl rollout restart ...``), if it has one."""
    wl = _owner_workload(pod)
    if wl is None:
        return None
    kind, name = wl
    ns = f" -n {shlex.quote(pod.namespace)}" if pod.namespace else ""
    if kind in ("Deployment", "StatefulSet", "DaemonSet"):
        return f"kubectl rollout restart {kind.lower()}/{shlex.quote(name)}{ns}"
    return f"delete the pod so {kind}/{name} recreates it"


def ident(p: object) -> tuple[str | None, str | None]:
    """The namespace and name of a pod document that did not parse, as far as they can be read."""
    meta = p.get("metadata") if isinstance(p, Mapping) else None
    if not isinstance(meta, Mapping):
        return None, None
    ns, name = meta.get("namespace"), meta.get("name")
    return (ns if isinstance(ns, str) else None, name if isinstance(name, str) else None)
