"""``kubehash hash``: the kubelet's hash of every container in a file."""

from __future__ import annotations

import functools

import click

from kubehash import exitcodes
from kubehash.cli._common import exit_with, output_option, print_errors, version_option, write_stdout
from kubehash.cli.app import cli
from kubehash.errors import DecodeError, InputError
from kubehash.golang.fnv import fnv1a_32
from kubehash.kubelet.hashing import SOURCES, plan_for
from kubehash.kubelet.releases import RELEASES
from kubehash.model import iter_containers
from kubehash.report import write
from kubehash.report.hashes import ContainerHash, Hashes
from kubehash.sources.documents import load_documents


@cli.command("hash", short_help="The hash a kubelet version records for every container in a file.")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--to",
    callback=version_option,
    default=RELEASES[-1].minor,
    show_default=True,
    help="The kubelet that hashes (as in predict: the version you would run), e.g. 1.10, v1.10.13, 1.28.15.",
)
@click.option(
    "--source",
    type=click.Choice(SOURCES),
    default=None,
    help="Decode path. Default: 'file' for mirror pods of static pods, else 'apiserver'.",
)
@click.option(
    "--new-go-version",
    "go_version",
    default=None,
    help="Go the kubelet was built with (default: the toolchain table for --to's patch).",
)
@click.option("--show-input", is_flag=True, help="Also print the exact text fed to FNV-1a.")
@click.option("--init-containers/--no-init-containers", default=True, show_default=True)
@output_option()
def hash_cmd(
    file: str, to: str, source: str | None, go_version: str | None, show_input: bool, init_containers: bool, output: str
) -> None:
    """Print the kubelet's hash of every container in FILE (a container, a pod, a list of pods; JSON or YAML;
    '-' for standard input): decimal, and hex as the runtime records it. Exit codes: 0 every container hashed,
    2 some could not be decoded (named on stderr) or FILE holds no container, 1 usage error."""
    rows: list[ContainerHash] = []
    failed: list[str] = []
    for doc in load_documents(file):
        for ref in iter_containers(doc, init_containers=init_containers, source=source):
            plan = plan_for(to, ref.source, go_version)
            row = functools.partial(ContainerHash, ref.pod_key, ref.name, ref.kind, ref.source, to)
            try:
                data = plan.input(ref.spec)
            except DecodeError as e:
                failed.append(str(e.with_context(namespace=ref.namespace, pod=ref.pod, container=ref.name)))
                rows.append(row(error=failed[-1]))
                continue
            rows.append(row(fnv1a_32(data), data.decode("utf-8") if show_input else None))
    if not rows:
        raise InputError(f"{file}: no container, pod or list of pods found")
    print_errors(failed)
    write_stdout(functools.partial(write, Hashes(rows, show_input), output))
    exit_with(exitcodes.INPUT_ERROR if failed else exitcodes.OK)
