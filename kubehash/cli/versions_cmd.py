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
    """The release table: every supported kubelet minor, its hash era and what changes its hashes.

    DEFAULT CHANGES lists the API-server defaulting rules added (+) or removed (-) in that minor, with the
    feature gate a rule needs; FEATURE GATES the container-relevant gates, their stage and default. The
    json/yaml output has the full rule list (``defaults``) and gate defaults of each minor."""
    from kubehash.kubelet.schema import spec_document

    rows = []
    previous: set[str] = set()
    for r in RELEASES:
        gates = r.gate_defaults()
        changes = [f"+{d}" for d in r.defaults if d not in previous] + [
            f"-{d}" for d in sorted(previous - set(r.defaults))
        ]
        previous = set(r.defaults)
        rows.append(
            {
                "minor": r.minor,
                "era": r.era,
                "go": r.go,
                "hash_without_resources": r.hash_without_resources,
                "restartable_init_containers": r.restartable_init_containers,
                "api_tag": spec_document(r.minor)["source"].get("tag"),
                "default_changes": [c + (f" ({r.rule_gate(c[1:])})" if r.rule_gate(c[1:]) else "") for c in changes]
                if r is not RELEASES[0]
                else ["baseline"],
                "feature_gates": [f"{g}={'on' if gates[g] else 'off'} ({stage})" for g, stage in r.feature_gates],
                "defaults": list(r.defaults),
                "gated_defaults": dict(r.gated_defaults),
                "gate_defaults": gates,
            }
        )
    columns = [
        "minor",
        "era",
        "go",
        "hash_without_resources",
        "restartable_init_containers",
        "api_tag",
        "default_changes",
        "feature_gates",
    ]
    click.echo(render_rows(rows, columns, output), nl=False)
