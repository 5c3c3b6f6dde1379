"""Writing files without ever leaving a half-written or silently replaced one behind, or writing elsewhere.

``write_atomic`` writes to a temporary file in the target's directory (:func:`temp_name`:
``.<name>.<8 random letters/digits/_>.tmp``), fsyncs it, sets its mode and renames it over the target
(``rename`` is atomic on POSIX), then fsyncs the directory. A crash at any point leaves either the old file or
the new one (and at worst a stray temporary file, which :func:`is_temp_name` recognises and
``clean_stale=True`` removes), never a mixture.

Every step goes through directory file descriptors opened with ``O_NOFOLLOW``: with ``root``, each path
component below ``root`` must be a real directory (a symlink anywhere below ``root`` is refused, so nothing
is ever written outside it); without, the target's parent is opened as given. The target itself is never a
symlink, a directory or another non-regular file, and an existing file with different content is only
replaced with ``force=True`` (all :class:`~kubehash.errors.OutputError`). When the system refuses the write
(permissions, read-only or full file system, a file where a directory should be) the error is a
:class:`~kubehash.errors.WriteError` naming the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from pathlib import Path

from kubehash.errors import OutputError, WriteError

__all__ = ["is_temp_name", "temp_name", "write_atomic"]

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789_"
#: ``.<name>.<8 characters>.tmp``: the temporary files of write_atomic (and of Python's mkstemp naming,
#: which kubehash used before)
_TEMP = re.compile(r"\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.tmp\Z")
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def temp_name(name: str) -> str:
    """A fresh temporary file name for ``name`` in the same directory."""
    return f".{name}.{''.join(secrets.choice(_ALPHABET) for _ in range(8))}.tmp"


def is_temp_name(file_name: str, name: str | None = None) -> bool:
    """Whether ``file_name`` is a temporary file of :func:`write_atomic` (for target ``name``, when given)."""
    m = _TEMP.match(file_name)
    return m is not None and (name is None or m.group("name") == name)


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _why(e: OSError) -> str:
    return e.strerror or str(e)


def _open_dir(name: str, dir_fd: int | None, shown: Path, make: bool) -> int:
    """A directory fd for ``name`` (relative to ``dir_fd``), never through a symlink; created with ``make``."""
    if make:
        try:
            os.mkdir(name, 0o755, dir_fd=dir_fd)
        except FileExistsError:
            pass
        except OSError as e:
            raise WriteError(f"{shown}: cannot create directory: {_why(e)}") from None
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        raise WriteError(f"{shown}: no such directory") from None
    except OSError as e:
        raise WriteError(f"{shown}: cannot open directory: {_why(e)}") from None
    if stat.S_ISLNK(st.st_mode):
        raise OutputError(f"{shown}: is a symlink; refusing to write through it")
    if not stat.S_ISDIR(st.st_mode):
        raise WriteError(f"{shown}: is not a directory")
    try:
        return os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError as e:
        if e.errno == errno.ELOOP:  # replaced by a symlink since the stat
            raise OutputError(f"{shown}: is a symlink; refusing to write through it") from None
        raise WriteError(f"{shown}: cannot open directory: {_why(e)}") from None


def _open_named(directory: Path, shown: Path, make: bool) -> int:
    """An fd of a directory the user named (followed if it is a symlink), created with ``make``."""
    if make:
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except FileExistsError:
            raise WriteError(f"{shown}: is not a directory (or lies below a file)") from None
        except OSError as e:
            raise WriteError(f"{shown}: cannot create directory: {_why(e)}") from None
    try:
        return os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except NotADirectoryError:
        raise WriteError(f"{shown}: is not a directory (or lies below a file)") from None
    except OSError as e:
        raise WriteError(f"{shown}: cannot open directory: {_why(e)}") from None


def _parent_fd(target: Path, root: Path | None, make_dirs: bool, shown_root: Path | None = None) -> int:
    """An fd of ``target``'s directory: walked component by component below ``root`` (no symlinks), or
    opened as given (created with ``make_dirs``)."""
    if root is None:
        return _open_named(target.parent, target.parent, make_dirs)
    fd = _open_named(root, shown_root or root, make_dirs)
    shown = shown_root or root
    try:
        for part in target.relative_to(root).parts[:-1]:
            shown = shown / part
            nxt = _open_dir(part, fd, shown, make_dirs)
            os.close(fd)
            fd = nxt
    except BaseException:
        os.close(fd)
        raise
    return fd


def _existing(fd: int, name: str, target: Path, data: bytes, force: bool) -> bool:
    """Whether ``name`` already holds ``data``; raises when it must not be replaced."""
    try:
        st = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    except OSError as e:
        raise WriteError(f"{target}: cannot stat: {_why(e)}") from None
    if stat.S_ISLNK(st.st_mode):
        raise OutputError(f"{target}: is a symlink; refusing to write through it")
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{target}: is a directory")
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{target}: is not a regular file; refusing to replace it")
    if st.st_size == len(data):
        try:
            rfd = os.open(name, os.O_RDONLY | _NOFOLLOW, dir_fd=fd)
            with os.fdopen(rfd, "rb") as f:
                if f.read(len(data) + 1) == data:
                    return True
        except OSError as e:
            raise OutputError(f"{target}: exists and cannot be read ({_why(e)}); not replaced") from None
    if not force:
        raise OutputError(f"{target}: exists with different content; use --force to replace it")
    return False


def _clean_stale(fd: int, name: str) -> None:
    """Remove temporary files of ``name`` left by an interrupted write (regular files only)."""
    with contextlib.suppress(OSError):
        for entry in os.listdir(fd):
            if is_temp_name(entry, name):
                with contextlib.suppress(OSError):
                    if stat.S_ISREG(os.stat(entry, dir_fd=fd, follow_symlinks=False).st_mode):
                        os.unlink(entry, dir_fd=fd)


def _write_new(fd: int, name: str, target: Path, data: bytes, mode: int) -> None:
    tmp = temp_name(name)
    try:
        wfd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600, dir_fd=fd)
    except OSError as e:
        raise WriteError(f"{target}: cannot write: {_why(e)}") from None
    try:
        with os.fdopen(wfd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
            os.fchmod(f.fileno(), mode)
        os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=fd)
        if isinstance(e, OSError):
            raise WriteError(f"{target}: cannot write: {_why(e)}") from None
        raise
    with contextlib.suppress(OSError):
        os.fsync(fd)


def write_atomic(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    force: bool = False,
    mode: int = 0o644,
    root: str | os.PathLike[str] | None = None,
    make_dirs: bool = True,
    clean_stale: bool = False,
) -> bool:
    """Write ``data`` to ``path`` atomically. Returns ``False`` when the file already held exactly ``data``
    (nothing written), ``True`` otherwise. Raises :class:`OutputError` instead of overwriting a different
    file (without ``force``), a symlink, a directory or another non-regular file, or writing outside ``root``
    (a relative ``path`` is taken below ``root``; every component below it must be a real directory), and
    :class:`WriteError` when the system refuses the write. ``clean_stale``: first remove temporary files an
    interrupted earlier write of the same target left."""
    target = Path(path)
    base: Path | None = None
    if root is not None:
        base = Path(os.path.abspath(root))
        if not target.is_absolute():
            target = base / target
        target = Path(os.path.abspath(target)) if ".." not in target.parts else target
        if ".." in target.parts or not _inside(target, base) or target == base:
            raise OutputError(f"{path}: refusing to write outside the output directory {base}")
    name = target.name
    if not name or name in (".", ".."):
        raise OutputError(f"{target}: is a directory")
    shown = target if base is None or root is None else Path(root) / target.relative_to(base)
    fd = _parent_fd(target, base, make_dirs, None if root is None else Path(root))
    try:
        if clean_stale:
            _clean_stale(fd, name)
        if _existing(fd, name, shown, data, force):
            return False
        _write_new(fd, name, shown, data, mode)
    finally:
        os.close(fd)
    return True
