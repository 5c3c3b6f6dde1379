"""The data kubehash works on: pods and the containers in them, as plain mappings plus small records.

Pods stay the JSON mappings ``kubectl get pods -o json`` prints; this module knows where the containers
are, which decode path the kubelet used for them, and reduces a pod to the flat :class:`PodView` that
``predict`` reads.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeGuard

from kubehash.limits import DEPTH_PROBLEM, depth_violation

__all__ = [
    "MIRROR_ANNOTATION",
    "NOT_OBJECTS",
    "ContainerRef",
    "Document",
    "Documents",
    "FlawedPod",
    "NodeVersions",
    "PodView",
    "Rejected",
    "RuntimeRecord",
    "checked_spec",
    "container_source",
    "iter_containers",
    "iter_nodes",
    "iter_pods",
    "node_kubelet_versions",
    "not_a_pod",
    "pod_view",
]

#: A JSON object as ``kubectl get -o json`` prints it (a Pod, a Node, a List...).
Document = Mapping[str, object]
#: What the API takes where it reads pods or nodes: one document, or several (a List is one document).
Documents = Document | Iterable[Document]
#: ``{node name: kubelet version}``, as :func:`node_kubelet_versions` returns it.
NodeVersions = Mapping[str, str]

#: Mirror pods of static pods carry this annotation; their containers came from a manifest file.
MIRROR_ANNOTATION = "kubernetes.io/config.mirror"


class FlawedPod(dict):  # type: ignore[type-arg]
    """A pod read with parts beyond a bound of :mod:`kubehash.limits` (replaced by ``null`` so that the rest
    could be read): ``problems`` names them; every container of the pod gets an error row."""

    problems: tuple[str, ...] = ()
    #: Its ``kind`` itself holds a byte that was not UTF-8, so what it is cannot be told: taken for a pod (its
    #: error rows show it) rather than skipped as some other kind.
    kind_damaged: bool = False


@dataclass(frozen=True, slots=True)
class Rejected:
    """Stands for a container spec beyond a bound of :mod:`kubehash.limits` (``problem`` names the field, its
    path relative to the container): the container gets an error row, nothing else reads the spec."""

    problem: str
    name: str | None = None


def checked_spec(c: Any) -> Any:
    """``c``, or a :class:`Rejected` for it when it nests deeper than :data:`kubehash.limits.MAX_DEPTH`."""
    if type(c) is dict:
        deep = depth_violation(c)
        if deep is not None:
            name = c.get("name")
            return Rejected(f"{deep}: {DEPTH_PROBLEM}", name if isinstance(name, str) else None)
    return c


@dataclass(frozen=True, slots=True)
class ContainerRef:
    """One container of one pod (``pod`` is ``None`` for a bare container document)."""

    namespace: str | None
    pod: str | None
    name: str
    kind: str  # "container" | "initContainer"
    index: int
    spec: Any  # the container mapping (may be malformed: decoding reports that)
    source: str  # "apiserver" | "file"
    pod_doc: Mapping[str, Any] | None = None

    @property
    def pod_key(self) -> str:
        if self.pod is None:
            return "-"
        return f"{self.namespace}/{self.pod}" if self.namespace else self.pod


def _meta(pod: Mapping[str, Any]) -> Mapping[str, Any]:
    m = pod.get("metadata")
    return m if isinstance(m, Mapping) else {}


def container_source(pod: Mapping[str, Any]) -> str:
    """``file`` for mirror pods of static pods, ``apiserver`` for everything else
    (docs/kubernetes-facts.md#decode-paths)."""
    ann = _meta(pod).get("annotations")
    if isinstance(ann, Mapping) and MIRROR_ANNOTATION in ann:
        return "file"
    return "apiserver"


def is_pod(doc: Any) -> bool:
    """A Pod: ``kind: Pod``, or no kind and a ``spec`` object (the items of an API list carry no kind)."""
    if not isinstance(doc, Mapping):
        return False
    kind = doc.get("kind")
    if kind == "Pod" or (type(doc) is FlawedPod and doc.kind_damaged):
        return True
    return kind is None and (isinstance(doc.get("spec"), Mapping) or isinstance(doc, FlawedPod))


def not_a_pod(doc: Any) -> str:
    """What a document that is not a pod is, for reports: its ``kind``, or its JSON type."""
    if isinstance(doc, Mapping):
        kind = doc.get("kind")
        return kind if isinstance(kind, str) and kind else "object without kind or spec"
    return _json_type(doc)


#: The JSON types :func:`not_a_pod` names for items that are not objects at all (malformed input).
NOT_OBJECTS = ("array", "string", "number", "boolean", "null")


def is_bare_container(doc: Any) -> bool:
    return isinstance(doc, Mapping) and "spec" not in doc and "kind" not in doc and ("name" in doc or "image" in doc)


def iter_pods(doc: Any, skipped: Counter[str] | None = None) -> Iterator[Mapping[str, Any]]:
    """Pods in a document: a Pod, a List/PodList (``items``), or a list of those. Anything else is counted in
    ``skipped`` by what it is (:func:`not_a_pod`)."""
    if isinstance(doc, list):
        for d in doc:
            yield from iter_pods(d, skipped)
    elif isinstance(doc, Mapping) and isinstance(doc.get("items"), list):
        for d in doc["items"]:
            yield from iter_pods(d, skipped)
    elif is_pod(doc):
        yield doc
    elif skipped is not None:
        skipped[not_a_pod(doc)] += 1


def iter_containers(doc: Any, *, init_containers: bool = True, source: str | None = None) -> Iterator[ContainerRef]:
    """Every container in a document (bare container, Pod, List of pods); ``source`` overrides the
    decode path detected from the mirror-pod annotation."""
    if is_bare_container(doc):
        name = doc.get("name")
        yield ContainerRef(
            None, None, name if isinstance(name, str) else "?", "container", 0, doc, source or "apiserver"
        )
        return
    for pod in iter_pods(doc):
        yield from _pod_containers(pod, init_containers, source)


def _pod_containers(pod: Mapping[str, Any], init_containers: bool, source: str | None) -> Iterator[ContainerRef]:
    """:func:`iter_containers` of one pod."""
    meta = _meta(pod)
    spec = s if isinstance(s := pod.get("spec"), Mapping) else {}
    src = source or container_source(pod)
    ns = meta.get("namespace") if isinstance(meta.get("namespace"), str) else None
    pname = n if isinstance(n := meta.get("name"), str) else "?"
    kinds = (("initContainers", "initContainer"), ("containers", "container"))
    for key, kind in kinds:
        if kind == "initContainer" and not init_containers:
            continue
        items = spec.get(key)
        if not isinstance(items, list):
            continue
        for i, c in enumerate(items):
            cname = cn if isinstance(c, Mapping) and isinstance(cn := c.get("name"), str) else f"#{i}"
            yield ContainerRef(ns, pname, cname, kind, i, c, src, pod)


#: Phases in which a pod's containers do not run, whatever their statuses lack.
NOT_RUNNING_PHASES = ("Pending", "Succeeded", "Failed")


@dataclass(slots=True)
class PodView:
    """What predicting a pod reads from it, in one flat record: built from a pod mapping by :func:`pod_view`,
    or straight from the dump's bytes by :func:`kubehash.sources.podbytes.decode_pods`.

    ``containers``: ``(name, kind, spec, spec key or None)`` in :func:`iter_containers` order (a container
    without a string name is ``#index``). ``statuses``: ``(kind, name)`` -> ``(running, startedAt)`` from the
    first status of that name, or ``None`` when that status has no ``state`` object (then, as with no status
    at all, the pod's phase decides). ``schedulable``: the pod has a node and is not Pending/Succeeded/Failed.
    """

    namespace: str | None
    name: str  # "?" when the pod has no string name
    uid: str | None  # metadata.uid (runtime records carry it: a pod recreated under its name has a new one)
    source: str  # decode path: "apiserver" | "file"
    node: str | None
    host_network: bool
    owner_kind: str | None
    owner_name: str | None
    containers: list[tuple[str, str, Any, bytes | None]]
    statuses: dict[tuple[str, str], tuple[bool, Any] | None]
    schedulable: bool
    #: What no API server would have stored, with its field path (``$.spec.containers: must be a list, not
    #: object``); a pod whose containers cannot be listed has problems and no containers.
    problems: tuple[str, ...] = ()


def _is_mapping(x: Any) -> TypeGuard[Mapping[str, Any]]:
    return type(x) is dict or isinstance(x, Mapping)  # the exact type first: ABC checks cost ~5x more


def _owner(meta: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The controller owner reference's kind and name, else the first reference's."""
    refs = meta.get("ownerReferences")
    if isinstance(refs, list):
        for r in refs:
            if _is_mapping(r) and r.get("controller"):
                return _str(r.get("kind")), _str(r.get("name"))
        if refs and _is_mapping(refs[0]):
            return _str(refs[0].get("kind")), _str(refs[0].get("name"))
    return None, None


def _str(v: Any) -> str | None:
    """A string field's value, or ``None`` when it holds another JSON type (which output must not carry)."""
    return v if isinstance(v, str) else None


def _state_of(status: Mapping[str, Any]) -> tuple[bool, Any] | None:
    state = status.get("state")
    if not _is_mapping(state):
        return None
    if "running" not in state:
        return False, None
    run = state["running"]
    return True, run.get("startedAt") if _is_mapping(run) else None


#: (spec list, status list, container kind) in :func:`iter_containers` order.
_CONTAINER_LISTS = (
    ("initContainers", "initContainerStatuses", "initContainer"),
    ("containers", "containerStatuses", "container"),
)


def _json_type(v: Any) -> str:
    return {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}.get(
        type(v), "number" if isinstance(v, (int, float)) else type(v).__name__
    )


def _field_problems(pod: Mapping[str, Any]) -> list[str]:
    """The fields of a pod an API server would never have stored in that JSON type (and, for a
    :class:`FlawedPod`, the values beyond kubehash's bounds)."""
    problems = list(pod.problems) if type(pod) is FlawedPod else []
    for key in ("metadata", "spec", "status"):
        v = pod.get(key)
        if v is not None and not _is_mapping(v):
            problems.append(f"$.{key}: must be an object, not {_json_type(v)}")
    spec = pod.get("spec")
    if _is_mapping(spec):
        for key in ("containers", "initContainers"):
            v = spec.get(key)
            if v is not None and not isinstance(v, list):
                problems.append(f"$.spec.{key}: must be an array, not {_json_type(v)}")
    return problems


def _containers(
    spec: Mapping[str, Any], status: Mapping[str, Any]
) -> tuple[list[tuple[str, str, Any, bytes | None]], dict[tuple[str, str], tuple[bool, Any] | None]]:
    """:attr:`PodView.containers` and :attr:`PodView.statuses` of a pod's spec and status."""
    containers: list[tuple[str, str, Any, bytes | None]] = []
    statuses: dict[tuple[str, str], tuple[bool, Any] | None] = {}
    for spec_key, status_key, kind in _CONTAINER_LISTS:
        items = spec.get(spec_key)
        if isinstance(items, list):
            for i, c in enumerate(items):
                cname = c.get("name") if _is_mapping(c) else None
                containers.append((cname if isinstance(cname, str) else f"#{i}", kind, checked_spec(c), None))
        items = status.get(status_key)
        if isinstance(items, list):
            for st in items:
                if _is_mapping(st) and isinstance(sname := st.get("name"), str) and (kind, sname) not in statuses:
                    statuses[(kind, sname)] = _state_of(st)
    return containers, statuses


def pod_view(pod: Mapping[str, Any]) -> PodView:
    """The :class:`PodView` of a pod mapping (as :func:`iter_pods` yields them)."""
    meta = _meta(pod)
    spec = pod.get("spec")
    spec = spec if _is_mapping(spec) else {}
    status = pod.get("status")
    status = status if _is_mapping(status) else {}
    problems = _field_problems(pod)
    ns, name, uid, node = meta.get("namespace"), meta.get("name"), meta.get("uid"), spec.get("nodeName")
    containers, statuses = _containers(spec, status)
    return PodView(
        ns if isinstance(ns, str) else None,
        name if isinstance(name, str) else "?",
        uid if isinstance(uid, str) and uid else None,
        container_source(pod),
        node if isinstance(node, str) and node else None,
        spec.get("hostNetwork") is True,
        *_owner(meta),
        containers,
        statuses,
        bool(node) and status.get("phase") not in NOT_RUNNING_PHASES,
        tuple(problems),
    )


@dataclass(frozen=True)
class RuntimeRecord:
    """What the container runtime recorded about one container
    (docs/kubernetes-facts.md#where-the-running-containers-hash-is-recorded).

    ``hash`` is the kubelet's ``io.kubernetes.container.hash`` annotation (CRI) or
    ``annotation.io.kubernetes.container.hash`` label (dockershim), parsed from lowercase hex;
    ``started_at`` is timezone-aware UTC (``None`` when the runtime gives no start time); ``started_at_ns``
    keeps the runtime's nanoseconds, which ``datetime`` cannot hold.
    """

    namespace: str | None
    pod: str | None
    container: str
    hash: int | None
    started_at: datetime | None = None
    pod_uid: str | None = None
    container_id: str | None = None
    runtime: str = "cri"  # "cri" | "docker"
    state: str | None = None  # "running", "exited", ... as the runtime says
    node: str | None = None
    hash_without_resources: int | None = None
    origin: str | None = None  # file the record was read from
    started_at_ns: int | None = None  # start time in nanoseconds since the Unix epoch, exact as the runtime gave it
    created_at: datetime | None = None  # when the runtime created the container (all ``crictl ps`` gives)

    @property
    def key(self) -> tuple[str | None, str | None, str]:
        """(namespace, pod, container): how records are matched to pod specs."""
        return (self.namespace, self.pod, self.container)


def node_kubelet_versions(nodes: Any) -> dict[str, str]:
    """``{node name: status.nodeInfo.kubeletVersion}`` for every Node in a document (Node, NodeList, list)."""
    out: dict[str, str] = {}
    for n in iter_nodes(nodes):
        name = _meta(n).get("name")
        status = s if isinstance(s := n.get("status"), Mapping) else {}
        info = i if isinstance(i := status.get("nodeInfo"), Mapping) else {}
        ver = info.get("kubeletVersion")
        if isinstance(name, str) and isinstance(ver, str):
            out[name] = ver
    return out


def iter_nodes(doc: Any) -> Iterator[Mapping[str, Any]]:
    """Nodes in a document: a Node, a NodeList/List (``items``), or a list of those."""
    if isinstance(doc, list):
        for d in doc:
            yield from iter_nodes(d)
    elif isinstance(doc, Mapping):
        if isinstance(doc.get("items"), list):
            yield from iter_nodes(doc["items"])
        else:
            yield doc
