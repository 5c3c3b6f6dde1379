"""A distinct-spec cache for container hashes: replicas of one Deployment share a spec, so a cluster of
150k pods usually holds far fewer distinct containers.

The cache key is an exact serialisation of the container mapping (:func:`spec_key`), so two mappings share
an entry only when they are equal *including* the types Go's decoder distinguishes (``true`` vs ``1``,
``1`` vs ``1.0``) and the literal text of non-integer numbers (:class:`~kubehash.golang.jsonvalue.RawFloat`:
``0.50`` and ``0.5`` are different quantities to the struct-era hash). Key order is part of the key; that
only costs a miss, since Go's decoder ignores the order of object keys. Decode errors are cached only when
asked (``cache_errors``: a malformed spec shared by many replicas fails once; each caller gets its own copy of
the error to name its container in).
"""

from __future__ import annotations

import copy
import marshal
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubehash.errors import DecodeError
from kubehash.kubelet.hashing import HashPlan, plan_for

__all__ = ["RAW_KEY", "CacheStats", "HashCache", "raw_of_key", "spec_key"]

#: The first byte of a key that is a container's JSON text itself (the lite decoder's keys: equal bytes are an
#: equal JSON value); :func:`spec_key`'s keys start with ``m`` or ``p``.
RAW_KEY = b"r"


def raw_of_key(key: bytes) -> bytes | None:
    """The container's JSON text when ``key`` is one (:data:`RAW_KEY`), else ``None``."""
    return key[1:] if key[:1] == RAW_KEY else None


def spec_key(container: Any) -> bytes | None:
    """An exact, cheap canonical form of a JSON-like container mapping, or ``None`` if it has none.

    ``marshal`` (format 2: no back-references, so equal values give equal bytes) accepts only exact
    built-in types; anything else -- ``RawFloat``, dict subclasses -- goes through ``pickle``, which keeps
    ``RawFloat``'s text via its ``__reduce__``.
    """
    try:
        return b"m" + marshal.dumps(container, 2)
    except ValueError:
        pass
    try:
        return b"p" + pickle.dumps(container, protocol=5)
    except Exception:
        return None


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    entries: int

    @property
    def hit_rate(self) -> float:
        total = self.hits + self.misses
        return self.hits / total if total else 0.0


class HashCache:
    """Container hashes per (kubelet version, source, Go escaping), memoised by :func:`spec_key`.

    ``max_entries`` bounds memory: when full, the cache is emptied and starts again (counters survive).
    ``cache_errors``: remember decode errors too (raised again as copies). ``miss_log``: when a list, each
    miss appends ``(plan identity, key)`` -- the plan's (minor, source, Go >= 1.22 escaping) -- so that
    caches in several processes can count the distinct entries of a whole run.
    """

    def __init__(self, max_entries: int = 500_000, *, cache_errors: bool = False) -> None:
        self.max_entries = max_entries
        self.cache_errors = cache_errors
        self.hits = 0
        self.misses = 0
        self.miss_log: list[tuple[tuple[str, str, bool], bytes]] | None = None
        self._entries: dict[tuple[int, bytes], int | DecodeError] = {}
        self._plans: dict[int, HashPlan] = {}

    def hash(
        self,
        container: Mapping[str, object],
        version: str,
        *,
        source: str = "apiserver",
        go_version: str | None = None,
        key: bytes | None = None,
    ) -> int:
        """``hash_container(container, version, ...)``, answered from the cache when the spec was seen.

        Pass ``key=spec_key(container)`` when hashing one container for several versions.
        """
        return self.hash_with(plan_for(version, source, go_version), container, key=key)

    def hash_with(self, plan: HashPlan, container: object, *, key: bytes | None = None) -> int:
        """``plan.hash(container)`` through the cache (``container`` may be any JSON value: the decoder
        reports what is not a container)."""
        if type(container) is not dict and isinstance(container, Mapping):
            container = dict(container)
        if key is None:
            key = spec_key(container)
            if key is None:
                self.misses += 1
                return plan.hash(container)
        self._plans.setdefault(id(plan), plan)  # keeps id(plan) unique while entries use it
        entry = (id(plan), key)
        h = self._entries.get(entry)
        if h is None:
            self.misses += 1
            if self.miss_log is not None:
                self.miss_log.append(((plan.release.minor, plan.source, plan.short_bf), key))
            try:
                h = plan.hash(container)
            except DecodeError as e:
                if not self.cache_errors:
                    raise
                h = e
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[entry] = h
        else:
            self.hits += 1
        if isinstance(h, DecodeError):
            raise copy.copy(h)  # each caller names its container in its own copy
        return h

    def stats(self) -> CacheStats:
        return CacheStats(self.hits, self.misses, len(self._entries))
