"""Writing files without ever leaving a half-written or silently replaced one behind.

``write_atomic`` writes to a temporary file in the same directory, fsyncs it, sets its mode and renames it
over the target (``os.replace`` is atomic on POSIX), then fsyncs the directory. A crash at any point leaves
either the old file or the new one, never a mixture. An existing file with different content is only
replaced with ``force=True``; symlinks and directories are never replaced; with ``root`` the target must
lie inside that directory.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from kubehash.errors import OutputError

__all__ = ["write_atomic"]


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def write_atomic(
    path: str | os.PathLike[str],
    data: bytes,
    *,
    force: bool = False,
    mode: int = 0o644,
    root: str | os.PathLike[str] | None = None,
    make_dirs: bool = True,
) -> bool:
    """Write ``data`` to ``path`` atomically. Returns ``False`` when the file already held exactly ``data``
    (nothing written), ``True`` otherwise. Raises :class:`OutputError` instead of overwriting a different
    file (without ``force``), a symlink or a directory, or writing outside ``root``."""
    target = Path(path)
    if root is not None:
        base = Path(root).resolve()
        if not target.is_absolute():
            target = base / target
        parent = target.parent.resolve() if target.parent.exists() else Path(os.path.abspath(target.parent))
        if not _inside(parent, base) or ".." in target.relative_to(target.anchor).parts:
            raise OutputError(f"{path}: refusing to write outside the output directory {base}")
    if target.is_symlink():
        raise OutputError(f"{target}: is a symlink; refusing to write through it")
    if target.is_dir():
        raise OutputError(f"{target}: is a directory")
    if target.exists():
        try:
            if target.read_bytes() == data:
                return False
        except OSError as e:
            raise OutputError(f"{target}: exists and cannot be read ({e.strerror}); not replaced") from None
        if not force:
            raise OutputError(f"{target}: exists with different content; use --force to replace it")
    if make_dirs:
        target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:
        dfd = os.open(target.parent, os.O_RDONLY)
    except OSError:
        return True
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    return True
