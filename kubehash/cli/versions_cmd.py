"""``kubehash versions``: the release table for humans."""

from __future__ import annotations

import click

from kubehash.cli.app import cli
from kubehash.kubelet.releases import RELEASES
from kubehash.report.render import render_rows


@cli.command("versions")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["table", "json", "yaml", "csv", "markdown"]),
    default="table",
    show_default=True,
)
def versions_cmd(output: str) -> None:
    """The release table: every supported kubelet minor, its hash era and what changes its hashes."""
    from kubehash.kubelet.schema import spec_document

    rows = []
    for r in RELEASES:
        rows.append(
            {
                "minor": r.minor,
                "era": r.era,
                "go": r.go,
                "hash_without_resources": r.hash_without_resources,
                "restartable_init_containers": r.restartable_init_containers,
                "api_tag": spec_document(r.minor)["source"].get("tag"),
            }
        )
    columns = ["minor", "era", "go", "hash_without_resources", "restartable_init_containers", "api_tag"]
    click.echo(render_rows(rows, columns, output), nl=False)
