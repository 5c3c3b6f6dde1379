"""Snapshots: pods, nodes and runtime records of a cluster in one msgpack file, to predict offline.

Layout: the 16-byte magic :data:`MAGIC` (its first byte is not valid UTF-8 text, so a snapshot is never
mistaken for a JSON or YAML dump), then one msgpack map::

    {"format": 1, "kubehash_version": "0.1.0", "created_at": "<RFC 3339>", "source": {...},
     "pods": [...], "nodes": [...], "runtime": [...], "notes": [...]}

Pods and nodes are stored exactly as read, including the literal text of non-integer JSON numbers
(:class:`~kubehash.golang.jsonvalue.RawFloat`, msgpack extension type 1) and integers outside msgpack's
64-bit range (extension type 2, decimal text), so a quantity written ``1.50`` in the API still decodes as
``1.50``. Runtime records are plain maps with nanosecond timestamps. Files are written with ``msgpack``
(whose ``strict_types`` lets RawFloat reach the extension hook) and read with ``msgspec``'s faster decoder,
with the garbage collector paused (see :mod:`kubehash.sources.gcpause`).
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgpack
import msgspec

from kubehash.atomicfile import write_atomic
from kubehash.errors import InputError
from kubehash.golang.jsonvalue import RawFloat
from kubehash.model import RuntimeRecord, iter_pods
from kubehash.sources.documents import load_documents
from kubehash.sources.gcpause import gc_paused
from kubehash.sources.gotime import format_rfc3339nano, from_ns, parse_timestamp, to_ns

__all__ = [
    "FORMAT_VERSION",
    "MAGIC",
    "Snapshot",
    "is_snapshot",
    "load_pods_or_snapshot",
    "load_snapshot",
    "save_snapshot",
]

MAGIC = b"\x89KUBEHASH-SNAP\r\n"
FORMAT_VERSION = 1
EXT_RAWFLOAT = 1
EXT_BIGINT = 2

_DATETIME_FIELDS = ("started_at", "created_at")


def _kubehash_version() -> str:
    try:
        return importlib.metadata.version("kubehash")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


@dataclass
class Snapshot:
    """Everything ``kubehash predict`` needs about a cluster, frozen at ``created_at``.

    ``source`` says where the data came from (``{"kind": "cluster", "context": ..., "server": ...}`` or
    ``{"kind": "files", "pods": ..., "nodes": ..., "runtime": [...]}``); ``notes`` keeps problems met while
    taking the snapshot (runtime files that could not be read).
    """

    pods: list[Any] = field(default_factory=list)
    nodes: list[Any] = field(default_factory=list)
    runtime: list[RuntimeRecord] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=_now)
    kubehash_version: str = field(default_factory=_kubehash_version)
    format_version: int = FORMAT_VERSION


# -- encoding ---------------------------------------------------------------------------------------------


def _default(o: Any) -> Any:
    """msgpack fallback (``strict_types=True`` sends every subclass and out-of-range int here)."""
    if isinstance(o, RawFloat):
        return msgpack.ExtType(EXT_RAWFLOAT, o.text.encode("utf-8"))
    if isinstance(o, bool):
        return bool(o)
    if isinstance(o, int):
        if -(2**63) <= o < 2**64:
            return int(o)  # an int subclass within range
        return msgpack.ExtType(EXT_BIGINT, str(int(o)).encode("ascii"))
    if isinstance(o, float):
        return float(o)
    if isinstance(o, str):
        return str(o)
    if isinstance(o, Mapping):
        return dict(o)
    if isinstance(o, (list, tuple)):
        return list(o)
    raise TypeError(f"cannot store a {type(o).__name__} in a snapshot")


def _ext_hook(code: int, data: memoryview) -> Any:
    if code == EXT_RAWFLOAT:
        return RawFloat(bytes(data).decode("utf-8"))
    if code == EXT_BIGINT:
        return int(bytes(data).decode("ascii"))
    raise ValueError(f"unknown extension type {code}")


#: msgspec's decoder: about 1.5x faster than msgpack's unpacker on pods (it reuses short key strings)
_DECODER = msgspec.msgpack.Decoder(ext_hook=_ext_hook)


def _record_to_map(r: RuntimeRecord) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(RuntimeRecord):
        v = getattr(r, f.name)
        if f.name in _DATETIME_FIELDS:
            v = None if v is None else to_ns(v)
        out[f.name] = v
    return out


def _record_from_map(m: Any, i: int) -> RuntimeRecord:
    if not isinstance(m, dict) or not isinstance(m.get("container"), str):
        raise ValueError(f"runtime record {i} is malformed")
    known = {f.name for f in fields(RuntimeRecord)}
    kw = {k: v for k, v in m.items() if k in known}  # fields added by newer versions are ignored
    for name in _DATETIME_FIELDS:
        if kw.get(name) is not None:
            kw[name] = from_ns(kw[name])
    return RuntimeRecord(**kw)


def dumps_snapshot(snapshot: Snapshot) -> bytes:
    """The bytes of a snapshot file."""
    body = {
        "format": snapshot.format_version,
        "kubehash_version": snapshot.kubehash_version,
        "created_at": format_rfc3339nano(to_ns(snapshot.created_at)),
        "source": snapshot.source,
        "notes": list(snapshot.notes),
        "pods": snapshot.pods,
        "nodes": snapshot.nodes,
        "runtime": [_record_to_map(r) for r in snapshot.runtime],
    }
    try:
        packed: bytes = msgpack.packb(body, default=_default, strict_types=True, use_bin_type=True)
        return MAGIC + packed
    except (TypeError, ValueError, OverflowError) as e:
        raise InputError(f"cannot encode snapshot: {e}") from None


def loads_snapshot(data: bytes, *, name: str = "<snapshot>") -> Snapshot:
    """A snapshot from its bytes; :class:`InputError` naming ``name`` when they are not one."""
    if not data.startswith(MAGIC):
        raise InputError(f"{name}: not a kubehash snapshot (wrong magic header)")
    try:
        with gc_paused():
            body = _DECODER.decode(memoryview(data)[len(MAGIC) :])
    except (msgspec.MsgspecError, ValueError, TypeError) as e:
        raise InputError(f"{name}: corrupt snapshot: {e}") from None
    if not isinstance(body, dict):
        raise InputError(f"{name}: corrupt snapshot: body is not a map")
    version = body.get("format")
    if version != FORMAT_VERSION:
        raise InputError(
            f"{name}: snapshot format {version!r} is not supported by this kubehash "
            f"(reads format {FORMAT_VERSION}; written by kubehash {body.get('kubehash_version')})"
        )
    try:
        created_ns = parse_timestamp(body.get("created_at", ""))
        runtime = [_record_from_map(m, i) for i, m in enumerate(body.get("runtime") or [])]
        pods, nodes = body.get("pods"), body.get("nodes")
        if not isinstance(pods, list) or not isinstance(nodes, list):
            raise ValueError("pods or nodes is not a list")
        source = body.get("source")
        return Snapshot(
            pods=pods,
            nodes=nodes,
            runtime=runtime,
            source=source if isinstance(source, dict) else {},
            notes=[str(n) for n in body.get("notes") or []],
            created_at=from_ns(created_ns) or datetime(1970, 1, 1, tzinfo=timezone.utc),
            kubehash_version=str(body.get("kubehash_version", "unknown")),
            format_version=FORMAT_VERSION,
        )
    except (ValueError, TypeError, OverflowError) as e:
        raise InputError(f"{name}: corrupt snapshot: {e}") from None


# -- files ------------------------------------------------------------------------------------------------


def save_snapshot(path: str | os.PathLike[str], snapshot: Snapshot, *, force: bool = False) -> bool:
    """Write ``snapshot`` atomically; an existing different file is replaced only with ``force``
    (:class:`~kubehash.errors.OutputError` otherwise). Returns ``False`` if the file already held it."""
    return write_atomic(path, dumps_snapshot(snapshot), force=force)


def load_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Read a snapshot file (:class:`InputError` when unreadable, not a snapshot, or corrupt)."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None
    return loads_snapshot(data, name=str(p))


def is_snapshot(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a file that starts with the snapshot magic (``-`` and unreadable paths: no)."""
    if str(path) == "-":
        return False
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def load_pods_or_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """What ``--pods PATH`` names: a snapshot file, or a kubectl dump (JSON/YAML, ``-`` for standard input)
    returned as a snapshot holding only its pods (``source.kind == "files"``)."""
    if is_snapshot(path):
        return load_snapshot(path)
    docs = load_documents(os.fspath(path))
    return Snapshot(pods=list(iter_pods(docs)), source={"kind": "files", "pods": str(path)})
