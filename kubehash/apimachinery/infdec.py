"""The fixed-width and ``gopkg.in/inf.v0`` arithmetic ``resource.Quantity`` relies on, exactly, on Python ints.

Go's ``int64``/``int32`` bounds and wrap-around, and the few ``inf.Dec`` operations apimachinery 1.8-1.36 uses
on a quantity (``Round`` away from zero, ``Cmp``, stripping factors of 10 or 1024). An ``inf.Dec`` is held as
``(unscaled, scale)``: the value ``unscaled * 10**-scale``. Floats are never used.
"""

from __future__ import annotations

from kubehash.errors import QuantityError

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "MAX_EXACT_EXPONENT",
    "cmp_dec",
    "fits_int64",
    "remove_factors",
    "round_up_dec",
    "wrap32",
]

INT64_MAX = (1 << 63) - 1
INT64_MIN = -(1 << 63)
#: Exponents beyond this make Go allocate gigantic big.Ints (the kubelet would stall); kubehash refuses.
MAX_EXACT_EXPONENT = 100_000


def wrap32(x: int) -> int:
    """Go ``int32`` arithmetic wraps around."""
    return (x + (1 << 31)) % (1 << 32) - (1 << 31)


def fits_int64(v: int) -> bool:
    """Whether ``v`` is a Go ``int64``."""
    return INT64_MIN <= v <= INT64_MAX


def round_up_dec(unscaled: int, scale: int, target: int) -> int:
    """``inf.Dec.Round(x, target, inf.RoundUp)`` for a non-negative value: the new unscaled."""
    if scale <= target:
        if target - scale > MAX_EXACT_EXPONENT:
            raise QuantityError("quantity exponent too large for kubehash to reproduce")
        factor: int = 10 ** (target - scale)
        return unscaled * factor
    shift = scale - target
    if shift > len(str(unscaled)) + 1:
        return 1 if unscaled else 0
    unit: int = 10**shift
    q, r = divmod(unscaled, unit)
    return q + (1 if r else 0)


def cmp_dec(a: tuple[int, int], b: tuple[int, int]) -> int:
    """``inf.Dec.Cmp``: compare a = ua * 10**-sa with b = ub * 10**-sb exactly (-1, 0 or 1)."""
    (ua, sa), (ub, sb) = a, b
    if sa > sb:
        ub *= 10 ** (sa - sb)
    elif sb > sa:
        ua *= 10 ** (sb - sa)
    return (ua > ub) - (ua < ub)


def remove_factors(value: int, base: int) -> tuple[int, int]:
    """``removeInt64Factors`` / ``removeBigIntFactors``: strip ``base`` factors, count them."""
    if value == 0:
        return 0, 0
    negative = value < 0
    mag = -value if negative else value
    # Square the divisor while it still divides (base, base**2, base**4, ...), then divide by those powers
    # from the largest down: O(log n) big-int divisions instead of one per factor, which took seconds for a
    # materialised inf.Dec such as "1234567890123456789e+99990". Same result as Go's one-at-a-time loop.
    powers: list[tuple[int, int]] = []
    power, count = base, 1
    while mag % power == 0:
        powers.append((power, count))
        power, count = power * power, count * 2
    times = 0
    for power, count in reversed(powers):
        quotient, remainder = divmod(mag, power)
        if remainder == 0:
            mag = quotient
            times += count
    return (-mag if negative else mag), times
