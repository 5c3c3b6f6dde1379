"""``kubehash snapshot``: freeze pods, nodes and runtime records into one file for offline prediction."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from kubehash import exitcodes
from kubehash.cli._common import exit_with, print_errors, print_warnings
from kubehash.cli._inputs import cluster_options
from kubehash.cli.app import cli
from kubehash.errors import OutputError
from kubehash.pipeline.cluster import Cluster, read_cluster
from kubehash.sources.snapshot import save_snapshot


@contextmanager
def _status(quiet: bool) -> Iterator[Callable[[str], None]]:
    """A one-line spinner on stderr (only on a terminal, and not with ``--quiet``); yields its updater."""
    if quiet or not sys.stderr.isatty():
        yield lambda _msg: None
        return
    from rich.console import Console

    with Console(stderr=True).status("") as status:
        yield status.update


def _refusal(target: Path, force: bool) -> str | None:
    """Why ``save_snapshot`` would refuse ``target`` (it checks again when writing)."""
    if target.is_symlink():
        return "is a symlink; refusing to write through it"
    if target.is_dir():
        return "is a directory"
    if target.exists() and not force:
        return "exists; use --force to replace it"
    return None


@cli.command("snapshot", short_help="Freeze pods, nodes and runtime records into one file, to predict offline.")
@click.option("--out", type=click.Path(), required=True, help="Snapshot file to write.")
@cluster_options(ignore_files=False)
@click.option("--force", is_flag=True, help="Replace an existing --out file.")
@click.option("-q", "--quiet", is_flag=True, help="No progress and no summary line.")
def snapshot_cmd(out: str, cluster: Cluster, force: bool, quiet: bool) -> None:
    """Save pods, nodes and runtime records in one file, to predict offline.

    Without --pods, pods and nodes (unless --nodes) are read from the live cluster through the
    kubeconfig, in all namespaces unless -n is given; with --pods the cluster is not contacted.
    Runtime files that cannot be read are reported and the rest is still saved (exit 2).
    Exit codes: 0 saved, 1 usage error, 2 input error (cluster unreachable, unreadable file),
    4 --out exists (use --force)."""
    target = Path(out)
    refusal = _refusal(target, force)
    if refusal:  # before a possibly long read of the cluster
        raise OutputError(f"{target}: {refusal}")
    with _status(quiet) as update:
        update("reading the cluster" if cluster.pods is None else "reading files")
        state = read_cluster(cluster)
    snap, errors = state.snapshot, state.problems
    print_warnings(state.warnings)
    snap.source.update(namespace=cluster.namespace, runtime=[str(p) for p in cluster.runtime])
    if cluster.nodes is not None:
        snap.source["nodes"] = str(cluster.nodes)
    print_errors(errors)
    snap.notes = [*snap.notes, *errors]
    save_snapshot(target, snap, force=force)
    if not quiet:
        where = f"context {snap.source['context']}" if snap.source.get("kind") == "cluster" else "files"
        click.echo(
            f"wrote {target}: {len(snap.pods)} pods, {len(snap.nodes)} nodes, {len(snap.runtime)} runtime records"
            f" ({where})"
        )
    exit_with(exitcodes.INPUT_ERROR if errors else exitcodes.OK)
