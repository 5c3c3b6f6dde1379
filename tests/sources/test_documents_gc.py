"""The JSON dump loader pauses the garbage collector while parsing and always restores it."""

from __future__ import annotations

import gc

import pytest

from kubehash.sources.documents import InputError, parse_documents
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
