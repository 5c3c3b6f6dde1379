"""Workload objects and the pod templates in them: what becomes a pod when a manifest is applied.

Every object with a pod template makes pods: Deployment, ReplicaSet, StatefulSet, DaemonSet, Job and
ReplicationController (``spec.template``), CronJob (``spec.jobTemplate.spec.template``), PodTemplate
(``template``) and the Pod itself (``spec``). :func:`pod_templates` finds them in a document -- ``List``s
(``kind: List``, ``DeploymentList``, ... with ``items``) at any depth -- and :func:`classify` says what any
other object is (kept out of predictions, counted). Only the built-in API groups are workloads: an object of
another group with the same kind is a custom resource.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "TEMPLATE_PATHS",
    "ManifestDocument",
    "PodTemplate",
    "classify",
    "iter_objects",
    "pod_template",
    "pod_templates",
]

#: Workload kind -> the path of its pod spec (the template's metadata is beside it).
TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}

#: API groups whose workload kinds Kubernetes itself serves (``extensions/v1beta1`` Deployments and the
#: ``apps/v1beta*`` generations included).
_BUILTIN_GROUPS = frozenset({"", "apps", "extensions", "batch"})

#: Kinds whose ``spec.replicas`` (default 1) says how many pods run.
_REPLICATED = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "ReplicationController"})


@dataclass(frozen=True, slots=True)
class ManifestDocument:
    """One document of a manifest file: the object (or ``List``), the file it was read from (``None``: not
    from a file), and its place among the file's ``count`` documents (1-based)."""

    obj: Any
    file: str | None = None
    index: int = 1
    count: int = 1

    @property
    def origin(self) -> str | None:
        """``k8s/app.yaml``, or ``k8s/app.yaml (document 3)`` when the file holds several documents."""
        if self.file is None or self.count <= 1:
            return self.file
        return f"{self.file} (document {self.index})"


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """One object's pod template: the object's kind, namespace and name, the path of the pod spec in it
    (``spec.template.spec``), the template's metadata and pod spec (``None`` when the object has none), where
    the object was read (``origin``), and whether its pods run (``replicas: 0`` runs none)."""

    kind: str
    namespace: str | None
    name: str
    spec_path: str
    metadata: Mapping[str, Any]
    spec: Mapping[str, Any] | None
    origin: str | None = None
    runs: bool = True

    @property
    def ref(self) -> str:
        """``Deployment/monitoring/grafana`` (``Deployment/grafana`` without a namespace)."""
        return f"{self.kind}/{self.namespace}/{self.name}" if self.namespace else f"{self.kind}/{self.name}"

    @property
    def where(self) -> str:
        """``StatefulSet/db/ss in k8s/db.yaml (document 4)``: the object and where it was read, for messages."""
        return f"{self.ref} in {self.origin}" if self.origin else self.ref

    @property
    def metadata_path(self) -> str:
        """The path of the template's metadata in the object: ``spec.template.metadata`` (``metadata`` for a
        Pod)."""
        parent = self.spec_path.rpartition(".")[0]
        return f"{parent}.metadata" if parent else "metadata"

    def container_index(self, list_name: str, name: str) -> int | None:
        """The position of the container ``name`` in the pod spec's ``list_name`` (``containers``,
        ``initContainers``...), or ``None`` when it is not there."""
        items = (self.spec or {}).get(list_name)
        for i, c in enumerate(items if isinstance(items, list) else []):
            if isinstance(c, Mapping) and c.get("name") == name:
                return i
        return None


def _group(obj: Mapping[str, Any]) -> str | None:
    """The API group of an object (``""`` for the core group, ``None`` without an ``apiVersion``)."""
    av = obj.get("apiVersion")
    if not isinstance(av, str):
        return None
    return av.rpartition("/")[0] if "/" in av else ""


def _is_list(obj: Mapping[str, Any]) -> bool:
    kind = obj.get("kind")
    return isinstance(obj.get("items"), list) and (kind is None or (isinstance(kind, str) and kind.endswith("List")))


def classify(obj: Any) -> str:
    """What a document is: ``workload`` (has a pod template), ``list``, ``custom-resource`` (an object of a
    group Kubernetes does not serve itself), ``other`` (a built-in kind without a pod template) or
    ``not-an-object`` (no ``kind``)."""
    if not isinstance(obj, Mapping):
        return "not-an-object"
    if _is_list(obj):
        return "list"
    kind = obj.get("kind")
    if not isinstance(kind, str) or not kind:
        return "not-an-object"
    group = _group(obj)
    if group is not None and group not in _BUILTIN_GROUPS and not group.endswith(".k8s.io"):
        return "custom-resource"
    if kind in TEMPLATE_PATHS and (group is None or group in _BUILTIN_GROUPS):
        return "workload"
    return "other"


def _mapping(x: Any) -> Mapping[str, Any] | None:
    return x if isinstance(x, Mapping) else None


def _runs(kind: str, spec: Mapping[str, Any] | None) -> bool:
    if kind in _REPLICATED and spec is not None:
        replicas = spec.get("replicas")
        return not (type(replicas) is int and replicas == 0)
    return True


def pod_template(obj: Mapping[str, Any], origin: str | None = None) -> PodTemplate:
    """The pod template of a workload object (:func:`classify` says ``workload``)."""
    kind = str(obj["kind"])
    meta = _mapping(obj.get("metadata")) or {}
    name = meta.get("name")
    if not isinstance(name, str) or not name:
        generate = meta.get("generateName")
        name = f"{generate}*" if isinstance(generate, str) and generate else "?"
    ns = meta.get("namespace")
    path = TEMPLATE_PATHS[kind]
    node: Mapping[str, Any] | None = obj
    parent: Mapping[str, Any] | None = None
    for seg in path:  # the pod spec, and the template holding it (the object itself for a Pod)
        parent = node
        node = _mapping(node.get(seg)) if node is not None else None
    template_meta = (_mapping(parent.get("metadata")) if parent is not None else None) or {}
    return PodTemplate(
        kind,
        ns if isinstance(ns, str) and ns else None,
        name,
        ".".join(path),
        template_meta,
        node,
        origin,
        _runs(kind, _mapping(obj.get("spec"))),
    )


def iter_objects(doc: Any) -> Iterator[Any]:
    """The objects in ``doc``: itself, or the items of a ``List`` at any depth (or of a list of documents)."""
    if isinstance(doc, list):
        for d in doc:
            yield from iter_objects(d)
    elif isinstance(doc, Mapping) and _is_list(doc):
        for item in doc["items"]:
            yield from iter_objects(item)
    else:
        yield doc


def pod_templates(doc: Any, origin: str | None = None) -> Iterator[PodTemplate]:
    """The pod templates of the workloads in ``doc`` (an object, a ``List`` at any depth, or a list of
    those), in document order."""
    for obj in iter_objects(doc):
        if classify(obj) == "workload":
            yield pod_template(obj, origin)
