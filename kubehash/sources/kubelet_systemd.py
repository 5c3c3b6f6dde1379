"""A kubelet systemd unit and its environment files, as systemd reads them: ``[Service]`` ``ExecStart=`` (an
empty ``ExecStart=`` clears the ones before it, the last one wins; ``-@+!`` prefixes; a trailing ``\\``
continues a line; ``#``/``;`` comments), ``Environment=`` (several ``KEY=VALUE`` words, quoted) and
``EnvironmentFile=`` (``-`` prefix = optional). ``ExecStart`` expands ``${VAR}`` to one word and ``$VAR`` to
whitespace-split words.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from kubehash.errors import KubeletArgsError
from kubehash.model.kubelet_args import KubeletFlag, Origin
from kubehash.sources.kubelet_cmdline import BoolLookup, _shell_words, _takes_next, split_flags

__all__ = ["parse_env_file", "unit_flags"]


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, text) with ``\\``-newline continuations joined and comments dropped."""
    out: list[tuple[int, str]] = []
    buf: list[str] = []
    start = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not buf:
            start = n
            if line.lstrip().startswith(("#", ";")):
                continue
        elif line.lstrip().startswith(("#", ";")):
            continue  # systemd skips comment lines inside a continuation
        if line.endswith("\\"):
            buf.append(line[:-1] + " ")
            continue
        buf.append(line)
        out.append((start, "".join(buf).strip()))
        buf = []
    if buf:
        out.append((start, "".join(buf).strip()))
    return out


def parse_env_file(text: str, *, origin: str = "<env>") -> dict[str, tuple[str, int]]:
    """An ``EnvironmentFile`` / ``/etc/default/kubelet``: ``KEY=VALUE`` per line, value quoted or not,
    ``export`` allowed; -> ``{KEY: (value, line)}``."""
    env: dict[str, tuple[str, int]] = {}
    for n, line in _logical_lines(text):
        if not line:
            continue
        m = re.match(r"^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$", line)
        if not m:
            raise KubeletArgsError(f"{origin} line {n}: not a KEY=VALUE line: {line[:80]!r}")
        raw = m.group(2)
        if raw[:1] in ("'", '"'):
            try:
                words = shlex.split(raw, posix=True)
            except ValueError as e:
                raise KubeletArgsError(f"{origin} line {n}: {e}") from None
            value = " ".join(words) if len(words) != 1 else words[0]
        else:
            value = raw
        env[m.group(1)] = (value, n)
    return env


@dataclass
class _Unit:
    origin: str
    exec_start: tuple[int, str] | None = None  # (line, command), after resets
    reset: bool = False  # an empty ExecStart= was seen
    environment: dict[str, tuple[str, int]] = field(default_factory=dict)
    environment_files: list[tuple[str, bool, int]] = field(default_factory=list)  # (path, optional, line)


_UNIT_HINT = re.compile(r"(?m)^\s*(\[(Unit|Service|Install)\]|ExecStart\s*=)")


def _looks_like_unit(text: str) -> bool:
    return bool(_UNIT_HINT.search(text))


def _looks_like_env(text: str) -> bool:
    lines = [ln for _, ln in _logical_lines(text) if ln]
    return bool(lines) and all(re.match(r"^(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=", ln) for ln in lines)


def _read_unit(text: str, origin: str) -> _Unit:
    unit = _Unit(origin)
    section = None
    for n, line in _logical_lines(text):
        if not line:
            continue
        if line.startswith("["):
            section = line.strip("[] ")
            continue
        key, eq, value = line.partition("=")
        if not eq:
            raise KubeletArgsError(f"{origin} line {n}: not a KEY=VALUE line: {line[:80]!r}")
        key = key.strip()
        value = value.strip()
        if section not in (None, "Service"):
            continue
        if key == "ExecStart":
            if not value:
                unit.exec_start, unit.reset = None, True
            else:
                unit.exec_start = (n, value)
        elif key == "Environment":
            try:
                words = shlex.split(value, posix=True)
            except ValueError as e:
                raise KubeletArgsError(f"{origin} line {n}: Environment: {e}") from None
            for w in words:
                k, eq2, v = w.partition("=")
                if eq2 and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
                    unit.environment[k] = (v, n)
        elif key == "EnvironmentFile":
            optional = value.startswith("-")
            unit.environment_files.append((value.lstrip("-").strip(), optional, n))
    return unit


def _expand(command: str, env: Mapping[str, tuple[str, str, int]], origin: Origin) -> list[tuple[str, Origin]]:
    """systemd's ExecStart expansion: ``${VAR}`` one word, ``$VAR`` split on whitespace; each word keeps the
    origin of the variable it came from."""
    cmd = re.sub(r"^[-@+!:]+", "", command.strip())
    words = _shell_words_keep_vars(cmd, origin)
    out: list[tuple[str, Origin]] = []
    for w in words:
        m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", w)
        if m:
            if m.group(1) in env:
                value, file, line = env[m.group(1)]
                out.extend((x, Origin(file, line)) for x in value.split())
            continue
        m = re.fullmatch(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", w)
        if m:
            if m.group(1) in env:
                value, file, line = env[m.group(1)]
                out.append((value, Origin(file, line)))
            continue

        def sub(mm: re.Match[str]) -> str:
            if mm.group(0) in ("$$", "%%"):
                return mm.group(0)[0]
            name = mm.group(1) or mm.group(2)
            return env[name][0] if name in env else ""

        out.append((re.sub(r"\$\$|%%|\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)", sub, w), origin))
    return out


def _shell_words_keep_vars(text: str, origin: Origin) -> list[str]:
    return _shell_words(text, origin)


def _find_env(
    path: str, envs: Mapping[str, dict[str, tuple[str, int]]]
) -> tuple[str, dict[str, tuple[str, int]]] | None:
    for name, values in envs.items():
        if name == path or name.endswith(path.lstrip("/")):
            return name, values
    base = path.rsplit("/", 1)[-1]
    for name, values in envs.items():
        if name.rsplit("/", 1)[-1] == base:
            return name, values
    return None


def _unit_env(
    units: list[_Unit], envs: Mapping[str, dict[str, tuple[str, int]]]
) -> tuple[tuple[int, str, str] | None, dict[str, tuple[str, str, int]]]:
    """The ExecStart= that wins over units and drop-ins (line, command, file) and the environment it sees
    (name -> value, file, line), ``EnvironmentFile=`` lines resolved against ``envs``."""
    exec_start: tuple[int, str, str] | None = None
    env: dict[str, tuple[str, str, int]] = {}
    for u in units:
        if u.reset:
            exec_start = None
        if u.exec_start is not None:
            exec_start = (u.exec_start[0], u.exec_start[1], u.origin)
        for k, (v, ln) in u.environment.items():
            env[k] = (v, u.origin, ln)
        for path, optional, ln in u.environment_files:
            found = _find_env(path, envs)
            if found is None:
                if not optional:
                    raise KubeletArgsError(
                        f"{u.origin} line {ln}: EnvironmentFile={path} is not among the files given "
                        "(collect it too, or mark it optional with '-')"
                    )
                continue
            fname, values = found
            for k, (v, vl) in values.items():
                env[k] = (v, fname, vl)
    return exec_start, env


def unit_flags(
    units: list[_Unit], envs: Mapping[str, dict[str, tuple[str, int]]], is_bool: BoolLookup | None
) -> tuple[list[KubeletFlag], list[str]]:
    """The flags and positional words of the kubelet command the units run, each flag with its own origin."""
    flags: list[KubeletFlag] = []
    positional: list[str] = []
    exec_start, env = _unit_env(units, envs)
    if exec_start is None:
        raise KubeletArgsError(f"{', '.join(u.origin for u in units)}: no ExecStart= in [Service]")
    line, command, origin = exec_start
    words = _expand(command, env, Origin(origin, line))
    if words and re.search(r"(^|/)kubelet(\.exe)?$", words[0][0]):
        words = words[1:]
    i = 0
    plain = [w for w, _ in words]
    # split word by word so each flag keeps its own origin
    while i < len(words):
        if plain[i] == "--":  # pflag: everything after "--" is positional
            positional.extend(plain[i + 1 :])
            break
        f, p = split_flags(
            plain[i : i + 2] if _takes_next(plain, i, is_bool) else plain[i : i + 1], words[i][1], is_bool
        )
        flags.extend(f)
        positional.extend(p)
        i += 2 if _takes_next(plain, i, is_bool) else 1
    return flags, positional
