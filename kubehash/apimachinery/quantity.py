"""``resource.Quantity`` from ``k8s.io/apimachinery/pkg/api/resource``, reproduced exactly.

Why hand-written: the struct-era hash dumps the Quantity's *internal* fields (``i`` int64Amount, ``d``
inf.Dec, the cached string ``s``, ``Format``), so the exact internal form Go's ``ParseQuantity`` builds
for each spelling, and the canonical string ``String()``/``MarshalJSON`` produce, decide the hash. No
Python library models that. Arithmetic is done with Python ``int`` (exact); floats are never used.

The parsing and canonicalisation code is identical from apimachinery 1.8 to 1.36 (checked tag by tag;
only helpers unrelated to parsing or formatting were added), so one implementation serves every minor:

* ``ParseQuantity``: hand-written scanner (sign, leading zeros, digits, ``.``, digits, suffix letters,
  optional signed exponent digits); ``"0"`` is special-cased; a fast path keeps values that fit an
  int64 with scale >= -9 as ``int64Amount`` and caches the input as ``s`` only when it is already in
  canonical form; everything else becomes an ``inf.Dec`` rounded *up* (away from zero) to nano, with
  BinarySI values capped at 2^63-1 and BinarySI values in (0, 1) switched to DecimalSI.
* ``String()``/``CanonicalizeBytes``: mantissa/exponent normalised to an exponent that is a multiple of
  3 (decimal) or of 10 (binary); a decimal exponent with no SI suffix prints no suffix at all
  (upstream quirk, reproduced).
* protobuf round trip (the API-server decode path): ``ParseQuantity(q.String())``.
"""

from __future__ import annotations

from typing import Any

from kubehash.errors import QuantityError
from kubehash.limits import MAX_QUANTITY_CHARS

__all__ = [
    "BINARY_SI",
    "DECIMAL_EXPONENT",
    "DECIMAL_SI",
    "Quantity",
    "QuantityError",
    "canonical_string",
    "parse_quantity",
    "round_up",
]

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


class Quantity:
    """The Go value: ``i`` = (``value``, ``scale``), ``d`` = ``dec`` (``None`` or (unscaled, scale)),
    the cached string ``s`` and ``format``. Instances are immutable by convention."""

    __slots__ = ("dec", "format", "s", "scale", "value")

    def __init__(
        self,
        value: int = 0,
        scale: int = 0,
        dec: tuple[int, int] | None = None,
        s: str = "",
        format: str = "",
    ) -> None:
        self.value = value
        self.scale = scale
        self.dec = dec
        self.s = s
        self.format = format

    def __repr__(self) -> str:
        return f"Quantity(value={self.value}, scale={self.scale}, dec={self.dec}, s={self.s!r}, format={self.format!r})"

    def __eq__(self, other: object) -> bool:
        """Equality of the *internal form* (what the struct-era hash sees), not of the amount."""
        if not isinstance(other, Quantity):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[Any, ...]:
        return (self.value, self.scale, self.dec, self.s, self.format)

    # -- amount ----------------------------------------------------------------------------------
    def as_fraction(self) -> tuple[int, int]:
        """The amount as (numerator, 10-power denominator exponent): value == n * 10**-k."""
        if self.dec is not None:
            return self.dec
        return self.value, -self.scale

    def is_zero(self) -> bool:
        return (self.dec[0] if self.dec is not None else self.value) == 0

    def string(self) -> str:
        """Go ``q.String()``: the cached ``s`` if set, else the canonical form."""
        return self.s if self.s else canonical_string(self)

    def marshal_json(self) -> str:
        """Go ``q.MarshalJSON()`` (value receiver, so the cache is not written)."""
        return '"' + self.string() + '"'

    def protobuf_roundtrip(self) -> Quantity:
        """What the kubelet holds after the API server's protobuf round trip."""
        return parse_quantity(self.string())

    # -- spew ---------------------------------------------------------------------------------------
    def spew_body(self) -> str:
        if self.dec is None:
            d = "<nil>"
        else:
            unscaled, dscale = self.dec
            mag = -unscaled if unscaled < 0 else unscaled
            if mag == 0:
                words = "<nil>"
            else:
                ws = []
                while mag:
                    ws.append(str(mag & 0xFFFFFFFFFFFFFFFF))
                    mag >>= 64
                words = "[" + " ".join(ws) + "]"
            neg = "true" if unscaled < 0 else "false"
            d = f"{{unscaled:(big.Int){{neg:(bool){neg} abs:(big.nat){words}}} scale:(inf.Scale){dscale}}}"
        return (
            f"{{i:(resource.int64Amount){{value:(int64){self.value} scale:(resource.Scale){self.scale}}}"
            f" d:(resource.infDecAmount){{Dec:(*inf.Dec){d}}} s:(string){self.s}"
            f" Format:(resource.Format){self.format}}}"
        )


# ---- parsing ------------------------------------------------------------------------------------

_DIGITS = frozenset("0123456789")
_SUFFIX_LETTERS = frozenset("eEinumkKMGTP")
_DEC_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_BIN_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DEC_EXP_TO_SUFFIX = {v: k for k, v in _DEC_SUFFIXES.items()}
_BIN_EXP_TO_SUFFIX = {v: k for k, v in _BIN_SUFFIXES.items()}


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


def parse_quantity(s: str) -> Quantity:
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


# ---- canonical form -----------------------------------------------------------------------------


def _cmp_dec(a: tuple[int, int], b: tuple[int, int]) -> int:
    """Compare a = ua * 10**-sa with b = ub * 10**-sb exactly."""
    (ua, sa), (ub, sb) = a, b
    if sa > sb:
        ub *= 10 ** (sa - sb)
    elif sb > sa:
        ua *= 10 ** (sb - sa)
    return (ua > ub) - (ua < ub)


def _remove_factors(value: int, base: int) -> tuple[int, int]:
    """``removeInt64Factors`` / ``removeBigIntFactors``: strip ``base`` factors, count them."""
    if value == 0:
        return 0, 0
    negative = value < 0
    mag = -value if negative else value
    times = 0
    while mag % base == 0:
        mag //= base
        times += 1
    return (-mag if negative else mag), times


def _fits_int64(v: int) -> bool:
    return INT64_MIN <= v <= INT64_MAX


def _dec_canonical(unscaled: int, dscale: int) -> tuple[str, int]:
    """``infDecAmount.AsCanonicalBytes``."""
    amount, times = _remove_factors(unscaled, 10)
    exponent = _wrap32(-dscale + times)
    r = exponent % 3
    if r:
        amount *= 10**r
        exponent -= r
    return str(amount), exponent


def _int_canonical(value: int, scale: int) -> tuple[str, int]:
    """``int64Amount.AsCanonicalBytes`` (falls back to the Dec form on overflow)."""
    amount, times = _remove_factors(value, 10)
    exponent = _wrap32(scale + times)
    r = exponent % 3
    if r:
        if amount not in (0, 1) and not _fits_int64(amount * 10**r):
            return _dec_canonical(value, -scale)
        amount *= 10**r
        exponent -= r
    return str(amount), exponent


def _round_away_scale0(q: Quantity) -> tuple[tuple[str, int | tuple[int, int]], bool]:
    """``q.AsScale(0)``: (rounded CanonicalValue, exact). Values are tagged 'i' or 'd'."""
    if q.dec is not None:
        unscaled, dscale = q.dec
        mag = -unscaled if unscaled < 0 else unscaled
        rounded = _round_up(mag, dscale, 0)
        rounded = -rounded if unscaled < 0 else rounded
        return ("d", (rounded, 0)), _cmp_dec((rounded, 0), q.dec) == 0
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
            if not _fits_int64(value):
                return _dec_base1024(v, -sc)
        amount, exponent = _remove_factors(value, 1024)
        return str(amount), exponent
    return _dec_base1024(v, sc)


def _dec_base1024(unscaled: int, dscale: int) -> tuple[str, int]:
    mag = -unscaled if unscaled < 0 else unscaled
    r = _round_up(mag, dscale, 0)
    amount, exponent = _remove_factors(-r if unscaled < 0 else r, 1024)
    return str(amount), exponent


def _cmp_int64(q: Quantity, y: int) -> int:
    return _cmp_dec(q.as_fraction(), (y, 0))


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


# ---- rounding -----------------------------------------------------------------------------------


def round_up(q: Quantity, scale: int) -> tuple[Quantity, bool]:
    """Go ``(*Quantity).RoundUp(scale)`` (apimachinery 1.8-1.36, unchanged): the rounded quantity and
    whether it was exact.

    An ``inf.Dec`` value is always rewritten to exactly ``-scale`` decimal places (away from zero) and its
    cached string cleared; an ``int64Amount`` already at ``scale`` or coarser is returned untouched (cached
    string kept), a finer one is divided down, rounding away from zero (``negativeScaleInt64``), and loses
    its cached string. The API server calls this with ``scale=-3`` on every resource list
    (``SetDefaults_ResourceList``).
    """
    if q.dec is not None:
        unscaled, dscale = q.dec
        target = -scale
        mag = _round_up(-unscaled if unscaled < 0 else unscaled, dscale, target)
        dec = (-mag if unscaled < 0 else mag, target)
        return Quantity(q.value, q.scale, dec, "", q.format), _cmp_dec(dec, q.dec) == 0
    if q.scale >= scale:
        return q, True
    mag, rem = divmod(-q.value if q.value < 0 else q.value, 10 ** (scale - q.scale))
    if rem:
        mag += 1
    return Quantity(-mag if q.value < 0 else mag, scale, None, "", q.format), rem == 0
