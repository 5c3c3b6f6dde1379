"""Helpers shared by the ``kubehash`` commands: version options, input loading, error lines."""

from __future__ import annotations

import sys
from typing import Any

import click

from kubehash import exitcodes
from kubehash.errors import DecodeError, UnsupportedVersionError
from kubehash.kubelet.releases import RELEASES, release
from kubehash.sources.documents import InputError, load_documents

TABLE_FORMATS = ["table", "json", "yaml", "csv", "markdown"]

DEFAULT_VERSION = RELEASES[-1].minor


def version_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return release(value).minor
    except UnsupportedVersionError as e:
        raise click.BadParameter(str(e)) from None


def load_or_exit(file: str) -> list[Any]:
    """Documents of FILE, or a one-line error and exit code 2."""
    try:
        return load_documents(file)
    except InputError as e:
        click.echo(f"error: {e}", err=True)
        sys.exit(exitcodes.INPUT_ERROR)


def report_decode_error(e: DecodeError, ref: Any) -> None:
    """One stderr line for a container the kubelet could not decode."""
    e.with_context(namespace=ref.namespace, pod=ref.pod, container=ref.name)
    click.echo(f"error: {e}", err=True)
