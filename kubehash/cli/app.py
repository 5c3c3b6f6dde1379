"""The ``kubehash`` click group; each command lives in its own module of this package."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110, "terminal_width": 110})
@click.version_option(package_name="kubehash")
def cli() -> None:
    """Bit-exact kubelet container hashes: which containers an in-place kubelet upgrade restarts."""
