"""The two states of an audit read and audited: :func:`audit_clusters`.

Each state is a :class:`~kubehash.pipeline.cluster.Cluster` -- a ``kubehash snapshot`` (pods, nodes and runtime
records in one file), a pods dump with a nodes dump (and runtime records), a directory holding them
(:func:`state_cluster`), or the live cluster -- read with
:func:`~kubehash.pipeline.cluster.read_cluster`, the reader ``predict`` uses. What could not be read of one
state (runtime records, ignore files) is listed in the audit's errors; a state without pods or nodes cannot be
audited (:class:`~kubehash.errors.InputError`).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kubehash.errors import InputError
from kubehash.pipeline.cluster import Cluster, ClusterState, read_cluster
from kubehash.upgrade.audit import Audit, audit
from kubehash.upgrade.options import Options

__all__ = ["audit_clusters", "read_state", "state_cluster"]

#: The files a state directory holds (the layout of ``examples/cluster``): pods and nodes dumps, runtime records.
_PODS = ("pods.json", "pods.yaml", "pods.yml")
_NODES = ("nodes.json", "nodes.yaml", "nodes.yml")


def _first(directory: Path, names: tuple[str, ...]) -> Path | None:
    return next((directory / n for n in names if (directory / n).is_file()), None)


def state_cluster(
    path: str | os.PathLike[str] | None,
    *,
    nodes: str | os.PathLike[str] | None = None,
    runtime: tuple[str | os.PathLike[str], ...] = (),
    **live: Any,
) -> Cluster:
    """One state as a :class:`Cluster`: ``path`` a snapshot or a pods dump (with ``nodes``), a directory
    holding ``pods.json`` (or ``.yaml``), ``nodes.json`` and optionally ``runtime/`` (the layout of
    ``examples/cluster``; a ``nodes`` or ``runtime`` given wins), or ``None``: the live cluster (``live``:
    ``context``, ``kubeconfig``)."""
    if path is None:
        return Cluster(nodes=nodes, runtime=runtime, **live)
    p = Path(path)
    if str(path) == "-" or not p.is_dir():
        return Cluster(pods=path, nodes=nodes, runtime=runtime)
    pods = _first(p, _PODS)
    if pods is None:
        raise InputError(f"{p}: a directory without {' or '.join(_PODS)} (a state directory holds the pods dump)")
    if nodes is None:
        nodes = _first(p, _NODES)
    if not runtime and (p / "runtime").is_dir():
        runtime = (p / "runtime",)
    return Cluster(pods=pods, nodes=nodes, runtime=runtime)


def read_state(cluster: Cluster, side: str) -> ClusterState:
    """One state of the audit (``side``: ``before`` or ``after``, for the messages), with pods and nodes."""
    state = read_cluster(cluster)
    snap = state.snapshot
    if not snap.nodes:
        raise InputError(
            f"{side} state {cluster.label}: no nodes: give --{side}-nodes (a kubectl get nodes -o json dump) or "
            f"a kubehash snapshot, which holds them; the audit needs each node's kubelet version"
        )
    if not snap.pods:
        raise InputError(f"{side} state {cluster.label}: no pods found")
    return state


def audit_clusters(
    before: Cluster,
    after: Cluster,
    options: Options | None = None,
    *,
    expected: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> Audit:
    """Read both states and :func:`~kubehash.upgrade.audit.audit` them; the before state's ignore files (as
    ``--ignore-files`` gives them) are the ones active during the upgrade."""
    b = read_state(before, "before")
    a = read_state(after, "after")
    result = audit(
        b.snapshot.pods,
        b.snapshot.nodes,
        a.snapshot.pods,
        a.snapshot.nodes,
        options,
        runtime_before=b.snapshot.runtime,
        runtime_after=a.snapshot.runtime,
        ignore_files=b.ignore_files or None,
        expected=expected,
        progress=progress,
    )
    problems = (*(f"before: {p}" for p in b.problems), *(f"after: {p}" for p in a.problems))
    return dataclasses.replace(result, errors=(*problems, *result.errors)) if problems else result
