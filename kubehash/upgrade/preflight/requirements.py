"""Node selector requirements and how one is matched against a node's labels and fields, as
``k8s.io/apimachinery`` ``labels.NewRequirement`` validates them and ``nodeaffinity`` matches them (see
:mod:`kubehash.upgrade.preflight.selectors` for the rules reproduced)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = [
    "FIELD_OPERATORS",
    "OPERATORS",
    "NodeAffinity",
    "Requirement",
    "Term",
    "go_parse_int64",
    "matches",
    "term_matches",
]

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
FIELD_OPERATORS = ("In", "NotIn")

_INT64 = re.compile(r"^[+-]?[0-9]+$")
_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
_NAME_RE = re.compile(f"^{_NAME}$")
_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = re.compile(rf"^{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*$")
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def go_parse_int64(text: str) -> int | None:
    """Go ``strconv.ParseInt(text, 10, 64)``: optional sign, ASCII digits, int64 range; else ``None``."""
    if not _INT64.match(text):
        return None
    v = int(text)
    return v if INT64_MIN <= v <= INT64_MAX else None


def _valid_label_key(key: str) -> bool:
    """apimachinery ``validation.IsQualifiedName``: ``[prefix/]name``, name <= 63, prefix a DNS subdomain."""
    prefix, slash, name = key.rpartition("/")
    if slash and (not prefix or len(prefix) > 253 or not _DNS1123_SUBDOMAIN.match(prefix)):
        return False
    return 0 < len(name) <= 63 and bool(_NAME_RE.match(name))


def _valid_label_value(value: str) -> bool:
    """apimachinery ``validation.IsValidLabelValue``: empty, or <= 63 of ``[A-Za-z0-9_.-]`` with alnum ends."""
    return value == "" or (len(value) <= 63 and bool(_NAME_RE.match(value)))


@dataclass(frozen=True)
class Requirement:
    """One ``NodeSelectorRequirement`` (``is_field``: from ``matchFields``)."""

    key: str
    operator: str
    values: tuple[str, ...] = ()
    is_field: bool = False

    def error(self) -> str | None:
        """Why ``labels.NewRequirement`` / the field-selector conversion rejects this, or ``None``."""
        if self.is_field:
            if self.operator not in FIELD_OPERATORS:
                return f"matchFields operator {self.operator!r} not supported (only In, NotIn)"
            if len(self.values) != 1:
                return f"matchFields {self.operator} needs exactly one value"
            return None
        if self.operator not in OPERATORS:
            return f"operator {self.operator!r} not supported"
        if not _valid_label_key(self.key):
            return f"invalid label key {self.key!r}"
        if self.operator in ("In", "NotIn") and not self.values:
            return f"{self.operator} needs at least one value"
        if self.operator in ("Exists", "DoesNotExist") and self.values:
            return f"{self.operator} takes no values"
        if self.operator in ("Gt", "Lt"):
            if len(self.values) != 1:
                return f"{self.operator} needs exactly one value"
            if go_parse_int64(self.values[0]) is None:
                return f"{self.operator} value {self.values[0]!r} is not an integer"
            return None
        for v in self.values:
            if not _valid_label_value(v):
                return f"invalid label value {v!r}"
        return None

    def holds(self, labels: Mapping[str, str]) -> bool:
        """Whether a node with these labels (or, for a field requirement, these fields) satisfies it."""
        present = self.key in labels
        value = labels.get(self.key, "")
        op = self.operator
        if self.is_field:
            return (value == self.values[0]) if op == "In" else (value != self.values[0])
        if op == "In":
            return present and value in self.values
        if op == "NotIn":
            return not present or value not in self.values
        if op == "Exists":
            return present
        if op == "DoesNotExist":
            return not present
        if not present:
            return False
        have, bound = go_parse_int64(value), go_parse_int64(self.values[0])
        if have is None or bound is None:
            return False
        return have > bound if op == "Gt" else have < bound

    def describe(self) -> str:
        where = "field " if self.is_field else ""
        if self.operator in ("Exists", "DoesNotExist"):
            return f"{where}{self.key} {self.operator}"
        return f"{where}{self.key} {self.operator} [{', '.join(self.values)}]"


@dataclass(frozen=True)
class Term:
    """One ``NodeSelectorTerm``: expressions and fields ANDed; ``errors`` make it match nothing."""

    expressions: tuple[Requirement, ...] = ()
    fields: tuple[Requirement, ...] = ()
    index: int = 0
    errors: tuple[str, ...] = field(default=())

    @property
    def empty(self) -> bool:
        return not self.expressions and not self.fields


@dataclass(frozen=True)
class NodeAffinity:
    """What the kubelet checks: ``node_selector`` and, if the pod has required affinity, its ``terms``
    (``None``: no required affinity; ``()``: required affinity that selects nothing)."""

    node_selector: Mapping[str, str]
    terms: tuple[Term, ...] | None = None

    @property
    def constrained(self) -> bool:
        return bool(self.node_selector) or self.terms is not None


def node_fields(node_name: str | None) -> dict[str, str]:
    """The node fields a ``matchFields`` requirement can name: ``metadata.name`` (none for a nameless node)."""
    return {"metadata.name": node_name} if node_name else {}


def term_matches(term: Term, labels: Mapping[str, str], node_name: str | None) -> bool:
    if term.errors or term.empty:
        return False
    if not all(r.holds(labels) for r in term.expressions):
        return False
    fields = node_fields(node_name)
    return not (term.fields and fields and not all(r.holds(fields) for r in term.fields))


def matches(affinity: NodeAffinity, labels: Mapping[str, str], node_name: str | None = None) -> bool:
    """``RequiredNodeAffinity.Match``: the node selector, then any term."""
    if any(k not in labels or labels[k] != v for k, v in affinity.node_selector.items()):
        return False
    if affinity.terms is None:
        return True
    return any(term_matches(t, labels, node_name) for t in affinity.terms)
