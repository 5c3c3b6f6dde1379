"""What ``kubehash watch`` expects of each container (:class:`~kubehash.upgrade.watch_events.Expectations`):
from a prediction made before the upgrade (:class:`PredictedRestarts`, the document of ``kubehash predict -o
json``), or predicted from the baseline when a node's kubelet version changes, to the version the node now
reports (:class:`BaselinePredictions`, :class:`~kubehash.upgrade.predict.Predictor` with the run's options).
Pure: documents and pods in, verdicts out."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from kubehash.errors import InputError, KubehashError
from kubehash.model import RuntimeRecord
from kubehash.upgrade.audit.versions import same_release
from kubehash.upgrade.ignorefile.rules import IgnoreFile
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import Predictor

__all__ = ["BaselinePredictions", "PredictedRestarts"]

Key = tuple[str | None, str | None, str]


def _counted(verdicts: Iterable[str]) -> str:
    counts = Counter(verdicts)
    return ", ".join(f"{counts[v]} {v}" for v in ("restart", "protected", "unchanged", "error") if counts[v])


class PredictedRestarts:
    """The verdicts of a ``kubehash predict -o json`` document, by (namespace, pod, container); ``to`` is the
    version it predicted for, ``old_versions`` each node's kubelet version when it was made."""

    def __init__(self, doc: Any, name: str = "prediction") -> None:
        if not isinstance(doc, Mapping) or not isinstance(doc.get("containers"), list):
            raise InputError(f"{name}: not a 'kubehash predict -o json' document (no 'containers' list)")
        summary = doc.get("summary")
        self.to: str | None = summary.get("to") if isinstance(summary, Mapping) else None
        self.verdicts: dict[Key, str] = {}
        self.old_versions: dict[str, str] = {}
        self.by_node: dict[str | None, list[Key]] = defaultdict(list)
        for i, c in enumerate(doc["containers"]):
            if not isinstance(c, Mapping) or not isinstance(c.get("container"), str):
                raise InputError(f"{name}: containers[{i}] is not a container prediction")
            verdict = c.get("verdict")
            if not isinstance(verdict, str):
                raise InputError(f"{name}: containers[{i}].verdict is missing")
            ns, pod = c.get("namespace"), c.get("pod")
            if not isinstance(ns, (str, type(None))) or not isinstance(pod, (str, type(None))):
                raise InputError(f"{name}: containers[{i}]: namespace and pod must be strings")
            key = (ns, pod, c["container"])
            node = c.get("node") if isinstance(c.get("node"), str) else None
            self.verdicts[key] = verdict
            self.by_node[node].append(key)
            old = c.get("old_version")
            if node and isinstance(old, str):
                self.old_versions.setdefault(node, old)

    def node_upgraded(self, node: str, version: str) -> str | None:
        here = [self.verdicts[k] for k in self.by_node.get(node, ())]
        counted = _counted(here) or "no running containers"
        other = f"; the prediction is for {self.to}" if self.to and not same_release(version, self.to) else ""
        return f"predicted: {counted}{other}"

    def verdict(self, namespace: str | None, pod: str | None, container: str) -> str | None:
        return self.verdicts.get((namespace, pod, container))

    def restarts_on(self, node: str) -> list[Key]:
        """The containers on ``node`` predicted to restart."""
        return [k for k in self.by_node.get(node, ()) if self.verdicts[k] == "restart"]


class BaselinePredictions:
    """Predictions made from the baseline when a node upgrades: its pods, predicted to the version the node
    reports now with ``options`` (the target replaced by that version; ``None``: the defaults), the nodes'
    baseline versions on the old side, the baseline's runtime records and ignore files."""

    def __init__(
        self,
        pods: Iterable[Any],
        *,
        nodes: Iterable[Any] = (),
        runtime: Iterable[RuntimeRecord] = (),
        ignore_files: Mapping[str, IgnoreFile] | None = None,
        options: Options | None = None,
    ) -> None:
        self.options = options
        self.nodes = list(nodes)
        self.runtime = list(runtime)
        self.ignore_files = ignore_files
        self.by_node: dict[str, list[Any]] = defaultdict(list)
        for p in pods:
            spec = p.get("spec") if isinstance(p, Mapping) else None
            node = spec.get("nodeName") if isinstance(spec, Mapping) else None
            if isinstance(node, str) and node:
                self.by_node[node].append(p)
        self.verdicts: dict[Key, str] = {}
        self.predicted: dict[str, list[Key]] = {}
        self._predictors: dict[str, Predictor | str] = {}

    def _predictor(self, version: str) -> Predictor | str:
        found = self._predictors.get(version)
        if found is None:
            try:
                opts = Options(to=version) if self.options is None else dataclasses.replace(self.options, to=version)
                found = Predictor(opts, nodes=self.nodes, runtime=self.runtime, ignore_files=self.ignore_files)
            except KubehashError as e:
                found = f"cannot predict for kubelet {version}: {e}"
            self._predictors[version] = found
        return found

    def node_upgraded(self, node: str, version: str) -> str | None:
        predictor = self._predictor(version)
        pods = self.by_node.get(node, [])
        if isinstance(predictor, str):
            for p in pods:
                for name in _container_names(p):
                    self.verdicts[name] = "error"
            return predictor
        here: list[str] = []
        restarts: list[Key] = []
        for pod in pods:
            for c in predictor.pod(pod):
                key = (c.namespace, c.pod, c.container)
                self.verdicts[key] = c.verdict
                here.append(c.verdict)
                if c.verdict == "restart":
                    restarts.append(key)
        self.predicted[node] = restarts
        return f"predicted from the baseline for {version}: {_counted(here) or 'no running containers'}"

    def verdict(self, namespace: str | None, pod: str | None, container: str) -> str | None:
        return self.verdicts.get((namespace, pod, container))

    def restarts_on(self, node: str) -> list[Key]:
        return list(self.predicted.get(node, ()))


def _container_names(pod: Any) -> Iterable[Key]:
    meta = pod.get("metadata") if isinstance(pod, Mapping) else None
    spec = pod.get("spec") if isinstance(pod, Mapping) else None
    if not isinstance(meta, Mapping) or not isinstance(spec, Mapping):
        return
    for field in ("initContainers", "containers"):
        items = spec.get(field)
        for c in items if isinstance(items, list) else ():
            if isinstance(c, Mapping) and isinstance(c.get("name"), str):
                yield (meta.get("namespace"), meta.get("name"), c["name"])
