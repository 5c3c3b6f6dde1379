"""``kubehash predict``: which running containers an in-place kubelet upgrade restarts, and why."""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import TextIO

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
from kubehash.cli._inputs import cluster_options
from kubehash.cli.app import cli
from kubehash.cli.progress import pod_progress
from kubehash.errors import InputError
from kubehash.model.workloads import TEMPLATE_PATHS
from kubehash.pipeline.cluster import Cluster
from kubehash.pipeline.fleet import predict_fleet
from kubehash.report import write
from kubehash.report.prediction import manifests_line
from kubehash.report.text import printable
from kubehash.sources.gcpause import gc_paused
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import Prediction


@cli.command("predict", short_help="Which running containers an in-place kubelet upgrade restarts, and why.")
@run_options()
@cluster_options(fleet=True)
@click.option(
    "--manifests",
    type=click.Path(allow_dash=True),
    multiple=True,
    help="Predict before deploying: workload manifests (YAML/JSON, multi-document, Lists; a directory is read "
    "recursively; '-' = stdin), each object with a pod template taken as one pod created through a --from API "
    "server and running under a --from kubelet. Repeatable; needs --from.",
)
@click.option(
    "--static-pods",
    type=click.Path(allow_dash=True),
    multiple=True,
    help="Kubelet static-pod manifest files (or the kubelet's manifest directory, e.g. /etc/kubernetes/manifests), "
    "decoded and defaulted by the --from kubelet on the old side and the --to kubelet on the new. Repeatable; "
    "needs --from.",
)
@output_option()
@fail_on_option("a restart is predicted", alias="restart")
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes (0: as many as pay off now: one per CPU that other work leaves idle, measured over 0.2 s, "
    "within the container's CPU quota, at most 8; one for a file under 64 MiB). A JSON or YAML List in a "
    "regular file is split between them; a fleet's clusters are predicted side by side. Standard input, a pipe, "
    "a single object and a live cluster cannot be split: one process reads them. Same results whatever the "
    "number.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def predict_cmd(
    options: Options,
    clusters: list[Cluster],
    manifests: tuple[str, ...],
    static_pods: tuple[str, ...],
    output: str,
    fail_on: str,
    jobs: int,
    quiet: bool,
) -> None:
    """Predict, for every container of the cluster (or fleet), whether upgrading its node's kubelet to --to
    restarts it, and why.

    The cluster is a dump (--pods, with --nodes), a kubehash snapshot, or the live cluster of the kubeconfig
    context; repeat --pods/--context for a fleet. With --manifests/--static-pods the pods are made from
    manifests instead (before anything is deployed, e.g. in CI): every container of every pod template, as a
    --from cluster runs it. Exit codes: 0 no restart predicted, 3 restarts predicted
    (unless --fail-on never), 2 some input could not be read or decoded (reported on stderr; the rest is still
    predicted), 1 usage error."""
    if manifests or static_pods:
        clusters = [_from_manifests(clusters, manifests, static_pods, options)]
    with pod_progress(None, quiet=quiet) as tick:
        result = predict_fleet(clusters, options, jobs=jobs, progress=tick)
    if len(result) == 0 and not result.input_errors:
        what = "no object with a pod template" if clusters[0].from_manifests else "no pods"
        raise InputError(f"{', '.join(c.label for c in clusters)}: {what} found{_manifests_hint(result.warnings)}")
    errors = print_errors([*result.input_errors, *(c.error or "" for c in result.errors)])
    if output not in ("table", "wide"):  # table and wide show them in their summary, on the same screen
        for line in result.warnings:
            click.echo(f"warning: {line}", err=True)
    with gc_paused():  # formatting 100k+ rows allocates millions of objects, none of them garbage
        write_stdout(functools.partial(_write, result, output))
    exit_with(exit_code(errors=errors > 0, risks=bool(result.restarts), fail_on=fail_on))


def _from_manifests(
    clusters: list[Cluster], manifests: tuple[str, ...], static_pods: tuple[str, ...], options: Options
) -> Cluster:
    """The one "cluster" that manifests make: nothing else may be given with them."""
    if options.from_version is None:
        raise click.UsageError("--manifests/--static-pods need --from: the Kubernetes version their pods run under now")
    if len(clusters) > 1:
        raise click.UsageError("--manifests/--static-pods are predicted on their own, not with a fleet")
    try:
        return dataclasses.replace(clusters[0], manifests=manifests, static_pods=static_pods)
    except InputError as e:
        raise click.UsageError(str(e)) from None


_NOT_PODS = re.compile(r"(.*) in the pods input: not pods, skipped$")


def _manifests_hint(warnings: list[str]) -> str:
    """When the --pods input held workload objects (Deployments, ...) and no pods: say so, and that
    --manifests predicts them (the predictor's "not pods, skipped" warning counts them)."""
    for line in warnings:
        m = _NOT_PODS.match(line)
        if m is None:
            continue
        counts = [item.split(" ", 1) for item in m.group(1).split(", ")]
        workloads = [f"{n} {kind}" for n, kind in counts if kind in TEMPLATE_PATHS and kind != "Pod"]
        if workloads:
            return (
                f"; it holds workload objects ({', '.join(workloads)}): manifests, not pods read from a cluster -- "
                "predict them with --manifests instead of --pods"
            )
    return ""


def _write(result: Prediction, output: str, out: TextIO) -> None:
    """The report; for ``markdown`` of manifests, the line of what was read after the table (a footer, as the
    table and wide outputs show it in their summary)."""
    write(result, output, out)
    if output == "markdown" and result.manifests:
        out.write("\n" + printable(manifests_line(result.manifests)))
