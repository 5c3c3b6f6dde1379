"""``kubehash versions``: the release table for humans."""

from __future__ import annotations

import functools

from kubehash.cli._common import output_option, write_stdout
from kubehash.cli.app import cli
from kubehash.kubelet.releases import RELEASES
from kubehash.report import write
from kubehash.report.versions import Versions


@cli.command("versions", short_help="Every supported kubelet minor: hash era, defaults, gates.")
@output_option()
def versions_cmd(output: str) -> None:
    """The release table: every supported kubelet minor, its hash era and what changes its hashes.

    DEFAULT CHANGES lists the API-server defaulting rules added (+) or removed (-) in that minor, with the
    feature gate a rule needs; FEATURE GATES the container-relevant gates, their stage and default. The
    json/yaml output has the full rule list (``defaults``) and gate defaults of each minor."""
    write_stdout(functools.partial(write, Versions(RELEASES), output))
