"""The distinct-spec cache answers exactly what hash_container answers, and counts hits."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import json_values

import kubehash
from kubehash.errors import DecodeError
from kubehash.golang.jsonvalue import RawFloat, loads
from kubehash.kubelet.hashcache import HashCache, spec_key

BASE = {"name": "app", "image": "nginx:1.25", "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}}}


def test_replicas_hit_and_agree() -> None:
    cache = HashCache()
    for _ in range(5):
        assert cache.hash(copy.deepcopy(BASE), "1.10") == kubehash.hash_container(BASE, "1.10")
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (4, 1, 1)
    assert stats.hit_rate == pytest.approx(0.8)


def test_versions_sources_and_go_do_not_share_entries() -> None:
    cache = HashCache()
    c = {"name": "a\bb", "image": "x"}
    key = spec_key(c)
    for version, source, go in [("1.10", "apiserver", None), ("1.10", "file", None), ("1.17", "apiserver", None)]:
        assert cache.hash(c, version, source=source, go_version=go, key=key) == kubehash.hash_container(
            c, version, source=source, go_version=go
        )
    old = cache.hash(c, "1.31", go_version="1.21")
    new = cache.hash(c, "1.31", go_version="1.22")
    assert old != new  # \b escapes differently from Go 1.22 on
    assert cache.stats().misses == 5


def test_raw_float_text_is_part_of_the_key() -> None:
    """0.5 and 0.50 are equal floats but different quantity spellings (different struct-era hashes of a
    static pod's container, which skips the protobuf round trip that would canonicalise them)."""
    a = loads('{"name": "q", "resources": {"limits": {"cpu": 0.5}}}')
    b = loads('{"name": "q", "resources": {"limits": {"cpu": 0.50}}}')
    assert a == b and spec_key(a) != spec_key(b)
    cache = HashCache()
    for c in (a, b, a, b):
        assert cache.hash(c, "1.10", source="file") == kubehash.hash_container(c, "1.10", source="file")
    assert cache.stats().hits == 2
    assert kubehash.hash_container(a, "1.10", source="file") != kubehash.hash_container(b, "1.10", source="file")


def test_types_go_distinguishes_are_distinct_keys() -> None:
    assert spec_key({"x": True}) != spec_key({"x": 1})
    assert spec_key({"x": 1}) != spec_key({"x": 1.0})
    assert spec_key({"x": 1.0}) != spec_key({"x": RawFloat("1.0")})


def test_errors_are_not_cached() -> None:
    cache = HashCache()
    bad = {"name": "x", "ports": [{"containerPort": "80"}]}
    for _ in range(2):
        with pytest.raises(DecodeError):
            cache.hash(bad, "1.17")
    assert cache.stats().entries == 0


def test_full_cache_starts_again() -> None:
    cache = HashCache(max_entries=2)
    for i in range(5):
        cache.hash({"name": f"c{i}", "image": "x"}, "1.33")
    assert cache.stats().entries <= 2 and cache.stats().misses == 5


@settings(max_examples=80, deadline=None)
@given(a=json_values(), b=json_values())
def test_equal_keys_mean_equal_values(a: Any, b: Any) -> None:
    ka, kb = spec_key(a), spec_key(b)
    if ka is not None and ka == kb:
        assert a == b and _types(a) == _types(b)


def _types(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _types(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_types(x) for x in v]
    return (type(v), getattr(v, "text", None))


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["1.10", "1.17", "1.33"]), json_values())
def test_cache_equals_direct_hash_on_arbitrary_values(version: str, v: Any) -> None:
    c = {"name": "x", "env": v}
    try:
        expected: Any = kubehash.hash_container(c, version)
    except DecodeError:
        expected = DecodeError
    cache = HashCache()
    for _ in range(2):
        try:
            got: Any = cache.hash(c, version)
        except DecodeError:
            got = DecodeError
        assert got == expected


def test_decode_errors_cached_as_copies_when_asked() -> None:
    bad = {"name": "x", "resources": {"limits": {"cpu": "lots"}}}
    plain = HashCache()
    for _ in range(2):
        with pytest.raises(DecodeError):
            plain.hash(bad, "1.17")
    assert (plain.hits, plain.misses) == (0, 2)  # not cached by default
    cache = HashCache(cache_errors=True)
    errors = []
    for _ in range(3):
        with pytest.raises(DecodeError) as e:
            cache.hash(bad, "1.17")
        errors.append(e.value)
    assert (cache.hits, cache.misses) == (2, 1)
    assert len({id(e) for e in errors}) == 3 and len({str(e) for e in errors}) == 1
    errors[0].with_context(pod="p1")
    assert errors[1].pod is None  # naming one copy leaves the others alone


def test_miss_log_names_the_plan_and_key() -> None:
    cache = HashCache()
    cache.miss_log = []
    c = {"name": "a", "image": "nginx"}
    cache.hash(c, "1.17")
    cache.hash(c, "1.17")
    cache.hash(c, "1.10", source="file")
    assert [plan for plan, _ in cache.miss_log] == [("1.17", "apiserver", False), ("1.10", "file", False)]
    assert {key for _, key in cache.miss_log} == {spec_key(c)}
