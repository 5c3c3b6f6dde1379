"""The cluster a command works on: a kubectl dump or snapshot (``--pods``), nodes, runtime records, or the
live cluster of a kubeconfig context when ``--pods`` is not given."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from kubehash import exitcodes
from kubehash.errors import InputError
from kubehash.model import iter_nodes, iter_pods
from kubehash.sources.documents import load_documents
from kubehash.sources.snapshot import Snapshot, load_pods_or_snapshot

__all__ = ["ClusterArgs", "cluster_options", "gather"]

_KEYS = ("pods_file", "nodes_file", "runtime_paths", "context", "kubeconfig", "namespace", "all_namespaces")


@dataclass(frozen=True)
class ClusterArgs:
    """The cluster options of one command line, as :func:`cluster_options` passes them (``cluster=``)."""

    pods_file: str | None = None
    nodes_file: str | None = None
    runtime_paths: tuple[str, ...] = ()
    context: str | None = None
    kubeconfig: str | None = None
    namespace: str | None = None
    all_namespaces: bool = False

    def gather(self, *, load_pods: bool = True) -> tuple[Snapshot, list[str]]:
        return gather(*(getattr(self, k) for k in _KEYS), load_pods=load_pods)


def cluster_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--pods/--nodes/--runtime`` and the live-cluster options ``--context/--kubeconfig/-n/-A``, passed to
    the command as one ``cluster: ClusterArgs`` argument."""

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        kwargs["cluster"] = ClusterArgs(**{k: kwargs.pop(k) for k in _KEYS})
        return f(*args, **kwargs)

    opts = [
        click.option(
            "--pods",
            "pods_file",
            default=None,
            help="Pods: a kubectl get pods -A -o json|yaml dump, or a kubehash snapshot ('-' = stdin). "
            "Without it the live cluster of the kubeconfig context is read.",
        ),
        click.option("--nodes", "nodes_file", default=None, help="Nodes: kubectl get nodes -o json|yaml."),
        click.option(
            "--runtime",
            "runtime_paths",
            multiple=True,
            help="crictl/docker inspect JSON with recorded hashes: a file or a directory (DIR/<node>/*.json). "
            "Repeatable.",
        ),
        click.option("--context", default=None, help="kubeconfig context for the live cluster."),
        click.option("--kubeconfig", default=None, help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config)."),
        click.option("-n", "--namespace", default=None, help="Live cluster: only pods in this namespace."),
        click.option("-A", "--all-namespaces", is_flag=True, help="Live cluster: every namespace (the default)."),
    ]
    for opt in reversed(opts):
        command = opt(command)
    return command


def gather(
    pods_file: str | None,
    nodes_file: str | None,
    runtime_paths: tuple[str, ...],
    context: str | None,
    kubeconfig: str | None,
    namespace: str | None,
    all_namespaces: bool,
    *,
    load_pods: bool = True,
) -> tuple[Snapshot, list[str]]:
    """Pods, nodes and runtime records, plus one message per input that could not be read (the rest is
    still used). A pods file that cannot be read at all is a one-line error and exit code 2.

    ``load_pods=False`` leaves the pods of ``pods_file`` to the caller (which streams them)."""
    if namespace is not None and all_namespaces:
        raise click.UsageError("-n/--namespace and -A/--all-namespaces are mutually exclusive")
    problems: list[str] = []
    try:
        if pods_file is not None and not load_pods:
            snap = Snapshot(source={"kind": "files", "pods": pods_file})
        elif pods_file is not None:
            snap = load_pods_or_snapshot(pods_file)
            if namespace is not None:
                snap.pods = [p for p in snap.pods if (p.get("metadata") or {}).get("namespace") == namespace]
        else:
            from kubehash.sources.cluster import LiveCluster

            cluster = LiveCluster(kubeconfig=kubeconfig, context=context)
            snap = Snapshot(
                pods=list(cluster.iter_pods(namespace)),
                nodes=[] if nodes_file else list(cluster.iter_nodes()),
                source={"kind": "cluster", "context": cluster.context_name, "server": cluster.server},
            )
        if nodes_file is not None:
            snap.nodes = list(iter_nodes(load_documents(nodes_file)))
    except InputError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    if runtime_paths:
        from kubehash.sources.runtime import load_runtime

        records, errors = load_runtime(list(runtime_paths))
        snap.runtime = [*snap.runtime, *records]
        problems.extend(str(e) for e in errors)
    snap.pods = list(iter_pods(snap.pods))
    return snap, problems
