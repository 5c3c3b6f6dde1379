"""The ``kubehash`` command (also installed as ``kubectl-kubehash`` for use as a kubectl plugin).

One module per command; each registers itself on :data:`kubehash.cli.app.cli`. Exit codes are defined
in :mod:`kubehash.exitcodes` and listed in the README.
"""

from __future__ import annotations

import sys

import click

from kubehash import exitcodes
from kubehash.cli import (  # noqa: F401  (register commands)
    explain_cmd,
    hash_cmd,
    ignorefile_cmd,
    plan_cmd,
    predict_cmd,
    preflight_cmd,
    snapshot_cmd,
    versions_cmd,
)
from kubehash.cli.app import cli
from kubehash.errors import KubehashError, OutputError

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point: maps click's usage errors to exit code 1 and kubehash errors to clean messages."""
    try:
        cli.main(args=argv, prog_name="kubehash", standalone_mode=False)
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return exitcodes.USAGE
    except click.UsageError as e:
        e.show()
        return exitcodes.USAGE
    except click.ClickException as e:
        e.show()
        return exitcodes.USAGE
    except OutputError as e:
        click.echo(f"error: {e}", err=True)
        return exitcodes.OUTPUT_REFUSED
    except KubehashError as e:
        click.echo(f"error: {e}", err=True)
        return exitcodes.INPUT_ERROR
    except SystemExit as e:
        return int(e.code or 0)
    return exitcodes.OK


if __name__ == "__main__":
    sys.exit(main())
