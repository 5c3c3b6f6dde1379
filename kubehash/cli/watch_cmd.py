"""``kubehash watch``: during the upgrade, one line per event that matters, a running tally, a summary at the end."""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from kubehash import exitcodes
from kubehash.cli._common import exit_with, fail_on_option, output_option, print_errors, run_options
from kubehash.cli._inputs import _duration
from kubehash.cli.app import cli
from kubehash.errors import InputError, KubehashError
from kubehash.pipeline.cluster import Cluster, connect, read_cluster
from kubehash.pipeline.watch import Baseline, final_audit, watch_cluster
from kubehash.report.watch import WatchPrinter
from kubehash.sources.documents import load_documents
from kubehash.sources.snapshot import Snapshot
from kubehash.sources.watch import ClusterWatch
from kubehash.upgrade.options import Options
from kubehash.upgrade.watch_events import Expectations, Tracker
from kubehash.upgrade.watch_expect import BaselinePredictions, PredictedRestarts

#: The prediction options (besides --to) and their values when not given.
_PREDICTION_OPTIONS: tuple[tuple[str, str, tuple[Any, ...]], ...] = (
    ("from_version", "--from", (None,)),
    ("control_plane", "--control-plane", (None,)),
    ("feature_gates", "--feature-gates", ({}, None)),
    ("kubelet_feature_gates", "--kubelet-feature-gates", ({}, None)),
    ("old_kubelet_feature_gates", "--old-kubelet-feature-gates", ({}, None)),
    ("old_go", "--old-go-version", (None,)),
    ("new_go", "--new-go-version", (None,)),
    ("defaults", "--no-defaults", (True,)),
    ("ignore_rule", "--ignore-rule", ("public",)),
    ("kubelet_started", "--kubelet-start", (None,)),
)


def _prediction_options_need_to(f: Callable[..., Any]) -> Callable[..., Any]:
    """The prediction options shape predictions made from --baseline: they need --to (which checks them)
    and make no sense with --prediction (already made)."""

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        given = [opt for key, opt, unset in _PREDICTION_OPTIONS if kwargs.get(key) not in unset]
        if kwargs.get("prediction") is not None and (given or kwargs.get("to") is not None):
            opts = ", ".join(["--to", *given] if kwargs.get("to") is not None else given)
            raise click.UsageError(f"{opts}: with --prediction the prediction is already made; drop them")
        if given and kwargs.get("to") is None:
            raise click.UsageError(f"{', '.join(given)} shape the predictions made from --baseline: give --to too")
        return f(*args, **kwargs)

    return command


@contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT (Ctrl-C) and SIGTERM while the watch runs (the previous handlers come back after)."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    for s in previous:
        signal.signal(s, handler)
    try:
        yield stop
    finally:
        for s, h in previous.items():
            signal.signal(s, h)


def _reader_gone(stop: threading.Event) -> None:
    """Standard output's reader went away (``| head``): stop watching; the rest of the output goes to the null
    device (so the flush at exit cannot fail either)."""
    stop.set()
    with contextlib.suppress(OSError, ValueError):  # not a real file (captured output): nothing to do
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def _load_prediction(path: str) -> PredictedRestarts:
    docs = load_documents(path)
    if len(docs) != 1:
        raise InputError(f"{path}: expected one 'kubehash predict -o json' document, found {len(docs)}")
    return PredictedRestarts(docs[0], name=path)


def _expectations(
    snapshot: Snapshot | None, prediction: str | None, options: Options | None
) -> tuple[Expectations, Baseline]:
    if prediction is not None:
        predicted = _load_prediction(prediction)
        if snapshot is None:
            return predicted, Baseline(versions=predicted.old_versions)
        return predicted, Baseline(pods=snapshot.pods, nodes=snapshot.nodes, runtime=snapshot.runtime)
    assert snapshot is not None
    expect = BaselinePredictions(snapshot.pods, nodes=snapshot.nodes, runtime=snapshot.runtime, options=options)
    return expect, Baseline(pods=snapshot.pods, nodes=snapshot.nodes, runtime=snapshot.runtime)


@cli.command("watch", short_help="During the upgrade: restarts (expected/UNEXPECTED), node upgrades, evictions.")
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="The cluster before the upgrade: a kubehash snapshot, or a kubectl get pods -A -o json dump (with "
    "--baseline-nodes). Without --prediction, each node's pods are predicted from it when the node's kubelet "
    "version changes, to the version it reports.",
)
@click.option("--baseline-nodes", type=click.Path(dir_okay=False), default=None, help="Nodes before the upgrade.")
@click.option(
    "--prediction",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="The prediction to hold the cluster to: kubehash predict -o json output.",
)
@click.option("--context", default=None, help="kubeconfig context of the live cluster.")
@click.option("--kubeconfig", type=click.Path(dir_okay=False), default=None, help="kubeconfig file.")
@click.option("-n", "--namespace", default=None, help="Only pods in this namespace.")
@click.option(
    "--request-timeout",
    default="60s",
    show_default=True,
    callback=_duration,
    help="How long connecting and each wait for the server may take (30s, 2m; 0: no limit).",
)
@_prediction_options_need_to
@run_options(
    to_required=False,
    to_help="The target kubelet version, with --baseline: checks the prediction options (each node is still "
    "predicted to the version it reports).",
)
@output_option(("table", "json"))
@fail_on_option("an UNEXPECTED restart was seen")
@click.option("--timeout", type=click.FloatRange(min=0), default=None, help="Stop after this many seconds.")
@click.option(
    "--grace",
    type=click.FloatRange(min=0),
    default=30.0,
    show_default=True,
    help="Seconds a restart on a node not yet seen upgraded waits for the node's new version before it is "
    "called unrelated (the pod and node streams are not ordered).",
)
@click.option(
    "--tally-every", type=click.FloatRange(min=0), default=10.0, show_default=True, help="Seconds between tally lines."
)
@click.option(
    "--watch-seconds",
    type=click.IntRange(min=1),
    default=300,
    show_default=True,
    help="How long each watch request lasts on the server (it ends it; the next resumes where it stopped).",
)
def watch_cmd(
    baseline: str | None,
    baseline_nodes: str | None,
    prediction: str | None,
    context: str | None,
    kubeconfig: str | None,
    namespace: str | None,
    request_timeout: float | None,
    options: Options | None,
    output: str,
    fail_on: str,
    timeout: float | None,
    grace: float,
    tally_every: float,
    watch_seconds: int,
) -> None:
    """Watch the live cluster's pods and nodes during an upgrade and print one line per event that matters:
    a node's kubelet version changed; a container restarted -- expected (predicted), UNEXPECTED (on an
    upgraded node, not predicted) or unrelated (node not upgraded); a pod left Running; a pod was evicted.
    A tally follows; Ctrl-C, SIGTERM or --timeout stop it and print the summary, and -- with --baseline --
    the final audit of the baseline against the cluster as last seen (as kubehash audit).

    Exit codes: 0 the prediction held, 1 usage error, 2 input error (cluster unreachable, unreadable
    baseline or prediction), 3 an UNEXPECTED restart was seen or the final audit found a miss (with
    --fail-on risk)."""
    snapshot = _read_baseline(baseline, baseline_nodes, prediction, namespace)
    expectations, base = _expectations(snapshot, prediction, options)
    cluster = Cluster(context=context, kubeconfig=kubeconfig, namespace=namespace, request_timeout=request_timeout)
    live = connect(cluster)
    tracker = Tracker(expectations, grace=grace)
    source = ClusterWatch(live, namespace=namespace, watch_seconds=watch_seconds)
    with _stop_on_signals() as stop:
        printer = WatchPrinter(
            sys.stdout, sys.stderr, output, tally_every=tally_every, on_closed=lambda: _reader_gone(stop)
        )
        end = watch_cluster(source, tracker, printer, baseline=base, stop=stop, timeout=timeout)
    expected = options.to if options is not None else getattr(expectations, "to", None)
    result = audit_error = None
    try:
        result = final_audit(base, tracker, options, expected)
    except KubehashError as e:
        audit_error = f"the final audit failed: {e}"
    printer.summary(tracker, end.reason, end.seconds, str(end.error or audit_error or "") or None, result)
    exit_with(_exit_code(end.error, audit_error, bool(tracker.unexpected) or (result is not None and not result.held),
                         fail_on))  # fmt: skip


def _read_baseline(
    baseline: str | None, baseline_nodes: str | None, prediction: str | None, namespace: str | None
) -> Snapshot | None:
    if baseline is None and prediction is None:
        raise click.UsageError("give --baseline (a snapshot from before the upgrade), --prediction, or both")
    if baseline_nodes is not None and baseline is None:
        raise click.UsageError("--baseline-nodes needs --baseline")
    if baseline is None:
        return None
    state = read_cluster(Cluster(pods=baseline, nodes=baseline_nodes, namespace=namespace))
    print_errors(state.problems)
    return state.snapshot


def _exit_code(error: Exception | None, audit_error: str | None, missed: bool, fail_on: str) -> int:
    """2 when the watch or the final audit failed (said on stderr), 3 on a miss (with --fail-on risk), else 0."""
    for problem in (audit_error, error):
        if problem is not None:
            click.echo(f"error: {problem}", err=True)
    if error is not None or audit_error is not None:
        return exitcodes.INPUT_ERROR
    return exitcodes.RESTARTS if missed and fail_on == "risk" else exitcodes.OK
