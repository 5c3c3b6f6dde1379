"""Toleration matching, the taint manager's eviction delay and DefaultTolerationSeconds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.errors import FieldError
from kubehash.upgrade.preflight.tolerations import (
    NOT_READY,
    UNREACHABLE,
    Taint,
    Toleration,
    admit_default_tolerations,
    eviction_delay,
    matching_tolerations,
    parse_taints,
    parse_tolerations,
)

NR = Taint(NOT_READY, "NoExecute")
UR = Taint(UNREACHABLE, "NoExecute")


@pytest.mark.parametrize(
    ("tol", "taint", "expected"),
    [
        (Toleration(NOT_READY, "Exists", "", "NoExecute"), NR, True),
        (Toleration(NOT_READY, "Exists"), NR, True),  # empty effect matches every effect
        (Toleration(NOT_READY, "Exists", "", "NoSchedule"), NR, False),
        (Toleration("", "Exists"), NR, True),  # empty key + Exists: everything
        (Toleration("", "Exists", "", "NoSchedule"), NR, False),  # ... of that effect only
        # validation rejects an empty key without Exists, but ToleratesTaint then only compares values
        (Toleration("", "", ""), NR, True),
        (Toleration("", "Equal", "v"), NR, False),
        (Toleration(NOT_READY, "", ""), NR, True),  # empty operator is Equal; values both ""
        (Toleration(NOT_READY, "Equal", "true", "NoExecute"), NR, False),  # value differs
        (Toleration("k", "Equal", "v"), Taint("k", "NoExecute", "v"), True),
        (Toleration("k", "Equal", "v"), Taint("k", "NoExecute", "w"), False),
        (Toleration("k", "Exists"), Taint("k", "NoExecute", "w"), True),
        (Toleration("k", "exists"), Taint("k", "NoExecute"), False),  # operators are case-sensitive
        (Toleration("k", "Gt", "3"), Taint("k", "NoExecute", "5"), False),  # gate off by default
    ],
)
def test_tolerates(tol: Toleration, taint: Taint, expected: bool) -> None:
    assert tol.tolerates(taint) is expected


@pytest.mark.parametrize(
    ("op", "tval", "taint_val", "expected"),
    [
        ("Gt", "3", "5", True),
        ("Gt", "3", "3", False),
        ("Lt", "3", "2", True),
        ("Lt", "3", "-1", True),
        ("Lt", "3", "", False),  # not a decimal integer
        ("Gt", "03", "5", False),  # canonical form only
        ("Gt", "-0", "5", False),
    ],
)
def test_comparison_operators_when_enabled(op: str, tval: str, taint_val: str, expected: bool) -> None:
    assert (
        Toleration("k", op, tval).tolerates(Taint("k", "NoExecute", taint_val), comparison_operators=True) is expected
    )


def test_first_matching_toleration_is_used() -> None:
    tols = [Toleration(NOT_READY, "Exists", "", "NoExecute", 300), Toleration("", "Exists")]
    untolerated, used = matching_tolerations([NR], tols)
    assert not untolerated and used == [tols[0]]
    assert eviction_delay([NR], tols) == 300  # the later tolerate-forever does not help


@pytest.mark.parametrize(
    ("tols", "delay"),
    [
        ([], 0),
        ([Toleration(NOT_READY, "Exists", "", "NoExecute", 300)], 0),  # unreachable not tolerated
        ([Toleration(NOT_READY, "Exists", "", "", 300), Toleration(UNREACHABLE, "Exists", "", "", 60)], 60),
        ([Toleration("", "Exists")], None),
        ([Toleration("", "Exists", "", "", 0)], 0),  # tolerationSeconds 0: at once
        ([Toleration("", "Exists", "", "", -5)], 0),
    ],
)  # fmt: skip
def test_eviction_delay(tols: list[Toleration], delay: int | None) -> None:
    assert eviction_delay([NR, UR], tols) == delay


def test_only_noexecute_taints_evict() -> None:
    assert eviction_delay([Taint("k", "NoSchedule")], []) is None


def test_default_tolerations_added_when_missing() -> None:
    after = admit_default_tolerations(())
    assert after == (
        Toleration(NOT_READY, "Exists", "", "NoExecute", 300),
        Toleration(UNREACHABLE, "Exists", "", "NoExecute", 300),
    )
    assert eviction_delay([NR], after) == 300


def test_default_blocked_by_key_and_effect_only() -> None:
    bad = Toleration(NOT_READY, "Equal", "true", "NoExecute")
    after = admit_default_tolerations((bad,))
    assert after == (bad, Toleration(UNREACHABLE, "Exists", "", "NoExecute", 300))
    assert eviction_delay([NR], after) == 0  # the plugin is fooled; the taint manager is not
    any_effect = Toleration(UNREACHABLE, "Equal", "x")  # empty effect blocks too
    assert admit_default_tolerations((any_effect,)) == (
        any_effect,
        Toleration(NOT_READY, "Exists", "", "NoExecute", 300),
    )


def test_default_not_added_for_wildcard() -> None:
    wild = (Toleration("", "Exists"),)
    assert admit_default_tolerations(wild) == wild
    ns = (Toleration("", "Exists", "", "NoSchedule"),)
    assert len(admit_default_tolerations(ns)) == 3  # NoSchedule does not block the NoExecute defaults


def test_parse_tolerations_and_errors() -> None:
    assert parse_tolerations([{"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}]) == (
        Toleration("k", "Exists", "", "NoExecute", 5),
    )
    with pytest.raises(FieldError, match=r"\[0\]\.tolerationSeconds"):
        parse_tolerations([{"tolerationSeconds": "300"}])
    with pytest.raises(FieldError, match=r"\[0\]\.tolerationSeconds"):
        parse_tolerations([{"tolerationSeconds": True}])
    with pytest.raises(FieldError, match=r"\[1\]\.key"):
        parse_tolerations([{}, {"key": 3}])
    with pytest.raises(FieldError, match="must be a list"):
        parse_tolerations("oops")
    assert parse_taints([{"key": "a", "value": "b", "effect": "NoExecute"}]) == (Taint("a", "NoExecute", "b"),)


# --- properties -------------------------------------------------------------------------------------------

_effects = st.sampled_from(["NoExecute", "NoSchedule", "PreferNoSchedule", ""])
_strs = st.sampled_from(["", "a", "b", NOT_READY, UNREACHABLE])
taints = st.builds(Taint, _strs, _effects, _strs)
tolerations = st.builds(
    Toleration,
    _strs,
    st.sampled_from(["", "Equal", "Exists", "Gt", "Lt", "Bogus"]),
    _strs,
    _effects,
    st.one_of(st.none(), st.integers(-10, 1000)),
)


@settings(max_examples=150, deadline=None)
@given(taints, st.one_of(st.none(), st.integers(-10, 1000)))
def test_exists_with_empty_key_tolerates_any_taint(taint: Taint, secs: int | None) -> None:
    assert Toleration("", "Exists", "", "", secs).tolerates(taint)
    assert Toleration("", "Exists", "", taint.effect).tolerates(taint)


@settings(max_examples=150, deadline=None)
@given(tolerations, taints)
def test_a_keyed_toleration_never_tolerates_another_key(tol: Toleration, taint: Taint) -> None:
    if tol.key and tol.key != taint.key:
        assert not tol.tolerates(taint)
    if tol.effect and tol.effect != taint.effect:
        assert not tol.tolerates(taint)


@settings(max_examples=150, deadline=None)
@given(st.lists(tolerations, max_size=4))
def test_admission_defaults_are_idempotent_and_only_append(tols: list[Toleration]) -> None:
    once = admit_default_tolerations(tols)
    assert once[: len(tols)] == tuple(tols)
    assert admit_default_tolerations(once) == once


@settings(max_examples=150, deadline=None)
@given(st.lists(tolerations, max_size=4), st.lists(taints, max_size=3))
def test_eviction_delay_is_never_longer_with_more_taints(tols: list[Toleration], extra: list[Taint]) -> None:
    base = eviction_delay([NR], tols)
    more = eviction_delay([NR, *extra], tols)
    if base is not None:
        assert more is not None and more <= base
