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

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubehash.errors import FieldError
from kubehash.upgrade.preflight.requirements import (
    FIELD_OPERATORS,
    INT64_MAX,
    INT64_MIN,
    OPERATORS,
    NodeAffinity,
    Requirement,
    Term,
    go_parse_int64,
    matches,
    node_fields,
    term_matches,
)

__all__ = [
    "FIELD_OPERATORS",
    "OPERATORS",
    "LabelFix",
    "NodeAffinity",
    "Requirement",
    "Term",
    "go_parse_int64",
    "label_fix",
    "matches",
    "parse_affinity",
    "term_matches",
    "unmet",
]


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


def _required(spec: Mapping[str, Any], path: str) -> tuple[Mapping[str, Any] | None, str]:
    """``affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution`` of a pod spec and its path
    (``None`` when a step of the way is absent)."""
    node: Any = spec
    for key in ("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"):
        path = f"{path}.{key}"
        node = node.get(key)
        if node is None:
            return None, path
        if not isinstance(node, Mapping):
            raise FieldError(path, "must be an object")
    return node, path


def _terms(required: Mapping[str, Any], path: str) -> tuple[Term, ...]:
    """The ``nodeSelectorTerms`` of a required node affinity at ``path``."""
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
    return tuple(parsed)


def parse_affinity(spec: Mapping[str, Any], path: str = "$.spec") -> NodeAffinity:
    """The kubelet-relevant node selection of a pod spec; :class:`FieldError` on wrong types."""
    ns = spec.get("nodeSelector")
    if ns is None:
        ns = {}
    if not isinstance(ns, Mapping) or not all(isinstance(k, str) and isinstance(v, str) for k, v in ns.items()):
        raise FieldError(f"{path}.nodeSelector", "must be a map of strings to strings")
    required, path = _required(spec, path)
    terms = _terms(required, path) if required is not None else None
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
                if INT64_MIN <= step <= INT64_MAX:
                    cands.append(str(step))
    cands.append("")
    n_excluded = sum(len(r.values) for r in reqs)
    cands.extend(f"v{i}" for i in range(n_excluded + 1))
    return cands


def _no_label_fix(term: Term, node_name: str | None) -> bool:
    """A term no label change can satisfy: invalid, empty, or failing on the node's fields (its name)."""
    if term.errors or term.empty:
        return True
    fields = node_fields(node_name)
    return bool(term.fields and fields and not all(r.holds(fields) for r in term.fields))


_NO_VALUE = object()


def _key_value(key: str, key_reqs: list[Requirement], pinned: str | None, current: str | None) -> object:
    """The first candidate value of label ``key`` (``_ABSENT``: no label) meeting the node selector's pin and
    every requirement on the key, or ``_NO_VALUE`` when none does."""
    for cand in _key_candidates(current, key_reqs, pinned):
        probe = {} if cand is _ABSENT else {key: cand}
        if pinned is not None and probe.get(key) != pinned:
            continue
        if all(r.holds(probe) for r in key_reqs):
            return cand
    return _NO_VALUE


def _term_fix(
    affinity: NodeAffinity, term: Term | None, labels: Mapping[str, str], node_name: str | None
) -> LabelFix | None:
    if term is not None and _no_label_fix(term, node_name):
        return None  # a node's name is not a label: no label change helps
    reqs = term.expressions if term is not None else ()
    keys = list(dict.fromkeys([*affinity.node_selector, *(r.key for r in reqs)]))
    to_set: dict[str, str] = {}
    to_remove: list[str] = []
    for key in keys:
        current = labels.get(key) if key in labels else _ABSENT
        cand = _key_value(key, [r for r in reqs if r.key == key], affinity.node_selector.get(key), current)
        if cand is _NO_VALUE:
            return None
        if cand == current:
            continue
        if cand is _ABSENT:
            to_remove.append(key)
        else:
            to_set[key] = str(cand)
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


def _term_unmet(t: Term, labels: Mapping[str, str], fields: Mapping[str, str] | None) -> list[str]:
    """Human lines naming what of term ``t`` the node fails."""
    if t.errors:
        return [f"term {t.index}: invalid ({'; '.join(t.errors)})"]
    if t.empty:
        return [f"term {t.index}: empty (selects no node)"]
    out = [
        f"term {t.index}: {r.describe()} (node: {_show(labels, r.key)})" for r in t.expressions if not r.holds(labels)
    ]
    for r in t.fields:
        if fields and not r.holds(fields):
            out.append(f"term {t.index}: {r.describe()} (node: {r.key}={fields.get(r.key, '')})")
    return out


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
    fields = node_fields(node_name)
    for t in affinity.terms:
        if term is None or t.index == term:
            out.extend(_term_unmet(t, labels, fields))
    return out


def _show(labels: Mapping[str, str], key: str) -> str:
    return f"{key}={labels[key]}" if key in labels else f"no {key} label"
