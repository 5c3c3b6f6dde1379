"""The JSON dump loader pauses the garbage collector while parsing and always restores it."""

from __future__ import annotations

import gc

import pytest

from kubehash.errors import InputError
from kubehash.sources.documents import parse_documents
from kubehash.sources.gcpause import gc_paused


def test_gc_restored_after_success_and_failure() -> None:
    assert gc.isenabled()
    assert parse_documents('  {"a": 1.50}')[0]["a"].text == "1.50"
    assert gc.isenabled()
    with pytest.raises(InputError):
        parse_documents("{ not json: [")
    assert gc.isenabled()


def test_gc_stays_disabled_when_it_was() -> None:
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_json_after_long_leading_whitespace() -> None:
    assert parse_documents(" " * 10000 + "[1, 2]") == [[1, 2]]


def test_gc_relaxed_raises_the_threshold_and_restores_it() -> None:
    import gc

    from kubehash.sources.gcpause import gc_relaxed

    before = gc.get_threshold()
    with gc_relaxed(123_456):
        assert gc.get_threshold() == (max(before[0], 123_456), *before[1:])
        assert gc.isenabled()
    assert gc.get_threshold() == before
