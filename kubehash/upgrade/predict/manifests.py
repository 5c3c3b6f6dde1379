"""Predict from manifests -- before anything is deployed -- and from kubelet static-pod manifest files.

**Workloads** (``--manifests``). Every object with a pod template (:mod:`kubehash.model.workloads`) becomes one
predicted pod, running under a ``from_version`` kubelet and created through a ``from_version`` API server: the
old side is what that API server stores (:func:`~kubehash.upgrade.predict.created.stored_pod`: fields its
types lack and fields of gates that are off dropped, its defaults applied -- its gates are that minor's
defaults, with ``old_kubelet_feature_gates`` for the gates it names), hashed by the ``from_version`` kubelet;
the new side is that stored pod as the target control plane returns it on read, exactly as for a live pod
(:class:`~kubehash.upgrade.predict.predictor.Predictor`). Its containers run (a regular init container has
finished; a sidecar runs); a workload with ``replicas: 0`` runs none. Rows name the object
(``Deployment/monitoring/grafana``); reason paths start at the object (``spec.template.spec.containers[0]...``).

**Static pods** (``--static-pods``). A kubelet reads its manifest files itself: the old side is the
``from_version`` kubelet's decode of the file (fields it lacks dropped) with its own defaults, the new side the
target kubelet's, each with its gates -- so a default both write changes nothing, and a field only the new
kubelet has is a real change (reason ``field-not-in-old``). The kubelet reads one Pod per file (the first
document).

Everything else is counted, never an error: built-in objects without a pod template, custom resources (their
operators make pods kubehash cannot see: warned), documents without a kind. Nothing here reads files or prints.
"""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from kubehash.errors import KubehashError
from kubehash.kubelet.fieldpath import render_path
from kubehash.kubelet.unknown_fields import unknown_fields
from kubehash.model import MIRROR_ANNOTATION, pod_view
from kubehash.model.workloads import ManifestDocument, PodTemplate, classify, iter_objects, pod_template
from kubehash.upgrade.explain import Reason
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict.created import stored_pod
from kubehash.upgrade.predict.predictor import Predictor
from kubehash.upgrade.predict.result import ContainerPrediction, Prediction

__all__ = ["predict_manifests"]

Manifests = Iterable[ManifestDocument | Mapping[str, Any]]

_EXAMPLES = 3
_LISTS = (("initContainers", "initContainer"), ("containers", "container"))

#: Why a manifest's container does not run (so is never compared).
_FINISHED = Reason(
    "not-running", "", "an init container that is not a sidecar has finished before the pod's containers run"
)
_NO_REPLICAS = Reason("not-running", "", "replicas: 0, so no pod runs")


def _documents(docs: Manifests) -> Iterable[ManifestDocument]:
    for d in docs:
        yield d if isinstance(d, ManifestDocument) else ManifestDocument(d)


def _some(items: list[str]) -> str:
    """The first few distinct items, and how many of all the others there are."""
    shown = list(dict.fromkeys(items))[:_EXAMPLES]
    more = len(items) - len(shown)
    return ", ".join(shown) + (f", ... ({more} more)" if more > 0 else "")


def _ref(obj: Any) -> str:
    """``Kind/namespace/name`` of any object (``name*`` for a ``generateName``)."""
    meta = obj.get("metadata") if isinstance(obj, Mapping) else None
    meta = meta if isinstance(meta, Mapping) else {}
    name, ns, generate = meta.get("name"), meta.get("namespace"), meta.get("generateName")
    if not (isinstance(name, str) and name):
        name = f"{generate}*" if isinstance(generate, str) and generate else "?"
    kind = obj.get("kind") if isinstance(obj, Mapping) else None
    return "/".join([str(kind), *([ns] if isinstance(ns, str) and ns else []), name])


def _service_accounts(docs: list[ManifestDocument]) -> dict[tuple[str | None, str], bool | None]:
    """``automountServiceAccountToken`` of each ServiceAccount in the manifests, by (namespace, name)."""
    found: dict[tuple[str | None, str], bool | None] = {}
    for doc in docs:
        for obj in iter_objects(doc.obj):
            if isinstance(obj, Mapping) and obj.get("kind") == "ServiceAccount" and classify(obj) == "other":
                meta = obj.get("metadata")
                meta = meta if isinstance(meta, Mapping) else {}
                name, ns = meta.get("name"), meta.get("namespace")
                auto = obj.get("automountServiceAccountToken")
                if isinstance(name, str):
                    found[(ns if isinstance(ns, str) and ns else None, name)] = auto if isinstance(auto, bool) else None
    return found


def _status(spec: Mapping[str, Any]) -> dict[str, Any]:
    """A running pod's status: every regular container and sidecar running, other init containers done."""
    status: dict[str, Any] = {"phase": "Running"}
    for list_name, kind in _LISTS:
        items = spec.get(list_name)
        if not isinstance(items, list):
            continue
        statuses = []
        for c in items:
            name = c.get("name") if isinstance(c, Mapping) else None
            if not isinstance(name, str):
                continue
            runs = kind == "container" or c.get("restartPolicy") == "Always"
            state = {"running": {}} if runs else {"terminated": {"exitCode": 0, "reason": "Completed"}}
            statuses.append({"name": name, "state": state})
        status["containerStatuses" if kind == "container" else "initContainerStatuses"] = statuses
    return status


def _pod(t: PodTemplate, spec: Mapping[str, Any] | None, *, mirror: bool = False) -> dict[str, Any]:
    """The pod ``t`` makes, named after its object (``spec``: its pod spec as stored)."""
    meta: dict[str, Any] = {"name": t.ref}
    if t.namespace:
        meta["namespace"] = t.namespace
    labels = t.metadata.get("labels")
    if isinstance(labels, Mapping):
        meta["labels"] = dict(labels)
    given = t.metadata.get("annotations")
    annotations = dict(given) if isinstance(given, Mapping) else {}
    if mirror:
        annotations[MIRROR_ANNOTATION] = "kubehash: the kubelet's manifest file"
    if annotations:
        meta["annotations"] = annotations
    if t.kind != "Pod":
        meta["ownerReferences"] = [{"kind": t.kind, "name": t.name, "controller": True}]
    pod: dict[str, Any] = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": dict(spec or {})}
    if t.runs and spec is not None:
        pod["status"] = _status(spec)
    return pod


def _without_image(t: PodTemplate) -> list[str]:
    out = []
    for list_name, _ in _LISTS:
        items = (t.spec or {}).get(list_name)
        for c in items if isinstance(items, list) else []:
            if isinstance(c, Mapping) and not c.get("image"):
                out.append(f"{t.ref} (container {c.get('name', '?')})")
    return out


class _Run:
    """One predict_manifests run: the predictor, the predictions, and what to tell the user."""

    def __init__(
        self,
        options: Options,
        progress: Callable[[int], None] | None,
        service_accounts: Mapping[tuple[str | None, str], bool | None],
    ) -> None:
        if options.from_version is None:
            raise KubehashError(
                "predicting manifests needs the version they run under now (from_version, --from): the kubelet "
                "and API server version that created their pods"
            )
        self.options, self.progress, self.service_accounts = options, progress, service_accounts
        self.from_version = options.from_version
        self.predictor = Predictor(options, static_files=True, check_input=False)
        self.out: list[ContainerPrediction] = []
        self.kinds: Counter[str] = Counter()
        self.skipped: Counter[str] = Counter()
        self.custom: list[str] = []
        self.origins: dict[str, str | None] = {}
        self.dropped: dict[str, list[str]] = defaultdict(list)  # "field why" -> containers
        self.unknown_dropped = False  # some dropped field is unknown to the version (not gated off)
        self.no_image: list[str] = []
        self.no_spec: list[str] = []
        self.not_pods: list[str] = []
        self.extra_documents: list[str] = []
        self.static_unknown: dict[str, list[str]] = defaultdict(list)
        self.files: set[str] = set()

    def _predict(self, pod: dict[str, Any], t: PodTemplate) -> None:
        preds = self.predictor.view(pod_view(pod), at=t.spec_path)
        for p in preds:
            if p.verdict == "not-running":
                p.reasons.append(_NO_REPLICAS if not t.runs else _FINISHED)
        self.out.extend(preds)
        if self.progress is not None:
            self.progress(len(preds))

    def _template(self, t: PodTemplate) -> bool:
        self.kinds[t.kind] += 1
        self.origins[t.ref] = t.origin
        if t.spec is None:
            self.no_spec.append(f"{t.ref} ({t.origin})" if t.origin else t.ref)
            return False
        self.no_image.extend(_without_image(t))
        return True

    def workload(self, t: PodTemplate) -> None:
        if not self._template(t):
            return
        pod = _pod(t, t.spec)
        sa = (t.spec or {}).get("serviceAccountName") or (t.spec or {}).get("serviceAccount") or "default"
        stored = stored_pod(
            pod,
            self.from_version,
            feature_gates=self.options.old_kubelet_feature_gates,
            service_account_automount=self.service_accounts.get((t.namespace, str(sa))),
        )
        for d in stored.dropped:
            self.dropped[f"{d.path} {d.why}"].append(f"{t.ref} container {d.name}")
            self.unknown_dropped = self.unknown_dropped or d.gate is None
        if "status" in stored.pod:  # what runs is decided by the stored spec (a sidecar's restartPolicy may be gone)
            stored.pod["status"] = _status(stored.pod["spec"])
        self._predict(stored.pod, t)

    def static_pod(self, doc: ManifestDocument) -> None:
        obj = doc.obj
        where = doc.origin or _ref(obj)
        if doc.index > 1:
            self.extra_documents.append(where)
            return
        if classify(obj) != "workload" or obj.get("kind") != "Pod":
            self.not_pods.append(where)
            return
        t = pod_template(obj, doc.file)
        if t.namespace is None:  # the kubelet puts a namespace-less static pod in "default"
            t = dataclasses.replace(t, namespace="default")
        if not self._template(t):
            return
        assert t.spec is not None
        for list_name, _ in _LISTS:
            items = t.spec.get(list_name)
            for i, c in enumerate(items if isinstance(items, list) else []):
                for u in unknown_fields(c, self.from_version):
                    path = render_path((list_name, i, *u))
                    self.static_unknown[f"spec.{path}"].append(t.ref)
        self._predict(_pod(t, t.spec, mirror=True), t)

    def manifest(self, doc: ManifestDocument) -> None:
        self.files.update([doc.file] if doc.file else [])
        for obj in iter_objects(doc.obj):
            what = classify(obj)
            if what == "workload":
                self.workload(pod_template(obj, doc.origin))
            elif what == "custom-resource":
                self.custom.append(_ref(obj))
            else:
                kind = obj.get("kind") if isinstance(obj, Mapping) else None
                self.skipped[kind if isinstance(kind, str) and kind else "(no kind)"] += 1

    def warnings(self) -> list[str]:
        v = self.from_version
        out: list[str] = []
        if self.dropped:
            n = sum(len(cs) for cs in self.dropped.values())
            items = "; ".join(
                f"{field} ({len(cs)} container{'s' if len(cs) != 1 else ''}: {_some(cs)})"
                for field, cs in sorted(self.dropped.items(), key=lambda kv: -len(kv[1]))
            )
            validation = (
                " (kubectl's validation rejects a field its API server does not know; a client that does not "
                "validate gets it dropped)"
                if self.unknown_dropped
                else ""
            )
            out.append(
                f"{n} field{'s' if n != 1 else ''} of containers a {v} API server does not store -- it drops them "
                f"when it creates the pods, so the running pods never have them: {items}{validation}."
            )
        if self.static_unknown:
            items = "; ".join(f"{path} ({_some(objs)})" for path, objs in self.static_unknown.items())
            out.append(
                f"static pods set fields the {v} kubelet does not have; it ignores them, a newer kubelet reads them "
                f"(reason field-not-in-old where that changes the hash): {items}."
            )
        if self.custom:
            out.append(
                f"{len(self.custom)} custom resource{'s' if len(self.custom) != 1 else ''} not predicted: their "
                f"operators create pods kubehash cannot see from the manifest ({_some(self.custom)}); predict those "
                "pods from the live cluster."
            )
        if self.no_image:
            out.append(
                f"containers without an image, predicted as written (an incomplete object, e.g. a kustomize patch? "
                f"render it first: kustomize build ... | kubehash predict --manifests -): {_some(self.no_image)}."
            )
        if self.no_spec:
            out.append(f"objects without a pod spec, so without containers: {_some(self.no_spec)}.")
        if self.not_pods:
            out.append(f"static-pod files that are not a Pod (the kubelet skips them): {_some(self.not_pods)}.")
        if self.extra_documents:
            out.append(
                "static-pod files with more than one document: the kubelet reads the first one only; ignored: "
                f"{_some(self.extra_documents)}."
            )
        return out

    def summary(self, static: bool) -> dict[str, Any]:
        return {
            "from": self.from_version,
            "files": len(self.files),
            "objects": dict(self.kinds.most_common()),
            "pods": sum(self.kinds.values()),
            "skipped": dict(self.skipped.most_common()),
            "custom_resources": self.custom,
            "origins": self.origins,
            **({"static_pods": True} if static else {}),
        }


def predict_manifests(
    manifests: Manifests,
    options: Options,
    *,
    static_pods: Manifests = (),
    progress: Callable[[int], None] | None = None,
) -> Prediction:
    """Predict the upgrade ``options`` describe for the pods that ``manifests`` (workload objects: Deployments,
    DaemonSets, ... as kept in Git; ``List``s included) and ``static_pods`` (kubelet manifest files, one Pod per
    file) make, running under ``options.from_version`` (required). Documents are
    :class:`~kubehash.model.workloads.ManifestDocument` (read them with
    :func:`kubehash.sources.manifests.read_manifests`) or plain objects. ``progress(n)`` is called after each
    pod with its container count."""
    docs = list(_documents(manifests))
    run = _Run(options, progress, _service_accounts(docs))
    for doc in docs:
        run.manifest(doc)
    static = False
    for doc in _documents(static_pods):
        static = True
        run.files.update([doc.file] if doc.file else [])
        run.static_pod(doc)
    result = run.predictor.result(run.out)
    result.warnings.extend(run.warnings())
    result.manifests = run.summary(static)
    return result
