"""One cluster's inputs -- files or a live cluster -- read and predicted: the door to "predict a file or a
cluster".

A :class:`Cluster` says where the pods, nodes, runtime records and ignore files come from: a ``kubectl get
pods -A -o json|yaml`` dump or a ``kubehash snapshot`` (``pods``; ``-`` is standard input), or, without
``pods``, the live cluster of a kubeconfig context -- or, before anything is deployed, the manifests the
pods will be made from (``manifests``: workloads as kept in Git; ``static_pods``: kubelet manifest files),
predicted under ``Options.from_version`` (:func:`~kubehash.upgrade.predict.manifests.predict_manifests`).
:func:`read_cluster` gathers a cluster's inputs into a :class:`~kubehash.sources.snapshot.Snapshot`,
reporting what could not be read and keeping the rest; :func:`predict_cluster` predicts the upgrade for them,
streaming a dump file (memory bounded by one pod plus the results) over ``jobs`` processes.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubehash.errors import InputError
from kubehash.model import NOT_OBJECTS, iter_nodes, iter_pods
from kubehash.pipeline.parallel import idle_jobs
from kubehash.pipeline.predict_file import predict_file
from kubehash.pipeline.split import can_split
from kubehash.sources.documents import load_documents
from kubehash.sources.gcpause import gc_paused
from kubehash.sources.ignorefiles import load_ignore_files
from kubehash.sources.opened import OpenedInput, open_input
from kubehash.sources.podbytes import page_views
from kubehash.sources.snapshot import Snapshot, loads_snapshot, looks_like_snapshot
from kubehash.sources.stream import iter_opened
from kubehash.upgrade.ignorefile.rules import DEFAULT_PATH, IgnoreFile
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import ContainerPrediction, Prediction, Predictor, predict, predict_manifests

if TYPE_CHECKING:
    from kubehash.sources.cluster import LiveCluster

__all__ = ["Cluster", "ClusterState", "auto_jobs", "connect", "predict_cluster", "read_cluster"]

PathLike = str | os.PathLike[str]


@dataclass(frozen=True, kw_only=True)
class Cluster:
    """Where one cluster's state comes from.

    ``pods``: a dump or snapshot file (``-``: standard input); ``None``: the live cluster of ``context`` in
    ``kubeconfig`` (default: ``$KUBECONFIG``, ``~/.kube/config``, or in-cluster). ``nodes``: a nodes dump
    (default: the snapshot's, or the live cluster's). ``runtime``: ``crictl``/``docker inspect`` files or
    ``DIR/<node>/`` directories. ``ignore_files``: ignore files, or directories in the ``kubehash ignore-file
    generate`` layout (``ignore_file_path`` inside each node's directory). ``namespace``: only its pods.
    ``request_timeout``: seconds each request to a live cluster may take (``None``: no limit).
    ``name``: how reports call this cluster (default: the context, or the pods file).

    ``manifests``: workload manifests (files, directories walked recursively, ``-``) and ``static_pods``: kubelet
    manifest files or directories, predicted as the pods they make under ``Options.from_version`` -- instead
    of a cluster's pods (nothing else is read then: no live cluster, nodes, namespace filter, runtime records or
    ignore files).
    """

    pods: PathLike | None = None
    nodes: PathLike | None = None
    runtime: tuple[PathLike, ...] = ()
    ignore_files: tuple[PathLike, ...] = ()
    ignore_file_path: str = DEFAULT_PATH
    context: str | None = None
    kubeconfig: PathLike | None = None
    namespace: str | None = None
    request_timeout: float | None = 60.0
    name: str | None = None
    manifests: tuple[PathLike, ...] = ()
    static_pods: tuple[PathLike, ...] = ()

    def __post_init__(self) -> None:
        if self.from_manifests:
            given = [k for k in ("pods", "nodes", "context", "kubeconfig", "namespace") if getattr(self, k) is not None]
            given += [k for k in ("runtime", "ignore_files") if getattr(self, k)]
            if given:
                raise InputError(
                    f"manifests and static pods are predicted on their own: drop {', '.join(given)} (a cluster's "
                    "pods are predicted from a dump or the live cluster, manifests before they are deployed)"
                )

    @property
    def from_manifests(self) -> bool:
        """Whether the pods are made from ``manifests``/``static_pods`` rather than read from a cluster."""
        return bool(self.manifests or self.static_pods)

    @property
    def label(self) -> str:
        """The cluster's name in reports."""
        if self.name:
            return self.name
        if self.from_manifests:
            return ", ".join(str(p) for p in (*self.manifests, *self.static_pods))
        if self.pods is not None:
            return "<stdin>" if str(self.pods) == "-" else str(self.pods)
        return self.context or "current-context"


@dataclass
class ClusterState:
    """What :func:`read_cluster` read: the snapshot (pods, nodes, runtime records), the ignore files by node,
    one message per input that could not be read (the rest is still used), and one per doubtful input that was
    used (``warnings``: a snapshot without checksum, runtime records that look wrong)."""

    snapshot: Snapshot
    ignore_files: dict[str, IgnoreFile] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def read_cluster(
    cluster: Cluster, *, pods: OpenedInput | None = None, load_pods: bool = True, live: LiveCluster | None = None
) -> ClusterState:
    """Read ``cluster``'s inputs. A pods or nodes file that cannot be read at all, or a live cluster that
    cannot be reached, raises (:class:`~kubehash.errors.InputError`, :class:`~kubehash.errors.ClusterError`);
    unreadable runtime records and ignore files are listed in :attr:`ClusterState.problems`. ``pods``: the pods
    input, already opened by the caller; ``live``: the live cluster, already connected; ``load_pods=False``:
    the caller streams the pods, so they are not read here (nodes, runtime records and ignore files are)."""
    if cluster.pods is not None:
        snap = _files_snapshot(cluster, cluster.pods, pods, load_pods)
    else:
        snap = _live_snapshot(cluster, live or connect(cluster), load_pods)
    if cluster.nodes is not None:
        snap.nodes = _read_nodes(cluster.nodes)
    state = ClusterState(snap, warnings=list(snap.warnings))
    _add_runtime(cluster, state)
    _add_ignore_files(cluster, state)
    _keep_pods(cluster, state)
    return state


def _files_snapshot(cluster: Cluster, path: PathLike, pods: OpenedInput | None, load_pods: bool) -> Snapshot:
    """The snapshot of the pods file ``path`` (opened here unless ``pods`` is given), ``-n`` applied; without
    ``load_pods``, an empty one that only says where the pods come from."""
    if not load_pods:
        return Snapshot(source={"kind": "files", "pods": str(path)})
    if pods is None:
        with open_input(path) as opened:
            snap = _load_pods(opened)
    else:
        snap = _load_pods(pods)
    if cluster.namespace is not None:
        snap.pods = [p for p in _items(snap.pods) if _in_namespace(p, cluster.namespace)]
    return snap


def _live_snapshot(cluster: Cluster, live: LiveCluster, load_pods: bool) -> Snapshot:
    """The live cluster's pods (unless the caller streams them) and nodes (unless a nodes file is given)."""
    return Snapshot(
        pods=list(live.iter_pods(cluster.namespace)) if load_pods else [],
        nodes=[] if cluster.nodes else list(live.iter_nodes()),
        source={"kind": "cluster", "context": live.context_name, "server": live.server},
    )


def _add_runtime(cluster: Cluster, state: ClusterState) -> None:
    """``cluster.runtime``'s records added to the snapshot's; unreadable ones listed as problems."""
    if not cluster.runtime:
        return
    from kubehash.sources.runtime import load_runtime

    records, errors = load_runtime(list(cluster.runtime), warnings=state.warnings)
    state.snapshot.runtime = [*state.snapshot.runtime, *records]
    state.problems.extend(str(e) for e in errors)


def _add_ignore_files(cluster: Cluster, state: ClusterState) -> None:
    """``cluster.ignore_files`` by node; unreadable ones listed as problems."""
    if not cluster.ignore_files:
        return
    loaded = load_ignore_files(cluster.ignore_files, path=cluster.ignore_file_path)
    state.ignore_files = dict(loaded.files)
    state.problems.extend(str(e) for e in loaded.problems)


def _keep_pods(cluster: Cluster, state: ClusterState) -> None:
    """The snapshot's pods, Lists flattened; items that are not objects are counted in one problem."""
    snap = state.snapshot
    skipped: Counter[str] = Counter()
    snap.pods = list(iter_pods(snap.pods, skipped))
    bad = {k: n for k, n in skipped.items() if k in NOT_OBJECTS}
    if bad:
        items = ", ".join(f"{n} {k}" for k, n in sorted(bad.items()))
        state.problems.append(f"{cluster.label}: {items} in the pods input: not an object, skipped")


def _read_nodes(path: PathLike) -> list[Any]:
    """The nodes of a ``--nodes`` file; one :class:`InputError` when it holds none (not one per container)."""
    nodes = list(iter_nodes(load_documents(os.fspath(path))))
    if not any(_node_name(n) for n in nodes):
        raise InputError(
            f"{'<stdin>' if str(path) == '-' else path}: no nodes in the nodes input (no object with "
            "metadata.name; expected kubectl get nodes -o json|yaml): the kubelet version of every pod's node "
            "would be unknown"
        )
    return nodes


def _node_name(node: Any) -> str | None:
    meta = node.get("metadata") if isinstance(node, dict) else None
    name = meta.get("name") if isinstance(meta, dict) else None
    return name if isinstance(name, str) and name else None


def connect(cluster: Cluster) -> LiveCluster:
    """The live cluster of ``cluster``'s kubeconfig context."""
    from kubehash.sources.cluster import LiveCluster

    return LiveCluster(
        kubeconfig=_str(cluster.kubeconfig), context=cluster.context, request_timeout=cluster.request_timeout
    )


def _load_pods(opened: OpenedInput) -> Snapshot:
    """A snapshot, or the pods of a dump as a snapshot holding only them."""
    if looks_like_snapshot(opened.head):
        return loads_snapshot(opened.read_all(), name=opened.name)
    return Snapshot(pods=list(iter_opened(opened)), source={"kind": "files", "pods": opened.name})


def predict_cluster(
    cluster: Cluster,
    options: Options,
    *,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Prediction:
    """Predict ``options``' upgrade for every container of ``cluster``. A dump is streamed (a regular file is
    split between ``jobs`` processes: 0 picks the number; results do not depend on it); a snapshot is read
    whole; a live cluster is read page by page. Inputs that could not be read are in
    :attr:`Prediction.input_errors`. Manifests are read and predicted as the pods they make."""
    if cluster.from_manifests:
        return _predict_manifests(cluster, options, progress)
    if cluster.pods is None:
        return _predict_live(cluster, options, progress)
    with open_input(cluster.pods) as opened:
        if looks_like_snapshot(opened.head) or cluster.namespace is not None:
            state = read_cluster(cluster, pods=opened)
            return _with_problems(state, predict(state.snapshot.pods, options, progress=progress, **_inputs(state)))
        state = read_cluster(cluster, pods=opened, load_pods=False)
        jobs = jobs if jobs > 0 else auto_jobs(opened)
        result = predict_file(opened, options, jobs=jobs, progress=progress, **_inputs(state))
        return _with_problems(state, result)


def auto_jobs(opened: OpenedInput) -> int:
    """``--jobs 0``: one process per idle CPU (:func:`~kubehash.pipeline.parallel.idle_jobs`) for a dump big
    enough to pay for starting them (a regular file of more than 64 MiB that can be split), else one."""
    if opened.size is None or opened.size < 64 << 20 or not can_split(opened):
        return 1
    return idle_jobs()


def _predict_live(cluster: Cluster, options: Options, progress: Callable[[int], None] | None) -> Prediction:
    """A live cluster's pods, page by page: each page's pods are decoded straight into the predictor's views,
    so memory holds one page and the results; a 410 re-list skips pods already predicted (by uid)."""
    live = connect(cluster)
    state = read_cluster(cluster, load_pods=False, live=live)
    predictor = Predictor(options, **_inputs(state))
    out: list[ContainerPrediction] = []
    seen: set[str] = set()
    with gc_paused(freeze=True):
        for raw, restarted in live.iter_pod_pages(cluster.namespace):
            for view in page_views(raw, f"pods page from {live.server}"):
                if view.uid is not None:
                    if restarted and view.uid in seen:
                        continue
                    seen.add(view.uid)
                preds = predictor.view(view)
                out.extend(preds)
                if progress is not None:
                    progress(len(preds))
    return _with_problems(state, predictor.result(out))


def _inputs(state: ClusterState) -> dict[str, Any]:
    snap = state.snapshot
    return {"nodes": snap.nodes or None, "runtime": snap.runtime, "ignore_files": state.ignore_files or None}


def _with_problems(state: ClusterState, result: Prediction) -> Prediction:
    result.input_errors[:0] = state.problems
    result.warnings[:0] = state.warnings
    return result


def _predict_manifests(cluster: Cluster, options: Options, progress: Callable[[int], None] | None) -> Prediction:
    from kubehash.pipeline.manifest_errors import manifest_templates, place_errors
    from kubehash.sources.manifests import read_manifests, read_static_pods

    workloads = read_manifests(cluster.manifests) if cluster.manifests else None
    static = read_static_pods(cluster.static_pods) if cluster.static_pods else None
    docs = workloads.documents if workloads else []
    result = predict_manifests(docs, options, static_pods=static.documents if static else (), progress=progress)
    place_errors(result.containers, manifest_templates(docs, static.documents if static else ()))
    result.input_errors[:0] = [*(workloads.problems if workloads else []), *(static.problems if static else [])]
    return result


def _items(docs: Any) -> Iterator[Any]:
    """The items of the pods input (Lists flattened), pods or not: what is not a pod is counted later."""
    for d in docs if isinstance(docs, list) else [docs]:
        if isinstance(d, dict) and isinstance(d.get("items"), list):
            yield from _items(d["items"])
        else:
            yield d


def _in_namespace(doc: Any, namespace: str) -> bool:
    """``-n``: an object in ``namespace``; kept too when it has no metadata object to say (it is reported as
    malformed, or counted as not a pod, rather than silently left out)."""
    meta = doc.get("metadata") if isinstance(doc, dict) else None
    return not isinstance(meta, dict) or meta.get("namespace") == namespace


def _str(p: PathLike | None) -> str | None:
    return None if p is None else os.fspath(p)
