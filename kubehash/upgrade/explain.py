"""Why a container's hash differs between two kubelet versions, as structured reasons.

Reasons (``Reason.kind``):

* ``algorithm`` -- the hash era changes (struct 1.6-1.15, json 1.16-1.30, name-image 1.31+), said in plain
  words: "from 1.31 the kubelet hashes only the container's name and image, so every running container
  restarts whatever its spec";
* ``field-added`` -- struct era: a field exists in the new ``v1.Container`` closure and not the old, on a
  struct the container actually has (e.g. ``volumeMounts[0].subPathExpr`` for 1.13 -> 1.14): the struct dump
  shows it even empty;
* ``field-not-in-old`` -- JSON era: the container sets a field the old version does not have (e.g.
  ``securityContext.seccompProfile``, from 1.19): the old kubelet dropped it when decoding, the new one hashes it;
* ``field-removed`` -- the reverse of both (downgrades);
* ``value-changed`` -- the decoded value differs (an IntOrString's form, a list item);
* ``quantity-form`` -- a quantity's internal form (struct era: int64/inf.Dec, cached string) differs;
* ``go-escaping`` -- JSON era: the same document is written with different escapes because the kubelets
  were built with Go releases on either side of 1.22 (``\\b``/``\\f``);
* ``default-added`` -- with ``control_plane``: the new side is the container as that version's API server
  defaults it (:func:`kubehash.kubelet.defaults.apply_defaults`), and a default the new kubelet sees changes
  its hash, e.g. ``Container.ResizePolicy defaulted by the 1.27 apiserver (gate InPlacePodVerticalScaling)``.
  A static pod (``new_source="file"``) is defaulted by the new kubelet itself;
* ``input-not-defaulted`` -- such a default that the *old* side's API server (static pods: the old kubelet)
  writes too: a pod read from a cluster already has it, so the hash changes only because the input was not
  defaulted (a manifest given as a pod) -- never the kubelet upgrade's doing.

Paths are in the style ``kubectl explain`` uses, relative to the container (JSON field names joined by dots,
list positions ``[0]``, map keys ``[cpu]``: ``securityContext.seccompProfile``, ``resources.limits[cpu]``);
:func:`located` puts them below the container's place in its object (``spec.containers[0].``), which is how
``predict`` reports them. The typed values of both versions are compared with ``deepdiff`` over
Go-field-name trees (:func:`kubehash.kubelet.gotree.go_tree`) or the JSON documents the kubelets hash, never by
diffing text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kubehash.golang.fnv import fnv1a_32
from kubehash.golang.jsonvalue import read_go_json
from kubehash.kubelet.defaults import Applied, Defaulted, apply_defaults, rule_applies
from kubehash.kubelet.fieldpath import api_path, go_path_of, lookup, render_path
from kubehash.kubelet.gotree import go_tree
from kubehash.kubelet.hashing import HashPlan, plan_for, spew_bytes
from kubehash.kubelet.releases import RELEASES
from kubehash.kubelet.toolchains import toolchain, toolchain_cause

__all__ = ["Explanation", "Reason", "algorithm_reason", "container_path", "explain", "located"]


@dataclass(frozen=True)
class Reason:
    kind: str
    path: str = ""
    detail: str = ""
    old: Any = None
    new: Any = None

    def text(self) -> str:
        where = f"{self.path}: " if self.path else ""
        return f"{self.kind}: {where}{self.detail}"


@dataclass
class Explanation:
    old_version: str
    new_version: str
    old_source: str
    new_source: str
    old_hash: int
    new_hash: int
    reasons: list[Reason] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.old_hash != self.new_hash


_KEY = re.compile(r"\['([^']*)'\]|\[(\d+)\]")


def _segments(dd_path: str) -> list[str | int]:
    """deepdiff ``root['Resources']['Limits']['cpu']`` -> ``["Resources", "Limits", "cpu"]``."""
    return [int(idx) if idx else name for name, idx in _KEY.findall(dd_path)]


def _where(root: Any, dd_path: str, *, go_names: bool) -> tuple[str, bool]:
    """The ``kubectl explain`` path of a deepdiff path (over a Go-name tree or a JSON document), and whether
    the difference is inside a quantity's internal form (:func:`~kubehash.kubelet.gotree.go_tree` shows a
    ``Quantity`` as ``i``, ``d``, ``s``, ``Format``)."""
    segments, inside = api_path(root, _segments(dd_path), go_names=go_names)
    return render_path(segments), go_names and bool(inside) and inside[0] in _QUANTITY_PARTS


_QUANTITY_PARTS = frozenset({"i", "d", "s", "Format"})


def _owner_type(root: Any, dd_path: str) -> str | None:
    """The Go struct type that declares the last field of a Go-name path (``VolumeMount`` for
    ``VolumeMounts[0].SubPathExpr``)."""
    from kubehash.golang.types import External, Map, Pointer, Slice, Struct

    t = root
    owner = None
    for seg in _segments(dd_path):
        while not isinstance(t, External) and isinstance(t.underlying(), (Pointer, Slice, Map)):
            t = t.underlying().elem
        if isinstance(seg, str):
            if isinstance(t, External) or not isinstance(t.underlying(), Struct):
                return owner
            owner = str(t).split(".")[-1]
            f = next((f for f in t.underlying().fields if f.name == seg), None)
            if f is None:
                return owner
            t = f.type
    return owner


def _tree_reasons(
    old: Any, new: Any, old_root: Any, new_root: Any, old_minor: str, new_minor: str, *, go_names: bool
) -> list[Reason]:
    """Reasons for the differences between the two typed values (``go_names``: struct-era Go-name trees) or
    the two JSON documents the kubelets hash."""
    from deepdiff import DeepDiff  # lazily: it imports pandas when present (~0.3 s per process)

    diff = DeepDiff(old, new, verbose_level=2)
    reasons: list[Reason] = []
    for p, v in diff.get("dictionary_item_added", {}).items():
        path, _ = _where(new_root, p, go_names=go_names)
        if go_names:
            owner, go_field = _owner_type(new_root, p), next(s for s in reversed(_segments(p)) if isinstance(s, str))
            what = f"{owner}.{go_field}" if owner else go_field
            detail = (
                f"{what} exists in {new_minor} and not in {old_minor}; the Go struct dump these kubelets hash "
                "shows every field, even an empty one"
            )
            reasons.append(Reason("field-added", path, detail, None, v))
        else:
            detail = (
                f"the field does not exist in {old_minor}: the {old_minor} kubelet drops it when decoding, the "
                f"{new_minor} kubelet hashes it"
            )
            reasons.append(Reason("field-not-in-old", path, detail, None, v))
    for p, v in diff.get("dictionary_item_removed", {}).items():
        path, _ = _where(old_root, p, go_names=go_names)
        detail = (
            f"the field does not exist in {new_minor}: the {old_minor} kubelet hashed it, the {new_minor} kubelet "
            "drops it"
        )
        reasons.append(Reason("field-removed", path, detail, v, None))
    quantities: dict[str, Reason] = {}
    for key in ("values_changed", "type_changes"):
        for p, ch in diff.get(key, {}).items():
            path, in_quantity = _where(new_root, p, go_names=go_names)
            if in_quantity:
                quantities.setdefault(
                    path,
                    Reason(
                        "quantity-form", path, "the quantity's internal form (int64/inf.Dec, cached string) differs"
                    ),
                )
                continue
            reasons.append(Reason("value-changed", path, "value differs", ch.get("old_value"), ch.get("new_value")))
    reasons.extend(quantities.values())
    for key in ("iterable_item_added", "iterable_item_removed"):
        for p, v in diff.get(key, {}).items():
            old_v, new_v = (None, v) if key.endswith("added") else (v, None)
            path, _ = _where(new_root, p, go_names=go_names)
            reasons.append(Reason("value-changed", path, "list item differs", old_v, new_v))
    return reasons


def container_path(kind: str, index: int, spec: str = "spec") -> str:
    """Where a container is in its object: ``spec.containers[0]``, ``spec.initContainers[1]``; ``spec`` is the
    path of the pod spec (``spec.template.spec`` in a Deployment)."""
    return f"{spec}.{_LISTS.get(kind, kind)}[{index}]"


_LISTS = {"container": "containers", "initContainer": "initContainers", "ephemeralContainer": "ephemeralContainers"}


def located(reasons: list[Reason], at: str) -> list[Reason]:
    """``reasons`` with their paths below ``at`` (:func:`container_path`); reasons without a path (about the
    whole container) are kept as they are."""
    if not at:
        return reasons
    return [Reason(r.kind, f"{at}.{r.path}" if r.path else r.path, r.detail, r.old, r.new) for r in reasons]


def explain(
    container: Mapping[str, object],
    old_version: str,
    new_version: str,
    *,
    old_source: str = "apiserver",
    new_source: str | None = None,
    old_go: str | None = None,
    new_go: str | None = None,
    control_plane: str | None = None,
    feature_gates: Mapping[str, bool] | None = None,
    container_kind: str | None = "container",
    host_network: bool = False,
    defaulted: Defaulted | None = None,
) -> Explanation:
    """Explain the hash of ``container`` under ``old_version`` versus ``new_version``.

    The old side hashes ``container`` as given (as the old kubelet saw it). With ``control_plane``, the new
    side hashes it after the defaults of that version's API server (``feature_gates`` overriding its gate
    defaults; ``container_kind``/``host_network`` give the Pod context for Pod-only defaults); a static pod
    (``new_source="file"``) is defaulted by the new kubelet instead. Reasons are empty exactly when the
    hashes are equal. ``defaulted``: the result of that :func:`~kubehash.kubelet.defaults.apply_defaults`
    call, when the caller already has it (``predict`` does).
    """
    new_source = new_source or old_source
    op = plan_for(old_version, old_source, old_go)
    np_ = plan_for(new_version, new_source, new_go)
    new_container: Any = container
    applied: list[Applied] = []
    defaulted_by = ""
    if control_plane is not None:
        by = new_version if new_source == "file" else control_plane
        d = defaulted or apply_defaults(
            container, by, feature_gates=feature_gates, container_kind=container_kind, host_network=host_network
        )
        new_container, applied = d.obj, d.applied
        defaulted_by = f"the {d.version} kubelet (static pod)" if new_source == "file" else f"the {d.version} apiserver"
    (oi, od), (ni_raw, nd_raw) = _input(op, container), _input(np_, container)
    ni, nd = _input(np_, new_container) if applied else (ni_raw, nd_raw)
    ex = Explanation(op.release.minor, np_.release.minor, old_source, new_source, fnv1a_32(oi), fnv1a_32(ni))
    if ex.old_hash == ex.new_hash:
        return ex
    if oi != ni_raw:
        cause = None
        if op.short_bf != np_.short_bf:
            cause = toolchain_cause(
                toolchain(old_version, go_version=old_go), toolchain(new_version, go_version=new_go)
            )
        ex.reasons.extend(_version_reasons(op, np_, container, od, nd_raw, cause))
    if ni != ni_raw:
        ex.reasons.extend(
            _default_reasons(np_, container, new_container, nd_raw, nd, applied, defaulted_by, op, old_source)
        )
    if not ex.reasons:  # pragma: no cover - would mean the diff model misses a difference
        ex.reasons.append(Reason("value-changed", "", "hash input differs"))
    return ex


#: What the kubelet hashes in each era, in words.
_ERA_WORDS = {
    "struct": "the Go struct dump of the whole container",
    "json": "the JSON encoding of the whole container",
    "name-image": "only the container's name and image",
}


def _first_minor(era: str) -> str:
    return next(r.minor for r in RELEASES if r.era == era)


def algorithm_reason(old_era: str, new_era: str, old_minor: str | None = None, new_minor: str | None = None) -> Reason:
    """The reason when the two kubelets hash in different eras (every hash changes), in plain words: "from
    1.31 the kubelet hashes only the container's name and image, so every running container restarts whatever
    its spec". ``old``/``new`` of the reason are the eras. One (frozen) object per distinct arguments: predict
    asks once per distinct container spec."""
    key = (old_era, new_era, old_minor, new_minor)
    found = _ALGORITHM_REASONS.get(key)
    if found is None:
        if len(_ALGORITHM_REASONS) >= 1024:
            _ALGORITHM_REASONS.clear()
        found = _ALGORITHM_REASONS[key] = _algorithm_reason(*key)
    return found


_ALGORITHM_REASONS: dict[tuple[str, str, str | None, str | None], Reason] = {}


def _algorithm_reason(old_era: str, new_era: str, old_minor: str | None, new_minor: str | None) -> Reason:
    new_words, old_words = _ERA_WORDS.get(new_era, new_era), _ERA_WORDS.get(old_era, old_era)
    eras = [r.era for r in RELEASES]
    if old_era in eras and new_era in eras and eras.index(new_era) > eras.index(old_era):
        text = f"from {_first_minor(new_era)} the kubelet hashes {new_words} instead of {old_words}"
    elif old_minor and new_minor:
        text = f"kubelet {new_minor} hashes {new_words}, kubelet {old_minor} hashed {old_words}"
    else:
        text = f"the kubelet hashes {new_words} instead of {old_words}"
    detail = f"{text}, so every running container restarts whatever its spec"
    return Reason("algorithm", "", detail, old_era, new_era)


def _input(plan: HashPlan, container: Any) -> tuple[bytes, bytes | None]:
    """The hash input and, for a JSON-era plan, the JSON document inside it (what the kubelet spews as a
    ``[]byte``, read back where the hash inputs are diffed): the fused path when it handles the container (same
    bytes), else the typed value rendered -- the general decoder's errors unchanged. Typed values are built
    only where a tree is diffed."""
    if plan.document is not None:
        doc = plan.document(container)
        return spew_bytes(doc), doc
    if plan.fused is not None and type(container) is dict:
        try:
            return plan.fused(container), None
        except Exception:
            pass
    return plan.render(plan.decode(container)), None


def _version_reasons(
    op: HashPlan, np_: HashPlan, container: Any, od: bytes | None, nd: bytes | None, go_cause: str | None = None
) -> list[Reason]:
    """Why the same container hashes differently under the two kubelets (``od``/``nd``: the JSON documents of a
    JSON-era pair; ``go_cause``: the sentence naming the two Go toolchains, when they escape \\b/\\f
    differently)."""
    oera, nera = op.release.era, np_.release.era
    old_minor, new_minor = op.release.minor, np_.release.minor
    if oera != nera:
        return [algorithm_reason(oera, nera, old_minor, new_minor)]
    if oera == "struct":
        ov, nv = op.decode(container), np_.decode(container)
        old_tree, new_tree = go_tree(op.schema_root, ov), go_tree(np_.schema_root, nv)
        return _tree_reasons(old_tree, new_tree, op.schema_root, np_.schema_root, old_minor, new_minor, go_names=True)
    reasons = _tree_reasons(
        read_go_json(od), read_go_json(nd), op.schema_root, np_.schema_root, old_minor, new_minor, go_names=False
    )
    if not reasons and op.short_bf != np_.short_bf:
        detail = go_cause or "\\b/\\f escaped differently by Go < 1.22 and >= 1.22"
        reasons.append(Reason("go-escaping", "", detail, op.short_bf, np_.short_bf))
    if not reasons:  # pragma: no cover - would mean the diff model misses a difference
        reasons.append(Reason("value-changed", "", "hash input differs"))
    return reasons


def _gate_note(a: Applied) -> str:
    return f" (gate {a.gate})" if a.gate else ""


def _not_defaulted_detail(owner_field: str, old_source: str, old_minor: str, rule: str) -> str:
    """Why a default the old side writes too is the input's doing, not the upgrade's."""
    old_writer = f"the {old_minor} kubelet" if old_source == "file" else f"the {old_minor} API server"
    what = "static pod it reads" if old_source == "file" else "pod it stores"
    return (
        f"{owner_field}: {old_writer} writes this default into every {what} [{rule}], so a pod read "
        "from a cluster already has it; the input was not defaulted (not the kubelet upgrade's doing)"
    )


def _default_reasons(
    np_: HashPlan,
    raw: Any,
    defaulted: Any,
    ri: bytes | None,
    di: bytes | None,
    applied: list[Applied],
    by: str,
    op: HashPlan,
    old_source: str,
) -> list[Reason]:
    """One reason per defaulted field the new kubelet's hash input sees (``raw`` and ``defaulted``: the
    container mappings before and after the defaults): ``default-added``, or ``input-not-defaulted`` when the
    old side's API server (static pods: the old kubelet) writes that default too -- with its gates' defaults,
    into a field its version has -- so a pod read from a cluster would already have it."""
    old_minor = op.release.minor
    root = np_.schema_root
    if np_.release.era == "struct":
        before, after = go_tree(root, np_.decode(raw)), go_tree(root, np_.decode(defaulted))
    else:
        before, after = read_go_json(ri), read_go_json(di)
    reasons: dict[tuple[str, str], Reason] = {}
    for a in applied:
        where = go_path_of(root, a.path)
        if where is None:
            continue  # the field does not exist in the new kubelet's Container
        segments, owner_field = where
        key = segments if np_.release.era == "struct" else a.path
        while key and isinstance(key[-1], int):  # a list entry: name the list
            key, segments = key[:-1], segments[:-1]
        if lookup(before, key) == lookup(after, key):
            continue
        path = render_path(api_path(root, segments, go_names=True)[0])
        if any(p == path or path.startswith((p + ".", p + "[")) for p, rule in reasons if rule == a.rule):
            continue  # named by an enclosing default of the same rule (the requests map, then its keys)
        if rule_applies(old_minor, a.rule) and go_path_of(op.schema_root, a.path) is not None:
            kind, detail = "input-not-defaulted", _not_defaulted_detail(owner_field, old_source, old_minor, a.rule)
        else:
            kind, detail = "default-added", f"{owner_field} defaulted by {by}{_gate_note(a)} [{a.rule}]"
        reasons[(path, a.rule)] = Reason(kind, path, detail, None, lookup(after, key, None))
    if not reasons:  # pragma: no cover - a default changed the input but no rule names it
        return [Reason("value-changed", "", "hash input differs after defaulting")]
    return list(reasons.values())

