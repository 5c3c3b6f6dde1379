"""Read manifests -- the objects a platform team keeps in Git -- and kubelet static-pod manifest files.

``--manifests PATH``: a file, a directory or ``-`` (standard input). A directory is walked recursively, as CI
linters do (hidden files and directories skipped), reading the files named ``*.yaml``, ``*.yml`` or
``*.json``; a file named explicitly is read whatever its name. A file holds one JSON value, JSON objects one
after another (as ``kubectl apply -f`` accepts them), or YAML documents (``---``); ``List``s are expanded later
(:func:`kubehash.model.workloads.pod_templates`).

``--static-pods PATH``: what the kubelet's ``--pod-manifest-path`` holds. A directory is read the way the
kubelet reads it (``pkg/kubelet/config/file.go`` ``extractFromDir``): every regular file whose name does not
start with ``.``, in name order, no recursion -- whatever its extension; each file is one Pod.

A file that cannot be read or parsed (a Helm template with ``{{ }}`` placeholders, say) is reported and the
other files are still read.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubehash.errors import InputError
from kubehash.golang.jsonvalue import RawFloat
from kubehash.model.workloads import ManifestDocument
from kubehash.sources.documents import load_documents, parse_documents

__all__ = ["ManifestDocument", "ManifestFiles", "read_manifests", "read_static_pods"]

PathLike = str | os.PathLike[str]

#: Extensions read from a directory given to ``--manifests``.
MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass
class ManifestFiles:
    """What was read: the documents in file order, the files read, and one message per file or path that
    could not be read (the rest is kept)."""

    documents: list[ManifestDocument] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _walk(root: Path) -> list[Path]:
    """The manifest files below a directory: its own files in name order, then each subdirectory's; hidden
    entries skipped."""
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not _hidden(d))
        for name in sorted(filenames):
            if not _hidden(name) and name.lower().endswith(MANIFEST_SUFFIXES):
                found.append(Path(dirpath) / name)
    return found


def _kubelet_dir(root: Path) -> list[Path]:
    """The files the kubelet reads from its manifest directory: ``[^.]*``, regular files, sorted."""
    return sorted(p for p in root.iterdir() if not _hidden(p.name) and p.is_file())


def _concatenated_json(text: str) -> list[Any] | None:
    """JSON values one after another (``{...}{...}``, what kubectl's stream decoder accepts), or ``None``
    when the text is not that."""
    decoder = json.JSONDecoder(parse_float=RawFloat)
    out: list[Any] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return out
        try:
            value, i = decoder.raw_decode(text, i)
        except (ValueError, RecursionError):  # RecursionError: beyond kubehash's bounds (the loader says which)
            return None
        out.append(value)


def _documents(path: str) -> list[Any]:
    """The documents of one file (``-``: standard input)."""
    try:
        return load_documents(path)
    except InputError:
        if path == "-":
            raise
        text = Path(path).read_text(encoding="utf-8")
        if text.lstrip()[:1] in ("{", "["):
            values = _concatenated_json(text)
            if values is not None:
                return values
        raise


def _stdin_documents(text: str) -> list[Any]:
    try:
        return parse_documents(text, name="<stdin>")
    except InputError:
        values = _concatenated_json(text) if text.lstrip()[:1] in ("{", "[") else None
        if values is None:
            raise
        return values


def _read(paths: Iterable[PathLike], files_of: Any, what: str) -> ManifestFiles:
    out = ManifestFiles()
    for given in paths:
        name = os.fspath(given)
        if name == "-":
            import sys

            try:
                docs = _stdin_documents(sys.stdin.read())
            except InputError as e:
                out.problems.append(str(e))
                continue
            _add(out, "<stdin>", docs)
            continue
        p = Path(name)
        if p.is_dir():
            files = files_of(p)
            if not files:
                out.problems.append(f"{p}: no {what} in this directory")
            for f in files:
                _read_file(out, f)
        elif p.exists():
            _read_file(out, p)
        else:
            out.problems.append(f"{p}: no such file or directory")
    return out


def _read_file(out: ManifestFiles, path: Path) -> None:
    try:
        docs = _documents(str(path))
    except InputError as e:
        out.problems.append(str(e))
        return
    except (OSError, UnicodeDecodeError) as e:  # pragma: no cover - load_documents reports these first
        out.problems.append(f"{path}: cannot read: {e}")
        return
    _add(out, str(path), docs)


def _add(out: ManifestFiles, name: str, docs: list[Any]) -> None:
    out.files.append(name)
    for i, d in enumerate(docs, 1):
        out.documents.append(ManifestDocument(d, name, i, len(docs)))


def read_manifests(paths: Iterable[PathLike]) -> ManifestFiles:
    """The documents of ``--manifests`` paths (files, directories walked recursively, ``-``)."""
    return _read(paths, _walk, "*.yaml, *.yml or *.json files")


def read_static_pods(paths: Iterable[PathLike]) -> ManifestFiles:
    """The documents of ``--static-pods`` paths: files, or manifest directories as the kubelet reads them."""
    return _read(paths, _kubelet_dir, "files")
