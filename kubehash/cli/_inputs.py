"""The cluster a command works on: ``--pods`` (a kubectl dump or a snapshot), ``--nodes``, ``--runtime``,
``--ignore-files``, or the live cluster of ``--context``/``--kubeconfig`` when ``--pods`` is not given -- the
same options, with the same meaning, for every command that reads pods."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click

from kubehash.pipeline.cluster import Cluster

__all__ = ["cluster_options"]

_KEYS = ("pods", "nodes", "runtime", "ignore_files", "context", "kubeconfig", "namespace", "all_namespaces")


def cluster_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """``--pods/--nodes/--runtime/--ignore-files`` and the live-cluster options ``--context/--kubeconfig/-n/-A``,
    passed to the command as one ``cluster:`` :class:`~kubehash.pipeline.cluster.Cluster` argument."""

    @functools.wraps(f)
    def command(*args: Any, **kwargs: Any) -> Any:
        given = {k: kwargs.pop(k) for k in _KEYS}
        if given["namespace"] is not None and given.pop("all_namespaces"):
            raise click.UsageError("-n/--namespace and -A/--all-namespaces are mutually exclusive")
        given.pop("all_namespaces", None)
        given["runtime"] = tuple(given["runtime"])
        given["ignore_files"] = tuple(given["ignore_files"])
        kwargs["cluster"] = Cluster(**given)
        return f(*args, **kwargs)

    path = click.Path(dir_okay=False, allow_dash=True)
    opts = [
        click.option(
            "--pods",
            type=path,
            default=None,
            help="Pods: a kubectl get pods -A -o json|yaml dump, or a kubehash snapshot ('-' = stdin). "
            "Without it the live cluster of the kubeconfig context is read.",
        ),
        click.option("--nodes", type=path, default=None, help="Nodes: kubectl get nodes -o json|yaml."),
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
        click.option("--context", default=None, help="kubeconfig context of the live cluster."),
        click.option(
            "--kubeconfig",
            type=click.Path(dir_okay=False),
            default=None,
            help="kubeconfig file (default: $KUBECONFIG, ~/.kube/config).",
        ),
        click.option("-n", "--namespace", default=None, help="Only pods in this namespace."),
        click.option("-A", "--all-namespaces", is_flag=True, help="Every namespace (the default)."),
    ]
    for opt in reversed(opts):
        command = opt(command)
    return command
