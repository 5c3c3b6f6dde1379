"""``kubehash ignore-file``: generate and check the version-cache ignore file a patched kubelet reads."""

from __future__ import annotations

import functools
from datetime import datetime, timezone

import click

from kubehash import exitcodes
from kubehash.atomicfile import write_atomic
from kubehash.cli._common import (
    exit_code,
    exit_with,
    fail_on_option,
    ignore_file_path_option,
    output_option,
    print_errors,
    print_warnings,
    run_options,
    time_option,
    version_option,
    write_stdout,
)
from kubehash.cli._inputs import cluster_options
from kubehash.cli.app import cli
from kubehash.errors import InputError
from kubehash.model import node_kubelet_versions
from kubehash.pipeline.cluster import Cluster, connect, read_cluster
from kubehash.pipeline.ignorefiles import write_ignore_files
from kubehash.report import write
from kubehash.report.ignorefile import GeneratedFiles, IgnoreCheck, at_target_note, wrote_note
from kubehash.report.ignorefile_deploy import render_daemonset, render_script
from kubehash.sources.documents import load_documents
from kubehash.sources.ignorefiles import load_ignore_files
from kubehash.upgrade.ignorefile.check import check_ignore_files
from kubehash.upgrade.ignorefile.rules import IgnoreFile, generate_ignore_files, same_version
from kubehash.upgrade.options import Options


@cli.group("ignore-file", short_help="Generate and check the version-cache ignore file of a patched kubelet.")
def ignore_file() -> None:
    """The version-cache ignore file (/tmp/cache.version.save) a patched kubelet reads at start to skip the
    container hash check for containers started before it (docs/commands/ignore-file.md)."""


@ignore_file.command("generate", short_help="One ignore file per node, holding its current kubelet version.")
@click.option(
    "--nodes",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="Nodes (kubectl get nodes -o json|yaml): their current versions.",
)
@click.option("--node", "node_names", multiple=True, help="A node name (repeatable), with --from.")
@click.option(
    "--from",
    "from_version",
    default=None,
    callback=version_option,
    help="The current (old) kubelet version of the --node names, e.g. v1.10.13.",
)
@click.option("--context", default=None, help="Read the nodes from this kubeconfig context's live cluster.")
@click.option(
    "--kubeconfig", type=click.Path(dir_okay=False), default=None, help="kubeconfig file of the live cluster."
)
@click.option(
    "--to",
    "to_version",
    default=None,
    callback=version_option,
    help="The upgrade target: nodes already running it get no file (nothing to protect).",
)
@click.option(
    "--out",
    type=click.Path(),
    default=None,
    help="--format files: the output directory (required); script/daemonset: a file (default: stdout).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["files", "script", "daemonset"]),
    default="files",
    show_default=True,
    help="files: DIR/<node>/tmp/cache.version.save; script: a sh script; daemonset: ConfigMap + DaemonSet.",
)
@ignore_file_path_option
@click.option("--now", default=None, callback=time_option, help="The file's timestamp (Unix seconds/ISO; default now).")
@click.option(
    "--daemonset-namespace", default="kube-system", show_default=True, help="--format daemonset: its namespace."
)
@click.option("--force", is_flag=True, help="Replace existing files with other content.")
@output_option()
def generate_cmd(
    nodes: str | None,
    node_names: tuple[str, ...],
    from_version: str | None,
    context: str | None,
    kubeconfig: str | None,
    to_version: str | None,
    out: str | None,
    fmt: str,
    ignore_file_path: str,
    now: datetime | None,
    daemonset_namespace: str,
    force: bool,
    output: str,
) -> None:
    """Write one ignore file per node holding the node's CURRENT (old) kubelet version and a timestamp.

    The nodes come from --nodes, from --node NAME --from VERSION, or (given neither) from the live cluster.
    Place each file on its node before the new kubelet first starts there. Exit codes: 0 written (or already
    identical), 4 a file was refused (exists with other content, symlink anywhere below --out, directory), 2 bad
    input or a file the system would not let kubehash write (the other nodes' files are still written), 1 usage.
    Temporary files an interrupted earlier run left are removed."""
    _check_generate_usage(node_names, from_version, fmt, out)
    versions = _node_versions(nodes, dict.fromkeys(node_names, from_version or ""), context, kubeconfig)
    _drop_nodes_at_target(versions, to_version)
    bad: dict[str, str] = {}
    files = generate_ignore_files(versions, now=now or datetime.now(timezone.utc), errors=bad)
    print_errors(bad.values())
    if fmt == "files":
        assert out is not None
        _write_files(files, out, ignore_file_path, force, output, failed=bool(bad))
    else:
        _write_deployment(files, fmt, out, ignore_file_path, force, daemonset_namespace)
    if bad:  # the other nodes' files were written
        exit_with(exitcodes.INPUT_ERROR)


def _check_generate_usage(node_names: tuple[str, ...], from_version: str | None, fmt: str, out: str | None) -> None:
    """The option combinations ``generate`` refuses (usage errors, exit 1)."""
    if node_names and from_version is None:
        raise click.UsageError("--node needs --from (the node's current kubelet version)")
    if from_version is not None and not node_names:
        raise click.UsageError("--from needs --node")
    if fmt == "files" and not out:
        raise click.UsageError("--format files needs --out DIR")


def _node_versions(
    nodes: str | None, versions: dict[str, str], context: str | None, kubeconfig: str | None
) -> dict[str, str]:
    """Each node's current kubelet version: ``versions`` (from --node/--from), then --nodes, then (given
    neither, or --context) the live cluster's nodes; a later source wins for a node named twice."""
    given_names = bool(versions)
    if nodes:
        found = node_kubelet_versions(load_documents(nodes))
        if not found:
            raise InputError(f"{nodes}: no nodes with status.nodeInfo.kubeletVersion")
        versions.update(found)
    if (not nodes and not given_names) or context:
        live = connect(Cluster(context=context, kubeconfig=kubeconfig)).iter_nodes()
        versions.update(node_kubelet_versions(list(live)))
    return versions


def _drop_nodes_at_target(versions: dict[str, str], to_version: str | None) -> None:
    """Remove the nodes already running ``to_version`` (nothing to protect there), with a note for each."""
    for n, v in sorted(versions.items()):
        if to_version and same_version(v, to_version):
            click.echo(at_target_note(n, v), err=True)
            del versions[n]


def _write_deployment(
    files: dict[str, IgnoreFile], fmt: str, out: str | None, path: str, force: bool, namespace: str
) -> None:
    """``--format script|daemonset``: the text to standard output, or to the file ``out``."""
    if fmt == "script":
        text = render_script(files, path=path, force=force)
    else:
        text = render_daemonset(files, path=path, force=force, namespace=namespace)
    if not out or out == "-":
        click.echo(text, nl=False)
        return
    write_atomic(out, text.encode(), force=force, mode=0o755 if fmt == "script" else 0o644)
    click.echo(wrote_note(out, len(files)), err=True)


def _write_files(
    files: dict[str, IgnoreFile], out: str, path: str, force: bool, output: str, *, failed: bool = False
) -> None:
    """``--format files``: one file per node below ``out``, a row per file on standard output; exit 2 when the
    system refused a file or a node had no usable version (``failed``; the others were written), 4 when
    kubehash refused one."""
    results = write_ignore_files(files, out, path=path, force=force)
    print_errors(r.error for r in results if r.error)
    write_stdout(functools.partial(write, GeneratedFiles.of(results, files), output))
    if failed or any(r.status == "error" for r in results):
        exit_with(exitcodes.INPUT_ERROR)
    if any(r.status == "refused" for r in results):
        exit_with(exitcodes.OUTPUT_REFUSED)


@ignore_file.command("check", short_help="Validate ignore files; with --pods, what they protect and when to delete.")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@run_options(to_required=False, to_help="The version the new kubelet runs, e.g. v1.11.10 (needed with --pods).")
@cluster_options(ignore_files=False)
@ignore_file_path_option
@click.option("--now", default=None, callback=time_option, help="The current time (default: now).")
@click.option("--containers", "show_containers", is_flag=True, help="Also list every container.")
@output_option()
@fail_on_option("a protected container's spec changed, or a node's file is not yet safe to delete")
def check_cmd(
    paths: tuple[str, ...],
    options: Options | None,
    cluster: Cluster,
    ignore_file_path: str,
    now: datetime | None,
    show_containers: bool,
    output: str,
    fail_on: str,
) -> None:
    """Validate ignore files (FILE, or DIR in the generate layout) and, with --pods (or the live cluster:
    --context) and --to, say per container whether the file protects it and per node whether the file is safe
    to delete. Writes nothing.

    Exit codes: 0 all good, 3 risks (dangers: protected containers whose spec changed; nodes not yet safe to
    delete), 2 a file or input has a problem (one line each on stderr), 1 usage."""
    with_cluster = cluster.pods is not None or cluster.context is not None or bool(cluster.runtime)
    if with_cluster and options is None:
        raise click.UsageError("--pods (or --context) needs --to: the version the new kubelet runs")
    loaded = load_ignore_files(paths, path=ignore_file_path, stray_temps=True)
    pods = nodes = runtime = None
    problems: list[str] = []
    if with_cluster or cluster.nodes:
        state = read_cluster(cluster) if with_cluster else None
        if state is not None:
            pods, nodes, problems = state.snapshot.pods, state.snapshot.nodes or None, state.problems
            print_warnings(state.warnings)
            runtime = state.snapshot.runtime if cluster.runtime else None
        if cluster.nodes:
            nodes = load_documents(cluster.nodes)
    result = check_ignore_files(
        loaded.files, options, problems=loaded.problems, pods=pods, nodes=nodes, runtime=runtime, now=now
    )
    result.input_errors[:0] = problems
    errors = print_errors([*(str(p) for p in result.problems), *result.input_errors])
    view = IgnoreCheck(result, loaded.files, show_containers, pods is not None)
    write_stdout(functools.partial(write, view, output))
    risks = bool(result.dangers or (result.nodes and result.not_safe))
    exit_with(exit_code(errors=errors > 0, risks=risks, fail_on=fail_on))
