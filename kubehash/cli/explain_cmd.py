"""``kubehash explain``: why a container's hash differs between two kubelet versions."""

from __future__ import annotations

import sys
from typing import Any

import click

from kubehash import exitcodes
from kubehash.cli._common import load_or_exit, report_decode_error, version_option
from kubehash.cli.app import cli
from kubehash.errors import DecodeError
from kubehash.kubelet.hashing import SOURCES
from kubehash.model import iter_containers


@cli.command("explain")
@click.argument("file", type=str)
@click.option("--from", "from_version", required=True, callback=version_option, help="Old kubelet version.")
@click.option("--to", "to_version", required=True, callback=version_option, help="New kubelet version.")
@click.option("--source", type=click.Choice(SOURCES), default=None, help="Decode path (default: per pod).")
@click.option("--to-source", type=click.Choice(SOURCES), default=None, help="Decode path on the new side.")
@click.option("-o", "--output", type=click.Choice(["text", "json", "yaml"]), default="text", show_default=True)
def explain_cmd(
    file: str, from_version: str, to_version: str, source: str | None, to_source: str | None, output: str
) -> None:
    """Why each container's hash differs between two kubelet versions."""
    import json as _json

    import yaml as _yaml

    from kubehash.upgrade.explain import explain

    docs = load_or_exit(file)
    results: list[dict[str, Any]] = []
    failed = 0
    for doc in docs:
        for ref in iter_containers(doc, source=source):
            try:
                ex = explain(
                    ref.spec, from_version, to_version, old_source=ref.source, new_source=to_source or ref.source
                )
            except DecodeError as e:
                report_decode_error(e, ref)
                failed += 1
                continue
            d = ex.to_dict()
            d.update(pod=ref.pod_key, container=ref.name)
            results.append(d)
            if output == "text":
                click.echo(f"{ref.pod_key} {ref.name}: {ex.text()}")
    if output == "json":
        click.echo(_json.dumps(results, indent=2, default=str))
    elif output == "yaml":
        click.echo(_yaml.safe_dump(_json.loads(_json.dumps(results, default=str)), sort_keys=False), nl=False)
    sys.exit(exitcodes.INPUT_ERROR if failed else exitcodes.OK)
