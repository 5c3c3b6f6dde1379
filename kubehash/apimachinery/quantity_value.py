"""The ``resource.Quantity`` value as Go holds it, and ``(*Quantity).RoundUp`` (apimachinery 1.8-1.36, unchanged).

The struct-era hash dumps the Quantity's *internal* fields (``i`` int64Amount, ``d`` inf.Dec, the cached string
``s``, ``Format``), so :class:`Quantity` keeps exactly those, and :meth:`Quantity.spew_body` prints them as
go-spew does.
"""

from __future__ import annotations

from typing import Any

from kubehash.apimachinery.infdec import cmp_dec, round_up_dec
from kubehash.apimachinery.quantity_format import canonical_string

__all__ = ["Quantity", "round_up"]


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
        """What the kubelet holds after the API server's protobuf round trip: ``ParseQuantity(q.String())``."""
        # The parser builds Quantity values, so it is imported here rather than at the top (no import cycle).
        from kubehash.apimachinery.quantity_parse import parse_quantity

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
        mag = round_up_dec(-unscaled if unscaled < 0 else unscaled, dscale, target)
        dec = (-mag if unscaled < 0 else mag, target)
        return Quantity(q.value, q.scale, dec, "", q.format), cmp_dec(dec, q.dec) == 0
    if q.scale >= scale:
        return q, True
    mag, rem = divmod(-q.value if q.value < 0 else q.value, 10 ** (scale - q.scale))
    if rem:
        mag += 1
    return Quantity(-mag if q.value < 0 else mag, scale, None, "", q.format), rem == 0
