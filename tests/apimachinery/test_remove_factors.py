"""``remove_factors`` strips factors by squaring powers; it must equal Go's one-factor-at-a-time loop."""

from hypothesis import given
from hypothesis import strategies as st

from kubehash.apimachinery.infdec import remove_factors
from kubehash.apimachinery.quantity import canonical_string, parse_quantity


def one_at_a_time(value: int, base: int) -> tuple[int, int]:
    if value == 0:
        return 0, 0
    mag, times = abs(value), 0
    while mag % base == 0:
        mag //= base
        times += 1
    return (-mag if value < 0 else mag), times


@given(st.integers(-(10**30), 10**30), st.sampled_from([10, 1024]), st.integers(0, 300))
def test_same_as_the_loop(mantissa: int, base: int, exponent: int) -> None:
    value = mantissa * base**exponent
    assert remove_factors(value, base) == one_at_a_time(value, base)


def test_huge_exponent() -> None:
    """A 19-digit mantissa near the exponent cap (once ~100,000 big-int divisions, seconds per quantity)."""
    assert canonical_string(parse_quantity("1234567890123456789e+99990")) == "1234567890123456789e99990"
