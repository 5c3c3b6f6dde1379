"""Error rows of pods made from manifests, told in the manifest's terms.

The predictor names a pod ``pod <namespace>/<name>`` and a field by its JSON path inside the container or the
pod (``$.resources.limits.cpu``, ``$.spec.containers``). A pod made from a manifest is named after its object
(``StatefulSet/db/ss``, whose namespace is already in it), and the user edits the object, not the pod: each
error row's text is rewritten to name the object and the file it was read from
(``StatefulSet/db/ss in k8s/db.yaml (document 4)``) and the field by its path in that object, in the dotted
style of the reasons (``spec.template.spec.containers[0].resources.limits.cpu``,
``spec.jobTemplate.spec.template.spec...`` for a CronJob, ``spec.containers[0]...`` for a Pod). The row's
fields other than ``error`` are left as they are.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from kubehash.model.workloads import ManifestDocument, PodTemplate, classify, pod_template, pod_templates
from kubehash.upgrade.predict import ContainerPrediction

__all__ = ["manifest_templates", "place_errors"]

#: A container row's kind -> the pod spec list it is in.
_LISTS = {"container": "containers", "initContainer": "initContainers", "ephemeralContainer": "ephemeralContainers"}

#: A JSON path as the predictor writes it (``$``, then ``.field`` and ``[index]`` steps).
_PATH = re.compile(r"\$((?:\.[^.\[\]:;\s]+|\[[^\]]*\])*)")
_FIRST = re.compile(r"\.([^.\[]+)(.*)", re.S)

Templates = dict[str, list[PodTemplate]]


def manifest_templates(
    workloads: Iterable[ManifestDocument], static_pods: Iterable[ManifestDocument] = ()
) -> Templates:
    """The pod templates of the documents, by the name their pods get (``PodTemplate.ref``), in document
    order: every workload of ``workloads``; the Pod that is the first document of each static-pod file (in
    ``default`` when it names no namespace, as the kubelet places it)."""
    out: Templates = defaultdict(list)
    for doc in workloads:
        for t in pod_templates(doc.obj, doc.origin):
            out[t.ref].append(t)
    for doc in static_pods:
        if doc.index == 1 and classify(doc.obj) == "workload" and doc.obj.get("kind") == "Pod":
            t = pod_template(doc.obj, doc.file)
            if t.namespace is None:
                t = PodTemplate("Pod", "default", t.name, t.spec_path, t.metadata, t.spec, t.origin, t.runs)
            out[t.ref].append(t)
    return dict(out)


def _rebase(text: str, base: str) -> str:
    """``text`` (``$.a.b: problem``) with its leading JSON path rewritten below ``base``."""
    m = _PATH.match(text)
    if m is None:
        return text
    return base + m.group(1) + text[m.end() :]


def _pod_problem(text: str, t: PodTemplate) -> str:
    """A pod-level problem (``$.spec.containers: must be an array``) with its path in the object."""
    m = _PATH.match(text)
    first = _FIRST.match(m.group(1)) if m is not None else None
    if m is None or first is None:
        return text
    step, rest = first.groups()
    base = {"spec": t.spec_path, "metadata": t.metadata_path}.get(step, step)
    return base + rest + text[m.end() :]


def _pick(templates: Templates, c: ContainerPrediction, seen: Counter[tuple[object, ...]]) -> PodTemplate | None:
    """The template a row's pod was made from; objects named alike (the same object in two files) are taken
    in document order."""
    found = templates.get(str(c.pod))
    if not found:
        return None
    list_name = _LISTS.get(c.kind, "containers")
    holding = [t for t in found if t.container_index(list_name, c.container) is not None] or found
    key = (c.pod, c.kind, c.container)
    n = seen[key]
    seen[key] += 1
    return holding[min(n, len(holding) - 1)]


def _placed(c: ContainerPrediction, t: PodTemplate, error: str) -> str:
    pod = f"pod {c.namespace + '/' if c.namespace else ''}{c.pod}"
    in_container = f"{pod}, container {c.container}: "
    if error.startswith(in_container):
        list_name = _LISTS.get(c.kind, "containers")
        i = t.container_index(list_name, c.container)
        base = f"{t.spec_path}.{list_name}" + f"[{i if i is not None else '?'}]"
        return f"{t.where}, container {c.container}: {_rebase(error[len(in_container) :], base)}"
    if error.startswith(pod + ": "):
        problems = error[len(pod) + 2 :].split("; ")
        return f"{t.where}: " + "; ".join(_pod_problem(p, t) for p in problems)
    return error


def place_errors(containers: Sequence[ContainerPrediction], templates: Templates) -> None:
    """Rewrite, in place, the ``error`` of each row of a pod made from ``templates``
    (:func:`manifest_templates`) to name the object, its file and the field's path in it."""
    seen: Counter[tuple[object, ...]] = Counter()
    for c in containers:
        if c.error:
            t = _pick(templates, c, seen)
            if t is not None:
                c.error = _placed(c, t, c.error)
