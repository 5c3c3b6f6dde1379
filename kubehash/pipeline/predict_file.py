"""``predict`` over a dump file: streamed (memory bounded by one pod plus results) and, with ``jobs > 1``,
split between worker processes that each parse and predict their own part of the file
(:func:`kubehash.pipeline.split.map_items`). Items are decoded by :func:`kubehash.sources.podbytes.decode_pods`
(only the fields ``predict`` reads) where it can, by the exact loader elsewhere.

Results do not depend on ``jobs``: pods are predicted independently and come back in file order, and the
hash-cache counters are computed from the distinct cache keys of the whole run (each worker reports a
digest of every key it missed), not summed per worker.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from kubehash.errors import InputError
from kubehash.model import Documents, NodeVersions, PodView, RuntimeRecord, iter_pods
from kubehash.pipeline.split import can_split, map_items
from kubehash.sources.gcpause import gc_paused
from kubehash.sources.opened import OpenedInput, open_input
from kubehash.sources.podbytes import NotAPod, decode_pods
from kubehash.sources.yaml_views import decode_pod
from kubehash.upgrade.ignorefile.rules import IgnoreFile
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import ContainerPrediction, Prediction, Predictor
from kubehash.upgrade.predict.result import as_row

__all__ = ["predict_file"]

#: The predictor of the run in progress; worker processes inherit it when they are forked.
_ACTIVE: Predictor | None = None


def _predict_item(item: Any) -> tuple[list[tuple[Any, ...]], int, list[bytes] | None, dict[str, int] | None]:
    """Predictions (as field tuples) for the pods in one item of the dump, the cache lookups made, digests
    of the missed cache keys, and what was skipped as not a pod (``None`` for none: most items miss nothing
    and skip nothing, and ``None`` is what pickles cheapest)."""
    predictor = _ACTIVE
    assert predictor is not None, "predict_file is not running"
    hasher = predictor.hasher
    if hasher.miss_log is None:
        hasher.miss_log = []
    before = hasher.hits + hasher.misses
    out = _predict(predictor, item)
    log = hasher.miss_log
    digests = None
    if log:
        digests = [hashlib.blake2b(repr(plan).encode() + key, digest_size=16).digest() for plan, key in log]
        log.clear()
    skipped = None
    if predictor.skipped:
        skipped = dict(predictor.skipped)
        predictor.skipped.clear()
    return list(map(as_row, out)), hasher.hits + hasher.misses - before, digests, skipped


def _predict(predictor: Predictor, item: Any) -> list[ContainerPrediction]:
    """The predictions for one item of the dump: a :class:`PodView` (``decode_pods``' form), or what the
    exact loader parsed (``None``: ``decode_pods`` saw an item that is not a pod)."""
    if type(item) is PodView:
        return predictor.view(item)
    if type(item) is NotAPod:
        predictor.skipped[item.what] += 1
        return []
    return [p for pod in iter_pods(item, predictor.skipped) for p in predictor.pod(pod)]


def predict_file(
    path: str | Path | OpenedInput,
    options: Options,
    *,
    nodes: Documents | NodeVersions | None = None,
    runtime: Iterable[RuntimeRecord] = (),
    ignore_files: Mapping[str, IgnoreFile] | None = None,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Prediction:
    """:func:`~kubehash.upgrade.predict.predict` of the pods in a ``kubectl get pods -o json|yaml`` dump,
    with ``jobs`` processes. Raises :class:`~kubehash.errors.InputError` when the file cannot be read or parsed.
    """
    global _ACTIVE
    predictor = Predictor(options, nodes=nodes, runtime=runtime, ignore_files=ignore_files)
    if "fork" not in multiprocessing.get_all_start_methods():  # pragma: no cover - workers inherit the state
        jobs = 1
    out: list[ContainerPrediction] = []
    source = path if isinstance(path, OpenedInput) else open_input(path)
    if jobs <= 1 or not can_split(source):
        # One process: pods go straight from the scan to the predictor (no tuples, no digests). The collector
        # is paused: the run allocates millions of objects and frees almost none of them (no cycles).
        seen = 0
        try:
            with gc_paused(freeze=True):
                for item in map_items(source, None, decode=decode_pods, yaml_decode=decode_pod):
                    seen += 1
                    preds = _predict(predictor, item)
                    out.extend(preds)
                    if progress is not None:
                        progress(len(preds))
        except InputError as e:
            return predictor.result(out, input_errors=[_partial(e, seen)])
        return predictor.result(out)
    lookups = 0
    distinct: set[bytes] = set()
    seen = 0
    _ACTIVE = predictor
    try:
        # Workers fork inside and inherit the paused collector: each holds its caches and one part's results,
        # freed by reference counting (no cycles), so collections would only walk them again and again.
        with gc_paused(freeze=True):
            for rows, n, digests, skipped in map_items(
                source, _predict_item, jobs=jobs, decode=decode_pods, yaml_decode=decode_pod
            ):
                seen += 1
                out.extend([ContainerPrediction(*row) for row in rows])
                lookups += n
                if digests:
                    distinct.update(digests)
                if skipped:
                    predictor.skipped.update(skipped)
                if progress is not None:
                    progress(len(rows))
    except InputError:
        if source.path is None:  # pragma: no cover - a split input is a regular file
            raise
        # a worker's part stopped being readable: again in one process, which predicts every item before the
        # problem (a part is all or nothing) and words the error with offsets in the file
        return predict_file(source.path, options, nodes=nodes, runtime=runtime, ignore_files=ignore_files, jobs=1)
    finally:
        _ACTIVE = None
    return predictor.result(out, hits=lookups - len(distinct), misses=len(distinct))


def _partial(e: InputError, items: int) -> str:
    """The error that stopped reading a dump after ``items`` items: raised again when nothing was read (the
    file is not a dump at all), else kept with the predictions of the items before it."""
    if items == 0:
        raise e
    return f"{e} (the dump stops being readable there: the {items} items before it were predicted, the rest is not)"
