"""FNV-1a 32-bit, as Go's ``hash/fnv.New32a`` computes it (C-backed via ``fnv-hash-fast``)."""

from __future__ import annotations

from fnv_hash_fast import fnv1a_32 as _fnv1a_32

__all__ = ["fnv1a_32", "runtime_hex"]


def fnv1a_32(data: bytes) -> int:
    """``h := fnv.New32a(); h.Write(data); uint64(h.Sum32())``."""
    return _fnv1a_32(data)


def runtime_hex(h: int) -> str:
    """The hash as the kubelet records it on the container: ``strconv.FormatUint(h, 16)``."""
    return format(h, "x")
