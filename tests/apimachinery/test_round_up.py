"""Quantity.RoundUp(-3), as the API server applies it to every resource list."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from strategies import quantity_strings

from kubehash.apimachinery.quantity import canonical_string, parse_quantity, round_up
from kubehash.errors import QuantityError


@pytest.mark.parametrize(
    ("text", "canonical", "exact", "cached"),
    [
        ("1500u", "2m", False, ""),
        ("0.1m", "1m", False, ""),
        ("1.0001", "1001m", False, ""),
        ("-1500u", "-2m", False, ""),
        ("100m", "100m", True, "100m"),  # already milli: untouched, cached string kept
        ("5Mi", "5Mi", True, "5Mi"),
        ("1e-7", "1e-3", False, ""),
        ("0.5Ki", "512", True, ""),  # an inf.Dec value always loses its cached string
    ],
)
def test_round_up_examples(text: str, canonical: str, exact: bool, cached: str) -> None:
    q, ok = round_up(parse_quantity(text), -3)
    assert (canonical_string(q), ok, q.s) == (canonical, exact, cached)


def _amount(text: str) -> Fraction:
    n, k = parse_quantity(text).as_fraction()
    return Fraction(n, 10**k) if k >= 0 else Fraction(n * 10**-k)


def _away_from_zero_milli(x: Fraction) -> Fraction:
    scaled = x * 1000
    whole = scaled.numerator // scaled.denominator if scaled >= 0 else -((-scaled.numerator) // scaled.denominator)
    if whole != scaled:
        whole += 1 if x > 0 else -1
    return Fraction(whole, 1000)


@given(quantity_strings())
def test_round_up_is_ceil_away_from_zero_to_milli(text: str) -> None:
    try:
        q = parse_quantity(text)
    except QuantityError:
        return
    r, exact = round_up(q, -3)
    before = _amount(text)
    n, k = r.as_fraction()
    after = Fraction(n, 10**k) if k >= 0 else Fraction(n * 10**-k)
    assert exact == (before == after)
    if q.dec is None and q.scale >= -3:
        assert r is q
    else:
        assert after == _away_from_zero_milli(before)
    again, exact_again = round_up(r, -3)
    assert exact_again and canonical_string(again) == canonical_string(r)
