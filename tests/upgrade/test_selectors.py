"""Node selector / required node affinity matching and label fixes (component-helpers nodeaffinity)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.errors import FieldError
from kubehash.upgrade.preflight.selectors import (
    NodeAffinity,
    Requirement,
    Term,
    go_parse_int64,
    label_fix,
    matches,
    parse_affinity,
    unmet,
)


def req_affinity(*terms: dict[str, Any], node_selector: dict[str, str] | None = None) -> NodeAffinity:
    spec: dict[str, Any] = {
        "affinity": {
            "nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": list(terms)}}
        }
    }
    if node_selector is not None:
        spec["nodeSelector"] = node_selector
    return parse_affinity(spec)


def expr(key: str, op: str, *values: str) -> dict[str, Any]:
    d: dict[str, Any] = {"key": key, "operator": op}
    if values:
        d["values"] = list(values)
    return d


# --- requirement semantics --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "values", "labels", "expected"),
    [
        ("In", ("a", "b"), {"k": "b"}, True),
        ("In", ("a",), {"k": "c"}, False),
        ("In", ("a",), {}, False),
        ("NotIn", ("a",), {}, True),  # a missing label is not in any set
        ("NotIn", ("a",), {"k": "a"}, False),
        ("NotIn", ("a",), {"k": "b"}, True),
        ("Exists", (), {"k": ""}, True),  # an empty value still exists
        ("Exists", (), {}, False),
        ("DoesNotExist", (), {}, True),
        ("DoesNotExist", (), {"k": "x"}, False),
        ("Gt", ("3",), {"k": "4"}, True),
        ("Gt", ("3",), {"k": "3"}, False),  # strict
        ("Gt", ("3",), {"k": "04"}, True),  # ParseInt accepts leading zeros
        ("Gt", ("3",), {"k": "+4"}, True),  # and a sign
        ("Gt", ("3",), {"k": "4.0"}, False),  # but not a float
        ("Gt", ("3",), {"k": " 4"}, False),  # nor spaces
        ("Gt", ("3",), {}, False),  # a missing label fails Gt and Lt
        ("Lt", ("3",), {"k": "-10"}, True),
        ("Lt", ("3",), {"k": "3"}, False),
        ("Lt", ("3",), {}, False),
        ("Lt", ("3",), {"k": "99999999999999999999"}, False),  # out of int64
    ],
)
def test_requirement_holds(op: str, values: tuple[str, ...], labels: dict[str, str], expected: bool) -> None:
    r = Requirement("k", op, values)
    assert r.error() is None
    assert r.holds(labels) is expected


@pytest.mark.parametrize(
    ("req", "fragment"),
    [
        (Requirement("k", "Equals", ("a",)), "not supported"),
        (Requirement("k", "In", ()), "at least one value"),
        (Requirement("k", "NotIn", ()), "at least one value"),
        (Requirement("k", "Exists", ("a",)), "takes no values"),
        (Requirement("k", "Gt", ("1", "2")), "exactly one value"),
        (Requirement("k", "Lt", ("one",)), "not an integer"),
        (Requirement("bad key!", "Exists"), "invalid label key"),
        (Requirement("k", "In", ("-bad",)), "invalid label value"),
        (Requirement("metadata.name", "Exists", (), is_field=True), "only In, NotIn"),
        (Requirement("metadata.name", "In", ("a", "b"), is_field=True), "exactly one value"),
    ],
)
def test_requirement_errors(req: Requirement, fragment: str) -> None:
    err = req.error()
    assert err is not None and fragment in err


def test_go_parse_int64_bounds() -> None:
    assert go_parse_int64("9223372036854775807") == 2**63 - 1
    assert go_parse_int64("9223372036854775808") is None
    assert go_parse_int64("-9223372036854775808") == -(2**63)
    assert go_parse_int64("1_000") is None
    assert go_parse_int64("") is None


# --- terms and selectors ----------------------------------------------------------------------------------


def test_terms_are_ored_and_expressions_anded() -> None:
    aff = req_affinity(
        {"matchExpressions": [expr("zone", "In", "a"), expr("disk", "In", "ssd")]},
        {"matchExpressions": [expr("gpu", "Exists")]},
    )
    assert matches(aff, {"zone": "a", "disk": "ssd"})
    assert not matches(aff, {"zone": "a", "disk": "hdd"})  # AND within a term
    assert matches(aff, {"gpu": "1"})  # OR across terms


def test_node_selector_and_affinity_both_apply() -> None:
    aff = req_affinity({"matchExpressions": [expr("zone", "In", "a")]}, node_selector={"disk": "ssd"})
    assert matches(aff, {"zone": "a", "disk": "ssd"})
    assert not matches(aff, {"zone": "a"})
    assert not matches(aff, {"disk": "ssd"})


def test_empty_terms_select_nothing() -> None:
    assert not matches(req_affinity(), {"any": "x"})  # required affinity without terms
    assert not matches(req_affinity({}), {"any": "x"})  # an empty term
    assert not matches(req_affinity({"matchExpressions": []}), {"any": "x"})
    assert matches(req_affinity({}, {"matchExpressions": [expr("any", "Exists")]}), {"any": "x"})


def test_invalid_term_is_skipped_lazily() -> None:
    aff = req_affinity(
        {"matchExpressions": [expr("zone", "Near", "a")]},
        {"matchExpressions": [expr("zone", "In", "a")]},
    )
    assert aff.terms is not None and aff.terms[0].errors
    assert matches(aff, {"zone": "a"})  # the valid second term still matches
    assert not matches(req_affinity({"matchExpressions": [expr("zone", "Near", "a")]}), {"zone": "a"})


def test_match_fields_on_node_name() -> None:
    aff = req_affinity({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]})
    assert matches(aff, {}, "n1")
    assert not matches(aff, {}, "n2")
    assert matches(aff, {}, None)  # a node without a name has no fields: field requirements are skipped
    notin = req_affinity({"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["n1"]}]})
    assert matches(notin, {}, "n2") and not matches(notin, {}, "n1")
    other = req_affinity({"matchFields": [{"key": "spec.unschedulable", "operator": "In", "values": ["x"]}]})
    assert not matches(other, {}, "n1")  # unknown fields read as ""


def test_no_constraints_match_everything() -> None:
    aff = parse_affinity({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}}})
    assert not aff.constrained and matches(aff, {})
    assert parse_affinity({"nodeSelector": {}}).constrained is False


def _required(terms: Any) -> dict[str, Any]:
    return {
        "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}
    }


@pytest.mark.parametrize(
    ("spec", "where"),
    [
        ({"nodeSelector": ["a"]}, "$.spec.nodeSelector"),
        ({"nodeSelector": {"a": 1}}, "$.spec.nodeSelector"),
        ({"affinity": "x"}, "$.spec.affinity"),
        ({"affinity": {"nodeAffinity": []}}, "$.spec.affinity.nodeAffinity"),
        (_required({}), "nodeSelectorTerms"),
        (_required(["x"]), "nodeSelectorTerms[0]"),
        (_required([{"matchExpressions": [{"key": 1}]}]), "matchExpressions[0].key"),
        (_required([{"matchExpressions": [{"key": "a", "operator": 2}]}]), "matchExpressions[0].operator"),
        (_required([{"matchExpressions": [{"key": "a", "operator": "In", "values": "x"}]}]), "values"),
        (_required([{"matchFields": {}}]), "matchFields"),
    ],
)
def test_parse_errors_name_the_field(spec: dict[str, Any], where: str) -> None:
    with pytest.raises(FieldError) as e:
        parse_affinity(spec)
    assert where in str(e.value)


# --- label fixes ------------------------------------------------------------------------------------------


def test_fix_sets_and_removes() -> None:
    aff = req_affinity(
        {"matchExpressions": [expr("disk", "NotIn", "hdd"), expr("gpu", "Gt", "3"), expr("zone", "Exists")]},
        node_selector={"tier": "db"},
    )
    labels = {"disk": "hdd", "gpu": "1", "tier": "web"}
    fix = label_fix(aff, labels)
    assert fix is not None
    assert dict(fix.set) == {"tier": "db", "gpu": "4", "zone": ""}
    assert fix.remove == ("disk",)
    assert matches(aff, fix.apply(labels))
    assert fix.kubectl("n1") == "kubectl label node n1 gpu=4 tier=db zone= disk- --overwrite"


def test_fix_prefers_fewest_changes() -> None:
    aff = req_affinity(
        {"matchExpressions": [expr("a", "In", "1"), expr("b", "In", "1")]},
        {"matchExpressions": [expr("c", "DoesNotExist")]},
    )
    fix = label_fix(aff, {"c": "x"})
    assert fix is not None and fix.term == 1 and fix.remove == ("c",) and not fix.set
    assert label_fix(aff, {"a": "1", "b": "1"}) == type(fix)({}, (), 0)  # already matches: empty fix


@pytest.mark.parametrize(
    "term",
    [
        {"matchExpressions": [expr("k", "In", "a"), expr("k", "NotIn", "a")]},
        {"matchExpressions": [expr("k", "Gt", "5"), expr("k", "Lt", "6")]},
        {"matchExpressions": [expr("k", "Exists"), expr("k", "DoesNotExist")]},
        {"matchExpressions": [expr("k", "Gt", "9223372036854775807")]},
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["other"]}]},
        {"matchExpressions": [expr("k", "Bogus")]},
    ],
)
def test_no_fix_when_impossible(term: dict[str, Any]) -> None:
    aff = req_affinity(term)
    assert label_fix(aff, {}, "n1") is None
    assert unmet(aff, {}, "n1", None)  # but the problem is still described


def test_fix_respects_node_selector_pin() -> None:
    aff = req_affinity({"matchExpressions": [expr("k", "NotIn", "a")]}, node_selector={"k": "a"})
    assert label_fix(aff, {}) is None  # nodeSelector wants k=a, the term forbids it


def test_unmet_describes_each_failure() -> None:
    aff = req_affinity({"matchExpressions": [expr("zone", "In", "z2", "z3")]}, node_selector={"disk": "ssd"})
    lines = unmet(aff, {"zone": "z1"}, "n", None)
    assert lines == ["nodeSelector disk=ssd (node: no disk label)", "term 0: zone In [z2, z3] (node: zone=z1)"]


# --- properties -------------------------------------------------------------------------------------------

_keys = st.sampled_from(["a", "b", "c", "example.com/d", "e"])
_values = st.sampled_from(["", "x", "y", "1", "2", "10", "-3", "007"])
_ints = st.integers(min_value=-20, max_value=20).map(str)


@st.composite
def requirements(draw: st.DrawFn, key: str | None = None) -> Requirement:
    k = key if key is not None else draw(_keys)
    op = draw(st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"]))
    if op in ("In", "NotIn"):
        vals = tuple(draw(st.lists(_values, min_size=1, max_size=3)))
    elif op in ("Gt", "Lt"):
        vals = (draw(_ints),)
    else:
        vals = ()
    return Requirement(k, op, vals)


@st.composite
def terms(draw: st.DrawFn, index: int = 0) -> Term:
    return Term(tuple(draw(st.lists(requirements(), min_size=1, max_size=4))), (), index)


@st.composite
def affinities(draw: st.DrawFn) -> NodeAffinity:
    ns = draw(st.dictionaries(_keys, _values, max_size=2))
    n = draw(st.integers(min_value=0, max_value=3))
    ts = None if n == 0 else tuple(draw(terms(i)) for i in range(n))
    return NodeAffinity(ns, ts)


_labels = st.dictionaries(_keys, st.one_of(_values, _ints), max_size=5)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_keys, min_size=1, max_size=4, unique=True).flatmap(lambda ks: st.tuples(*(requirements(k) for k in ks)))
)
def test_node_built_from_a_term_matches_it(reqs: tuple[Requirement, ...]) -> None:
    """Requirements on distinct keys are always satisfiable: the labels the fix builds from nothing match."""
    term = Term(reqs, (), 0)
    aff = NodeAffinity({}, (term,))
    fix = label_fix(aff, {})
    assert fix is not None
    assert matches(aff, fix.apply({}))


@settings(max_examples=200, deadline=None)
@given(affinities(), _labels)
def test_suggested_labels_make_the_pod_match(aff: NodeAffinity, labels: dict[str, str]) -> None:
    fix = label_fix(aff, labels, "node-1")
    if fix is None:
        assert not matches(aff, labels, "node-1")
        return
    assert matches(aff, fix.apply(labels), "node-1")
    assert (fix.changes == 0) == matches(aff, labels, "node-1")
    assert not (set(fix.set) & set(fix.remove))


@settings(max_examples=200, deadline=None)
@given(requirements(), _labels)
def test_notin_is_the_negation_of_in(r: Requirement, labels: dict[str, str]) -> None:
    if r.operator in ("In", "NotIn"):
        flipped = Requirement(r.key, "NotIn" if r.operator == "In" else "In", r.values)
        assert r.holds(labels) != flipped.holds(labels)
    if r.operator in ("Exists", "DoesNotExist"):
        flipped = Requirement(r.key, "DoesNotExist" if r.operator == "Exists" else "Exists")
        assert r.holds(labels) != flipped.holds(labels)
