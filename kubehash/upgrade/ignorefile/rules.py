"""The version-cache ignore file a patched kubelet reads, and the decision it makes from it
(docs/commands/ignore-file.md).

Reproduces the public patch ``cloudusers/UpdateKubeletVersionIgnoreContainerRestart`` (for kubelet 1.9.1,
package ``pkg/kubelet/cache_version``) and the seed's variant of its rule:

* **At kubelet start** (``NewMainKubelet``) the kubelet ``os.Stat``\\s the file (default ``/tmp/cache.version.save``,
  symlinks followed). Absent: it writes ``<its version>,<now>`` (mode 0644, no newline) and sets history =
  current, so nothing is protected. Stat or read failure (e.g. a directory there): an internal "exception"
  flag is set and the check is never skipped. Present: every ASCII space is removed (only ``' '``: not tabs,
  not newlines), the text is split on ``','``; unless there are exactly two fields the file is ignored
  (nothing protected). Otherwise *history version* = field 1 **as text** (anything, even empty),
  *history time* = ``strconv.ParseInt(field 2, 10, 64)`` (on failure -- e.g. a trailing newline -- only an
  error is logged: the time is never used by the decision), *current* = the running kubelet's
  ``version.Get().String()`` (``v1.11.10``) and its start time in Unix seconds. The patch never rewrites an
  existing file.
* **On every sync** (``containerChanged``) the hash comparison is skipped, so the container is kept, when the
  start succeeded, current ≠ ``v0.0.0``, and the rule holds:

  - ``public`` (the patch): current version text ≠ history version text, and the container's
    ``StartedAt.Unix()`` < the kubelet's start second;
  - ``seed``: history version < current version (semantic order; a history that is not a version never
    protects), same start-time condition.

:func:`parse_ignore_file` is stricter than the kubelet: it accepts what kubehash would write or an operator
would reasonably type, and rejects anything whose effect on the kubelet is surprising (see its docstring).
:func:`kubelet_reads` reproduces exactly what the kubelet makes of any text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Protocol

from kubehash.errors import IgnoreFileError, InputError

__all__ = [
    "DEFAULT_PATH",
    "RULES",
    "IgnoreFile",
    "KubeletCacheState",
    "KubeletReading",
    "KubeletStart",
    "decide",
    "format_ignore_file",
    "generate_ignore_files",
    "kubelet_reads",
    "kubelet_start",
    "parse_ignore_file",
    "parse_version",
    "protection_hook",
    "same_version",
    "skips_check",
    "unix_seconds",
]

#: Where the patched kubelet looks for the file (hard-coded in the patch).
DEFAULT_PATH = "/tmp/cache.version.save"
#: The two published rules: the patch's (``public``) and the seed's (``seed``).
RULES = ("public", "seed")
#: The patch's ``DEFAULT_CACHEVERSION``: a "current" still equal to it disables the skip.
UNSET_VERSION = "v0.0.0"
#: The patch's ``DEFAULT_STARTTIME`` (2000-01-01 00:00:00 +08:00).
UNSET_TIME = 946656000

_INT64_MAX = 2**63 - 1
_FAR_FUTURE = 2**62  # "the kubelet starts after every running container"
_VERSION = re.compile(r"v?([0-9]+)\.([0-9]+)\.([0-9]+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?")
_GO_INT = re.compile(r"[+-]?[0-9]+")


@dataclass(frozen=True)
class IgnoreFile:
    """One ignore file: the kubelet version it records and a Unix timestamp (seconds)."""

    version: str
    timestamp: int
    node: str | None = field(default=None, compare=False)  # where it belongs (metadata, like origin)
    origin: str | None = field(default=None, compare=False)

    @property
    def time(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp, tz=timezone.utc)


def unix_seconds(t: datetime) -> int:
    """Go's ``Time.Unix()``: seconds since the epoch, rounded towards negative infinity. Naive = UTC."""
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    delta = t - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return delta.days * 86400 + delta.seconds


def parse_version(text: str) -> tuple[int, int, int, tuple[int, str]] | None:
    """A sortable key for ``v?MAJOR.MINOR.PATCH[-pre][+build]`` (a pre-release sorts before its release,
    pre-releases compare as text), or ``None`` when ``text`` is not such a version."""
    m = _VERSION.fullmatch(text)
    if m is None:
        return None
    pre = m.group(4)
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), (0, pre) if pre else (1, "")


def same_version(a: str, b: str) -> bool:
    """Whether two version texts name the same kubelet, ignoring a leading ``v``; a bare minor (``1.11``)
    matches every patch release of it (so an ambiguous target is never assumed to be protected)."""
    a, b = a.removeprefix("v"), b.removeprefix("v")
    if a == b:
        return True
    minor = re.compile(r"[0-9]+\.[0-9]+")
    if minor.fullmatch(a) or minor.fullmatch(b):
        return a.split(".")[:2] == b.split(".")[:2]
    return False


def format_ignore_file(f: IgnoreFile) -> str:
    """The file's content exactly as the patched kubelet writes it: ``<version>,<seconds>``, no newline."""
    if "," in f.version or " " in f.version or not f.version:
        raise ValueError(f"cannot write version {f.version!r} into an ignore file")
    return f"{f.version},{f.timestamp}"


@dataclass(frozen=True)
class KubeletReading:
    """What the patched kubelet makes of a file's text at start."""

    active: bool  # history/current were set from the file (before comparing versions)
    history_version: str | None
    history_time: int  # UNSET_TIME when the time did not parse
    time_error: bool  # ParseInt failed (logged by the kubelet, otherwise harmless)


def kubelet_reads(text: str) -> KubeletReading:
    """Exactly the patch's ``GetFileContent``: strip ``' '``, split on ``','``, two fields or ignored."""
    fields = text.replace(" ", "").split(",")
    if len(fields) != 2:
        return KubeletReading(False, None, UNSET_TIME, False)
    value = _parse_int64(fields[1])
    return KubeletReading(True, fields[0], UNSET_TIME if value is None else value, value is None)


def _parse_int64(text: str) -> int | None:
    """``strconv.ParseInt(text, 10, 64)``: ``None`` on a syntax or range error. Leading zeros are allowed
    (``000…01`` is 1, however many zeros), and text of more than 19 significant digits is out of range
    without being converted (Python refuses integer text over 4300 digits)."""
    if not _GO_INT.fullmatch(text):
        return None
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > 19:
        return None
    v = int(text[0] + digits if text[0] in "+-" and digits else digits or "0")
    return v if -(2**63) <= v <= _INT64_MAX else None


def parse_ignore_file(text: str, *, origin: str = "<ignore file>", node: str | None = None) -> IgnoreFile:
    """Parse the content of an ignore file. Accepted: ``<version>,<seconds>`` where

    * ASCII spaces anywhere are dropped (as the kubelet does);
    * one trailing ``\\n`` or ``\\r\\n`` is allowed (the kubelet then logs a time parse error but protects
      exactly as without it);
    * the version is ``v?MAJOR.MINOR.PATCH[-pre][+build]`` (the kubelet compares it as text, so ``v1.10.13``
      is what a 1.10.13 kubelet's own ``version.Get()`` would print);
    * the time is decimal Unix seconds, 0 ≤ t < 2⁶³.

    Everything else raises :class:`IgnoreFileError` naming ``origin`` and saying what the kubelet would do
    with the text. ``kind`` is ``empty``, ``truncated`` (a prefix of a valid line: no separator, no time, an
    incomplete version) or ``malformed``.
    """
    body = text.replace(" ", "")
    if body.endswith("\r\n"):
        body = body[:-2]
    elif body.endswith("\n"):
        body = body[:-1]
    reading = kubelet_reads(text)
    effect = (
        "the patched kubelet ignores it and protects nothing"
        if not reading.active
        else "the patched kubelet still treats it as active (it compares the version as text)"
    )
    if not body:
        raise IgnoreFileError(origin, f"empty file; {effect}", "empty")
    if any(c in body for c in "\n\r\t\x00"):
        raise IgnoreFileError(origin, f"more than one line or control characters in {text!r}; {effect}")
    parts = body.split(",")
    if len(parts) == 1:
        kind = "truncated" if _version_prefix(parts[0]) or parse_version(parts[0]) else "malformed"
        raise IgnoreFileError(origin, f"no ',' in {text!r}: expected '<version>,<unix seconds>'; {effect}", kind)
    if len(parts) > 2:
        raise IgnoreFileError(origin, f"{len(parts) - 1} ',' in {text!r}: expected exactly one; {effect}")
    version, seconds = parts
    if parse_version(version) is None:
        kind = "truncated" if version and _version_prefix(version) else "malformed"
        raise IgnoreFileError(origin, f"{version!r} is not a kubelet version like v1.10.13; {effect}", kind)
    if not seconds:
        raise IgnoreFileError(origin, f"no time after ',' in {text!r}; {effect}", "truncated")
    return IgnoreFile(version, _seconds(seconds, origin, effect), node, origin)


def _seconds(seconds: str, origin: str, effect: str) -> int:
    """The time field: decimal digits within int64 (any number of leading zeros; a longer text is out of
    range without being converted -- Python refuses integer text over 4300 digits)."""
    if not seconds.isascii() or not seconds.isdigit():
        raise IgnoreFileError(origin, f"time {seconds!r} is not decimal Unix seconds; {effect}")
    digits = seconds.lstrip("0")
    t = int(digits or "0") if len(digits) <= 19 else _INT64_MAX + 1
    if t > _INT64_MAX:
        shown = seconds if len(seconds) <= 40 else f"{seconds[:20]}... ({len(seconds)} digits)"
        raise IgnoreFileError(origin, f"time {shown} overflows int64; {effect}")
    return t


def _version_prefix(s: str) -> bool:
    """Whether ``s`` could be the beginning of a version (a truncated write)."""
    return bool(re.fullmatch(r"v?([0-9]+(\.([0-9]+(\.)?)?)?)?", s)) and parse_version(s) is None


# -- the kubelet's state and decision ------------------------------------------------------------------


@dataclass(frozen=True)
class KubeletCacheState:
    """The patched kubelet's ``CacheVersionInfo`` after start, plus what it wrote (if anything)."""

    current_version: str
    current_time: int
    history_version: str
    history_time: int
    exception: bool = False
    wrote: IgnoreFile | None = None

    @property
    def valid(self) -> bool:
        """The patch's ``CheckValidity``."""
        return not self.exception and self.current_version != UNSET_VERSION


def kubelet_start(file_text: str | OSError | None, *, version: str, now: datetime | int) -> KubeletCacheState:
    """Simulate the patched kubelet's start. ``file_text``: the file's content, ``None`` when absent, or the
    ``OSError`` reading it raised (a directory, no permission): then the skip is disabled for good."""
    t = now if isinstance(now, int) else unix_seconds(now)
    if isinstance(file_text, OSError):
        return KubeletCacheState(UNSET_VERSION, UNSET_TIME, UNSET_VERSION, UNSET_TIME, exception=True)
    if file_text is None:
        return KubeletCacheState(version, t, version, t, wrote=IgnoreFile(version, t))
    reading = kubelet_reads(file_text)
    if not reading.active or reading.history_version is None:
        return KubeletCacheState(UNSET_VERSION, UNSET_TIME, UNSET_VERSION, UNSET_TIME)
    return KubeletCacheState(version, t, reading.history_version, reading.history_time)


def skips_check(state: KubeletCacheState, started_at: datetime | None, *, rule: str = "public") -> bool:
    """Whether the patched kubelet skips the hash comparison (keeps the container whatever its hash).

    ``started_at`` ``None`` (unknown) is taken as before the kubelet's start, as it is for any container
    that was running when the kubelet was upgraded."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}: expected one of {', '.join(RULES)}")
    if not state.valid:
        return False
    if rule == "public":
        differs = state.current_version != state.history_version
    else:
        old, new = parse_version(state.history_version), parse_version(state.current_version)
        differs = old is not None and new is not None and old < new
    if not differs:
        return False
    return started_at is None or unix_seconds(started_at) < state.current_time


def decide(
    ignore_file: IgnoreFile | None,
    *,
    running_version: str,
    started_at: datetime | None,
    kubelet_started: datetime | int | None = None,
    rule: str = "public",
) -> bool:
    """The decision for one container on a node with ``ignore_file`` (``None``: no file) whose kubelet runs
    ``running_version`` and started at ``kubelet_started`` (``None``: after every running container did).
    A full ``running_version`` is compared as the patch does, as text after adding the ``v`` that
    ``version.Get()`` prints (so a file saying ``1.11.10`` protects under kubelet ``v1.11.10``); a bare minor
    (``1.11``) never counts as different from a file of the same minor (:func:`same_version`)."""
    if ignore_file is None:
        return False  # the kubelet writes its own version: history == current
    bare_minor = re.fullmatch(r"v?[0-9]+\.[0-9]+", running_version) is not None
    if rule == "public" and bare_minor and same_version(ignore_file.version, running_version):
        return False
    if kubelet_started is None:
        start = _FAR_FUTURE
    else:
        start = kubelet_started if isinstance(kubelet_started, int) else unix_seconds(kubelet_started)
    current = running_version if running_version.startswith("v") else "v" + running_version
    if re.fullmatch(r"v[0-9]+\.[0-9]+", current):
        current += ".0"  # a bare minor: its .0 release, so the seed rule never protects within the minor
    state = kubelet_start(format_ignore_file(ignore_file), version=current, now=start)
    return skips_check(state, started_at, rule=rule)


KubeletStart = datetime | int


class _HasNodeAndStart(Protocol):
    node: str | None
    started_at: datetime | None


def protection_hook(
    files: Mapping[str, IgnoreFile],
    *,
    running_version: str,
    rule: str = "public",
    kubelet_started: KubeletStart | Mapping[str, KubeletStart] | None = None,
) -> Callable[[_HasNodeAndStart], bool]:
    """A ``protected`` callback for :func:`kubehash.upgrade.predict.predict`: :func:`decide` for the
    container's node (its file, and its kubelet's start time when ``kubelet_started`` is per node)."""
    if rule not in RULES:
        raise ValueError(f"unknown rule {rule!r}: expected one of {', '.join(RULES)}")

    def hook(c: _HasNodeAndStart) -> bool:
        f = files.get(c.node) if c.node else None
        if f is None or not c.node:
            return False
        start = kubelet_started.get(c.node) if isinstance(kubelet_started, Mapping) else kubelet_started
        return decide(f, running_version=running_version, started_at=c.started_at, kubelet_started=start, rule=rule)

    return hook


def generate_ignore_files(
    node_versions: Mapping[str, str], *, now: datetime | int, errors: dict[str, str] | None = None
) -> dict[str, IgnoreFile]:
    """One file per node holding the node's **current** kubelet version (as ``status.nodeInfo.kubeletVersion``
    prints it, which is the old kubelet's ``version.Get()``; a missing ``v`` is added) and ``now``.

    A version that is not a full one is an :class:`~kubehash.errors.InputError` naming the node; given
    ``errors``, such a node's message goes there instead and the other nodes still get their files."""
    t = now if isinstance(now, int) else unix_seconds(now)
    out: dict[str, IgnoreFile] = {}
    for node, version in sorted(node_versions.items()):
        v = version.strip()
        v = v if v.startswith("v") else "v" + v
        if parse_version(v) is None:
            msg = f"node {node}: kubelet version {version!r} is not a full version like v1.10.13: no file for it"
            if errors is None:
                raise InputError(msg)
            errors[node] = msg
            continue
        out[node] = IgnoreFile(v, t, node)
    return out
