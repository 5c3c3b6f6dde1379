"""``kubehash snapshot``: freeze pods, nodes and runtime records into one file for offline prediction."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from kubehash import exitcodes
from kubehash.cli._common import load_or_exit
from kubehash.cli.app import cli
from kubehash.model import iter_pods
from kubehash.sources.cluster import LiveCluster
from kubehash.sources.runtime import load_runtime
from kubehash.sources.snapshot import Snapshot, save_snapshot


@contextmanager
def _status(quiet: bool) -> Iterator[Callable[[str], None]]:
    """A one-line spinner on stderr (only on a terminal, and not with ``--quiet``); yields its updater."""
    if quiet or not sys.stderr.isatty():
        yield lambda _msg: None
        return
    from rich.console import Console

    with Console(stderr=True).status("") as status:
        yield status.update


def _collect(items: Iterable[dict[str, Any]], label: str, update: Callable[[str], None]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for item in items:
        out.append(item)
        if len(out) % 100 == 0:
            update(f"reading {label}: {len(out)}")
    update(f"read {len(out)} {label}")
    return out


def _in_namespace(pods: Iterable[Any], namespace: str | None) -> list[Any]:
    if namespace is None:
        return list(pods)
    out = []
    for p in pods:
        meta = p.get("metadata")
        if isinstance(meta, Mapping) and meta.get("namespace") == namespace:
            out.append(p)
    return out


def _iter_nodes(doc: Any) -> Iterator[Any]:
    """Nodes in a document: a Node, a NodeList/List (``items``), or a list of those."""
    if isinstance(doc, list):
        for d in doc:
            yield from _iter_nodes(d)
    elif isinstance(doc, Mapping):
        if isinstance(doc.get("items"), list):
            yield from _iter_nodes(doc["items"])
        else:
            yield doc


def _refusal(target: Path, force: bool) -> str | None:
    """Why ``save_snapshot`` would refuse ``target`` (it checks again when writing)."""
    if target.is_symlink():
        return "is a symlink; refusing to write through it"
    if target.is_dir():
        return "is a directory"
    if target.exists() and not force:
        return "exists; use --force to replace it"
    return None


@cli.command("snapshot")
@click.option("--out", "out", required=True, help="Snapshot file to write.")
@click.option("--pods", "pods_file", default=None, help="Pods from a kubectl dump instead of the live cluster.")
@click.option("--nodes", "nodes_file", default=None, help="Nodes from a kubectl dump instead of the live cluster.")
@click.option(
    "--runtime",
    "runtime_paths",
    multiple=True,
    help="crictl/docker inspect JSON: a file, or a directory (DIR/<node>/*.json). Repeatable.",
)
@click.option("--context", default=None, help="kubeconfig context (default: the current one).")
@click.option("--kubeconfig", default=None, help="kubeconfig file (default: $KUBECONFIG or ~/.kube/config).")
@click.option("-n", "--namespace", default=None, help="Only pods in this namespace.")
@click.option("-A", "--all-namespaces", is_flag=True, help="Pods in every namespace (the default).")
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary line.")
def snapshot_cmd(
    out: str,
    pods_file: str | None,
    nodes_file: str | None,
    runtime_paths: tuple[str, ...],
    context: str | None,
    kubeconfig: str | None,
    namespace: str | None,
    all_namespaces: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Save pods, nodes and runtime records in one file, to predict offline.

    Without --pods, pods and nodes (unless --nodes) are read from the live cluster through the
    kubeconfig, in all namespaces unless -n is given; with --pods the cluster is not contacted.
    Runtime files that cannot be read are reported and the rest is still saved (exit 2).
    Exit codes: 0 saved, 1 usage error, 2 input error (cluster unreachable, unreadable file),
    4 --out exists (use --force)."""
    if namespace is not None and all_namespaces:
        raise click.UsageError("-n/--namespace and -A/--all-namespaces are mutually exclusive")
    target = Path(out)
    refusal = _refusal(target, force)
    if refusal:  # before a possibly long read of the cluster
        click.echo(f"error: {target}: {refusal}", err=True)
        sys.exit(exitcodes.OUTPUT_REFUSED)

    source: dict[str, Any] = {}
    pods: list[Any]
    nodes: list[Any] = []
    with _status(quiet) as update:
        if pods_file is not None:
            source.update(kind="files", pods=pods_file)
            pods = _in_namespace(iter_pods(load_or_exit(pods_file)), namespace)
            cluster = None
        else:
            update("connecting")
            cluster = LiveCluster(kubeconfig=kubeconfig, context=context)
            source.update(kind="cluster", context=cluster.context_name, server=cluster.server)
            pods = _collect(cluster.iter_pods(namespace), "pods", update)
        source["namespace"] = namespace
        if nodes_file is not None:
            source["nodes"] = nodes_file
            nodes = list(_iter_nodes(load_or_exit(nodes_file)))
        elif cluster is not None:
            nodes = _collect(cluster.iter_nodes(), "nodes", update)
        update("reading runtime records")
        records, errors = load_runtime(runtime_paths)
        source["runtime"] = list(runtime_paths)
    for e in errors:
        click.echo(f"error: {e}", err=True)
    snap = Snapshot(pods=list(pods), nodes=nodes, runtime=records, source=source, notes=[str(e) for e in errors])
    save_snapshot(target, snap, force=force)
    if not quiet:
        where = f"context {source['context']}" if source.get("kind") == "cluster" else "files"
        click.echo(
            f"wrote {target}: {len(snap.pods)} pods, {len(snap.nodes)} nodes, {len(records)} runtime records ({where})"
        )
    sys.exit(exitcodes.INPUT_ERROR if errors else exitcodes.OK)
