"""``resource.Quantity``'s formats and canonical string (``String()`` / ``CanonicalizeBytes``), reproduced exactly.

The code is identical from apimachinery 1.8 to 1.36: the mantissa/exponent is normalised to an exponent that is
a multiple of 3 (decimal) or of 10 (binary, for a value that is a whole number of at least 1024 in magnitude;
otherwise it prints as DecimalSI); a decimal exponent with no SI suffix prints no suffix at all (upstream quirk,
reproduced). The cached string ``s`` is not consulted here (:meth:`~kubehash.apimachinery.quantity.Quantity.string`
does that).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kubehash.apimachinery.infdec import cmp_dec, fits_int64, remove_factors, round_up_dec, wrap32

if TYPE_CHECKING:
    from kubehash.apimachinery.quantity_value import Quantity

__all__ = [
    "BINARY_SI",
    "BIN_SUFFIXES",
    "DECIMAL_EXPONENT",
    "DECIMAL_SI",
    "DEC_SUFFIXES",
    "canonical_string",
]

DECIMAL_EXPONENT = "DecimalExponent"
BINARY_SI = "BinarySI"
DECIMAL_SI = "DecimalSI"

#: SI suffix -> power of 10, and binary suffix -> power of 2 (``suffixHandler``).
DEC_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
BIN_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DEC_EXP_TO_SUFFIX = {v: k for k, v in DEC_SUFFIXES.items()}
_BIN_EXP_TO_SUFFIX = {v: k for k, v in BIN_SUFFIXES.items()}


def _dec_canonical(unscaled: int, dscale: int) -> tuple[str, int]:
    """``infDecAmount.AsCanonicalBytes``."""
    amount, times = remove_factors(unscaled, 10)
    exponent = wrap32(-dscale + times)
    r = exponent % 3
    if r:
        amount *= 10**r
        exponent -= r
    return str(amount), exponent


def _int_canonical(value: int, scale: int) -> tuple[str, int]:
    """``int64Amount.AsCanonicalBytes`` (falls back to the Dec form on overflow)."""
    amount, times = remove_factors(value, 10)
    exponent = wrap32(scale + times)
    r = exponent % 3
    if r:
        if amount not in (0, 1) and not fits_int64(amount * 10**r):
            return _dec_canonical(value, -scale)
        amount *= 10**r
        exponent -= r
    return str(amount), exponent


def _round_away_scale0(q: Quantity) -> tuple[tuple[str, int | tuple[int, int]], bool]:
    """``q.AsScale(0)``: (rounded CanonicalValue, exact). Values are tagged 'i' or 'd'."""
    if q.dec is not None:
        unscaled, dscale = q.dec
        mag = -unscaled if unscaled < 0 else unscaled
        rounded = round_up_dec(mag, dscale, 0)
        rounded = -rounded if unscaled < 0 else rounded
        return ("d", (rounded, 0)), cmp_dec((rounded, 0), q.dec) == 0
    if q.scale >= 0:
        return ("i", (q.value, q.scale)), True
    div = 10 ** (-q.scale)
    mag = -q.value if q.value < 0 else q.value
    qq, r = divmod(mag, div)
    if r:
        qq += 1
    return ("i", ((-qq if q.value < 0 else qq), 0)), r == 0


def _base1024(rounded: tuple[str, Any]) -> tuple[str, int]:
    """``AsCanonicalBase1024Bytes`` of a CanonicalValue returned by ``AsScale(0)``."""
    kind, (v, sc) = rounded
    if kind == "i":
        if sc < 0:
            mag = -v if v < 0 else v
            qq, r = divmod(mag, 10 ** (-sc))
            value = (qq + (1 if r else 0)) * (1 if v >= 0 else -1)
        else:
            value = v * 10**sc
            if not fits_int64(value):
                return _dec_base1024(v, -sc)
        amount, exponent = remove_factors(value, 1024)
        return str(amount), exponent
    return _dec_base1024(v, sc)


def _dec_base1024(unscaled: int, dscale: int) -> tuple[str, int]:
    mag = -unscaled if unscaled < 0 else unscaled
    r = round_up_dec(mag, dscale, 0)
    amount, exponent = remove_factors(-r if unscaled < 0 else r, 1024)
    return str(amount), exponent


def _cmp_int64(q: Quantity, y: int) -> int:
    return cmp_dec(q.as_fraction(), (y, 0))


def canonical_string(q: Quantity) -> str:
    """Go ``CanonicalizeBytes`` joined: the canonical string, ignoring the cached ``s``."""
    if q.is_zero():
        return "0"
    fmt = q.format
    rounded = None
    if fmt == BINARY_SI:
        if _cmp_int64(q, -1024) > 0 and _cmp_int64(q, 1024) < 0:
            fmt = DECIMAL_SI
        else:
            rounded, exact = _round_away_scale0(q)
            if not exact:
                fmt = DECIMAL_SI
    elif fmt not in (DECIMAL_EXPONENT, DECIMAL_SI):
        fmt = DECIMAL_EXPONENT

    if fmt == BINARY_SI:
        assert rounded is not None
        number, exponent = _base1024(rounded)
        return number + _BIN_EXP_TO_SUFFIX.get(exponent * 10, "")
    if q.dec is not None:
        number, exponent = _dec_canonical(*q.dec)
    else:
        number, exponent = _int_canonical(q.value, q.scale)
    if fmt == DECIMAL_SI:
        return number + _DEC_EXP_TO_SUFFIX.get(exponent, "")
    return number + ("" if exponent == 0 else f"e{exponent}")
