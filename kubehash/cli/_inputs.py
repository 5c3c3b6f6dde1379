"""The cluster a command works on: ``--pods`` (a kubectl dump or a snapshot), ``--nodes``, ``--runtime``,
``--ignore-files``, or the live cluster of ``--context``/``--kubeconfig`` when ``--pods`` is not given -- the
same options, with the same meaning, for every command that reads pods."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any, overload

import click

from kubehash.pipeline.cluster import Cluster

__all__ = ["cluster_options"]

_KEYS = (
    "pods",
    "nodes",
    "runtime",
    "ignore_files",
    "context",
    "kubeconfig",
    "namespace",
    "all_namespaces",
    "request_timeout",
)


@overload
def cluster_options(
    f: Callable[..., Any], *, fleet: bool = False, ignore_files: bool = True
) -> Callable[..., Any]: ...


@overload
def cluster_options(
    f: None = None, *, fleet: bool = False, ignore_files: bool = True
) -> Callable[[Callable[..., Any]], Callable[..., Any]]: ...


def cluster_options(
    f: Callable[..., Any] | None = None, *, fleet: bool = False, ignore_files: bool = True
) -> Callable[..., Any]:
    """``--pods/--nodes/--runtime/--ignore-files`` and the live-cluster options ``--context/--kubeconfig/-n/-A``,
    passed to the command as one ``cluster:`` :class:`~kubehash.pipeline.cluster.Cluster` argument -- or, with
    ``fleet``, as ``clusters: list[Cluster]``: ``--pods`` and ``--context`` repeat, one cluster each (the
    ``--nodes`` given pair with the ``--pods`` in order)."""
    if f is None:
        return lambda g: cluster_options(g, fleet=fleet, ignore_files=ignore_files)

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        given = {k: kwargs.pop(k, ()) for k in _KEYS}
        if given["namespace"] is not None and given.pop("all_namespaces"):
            raise click.UsageError("-n/--namespace and -A/--all-namespaces are mutually exclusive")
        given.pop("all_namespaces", None)
        pods, nodes = given["pods"], given["nodes"]
        if "-" in (pods if fleet else [pods]) and "-" in (nodes if fleet else [nodes]):
            raise click.UsageError("only one of --pods and --nodes can be '-' (standard input)")
        given["runtime"] = tuple(given["runtime"])
        given["ignore_files"] = tuple(given["ignore_files"])
        if fleet:
            kwargs["clusters"] = _fleet(given)
        else:
            kwargs["cluster"] = Cluster(**given)
        return f(*args, **kwargs)

    path = click.Path(dir_okay=False, allow_dash=True)
    many = " Repeatable: one cluster each (a fleet)." if fleet else ""
    opts = [
        click.option(
            "--pods",
            type=path,
            default=None,
            multiple=fleet,
            help="Pods: a kubectl get pods -A -o json|yaml dump, or a kubehash snapshot ('-' = stdin). "
            "Without it the live cluster of the kubeconfig context is read." + many,
        ),
        click.option(
            "--nodes",
            type=path,
            default=None,
            multiple=fleet,
            help="Nodes: kubectl get nodes -o json|yaml."
            + (" Repeatable, paired with --pods in order." if fleet else ""),
        ),
        click.option(
            "--runtime",
            type=click.Path(),
            multiple=True,
            help="crictl/docker inspect JSON with recorded hashes: a file or a directory (DIR/<node>/*.json). "
            "Repeatable.",
        ),
        click.option(
            "--ignore-files",
            type=click.Path(),
            multiple=True,
            help="Ignore files in the 'kubehash ignore-file generate' layout (DIR/<node>/tmp/cache.version.save), "
            "or single files. Repeatable.",
        ),
        click.option("--context", default=None, multiple=fleet, help="kubeconfig context of the live cluster." + many),
        click.option(
            "--kubeconfig",
            type=click.Path(dir_okay=False),
            default=None,
            help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config).",
        ),
        click.option("-n", "--namespace", default=None, help="Only pods in this namespace."),
        click.option("-A", "--all-namespaces", is_flag=True, help="Every namespace (the default)."),
        click.option(
            "--request-timeout",
            default="60s",
            show_default=True,
            callback=_duration,
            help="Live cluster: how long one request may take (kubectl's syntax: 30s, 2m, 1h; 0: no limit).",
        ),
    ]
    if not ignore_files:
        opts = [o for o in opts if "--ignore-files" not in _names(o)]
    for opt in reversed(opts):
        command = opt(command)
    return command


def _names(decorator: Callable[..., Any]) -> tuple[str, ...]:
    """The option names a ``click.option`` decorator declares (read from a throwaway command)."""
    probe = decorator(lambda **_kw: None)
    return tuple(n for p in getattr(probe, "__click_params__", ()) for n in p.opts)


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    """kubectl's ``--request-timeout`` syntax: a number with a unit (``1s``, ``2m``, ``3h``), a bare number of
    seconds, or 0 for no limit."""
    if value is None:
        return None
    m = _DURATION.fullmatch(value.strip())
    if m is None:
        raise click.BadParameter(f"{value!r} is not a duration like 30s, 2m or 1h (0: no limit)")
    seconds = float(m.group(1)) * _UNITS[m.group(2) or "s"]
    return None if seconds == 0 else seconds


_DURATION = re.compile(r"([0-9]{1,9}(?:\.[0-9]{1,6})?)(ms|s|m|h)?")
_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def _fleet(given: dict[str, Any]) -> list[Cluster]:
    """One cluster per ``--pods`` (paired with its ``--nodes``) and per ``--context``; given neither, the
    default live cluster."""
    pods, nodes, contexts = (
        list(given.pop("pods") or ()),
        list(given.pop("nodes") or ()),
        list(given.pop("context") or ()),
    )
    _check_fleet(given, pods, nodes, contexts)
    first_nodes = nodes[0] if nodes else None
    clusters = [Cluster(**given, pods=p, nodes=nodes[i] if nodes else None) for i, p in enumerate(pods)]
    clusters += [Cluster(**given, context=c, nodes=None if pods else first_nodes) for c in contexts]
    if not clusters:
        clusters.append(Cluster(**given, nodes=first_nodes))
    return clusters


def _check_fleet(given: dict[str, Any], pods: list[str], nodes: list[str], contexts: list[str]) -> None:
    """The fleet option combinations that are usage errors: per-cluster inputs for several clusters, and
    ``--nodes`` that do not pair one to one with ``--pods``."""
    if len(pods) + len(contexts) > 1 and (given["runtime"] or given["ignore_files"]):
        raise click.UsageError("--runtime and --ignore-files apply to one cluster, not to a fleet")
    if pods and nodes and len(nodes) not in (1, len(pods)):
        raise click.UsageError(f"{len(nodes)} --nodes for {len(pods)} --pods: give one --nodes per --pods, in order")
    if len(pods) > 1 and len(nodes) == 1:
        raise click.UsageError("one --nodes for several --pods: give one --nodes per --pods, in order")
