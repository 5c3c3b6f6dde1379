"""The refactored ``ParseQuantity`` (issue 13) against a frozen copy of the parser it replaced.

The frozen copy below is ``kubehash/apimachinery/quantity.py`` as of commit 531d294 (the parsing half, verbatim
apart from the entry point's name ``frozen_parse_quantity``): a single-function scanner and parser that the
golden vectors had verified. The new code must give, for every string, the same internal form (int64Amount,
inf.Dec, cached string, Format) or the same error (type and message) -- valid and invalid spellings, signs,
exponents around the int32/int64 and ``MAX_EXACT_EXPONENT`` bounds, every suffix, and digit runs up to and
past :data:`~kubehash.limits.MAX_QUANTITY_CHARS`. Do not edit the frozen copy: it is the reference.
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st
from strategies import QUANTITY_NOISE, quantity_strings

from kubehash.apimachinery import quantity_parse
from kubehash.apimachinery.quantity import Quantity, parse_quantity
from kubehash.errors import QuantityError
from kubehash.limits import MAX_QUANTITY_CHARS

# ---- frozen copy (commit 531d294), do not edit -----------------------------------------------------------

DECIMAL_EXPONENT = "DecimalExponent"
BINARY_SI = "BinarySI"
DECIMAL_SI = "DecimalSI"

INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)
_NANO = -9
#: Exponents beyond this make Go allocate gigantic big.Ints (the kubelet would stall); kubehash refuses.
_MAX_EXACT_EXPONENT = 100_000

ERR_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"


def _wrap32(x: int) -> int:
    """Go ``int32`` arithmetic wraps around."""
    return (x + (1 << 31)) % (1 << 32) - (1 << 31)


_DIGITS = frozenset("0123456789")
_SUFFIX_LETTERS = frozenset("eEinumkKMGTP")
_DEC_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BIN_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


def _parse_quantity_string(s: str) -> tuple[bool, str, str, str, str]:
    """Go ``parseQuantityString``: (positive, value, num, denom, suffix)."""
    positive = True
    pos = 0
    end = len(s)
    if pos < end and s[0] in "+-":
        positive = s[0] != "-"
        pos += 1
    # leading zeros
    while True:
        if pos >= end:
            return positive, "0", "0", "", ""
        if s[pos] != "0":
            break
        pos += 1
    i = pos
    while i < end and s[i] in _DIGITS:
        i += 1
    if i >= end:
        return positive, s, s[pos:], "", ""
    num = s[pos:i] or "0"
    pos = i
    denom = ""
    if s[pos] == ".":
        pos += 1
        i = pos
        while i < end and s[i] in _DIGITS:
            i += 1
        if i >= end:
            return positive, s, num, s[pos:], ""
        denom = s[pos:i]
        pos = i
    value = s[:pos]
    suffix_start = pos
    i = pos
    while i < end and s[i] in _SUFFIX_LETTERS:
        i += 1
    if i >= end:
        return positive, value, num, denom, s[suffix_start:]
    pos = i
    if s[pos] in "+-":
        pos += 1
    i = pos
    while i < end and s[i] in _DIGITS:
        i += 1
    if i >= end:
        return positive, value, num, denom, s[suffix_start:]
    raise QuantityError(ERR_FORMAT_WRONG)


def _go_parse_int64(s: str) -> int | None:
    """``strconv.ParseInt(s, 10, 64)``: optional sign, ASCII digits, in range; else ``None``."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or any(c not in _DIGITS for c in body):
        return None
    v = int(s)
    return v if INT64_MIN <= v <= INT64_MAX else None


def _interpret_suffix(suffix: str) -> tuple[int, int, str]:
    """Go ``suffixHandler.interpret``: (base, exponent, format)."""
    if suffix in _DEC_SUFFIXES:
        return 10, _DEC_SUFFIXES[suffix], DECIMAL_SI
    if suffix in _BIN_SUFFIXES:
        return 2, _BIN_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        parsed = _go_parse_int64(suffix[1:])
        if parsed is None:
            raise QuantityError(ERR_SUFFIX)
        return 10, _wrap32(parsed), DECIMAL_EXPONENT
    raise QuantityError(ERR_SUFFIX)


def _inf_set_string(value: str) -> tuple[int, int]:
    """``inf.Dec.SetString``: (unscaled, scale) or ErrNumeric."""
    chars: list[str] = []
    dp = dg = -1
    consumed = 0
    for ch in value:
        if ch in "+-":
            if chars or dp >= 0:
                break
        elif ch == ".":
            if dp >= 0:
                break
            dp = len(chars)
            consumed += 1
            continue
        elif ch in _DIGITS:
            if dg == -1:
                dg = len(chars)
        else:
            break
        chars.append(ch)
        consumed += 1
    if dg == -1 or consumed != len(value):
        raise QuantityError(ERR_NUMERIC)
    scale = len(chars) - dp if dp >= 0 else 0
    return int("".join(chars)), scale


def _round_up(unscaled: int, scale: int, target: int) -> int:
    """``inf.Dec.Round(x, target, inf.RoundUp)`` for a non-negative value: the new unscaled."""
    if scale <= target:
        if target - scale > _MAX_EXACT_EXPONENT:
            raise QuantityError("quantity exponent too large for kubehash to reproduce")
        factor: int = 10 ** (target - scale)
        return unscaled * factor
    shift = scale - target
    if shift > len(str(unscaled)) + 1:
        return 1 if unscaled else 0
    unit: int = 10**shift
    q, r = divmod(unscaled, unit)
    return q + (1 if r else 0)


def frozen_parse_quantity(s: str) -> Quantity:
    """Go ``resource.ParseQuantity(s)``; raises :class:`QuantityError` exactly when Go errors."""
    if not s:
        raise QuantityError(ERR_FORMAT_WRONG)
    if len(s) > MAX_QUANTITY_CHARS:  # Go takes any length; Python refuses integer text over 4300 digits
        raise QuantityError(
            f"quantity of {len(s)} characters: longer than kubehash's bound of {MAX_QUANTITY_CHARS}"
            " (MAX_QUANTITY_CHARS)"
        )
    if s == "0":
        return Quantity(format=DECIMAL_SI, s=s)
    positive, value, num, denom, suf = _parse_quantity_string(s)
    base, exponent, fmt = _interpret_suffix(suf)

    scale = 0
    mantissa = 1
    if fmt in (DECIMAL_EXPONENT, DECIMAL_SI):
        scale = exponent
        precision = 18 - (len(num) + len(denom))
    elif exponent >= 0 and not denom:
        mantissa = 1 << exponent
        precision = 15 - len(num) - (exponent * 3 // 10) - 1
    else:
        precision = -1

    if precision >= 0:
        scale = _wrap32(scale - len(denom))
        if scale >= _NANO:
            shifted = num + denom
            v = int(shifted)
            result = v * mantissa
            if result <= INT64_MAX:
                if not positive:
                    result = -result
                cached = ""
                if fmt == BINARY_SI:
                    if exponent % 10 == 0 and (v & 0x07) != 0:
                        cached = s
                elif scale % 3 == 0 and not shifted.endswith("000") and shifted[0] != "0":
                    cached = s
                return Quantity(result, scale, None, cached, fmt)

    unscaled, dscale = _inf_set_string(value)
    if base == 10:
        dscale = _wrap32(dscale - exponent)
    else:
        unscaled <<= exponent
    negative = unscaled < 0
    if negative:
        unscaled = -unscaled
    if unscaled != 0:
        unscaled = _round_up(unscaled, dscale, 9)
        dscale = 9
    if fmt == BINARY_SI and _cmp_dec((unscaled, dscale), (INT64_MAX, 0)) > 0:
        unscaled, dscale = INT64_MAX, 0
    if fmt == BINARY_SI and _cmp_dec((unscaled, dscale), (1, 0)) < 0 and unscaled > 0:
        fmt = DECIMAL_SI
    if negative:
        unscaled = -unscaled
    return Quantity(0, 0, (unscaled, dscale), "", fmt)


def _cmp_dec(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Compare a = ua * 10**-sa with b = ub * 10**-sb exactly."""
    (ua, sa), (ub, sb) = a, b
    if sa > sb:
        ub *= 10 ** (sa - sb)
    elif sb > sa:
        ua *= 10 ** (sb - sa)
    return (ua > ub) - (ua < ub)


# ---- generated spellings ----------------------------------------------------------------------------------

_SIGNS = st.sampled_from(["", "", "+", "-", "--", "+-", "-+"])
_SHORT_DIGITS = st.text("0123456789", max_size=25)
#: Digit runs whose quantity lands just below, at or above MAX_QUANTITY_CHARS.
_HUGE_DIGITS = st.builds(
    lambda head, fill, n: (head + fill * n)[:n],
    st.text("0123456789", max_size=5),
    st.sampled_from("0123456789"),
    st.integers(MAX_QUANTITY_CHARS - 30, MAX_QUANTITY_CHARS + 5),
)
_DIGIT_RUNS = st.one_of(_SHORT_DIGITS, _SHORT_DIGITS.map(lambda d: "0" * 20 + d), _HUGE_DIGITS)
_FRACTION = st.one_of(st.just(""), st.just("."), st.just(".."), _SHORT_DIGITS.map(lambda d: "." + d))
_SUFFIXES = st.sampled_from(
    ["", "n", "u", "m", "k", "M", "G", "T", "P", "E", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "i", "Kii", "Gb", "mi",
     "e", "E", "e+", "e-", "ee3", "k3", "Ki1", "K", "x", " ", "1"]
)  # fmt: skip
#: Exponents: small ones, and the int32 wrap, int64 range and kubehash MAX_EXACT_EXPONENT boundaries.
_BOUNDS = [2**31 - 1, 2**31, 2**32, 2**32 + 5, 2**63 - 1, 2**63, 10**20, 99_990, 100_000, 100_009, 100_010]
_EXP_VALUES = st.one_of(
    st.integers(0, 40),
    st.sampled_from(_BOUNDS).flatmap(lambda b: st.integers(b - 3, b + 3)).map(str),
    st.sampled_from(["", "0", "00", "007", "1_0", "１"]),
).map(str)
_EXPONENTS = st.builds(
    lambda e, sign, n: f"{e}{sign}{n}", st.sampled_from("eE"), st.sampled_from(["", "+", "-", "+-"]), _EXP_VALUES
)
_TAILS = st.one_of(_SUFFIXES, _EXPONENTS, st.text("0123456789.+-eEinumkKMGTPib ", max_size=6))


@st.composite
def _spellings(draw: Any) -> str:
    """Quantity-like strings, mostly near the accepted grammar, often just outside it."""
    return draw(_SIGNS) + draw(_DIGIT_RUNS) + draw(_FRACTION) + draw(_TAILS)


_TEXTS = st.one_of(_spellings(), quantity_strings(), QUANTITY_NOISE, st.text(max_size=12))


def _outcome(parse: Any, s: str) -> tuple[Any, ...]:
    """What a parser does with ``s``: the internal form and ``String()``, or the error's type and message."""
    try:
        q = parse(s)
    except Exception as e:  # the same error, whatever it is
        return ("error", type(e), str(e))
    assert isinstance(q, Quantity)
    return ("ok", q.value, q.scale, q.dec, q.s, q.format)


@settings(max_examples=3000, deadline=None)
@given(text=_TEXTS)
@example("0")
@example("")
@example("-")
@example("+.")
@example(".Ki")
@example("1e2147483648")
@example("1e-2147483649")
@example("1e9223372036854775808")
@example("12345678901234567890e100000")
@example("1" * MAX_QUANTITY_CHARS)
@example("1" * (MAX_QUANTITY_CHARS + 1))
@example("0.5Ki")
@example("8Ei")
@example(".e-10")
@example("-.Ei")
@example("-0.1n")
@example("1.5Gi")
@example("0.0005Ki")
@example("9223372036854775808")
def test_parse_quantity_matches_the_frozen_parser(text: str) -> None:
    assert _outcome(parse_quantity, text) == _outcome(frozen_parse_quantity, text)


@settings(max_examples=2000, deadline=None)
@given(text=_TEXTS)
def test_scanner_matches_the_frozen_scanner(text: str) -> None:
    """``parseQuantityString`` on its own: the same five parts, or the same error."""
    try:
        want: Any = _parse_quantity_string(text)
    except QuantityError as e:
        want = str(e)
    try:
        got: Any = tuple(quantity_parse.scan_quantity(text))
    except QuantityError as e:
        got = str(e)
    assert got == want
