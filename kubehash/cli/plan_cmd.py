"""``kubehash plan``: the in-place kubelet upgrade hops the version skew policy allows, with the predicted
container restarts of each, versus the direct jump."""

from __future__ import annotations

import sys

import click

from kubehash import exitcodes
from kubehash.cli._common import load_or_exit, version_option
from kubehash.cli.app import cli
from kubehash.errors import KubehashError
from kubehash.report.plan import PLAN_FORMATS, render_plan
from kubehash.upgrade.plan import plan


@cli.command("plan")
@click.option(
    "--from",
    "from_version",
    default=None,
    callback=version_option,
    help="Kubelet version the plan starts from (default: the oldest kubelet in --nodes).",
)
@click.option("--to", "to_version", required=True, callback=version_option, help="Target kubelet version.")
@click.option("--pods", "pods_file", required=True, help="Pods: kubectl get pods -A -o json|yaml dump ('-' = stdin).")
@click.option("--nodes", "nodes_file", default=None, help="Nodes: kubectl get nodes -o json|yaml (kubelet versions).")
@click.option(
    "--defaults/--no-defaults",
    default=True,
    show_default=True,
    help="Hash each pod as each hop's API server serves it (its defaults, default feature gates).",
)
@click.option("-o", "--output", type=click.Choice(PLAN_FORMATS), default="table", show_default=True)
def plan_cmd(
    from_version: str | None, to_version: str, pods_file: str, nodes_file: str | None, defaults: bool, output: str
) -> None:
    """Compare upgrade paths from --from to --to: every hop the version skew policy allows (kubelet never newer
    than kube-apiserver, at most 2 minors older, 3 from kubelet 1.25; the control plane one minor at a time),
    the container restarts each hop causes, the cheapest path and the direct jump.

    Exit codes: 0 planned, 2 input error (unreadable file, undecodable container: reported on stderr, the rest
    is still planned), 1 usage error."""
    pods = load_or_exit(pods_file)
    nodes = load_or_exit(nodes_file) if nodes_file else None
    try:
        result = plan(
            pods,
            to=to_version,
            nodes=nodes,
            from_version=from_version,
            defaults=defaults,
        )
    except KubehashError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    if result.containers == 0:
        click.echo(f"error: {pods_file}: no pods found", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    errors = sorted({c.error or "" for h in [*result.hops, *result.direct.hops] for c in h.prediction.errors})
    for e in errors:
        click.echo(f"error: {e}", err=True)
    click.echo(render_plan(result, output), nl=False)
    sys.exit(exitcodes.INPUT_ERROR if errors else exitcodes.OK)
