"""A fleet in one run: several clusters (dumps, snapshots, kubeconfig contexts) predicted in parallel, one
worker process per cluster at a time, merged into one :class:`~kubehash.upgrade.predict.Prediction` whose
containers name their cluster.

Why a process pool on one machine is the engine: Kubernetes bounds each input -- a cluster holds at most
150,000 pods (the scalability limits: 5,000 nodes, 110 pods per node), so one cluster's prediction fits a
worker's memory and takes seconds -- and clusters are independent, so they spread over the cores with no
coordination. A fleet of N clusters costs about what one cluster of their summed size costs, divided by the
cores (``docs/performance.md`` has the measurements, including what 100+ clusters cost).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from kubehash.errors import KubehashError
from kubehash.pipeline.cluster import Cluster, predict_cluster
from kubehash.pipeline.parallel import idle_jobs, parallel_map
from kubehash.sources.gcpause import gc_paused
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import ContainerPrediction, Prediction
from kubehash.upgrade.predict.result import as_row

__all__ = ["predict_fleet"]


def _one(options: Options, cluster: Cluster) -> tuple[Prediction, list[tuple[Any, ...]]] | str:
    """One cluster's prediction (in a worker) -- its containers apart, as field tuples, which pickle several
    times cheaper than the dataclasses -- or the error that kept it from being read."""
    try:
        result = predict_cluster(cluster, options, jobs=1)
    except KubehashError as e:
        return f"cluster {cluster.label}: {e}"
    for c in result.containers:
        c.cluster = cluster.label
    result.warnings = [f"cluster {cluster.label}: {w}" for w in result.warnings]
    rows = list(map(as_row, result.containers))
    result.containers = []
    return result, rows


def predict_fleet(
    clusters: Sequence[Cluster],
    options: Options,
    *,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Prediction:
    """Predict ``options``' upgrade for every container of every cluster, ``jobs`` clusters at a time (0: one
    per idle CPU). One cluster is :func:`~kubehash.pipeline.cluster.predict_cluster` itself (its dump split between
    the ``jobs`` processes). A cluster that cannot be read is an input error of the result (naming it); the
    others are still predicted. Every container names its cluster (:attr:`ContainerPrediction.cluster`)."""
    if len(clusters) == 1:
        return predict_cluster(clusters[0], options, jobs=jobs, progress=progress)
    names = [c.label for c in clusters]
    clusters = [c if names.count(c.label) == 1 else replace(c, name=f"{c.label}#{i}") for i, c in enumerate(clusters)]
    workers = min(len(clusters), jobs or idle_jobs())
    merged = Prediction(options.target.minor, options.defaults_by, [])
    # the collector paused, as in one cluster's run: the parent rebuilds millions of objects and frees none
    with gc_paused(freeze=True):
        for got in parallel_map(partial(_one, options), clusters, jobs=workers, chunk_size=1):
            if isinstance(got, str):
                merged.input_errors.append(got)
                continue
            result, rows = got
            merged.to, merged.sides = result.to, {**merged.sides, **result.sides}
            merged.containers.extend([ContainerPrediction(*row) for row in rows])
            merged.cache_hits += result.cache_hits
            merged.cache_misses += result.cache_misses
            merged.input_errors.extend(result.input_errors)
            merged.warnings.extend(result.warnings)
            if progress is not None:
                progress(len(rows))
    return merged
