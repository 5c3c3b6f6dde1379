"""``kubehash ignore-file``: generate and check the version-cache ignore file a patched kubelet reads."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from typing import Any

import click

from kubehash import exitcodes
from kubehash.atomicfile import write_atomic
from kubehash.cli._common import TABLE_FORMATS, load_or_exit, parse_time
from kubehash.cli.app import cli
from kubehash.errors import KubehashError, OutputError
from kubehash.model import RuntimeRecord, node_kubelet_versions
from kubehash.pipeline.ignorefiles import write_ignore_files
from kubehash.report import render
from kubehash.report.ignorefile import GeneratedFiles, IgnoreCheck
from kubehash.report.ignorefile_deploy import render_daemonset, render_script
from kubehash.sources.ignorefiles import load_ignore_files
from kubehash.upgrade.ignorefile.check import check_ignore_files
from kubehash.upgrade.ignorefile.rules import DEFAULT_PATH, RULES, generate_ignore_files, parse_version, same_version
from kubehash.upgrade.options import Options


def _time_option(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    return None if value is None else parse_time(value, f"--{param.name}".replace("_", "-"))


def _full_version_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    v = value.strip()
    if parse_version(v) is None and parse_version(v + ".0") is None:
        raise click.BadParameter(f"{value!r} is not a kubelet version like v1.11.10")
    return v


@cli.group("ignore-file")
def ignore_file() -> None:
    """The version-cache ignore file (/tmp/cache.version.save) a patched kubelet reads at start to skip the
    container hash check for containers started before it. See the README, "The version-cache ignore file"."""


@ignore_file.command("generate")
@click.option("--nodes", "nodes_file", default=None, help="Nodes (kubectl get nodes -o json|yaml): current versions.")
@click.option("--node", "node_names", multiple=True, help="A node name (repeatable), with --version.")
@click.option("--version", "by_hand_version", default=None, help="The current (old) kubelet version of --node.")
@click.option("--out", "out", default=None, help="files: output directory (required); script/daemonset: file.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["files", "script", "daemonset"]),
    default="files",
    show_default=True,
    help="files: DIR/<node>/tmp/cache.version.save; script: a sh script; daemonset: ConfigMap + DaemonSet.",
)
@click.option("--path", default=DEFAULT_PATH, show_default=True, help="Where the patched kubelet reads the file.")
@click.option("--time", "at", default=None, callback=_time_option, help="Timestamp (Unix seconds/ISO; default now).")
@click.option("--force", is_flag=True, help="Replace existing files with other content.")
@click.option(
    "--to",
    "to_version",
    default=None,
    callback=_full_version_option,
    help="The upgrade target: nodes already running it get no file (nothing to protect).",
)
@click.option("--namespace", default="kube-system", show_default=True, help="daemonset: namespace.")
@click.option("--live", is_flag=True, help="Read the nodes from the live cluster of the kubeconfig context.")
@click.option("--context", default=None, help="--live: kubeconfig context (default: the current one).")
@click.option("--kubeconfig", default=None, help="--live: kubeconfig file (default: $KUBECONFIG, ~/.kube/config).")
@click.option("-o", "--output", type=click.Choice(TABLE_FORMATS), default="table", show_default=True)
def generate_cmd(
    nodes_file: str | None,
    node_names: tuple[str, ...],
    by_hand_version: str | None,
    out: str | None,
    fmt: str,
    path: str,
    at: datetime | None,
    force: bool,
    to_version: str | None,
    namespace: str,
    live: bool,
    context: str | None,
    kubeconfig: str | None,
    output: str,
) -> None:
    """Write one ignore file per node holding the node's CURRENT (old) kubelet version and a timestamp.

    Place each file on its node before the new kubelet first starts there. Exit codes: 0 written (or already
    identical), 4 a file was refused (exists with other content, symlink, directory), 2 bad input, 1 usage."""
    versions: dict[str, str] = {}
    if nodes_file:
        versions.update(node_kubelet_versions(load_or_exit(nodes_file)))
        if not versions:
            click.echo(f"error: {nodes_file}: no nodes with status.nodeInfo.kubeletVersion", err=True)
            sys.exit(exitcodes.INPUT_ERROR)
    if node_names:
        if by_hand_version is None:
            raise click.UsageError("--node needs --version (the node's current kubelet version)")
        versions.update(dict.fromkeys(node_names, by_hand_version))
    elif by_hand_version is not None:
        raise click.UsageError("--version needs --node")
    if live:
        from kubehash.sources.cluster import LiveCluster

        cluster = LiveCluster(kubeconfig=kubeconfig, context=context)
        versions.update(node_kubelet_versions(list(cluster.iter_nodes())))
    if not versions:
        raise click.UsageError("give --nodes FILE, --live, or --node NAME --version V")
    if fmt == "files" and not out:
        raise click.UsageError("--format files needs --out DIR")
    skipped = {n: v for n, v in versions.items() if to_version and same_version(v, to_version)}
    for n, v in sorted(skipped.items()):
        click.echo(f"note: {n} already runs {v}: no file (nothing to protect)", err=True)
        del versions[n]
    try:
        files = generate_ignore_files(versions, now=at or datetime.now(timezone.utc))
    except ValueError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    if fmt != "files":
        text = (
            render_script(files, path=path, force=force)
            if fmt == "script"
            else (render_daemonset(files, path=path, force=force, namespace=namespace))
        )
        if not out or out == "-":
            click.echo(text, nl=False)
            return
        try:
            write_atomic(out, text.encode(), force=force, mode=0o755 if fmt == "script" else 0o644)
        except OutputError as e:
            click.echo(f"error: {e}", err=True)
            sys.exit(exitcodes.OUTPUT_REFUSED)
        click.echo(f"wrote {out} ({len(files)} nodes)", err=True)
        return
    assert out is not None
    try:
        results = write_ignore_files(files, out, path=path, force=force)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--path") from None
    for r in results:
        if r.error:
            click.echo(f"error: {r.error}", err=True)
    click.echo(render(GeneratedFiles.of(results, files), output), nl=False)
    if any(r.status == "refused" for r in results):
        sys.exit(exitcodes.OUTPUT_REFUSED)


def _load_runtime(paths: tuple[str, ...]) -> tuple[list[RuntimeRecord], list[str]]:
    """Records from crictl/docker inspect dumps, and one message per bad entry (the rest is still used)."""
    try:
        from kubehash.sources.runtime import load_runtime  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        raise click.UsageError("--runtime needs kubehash.sources.runtime, which this build does not have") from None
    records, errors = load_runtime(list(paths))
    return list(records), [str(e) for e in errors]


@ignore_file.command("check")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--to",
    "to_version",
    default=None,
    callback=_full_version_option,
    help="The version the (new) kubelet runs, e.g. v1.11.10.",
)
@click.option("--pods", "pods_file", default=None, help="Pods (kubectl get pods -A -o json|yaml).")
@click.option(
    "--nodes",
    "nodes_file",
    default=None,
    help="Nodes: the versions before the upgrade; every node listed must have a file.",
)
@click.option("--runtime", "runtime_files", multiple=True, help="crictl/docker inspect dumps (repeatable).")
@click.option(
    "--kubelet-start",
    default=None,
    callback=_time_option,
    help="When the new kubelet started (Unix seconds/ISO); default: after every running container.",
)
@click.option(
    "--rule",
    type=click.Choice(RULES),
    default="public",
    show_default=True,
    help="public: the published patch (version text differs); seed: recorded version older.",
)
@click.option("--path", default=DEFAULT_PATH, show_default=True, help="Where the patched kubelet reads the file.")
@click.option("--now", default=None, callback=_time_option, help="The current time (default: now).")
@click.option("--containers", "show_containers", is_flag=True, help="Also list every container.")
@click.option("-o", "--output", type=click.Choice(TABLE_FORMATS), default="table", show_default=True)
def check_cmd(
    paths: tuple[str, ...],
    to_version: str | None,
    pods_file: str | None,
    nodes_file: str | None,
    runtime_files: tuple[str, ...],
    kubelet_start: datetime | None,
    rule: str,
    path: str,
    now: datetime | None,
    show_containers: bool,
    output: str,
) -> None:
    """Validate ignore files (FILE, or DIR in the generate layout) and, with --pods and --to, say per container
    whether the file protects it and per node whether the file is safe to delete. Writes nothing.

    Exit codes: 0 all good, 3 risks (dangers: protected containers whose spec changed; nodes not yet safe to
    delete), 2 a file or input has a problem (one line each on stderr), 1 usage."""
    if pods_file and not to_version:
        raise click.UsageError("--pods needs --to (the version the new kubelet runs)")
    try:
        loaded = load_ignore_files(paths, path=path)
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--path") from None
    pods = load_or_exit(pods_file) if pods_file else None
    nodes = load_or_exit(nodes_file) if nodes_file else None
    runtime, runtime_errors = _load_runtime(runtime_files) if runtime_files else (None, [])
    try:
        options = Options(to=to_version, kubelet_started=kubelet_start, ignore_rule=rule) if to_version else None  # type: ignore[arg-type]
        result = check_ignore_files(
            loaded.files, options, problems=loaded.problems, pods=pods, nodes=nodes, runtime=runtime, now=now
        )
    except KubehashError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    result.input_errors[:0] = runtime_errors
    for p in result.problems:
        click.echo(f"error: {p}", err=True)
    for msg in result.input_errors:
        click.echo(f"error: {msg}", err=True)
    click.echo(render(IgnoreCheck(result, loaded.files, show_containers, pods is not None), output), nl=False)
    sys.exit(_exit_code(result))


def _exit_code(result: Any) -> int:
    if result.problems or result.input_errors:
        return exitcodes.INPUT_ERROR
    if result.dangers or (result.nodes and result.not_safe):
        return exitcodes.RESTARTS
    return exitcodes.OK
