"""``kubehash explain``: why a container's hash differs between two kubelet versions."""

from __future__ import annotations

import sys
from typing import Any

import click

from kubehash import exitcodes
from kubehash.cli._common import feature_gates_for, load_or_exit, report_decode_error, version_option
from kubehash.cli.app import cli
from kubehash.errors import DecodeError, KubehashError
from kubehash.kubelet.hashing import SOURCES
from kubehash.model import iter_containers
from kubehash.report import render


@cli.command("explain")
@click.argument("file", type=str)
@click.option("--from", "from_version", required=True, callback=version_option, help="Old kubelet version.")
@click.option("--to", "to_version", required=True, callback=version_option, help="New kubelet version.")
@click.option("--source", type=click.Choice(SOURCES), default=None, help="Decode path (default: per pod).")
@click.option("--to-source", type=click.Choice(SOURCES), default=None, help="Decode path on the new side.")
@click.option(
    "--control-plane-version",
    "control_plane",
    default=None,
    callback=version_option,
    help="Apply this API server version's defaults to the new side (static pods: the new kubelet's).",
)
@click.option(
    "--feature-gates",
    "feature_gates",
    default=None,
    help="Gates of that API server, e.g. InPlacePodVerticalScaling=true,EnvFiles=false.",
)
@click.option("-o", "--output", type=click.Choice(["text", "json", "yaml"]), default="text", show_default=True)
def explain_cmd(
    file: str,
    from_version: str,
    to_version: str,
    source: str | None,
    to_source: str | None,
    control_plane: str | None,
    feature_gates: str | None,
    output: str,
) -> None:
    """Why each container's hash differs between two kubelet versions.

    With --control-plane-version the new side is each container as that API server defaults it, so new
    defaults (e.g. resizePolicy with InPlacePodVerticalScaling on a 1.27-1.32 API server) are named.
    """
    from kubehash.report.explain import Explained, Explanations
    from kubehash.upgrade.explain import explain

    if feature_gates is not None and control_plane is None:
        raise click.BadParameter("needs --control-plane-version", param_hint="--feature-gates")
    gates = feature_gates_for(feature_gates, control_plane) if control_plane else None
    docs = load_or_exit(file)
    results: list[Explained] = []
    failed = 0
    for doc in docs:
        for ref in iter_containers(doc, source=source):
            try:
                ex = explain(
                    ref.spec,
                    from_version,
                    to_version,
                    old_source=ref.source,
                    new_source=to_source or ref.source,
                    control_plane=control_plane,
                    feature_gates=gates,
                    container_kind=ref.kind if ref.pod_doc is not None else None,
                    host_network=_host_network(ref.pod_doc),
                )
            except DecodeError as e:
                report_decode_error(e, ref)
                failed += 1
                continue
            except KubehashError as e:  # e.g. gates unknown to the new kubelet that defaults a static pod
                click.echo(f"error: {ref.pod_key} {ref.name}: {e}", err=True)
                failed += 1
                continue
            results.append(Explained(ref.pod_key, ref.name, ex))
    click.echo(render(Explanations(results), output), nl=False)
    sys.exit(exitcodes.INPUT_ERROR if failed else exitcodes.OK)


def _host_network(pod: Any) -> bool:
    spec = pod.get("spec") if isinstance(pod, dict) else None
    return isinstance(spec, dict) and spec.get("hostNetwork") is True
