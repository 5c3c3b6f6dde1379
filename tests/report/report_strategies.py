"""Hypothesis strategies for report tests: predictions whose names and values hold anything."""

from __future__ import annotations

import string
from datetime import timedelta, timezone
from typing import Any

from hypothesis import strategies as st

from kubehash.golang.jsonvalue import RawFloat
from kubehash.upgrade.explain import Reason
from kubehash.upgrade.predict import VERDICTS, ContainerPrediction, Prediction

#: Characters that break naive writers: quotes, pipes, newlines, terminal escapes, C1 controls, bidi
#: overrides, line separators, a lone surrogate, YAML indicators.
ODD = "\"\\|/\n\t\r\x00\x1b[31m\x1f\x7f\x85\x9b\u202e\u2028\ufeff\ud800é中😀'#:-[]{}&*!%@`~"
TEXT = st.one_of(
    st.text(string.ascii_letters + string.digits + " -/:;.", max_size=30),
    st.text(string.printable + ODD, max_size=12),
    st.text(max_size=8),  # anything, surrogates included
    st.sampled_from(["yes", "No", "null", "~", "1.10", "0x1F", "1e3", "-", "? a", "a: b", "a #b", " x", "x ", ""]),
)
NAME = st.one_of(st.none(), TEXT)
HASH = st.one_of(st.none(), st.integers(0, 2**64 - 1))
WHEN = st.one_of(
    st.none(),
    st.datetimes(timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30))])),
)
ODD_VALUE = st.one_of(NAME, st.integers(-5, 5), st.booleans(), st.just(RawFloat("1.50")), st.floats(allow_nan=False))
REASON = st.builds(
    Reason, kind=st.sampled_from(["algorithm", "default-added", "field-added", "x y"]), path=TEXT, detail=TEXT
)


@st.composite
def predictions(draw: Any, max_containers: int = 7) -> Prediction:
    """Containers as predict makes them, replicas sharing their Reason objects, names holding anything, owners
    read from odd JSON (numbers, booleans, exact floats)."""
    pool = draw(st.lists(st.lists(REASON, max_size=3), min_size=1, max_size=4))
    containers = []
    for _ in range(draw(st.integers(0, max_containers))):
        reasons = pool[draw(st.integers(0, len(pool) - 1))]
        if draw(st.booleans()):
            reasons = list(reasons)
        verdict = draw(st.sampled_from(VERDICTS))
        containers.append(
            ContainerPrediction(
                namespace=draw(NAME),
                pod=draw(NAME),
                container=draw(TEXT),
                kind=draw(st.sampled_from(["container", "initContainer"])),
                node=draw(NAME),
                source=draw(st.sampled_from(["apiserver", "file"])),
                old_version=draw(st.one_of(st.none(), st.just("1.16"))),
                new_version="1.17",
                old_hash=draw(HASH),
                new_hash=draw(HASH),
                recorded_hash=draw(HASH),
                verdict=verdict,
                reasons=reasons,
                error=draw(st.one_of(st.none(), TEXT)) if verdict == "error" else None,
                started_at=draw(WHEN),
                model_check=draw(st.sampled_from(["match", "mismatch", "unverified"])),
                owner_kind=draw(st.one_of(st.none(), st.just("ReplicaSet"), ODD_VALUE)),
                owner_name=draw(ODD_VALUE),
            )
        )
    return Prediction("1.17", draw(st.one_of(st.none(), st.just("1.18"))), containers, draw(st.integers(0, 9)), 1)
