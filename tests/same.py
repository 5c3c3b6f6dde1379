"""Comparing two predictions of the same pods made by different paths (a document in memory, a file streamed
by one or several processes, a live cluster): every container's prediction and the summary must agree. The
hash-cache counters are left out: a dump's containers are cached by their raw bytes, a mapping's by its
canonical form, so the counters of two paths may differ by the entries they share."""

from __future__ import annotations

from typing import Any


def comparable(prediction: Any) -> tuple[list[Any], dict[str, Any]]:
    summary = dict(prediction.summary)
    summary.pop("hash_cache", None)
    return list(prediction.containers), summary


def assert_same_prediction(got: Any, expected: Any) -> None:
    g, e = comparable(got), comparable(expected)
    assert g[1] == e[1]
    assert len(g[0]) == len(e[0])
    for a, b in zip(g[0], e[0], strict=True):
        assert a == b, (a, b)
