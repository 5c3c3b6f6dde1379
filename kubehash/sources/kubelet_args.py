"""The kubelet's command line and config file as collected from a node (``docs/kubelet-flags.md``).

Inputs, told apart by their content:

* ``/proc/<pid>/cmdline`` bytes: the arguments separated (and ended) by NUL;
* a systemd unit or drop-in: ``[Service]`` ``ExecStart=`` (an empty ``ExecStart=`` clears the ones before
  it, the last one wins; ``-@+!`` prefixes; a trailing ``\\`` continues a line; ``#``/``;`` comments),
  ``Environment=`` (several ``KEY=VALUE`` words, quoted) and ``EnvironmentFile=`` (``-`` prefix = optional).
  ``ExecStart`` expands ``${VAR}`` to one word and ``$VAR`` to whitespace-split words, as systemd does;
* an environment file (``KEY=VALUE`` lines): kubeadm's ``/var/lib/kubelet/kubeadm-flags.env``
  (``KUBELET_KUBEADM_ARGS``), ``/etc/default/kubelet`` / ``/etc/sysconfig/kubelet`` (``KUBELET_EXTRA_ARGS``);
* anything else: a shell command line (POSIX quoting, ``\\``-newline continuations), e.g. the output of
  ``cat /proc/$(pidof kubelet)/cmdline | tr '\\0' ' '``; a leading program path ending in ``kubelet`` is dropped.

Several files of one node combine: units first (a drop-in's ``ExecStart=`` replaces the unit's), their
``EnvironmentFile=`` lines resolved against the other files given for the node (by path, else by file name),
and environment files without a unit contribute the kubeadm variables ``KUBELET_KUBECONFIG_ARGS``,
``KUBELET_CONFIG_ARGS``, ``KUBELET_KUBEADM_ARGS``, ``KUBELET_EXTRA_ARGS``. A directory is read as
``DIR/<node>/...`` (files directly in ``DIR`` belong to no node), like kubehash's other per-node inputs.

Flags are read as Go's pflag reads them: ``--name=value``, ``--name value`` (not for bool flags, which
take a value only after ``=``), ``-x`` shorthands (``-v=4``, ``-v 4``, ``-v4``), ``--`` ends the flags,
and a repeated flag is kept every time (pflag keeps the last value, or appends for list flags). Every flag
keeps its origin (file and line).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kubehash.errors import KubeletArgsError
from kubehash.model.kubelet_args import KubeletArgs, KubeletConfigFile, KubeletFlag, Origin

__all__ = [
    "KUBEADM_VARS",
    "KubeletArgs",
    "KubeletArgsError",
    "KubeletConfigFile",
    "KubeletFlag",
    "Origin",
    "load_kubelet_args",
    "load_kubelet_configs",
    "parse_cmdline_bytes",
    "parse_command_line",
    "parse_configz",
    "parse_env_file",
    "parse_kubelet_args",
    "parse_kubelet_config",
    "parse_systemd_unit",
    "render_cmdline_bytes",
    "render_command_line",
    "render_systemd_unit",
    "split_flags",
]

KUBEADM_VARS = ("KUBELET_KUBECONFIG_ARGS", "KUBELET_CONFIG_ARGS", "KUBELET_KUBEADM_ARGS", "KUBELET_EXTRA_ARGS")

#: is this flag a bool flag? ``None`` = unknown (then a following word that is not a flag is its value)
BoolLookup = Callable[[str], "bool | None"]


def _normalize(name: str) -> str:
    return name.replace("_", "-")


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
        short = not w.startswith("--")
        body = w[1:] if short else w[2:]
        if short and len(body) > 1 and "=" not in body and not body[1:].startswith("-"):
            # -v4: the shorthand's value follows it directly (pflag); -abc bool groups are rare for the kubelet
            name, value = body[0], body[1:]
            flags.append(KubeletFlag(name, value, w, origin, shorthand=True))
            continue
        name, eq, value = body.partition("=")
        name = _normalize(name)
        if not name:
            raise KubeletArgsError(f"{origin}: bad flag syntax: {w!r}")
        if eq:
            flags.append(KubeletFlag(name, value, w, origin, shorthand=short))
            continue
        boolean = lookup(name)
        nxt = items[i] if i < len(items) else None
        if boolean is True or nxt is None or (boolean is None and nxt.startswith("-") and nxt != "-"):
            flags.append(KubeletFlag(name, None, w, origin, shorthand=short))
            continue
        flags.append(KubeletFlag(name, nxt, f"{w} {nxt}", origin, shorthand=short))
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


# -- systemd -------------------------------------------------------------------------------------------


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


def parse_systemd_unit(
    text: str, *, origin: str = "<unit>", env_files: Mapping[str, str] | None = None, is_bool: BoolLookup | None = None
) -> KubeletArgs:
    """One unit (or a unit followed by its drop-ins, concatenated): see :func:`parse_kubelet_args`."""
    return parse_kubelet_args([(origin, text)], env_files=env_files, is_bool=is_bool)


def _kind(text: str) -> str:
    if "\0" in text:
        return "cmdline"
    if _looks_like_unit(text):
        return "unit"
    if _looks_like_env(text):
        return "env"
    return "command"


def parse_kubelet_args(
    files: Iterable[tuple[str, str | bytes]],
    *,
    node: str | None = None,
    env_files: Mapping[str, str] | None = None,
    is_bool: BoolLookup | None = None,
) -> KubeletArgs:
    """Combine the files of one node ((name, content) pairs, in the order systemd reads them: the unit,
    then its drop-ins by name) into the kubelet's command line."""
    units: list[_Unit] = []
    envs: dict[str, dict[str, tuple[str, int]]] = {}
    commands: list[KubeletArgs] = []
    names: list[str] = []
    for name, content in files:
        names.append(name)
        if isinstance(content, bytes):
            if b"\0" in content:
                commands.append(parse_cmdline_bytes(content, origin=name, is_bool=is_bool))
                continue
            try:
                content = content.decode("utf-8")
            except UnicodeDecodeError as e:
                raise KubeletArgsError(
                    f"{name}: not UTF-8 text and not a NUL-separated cmdline: byte {e.start}"
                ) from None
        kind = _kind(content)
        if kind == "cmdline":
            commands.append(parse_cmdline_bytes(content.encode("utf-8", "surrogatepass"), origin=name, is_bool=is_bool))
        elif kind == "unit":
            units.append(_read_unit(content, name))
        elif kind == "env":
            envs[name] = parse_env_file(content, origin=name)
        else:
            commands.append(parse_command_line(content, origin=name, is_bool=is_bool))
    for path, text in (env_files or {}).items():
        envs.setdefault(path, parse_env_file(text, origin=path))
    flags: list[KubeletFlag] = []
    positional: list[str] = []
    if units:
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
    elif envs and not commands:
        for fname, values in envs.items():
            for var in KUBEADM_VARS:
                if var in values:
                    v, ln = values[var]
                    f, p = split_flags(_shell_words(v, Origin(fname, ln)), Origin(fname, ln), is_bool)
                    flags.extend(f)
                    positional.extend(p)
    for c in commands:
        flags.extend(c.flags)
        positional.extend(c.positional)
    return KubeletArgs(node, tuple(flags), tuple(positional), tuple(names))


def _takes_next(words: list[str], i: int, is_bool: BoolLookup | None) -> bool:
    w = words[i]
    if not w.startswith("-") or w == "--" or "=" in w or i + 1 >= len(words):
        return False
    if not w.startswith("--") and len(w) > 2:
        return False
    b = (is_bool or (lambda _n: None))(_normalize(w.lstrip("-")))
    nxt = words[i + 1]
    return not (b is True or (b is None and nxt.startswith("-") and nxt != "-"))


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


# -- files and directories -----------------------------------------------------------------------------


def _files(path: Path) -> list[tuple[Path, str | None]]:
    if not path.is_dir():
        return [(path, None)]
    out: list[tuple[Path, str | None]] = []
    for f in sorted(p for p in path.rglob("*") if p.is_file()):
        rel = f.relative_to(path).parts
        out.append((f, rel[0] if len(rel) >= 2 else None))
    if not out:
        raise KubeletArgsError(f"{path}: directory holds no files")
    return out


def _order(name: str) -> tuple[int, str]:
    """systemd's order: the unit (``*.service``), then its drop-ins (``*.conf``) by file name; other files
    (environment files, command lines) after them -- units look environment files up by name."""
    p = Path(name)
    if p.suffix == ".service":
        return 0, p.name
    if p.suffix == ".conf":
        return 1, p.name
    return 2, p.name


def _is_kubelet_config(data: bytes) -> bool:
    return bool(re.search(rb"""(?m)^\s*["']?kind["']?\s*:\s*["']?KubeletConfiguration\b""", data))


def load_kubelet_args(
    paths: Iterable[str | Path], *, is_bool: BoolLookup | None = None
) -> dict[str | None, KubeletArgs]:
    """Command lines per node from files and ``DIR/<node>/...`` directories (``None``: no node named).
    A ``KubeletConfiguration`` file met on the way is skipped (it is :func:`load_kubelet_configs`' input)."""
    per_node: dict[str | None, list[tuple[str, bytes]]] = {}
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise KubeletArgsError(f"{path}: no such file or directory")
        for f, node in _files(path):
            try:
                data = f.read_bytes()
            except OSError as e:
                raise KubeletArgsError(f"{f}: cannot read: {e.strerror or e}") from None
            if _is_kubelet_config(data):
                continue  # a KubeletConfiguration collected alongside: read it with load_kubelet_configs
            per_node.setdefault(node, []).append((str(f), data))
    out: dict[str | None, KubeletArgs] = {}
    for node, files in per_node.items():
        files.sort(key=lambda nf: _order(nf[0]))
        out[node] = parse_kubelet_args(files, node=node, is_bool=is_bool)
    return out


# -- KubeletConfiguration ------------------------------------------------------------------------------

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: /configz carries no apiVersion; its JSON names are those of kubelet.config.k8s.io/v1beta1
CONFIGZ_API_VERSION = "kubelet.config.k8s.io/v1beta1"


def _walk(node: yaml.Node, prefix: str, out: dict[str, int | None], origin: str) -> None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise KubeletArgsError(f"{origin} line {k.start_mark.line + 1}: a mapping key must be a string")
            path = f"{prefix}.{k.value}" if prefix else str(k.value)
            out.setdefault(path, k.start_mark.line + 1)
            _walk(v, path, out, origin)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _walk(item, prefix + "[]", out, origin)


def parse_kubelet_config(text: str | bytes, *, origin: str = "<config>", node: str | None = None) -> KubeletConfigFile:
    """A ``KubeletConfiguration`` in YAML or JSON."""
    try:
        docs = list(yaml.compose_all(text, Loader=_Loader))
    except yaml.YAMLError as e:
        raise KubeletArgsError(f"{origin}: not valid YAML or JSON: {e}") from None
    except (ValueError, RecursionError) as e:  # not UTF-8, or nested deeper than Python recurses
        raise KubeletArgsError(f"{origin}: not a readable document: {e}") from None
    docs = [d for d in docs if d is not None]
    if len(docs) != 1:
        raise KubeletArgsError(f"{origin}: expected one KubeletConfiguration document, found {len(docs)}")
    root = docs[0]
    if not isinstance(root, yaml.MappingNode):
        raise KubeletArgsError(f"{origin}: a KubeletConfiguration is a mapping, not a {root.tag.rsplit(':', 1)[-1]}")
    fields: dict[str, int | None] = {}
    try:
        _walk(root, "", fields, origin)
        data = yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, RecursionError) as e:
        raise KubeletArgsError(f"{origin}: {e}") from None
    api_version = data.get("apiVersion")
    kind = data.get("kind")
    for key, value in (("apiVersion", api_version), ("kind", kind)):
        if value is not None and not isinstance(value, str):
            raise KubeletArgsError(f"{origin} line {fields.get(key)}: {key} must be a string, got {value!r}")
    if kind not in (None, "KubeletConfiguration"):
        raise KubeletArgsError(f"{origin} line {fields.get('kind')}: kind is {kind!r}, not KubeletConfiguration")
    gates = data.get("featureGates") or {}
    if not isinstance(gates, dict):
        raise KubeletArgsError(f"{origin} line {fields.get('featureGates')}: featureGates must be a mapping")
    for k in ("apiVersion", "kind"):
        fields.pop(k, None)
    return KubeletConfigFile(origin, api_version, kind, fields, {str(k): v for k, v in gates.items()}, node)


def parse_configz(data: str | bytes, *, origin: str = "<configz>", node: str | None = None) -> KubeletConfigFile:
    """The answer of ``/api/v1/nodes/<node>/proxy/configz``: ``{"kubeletconfig": {...}}``, the running
    kubelet's effective configuration (defaults included, no apiVersion/kind: read as ``v1beta1``, whose JSON
    names the kubelet's internal type shares from 1.10)."""
    try:
        doc = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise KubeletArgsError(f"{origin}: not JSON: {e}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("kubeletconfig"), dict):
        raise KubeletArgsError(f'{origin}: expected {{"kubeletconfig": {{...}}}} from /configz')
    body = {"apiVersion": CONFIGZ_API_VERSION, "kind": "KubeletConfiguration", **doc["kubeletconfig"]}
    cfg = parse_kubelet_config(json.dumps(body), origin=origin, node=node)
    return KubeletConfigFile(origin, cfg.api_version, cfg.kind, {k: None for k in cfg.fields}, cfg.feature_gates, node)


def load_kubelet_configs(paths: Iterable[str | Path]) -> dict[str | None, list[KubeletConfigFile]]:
    """Config files per node from files and ``DIR/<node>/...`` directories."""
    out: dict[str | None, list[KubeletConfigFile]] = {}
    for p in paths:
        path = Path(p)
        if not path.exists():
            raise KubeletArgsError(f"{path}: no such file or directory")
        for f, node in _files(path):
            try:
                data = f.read_bytes()
            except OSError as e:
                raise KubeletArgsError(f"{f}: cannot read: {e.strerror or e}") from None
            out.setdefault(node, []).append(parse_kubelet_config(data, origin=str(f), node=node))
    return out


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
