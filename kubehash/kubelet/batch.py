"""Hash many containers for one kubelet version, in one or several processes, with the distinct-spec cache.

Each worker keeps its own :class:`~kubehash.kubelet.hashcache.HashCache`; results do not depend on
``jobs`` (hashing is deterministic and errors are returned, not raised, so one bad container does not
stop the batch).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import partial
from typing import Any

from kubehash.errors import DecodeError
from kubehash.kubelet.hashcache import HashCache
from kubehash.kubelet.hashing import plan_for
from kubehash.pipeline.parallel import parallel_map

__all__ = ["hash_many"]

_CACHES: dict[tuple[str, str, str | None], HashCache] = {}


def _hash_one(version: str, source: str, go_version: str | None, container: Any) -> int | tuple[Any, ...]:
    cache = _CACHES.get((version, source, go_version))
    if cache is None:
        cache = _CACHES[(version, source, go_version)] = HashCache()
    try:
        return cache.hash_with(plan_for(version, source, go_version), container)
    except DecodeError as e:  # picklable form: DecodeError's constructor takes more than its message
        return ("error", e.reason, e.value, e.path)


def hash_many(
    containers: Iterable[Mapping[str, Any]],
    version: str,
    *,
    source: str = "apiserver",
    go_version: str | None = None,
    jobs: int = 1,
) -> Iterator[int | DecodeError]:
    """The hash of each container (in order), or the :class:`DecodeError` that container raises."""
    plan_for(version, source, go_version)  # validate arguments (and compile) before forking
    fn = partial(_hash_one, version, source, go_version)
    for r in parallel_map(fn, containers, jobs=jobs):
        if isinstance(r, tuple):
            _, reason, value, path = r
            yield DecodeError(reason, value, path)
        else:
            yield r
