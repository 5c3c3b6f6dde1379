"""``kubehash preflight``: what an in-place kubelet upgrade breaks besides container hashes -- pods evicted
while the node is NotReady, pods failed on re-admission, and a kubelet that will not start at all."""

from __future__ import annotations

import functools
from typing import Any

import click

from kubehash.cli._common import (
    exit_code,
    exit_with,
    fail_on_option,
    output_option,
    print_errors,
    print_warnings,
    run_options,
    write_stdout,
)
from kubehash.cli._inputs import cluster_options
from kubehash.cli.app import cli
from kubehash.errors import KubehashError
from kubehash.kubelet.flags import is_bool_flag
from kubehash.model import KubeletArgs, KubeletConfigFile, node_kubelet_versions
from kubehash.pipeline.cluster import Cluster, connect, read_cluster
from kubehash.report import write
from kubehash.report.preflight import summary_line
from kubehash.sources.kubelet_args import load_kubelet_args, load_kubelet_configs, parse_configz
from kubehash.upgrade.options import Options
from kubehash.upgrade.preflight import preflight


@cli.command("preflight", short_help="Evictions, re-admission failures and kubelet flags the upgrade breaks.")
@run_options()
@cluster_options
@click.option(
    "--kubelet-flags",
    type=click.Path(exists=True),
    multiple=True,
    help="The kubelet's command line: a file (plain command line, /proc/<pid>/cmdline bytes, a systemd unit or "
    "drop-in, kubeadm-flags.env, /etc/default/kubelet) or DIR/<node>/... Repeatable.",
)
@click.option(
    "--kubelet-config",
    type=click.Path(exists=True),
    multiple=True,
    help="KubeletConfiguration files (YAML/JSON): a file, or DIR/<node>/... Repeatable.",
)
@click.option(
    "--configz",
    is_flag=True,
    help="Read each node's running kubelet configuration from the live cluster (/api/v1/nodes/<node>/proxy/"
    "configz; needs nodes/proxy access).",
)
@output_option()
@fail_on_option("a risk is found (an eviction, a failed pod, a kubelet that will not start)")
def preflight_cmd(
    options: Options,
    cluster: Cluster,
    kubelet_flags: tuple[str, ...],
    kubelet_config: tuple[str, ...],
    configz: bool,
    output: str,
    fail_on: str,
) -> None:
    """What upgrading the kubelets to --to breaks besides container hashes: pods the taint manager evicts while
    the node is NotReady (no NoExecute toleration for not-ready/unreachable), pods the restarted kubelet fails
    on re-admission (nodeSelector / required node affinity no longer matching), and flags or config fields the
    new kubelet no longer accepts (it exits at once with 'unknown flag'). Every finding comes with its fix.

    Without --pods/--nodes/--context and with --kubelet-flags or --kubelet-config, only the kubelet is checked
    (each node's version from --nodes, else --from). Exit codes: 0 no risk, 3 risks found, 2 input errors
    (malformed pod, node or kubelet file; unknown node), 1 usage error."""
    flags_only = (kubelet_flags or kubelet_config) and not (cluster.pods or cluster.nodes or cluster.context)
    pods = nodes = None
    problems: list[str] = []
    if not flags_only:
        state = read_cluster(cluster)
        pods, nodes, problems = state.snapshot.pods, state.snapshot.nodes, state.problems
        print_warnings(state.warnings)
    args = _kubelet_args(kubelet_flags)
    configs = [c for cs in load_kubelet_configs(kubelet_config).values() for c in cs] if kubelet_config else []
    if configz:
        configs += _configz(cluster, nodes)
    report = preflight(pods, nodes, options, kubelet_args=args, kubelet_configs=configs)
    errors = print_errors([*problems, *(_where(f) + f.detail for f in report.errors)])
    write_stdout(functools.partial(write, report, output))
    if output == "markdown":
        click.echo("\n" + summary_line(report), err=True)
    exit_with(exit_code(errors=errors > 0, risks=bool(report.risks), fail_on=fail_on))


def _kubelet_args(paths: tuple[str, ...]) -> list[KubeletArgs]:
    """Command lines per node (``DIR/<node>/...``; a file given alone belongs to no node)."""
    return list(load_kubelet_args(paths, is_bool=is_bool_flag).values()) if paths else []


def _configz(cluster: Cluster, nodes: list[Any] | None) -> list[KubeletConfigFile]:
    """Each node's running kubelet configuration, through the API server's node proxy."""
    live = connect(cluster)
    names = list(node_kubelet_versions(nodes if nodes is not None else list(live.iter_nodes())))
    out = []
    for name in names:
        try:
            out.append(parse_configz(live.node_configz(name), origin=f"node {name} /configz", node=name))
        except KubehashError as e:
            click.echo(f"warning: node {name}: /configz not readable: {e}", err=True)
    return out


def _where(f: object) -> str:
    pod, ns = getattr(f, "pod", None), getattr(f, "namespace", None)
    return f"pod {ns + '/' if ns else ''}{pod}: " if pod else ""
