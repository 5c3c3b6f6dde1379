"""The ``kubehash`` command (also installed as ``kubectl-kubehash`` for use as a kubectl plugin).

One module per command; each registers itself on :data:`kubehash.cli.app.cli`. Exit codes are defined
in :mod:`kubehash.exitcodes` and listed in the README.
"""

from __future__ import annotations

import os
import sys

import click

from kubehash import exitcodes
from kubehash.cli import (  # noqa: F401  (register commands)
    audit_cmd,
    explain_cmd,
    hash_cmd,
    ignorefile_cmd,
    plan_cmd,
    predict_cmd,
    preflight_cmd,
    snapshot_cmd,
    versions_cmd,
    watch_cmd,
)
from kubehash.cli.app import cli
from kubehash.errors import KubehashError, OutputError

__all__ = ["cli", "main"]


def main(argv: list[str] | None = None) -> int:
    """Entry point: every way a command ends is mapped to an exit code here (:mod:`kubehash.exitcodes`) --
    usage errors 1, input errors 2, refused output 4, Ctrl-C 130 -- and no traceback reaches the user."""
    try:
        # Without standalone mode click returns the code of an ``Exit`` raised by a command (exit_with)
        code = cli.main(args=argv, prog_name="kubehash", standalone_mode=False)
        return code if isinstance(code, int) else exitcodes.OK
    except click.exceptions.Exit as e:
        return e.exit_code
    except click.Abort:
        click.echo("aborted", err=True)
        return exitcodes.INTERRUPTED
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return exitcodes.INTERRUPTED
    except click.ClickException as e:  # usage errors and bad parameters
        e.show()
        return exitcodes.USAGE
    except OutputError as e:
        click.echo(f"error: {e}", err=True)
        return exitcodes.OUTPUT_REFUSED
    except KubehashError as e:
        click.echo(f"error: {e}", err=True)
        return exitcodes.INPUT_ERROR
    except SystemExit as e:
        return int(e.code or 0) if not isinstance(e.code, str) else exitcodes.USAGE
    except Exception as e:  # a bug: one line, the traceback only on request
        if os.environ.get("KUBEHASH_DEBUG"):
            raise
        click.echo(
            f"internal error: {type(e).__name__}: {str(e)[:300]} (a bug in kubehash; run with KUBEHASH_DEBUG=1 for "
            "the traceback and please report it)",
            err=True,
        )
        return exitcodes.INTERNAL


if __name__ == "__main__":
    sys.exit(main())
