"""What :func:`~kubehash.upgrade.audit.audit` returns: one frozen :class:`ContainerAudit` per container of the
before state, gathered in a frozen :class:`Audit` with its summary. No rendering here (:mod:`kubehash.report`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CLASSES",
    "MISS",
    "OBSERVED",
    "PREDICTED_AND_RESTARTED",
    "PREDICTED_NOT_RESTARTED",
    "RESTARTED_NOT_PREDICTED",
    "RESTARTED_ON_NODE_NOT_UPGRADED",
    "SUMMARY_KEYS",
    "UNCHANGED_AS_PREDICTED",
    "WHY",
    "Audit",
    "ContainerAudit",
]

PREDICTED_AND_RESTARTED = "predicted-and-restarted"
PREDICTED_NOT_RESTARTED = "predicted-not-restarted"
RESTARTED_NOT_PREDICTED = "restarted-not-predicted"
UNCHANGED_AS_PREDICTED = "unchanged-as-predicted"
RESTARTED_ON_NODE_NOT_UPGRADED = "restarted-on-node-not-upgraded"
#: Every class, in report order; each container of the before state has exactly one.
CLASSES = (
    RESTARTED_NOT_PREDICTED,
    PREDICTED_NOT_RESTARTED,
    PREDICTED_AND_RESTARTED,
    RESTARTED_ON_NODE_NOT_UPGRADED,
    UNCHANGED_AS_PREDICTED,
)
#: The class that fails an audit (exit 3): a restart on an upgraded node the prediction did not foresee.
MISS = RESTARTED_NOT_PREDICTED

#: Each class's count in :attr:`Audit.summary`, by key.
SUMMARY_KEYS = {
    PREDICTED_AND_RESTARTED: "predicted_and_restarted",
    PREDICTED_NOT_RESTARTED: "predicted_not_restarted",
    RESTARTED_NOT_PREDICTED: "restarted_not_predicted",
    UNCHANGED_AS_PREDICTED: "unchanged_as_predicted",
    RESTARTED_ON_NODE_NOT_UPGRADED: "restarted_on_nodes_not_upgraded",
}

#: What was seen of a container in the after state.
OBSERVED = (
    "restarted",  # a restart signal (observe.Observation.signals)
    "running",  # running before and after, the same instance
    "started",  # not running before, running now, not restarted (a pending pod that started)
    "not-running",  # not running before or after
    "stopped",  # running before, its status says not running now, without a restart signal
    "evicted",  # stopped, and its pod was evicted (status.reason Evicted)
    "pod-deleted",  # the pod (its uid) is not in the after state, nor any pod of its name
    "pod-replaced",  # the pod's name is in the after state under a new uid (recreated, maybe on another node)
)

#: Why a predicted restart was not seen (the ``why`` of a ``predicted-not-restarted`` container).
WHY = {
    "ignore-file": "an ignore file on the node makes the patched kubelet skip the hash check",
    "patched-kubelet": "still the same instance: a patched kubelet skipped the check (an ignore file kubehash was "
    "not given), or the new kubelet has not synced the pod yet",
    "pod-deleted": "the pod was deleted before the new kubelet compared the container",
    "pod-replaced": "the pod was deleted and recreated (new uid) before the new kubelet compared the container",
    "stopped": "the container stopped without a restart (its pod is finishing)",
    "evicted": "the pod was evicted (status.reason Evicted) before the new kubelet compared the container",
}


@dataclass(frozen=True, slots=True)
class ContainerAudit:
    """One container of the before state: what was predicted for it, what was observed, and its class.

    ``verdict`` is the prediction's (:data:`kubehash.upgrade.predict.VERDICTS`) on an upgraded node, ``None``
    on a node that was not upgraded (nothing to predict). ``predicted``: the hash the new kubelet computes
    differs (verdict ``restart`` or ``protected``). ``why`` (``WHY`` key) says why a predicted restart was not
    seen; ``evidence`` holds the restart signals and, for a miss, the last state and recorded hashes.
    """

    namespace: str | None
    pod: str
    container: str
    kind: str
    node: str | None
    upgraded: bool
    outcome: str  # one of CLASSES
    observed: str  # one of OBSERVED
    predicted: bool = False
    restarted: bool = False
    verdict: str | None = None
    version_before: str | None = None
    version_after: str | None = None
    node_after: str | None = None  # a replaced pod's node now (when it moved)
    why: str | None = None
    evidence: tuple[str, ...] = ()
    reasons: str = ""  # the prediction's reasons in short
    restart_count_before: int | None = None
    restart_count_after: int | None = None
    last_reason: str | None = None
    exit_code: int | None = None
    old_hash: int | None = None
    new_hash: int | None = None
    recorded_hash_before: int | None = None
    recorded_hash_after: int | None = None
    error: str | None = None

    @property
    def ref(self) -> str:
        """``namespace/pod/container``."""
        return f"{self.namespace or '-'}/{self.pod}/{self.container}"


@dataclass(frozen=True)
class Audit:
    """The result of :func:`~kubehash.upgrade.audit.audit`: iterable over :class:`ContainerAudit`, one per
    container of the before state. ``upgrades``: ``{node: (kubelet before, kubelet after)}`` for every upgraded
    node. ``new_pods``: ``namespace/name`` of pods of the after state that the before state did not have (by
    uid). ``errors``: what could not be predicted or read (exit 2); ``warnings``: what an operator should know."""

    containers: tuple[ContainerAudit, ...]
    upgrades: dict[str, tuple[str, str]]
    new_pods: tuple[str, ...] = ()
    new_containers: int = 0
    errors: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def __iter__(self) -> Iterator[ContainerAudit]:
        return iter(self.containers)

    def __len__(self) -> int:
        return len(self.containers)

    def of(self, outcome: str) -> list[ContainerAudit]:
        """The containers of one class."""
        return [c for c in self.containers if c.outcome == outcome]

    @property
    def misses(self) -> list[ContainerAudit]:
        """Restarts on upgraded nodes that were not predicted."""
        return self.of(MISS)

    @property
    def held(self) -> bool:
        """Whether the prediction held: no restart on an upgraded node that was not predicted."""
        return not any(c.outcome == MISS for c in self.containers)

    @property
    def summary(self) -> dict[str, Any]:
        """Counts by class (:data:`SUMMARY_KEYS`), per node and namespace, why predicted restarts were not seen,
        and the prediction's precision (of the predicted restarts the kubelet had the chance to make -- not
        those whose pod was deleted, that stopped, or that an ignore file spared -- the share that happened)
        and recall (of the restarts on upgraded nodes, the share predicted) on the upgraded nodes."""
        cs = self.containers
        counts, observed, why = (Counter(getattr(c, k) for c in cs) for k in ("outcome", "observed", "why"))
        del why[None]
        hit, missed = counts[PREDICTED_AND_RESTARTED], counts[MISS]
        spared = why["patched-kubelet"]  # the others explain themselves: the kubelet never compared, or was told
        return {
            "held": self.held,
            "upgraded_nodes": len(self.upgrades),
            "upgrades": {n: {"before": b, "after": a} for n, (b, a) in sorted(self.upgrades.items())},
            "containers": len(self.containers),
            **{SUMMARY_KEYS[k]: counts[k] for k in CLASSES},
            "precision": round(hit / (hit + spared), 4) if hit + spared else None,
            "recall": round(hit / (hit + missed), 4) if hit + missed else None,
            "not_restarted_why": dict(why.most_common()),
            "observed": {k: observed[k] for k in OBSERVED if observed[k]},
            "new_pods": len(self.new_pods),
            "new_containers": self.new_containers,
            "errors": len(self.errors),
            **({"warnings": list(self.warnings)} if self.warnings else {}),
            "by_node": _by(self.containers, "node"),
            "by_namespace": _by(self.containers, "namespace"),
        }


def _by(containers: tuple[ContainerAudit, ...], key: str) -> dict[str, dict[str, int]]:
    """Class counts per node or namespace (``-``: none), classes in :data:`CLASSES` order."""
    groups: dict[str, Counter[str]] = defaultdict(Counter)
    for c in containers:
        groups[getattr(c, key) or "-"][c.outcome] += 1
    return {k: {c: v[c] for c in CLASSES if v[c]} for k, v in sorted(groups.items())}
