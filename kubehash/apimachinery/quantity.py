"""``resource.Quantity`` from ``k8s.io/apimachinery/pkg/api/resource``, reproduced exactly: the one import for it.

Why hand-written: the struct-era hash dumps the Quantity's *internal* fields (``i`` int64Amount, ``d``
inf.Dec, the cached string ``s``, ``Format``), so the exact internal form Go's ``ParseQuantity`` builds
for each spelling, and the canonical string ``String()``/``MarshalJSON`` produce, decide the hash. No
Python library models that. Arithmetic is done with Python ``int`` (exact); floats are never used.

The parsing and canonicalisation code is identical from apimachinery 1.8 to 1.36 (checked tag by tag;
only helpers unrelated to parsing or formatting were added), so one implementation serves every minor.
It is split by job:

* :mod:`~kubehash.apimachinery.quantity_value`: the :class:`Quantity` value (its internal fields, go-spew
  form, ``String()``, ``MarshalJSON``, the protobuf round trip ``ParseQuantity(q.String())``) and
  ``RoundUp`` (:func:`round_up`);
* :mod:`~kubehash.apimachinery.quantity_parse`: ``ParseQuantity`` (:func:`parse_quantity`);
* :mod:`~kubehash.apimachinery.quantity_format`: the formats and the canonical string
  (:func:`canonical_string`);
* :mod:`~kubehash.apimachinery.infdec`: the int64/int32 and ``inf.Dec`` arithmetic they share.
"""

from __future__ import annotations

from kubehash.apimachinery.infdec import INT64_MAX, INT64_MIN
from kubehash.apimachinery.quantity_format import BINARY_SI, DECIMAL_EXPONENT, DECIMAL_SI, canonical_string
from kubehash.apimachinery.quantity_parse import ERR_FORMAT_WRONG, ERR_NUMERIC, ERR_SUFFIX, parse_quantity
from kubehash.apimachinery.quantity_value import Quantity, round_up
from kubehash.errors import QuantityError

__all__ = [
    "BINARY_SI",
    "DECIMAL_EXPONENT",
    "DECIMAL_SI",
    "ERR_FORMAT_WRONG",
    "ERR_NUMERIC",
    "ERR_SUFFIX",
    "INT64_MAX",
    "INT64_MIN",
    "Quantity",
    "QuantityError",
    "canonical_string",
    "parse_quantity",
    "round_up",
]
