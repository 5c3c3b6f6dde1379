"""``k8s.io/apimachinery`` value types kubehash reproduces exactly: ``resource.Quantity`` and
``intstr.IntOrString``."""

from kubehash.apimachinery.intstr import IntOrString
from kubehash.apimachinery.quantity import Quantity, parse_quantity
from kubehash.errors import QuantityError

__all__ = ["IntOrString", "Quantity", "QuantityError", "parse_quantity"]
