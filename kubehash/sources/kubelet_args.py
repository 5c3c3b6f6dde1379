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

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from kubehash.errors import KubeletArgsError
from kubehash.model.kubelet_args import KubeletArgs, KubeletConfigFile, KubeletFlag, Origin
from kubehash.sources.kubelet_cmdline import (
    BoolLookup,
    _shell_words,
    parse_cmdline_bytes,
    parse_command_line,
    render_cmdline_bytes,
    render_command_line,
    render_systemd_unit,
    split_flags,
)
from kubehash.sources.kubelet_config import CONFIGZ_API_VERSION, parse_configz, parse_kubelet_config
from kubehash.sources.kubelet_systemd import (
    _looks_like_env,
    _looks_like_unit,
    _read_unit,
    _Unit,
    parse_env_file,
    unit_flags,
)

__all__ = [
    "CONFIGZ_API_VERSION",
    "KUBEADM_VARS",
    "BoolLookup",
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


def parse_systemd_unit(
    text: str, *, origin: str = "<unit>", env_files: Mapping[str, str] | None = None, is_bool: BoolLookup | None = None
) -> KubeletArgs:
    """One unit (or a unit followed by its drop-ins, concatenated): see :func:`parse_kubelet_args`."""
    return parse_kubelet_args([(origin, text)], env_files=env_files, is_bool=is_bool)


def _kind(text: str) -> str:
    """What a node file is, by its content: ``cmdline``, ``unit``, ``env`` or ``command``."""
    if "\0" in text:
        return "cmdline"
    if _looks_like_unit(text):
        return "unit"
    if _looks_like_env(text):
        return "env"
    return "command"


def _read_file(
    name: str,
    content: str | bytes,
    is_bool: BoolLookup | None,
    units: list[_Unit],
    envs: dict[str, dict[str, tuple[str, int]]],
    commands: list[KubeletArgs],
) -> None:
    """Read one file of a node into the unit, environment-file or command-line list its content says."""
    if isinstance(content, bytes):
        if b"\0" in content:
            commands.append(parse_cmdline_bytes(content, origin=name, is_bool=is_bool))
            return
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError as e:
            raise KubeletArgsError(f"{name}: not UTF-8 text and not a NUL-separated cmdline: byte {e.start}") from None
    kind = _kind(content)
    if kind == "cmdline":
        commands.append(parse_cmdline_bytes(content.encode("utf-8", "surrogatepass"), origin=name, is_bool=is_bool))
    elif kind == "unit":
        units.append(_read_unit(content, name))
    elif kind == "env":
        envs[name] = parse_env_file(content, origin=name)
    else:
        commands.append(parse_command_line(content, origin=name, is_bool=is_bool))


def _kubeadm_env_flags(
    envs: Mapping[str, dict[str, tuple[str, int]]], is_bool: BoolLookup | None
) -> tuple[list[KubeletFlag], list[str]]:
    """The flags of the kubeadm variables (:data:`KUBEADM_VARS`) of environment files given without a unit."""
    flags: list[KubeletFlag] = []
    positional: list[str] = []
    for fname, values in envs.items():
        for var in KUBEADM_VARS:
            if var in values:
                v, ln = values[var]
                f, p = split_flags(_shell_words(v, Origin(fname, ln)), Origin(fname, ln), is_bool)
                flags.extend(f)
                positional.extend(p)
    return flags, positional


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
        _read_file(name, content, is_bool, units, envs, commands)
    for path, text in (env_files or {}).items():
        envs.setdefault(path, parse_env_file(text, origin=path))
    flags: list[KubeletFlag] = []
    positional: list[str] = []
    if units:
        flags, positional = unit_flags(units, envs, is_bool)
    elif envs and not commands:
        flags, positional = _kubeadm_env_flags(envs, is_bool)
    for c in commands:
        flags.extend(c.flags)
        positional.extend(c.positional)
    return KubeletArgs(node, tuple(flags), tuple(positional), tuple(names))


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
