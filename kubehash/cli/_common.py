"""Helpers shared by the ``kubehash`` commands: version options, input loading, error lines."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any, TextIO

import click

from kubehash import exitcodes
from kubehash.errors import DecodeError, InputError, KubehashError, UnsupportedVersionError
from kubehash.kubelet.releases import RELEASES, Release, release
from kubehash.report.formats import FORMATS
from kubehash.sources.documents import load_documents

TABLE_FORMATS = list(FORMATS)

DEFAULT_VERSION = RELEASES[-1].minor


def version_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return release(value).minor
    except UnsupportedVersionError as e:
        raise click.BadParameter(str(e)) from None


def version_text_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Like :func:`version_option` but keeps the text as given (``v1.11.10``): the patched kubelet's ignore
    file rule compares full version texts."""
    if value is None:
        return None
    try:
        release(value)
    except UnsupportedVersionError as e:
        raise click.BadParameter(str(e)) from None
    return value.strip()


def parse_time(value: str, what: str) -> datetime:
    """Unix seconds or ISO 8601 (naive = UTC) as an aware datetime; a usage error otherwise."""
    v = value.strip()
    try:
        if v.lstrip("-").isdigit():
            return datetime.fromtimestamp(int(v), tz=timezone.utc)
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise click.BadParameter(f"{value!r} is neither Unix seconds nor an ISO 8601 time", param_hint=what) from None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


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


def feature_gates_for(
    text: str | None,
    version: str,
    *,
    option: str = "--feature-gates",
    check: Callable[[Release, dict[str, bool]], object] | None = None,
) -> dict[str, bool] | None:
    """``--feature-gates A=true,B=false`` checked against the gates of ``version``: a usage error (exit 1)
    naming ``option`` when a gate is unknown to that minor, locked, or not a bool. ``check(release, gates)``
    raises for gates that minor refuses (default: the API server's container-defaulting gates)."""
    if text is None:
        return None
    from kubehash.kubelet.gates import effective_gates, parse_feature_gates

    try:
        gates = parse_feature_gates(text)
        (check or effective_gates)(release(version), gates)
    except KubehashError as e:
        raise click.BadParameter(str(e), param_hint=option) from None
    return gates


def write_stdout(write: Callable[[TextIO], None]) -> None:
    """Call ``write(sys.stdout)`` and flush. A reader that goes away (``kubehash ... | head``) ends the
    output quietly: the rest is dropped (standard output is pointed at the null device, so the flush at
    exit cannot fail either) instead of a BrokenPipeError traceback."""
    try:
        write(sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):  # not a real file (captured output): nothing to do
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, sys.stdout.fileno())
            os.close(null)
