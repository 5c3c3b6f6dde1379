"""Hypothesis strategies: quantity strings, Go-valid JSON values for any schema type, arbitrary JSON."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from kubehash.apimachinery.codecs import INT_OR_STRING, QUANTITY
from kubehash.golang.jsonenc import visible_fields
from kubehash.golang.types import Basic, External, GoType, Map, Pointer, Slice, Struct, int_range

DIGITS = st.text("0123456789", min_size=0, max_size=25)
SUFFIXES = st.sampled_from(["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"])
EXPONENTS = st.builds(
    lambda e, sign, n: f"{e}{sign}{n}", st.sampled_from("eE"), st.sampled_from(["", "+", "-"]), st.integers(0, 40)
)


@st.composite
def quantity_strings(draw: Any) -> str:
    """Well-formed quantity strings (at least one digit): Go accepts every one of them."""
    sign = draw(st.sampled_from(["", "+", "-"]))
    whole = draw(DIGITS)
    frac = draw(st.one_of(st.none(), DIGITS))
    if not whole and not frac:
        whole = draw(st.text("0123456789", min_size=1, max_size=5))
    number = whole + ("" if frac is None else "." + frac)
    suffix = draw(st.one_of(SUFFIXES, EXPONENTS))
    return sign + number + suffix


# Strings over the quantity alphabet plus some noise: a mix of accepted and rejected inputs.
QUANTITY_NOISE = st.text(alphabet="0123456789.+-eEinumkKMGTPi xb", max_size=12)

SIMPLE_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Arbitrary JSON values as Python's json module produces them."""
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        SIMPLE_TEXT,
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(SIMPLE_TEXT, inner, max_size=4)),
        max_leaves=max_leaves,
    )


def go_values(t: GoType, depth: int = 0) -> st.SearchStrategy[Any]:
    """JSON values that decode without error into type ``t`` (including nulls and empty lists)."""
    if t is QUANTITY:
        return st.one_of(quantity_strings(), st.integers(-(10**6), 10**6), st.none())
    if t is INT_OR_STRING:
        return st.one_of(st.integers(-(2**31), 2**31 - 1), SIMPLE_TEXT)
    if isinstance(t, External):
        raise TypeError(t)
    u = t.underlying()
    if isinstance(u, Basic):
        if u.kind == "string":
            return SIMPLE_TEXT
        if u.kind == "bool":
            return st.booleans()
        lo, hi = int_range(u.kind)
        return st.integers(lo, hi)
    if isinstance(u, Pointer):
        return st.one_of(st.none(), go_values(u.elem, depth + 1)) if depth < 6 else st.none()
    if isinstance(u, Slice):
        return st.one_of(st.none(), st.lists(go_values(u.elem, depth + 1), max_size=2 if depth < 4 else 0))
    if isinstance(u, Map):
        return st.one_of(
            st.none(),
            st.dictionaries(st.text("abcdefgh./-", min_size=1, max_size=8), go_values(u.elem, depth + 1), max_size=3),
        )
    if isinstance(u, Struct):
        fields = {f.json_name: f.type for _, f in visible_fields(u)}
        return st.fixed_dictionaries({}, optional={k: go_values(v, depth + 1) for k, v in fields.items()})
    raise TypeError(t)
