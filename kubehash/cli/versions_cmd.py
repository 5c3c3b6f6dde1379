"""``kubehash versions``: the release table for humans."""

from __future__ import annotations

import click

from kubehash.cli.app import cli
from kubehash.kubelet.releases import RELEASES
from kubehash.report import render
from kubehash.report.versions import Versions


@cli.command("versions")
@click.option(
    "-o",
    "--output",
    type=click.Choice(["table", "json", "yaml", "csv", "markdown"]),
    default="table",
    show_default=True,
)
def versions_cmd(output: str) -> None:
    """The release table: every supported kubelet minor, its hash era and what changes its hashes.

    DEFAULT CHANGES lists the API-server defaulting rules added (+) or removed (-) in that minor, with the
    feature gate a rule needs; FEATURE GATES the container-relevant gates, their stage and default. The
    json/yaml output has the full rule list (``defaults``) and gate defaults of each minor."""
    click.echo(render(Versions(RELEASES), output), nl=False)
