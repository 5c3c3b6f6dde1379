"""Hashing in several processes gives exactly the single-process results, in order."""

from __future__ import annotations

import os

import kubehash
from kubehash.errors import DecodeError
from kubehash.kubelet.batch import hash_many
from kubehash.pipeline.parallel import default_jobs, parallel_map


def _square(x: int) -> int:
    return x * x


def test_parallel_map_keeps_order() -> None:
    assert list(parallel_map(_square, range(1000), jobs=2, chunk_size=7)) == [x * x for x in range(1000)]
    assert list(parallel_map(_square, [], jobs=2)) == []
    assert list(parallel_map(_square, range(5), jobs=1)) == [0, 1, 4, 9, 16]
    assert default_jobs() >= 1


def test_hash_many_jobs_identical() -> None:
    containers = [{"name": f"c{i % 17}", "image": f"img:{i % 5}", "args": [str(i % 3)]} for i in range(400)]
    containers[13] = {"name": "bad", "ports": [{"containerPort": "80"}]}
    for version in ("1.10", "1.17", "1.33"):
        one = list(hash_many(containers, version, jobs=1))
        two = list(hash_many(containers, version, jobs=2))
        assert [x if isinstance(x, int) else str(x) for x in one] == [x if isinstance(x, int) else str(x) for x in two]
        assert isinstance(two[13], DecodeError) and two[13].path == ["ports", 0, "containerPort"]
        assert one[0] == kubehash.hash_container(containers[0], version)


def _die_on_seven(x: int) -> int:
    if x == 7 and os.getpid() != _PARENT:
        os._exit(1)  # a worker lost mid-run
    return x * x


_PARENT = os.getpid()


def test_lost_worker_does_not_hang_or_change_results() -> None:
    assert list(parallel_map(_die_on_seven, range(50), jobs=2, chunk_size=3)) == [x * x for x in range(50)]
