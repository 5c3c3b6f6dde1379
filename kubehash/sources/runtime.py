"""What the container runtime recorded about each container: the kubelet's hash and the start time.

Reads the JSON that node tools print (docs/kubernetes-facts.md#where-the-running-containers-hash-is-recorded):

* ``crictl inspect ID...`` (containerd, CRI-O): one object, a JSON array, or several objects one after the
  other (what ``crictl inspect ID1 ID2`` prints). Hash in ``status.annotations["io.kubernetes.container.hash"]``,
  identity in ``status.labels``, start time ``status.startedAt`` (RFC 3339, nanoseconds). Pod sandboxes
  (``crictl inspectp``, metadata with ``uid``/``namespace``) are skipped.
* ``crictl ps -o json``: ``{"containers": [...]}`` with the same labels and annotations, ``createdAt`` as a
  string of nanoseconds and no start time.
* ``docker inspect ID...`` (dockershim, kubelet ≤ 1.23): a JSON array; the hash is the docker label
  ``annotation.io.kubernetes.container.hash``, start time ``State.StartedAt``. Pod sandbox ("POD",
  ``io.kubernetes.docker.type=podsandbox``) and non-Kubernetes containers are skipped.

The kubelet writes the hash with ``strconv.FormatUint(hash, 16)`` (lowercase, no padding) and reads it
back with ``strconv.ParseUint(s, 16, 64)``; ``hashWithoutResources`` (kubelet 1.27–1.30, in-place
resize) is read too when present.

``load_runtime`` takes files and directories. In a directory every ``*.json`` below it is read (sorted);
a file at ``DIR/<node>/...`` is attributed to node ``<node>``, so ``crictl inspect`` dumps collected as
``runtime/node-a/containers.json``, ``runtime/node-b/containers.json`` carry their node names.

This module reads files and their JSON values; :mod:`kubehash.sources.runtime_entries` makes a record of
each entry, and :mod:`kubehash.sources.runtime_render` writes sample output (its ``render_*`` functions and
the hash annotation names are importable from here too).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from kubehash.errors import InputError
from kubehash.model import RuntimeRecord
from kubehash.sources.runtime_entries import (
    HASH_ANNOTATION,
    HASH_WITHOUT_RESOURCES_ANNOTATION,
    ItemError,
    Notes,
    describe,
    parse_entry,
)
from kubehash.sources.runtime_render import render_crictl_inspect, render_crictl_ps, render_docker_inspect

__all__ = [
    "HASH_ANNOTATION",
    "HASH_WITHOUT_RESOURCES_ANNOTATION",
    "load_runtime",
    "parse_runtime",
    "parse_runtime_lenient",
    "render_crictl_inspect",
    "render_crictl_ps",
    "render_docker_inspect",
]

# -- parsing ----------------------------------------------------------------------------------------------


def _json_values(text: str, origin: str) -> list[Any]:
    """Every JSON value in ``text``: one value or several concatenated (whitespace between them)."""
    dec = json.JSONDecoder()
    out: list[Any] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i >= n:
            break
        try:
            value, i = dec.raw_decode(text, i)
        except json.JSONDecodeError as e:
            raise InputError(f"{origin}: not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
        except (ValueError, RecursionError) as e:
            raise InputError(f"{origin}: not valid JSON: {e}") from None
        out.append(value)
    if not out:
        raise InputError(f"{origin}: empty file (expected crictl or docker inspect JSON)")
    return out


def _entries(values: list[Any]) -> Iterator[tuple[bool, Any]]:
    """(from a ``crictl ps`` container list?, entry) for every container entry."""
    for v in values:
        if isinstance(v, list):
            for item in v:
                yield False, item
        elif isinstance(v, dict) and isinstance(v.get("containers"), list) and "status" not in v:
            for item in v["containers"]:  # crictl ps -o json
                yield True, item
        else:
            yield False, v


def parse_runtime_lenient(
    text: str, *, origin: str, node: str | None = None, warnings: list[str] | None = None
) -> tuple[list[RuntimeRecord], list[InputError]]:
    """Records from every good entry of ``text``, and one :class:`InputError` per bad entry (or for the
    whole text when it is not JSON) -- and per value that is unusable in a kept record (a hash annotation the
    kubelet would read as 0, kept as 0; a start time that reads as before 2000, dropped). Doubtful values that
    are used (a hash wider than 32 bits, a time as a JSON number) go to ``warnings`` (one line each, naming
    ``origin`` and the entry), or, without that list, are returned as errors too: never silently."""
    try:
        values = _json_values(text, origin)
    except InputError as e:
        return [], [e]
    records: list[RuntimeRecord] = []
    errors: list[InputError] = []
    for i, (from_ps, item) in enumerate(_entries(values)):
        notes = Notes()
        try:
            rec = parse_entry(item, origin, node, from_ps, notes)
        except ItemError as e:
            errors.append(InputError(f"{origin}: {describe(item, i)}: {e}"))
            continue
        errors.extend(InputError(f"{origin}: {describe(item, i)}: {n}") for n in notes.errors)  # kept, reported
        if warnings is None:
            errors.extend(InputError(f"{origin}: {describe(item, i)}: {n}") for n in notes.warnings)
        else:
            warnings.extend(f"{origin}: {describe(item, i)}: {n}" for n in notes.warnings)
        if rec is not None:
            records.append(rec)
    return records, errors


def parse_runtime(text: str, *, origin: str, node: str | None = None) -> list[RuntimeRecord]:
    """Records from crictl/docker JSON; raises :class:`InputError` (naming ``origin``) on the first bad entry."""
    records, errors = parse_runtime_lenient(text, origin=origin, node=node)
    if errors:
        raise errors[0]
    return records


def _files(path: Path) -> list[tuple[Path, str | None]]:
    """(file, node) pairs: the file itself, or every ``*.json`` under a directory with its node name."""
    if not path.is_dir():
        return [(path, None)]
    out: list[tuple[Path, str | None]] = []
    for f in sorted(p for p in path.rglob("*.json") if p.is_file()):
        rel = f.relative_to(path).parts
        out.append((f, rel[0] if len(rel) >= 2 else None))
    if not out:
        raise InputError(f"{path}: directory holds no *.json files")
    return out


def load_runtime(
    paths: Iterable[str | os.PathLike[str]], *, warnings: list[str] | None = None
) -> tuple[list[RuntimeRecord], list[InputError]]:
    """Records from files and directories (see the module docstring for the ``DIR/<node>/`` layout).

    A file that cannot be read or parsed, or a bad entry in one, gives an :class:`InputError`; everything
    else still loads. ``warnings``: as in :func:`parse_runtime_lenient`.
    """
    records: list[RuntimeRecord] = []
    errors: list[InputError] = []
    for p in paths:
        path = Path(p)
        if not path.exists():
            errors.append(InputError(f"{path}: no such file or directory"))
            continue
        try:
            files = _files(path)
        except InputError as e:
            errors.append(e)
            continue
        for f, node in files:
            try:
                text = f.read_text(encoding="utf-8")
            except UnicodeDecodeError as e:
                errors.append(InputError(f"{f}: not UTF-8 text: {e.reason} at byte {e.start}"))
                continue
            except OSError as e:
                errors.append(InputError(f"{f}: cannot read: {e.strerror or e}"))
                continue
            recs, errs = parse_runtime_lenient(text, origin=str(f), node=node, warnings=warnings)
            records.extend(recs)
            errors.extend(errs)
    return records, errors
