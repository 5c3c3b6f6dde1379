"""``kubehash explain``: why a container's hash differs between two kubelet versions."""

from __future__ import annotations

import functools
from typing import Any

import click

from kubehash import exitcodes
from kubehash.cli._common import exit_with, output_option, print_errors, run_options, write_stdout
from kubehash.cli.app import cli
from kubehash.errors import DecodeError, InputError, KubehashError
from kubehash.kubelet.hashing import SOURCES
from kubehash.kubelet.toolchains import shown_version
from kubehash.model import iter_containers
from kubehash.report import write
from kubehash.report.explain import Explained, Explanations
from kubehash.sources.documents import load_documents
from kubehash.upgrade.explain import container_path, explain, located
from kubehash.upgrade.options import Options


@cli.command("explain", short_help="Why each container's hash differs between two kubelet versions.")
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@run_options()
@click.option("--source", type=click.Choice(SOURCES), default=None, help="Decode path (default: per pod).")
@click.option("--to-source", type=click.Choice(SOURCES), default=None, help="Decode path on the new side.")
@output_option()
def explain_cmd(options: Options, file: str, source: str | None, to_source: str | None, output: str) -> None:
    """Why each container's hash in FILE (a container, a pod, a list of pods) differs between kubelet --from
    and kubelet --to: the hash algorithm's era, fields new in the struct, defaults the --to control plane
    (--control-plane, default --to; with --no-defaults none) adds, the quantity form, the Go toolchain.

    Exit codes: 0 explained, 2 some container could not be decoded (named on stderr), 1 usage error."""
    if options.from_version is None:
        raise click.UsageError("explain needs --from (the kubelet the container runs under now)")
    results: list[Explained] = []
    failed: list[str] = []
    # each side as predict shows it: the version given when it names a patch, else the patch a minor stands for
    old_label = shown_version(options.old_toolchain(options.from_version))
    new_label = shown_version(options.target_toolchain)
    for doc in load_documents(file):
        for ref in iter_containers(doc, source=source):
            try:
                ex = explain(
                    ref.spec,
                    options.from_version,
                    options.to,
                    old_source=ref.source,
                    new_source=to_source or ref.source,
                    old_go=options.old_go,
                    new_go=options.new_go,
                    control_plane=options.defaults_by,
                    feature_gates=dict(options.feature_gates),
                    container_kind=ref.kind if ref.pod_doc is not None else None,
                    host_network=_host_network(ref.pod_doc),
                )
            except DecodeError as e:
                failed.append(str(e.with_context(namespace=ref.namespace, pod=ref.pod, container=ref.name)))
                continue
            except KubehashError as e:  # e.g. gates unknown to the new kubelet that defaults a static pod
                failed.append(f"{ref.pod_key} {ref.name}: {e}")
                continue
            ex.old_version, ex.new_version = old_label, new_label
            if ref.pod_doc is not None:  # paths from the pod, as predict gives them
                ex.reasons = located(ex.reasons, container_path(ref.kind, ref.index))
            results.append(Explained(ref.pod_key, ref.name, ex))
    if not results and not failed:
        raise InputError(f"{file}: no container, pod or list of pods found")
    print_errors(failed)
    write_stdout(functools.partial(write, Explanations(results), output))
    exit_with(exitcodes.INPUT_ERROR if failed else exitcodes.OK)


def _host_network(pod: Any) -> bool:
    spec = pod.get("spec") if isinstance(pod, dict) else None
    return isinstance(spec, dict) and spec.get("hostNetwork") is True
