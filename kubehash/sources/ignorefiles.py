"""Reading ignore files from disk, alone or in the layout ``kubehash ignore-file generate`` writes.

Layout: ``DIR/<node>/<path without its leading '/'>``, i.e. ``DIR/worker-1/tmp/cache.version.save`` for the
default path: ``DIR/<node>/`` mirrors the node's root filesystem, so ``rsync -a --exclude='.*.tmp' DIR/worker-1/
worker-1:/`` (or the generated script / DaemonSet) puts the file where the patched kubelet looks. Temporary files
an interrupted ``generate`` left (``.cache.version.save.<8 characters>.tmp``, see :mod:`kubehash.atomicfile`)
are reported as problems of kind ``stray-temp`` on request (``ignore-file check``): plain ``rsync`` ships them.
What the kubelet makes of a file's content is :mod:`kubehash.upgrade.ignorefile.rules`; this module reports what
it finds on disk (missing, symlink, directory, unreadable) as the kubelet would meet it.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kubehash.atomicfile import is_temp_name
from kubehash.errors import IgnoreFileError, InputError
from kubehash.upgrade.ignorefile.rules import DEFAULT_PATH, IgnoreFile, parse_ignore_file

__all__ = ["LoadedIgnoreFiles", "layout_path", "load_ignore_files", "read_ignore_file"]

_NODE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$")


def _rel(path: str) -> Path:
    rel = Path(path.lstrip("/"))
    if not path.startswith("/") or ".." in rel.parts or not rel.parts:
        raise InputError(f"ignore file path {path!r} must be absolute and contain no '..'")
    return rel


def layout_path(out_dir: str | os.PathLike[str], node: str, path: str = DEFAULT_PATH) -> Path:
    """``out_dir/<node>/<path>``; ``node`` must be a valid node name (a DNS subdomain)."""
    if not _NODE_NAME.match(node) or ".." in node:
        raise InputError(f"{node!r} is not a valid node name")
    return Path(out_dir) / node / _rel(path)


def read_ignore_file(file: str | os.PathLike[str], *, node: str | None = None) -> IgnoreFile:
    """Read and parse one file. Raises :class:`IgnoreFileError` (``kind`` ``missing``, ``symlink``,
    ``directory``, ``not-a-file``, ``unreadable``, ``malformed``, ``empty``, ``truncated``)."""
    p = Path(file)
    origin = str(p)
    try:
        st = p.lstat()
    except FileNotFoundError:
        raise IgnoreFileError(
            origin, "no such file: the patched kubelet writes its own version, protecting nothing", "missing"
        ) from None
    except OSError as e:
        raise IgnoreFileError(origin, f"cannot stat: {e.strerror}", "unreadable") from None
    if stat.S_ISLNK(st.st_mode):
        raise IgnoreFileError(
            origin,
            f"is a symlink (to {os.readlink(p)!r}): the kubelet would follow it (and write through it when "
            "the target is missing); replace it with a regular file",
            "symlink",
        )
    if stat.S_ISDIR(st.st_mode):
        raise IgnoreFileError(
            origin,
            "is a directory where the file should be: the patched kubelet fails to read it and never "
            "skips the check (every changed container restarts)",
            "directory",
        )
    if not stat.S_ISREG(st.st_mode):
        raise IgnoreFileError(origin, "is not a regular file", "not-a-file")
    try:
        data = p.read_bytes()
    except OSError as e:
        raise IgnoreFileError(origin, f"cannot read: {e.strerror}", "unreadable") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise IgnoreFileError(origin, f"not text (bytes {data[:20]!r})", "malformed") from None
    return parse_ignore_file(text, origin=origin, node=node)


@dataclass
class LoadedIgnoreFiles:
    """Files found under the paths given: by node, problems (one per bad file), and every node seen."""

    files: dict[str, IgnoreFile]
    problems: list[IgnoreFileError]
    nodes: set[str]


def _node_from_layout(p: Path, rel: Path) -> str | None:
    parts = p.parts
    n = len(rel.parts)
    if len(parts) > n and tuple(parts[-n:]) == rel.parts:
        return parts[-n - 1]
    return None


def load_ignore_files(
    paths: Iterable[str | os.PathLike[str]], *, path: str = DEFAULT_PATH, stray_temps: bool = False
) -> LoadedIgnoreFiles:
    """Load files and layout directories. A directory's subdirectories are nodes (``DIR/<node>/tmp/...``);
    a file's node comes from its place in the layout, else its path names it. ``stray_temps``: also report
    temporary files an interrupted ``generate`` left (``ignore-file check``: they must not reach a node)."""
    rel = _rel(path)
    out = LoadedIgnoreFiles({}, [], set())
    for arg in paths:
        p = Path(arg)
        if p.is_dir() and not p.is_symlink() and _node_from_layout(p, rel) is None and p.name != rel.parts[-1]:
            children = sorted(c for c in p.iterdir() if c.is_dir() and not c.name.startswith("."))
            if not children:
                out.problems.append(
                    IgnoreFileError(str(p), f"no node directories (expected DIR/<node>/{rel})", "missing")
                )
            for child in children:
                _load_one(out, child / rel, child.name)
                if stray_temps:
                    _stray_temps(out, child)
        else:
            _load_one(out, p, _node_from_layout(p, rel) or str(p))
            if stray_temps and not p.is_dir():
                _stray_temps(out, p.parent, p.name)
    return out


STRAY_TEMP = (
    "stray temporary file left by an interrupted `kubehash ignore-file generate`: rsync without "
    "--exclude='.*.tmp' would copy it to the node; run generate again (it removes them) or delete it"
)


def _stray_temps(out: LoadedIgnoreFiles, where: Path, name: str | None = None) -> None:
    """A ``stray-temp`` problem per temporary file of :func:`~kubehash.atomicfile.write_atomic` under the
    directory ``where`` (only those of ``name``, not descending, when given); symlinks are not followed."""
    if name is not None:
        try:
            entries = [where / e for e in os.listdir(where) if is_temp_name(e, name)]
        except OSError:
            return
    else:
        entries = []
        for top, dirs, files in os.walk(where, followlinks=False):
            dirs.sort()
            entries += [Path(top) / f for f in sorted(files) if is_temp_name(f)]
    out.problems.extend(IgnoreFileError(str(e), STRAY_TEMP, "stray-temp") for e in entries)


def _load_one(out: LoadedIgnoreFiles, file: Path, node: str) -> None:
    out.nodes.add(node)
    try:
        out.files[node] = read_ignore_file(file, node=node)
    except IgnoreFileError as e:
        e.node = node
        out.problems.append(e)
