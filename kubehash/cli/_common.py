"""What the ``kubehash`` commands share: option callbacks (versions, times, feature gates, formats), the
run options every prediction takes (one :class:`~kubehash.upgrade.options.Options`), ending a command with
an exit code, and writing to standard output.

One name per idea across every command (``docs/cli.md`` lists them): ``--to``/``--from`` are kubelet
versions, ``--control-plane`` the API server version, ``--feature-gates``/``--kubelet-feature-gates``/
``--old-kubelet-feature-gates`` the gates, ``--old-go-version``/``--new-go-version`` the Go toolchains,
``--ignore-rule``/``--ignore-file-path``/``--kubelet-start``/``--now`` the ignore file's world,
``-o/--output`` the format, ``--fail-on risk|never`` when to exit 3.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from typing import Any, NoReturn, TextIO

import click

from kubehash import exitcodes
from kubehash.errors import KubehashError
from kubehash.kubelet.gates import parse_feature_gates, resolve_gates
from kubehash.kubelet.releases import Release, release
from kubehash.kubelet.versions import parse_version
from kubehash.report.formats import FORMATS
from kubehash.upgrade.ignorefile.rules import DEFAULT_PATH, RULES
from kubehash.upgrade.options import Options

__all__ = [
    "exit_with",
    "fail_on_option",
    "output_option",
    "parse_time",
    "print_errors",
    "run_options",
    "time_option",
    "version_option",
    "write_stdout",
]


def exit_with(code: int) -> NoReturn:
    """End the command with ``code`` (:mod:`kubehash.exitcodes`); :func:`kubehash.cli.main` returns it."""
    raise click.exceptions.Exit(code)


def version_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A kubelet version as written (``1.28``, ``v1.28.15``, ``v1.28.15-eks-a737599``): checked, kept as text
    (the patch decides the Go toolchain; the patched kubelet compares version texts)."""
    if value is None:
        return None
    try:
        release(value)  # a minor kubehash has no row for is refused here, before any input is read
        return parse_version(value).text
    except KubehashError as e:
        raise click.BadParameter(str(e)) from None


def parse_time(value: str, what: str) -> datetime:
    """Unix seconds or ISO 8601 (naive = UTC) as an aware datetime; a usage error otherwise."""
    v = value.strip()
    try:
        if v.lstrip("-").isdigit() and len(v) < 20:
            return datetime.fromtimestamp(int(v), tz=timezone.utc)
        t = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        raise click.BadParameter(
            f"{value[:60]!r} is neither Unix seconds nor an ISO 8601 time", param_hint=what
        ) from None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def time_option(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    return None if value is None else parse_time(value, f"--{(param.name or '').replace('_', '-')}")


def _gates_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dict[str, bool]:
    if value is None:
        return {}
    try:
        return parse_feature_gates(value)
    except KubehashError as e:
        raise click.BadParameter(str(e)) from None


def output_option(formats: Iterable[str] = FORMATS, default: str = "table") -> Callable[[Any], Any]:
    return click.option(
        "-o", "--output", type=click.Choice(list(formats)), default=default, show_default=True, help="Output format."
    )


def fail_on_option(risk: str, *, alias: str | None = None) -> Callable[[Any], Any]:
    """``--fail-on risk|never``: exit 3 when a risk is found (``risk`` says what counts as one for this command).

    ``alias`` is the command's own word for its risk (``predict --fail-on restart``), accepted as ``risk``.
    """
    choices = ["risk", *([alias] if alias else []), "never"]

    def normalise(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
        return "risk" if value == alias else value

    return click.option(
        "--fail-on",
        type=click.Choice(choices),
        default="risk",
        show_default=True,
        callback=normalise,
        help=f"Exit 3 when {risk} ('never': exit 0).",
    )


_RUN_KEYS = (
    "to",
    "from_version",
    "control_plane",
    "feature_gates",
    "kubelet_feature_gates",
    "old_kubelet_feature_gates",
    "old_go",
    "new_go",
    "defaults",
    "ignore_rule",
    "kubelet_started",
)


def run_options(*, to_help: str = "Target kubelet version (1.29 is its newest patch; v1.29.4, vendor strings).",
                to_required: bool = True) -> Callable[[Callable[..., Any]], Callable[..., Any]]:  # fmt: skip
    """The run's settings, passed to the command as one ``options:`` :class:`Options` (``None`` when ``--to``
    is optional and not given). A setting the versions refuse (an unknown or locked gate) is a usage error."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(f)
        def command(*args: Any, **kwargs: Any) -> Any:
            given = {k: kwargs.pop(k) for k in _RUN_KEYS}
            options = None
            if given["to"] is not None:
                _check_gates(given)
                try:
                    options = Options(**given)
                except KubehashError as e:
                    raise click.UsageError(str(e)) from None
            kwargs["options"] = options
            return f(*args, **kwargs)

        opts = [
            click.option("--to", callback=version_option, required=to_required, help=to_help),
            click.option(
                "--from",
                "from_version",
                callback=version_option,
                default=None,
                help="Current kubelet version of pods whose node's version is unknown.",
            ),
            click.option(
                "--control-plane",
                callback=version_option,
                default=None,
                help="API server version whose defaults the new side gets (default: --to).",
            ),
            click.option(
                "--feature-gates",
                callback=_gates_option,
                default=None,
                help="The API server's feature gates that change defaults, e.g. InPlacePodVerticalScaling=true.",
            ),
            click.option(
                "--kubelet-feature-gates",
                callback=_gates_option,
                default=None,
                help="The target kubelet's gates, e.g. InPlacePodVerticalScaling=true (1.27-1.30: "
                "hashWithoutResources decides) or SidecarContainers=false (1.32+).",
            ),
            click.option(
                "--old-kubelet-feature-gates",
                callback=_gates_option,
                default=None,
                help="Gates of the kubelets that started the running containers (each node's minor takes what "
                "applies to it).",
            ),
            click.option(
                "--old-go-version", "old_go", default=None, help="Go of the current kubelets (vendor builds)."
            ),
            click.option("--new-go-version", "new_go", default=None, help="Go of the target kubelet (vendor builds)."),
            click.option(
                "--defaults/--no-defaults",
                default=True,
                show_default=True,
                help="Apply the control plane's (static pods: the new kubelet's) defaults to the new side.",
            ),
            click.option(
                "--ignore-rule",
                type=click.Choice(RULES),
                default="public",
                show_default=True,
                help="The patched kubelet's rule: public (version text differs) or seed (recorded version older).",
            ),
            click.option(
                "--kubelet-start",
                "kubelet_started",
                callback=time_option,
                default=None,
                help="When the new kubelet starts (Unix seconds/ISO 8601); default: after every running container.",
            ),
        ]
        for opt in reversed(opts):
            command = opt(command)
        return command

    return decorate


def _check_gates(given: dict[str, Any]) -> None:
    """Each gate option checked against the version it applies to, so the error names the option."""
    to = release(given["to"])
    checks: tuple[tuple[str, Release, str, dict[str, bool]], ...] = (
        ("--feature-gates", release(given["control_plane"]) if given["control_plane"] else to, "feature_gates", {}),
        ("--kubelet-feature-gates", to, "kubelet_feature_gates", {"kubelet": True}),
        ("--old-kubelet-feature-gates", to, "old_kubelet_feature_gates", {"kubelet": True, "lenient": True}),
    )
    for option, rel, key, how in checks:
        try:
            resolve_gates(rel, given[key], **how)
        except KubehashError as e:
            raise click.BadParameter(str(e), param_hint=option) from None


def ignore_file_path_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--ignore-file-path",
        default=DEFAULT_PATH,
        show_default=True,
        help="Where the patched kubelet reads the ignore file.",
    )(f)


def print_errors(messages: Iterable[str], *, limit: int = 20) -> int:
    """One stderr line per distinct message, with how many times it came when more than once (an unreadable
    nodes file is one line, not one per container); at most ``limit`` lines and a count of the rest. Returns
    the number of messages."""
    counts = Counter(messages)
    for i, (msg, n) in enumerate(counts.items()):
        if i == limit:
            click.echo(f"error: ... and {len(counts) - limit} more distinct errors (use -o json for all)", err=True)
            break
        click.echo(f"error: {msg}" + (f" ({n} times)" if n > 1 else ""), err=True)
    return sum(counts.values())


def print_warnings(messages: Iterable[str]) -> None:
    """One ``warning:`` line on stderr per distinct message (warnings do not change the exit code)."""
    for msg in dict.fromkeys(messages):
        click.echo(f"warning: {msg}", err=True)


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


def exit_code(*, errors: bool, risks: bool, fail_on: str) -> int:
    """Input errors win over risks (exit 2 over 3); risks count only with ``--fail-on risk``."""
    if errors:
        return exitcodes.INPUT_ERROR
    if risks and fail_on == "risk":
        return exitcodes.RESTARTS
    return exitcodes.OK
