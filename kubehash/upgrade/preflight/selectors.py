"""Node selection as the kubelet re-checks it on admission: ``spec.nodeSelector`` plus required node
affinity, and the smallest label change that would make a node match.

Reproduces ``k8s.io/component-helpers/scheduling/corev1/nodeaffinity`` (``GetRequiredNodeAffinity``,
``LazyErrorNodeSelector``; the same rules lived in ``pkg/scheduler/algorithm/predicates`` before 1.18):

* ``nodeSelector``: every ``key: value`` must be a node label with exactly that value;
* ``requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms``: terms are ORed, the requirements
  of a term ANDed; a term with neither ``matchExpressions`` nor ``matchFields`` selects nothing, and so does
  an empty term list;
* a term whose requirement fails ``labels.NewRequirement`` (unknown operator, ``In`` without values,
  ``Exists`` with values, ``Gt``/``Lt`` without exactly one base-10 int64, a bad key or value) never
  matches (the error stays lazy: other terms can still match; kubelets before 1.11 stopped at it instead,
  which :mod:`kubehash.upgrade.preflight.checks` models by cutting the term list there);
* ``Gt``/``Lt`` compare the node's label value parsed as a base-10 int64 (Go ``strconv.ParseInt``);
  a missing or non-numeric label fails;
* ``matchFields`` supports only ``In``/``NotIn`` with exactly one value, on the node's fields
  (``metadata.name``, absent when the node has no name, in which case field requirements are skipped).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubehash.errors import FieldError

__all__ = [
    "LabelFix",
    "NodeAffinity",
    "Requirement",
    "Term",
    "label_fix",
    "matches",
    "parse_affinity",
]

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt")
FIELD_OPERATORS = ("In", "NotIn")

_INT64 = re.compile(r"^[+-]?[0-9]+$")
_NAME = r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
_NAME_RE = re.compile(f"^{_NAME}$")
_DNS1123_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN = re.compile(rf"^{_DNS1123_LABEL}(\.{_DNS1123_LABEL})*$")
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def go_parse_int64(text: str) -> int | None:
    """Go ``strconv.ParseInt(text, 10, 64)``: optional sign, ASCII digits, int64 range; else ``None``."""
    if not _INT64.match(text):
        return None
    v = int(text)
    return v if _INT64_MIN <= v <= _INT64_MAX else None


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


def _node_fields(node_name: str | None) -> dict[str, str]:
    return {"metadata.name": node_name} if node_name else {}


def term_matches(term: Term, labels: Mapping[str, str], node_name: str | None) -> bool:
    if term.errors or term.empty:
        return False
    if not all(r.holds(labels) for r in term.expressions):
        return False
    fields = _node_fields(node_name)
    return not (term.fields and fields and not all(r.holds(fields) for r in term.fields))


def matches(affinity: NodeAffinity, labels: Mapping[str, str], node_name: str | None = None) -> bool:
    """``RequiredNodeAffinity.Match``: the node selector, then any term."""
    if any(k not in labels or labels[k] != v for k, v in affinity.node_selector.items()):
        return False
    if affinity.terms is None:
        return True
    return any(term_matches(t, labels, node_name) for t in affinity.terms)


# --- decoding from pod JSON ------------------------------------------------------------------------------


def _str_list(v: Any, path: str) -> tuple[str, ...]:
    if v is None:
        return ()
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise FieldError(path, "must be a list of strings")
    return tuple(v)


def _requirements(v: Any, path: str, *, is_field: bool) -> tuple[Requirement, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        raise FieldError(path, "must be a list")
    out = []
    for i, r in enumerate(v):
        p = f"{path}[{i}]"
        if not isinstance(r, Mapping):
            raise FieldError(p, "must be an object")
        key, op = r.get("key", ""), r.get("operator", "")
        if not isinstance(key, str):
            raise FieldError(f"{p}.key", "must be a string")
        if not isinstance(op, str):
            raise FieldError(f"{p}.operator", "must be a string")
        out.append(Requirement(key, op, _str_list(r.get("values"), f"{p}.values"), is_field))
    return tuple(out)


def parse_affinity(spec: Mapping[str, Any], path: str = "$.spec") -> NodeAffinity:
    """The kubelet-relevant node selection of a pod spec; :class:`FieldError` on wrong types."""
    ns = spec.get("nodeSelector")
    if ns is None:
        ns = {}
    if not isinstance(ns, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in ns.items()):
        raise FieldError(f"{path}.nodeSelector", "must be a map of strings to strings")
    terms: tuple[Term, ...] | None = None
    required: Mapping[str, Any] | None = None
    node: Any = spec
    for key in ("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"):
        path = f"{path}.{key}"
        node = node.get(key)
        if node is None:
            break
        if not isinstance(node, Mapping):
            raise FieldError(path, "must be an object")
    else:
        required = node
    if required is not None:
        raw = required.get("nodeSelectorTerms")
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            raise FieldError(f"{path}.nodeSelectorTerms", "must be a list")
        parsed = []
        for i, t in enumerate(raw):
            tp = f"{path}.nodeSelectorTerms[{i}]"
            if t is None:
                t = {}
            if not isinstance(t, Mapping):
                raise FieldError(tp, "must be an object")
            exprs = _requirements(t.get("matchExpressions"), f"{tp}.matchExpressions", is_field=False)
            fields = _requirements(t.get("matchFields"), f"{tp}.matchFields", is_field=True)
            errors = tuple(e for r in (*exprs, *fields) if (e := r.error()) is not None)
            parsed.append(Term(exprs, fields, i, errors))
        terms = tuple(parsed)
    return NodeAffinity(dict(ns), terms)


# --- the smallest label change ---------------------------------------------------------------------------

_ABSENT = None


@dataclass(frozen=True)
class LabelFix:
    """Labels to set (``key=value``) and to remove (``key-``) on the node; ``term`` is the affinity term the
    fix satisfies (``None`` when the pod has no required affinity)."""

    set: Mapping[str, str]
    remove: tuple[str, ...]
    term: int | None = None

    @property
    def changes(self) -> int:
        return len(self.set) + len(self.remove)

    def apply(self, labels: Mapping[str, str]) -> dict[str, str]:
        out = {k: v for k, v in labels.items() if k not in self.remove}
        out.update(self.set)
        return out

    def kubectl(self, node: str) -> str:
        args = [f"{k}={v}" for k, v in sorted(self.set.items())] + [f"{k}-" for k in self.remove]
        overwrite = " --overwrite" if self.set else ""
        return f"kubectl label node {shlex.quote(node)} {' '.join(shlex.quote(a) for a in args)}{overwrite}"


def _key_candidates(current: str | None, reqs: Sequence[Requirement], pinned: str | None) -> list[str | None]:
    cands: list[str | None] = [current, _ABSENT]
    if pinned is not None:
        cands.append(pinned)
    for r in reqs:
        if r.operator == "In":
            cands.extend(r.values)
        elif r.operator in ("Gt", "Lt"):
            bound = go_parse_int64(r.values[0]) if r.values else None
            if bound is not None:
                step = bound + 1 if r.operator == "Gt" else bound - 1
                if _INT64_MIN <= step <= _INT64_MAX:
                    cands.append(str(step))
    cands.append("")
    n_excluded = sum(len(r.values) for r in reqs)
    cands.extend(f"v{i}" for i in range(n_excluded + 1))
    return cands


def _term_fix(
    affinity: NodeAffinity, term: Term | None, labels: Mapping[str, str], node_name: str | None
) -> LabelFix | None:
    if term is not None:
        if term.errors or term.empty:
            return None
        fields = _node_fields(node_name)
        if term.fields and fields and not all(r.holds(fields) for r in term.fields):
            return None  # a node's name is not a label: no label change helps
    reqs = term.expressions if term is not None else ()
    keys = list(dict.fromkeys([*affinity.node_selector, *(r.key for r in reqs)]))
    to_set: dict[str, str] = {}
    to_remove: list[str] = []
    for key in keys:
        key_reqs = [r for r in reqs if r.key == key]
        pinned = affinity.node_selector.get(key)
        current = labels.get(key) if key in labels else _ABSENT
        for cand in _key_candidates(current, key_reqs, pinned):
            probe = {} if cand is _ABSENT else {key: cand}
            if pinned is not None and probe.get(key) != pinned:
                continue
            if all(r.holds(probe) for r in key_reqs):
                break
        else:
            return None
        if cand == current:
            continue
        if cand is _ABSENT:
            to_remove.append(key)
        else:
            to_set[key] = cand
    return LabelFix(to_set, tuple(to_remove), term.index if term is not None else None)


def label_fix(affinity: NodeAffinity, labels: Mapping[str, str], node_name: str | None = None) -> LabelFix | None:
    """The fewest node-label changes after which the node matches (an empty fix when it already does), or
    ``None`` when no label change can (a term on the node's name, contradictory requirements, parse errors)."""
    if affinity.terms is None:
        return _term_fix(affinity, None, labels, node_name)
    best: LabelFix | None = None
    for term in affinity.terms:
        fix = _term_fix(affinity, term, labels, node_name)
        if fix is not None and (best is None or fix.changes < best.changes):
            best = fix
    return best


def unmet(affinity: NodeAffinity, labels: Mapping[str, str], node_name: str | None, term: int | None) -> list[str]:
    """Human lines naming the requirements the node fails (for ``term``, or every term when ``None``)."""
    out = [
        f"nodeSelector {k}={v} (node: {_show(labels, k)})"
        for k, v in affinity.node_selector.items()
        if k not in labels or labels[k] != v
    ]
    if affinity.terms is None:
        return out
    if not affinity.terms:
        out.append("required node affinity has no nodeSelectorTerms (selects no node)")
        return out
    fields = _node_fields(node_name)
    for t in affinity.terms:
        if term is not None and t.index != term:
            continue
        if t.errors:
            out.append(f"term {t.index}: invalid ({'; '.join(t.errors)})")
            continue
        if t.empty:
            out.append(f"term {t.index}: empty (selects no node)")
            continue
        for r in t.expressions:
            if not r.holds(labels):
                out.append(f"term {t.index}: {r.describe()} (node: {_show(labels, r.key)})")
        for r in t.fields:
            if fields and not r.holds(fields):
                out.append(f"term {t.index}: {r.describe()} (node: {r.key}={fields.get(r.key, '')})")
    return out


def _show(labels: Mapping[str, str], key: str) -> str:
    return f"{key}={labels[key]}" if key in labels else f"no {key} label"
