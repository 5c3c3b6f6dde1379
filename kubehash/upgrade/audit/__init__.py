"""Did the prediction hold? Auditing an upgrade (a canary) against what it did: :func:`audit`.

Public API (stable):

* ``audit(before_pods, before_nodes, after_pods, after_nodes, options=None, *, runtime_before=(),
  runtime_after=(), ignore_files=None, expected=None, progress=None) -> Audit`` -- every container of the before state
  classed once; upgraded nodes are those whose kubelet version changed; each is predicted to the version the
  after state reports, with ``options``' other settings (``options.to`` is not used);
* ``upgraded_nodes(before_nodes, after_nodes) -> {node: (before, after)}``;
* :class:`Audit` (frozen): ``containers`` (tuple of :class:`ContainerAudit`), ``upgrades``, ``new_pods``,
  ``new_containers``, ``errors``, ``warnings``; ``summary`` (dict), ``held`` (bool), ``misses``, ``of(cls)``;
* :class:`ContainerAudit` (frozen): ``outcome`` (one of :data:`CLASSES`), ``observed`` (one of
  :data:`OBSERVED`), ``predicted``, ``restarted``, ``verdict``, ``why`` (a :data:`WHY` key), ``evidence``...;
* :data:`CLASSES` -- ``restarted-not-predicted`` (:data:`MISS`: fails the audit), ``predicted-not-restarted``,
  ``predicted-and-restarted``, ``restarted-on-node-not-upgraded``, ``unchanged-as-predicted`` (report order);
  :data:`SUMMARY_KEYS` their counts' keys in the summary;
* :func:`container_state` / :func:`observe` -- one container's status in a pod, and the restart signals
  between two of them (container ID, ``restartCount``, ``startedAt``, runtime container ID, status gone).
"""

from kubehash.upgrade.audit.auditor import audit, upgraded_nodes
from kubehash.upgrade.audit.observe import ContainerState, Observation, container_state, observe
from kubehash.upgrade.audit.result import (
    CLASSES,
    MISS,
    OBSERVED,
    PREDICTED_AND_RESTARTED,
    PREDICTED_NOT_RESTARTED,
    RESTARTED_NOT_PREDICTED,
    RESTARTED_ON_NODE_NOT_UPGRADED,
    SUMMARY_KEYS,
    UNCHANGED_AS_PREDICTED,
    WHY,
    Audit,
    ContainerAudit,
)

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
    "ContainerState",
    "Observation",
    "audit",
    "container_state",
    "observe",
    "upgraded_nodes",
]
