"""``kubehash plan``: the in-place kubelet upgrade hops the version skew policy allows, with the predicted
container restarts of each (and the kubelet flags each removes), versus the direct jump."""

from __future__ import annotations

import functools

from kubehash.cli._common import (
    exit_code,
    exit_with,
    output_option,
    print_errors,
    print_warnings,
    run_options,
    write_stdout,
)
from kubehash.cli._inputs import cluster_options
from kubehash.cli.app import cli
from kubehash.errors import InputError
from kubehash.pipeline.cluster import Cluster, read_cluster
from kubehash.report import write
from kubehash.upgrade.options import Options
from kubehash.upgrade.plan.planner import plan


@cli.command("plan", short_help="The upgrade hops the skew policy allows, and what each restarts.")
@run_options()
@cluster_options
@output_option()
def plan_cmd(options: Options, cluster: Cluster, output: str) -> None:
    """Compare upgrade paths from --from (default: the oldest kubelet of the nodes) to --to: every hop the
    version skew policy allows (kubelet never newer than kube-apiserver, at most 2 minors older, 3 from kubelet
    1.25; the control plane one minor at a time), the container restarts each hop causes and the kubelet flags
    it removes, the cheapest path and the direct jump. --runtime records give the hashes the running containers
    were started with (the first hop compares against them).

    Every version is a patch release with its Go toolchain (shown per hop): a bare minor is its newest patch, as
    in predict, so each hop restarts what predict --to <that patch> says. A same-minor --to (1.28.0 -> 1.28.15)
    is one patch hop; a start on an older patch also gets the path "patch-first" (its minor's newest patch,
    then minor by minor). Nodes newer than --to are left as they are (a warning per node).

    Exit codes: 0 planned, 2 input error (unreadable file, undecodable container, a node whose kubelet version
    cannot be read: reported on stderr and in the output, the rest is still planned), 1 usage error."""
    state = read_cluster(cluster)
    print_warnings(state.warnings)
    snap = state.snapshot
    result = plan(snap.pods, options, nodes=snap.nodes or None, runtime=snap.runtime)
    if result.containers == 0 and not result.errors:
        raise InputError(f"{cluster.label}: no pods found")
    print_warnings(result.warnings)
    hops = [*result.hops, *result.direct.hops]
    errors = [*state.problems, *result.errors.values()]
    errors += sorted({c.error or "" for h in hops for c in h.prediction.errors})
    errors += sorted({e for h in hops for e in h.prediction.input_errors} - set(errors))
    n = print_errors(errors)
    write_stdout(functools.partial(write, result, output))
    exit_with(exit_code(errors=n > 0, risks=False, fail_on="never"))
