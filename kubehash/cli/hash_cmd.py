"""``kubehash hash``: the kubelet's hash of every container in a file."""

from __future__ import annotations

import functools
import sys

import click

from kubehash import exitcodes
from kubehash.cli._common import DEFAULT_VERSION, load_or_exit, report_decode_error, version_option
from kubehash.cli.app import cli
from kubehash.errors import DecodeError
from kubehash.golang.fnv import fnv1a_32
from kubehash.kubelet.hashing import SOURCES, plan_for
from kubehash.model import iter_containers
from kubehash.report import render
from kubehash.report.hashes import ContainerHash, Hashes


@cli.command("hash")
@click.argument("file", type=str)
@click.option(
    "--kubelet-version",
    "-k",
    callback=version_option,
    default=DEFAULT_VERSION,
    show_default=True,
    help="Kubelet version, e.g. 1.10, v1.10.13, 1.17.0.",
)
@click.option(
    "--source",
    type=click.Choice(SOURCES),
    default=None,
    help="Decode path. Default: 'file' for mirror pods of static pods, else 'apiserver'.",
)
@click.option("--go-version", default=None, help="Go version the kubelet was built with (default: release table).")
@click.option("--show-input", is_flag=True, help="Also print the exact text fed to FNV-1a.")
@click.option("--init-containers/--no-init-containers", default=True, show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Choice(["table", "json", "yaml", "csv", "markdown"]),
    default="table",
    show_default=True,
)
def hash_cmd(
    file: str,
    kubelet_version: str,
    source: str | None,
    go_version: str | None,
    show_input: bool,
    init_containers: bool,
    output: str,
) -> None:
    """Print the kubelet's hash of every container in FILE (a container, a pod, a list of pods;
    JSON or YAML; '-' for standard input): decimal, and hex as the runtime records it."""
    docs = load_or_exit(file)
    rows: list[ContainerHash] = []
    failed = 0
    for doc in docs:
        for ref in iter_containers(doc, init_containers=init_containers, source=source):
            plan = plan_for(kubelet_version, ref.source, go_version)
            row = functools.partial(ContainerHash, ref.pod_key, ref.name, ref.kind, ref.source, kubelet_version)
            try:
                data = plan.input(ref.spec)
            except DecodeError as e:
                report_decode_error(e, ref)
                failed += 1
                rows.append(row(error=str(e)))
                continue
            rows.append(row(fnv1a_32(data), data.decode("utf-8") if show_input else None))
    if not rows and not failed:
        click.echo(f"error: {file}: no container, pod or list of pods found", err=True)
        sys.exit(exitcodes.INPUT_ERROR)
    click.echo(render(Hashes(rows, show_input), output), nl=False)
    sys.exit(exitcodes.INPUT_ERROR if failed else exitcodes.OK)
