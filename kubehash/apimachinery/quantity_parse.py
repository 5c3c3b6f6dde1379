"""``resource.ParseQuantity`` from ``k8s.io/apimachinery/pkg/api/resource``, reproduced exactly.

The parsing code is identical from apimachinery 1.8 to 1.36 (checked tag by tag), so one implementation serves
every minor, step by step as Go takes them:

1. ``"0"`` is special-cased (cached string ``"0"``, DecimalSI);
2. ``parseQuantityString``: a hand-written scanner -- sign, leading zeros, digits, ``.``, digits, suffix
   letters, an optional signed exponent -- (:func:`scan_quantity`);
3. ``suffixHandler.interpret``: the suffix's base, exponent and format (:func:`interpret_suffix`);
4. the fast path: a value that fits an int64 with scale >= -9 stays an ``int64Amount``, and caches the input
   as ``s`` only when it is already in canonical form (:func:`_int64_amount`);
5. everything else becomes an ``inf.Dec`` rounded *up* (away from zero) to nano, with BinarySI values capped
   at 2^63-1 and BinarySI values in (0, 1) switched to DecimalSI (:func:`_inf_dec_amount`).

Go takes a quantity of any length; kubehash refuses one longer than
:data:`~kubehash.limits.MAX_QUANTITY_CHARS` (Python will not convert integer text over 4300 digits).
"""

from __future__ import annotations

from typing import NamedTuple

from kubehash.apimachinery.infdec import INT64_MAX, INT64_MIN, cmp_dec, round_up_dec, wrap32
from kubehash.apimachinery.quantity_format import (
    BIN_SUFFIXES,
    BINARY_SI,
    DEC_SUFFIXES,
    DECIMAL_EXPONENT,
    DECIMAL_SI,
)
from kubehash.apimachinery.quantity_value import Quantity
from kubehash.errors import QuantityError
from kubehash.limits import MAX_QUANTITY_CHARS

__all__ = [
    "ERR_FORMAT_WRONG",
    "ERR_NUMERIC",
    "ERR_SUFFIX",
    "Scanned",
    "interpret_suffix",
    "parse_quantity",
    "scan_quantity",
]

ERR_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

_NANO = -9
_DIGITS = frozenset("0123456789")
_SUFFIX_LETTERS = frozenset("eEinumkKMGTP")


class Scanned(NamedTuple):
    """What ``parseQuantityString`` returns: the sign, the number as written (``value``), its whole digits
    without leading zeros (``num``), its fraction digits (``denom``) and the suffix."""

    positive: bool
    value: str
    num: str
    denom: str
    suffix: str


# ---- parseQuantityString ------------------------------------------------------------------------


def _scan(s: str, pos: int, chars: frozenset[str]) -> int:
    """The index after the run of ``chars`` that starts at ``pos``."""
    end = len(s)
    while pos < end and s[pos] in chars:
        pos += 1
    return pos


def _skip_zeros(s: str, pos: int) -> int:
    """The index after the leading zeros that start at ``pos``."""
    end = len(s)
    while pos < end and s[pos] == "0":
        pos += 1
    return pos


def _scan_fraction(s: str, pos: int) -> tuple[int, str, bool]:
    """After the whole digits, at ``pos`` (< len(s)): (index after the fraction, its digits, input ended)."""
    if s[pos] != ".":
        return pos, "", False
    pos += 1
    i = _scan(s, pos, _DIGITS)
    if i >= len(s):
        return i, s[pos:], True
    return i, s[pos:i], False


def _scan_suffix(s: str, start: int) -> str:
    """The suffix that starts at ``start``: letters, then an optional sign and digits up to the end."""
    pos = _scan(s, start, _SUFFIX_LETTERS)
    if pos < len(s):
        if s[pos] in "+-":
            pos += 1
        if _scan(s, pos, _DIGITS) < len(s):
            raise QuantityError(ERR_FORMAT_WRONG)
    return s[start:]


def scan_quantity(s: str) -> Scanned:
    """Go ``parseQuantityString``; raises :class:`QuantityError` (``ErrFormatWrong``) where Go does."""
    positive = True
    pos = 0
    if s and s[0] in "+-":
        positive = s[0] != "-"
        pos = 1
    pos = _skip_zeros(s, pos)
    if pos >= len(s):
        return Scanned(positive, "0", "0", "", "")
    i = _scan(s, pos, _DIGITS)
    if i >= len(s):
        return Scanned(positive, s, s[pos:], "", "")
    num = s[pos:i] or "0"
    pos, denom, ended = _scan_fraction(s, i)
    if ended:
        return Scanned(positive, s, num, denom, "")
    return Scanned(positive, s[:pos], num, denom, _scan_suffix(s, pos))


# ---- suffixHandler.interpret --------------------------------------------------------------------


def _go_parse_int64(s: str) -> int | None:
    """``strconv.ParseInt(s, 10, 64)``: optional sign, ASCII digits, in range; else ``None``."""
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or any(c not in _DIGITS for c in body):
        return None
    v = int(s)
    return v if INT64_MIN <= v <= INT64_MAX else None


def interpret_suffix(suffix: str) -> tuple[int, int, str]:
    """Go ``suffixHandler.interpret``: (base, exponent, format); a decimal exponent wraps as an int32."""
    if suffix in DEC_SUFFIXES:
        return 10, DEC_SUFFIXES[suffix], DECIMAL_SI
    if suffix in BIN_SUFFIXES:
        return 2, BIN_SUFFIXES[suffix], BINARY_SI
    if len(suffix) > 1 and suffix[0] in "eE":
        parsed = _go_parse_int64(suffix[1:])
        if parsed is None:
            raise QuantityError(ERR_SUFFIX)
        return 10, wrap32(parsed), DECIMAL_EXPONENT
    raise QuantityError(ERR_SUFFIX)


# ---- the int64Amount fast path --------------------------------------------------------------------


def _fast_path_terms(num: str, denom: str, exponent: int, fmt: str) -> tuple[int, int, int]:
    """(precision, scale, mantissa) of the fast path; a negative precision means it does not apply."""
    if fmt in (DECIMAL_EXPONENT, DECIMAL_SI):
        return 18 - (len(num) + len(denom)), exponent, 1
    if exponent >= 0 and not denom:
        return 15 - len(num) - (exponent * 3 // 10) - 1, 0, 1 << exponent
    return -1, 0, 1


def _is_canonical(digits: str, v: int, scale: int, exponent: int, fmt: str) -> bool:
    """Whether the input is already in canonical form, so Go caches it as ``s``."""
    if fmt == BINARY_SI:
        return exponent % 10 == 0 and (v & 0x07) != 0
    return scale % 3 == 0 and not digits.endswith("000") and digits[0] != "0"


def _int64_amount(s: str, scanned: Scanned, exponent: int, fmt: str) -> Quantity | None:
    """The ``int64Amount`` Go builds when the value fits an int64 at scale >= nano, else ``None``."""
    precision, scale, mantissa = _fast_path_terms(scanned.num, scanned.denom, exponent, fmt)
    if precision < 0:
        return None
    scale = wrap32(scale - len(scanned.denom))
    if scale < _NANO:
        return None
    digits = scanned.num + scanned.denom
    v = int(digits)
    result = v * mantissa
    if result > INT64_MAX:
        return None
    cached = s if _is_canonical(digits, v, scale, exponent, fmt) else ""
    return Quantity(result if scanned.positive else -result, scale, None, cached, fmt)


# ---- the inf.Dec path -----------------------------------------------------------------------------


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


def _binary_bounds(magnitude: tuple[int, int], fmt: str) -> tuple[tuple[int, int], str]:
    """A BinarySI magnitude above 2^63-1 is capped to it (``Set(maxAllowed)``); one in (0, 1) is DecimalSI."""
    if fmt != BINARY_SI:
        return magnitude, fmt
    if cmp_dec(magnitude, (INT64_MAX, 0)) > 0:
        magnitude = (INT64_MAX, 0)
    if cmp_dec(magnitude, (1, 0)) < 0 and magnitude[0] > 0:
        fmt = DECIMAL_SI
    return magnitude, fmt


def _inf_dec_amount(value: str, base: int, exponent: int, fmt: str) -> Quantity:
    """The ``infDecAmount`` Go builds: the number times the suffix, rounded up (away from zero) to nano."""
    unscaled, dscale = _inf_set_string(value)
    if base == 10:
        dscale = wrap32(dscale - exponent)
    else:
        unscaled <<= exponent
    negative = unscaled < 0
    mag = -unscaled if negative else unscaled
    if mag != 0:
        mag, dscale = round_up_dec(mag, dscale, 9), 9
    (mag, dscale), fmt = _binary_bounds((mag, dscale), fmt)
    return Quantity(0, 0, (-mag if negative else mag, dscale), "", fmt)


# ---- ParseQuantity --------------------------------------------------------------------------------


def _check_length(s: str) -> None:
    """Go rejects the empty string; kubehash also rejects one beyond :data:`MAX_QUANTITY_CHARS`."""
    if not s:
        raise QuantityError(ERR_FORMAT_WRONG)
    if len(s) > MAX_QUANTITY_CHARS:  # Go takes any length; Python refuses integer text over 4300 digits
        raise QuantityError(
            f"quantity of {len(s)} characters: longer than kubehash's bound of {MAX_QUANTITY_CHARS}"
            " (MAX_QUANTITY_CHARS)"
        )


def parse_quantity(s: str) -> Quantity:
    """Go ``resource.ParseQuantity(s)``; raises :class:`QuantityError` exactly when Go errors."""
    _check_length(s)
    if s == "0":
        return Quantity(format=DECIMAL_SI, s=s)
    scanned = scan_quantity(s)
    base, exponent, fmt = interpret_suffix(scanned.suffix)
    fast = _int64_amount(s, scanned, exponent, fmt)
    if fast is not None:
        return fast
    return _inf_dec_amount(scanned.value, base, exponent, fmt)
