"""``kubehash preflight``: pods an in-place kubelet upgrade evicts or fails for reasons other than hashes
(taint-based eviction while the node is NotReady, node affinity re-checked on kubelet restart)."""

from __future__ import annotations

import sys

import click

from kubehash import exitcodes
from kubehash.cli._common import TABLE_FORMATS, load_or_exit, version_option
from kubehash.cli.app import cli
from kubehash.report import render
from kubehash.report.preflight import summary_line


@cli.command("preflight")
@click.option("--to", "to_version", required=True, callback=version_option, help="Target kubelet version.")
@click.option(
    "--from",
    "from_version",
    default=None,
    callback=version_option,
    help="Current version, for nodes that do not report status.nodeInfo.kubeletVersion.",
)
@click.option("--pods", "pods_file", required=True, help="Pods: kubectl get pods -A -o json|yaml ('-' for stdin).")
@click.option("--nodes", "nodes_file", required=True, help="Nodes: kubectl get nodes -o json|yaml.")
@click.option("-o", "--output", type=click.Choice(TABLE_FORMATS), default="table", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(["risk", "never"]),
    default="risk",
    show_default=True,
    help="Exit 3 when a risk is found ('never': exit 0).",
)
def preflight_cmd(
    to_version: str, from_version: str | None, pods_file: str, nodes_file: str, output: str, fail_on: str
) -> None:
    """Pods the upgrade to --to evicts (no NoExecute toleration for not-ready/unreachable) or fails on
    kubelet restart (nodeSelector / required node affinity no longer matching the node), with fixes.

    Exit status: 0 no risk, 3 risks found, 2 input errors (malformed pod or node, unknown node), 1 usage."""
    from kubehash.upgrade.options import Options
    from kubehash.upgrade.preflight import preflight

    if pods_file == "-" and nodes_file == "-":
        raise click.UsageError("only one of --pods and --nodes can be '-'")
    pods = load_or_exit(pods_file)
    nodes = load_or_exit(nodes_file)
    report = preflight(pods, nodes, Options(to=to_version, from_version=from_version))
    for f in report.errors:
        who = f"pod {f.namespace + '/' if f.namespace else ''}{f.pod}: " if f.pod else ""
        click.echo(f"error: {who}{f.detail}", err=True)
    click.echo(render(report, output), nl=False)
    if output == "markdown":
        click.echo("\n" + summary_line(report), err=True)
    if report.errors:
        sys.exit(exitcodes.INPUT_ERROR)
    if report.risks and fail_on == "risk":
        sys.exit(exitcodes.RESTARTS)
    sys.exit(exitcodes.OK)
