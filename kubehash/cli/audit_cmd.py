"""``kubehash audit``: after a canary upgrade, did the prediction hold? Every container of the before state in one
class (:mod:`kubehash.upgrade.audit`)."""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

import click

from kubehash.cli._common import (
    exit_code,
    exit_with,
    fail_on_option,
    output_option,
    print_errors,
    run_options,
    write_stdout,
)
from kubehash.cli.app import cli
from kubehash.cli.progress import pod_progress
from kubehash.kubelet.releases import supported_minors
from kubehash.pipeline.audit import audit_clusters, state_cluster
from kubehash.pipeline.cluster import Cluster
from kubehash.report import write
from kubehash.upgrade.options import Options

_PATH = click.Path(dir_okay=False, allow_dash=True)


def _expected(f: Any) -> Any:
    """``--to`` is optional for an audit (each upgraded node is predicted to the version it reports): without
    it the run's other settings are still kept (checked against the newest kubelet kubehash knows), and
    ``expected`` says what was given."""

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        kwargs["expected"] = kwargs["to"]
        if kwargs["to"] is None:
            kwargs["to"] = supported_minors()[-1]
        return f(*args, **kwargs)

    return command


def _state(side: str, given: dict[str, Any], live: dict[str, Any]) -> Cluster:
    """One state's :class:`Cluster`: a snapshot, a pods dump (with nodes), or (after only) the live cluster."""
    snapshot, pods, nodes = given[f"{side}_snapshot"], given[f"{side}_pods"], given[f"{side}_nodes"]
    runtime = tuple(given[f"{side}_runtime"])
    if snapshot is not None and pods is not None:
        raise click.UsageError(f"--{side} and --{side}-pods both name the {side} state's pods: give one")
    path = snapshot if snapshot is not None else pods
    if path is None and side == "before":
        raise click.UsageError("the before state is needed: --before SNAPSHOT, or --before-pods with --before-nodes")
    return state_cluster(path, nodes=nodes, runtime=runtime, **live)


def _state_options(side: str) -> list[Any]:
    live = " Without it, the live cluster of the kubeconfig context is read." if side == "after" else ""
    return [
        click.option(f"--{side}", f"{side}_snapshot", type=click.Path(allow_dash=True), default=None,
                     help=f"The {side} state: a kubehash snapshot, a pods dump (with --{side}-nodes), or a directory "
                     f"holding pods.json, nodes.json and optionally runtime/.{live}"),
        click.option(f"--{side}-pods", type=_PATH, default=None,
                     help=f"The {side} state's pods: kubectl get pods -A -o json|yaml ('-' = stdin)."),
        click.option(f"--{side}-nodes", type=_PATH, default=None,
                     help=f"The {side} state's nodes: kubectl get nodes -o json|yaml."),
        click.option(f"--{side}-runtime", type=click.Path(), multiple=True,
                     help=f"crictl/docker inspect JSON of the {side} state (recorded hashes, container IDs): a "
                     "file or a directory (DIR/<node>/*.json). Repeatable."),
    ]  # fmt: skip


def _options(f: Any) -> Any:
    for opt in reversed([*_state_options("before"), *_state_options("after")]):
        f = opt(f)
    return f


@cli.command("audit", short_help="After a canary upgrade: which restarts were predicted, which were not.")
@_expected
@run_options(
    to_required=False,
    to_help="The kubelet version the upgraded nodes should run (default: none; each upgraded node is predicted "
    "to the version the after state reports, and nodes at another version than --to are warned about).",
)
@_options
@click.option(
    "--ignore-files",
    type=click.Path(),
    multiple=True,
    help="Ignore files active during the upgrade, in the 'kubehash ignore-file generate' layout "
    "(DIR/<node>/tmp/cache.version.save), or single files. Repeatable.",
)
@click.option("--context", default=None, help="kubeconfig context of the live cluster (the after state).")
@click.option("--kubeconfig", type=click.Path(dir_okay=False), default=None, help="kubeconfig file.")
@output_option()
@fail_on_option("a restart on an upgraded node was not predicted", alias="miss")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def audit_cmd(options: Options, expected: str | None, output: str, fail_on: str, quiet: bool,
              ignore_files: tuple[str, ...], context: str | None, kubeconfig: str | None,
              **states: Any) -> None:  # fmt: skip
    """Audit a canary upgrade: compare the before state (snapshot or dumps taken before the upgrade) with the
    after state (taken after the canary nodes were upgraded, or the live cluster). Nodes whose kubelet version
    changed are the upgraded ones; their containers are predicted from the before state, each node to the
    version the after state reports (with the same options as predict), and observed in the after state
    (container ID changed, restartCount grew, startedAt moved, container gone).

    Every container of the before state gets one class: restarted-not-predicted (a miss, with its evidence),
    predicted-not-restarted (with the likely why), predicted-and-restarted, unchanged-as-predicted,
    restarted-on-node-not-upgraded (unrelated to the upgrade). Pods new in the after state are counted.

    Exit codes: 0 the prediction held, 3 a restart on an upgraded node was not predicted (unless --fail-on
    never), 2 some input could not be read or decoded (reported on stderr; the rest is still audited), 1 usage
    error."""
    dashes = [k for k in ("before_snapshot", "before_pods", "before_nodes", "after_snapshot", "after_pods",
                          "after_nodes") if states[k] == "-"]  # fmt: skip
    if len(dashes) > 1:
        raise click.UsageError(f"only one input can be '-' (standard input): {', '.join(dashes)}")
    live = {"context": context, "kubeconfig": kubeconfig}
    before = _state("before", states, live)
    before = dataclasses.replace(before, ignore_files=tuple(ignore_files))
    after = _state("after", states, live)
    with pod_progress(None, quiet=quiet, label="before pods") as tick:
        result = audit_clusters(before, after, options, expected=expected, progress=tick)
    errors = print_errors(result.errors)
    if output not in ("table", "wide"):  # table and wide show them in their summary
        for line in result.warnings:
            click.echo(f"warning: {line}", err=True)
    write_stdout(functools.partial(write, result, output))
    exit_with(exit_code(errors=errors > 0, risks=not result.held, fail_on=fail_on))
