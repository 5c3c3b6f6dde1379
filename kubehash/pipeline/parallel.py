"""Order-preserving map over N worker processes, for batches too big for one core.

Results are yielded in input order and are identical to ``map(fn, items)`` (``fn`` must be a picklable,
deterministic function: a module-level function or a ``functools.partial`` of one). Work is sent in chunks
with at most ``2 * jobs`` chunks in flight, so memory stays bounded while the input is streamed. Worker
processes are forked where the platform allows it (compiled hash plans are inherited), spawned elsewhere.
If the pool breaks (a worker dies), the chunks it had not answered are computed in this process, so a
run never hangs on a lost worker and still gives the same results.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

__all__ = ["MAX_AUTO_JOBS", "cgroup_cpu_quota", "default_jobs", "idle_jobs", "parallel_map"]

T = TypeVar("T")
R = TypeVar("R")


#: Most processes ``--jobs 0`` starts: the parent's serial part (imports, the summary, writing the output:
#: ~15% of a run) leaves little for more, and each worker holds its own caches.
MAX_AUTO_JOBS = 8


def default_jobs() -> int:
    """The CPUs this process may use: those it may run on, no more than its cgroup's CPU quota allows (a
    container limited to 2 CPUs on a 64-core host gets 2), at most :data:`MAX_AUTO_JOBS`."""
    try:
        cpus = max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = max(1, os.cpu_count() or 1)
    quota = cgroup_cpu_quota()
    if quota is not None:
        cpus = min(cpus, max(1, math.ceil(quota)))
    return min(cpus, MAX_AUTO_JOBS)


#: Where the kernel says how much CPU time the process's cgroup may use per period: cgroup v2, then v1.
_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")
_CFS_QUOTA = Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
_CFS_PERIOD = Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us")


def cgroup_cpu_quota() -> float | None:
    """The CPUs' worth of time this process's cgroup may use (``2.5``: 250 ms per 100 ms period), or ``None``
    when there is no limit or no cgroup file says one (not Linux, no cgroup file system)."""
    try:
        quota, period = _CPU_MAX.read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    except (OSError, ValueError):
        pass
    try:
        q, p = int(_CFS_QUOTA.read_text()), int(_CFS_PERIOD.read_text())
    except (OSError, ValueError):
        return None
    return q / p if q > 0 and p > 0 else None


def idle_jobs(sample: float = 0.2) -> int:
    """The processes that pay off now: one per CPU this process may run on that other work leaves idle, at
    least one. On a machine whose cores are busy a second process only adds the cost of moving results
    between processes (measured: 150k pods, 2 cores, load 2-6: ``--jobs 2`` 1.1-2x the wall time of
    ``--jobs 1``; on two idle cores 0.72x).

    Idle is measured over the next ``sample`` seconds from the kernel's CPU counters (``/proc/stat``), not
    from the load average: that is a one-minute mean, so right after another run -- the previous
    ``kubehash`` itself -- it still counts a core busy that is idle now (measured: ``--jobs 0`` chose one
    process on an idle machine a minute after a ``--jobs 2`` run). Where the counters cannot be read, the
    one-minute load average decides."""
    cpus = default_jobs()
    idle = _idle_cpus(sample)
    if idle is None:
        try:
            idle = (os.cpu_count() or cpus) - os.getloadavg()[0] + 0.5
        except OSError:  # pragma: no cover - no load average on this platform
            return cpus
    return max(1, min(cpus, int(idle + 0.5)))


def _cpu_times() -> tuple[int, int] | None:
    """(idle, total) jiffies of all CPUs since boot (``/proc/stat``'s ``cpu`` line: idle and iowait are
    idle), or ``None`` where the file does not exist or says something else."""
    try:
        with open("/proc/stat", "rb") as f:
            fields = f.readline().split()
        ticks = [int(x) for x in fields[1:]]
    except (OSError, ValueError):
        return None
    if len(ticks) < 5 or fields[0] != b"cpu":
        return None
    return ticks[3] + ticks[4], sum(ticks[:8])


def _idle_cpus(sample: float) -> float | None:
    """How many of the machine's CPUs were idle over the next ``sample`` seconds, or ``None`` (no counters)."""
    before = _cpu_times()
    if before is None:
        return None
    time.sleep(sample)
    after = _cpu_times()
    if after is None or after[1] <= before[1]:
        return None
    return (after[0] - before[0]) / (after[1] - before[1]) * (os.cpu_count() or 1)


def _apply_chunk(fn: Callable[[Any], Any], chunk: list[Any]) -> list[Any]:
    return [fn(x) for x in chunk]


def parallel_map(
    fn: Callable[[T], R], items: Iterable[T], *, jobs: int = 1, chunk_size: int = 256
) -> Generator[R, None, None]:
    """``map(fn, items)`` computed in ``jobs`` processes (``jobs <= 1``: in this process, lazily)."""
    if jobs <= 1:
        yield from map(fn, items)
        return
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    it = iter(items)
    pending: deque[tuple[list[Any], Future[list[Any]] | None]] = deque()
    broken = False
    with ProcessPoolExecutor(jobs, mp_context=ctx) as pool:
        try:
            while True:
                chunk = list(islice(it, chunk_size))
                if chunk:
                    future = None if broken else _submit(pool, fn, chunk)
                    broken = broken or future is None
                    pending.append((chunk, future))
                while pending and (len(pending) >= 2 * jobs or not chunk):
                    results, failed = _collect(fn, *pending.popleft())
                    broken = broken or failed
                    yield from results
                if not chunk:
                    return
        finally:
            for _, future in pending:
                if future is not None:
                    future.cancel()


def _collect(fn: Callable[[Any], Any], chunk: list[Any], future: Future[list[Any]] | None) -> tuple[list[Any], bool]:
    """A chunk's results from its worker, or computed here when the pool broke: (results, pool broke)."""
    if future is not None:
        try:
            return future.result(), False
        except BrokenProcessPool:
            return _apply_chunk(fn, chunk), True
    return _apply_chunk(fn, chunk), False


def _submit(pool: ProcessPoolExecutor, fn: Callable[[Any], Any], chunk: list[Any]) -> Future[list[Any]] | None:
    try:
        return pool.submit(_apply_chunk, fn, chunk)
    except BrokenProcessPool:
        return None
