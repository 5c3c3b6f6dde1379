"""Snapshots: pods, nodes and runtime records of a cluster in one msgpack file, to predict offline.

Layout: the 16-byte magic :data:`MAGIC` (its first byte is not valid UTF-8 text, so a snapshot is never
mistaken for a JSON or YAML dump), then one msgpack map, then a 40-byte trailer: :data:`CHECKSUM_TAG` and the
SHA-256 digest of everything before the trailer (magic and map)::

    {"format": 2, "kubehash_version": "0.1.0", "created_at": "<RFC 3339>", "source": {...},
     "pods": [...], "nodes": [...], "runtime": [...], "notes": [...]}

Reading checks the digest first: a flipped bit or a cut anywhere is an :class:`~kubehash.errors.InputError`
naming the file, never a snapshot with silently different content. Format 1 (kubehash before the checksum:
the same map without trailer) is still read, with a warning in :attr:`Snapshot.warnings`. A map deeper than
:data:`MAX_DEPTH` levels inside a pod or node, a runtime record with a field of the wrong type, and
anything msgpack cannot decode are input errors too (:mod:`kubehash.sources.snapshot_check`).

Pods and nodes are stored exactly as read, including the literal text of non-integer JSON numbers
(:class:`~kubehash.golang.jsonvalue.RawFloat`, msgpack extension type 1) and integers outside msgpack's
64-bit range (extension type 2, decimal text), so a quantity written ``1.50`` in the API still decodes as
``1.50``. Runtime records are plain maps with nanosecond timestamps. Files are written with ``msgpack``
(whose ``strict_types`` lets RawFloat reach the extension hook) and read with ``msgspec``'s faster decoder,
with the garbage collector paused (see :mod:`kubehash.sources.gcpause`).
"""

from __future__ import annotations

import hashlib
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
from kubehash.sources.snapshot_check import MAX_DEPTH, check_depth, check_record

__all__ = [
    "CHECKSUM_TAG",
    "FORMAT_VERSION",
    "MAGIC",
    "MAX_DEPTH",
    "Snapshot",
    "is_snapshot",
    "load_pods_or_snapshot",
    "load_snapshot",
    "looks_like_snapshot",
    "save_snapshot",
]

MAGIC = b"\x89KUBEHASH-SNAP\r\n"
FORMAT_VERSION = 2
#: format 1: no checksum trailer (kubehash before 0.2); still read, with a warning
LEGACY_FORMAT = 1
#: the trailer: this tag, then the 32-byte SHA-256 digest of every byte before the trailer
CHECKSUM_TAG = b"\nsha256:"
TRAILER_LEN = len(CHECKSUM_TAG) + 32
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
    taking the snapshot (runtime files that could not be read). ``warnings`` (not stored): what reading the
    file found doubtful (a format-1 file without checksum).
    """

    pods: list[Any] = field(default_factory=list)
    nodes: list[Any] = field(default_factory=list)
    runtime: list[RuntimeRecord] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    created_at: datetime = field(default_factory=_now)
    kubehash_version: str = field(default_factory=_kubehash_version)
    format_version: int = FORMAT_VERSION
    warnings: list[str] = field(default_factory=list, compare=False)


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
    kw = check_record(m, i, {f.name for f in fields(RuntimeRecord)})  # fields of newer versions are ignored
    for name in _DATETIME_FIELDS:
        if kw.get(name) is not None:
            kw[name] = from_ns(kw[name])
    return RuntimeRecord(**kw)


def dumps_snapshot(snapshot: Snapshot) -> bytes:
    """The bytes of a snapshot file (format 2: magic, msgpack map, checksum trailer)."""
    body = {
        "format": FORMAT_VERSION,
        "kubehash_version": snapshot.kubehash_version,
        "created_at": format_rfc3339nano(to_ns(snapshot.created_at)),
        "source": snapshot.source,
        "notes": list(snapshot.notes),
        "pods": snapshot.pods,
        "nodes": snapshot.nodes,
        "runtime": [_record_to_map(r) for r in snapshot.runtime],
    }
    try:
        data: bytes = MAGIC + msgpack.packb(body, default=_default, strict_types=True, use_bin_type=True)
    except (TypeError, ValueError, OverflowError, RecursionError) as e:
        raise InputError(f"cannot encode snapshot: {e}") from None
    return data + CHECKSUM_TAG + hashlib.sha256(data).digest()


def _verified_body(data: bytes, name: str) -> tuple[memoryview, bool]:
    """The msgpack bytes after the magic, and whether a checksum trailer vouched for them."""
    view = memoryview(data)
    if len(data) >= len(MAGIC) + TRAILER_LEN and view[-TRAILER_LEN:-32] == CHECKSUM_TAG:
        recorded = bytes(view[-32:])
        actual = hashlib.sha256(view[:-TRAILER_LEN]).digest()
        if recorded != actual:
            raise InputError(
                f"{name}: damaged snapshot: {_mismatch(recorded, actual)}; the file changed after it was written: "
                "take the snapshot again"
            )
        return view[len(MAGIC) : -TRAILER_LEN], True
    return view[len(MAGIC) :], False


def _mismatch(recorded: bytes, actual: bytes) -> str:
    """Both digests in full, and where they first differ (a flipped bit in the trailer changes one hex digit)."""
    r, a = recorded.hex(), actual.hex()
    first = next(i for i, (x, y) in enumerate(zip(r, a, strict=True)) if x != y)
    where = f"they first differ at hex digit {first + 1} of {len(r)}"
    return f"SHA-256 checksum mismatch (recorded {r}, computed {a}; {where})"


def looks_like_snapshot(head: bytes) -> bool:
    """Whether ``head`` (the first bytes of an input) is a snapshot's magic, or one damaged in a few bytes (at
    most 3 of its 16 differ: a flipped bit or byte; no JSON or YAML text comes that close)."""
    if len(head) < len(MAGIC):
        return False
    return sum(x == y for x, y in zip(head, MAGIC, strict=False)) >= len(MAGIC) - 3


def _decode(body: memoryview, name: str, checked: bool) -> dict[str, Any]:
    try:
        with gc_paused():
            decoded = _DECODER.decode(body)
    except (msgspec.MsgspecError, ValueError, TypeError) as e:
        hint = "" if checked else " (no checksum trailer: truncated or damaged?)"
        raise InputError(f"{name}: corrupt snapshot{hint}: {e}") from None
    except RecursionError:
        raise InputError(f"{name}: corrupt snapshot: nested deeper than the decoder can follow") from None
    if not isinstance(decoded, dict):
        raise InputError(f"{name}: corrupt snapshot: body is not a map")
    return decoded


def loads_snapshot(data: bytes, *, name: str = "<snapshot>") -> Snapshot:
    """A snapshot from its bytes; :class:`InputError` naming ``name`` when they are not one, are damaged
    (checksum mismatch), or hold something kubehash never writes."""
    if not data.startswith(MAGIC):
        if looks_like_snapshot(data[: len(MAGIC)]):
            raise InputError(
                f"{name}: damaged snapshot: its header reads {bytes(data[: len(MAGIC)])!r} instead of {MAGIC!r}; the "
                "file changed after it was written: take the snapshot again"
            )
        raise InputError(f"{name}: not a kubehash snapshot (wrong magic header)")
    raw, checked = _verified_body(data, name)
    body = _decode(raw, name, checked)
    version = body.get("format")
    if version not in (FORMAT_VERSION, LEGACY_FORMAT):
        raise InputError(
            f"{name}: snapshot format {_short(version)} is not supported by this kubehash "
            f"(reads formats {LEGACY_FORMAT} and {FORMAT_VERSION}; written by kubehash "
            f"{str(body.get('kubehash_version'))[:40]})"
        )
    warnings: list[str] = []
    if version == FORMAT_VERSION and not checked:
        raise InputError(f"{name}: damaged snapshot: its checksum trailer is missing (truncated file?)")
    if version == LEGACY_FORMAT:
        warnings.append(
            f"{name}: snapshot format {LEGACY_FORMAT} has no checksum, so damage to the file cannot be detected: "
            "take the snapshot again with this kubehash to add one"
        )
    try:
        snap = _snapshot(body)
    except (ValueError, TypeError, OverflowError) as e:
        raise InputError(f"{name}: corrupt snapshot: {e}") from None
    snap.warnings = warnings
    return snap


def _short(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 24 else text[:21] + "..."


def _snapshot(body: dict[str, Any]) -> Snapshot:
    created_ns = parse_timestamp(body.get("created_at", ""))
    records = body.get("runtime")
    if not isinstance(records, (list, type(None))):
        raise ValueError("runtime is not a list")
    runtime = [_record_from_map(m, i) for i, m in enumerate(records or [])]
    pods, nodes, notes, source = body.get("pods"), body.get("nodes"), body.get("notes"), body.get("source")
    if not isinstance(pods, list) or not isinstance(nodes, list):
        raise ValueError("pods or nodes is not a list")
    check_depth(pods, "pods")
    check_depth(nodes, "nodes")
    if not isinstance(notes, (list, type(None))) or not all(isinstance(n, str) for n in notes or []):
        raise ValueError("notes is not a list of strings")
    if not isinstance(source, (dict, type(None))):
        raise ValueError("source is not a map")
    return Snapshot(
        pods=pods,
        nodes=nodes,
        runtime=runtime,
        source=source or {},
        notes=list(notes or []),
        created_at=from_ns(created_ns) or datetime(1970, 1, 1, tzinfo=timezone.utc),
        kubehash_version=str(body.get("kubehash_version", "unknown"))[:100],
        format_version=FORMAT_VERSION,
    )


# -- files ------------------------------------------------------------------------------------------------


def save_snapshot(path: str | os.PathLike[str], snapshot: Snapshot, *, force: bool = False) -> bool:
    """Write ``snapshot`` atomically; an existing different file is replaced only with ``force``
    (:class:`~kubehash.errors.OutputError` otherwise). Returns ``False`` if the file already held it. Temporary
    files an interrupted earlier save of the same path left are removed."""
    return write_atomic(path, dumps_snapshot(snapshot), force=force, clean_stale=True)


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
    """Whether ``path`` is a file that starts with the snapshot magic, intact or damaged in a few bytes (then
    reading it reports the damage; ``-`` and unreadable paths: no)."""
    if str(path) == "-":
        return False
    try:
        with open(path, "rb") as f:
            return looks_like_snapshot(f.read(len(MAGIC)))
    except OSError:
        return False


def load_pods_or_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """What ``--pods PATH`` names: a snapshot file, or a kubectl dump (JSON/YAML, ``-`` for standard input)
    returned as a snapshot holding only its pods (``source.kind == "files"``)."""
    if is_snapshot(path):
        return load_snapshot(path)
    docs = load_documents(os.fspath(path))
    return Snapshot(pods=list(iter_pods(docs)), source={"kind": "files", "pods": str(path)})
