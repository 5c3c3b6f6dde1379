"""``kubehash plan``: the in-place kubelet upgrade hops the version skew policy allows, with the predicted
container restarts of each, versus the direct jump."""

from __future__ import annotations

import functools
import sys

import click

from kubehash import exitcodes
from kubehash.cli._common import version_option, write_stdout
from kubehash.cli._inputs import cluster_options
from kubehash.cli.app import cli
from kubehash.errors import KubehashError
from kubehash.pipeline.cluster import Cluster, read_cluster
from kubehash.report import FORMATS as PLAN_FORMATS
from kubehash.report import write
from kubehash.upgrade.options import Options
from kubehash.upgrade.plan.planner import plan


@cli.command("plan")
@click.option(
    "--from",
    "from_version",
    default=None,
    callback=version_option,
    help="Kubelet version the plan starts from (default: the oldest kubelet in --nodes).",
)
@click.option("--to", "to_version", required=True, callback=version_option, help="Target kubelet version.")
@cluster_options
@click.option(
    "--defaults/--no-defaults",
    default=True,
    show_default=True,
    help="Hash each pod as each hop's API server serves it (its defaults, default feature gates).",
)
@click.option("-o", "--output", type=click.Choice(PLAN_FORMATS), default="table", show_default=True)
def plan_cmd(
    from_version: str | None,
    to_version: str,
    cluster: Cluster,
    defaults: bool,
    output: str,
) -> None:
    """Compare upgrade paths from --from to --to: every hop the version skew policy allows (kubelet never newer
    than kube-apiserver, at most 2 minors older, 3 from kubelet 1.25; the control plane one minor at a time),
    the container restarts each hop causes, the cheapest path and the direct jump. --runtime records give the
    hashes the running containers were started with (the first hop compares against them).

    Exit codes: 0 planned, 2 input error (unreadable file, undecodable container: reported on stderr, the rest
    is still planned), 1 usage error."""
    try:
        state = read_cluster(cluster)
    except KubehashError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    snap, problems = state.snapshot, state.problems
    try:
        result = plan(
            snap.pods,
            Options(to=to_version, from_version=from_version, defaults=defaults),
            nodes=snap.nodes or None,
            runtime=snap.runtime,
        )
    except KubehashError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    if result.containers == 0:
        click.echo(f"error: {cluster.label}: no pods found", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    hops = [*result.hops, *result.direct.hops]
    errors = [*problems, *sorted({c.error or "" for h in hops for c in h.prediction.errors})]
    errors += sorted({e for h in hops for e in h.prediction.input_errors} - set(errors))
    for e in errors:
        click.echo(f"error: {e}", err=True)
    write_stdout(functools.partial(write, result, output))
    sys.exit(exitcodes.INPUT_ERROR if errors else exitcodes.OK)
