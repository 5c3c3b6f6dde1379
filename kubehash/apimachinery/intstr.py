"""``intstr.IntOrString`` from ``k8s.io/apimachinery/pkg/util/intstr``.

``{Type, IntVal int32, StrVal string}``; ``Type`` is ``Int`` (0) or ``String`` (1) (a Go ``int`` up to
1.15, ``int64`` from 1.16 -- spew prints both as ``(intstr.Type)N``). ``UnmarshalJSON`` picks ``String``
when the JSON text starts with a quote, otherwise ``Int`` and decodes an int32 (``null`` leaves zero).
``MarshalJSON`` writes the int or the quoted string.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["INT", "STRING", "IntOrString"]

INT = 0
STRING = 1


class IntOrString(NamedTuple):
    type: int = INT
    int_val: int = 0
    str_val: str = ""

    def spew_body(self) -> str:
        return f"{{Type:(intstr.Type){self.type} IntVal:(int32){self.int_val} StrVal:(string){self.str_val}}}"

    def __str__(self) -> str:
        return self.str_val if self.type == STRING else str(self.int_val)
