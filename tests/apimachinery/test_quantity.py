"""resource.Quantity: Go's acceptance, internal form, canonical string, protobuf round trip."""

from __future__ import annotations

import re
from decimal import ROUND_UP, Decimal, localcontext

import pytest
from conftest import golden_rows
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import QUANTITY_NOISE, quantity_strings

from kubehash.apimachinery.quantity import (
    INT64_MAX,
    Quantity,
    QuantityError,
    canonical_string,
    parse_quantity,
)

# (input, internal form after ParseQuantity, canonical string) -- values checked against upstream Go
# by the golden vectors (edge-quantity-* cases) and apimachinery's quantity_test.go.
KNOWN = [
    ("100m", Quantity(100, -3, None, "100m", "DecimalSI"), "100m"),
    ("0.1", Quantity(1, -1, None, "", "DecimalSI"), "100m"),
    ("1Gi", Quantity(1 << 30, 0, None, "1Gi", "BinarySI"), "1Gi"),
    ("1024Mi", Quantity(1 << 30, 0, None, "", "BinarySI"), "1Gi"),
    ("1e3", Quantity(1, 3, None, "1e3", "DecimalExponent"), "1e3"),
    ("1E3", Quantity(1, 3, None, "1E3", "DecimalExponent"), "1e3"),
    ("1e100", Quantity(1, 100, None, "", "DecimalExponent"), "10e99"),
    ("0", Quantity(0, 0, None, "0", "DecimalSI"), "0"),
    ("0m", Quantity(0, -3, None, "", "DecimalSI"), "0"),
    ("0.1n", Quantity(0, 0, (1, 9), "", "DecimalSI"), "1n"),
    (
        "12345678901234567890",
        Quantity(0, 0, (12345678901234567890 * 10**9, 9), "", "DecimalSI"),
        "12345678901234567890",
    ),
    ("1.5Gi", Quantity(0, 0, (1610612736 * 10**9, 9), "", "BinarySI"), "1536Mi"),
    ("2000m", Quantity(2000, -3, None, "", "DecimalSI"), "2"),
    ("-1", Quantity(-1, 0, None, "-1", "DecimalSI"), "-1"),
    ("+1", Quantity(1, 0, None, "+1", "DecimalSI"), "1"),
    ("007", Quantity(7, 0, None, "007", "DecimalSI"), "7"),  # leading zeros are stripped before the check
    ("5.", Quantity(5, 0, None, "5.", "DecimalSI"), "5"),
    ("129e6", Quantity(129, 6, None, "129e6", "DecimalExponent"), "129e6"),
    ("1Ei", Quantity(0, 0, ((1 << 60) * 10**9, 9), "", "BinarySI"), "1Ei"),  # precision < 0: inf.Dec path
    ("8Ei", Quantity(0, 0, (INT64_MAX, 0), "", "BinarySI"), "9223372036854775807"),  # capped: Set(maxAllowed)
    ("0.5Ki", Quantity(0, 0, (512 * 10**9, 9), "", "BinarySI"), "512"),
    ("0.0005Ki", Quantity(0, 0, (512 * 10**6, 9), "", "DecimalSI"), "512m"),  # BinarySI in (0, 1) -> DecimalSI
    (".", Quantity(0, 0, None, "", "DecimalSI"), "0"),
    (
        ".Ki",
        Quantity(0, 0, None, "", "BinarySI"),
        "0",
    ),  # no digits, but the int64 path accepts it  # Go accepts a lone sign as zero
    (".", Quantity(0, 0, None, "", "DecimalSI"), "0"),
    (".Ki", Quantity(0, 0, None, "", "BinarySI"), "0"),  # no digits, but the int64 path accepts it
]


@pytest.mark.parametrize(("text", "internal", "canonical"), KNOWN, ids=[k[0] for k in KNOWN])
def test_known_quantities(text: str, internal: Quantity, canonical: str) -> None:
    q = parse_quantity(text)
    assert q == internal
    assert canonical_string(q) == canonical
    # String() prefers the cached input string; the protobuf round trip carries String()
    assert q.protobuf_roundtrip().string() == (q.s or canonical)


@pytest.mark.parametrize(
    "text", ["", "abc", "1.2.3", "1Gb", "1 Gi", "1e", "1e3.5", "--1", "1Ki2", ".e-10", "1i", "1e+", "0x10", "１"]
)
def test_rejected_like_go(text: str) -> None:
    with pytest.raises(QuantityError):
        parse_quantity(text)


def _golden_quantities() -> list[tuple[str, str, str]]:
    """(string, file-path spew body, apiserver-path spew body) for every cpu-limit quantity case."""
    out = []
    for row in golden_rows("1.10"):
        if not row["id"].startswith("edge-quantity-cpu-") or "error" in row["file"]:
            continue
        text = row["container"]["resources"]["limits"]["cpu"]
        bodies = []
        for src in ("file", "apiserver"):
            s = row[src]["input"]
            start = s.index("map[cpu:") + len("map[cpu:")
            bodies.append(s[start : s.index("}] Requests:", start) + 1])
        out.append((text, bodies[0], bodies[1]))
    return out


GOLDEN_QUANTITIES = _golden_quantities()


def test_golden_quantities_present() -> None:
    assert len(GOLDEN_QUANTITIES) >= 30


@pytest.mark.parametrize(("text", "file_body", "api_body"), GOLDEN_QUANTITIES, ids=[g[0] for g in GOLDEN_QUANTITIES])
def test_internal_form_matches_go(text: str, file_body: str, api_body: str) -> None:
    q = parse_quantity(text)
    assert q.spew_body() == file_body
    assert q.protobuf_roundtrip().spew_body() == api_body


_BIN = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DEC = {"": 0, "n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_MANTISSA = re.compile(r"^[+-]?[0-9]*(\.[0-9]*)?")


def _exact_amount(text: str) -> tuple[Decimal, bool]:
    """Independent oracle: (the exact value the string denotes, binary suffix?) -- no Go code involved."""
    m = _MANTISSA.match(text)
    assert m is not None
    mant, suffix = m.group(0), text[m.end() :]
    digits = mant.lstrip("+-")
    value = Decimal(digits) if digits.strip(".") else Decimal(0)
    if mant.startswith("-"):
        value = -value
    if suffix in _BIN:
        return value * (2 ** _BIN[suffix]), True
    if suffix in _DEC:
        return value.scaleb(_DEC[suffix]), False
    return value.scaleb(int(suffix[1:])), False


@settings(max_examples=500, deadline=None)
@given(text=quantity_strings())
def test_amount_matches_exact_decimal(text: str) -> None:
    """Every well-formed string parses; its amount is the exact value rounded away from zero to
    nano, with binary-suffixed values capped at 2^63-1."""
    q = parse_quantity(text)
    n, k = q.as_fraction()
    with localcontext() as ctx:
        ctx.prec = 500
        exact, binary = _exact_amount(text)
        got = Decimal(n).scaleb(-k)
        expected = exact.quantize(Decimal("1e-9"), rounding=ROUND_UP) if exact.as_tuple().exponent < -9 else exact
        if binary and abs(expected) > INT64_MAX:
            expected = Decimal(INT64_MAX).copy_sign(expected)
        assert got == expected, (text, q)


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(quantity_strings(), QUANTITY_NOISE))
def test_canonical_form_is_a_fixed_point(text: str) -> None:
    try:
        q = parse_quantity(text)
    except QuantityError:
        return
    canon = canonical_string(q)
    again = parse_quantity(canon)
    assert _amount(again) == _amount(q)
    assert canonical_string(again) == canon
    # protobuf round trip is idempotent on the internal form
    rt = q.protobuf_roundtrip()
    assert rt.protobuf_roundtrip() == rt
    assert rt.string() == (q.s or canon)
    assert _amount(rt) == _amount(q)


def _amount(q: Quantity) -> Decimal:
    n, k = q.as_fraction()
    with localcontext() as ctx:
        ctx.prec = 500
        return Decimal(n).scaleb(-k)


@settings(max_examples=500, deadline=None)
@given(text=st.one_of(QUANTITY_NOISE, st.text(max_size=10)))
def test_only_quantity_errors(text: str) -> None:
    """Arbitrary strings either parse or raise QuantityError; anything outside the quantity
    alphabet is rejected, as Go's byte scanner rejects it."""
    try:
        parse_quantity(text)
    except QuantityError:
        return
    assert set(text) <= set("0123456789.+-eEinumkKMGTP")
