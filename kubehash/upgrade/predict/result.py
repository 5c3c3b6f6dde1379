"""What ``predict`` returns: one :class:`ContainerPrediction` per input container, gathered in a
:class:`Prediction` with its summary. No prediction logic here (:mod:`kubehash.upgrade.predict.predictor`), no
rendering: documents, tables and DataFrames are :mod:`kubehash.report`'s (``kubehash.report.to_document``,
``write``, ``to_dataframe``)."""

from __future__ import annotations

import operator
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypedDict

from kubehash.golang.fnv import runtime_hex
from kubehash.kubelet.toolchains import Side
from kubehash.model import PodView
from kubehash.upgrade.explain import Reason

__all__ = [
    "VERDICTS",
    "ContainerPrediction",
    "HashCacheSummary",
    "Prediction",
    "PredictionSummary",
    "as_row",
    "malformed_rows",
]

VERDICTS = ("restart", "unchanged", "protected", "error", "not-running", "not-checked")


@dataclass(slots=True)
class ContainerPrediction:
    """The prediction for one container. Hashes are the kubelet's uint64 values (FNV-1a 32 bit)."""

    namespace: str | None
    pod: str | None
    container: str
    kind: str  # "container" | "initContainer"
    node: str | None
    source: str  # decode path: "apiserver" | "file"
    old_version: str | None
    new_version: str
    old_hash: int | None = None  # the node's current kubelet on the current spec
    new_hash: int | None = None
    recorded_hash: int | None = None
    verdict: str = "unchanged"
    reasons: list[Reason] = field(default_factory=list)
    error: str | None = None
    started_at: datetime | None = None
    model_check: str = "unverified"  # "match" | "mismatch" | "unverified"
    owner_kind: str | None = None
    owner_name: str | None = None
    cluster: str | None = None  # the cluster it runs in, when one prediction covers several (a fleet)
    #: What marks the input as not read from a cluster (:mod:`~kubehash.upgrade.predict.inputcheck`); ``()``
    #: for a pod that was. Summed up in :attr:`Prediction.warnings`, not part of the document.
    input_notes: tuple[str, ...] = ()
    #: The pod's ``metadata.uid`` (to tell which runtime records belong to no input pod); not in the document.
    pod_uid: str | None = None

    def reason_text(self) -> str:
        """The reasons in short (``field-added VolumeMounts[0].SubPathExpr; ...``), or the error."""
        if self.error:
            return self.error
        return "; ".join(_short(r) for r in self.reasons)


#: A prediction as the tuple of its fields, in order (``ContainerPrediction(*row)`` gives it back): what travels
#: between processes, since tuples pickle several times cheaper than the dataclass.
as_row = operator.attrgetter(*(f.name for f in fields(ContainerPrediction)))


def malformed_rows(view: PodView, new_version: str) -> list[ContainerPrediction]:
    """An error row per container of a pod no API server would have stored (:attr:`PodView.problems`), or one
    row, container ``-``, when its containers cannot even be listed."""
    where = f"pod {view.namespace + '/' if view.namespace else ''}{view.name}: "
    error = where + "; ".join(view.problems)
    rows = [(name, kind) for name, kind, _, _ in view.containers] or [("-", "container")]
    return [
        ContainerPrediction(
            view.namespace,
            view.name,
            name,
            kind,
            view.node,
            view.source,
            None,
            new_version,
            verdict="error",
            error=error,
            owner_kind=view.owner_kind,
            owner_name=view.owner_name,
            pod_uid=view.uid,
        )
        for name, kind in rows
    ]


#: Reason kinds whose short text is the kind and the path.
_BY_PATH = frozenset({"field-added", "field-removed", "field-not-in-old", "default-added", "input-not-defaulted"})


def _short(r: Reason) -> str:
    if r.kind == "spec-changed" and isinstance(r.old, int):
        return f"spec-changed since start (recorded {runtime_hex(r.old)})"
    if r.kind in _BY_PATH and r.path:
        return f"{r.kind} {r.path}"
    return f"{r.kind}: {r.detail}" if r.detail else r.kind


class HashCacheSummary(TypedDict):
    """How often a distinct container spec was hashed again (:class:`~kubehash.kubelet.hashcache.HashCache`)."""

    hits: int
    misses: int
    hit_rate: float


class _SummaryExtras(TypedDict, total=False):
    warnings: list[str]
    by_cluster: dict[str, dict[str, int]]
    manifests: dict[str, object]


class PredictionSummary(_SummaryExtras):
    """:attr:`Prediction.summary`: counts by verdict (``by_*``: verdict counts per node, namespace, cluster),
    restart reasons, model checks; ``warnings``, ``by_cluster`` and ``manifests`` only when there are any."""

    to: str
    control_plane: str | None
    sides: dict[str, Side]
    containers: int
    verdicts: dict[str, int]
    restart_reasons: dict[str, int]
    model_check: dict[str, int]
    by_node: dict[str, dict[str, int]]
    by_namespace: dict[str, dict[str, int]]
    hash_cache: HashCacheSummary


@dataclass
class Prediction:
    """The result of :func:`predict`: iterable over :class:`ContainerPrediction`, one per input container."""

    to: str
    control_plane: str | None
    containers: list[ContainerPrediction]
    cache_hits: int = 0
    cache_misses: int = 0
    input_errors: list[str] = field(default_factory=list)  # e.g. ignore files that could not be used
    #: Each side's kubelet version and the Go toolchain assumed for it ("to", then every node version seen).
    sides: dict[str, Side] = field(default_factory=dict)
    #: What the input looks like when it cannot have been read from a cluster, and what manifests held that
    #: was not predicted (one sentence each; the run still predicts everything it can).
    warnings: list[str] = field(default_factory=list)
    #: For manifests (:func:`~kubehash.upgrade.predict.manifests.predict_manifests`): what was read, predicted
    #: and skipped, and which object came from which file.
    manifests: dict[str, Any] | None = None

    def __iter__(self) -> Iterator[ContainerPrediction]:
        return iter(self.containers)

    def __len__(self) -> int:
        return len(self.containers)

    @property
    def restarts(self) -> list[ContainerPrediction]:
        return [c for c in self.containers if c.verdict == "restart"]

    @property
    def errors(self) -> list[ContainerPrediction]:
        return [c for c in self.containers if c.verdict == "error"]

    @property
    def summary(self) -> PredictionSummary:
        """Counts by verdict, per node and namespace (verdict counts), by reason kind, and model checks.

        One pass over the containers (:func:`_tally`)."""
        by_node, by_ns, by_cluster, checks, groups = _tally(self.containers)
        verdicts = {v: n for v in VERDICTS if (n := sum(g[v] for g in by_ns.values()))}
        total = self.cache_hits + self.cache_misses
        extra: _SummaryExtras = {"manifests": self.manifests} if self.manifests is not None else {}
        warnings: _SummaryExtras = {"warnings": list(self.warnings)} if self.warnings else {}
        clusters: _SummaryExtras = (
            {"by_cluster": {k: dict(v) for k, v in sorted(by_cluster.items())}} if by_cluster else {}
        )
        return {
            "to": self.to,
            "control_plane": self.control_plane,
            "sides": self.sides,
            **warnings,
            "containers": len(self.containers),
            "verdicts": verdicts,
            "restart_reasons": dict(_reason_counts(groups).most_common()),
            "model_check": dict(checks),
            **clusters,
            "by_node": {k: dict(v) for k, v in sorted(by_node.items())},
            "by_namespace": {k: dict(v) for k, v in sorted(by_ns.items())},
            "hash_cache": {
                "hits": self.cache_hits,
                "misses": self.cache_misses,
                "hit_rate": round(self.cache_hits / total, 4) if total else 0.0,
            },
            **extra,
        }


_Counts = dict[str, Counter[str]]
_Groups = dict[int | tuple[int, ...], list[Any]]


def _tally(containers: list[ContainerPrediction]) -> tuple[_Counts, _Counts, _Counts, Counter[str], _Groups]:
    """Verdict counts per node, namespace and cluster, model-check counts, and the restarts grouped by their
    reason list (replicas share Reason objects: a list is known by the ids of its reasons) -> [list, count]."""
    by_node: _Counts = defaultdict(Counter)
    by_ns: _Counts = defaultdict(Counter)
    by_cluster: _Counts = defaultdict(Counter)
    checks: Counter[str] = Counter()
    groups: _Groups = {}  # reason list -> [the list, restarts]
    for c in containers:
        v = c.verdict
        if c.cluster is None:
            by_node[c.node or "-"][v] += 1
            by_ns[c.namespace or "-"][v] += 1
        else:  # a fleet: nodes and namespaces of different clusters are different ones
            by_cluster[c.cluster][v] += 1
            by_node[f"{c.cluster}/{c.node or '-'}"][v] += 1
            by_ns[f"{c.cluster}/{c.namespace or '-'}"][v] += 1
        if v != "not-running":
            checks[c.model_check] += 1
            if v == "restart":
                rs = c.reasons
                key = id(rs[0]) if len(rs) == 1 else tuple(map(id, rs))
                group = groups.get(key)
                if group is None:
                    groups[key] = [rs, 1]
                else:
                    group[1] += 1
    return by_node, by_ns, by_cluster, checks, groups


def _reason_counts(groups: _Groups) -> Counter[str]:
    """Restarts per reason kind: each group's kinds counted once, in first-seen order, which is the order
    counting container by container gives them (ties keep it in ``most_common``)."""
    reasons: Counter[str] = Counter()
    for rs, n in groups.values():
        for kind in dict.fromkeys(r.kind for r in rs):
            reasons[kind] += n
    return reasons
