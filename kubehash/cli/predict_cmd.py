"""``kubehash predict``: which running containers an in-place kubelet upgrade restarts, and why."""

from __future__ import annotations

import functools
import sys
from typing import Any

import click

from kubehash import exitcodes
from kubehash.cli._common import (
    feature_gates_for,
    parse_time,
    version_option,
    version_text_option,
    write_stdout,
)
from kubehash.cli._inputs import cluster_options
from kubehash.cli.app import cli
from kubehash.cli.progress import pod_progress
from kubehash.errors import InputError, KubehashError
from kubehash.kubelet import gates as _kubelet_gates
from kubehash.pipeline.cluster import Cluster
from kubehash.pipeline.fleet import predict_fleet
from kubehash.report import FORMATS as PREDICT_FORMATS
from kubehash.report import write
from kubehash.sources.gcpause import gc_paused
from kubehash.upgrade.ignorefile.rules import RULES
from kubehash.upgrade.options import Options


@cli.command("predict")
@click.option("--to", "to_version", required=True, callback=version_text_option, help="Target kubelet version.")
@cluster_options(fleet=True)
@click.option(
    "--from",
    "from_version",
    default=None,
    callback=version_option,
    help="Current kubelet version for pods whose node is not in --nodes.",
)
@click.option(
    "--control-plane-version",
    default=None,
    callback=version_option,
    help="apiserver version whose defaults apply to the new side (default: the target).",
)
@click.option("--old-go-version", default=None, help="Go version of the current kubelets (default: release table).")
@click.option("--new-go-version", default=None, help="Go version of the target kubelet (default: release table).")
@click.option("-o", "--output", type=click.Choice(PREDICT_FORMATS), default="table", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(["restart", "never"]),
    default="restart",
    show_default=True,
    help="Exit 3 when a restart is predicted ('never': exit 0).",
)
@click.option(
    "--ignore-rule",
    type=click.Choice(RULES),
    default="public",
    show_default=True,
    help="The patched kubelet's rule: public (version text differs) or seed (recorded version older).",
)
@click.option(
    "--kubelet-start",
    default=None,
    help="When the new kubelet starts (Unix seconds/ISO); default: after every running container.",
)
@click.option(
    "--feature-gates",
    default=None,
    help="Control plane feature gates that change defaults, e.g. InPlacePodVerticalScaling=true.",
)
@click.option(
    "--kubelet-feature-gates",
    default=None,
    help="The target kubelet's feature gates, e.g. InPlacePodVerticalScaling=true (1.27-1.30: hashWithoutResources "
    "decides) or SidecarContainers=false (1.32+: sidecars not compared). Default: that minor's defaults.",
)
@click.option(
    "--old-kubelet-feature-gates",
    default=None,
    help="Feature gates of the kubelets that started the running containers (each node's minor; gates it "
    "lacks or has locked are ignored), e.g. InPlacePodVerticalScaling=true: they wrote hashWithoutResources.",
)
@click.option(
    "--defaults/--no-defaults",
    default=True,
    show_default=True,
    help="Apply the control plane's (static pods: the new kubelet's) defaults to the new side.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Processes that parse and predict parts of a --pods dump file (0 = one per CPU). Same results.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def predict_cmd(
    to_version: str,
    clusters: list[Cluster],
    from_version: str | None,
    control_plane_version: str | None,
    old_go_version: str | None,
    new_go_version: str | None,
    output: str,
    fail_on: str,
    ignore_rule: str,
    kubelet_start: str | None,
    feature_gates: str | None,
    kubelet_feature_gates: str | None,
    old_kubelet_feature_gates: str | None,
    defaults: bool,
    jobs: int,
    quiet: bool,
) -> None:
    """Predict, for every container in the cluster, whether upgrading its node's kubelet to --to restarts it.

    Exit codes: 0 no restart predicted, 3 restarts predicted (unless --fail-on never), 2 some input could not
    be read or decoded (reported on stderr; everything else is still predicted), 1 usage error."""
    started = parse_time(kubelet_start, "--kubelet-start") if kubelet_start else None
    gates = feature_gates_for(feature_gates, control_plane_version or to_version)
    kubelet_gates = feature_gates_for(
        kubelet_feature_gates, to_version, option="--kubelet-feature-gates", check=_kubelet_gates.kubelet_gates
    )
    old_kubelet_gates = feature_gates_for(
        old_kubelet_feature_gates,
        from_version or to_version,  # names and values are checked; each node's minor picks what applies
        option="--old-kubelet-feature-gates",
        check=_kubelet_gates.old_kubelet_gates,
    )
    try:
        options = Options(
            to=to_version,
            from_version=from_version,
            control_plane=control_plane_version,
            old_go=old_go_version,
            new_go=new_go_version,
            ignore_rule=ignore_rule,  # type: ignore[arg-type]
            kubelet_started=started,
            defaults=defaults,
            feature_gates=gates or {},
            kubelet_feature_gates=kubelet_gates or {},
            old_kubelet_feature_gates=old_kubelet_gates or {},
        )
    except KubehashError as e:
        raise click.UsageError(str(e)) from None
    try:
        with pod_progress(None, quiet=quiet) as tick:
            result = predict_fleet(clusters, options, jobs=jobs, progress=tick)
    except InputError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    if len(result) == 0:
        click.echo(f"error: {', '.join(c.label for c in clusters)}: no pods found", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    for c in result.errors:
        click.echo(f"error: {c.error}", err=True)
    for msg in result.input_errors:
        click.echo(f"error: {msg}", err=True)
    with gc_paused():  # formatting 100k+ rows allocates millions of objects, none of them garbage
        write_stdout(functools.partial(write, result, output))
    sys.exit(_exit_code(result, fail_on))


def _exit_code(result: Any, fail_on: str) -> int:
    if result.errors or result.input_errors:
        return exitcodes.INPUT_ERROR
    if fail_on == "restart" and result.restarts:
        return exitcodes.RESTARTS
    return exitcodes.OK
