"""Taints and tolerations as the NoExecute taint manager evaluates them, and the tolerations the
``DefaultTolerationSeconds`` admission plugin and the DaemonSet controller add.

Reproduced from upstream:

* ``Toleration.ToleratesTaint`` (``k8s.io/api/core/v1/toleration.go``): a non-empty ``effect`` must equal
  the taint's; a non-empty ``key`` must equal the taint's (an empty key needs ``Exists``: it tolerates
  every key); operator ``""``/``Equal`` compares values, ``Exists`` matches any value; ``Lt``/``Gt``
  (feature gate ``TaintTolerationComparisonOperators``, alpha and off by default in 1.35) compare both
  values as canonical decimal int64s and otherwise never match; any other operator never matches.
* ``GetMatchingTolerations`` + ``getMinTolerationTime`` (``pkg/controller/tainteviction``, formerly
  ``nodelifecycle/scheduler/taint_manager.go``): every NoExecute taint of the node must be tolerated, each
  by the *first* toleration in the pod's list that tolerates it, or the pod is deleted at once; of the
  tolerations used, the smallest ``tolerationSeconds`` is the delay, ``<= 0`` means at once and no
  ``tolerationSeconds`` at all means never.
* ``DefaultTolerationSeconds`` (``plugin/pkg/admission/defaulttolerationseconds``), on pod create *and
  update*: unless some toleration has key ``node.kubernetes.io/not-ready`` (or an empty key) with effect
  ``NoExecute`` (or empty), it appends ``not-ready:NoExecute Exists`` for 300 s; the same for
  ``unreachable``. It looks only at key and effect: a toleration with the right key but a wrong value or
  operator blocks the default without tolerating the taint.
* The DaemonSet controller (``pkg/controller/daemon/util.AddOrUpdateDaemonPodTolerations``) gives every
  daemon pod ``not-ready`` and ``unreachable`` NoExecute tolerations without ``tolerationSeconds``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubehash.errors import FieldError

__all__ = [
    "DAEMONSET_TOLERATIONS",
    "NOT_READY",
    "UNREACHABLE",
    "Taint",
    "Toleration",
    "admit_default_tolerations",
    "eviction_delay",
    "matching_tolerations",
    "parse_taints",
    "parse_tolerations",
]

NOT_READY = "node.kubernetes.io/not-ready"
UNREACHABLE = "node.kubernetes.io/unreachable"
NO_EXECUTE = "NoExecute"

_DECIMAL = re.compile(r"^(0|-?[1-9][0-9]*)$")


@dataclass(frozen=True)
class Taint:
    key: str
    effect: str
    value: str = ""

    def describe(self) -> str:
        return f"{self.key}{'=' + self.value if self.value else ''}:{self.effect}"


@dataclass(frozen=True)
class Toleration:
    key: str = ""
    operator: str = ""
    value: str = ""
    effect: str = ""
    seconds: int | None = None

    def tolerates(self, taint: Taint, *, comparison_operators: bool = False) -> bool:
        """``Toleration.ToleratesTaint``."""
        if self.effect and self.effect != taint.effect:
            return False
        if self.key and self.key != taint.key:
            return False
        if self.operator in ("", "Equal"):
            return self.value == taint.value
        if self.operator == "Exists":
            return True
        if self.operator in ("Lt", "Gt"):
            if not comparison_operators:
                return False
            if not (_DECIMAL.match(self.value) and _DECIMAL.match(taint.value)):
                return False
            mine, theirs = int(self.value), int(taint.value)
            if not (-(2**63) <= mine < 2**63 and -(2**63) <= theirs < 2**63):
                return False
            return theirs < mine if self.operator == "Lt" else theirs > mine
        return False

    def describe(self) -> str:
        op = self.operator or "Equal"
        what = f"{self.key or '*'} {op}{' ' + self.value if op != 'Exists' else ''}"
        secs = "" if self.seconds is None else f" for {self.seconds}s"
        return f"{what}:{self.effect or '*'}{secs}"

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in (("key", self.key), ("operator", self.operator), ("value", self.value), ("effect", self.effect)):
            if v:
                out[k] = v
        if self.seconds is not None:
            out["tolerationSeconds"] = self.seconds
        return out


#: What the DaemonSet controller adds to every pod it creates.
DAEMONSET_TOLERATIONS = (
    Toleration(NOT_READY, "Exists", "", NO_EXECUTE),
    Toleration(UNREACHABLE, "Exists", "", NO_EXECUTE),
)


def _str(d: Mapping[str, Any], key: str, path: str) -> str:
    v = d.get(key)
    if v is None:
        return ""
    if not isinstance(v, str):
        raise FieldError(f"{path}.{key}", f"must be a string, not {type(v).__name__}")
    return v


def _objects(raw: Any, path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(path of the item, item)`` for each object of a JSON list (``null``: none); anything else is a
    :class:`FieldError` naming where."""
    if raw is None:
        return
    if not isinstance(raw, list):
        raise FieldError(path, "must be a list")
    for i, t in enumerate(raw):
        p = f"{path}[{i}]"
        if not isinstance(t, Mapping):
            raise FieldError(p, "must be an object")
        yield p, t


def parse_tolerations(raw: Any, path: str = "$.spec.tolerations") -> tuple[Toleration, ...]:
    """A pod's ``spec.tolerations``; :class:`FieldError` on wrong JSON types."""
    out = []
    for p, t in _objects(raw, path):
        secs = t.get("tolerationSeconds")
        if secs is not None and (isinstance(secs, bool) or not isinstance(secs, int)):
            raise FieldError(f"{p}.tolerationSeconds", f"must be an integer, not {secs!r}")
        out.append(
            Toleration(_str(t, "key", p), _str(t, "operator", p), _str(t, "value", p), _str(t, "effect", p), secs)
        )
    return tuple(out)


def parse_taints(raw: Any, path: str = "$.spec.taints") -> tuple[Taint, ...]:
    """A node's ``spec.taints``; :class:`FieldError` on wrong JSON types."""
    return tuple(Taint(_str(t, "key", p), _str(t, "effect", p), _str(t, "value", p)) for p, t in _objects(raw, path))


def matching_tolerations(
    taints: Sequence[Taint], tolerations: Sequence[Toleration], *, comparison_operators: bool = False
) -> tuple[list[Taint], list[Toleration]]:
    """``GetMatchingTolerations``: (taints no toleration tolerates, the first tolerating toleration of each
    tolerated taint)."""
    untolerated: list[Taint] = []
    used: list[Toleration] = []
    for taint in taints:
        for tol in tolerations:
            if tol.tolerates(taint, comparison_operators=comparison_operators):
                used.append(tol)
                break
        else:
            untolerated.append(taint)
    return untolerated, used


def eviction_delay(
    taints: Sequence[Taint], tolerations: Sequence[Toleration], *, comparison_operators: bool = False
) -> int | None:
    """Seconds until the taint manager deletes a pod on a node with these taints: ``0`` at once,
    ``None`` never (only NoExecute taints count)."""
    noexec = [t for t in taints if t.effect == NO_EXECUTE]
    if not noexec:
        return None
    untolerated, used = matching_tolerations(noexec, tolerations, comparison_operators=comparison_operators)
    if untolerated or not used:
        return 0
    bounded = [t.seconds for t in used if t.seconds is not None]
    if any(s <= 0 for s in bounded):
        return 0
    return min(bounded) if bounded else None


def _blocks_default(tol: Toleration, key: str) -> bool:
    return (tol.key == key or tol.key == "") and tol.effect in (NO_EXECUTE, "")


def admit_default_tolerations(
    tolerations: Sequence[Toleration], *, not_ready_seconds: int = 300, unreachable_seconds: int = 300
) -> tuple[Toleration, ...]:
    """The tolerations after ``DefaultTolerationSeconds`` admitted a create or update of the pod."""
    out = list(tolerations)
    for key, secs in ((NOT_READY, not_ready_seconds), (UNREACHABLE, unreachable_seconds)):
        if not any(_blocks_default(t, key) for t in tolerations):
            out.append(Toleration(key, "Exists", "", NO_EXECUTE, secs))
    return tuple(out)
