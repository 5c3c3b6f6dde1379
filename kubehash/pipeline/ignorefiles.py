"""Writing ignore files into the layout ``kubehash ignore-file generate`` produces
(:func:`kubehash.sources.ignorefiles.layout_path`), through :func:`kubehash.atomicfile.write_atomic`: temp file +
fsync + rename, mode 0644, no symlink anywhere below ``DIR`` (``DIR/<node>``, ``DIR/<node>/tmp``, the file),
nothing outside ``DIR``, no replacement of a different file without ``force``; temporary files an interrupted
earlier run left next to a node's file are removed. One refused or unwritable file does not stop the others."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kubehash.atomicfile import write_atomic
from kubehash.errors import InputError, OutputError, WriteError
from kubehash.sources.ignorefiles import layout_path
from kubehash.upgrade.ignorefile.rules import DEFAULT_PATH, IgnoreFile, format_ignore_file

__all__ = ["WriteResult", "write_ignore_files"]


@dataclass(frozen=True)
class WriteResult:
    node: str
    path: str
    status: str  # "written" | "unchanged" | "refused" (policy: exists, symlink...) | "error" (the system refused)
    error: str | None = None


def write_ignore_files(
    files: Mapping[str, IgnoreFile], out_dir: str | os.PathLike[str], *, path: str = DEFAULT_PATH, force: bool = False
) -> list[WriteResult]:
    """Write every file into the layout under ``out_dir``; a refused file does not stop the others."""
    results = []
    for node, f in sorted(files.items()):
        try:
            target = layout_path(out_dir, node, path)
            data = format_ignore_file(f).encode()
            # absolute: write_atomic resolves a relative target against root
            changed = write_atomic(target.absolute(), data, force=force, mode=0o644, root=out_dir, clean_stale=True)
        except (OutputError, InputError) as e:
            results.append(WriteResult(node, str(Path(out_dir) / node), "refused", str(e)))
            continue
        except WriteError as e:
            results.append(WriteResult(node, str(Path(out_dir) / node), "error", str(e)))
            continue
        results.append(WriteResult(node, str(target), "written" if changed else "unchanged"))
    return results
