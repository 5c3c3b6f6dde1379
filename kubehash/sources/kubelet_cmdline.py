"""The kubelet's command line read as Go's pflag reads it: ``--name=value``, ``--name value`` (not for bool
flags, which take a value only after ``=``), ``-x`` shorthands (``-v=4``, ``-v 4``, ``-v4``), ``--`` ends the
flags, a repeated flag kept every time. Inputs: a shell command line or ``/proc/<pid>/cmdline`` bytes; and the
reverse (rendering a command line, for tests and examples).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable

from kubehash.errors import KubeletArgsError
from kubehash.model.kubelet_args import KubeletArgs, KubeletFlag, Origin

__all__ = [
    "BoolLookup",
    "parse_cmdline_bytes",
    "parse_command_line",
    "render_cmdline_bytes",
    "render_command_line",
    "render_systemd_unit",
    "split_flags",
]

#: is this flag a bool flag? ``None`` = unknown (then a following word that is not a flag is its value)
BoolLookup = Callable[[str], "bool | None"]


def _normalize(name: str) -> str:
    return name.replace("_", "-")


def _one_flag(w: str, nxt: str | None, origin: Origin, lookup: BoolLookup) -> tuple[KubeletFlag, bool]:
    """The flag word ``w`` (``-x...`` / ``--name...``) and whether it takes ``nxt`` as its value."""
    short = not w.startswith("--")
    body = w[1:] if short else w[2:]
    if short and len(body) > 1 and "=" not in body and not body[1:].startswith("-"):
        # -v4: the shorthand's value follows it directly (pflag); -abc bool groups are rare for the kubelet
        return KubeletFlag(body[0], body[1:], w, origin, shorthand=True), False
    name, eq, value = body.partition("=")
    name = _normalize(name)
    if not name:
        raise KubeletArgsError(f"{origin}: bad flag syntax: {w!r}")
    if eq:
        return KubeletFlag(name, value, w, origin, shorthand=short), False
    boolean = lookup(name)
    if boolean is True or nxt is None or (boolean is None and nxt.startswith("-") and nxt != "-"):
        return KubeletFlag(name, None, w, origin, shorthand=short), False
    return KubeletFlag(name, nxt, f"{w} {nxt}", origin, shorthand=short), True


def split_flags(
    words: Iterable[str], origin: Origin, is_bool: BoolLookup | None = None
) -> tuple[list[KubeletFlag], list[str]]:
    """pflag's reading of ``words`` (no program name): flags and positional words."""
    flags: list[KubeletFlag] = []
    positional: list[str] = []
    items = list(words)
    i = 0
    lookup = is_bool or (lambda _n: None)
    while i < len(items):
        w = items[i]
        i += 1
        if w == "--":
            positional.extend(items[i:])
            break
        if not w.startswith("-") or w == "-":
            positional.append(w)
            continue
        flag, took_next = _one_flag(w, items[i] if i < len(items) else None, origin, lookup)
        flags.append(flag)
        if took_next:
            i += 1
    return flags, positional


def _shell_words(text: str, origin: Origin) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError as e:
        raise KubeletArgsError(f"{origin}: cannot split the command line: {e}") from None


def _drop_program(words: list[str]) -> list[str]:
    if words and not words[0].startswith("-") and re.search(r"(^|/)kubelet(\.exe)?$", words[0]):
        return words[1:]
    return words


def parse_command_line(
    text: str, *, origin: str = "<input>", line: int = 1, is_bool: BoolLookup | None = None
) -> KubeletArgs:
    """A plain command line (shell quoting; ``\\``-newline continuations)."""
    words = _drop_program(_shell_words(text, Origin(origin, line)))
    flags, positional = split_flags(words, Origin(origin, line), is_bool)
    return KubeletArgs(None, tuple(flags), tuple(positional), (origin,))


def parse_cmdline_bytes(data: bytes, *, origin: str = "<cmdline>", is_bool: BoolLookup | None = None) -> KubeletArgs:
    """``/proc/<pid>/cmdline``: NUL-separated arguments (bytes that are not UTF-8 are replaced)."""
    parts = data.split(b"\0")
    if parts and parts[-1] == b"":
        parts.pop()
    words = _drop_program([p.decode("utf-8", errors="replace") for p in parts])
    flags, positional = split_flags(words, Origin(origin, None), is_bool)
    return KubeletArgs(None, tuple(flags), tuple(positional), (origin,))


def _takes_next(words: list[str], i: int, is_bool: BoolLookup | None) -> bool:
    w = words[i]
    if not w.startswith("-") or w == "--" or "=" in w or i + 1 >= len(words):
        return False
    if not w.startswith("--") and len(w) > 2:
        return False
    b = (is_bool or (lambda _n: None))(_normalize(w.lstrip("-")))
    nxt = words[i + 1]
    return not (b is True or (b is None and nxt.startswith("-") and nxt != "-"))


# -- rendering (tests, examples) -----------------------------------------------------------------------


def _words(flags: Iterable[KubeletFlag]) -> list[str]:
    out: list[str] = []
    for f in flags:
        dash = "-" if f.shorthand else "--"
        out.append(f"{dash}{f.name}" if f.value is None else f"{dash}{f.name}={f.value}")
    return out


def render_command_line(flags: Iterable[KubeletFlag], program: str = "/usr/bin/kubelet") -> str:
    return shlex.join([program, *_words(flags)])


def render_cmdline_bytes(flags: Iterable[KubeletFlag], program: str = "/usr/bin/kubelet") -> bytes:
    return b"".join(w.encode("utf-8") + b"\0" for w in [program, *_words(flags)])


def render_systemd_unit(flags: Iterable[KubeletFlag], program: str = "/usr/bin/kubelet") -> str:
    """A unit whose ``ExecStart=`` runs ``program`` with ``flags`` (``$`` and ``%`` doubled, as systemd wants)."""
    words = [shlex.quote(w.replace("$", "$$").replace("%", "%%")) for w in _words(flags)]
    body = " \\\n    ".join([program, *words])
    return f"[Unit]\nDescription=kubelet\n\n[Service]\nExecStart=\nExecStart={body}\nRestart=always\n"
