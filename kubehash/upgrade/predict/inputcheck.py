"""Pods that cannot have been read from a cluster: un-defaulted or impossible input, told apart from what the
kubelet upgrade does.

Every API server writes ``terminationMessagePath``, ``terminationMessagePolicy`` and ``imagePullPolicy`` into
every container of every pod it stores (1.8-1.36, ``docs/upstream-defaults.md``), and the kubelet writes them
into every static pod it reads; every stored pod has a ``metadata.uid``. A "pod" without them is a manifest
(or a ``kubectl-neat``-ed copy): ``predict`` would take its missing defaults for changes the new side's
defaults make. A field the node's kubelet does not have (``securityContext.seccompProfile`` under a 1.18
kubelet) is possible only when a newer control plane stored the pod; a manifest created through an API server
of the kubelet's version never keeps one.

Each container's prediction carries short *notes* (:func:`container_notes`), and :func:`input_warnings` turns
the notes of a whole run into one warning per problem, with counts, the first examples and what to do
(``--manifests``, ``--static-pods``). Nothing here reads files or prints.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kubehash.model import PodView
    from kubehash.upgrade.predict.result import ContainerPrediction

__all__ = [
    "NOT_DEFAULTED",
    "NO_NODE",
    "NO_UID",
    "UNKNOWN_FIELD",
    "container_notes",
    "count_kinds",
    "counted",
    "input_warnings",
]

#: The container lacks a field every API server (and the kubelet, for static pods) writes.
NOT_DEFAULTED = "not-defaulted"
#: The pod has no ``metadata.uid``.
NO_UID = "no-uid"
#: The pod has no node, no status and no uid: nothing runs it, so its containers are ``not-running``.
NO_NODE = "no-node"
#: Prefix of a note naming a field the node's kubelet does not have (``field-not-in-old:<path>``).
UNKNOWN_FIELD = "field-not-in-old:"

#: Fields every API server writes into every container it stores (1.8-1.36).
ALWAYS_WRITTEN = ("terminationMessagePath", "terminationMessagePolicy", "imagePullPolicy")

_EXAMPLES = 3


def container_notes(view: PodView, spec: Any) -> tuple[str, ...]:
    """What marks this container's input as not read from a cluster (``()`` for a pod that was)."""
    notes: tuple[str, ...] = ()
    if (type(spec) is dict or isinstance(spec, Mapping)) and not all(k in spec for k in ALWAYS_WRITTEN):
        notes = (NOT_DEFAULTED,)
    if view.uid is None:
        notes += (NO_UID,) if view.node is not None or view.statuses else (NO_UID, NO_NODE)
    return notes


def _pod(c: ContainerPrediction) -> str:
    return f"{c.namespace}/{c.pod}" if c.namespace else str(c.pod)


def _examples(items: Iterable[str]) -> str:
    seen = list(dict.fromkeys(items))
    more = f", ... ({len(seen) - _EXAMPLES} more)" if len(seen) > _EXAMPLES else ""
    return ", ".join(seen[:_EXAMPLES]) + more


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _verb(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural


@dataclass
class _Seen:
    """The input notes of a run, gathered by kind."""

    undefaulted: list[ContainerPrediction] = field(default_factory=list)
    pods_no_uid: set[str] = field(default_factory=set)
    pods_no_node: set[str] = field(default_factory=set)
    all_pods: set[str] = field(default_factory=set)
    unknown: dict[str, list[ContainerPrediction]] = field(default_factory=dict)
    input_only_restarts: int = 0


def _gather(containers: Iterable[ContainerPrediction]) -> _Seen:
    seen = _Seen()
    for c in containers:
        seen.all_pods.add(_pod(c))
        notes = c.input_notes
        if not notes:
            continue
        for n in notes:
            if n == NOT_DEFAULTED:
                seen.undefaulted.append(c)
            elif n == NO_UID:
                seen.pods_no_uid.add(_pod(c))
            elif n == NO_NODE:
                seen.pods_no_node.add(_pod(c))
            elif n.startswith(UNKNOWN_FIELD):
                seen.unknown.setdefault(n[len(UNKNOWN_FIELD) :], []).append(c)
        if c.verdict == "restart" and c.reasons and all(r.kind == "input-not-defaulted" for r in c.reasons):
            seen.input_only_restarts += 1
    return seen


def _undefaulted_warning(seen: _Seen) -> str:
    undefaulted, restarts = seen.undefaulted, seen.input_only_restarts
    pods = {_pod(c) for c in undefaulted}
    fields = ", ".join(ALWAYS_WRITTEN)
    text = (
        f"{len(pods)} of {_plural(len(seen.all_pods), 'pod')} ({_plural(len(undefaulted), 'container')}) "
        f"{_verb(len(pods), 'looks', 'look')} un-defaulted: containers without fields every API server writes "
        f"when it stores a pod ({fields})"
    )
    if seen.pods_no_uid:
        text += f", {_plural(len(seen.pods_no_uid), 'pod')} without metadata.uid"
    text += f"; e.g. {_examples(f'{_pod(c)} (container {c.container})' for c in undefaulted)}."
    if restarts:
        text += (
            f" {_plural(restarts, 'predicted restart')} {_verb(restarts, 'comes', 'come')} "
            "only from these missing defaults (reason input-not-defaulted), not from the kubelet upgrade."
        )
    text += (
        " A pod read from a cluster always has them: to predict manifests, use --manifests (workloads) or "
        "--static-pods (kubelet manifest files)."
    )
    return text


def _no_node_warning(pods_no_node: set[str]) -> str:
    return (
        f"{_plural(len(pods_no_node), 'pod')} {_verb(len(pods_no_node), 'has', 'have')} no node, no status and "
        "no metadata.uid, so their "
        f"containers are not-running (nothing would compare their hashes); e.g. {_examples(sorted(pods_no_node))}."
        " If these are manifests, use --manifests (workloads) or --static-pods (kubelet manifest files)."
    )


def _unknown_warning(unknown: dict[str, list[ContainerPrediction]]) -> str:
    holders = sum(len(v) for v in unknown.values())
    per_field = "; ".join(
        f"{path} ({_plural(len(cs), 'container')}, under kubelet "
        f"{_examples(str(c.old_version) for c in cs)}; e.g. {_examples(f'{_pod(c)} ({c.container})' for c in cs)})"
        for path, cs in sorted(unknown.items(), key=lambda kv: -len(kv[1]))
    )
    return (
        f"{_plural(holders, 'container')} {_verb(holders, 'holds', 'hold')} fields their node's kubelet "
        f"version does not have: {per_field}. "
        "That kubelet ignores such a field and a newer one hashes it (reason field-not-in-old): real when a "
        "newer control plane stored the pod, impossible when the pod was created through an API server of the "
        "kubelet's version, which drops the field (predict manifests with --manifests)."
    )


def input_warnings(containers: Iterable[ContainerPrediction]) -> list[str]:
    """One warning per kind of input problem in a run's predictions (none for pods read from a cluster)."""
    seen = _gather(containers)
    warnings: list[str] = []
    if seen.undefaulted:
        warnings.append(_undefaulted_warning(seen))
    if seen.pods_no_node:
        warnings.append(_no_node_warning(seen.pods_no_node))
    if seen.unknown:
        warnings.append(_unknown_warning(seen.unknown))
    return warnings


def count_kinds(values: Iterable[str]) -> str:
    """``ServiceAccount 10, Role 8, ...`` (most first)."""
    return ", ".join(f"{k} {n}" for k, n in Counter(values).most_common())


def counted(counts: Mapping[str, int]) -> str:
    """``3 Node, 1 Service``, largest first."""
    return ", ".join(f"{n} {what}" for what, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
