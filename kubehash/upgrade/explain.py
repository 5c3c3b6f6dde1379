"""Why a container's hash differs between two kubelet versions, as structured reasons.

Reasons (``Reason.kind``):

* ``algorithm`` -- the hash era changes (struct 1.6-1.15, json 1.16-1.30, name-image 1.31+);
* ``field-added`` -- struct era: a field exists in the new ``v1.Container`` closure and not the old, on a
  struct the container actually has (e.g. ``VolumeMount.SubPathExpr`` for 1.13 -> 1.14);
* ``field-removed`` -- the reverse (downgrades);
* ``value-changed`` -- the decoded value differs (a quantity's internal form between decode paths, a
  default, a field the old release dropped but the new one keeps);
* ``go-escaping`` -- JSON era: the same document is written with different escapes because the kubelets
  were built with Go releases on either side of 1.22 (``\\b``/``\\f``);
* ``default-added`` -- with ``control_plane``: the new side is the container as that version's API server
  defaults it (:func:`kubehash.kubelet.defaults.apply_defaults`), and a default the new kubelet sees changes
  its hash, e.g. ``Container.ResizePolicy defaulted by the 1.27 apiserver (gate InPlacePodVerticalScaling)``.
  A static pod (``new_source="file"``) is defaulted by the new kubelet itself.

The typed values of both versions are compared with ``deepdiff`` over Go-field-name trees
(:func:`kubehash.kubelet.gotree.go_tree`), never by diffing text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kubehash.golang.fnv import fnv1a_32
from kubehash.kubelet.defaults import Applied, Defaulted, apply_defaults
from kubehash.kubelet.fieldpath import go_path_of, lookup, render_go_path
from kubehash.kubelet.gotree import go_tree
from kubehash.kubelet.hashing import HashPlan, plan_for
from kubehash.kubelet.toolchains import toolchain, toolchain_cause

__all__ = ["Explanation", "Reason", "explain"]


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


def _go_path(dd_path: str) -> str:
    """deepdiff ``root['Resources']['Limits']['cpu']['s']`` -> ``Resources.Limits[cpu].s``."""
    out = ""
    for name, idx in _KEY.findall(dd_path):
        if idx:
            out += f"[{idx}]"
        elif (name and name[0].isupper()) or name in ("i", "d", "s", "value", "scale"):
            out += ("." if out else "") + name
        else:
            out += f"[{name}]"
    return out


_QUANTITY_PART = re.compile(r"^(.*)\.(i\.value|i\.scale|i|d|s|Format)$")


def _owner_type(root: Any, go_path: str) -> str | None:
    """The Go struct type that declares the last field of ``go_path`` (``VolumeMount`` for
    ``VolumeMounts[0].SubPathExpr``)."""
    from kubehash.golang.types import External, Map, Pointer, Slice, Struct

    t = root
    owner = None
    for name, _key in re.findall(r"\.?([A-Za-z]\w*)|\[([^\]]*)\]", go_path):
        while not isinstance(t, External) and isinstance(t.underlying(), (Pointer, Slice, Map)):
            t = t.underlying().elem
        if name:
            if isinstance(t, External) or not isinstance(t.underlying(), Struct):
                return owner
            owner = str(t).split(".")[-1]
            f = next((f for f in t.underlying().fields if f.name == name), None)
            if f is None:
                return owner
            t = f.type
    return owner


def _tree_reasons(old: Any, new: Any, kind_added: str = "field-added", root: Any = None) -> list[Reason]:
    from deepdiff import DeepDiff  # lazily: it imports pandas when present (~0.3 s per process)

    diff = DeepDiff(old, new, verbose_level=2)
    reasons: list[Reason] = []
    for p, v in diff.get("dictionary_item_added", {}).items():
        path = _go_path(p)
        owner = _owner_type(root, path) if root is not None else None
        detail = (
            f"field {owner}.{path.rsplit('.', 1)[-1]} exists only in the new version"
            if owner
            else ("present in the new version only")
        )
        reasons.append(Reason(kind_added, path, detail, None, v))
    for p, v in diff.get("dictionary_item_removed", {}).items():
        reasons.append(Reason("field-removed", _go_path(p), "present in the old version only", v, None))
    quantities: dict[str, Reason] = {}
    for key in ("values_changed", "type_changes"):
        for p, ch in diff.get(key, {}).items():
            path = _go_path(p)
            m = _QUANTITY_PART.match(path)
            if m and root is not None:
                qpath = m.group(1)
                quantities.setdefault(
                    qpath,
                    Reason(
                        "quantity-form", qpath, "the quantity's internal form (int64/inf.Dec, cached string) differs"
                    ),
                )
                continue
            reasons.append(Reason("value-changed", path, "value differs", ch.get("old_value"), ch.get("new_value")))
    reasons.extend(quantities.values())
    for key in ("iterable_item_added", "iterable_item_removed"):
        for p, v in diff.get(key, {}).items():
            old_v, new_v = (None, v) if key.endswith("added") else (v, None)
            reasons.append(Reason("value-changed", _go_path(p), "list item differs", old_v, new_v))
    return reasons


def explain(
    container: Mapping[str, Any],
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
    oi, ni_raw = _input(op, container), _input(np_, container)
    ni = _input(np_, new_container) if applied else ni_raw
    ex = Explanation(op.release.minor, np_.release.minor, old_source, new_source, fnv1a_32(oi), fnv1a_32(ni))
    if ex.old_hash == ex.new_hash:
        return ex
    if oi != ni_raw:
        cause = None
        if op.short_bf != np_.short_bf:
            cause = toolchain_cause(
                toolchain(old_version, go_version=old_go), toolchain(new_version, go_version=new_go)
            )
        ex.reasons.extend(_version_reasons(op, np_, container, oi, ni_raw, cause))
    if ni != ni_raw:
        ex.reasons.extend(_default_reasons(np_, container, new_container, ni_raw, ni, applied, defaulted_by))
    if not ex.reasons:  # pragma: no cover - would mean the diff model misses a difference
        ex.reasons.append(Reason("value-changed", "", "hash input differs"))
    return ex


def algorithm_reason(old_era: str, new_era: str) -> Reason:
    """The reason when the two kubelets hash in different eras (every hash changes)."""
    return Reason("algorithm", "", f"hash era changes from {old_era} to {new_era}", old_era, new_era)


def _input(plan: HashPlan, container: Any) -> bytes:
    """The hash input: the fused path when it handles the container (same bytes), else the typed value
    rendered -- the general decoder's errors unchanged. Typed values are built only where a tree is diffed."""
    if plan.fused is not None and type(container) is dict:
        try:
            return plan.fused(container)
        except Exception:
            pass
    return plan.render(plan.decode(container))


def _version_reasons(
    op: HashPlan, np_: HashPlan, container: Any, oi: bytes, ni: bytes, go_cause: str | None = None
) -> list[Reason]:
    """Why the same container hashes differently under the two kubelets (``go_cause``: the sentence naming
    the two Go toolchains, when they escape \\b/\\f differently)."""
    oera, nera = op.release.era, np_.release.era
    if oera != nera:
        return [algorithm_reason(oera, nera)]
    if oera == "struct":
        ov, nv = op.decode(container), np_.decode(container)
        return _tree_reasons(go_tree(op.schema_root, ov), go_tree(np_.schema_root, nv), root=np_.schema_root)
    reasons = _tree_reasons(_json_doc(oi), _json_doc(ni), kind_added="value-changed")
    if not reasons and op.short_bf != np_.short_bf:
        detail = go_cause or "\\b/\\f escaped differently by Go < 1.22 and >= 1.22"
        reasons.append(Reason("go-escaping", "", detail, op.short_bf, np_.short_bf))
    if not reasons:  # pragma: no cover - would mean the diff model misses a difference
        reasons.append(Reason("value-changed", "", "hash input differs"))
    return reasons


def _default_reasons(
    np_: HashPlan, raw: Any, defaulted: Any, ri: bytes, di: bytes, applied: list[Applied], by: str
) -> list[Reason]:
    """One ``default-added`` reason per defaulted field the new kubelet's hash input sees (``raw`` and
    ``defaulted``: the container mappings before and after the defaults)."""
    root = np_.schema_root
    if np_.release.era == "struct":
        before, after = go_tree(root, np_.decode(raw)), go_tree(root, np_.decode(defaulted))
    else:
        before, after = _json_doc(ri), _json_doc(di)
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
        path = render_go_path(segments)
        if any(p == path or path.startswith((p + ".", p + "[")) for p, rule in reasons if rule == a.rule):
            continue  # named by an enclosing default of the same rule (the requests map, then its keys)
        gate = f" (gate {a.gate})" if a.gate else ""
        detail = f"{owner_field} defaulted by {by}{gate} [{a.rule}]"
        reasons[(path, a.rule)] = Reason("default-added", path, detail, None, lookup(after, key, None))
    if not reasons:  # pragma: no cover - a default changed the input but no rule names it
        return [Reason("value-changed", "", "hash input differs after defaulting")]
    return list(reasons.values())


#: Decimal byte values as spew writes them -> the byte.
_BYTE_OF = {str(b).encode(): b for b in range(256)}


def _json_doc(spewed: bytes) -> Any:
    """The JSON document inside a JSON-era hash input (the spew dump of ``[]byte``)."""
    inner = spewed[len(b"([]uint8)[") : -1]
    return json.loads(bytes(map(_BYTE_OF.__getitem__, inner.split(b" "))).decode("utf-8")) if inner else None
