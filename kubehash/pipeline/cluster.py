"""One cluster's inputs -- files or a live cluster -- read and predicted: the door to "predict a file or a
cluster".

A :class:`Cluster` says where the pods, nodes, runtime records and ignore files come from: a ``kubectl get
pods -A -o json|yaml`` dump or a ``kubehash snapshot`` (``pods``; ``-`` is standard input), or, without
``pods``, the live cluster of a kubeconfig context. :func:`read_cluster` gathers them into a
:class:`~kubehash.sources.snapshot.Snapshot`, reporting what could not be read and keeping the rest;
:func:`predict_cluster` predicts the upgrade for them, streaming a dump file (memory bounded by one pod plus
the results) over ``jobs`` processes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from kubehash.model import iter_nodes, iter_pods
from kubehash.pipeline.parallel import default_jobs
from kubehash.pipeline.predict_file import predict_file
from kubehash.sources.documents import load_documents
from kubehash.sources.ignorefiles import load_ignore_files
from kubehash.sources.opened import OpenedInput, open_input
from kubehash.sources.snapshot import MAGIC, Snapshot, loads_snapshot
from kubehash.sources.stream import iter_opened
from kubehash.upgrade.ignorefile.rules import DEFAULT_PATH, IgnoreFile
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import Prediction, predict

__all__ = ["Cluster", "ClusterState", "predict_cluster", "read_cluster"]

PathLike = str | os.PathLike[str]


@dataclass(frozen=True, kw_only=True)
class Cluster:
    """Where one cluster's state comes from.

    ``pods``: a dump or snapshot file (``-``: standard input); ``None``: the live cluster of ``context`` in
    ``kubeconfig`` (default: ``$KUBECONFIG``, ``~/.kube/config``, or in-cluster). ``nodes``: a nodes dump
    (default: the snapshot's, or the live cluster's). ``runtime``: ``crictl``/``docker inspect`` files or
    ``DIR/<node>/`` directories. ``ignore_files``: ignore files, or directories in the ``kubehash ignore-file
    generate`` layout (``ignore_file_path`` inside each node's directory). ``namespace``: only its pods.
    ``name``: how reports call this cluster (default: the context, or the pods file).
    """

    pods: PathLike | None = None
    nodes: PathLike | None = None
    runtime: tuple[PathLike, ...] = ()
    ignore_files: tuple[PathLike, ...] = ()
    ignore_file_path: str = DEFAULT_PATH
    context: str | None = None
    kubeconfig: PathLike | None = None
    namespace: str | None = None
    name: str | None = None

    @property
    def label(self) -> str:
        """The cluster's name in reports."""
        if self.name:
            return self.name
        if self.pods is not None:
            return "<stdin>" if str(self.pods) == "-" else str(self.pods)
        return self.context or "current-context"


@dataclass
class ClusterState:
    """What :func:`read_cluster` read: the snapshot (pods, nodes, runtime records), the ignore files by node,
    and one message per input that could not be read (the rest is still used)."""

    snapshot: Snapshot
    ignore_files: dict[str, IgnoreFile] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def read_cluster(cluster: Cluster, *, pods: OpenedInput | None = None) -> ClusterState:
    """Read ``cluster``'s inputs. A pods or nodes file that cannot be read at all, or a live cluster that
    cannot be reached, raises (:class:`~kubehash.errors.InputError`, :class:`~kubehash.errors.ClusterError`);
    unreadable runtime records and ignore files are listed in :attr:`ClusterState.problems`. ``pods``: the
    pods input, already opened by the caller, which streams it (its pods are not read here)."""
    if pods is not None:
        snap = Snapshot(source={"kind": "files", "pods": pods.name})
    elif cluster.pods is not None:
        with open_input(cluster.pods) as opened:
            snap = _load_pods(opened)
        if cluster.namespace is not None:
            snap.pods = [p for p in iter_pods(snap.pods) if _namespace(p) == cluster.namespace]
    else:
        from kubehash.sources.cluster import LiveCluster

        live = LiveCluster(kubeconfig=_str(cluster.kubeconfig), context=cluster.context)
        snap = Snapshot(
            pods=list(live.iter_pods(cluster.namespace)),
            nodes=[] if cluster.nodes else list(live.iter_nodes()),
            source={"kind": "cluster", "context": live.context_name, "server": live.server},
        )
    if cluster.nodes is not None:
        snap.nodes = list(iter_nodes(load_documents(cluster.nodes)))
    state = ClusterState(snap)
    if cluster.runtime:
        from kubehash.sources.runtime import load_runtime

        records, errors = load_runtime(list(cluster.runtime))
        snap.runtime = [*snap.runtime, *records]
        state.problems.extend(str(e) for e in errors)
    if cluster.ignore_files:
        loaded = load_ignore_files(cluster.ignore_files, path=cluster.ignore_file_path)
        state.ignore_files = dict(loaded.files)
        state.problems.extend(str(e) for e in loaded.problems)
    snap.pods = list(iter_pods(snap.pods))
    return state


def _load_pods(opened: OpenedInput) -> Snapshot:
    """A snapshot, or the pods of a dump as a snapshot holding only them."""
    if opened.head.startswith(MAGIC):
        return loads_snapshot(opened.read_all(), name=opened.name)
    return Snapshot(pods=list(iter_pods(list(iter_opened(opened)))), source={"kind": "files", "pods": opened.name})


def predict_cluster(
    cluster: Cluster,
    options: Options,
    *,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Prediction:
    """Predict ``options``' upgrade for every container of ``cluster``. A dump file is streamed and split
    between ``jobs`` processes (0: one per CPU; results do not depend on it); a snapshot, standard input and a
    live cluster are read first. Inputs that could not be read are in :attr:`Prediction.input_errors`."""
    opened = None
    if cluster.pods is not None and cluster.namespace is None:
        opened = open_input(cluster.pods)
        if opened.head.startswith(MAGIC):  # a snapshot is read whole
            opened.close()
            opened = None
    try:
        state = read_cluster(cluster, pods=opened)
    except BaseException:
        if opened is not None:
            opened.close()
        raise
    snap = state.snapshot
    ignore = state.ignore_files or None
    if opened is not None:
        result = predict_file(
            opened,
            options,
            nodes=snap.nodes or None,
            runtime=snap.runtime,
            ignore_files=ignore,
            jobs=jobs or default_jobs(),
            progress=progress,
        )
    else:
        result = predict(
            snap.pods,
            options,
            nodes=snap.nodes or None,
            runtime=snap.runtime,
            ignore_files=ignore,
            progress=progress,
        )
    result.input_errors[:0] = state.problems
    return result


def _namespace(pod: object) -> object:
    meta = pod.get("metadata") if isinstance(pod, dict) else None
    return meta.get("namespace") if isinstance(meta, dict) else None


def _str(p: PathLike | None) -> str | None:
    return None if p is None else os.fspath(p)
