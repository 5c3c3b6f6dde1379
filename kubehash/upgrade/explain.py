"""Why a container's hash differs between two kubelet versions, as structured reasons.

Reasons (``Reason.kind``):

* ``algorithm`` -- the hash era changes (struct 1.6-1.15, json 1.16-1.30, name-image 1.31+);
* ``field-added`` -- struct era: a field exists in the new ``v1.Container`` closure and not the old, on a
  struct the container actually has (e.g. ``VolumeMount.SubPathExpr`` for 1.13 -> 1.14);
* ``field-removed`` -- the reverse (downgrades);
* ``value-changed`` -- the decoded value differs (a quantity's internal form between decode paths, a
  default, a field the old release dropped but the new one keeps);
* ``go-escaping`` -- JSON era: the same document is written with different escapes because the kubelets
  were built with Go releases on either side of 1.22 (``\\b``/``\\f``).

The typed values of both versions are compared with ``deepdiff`` over Go-field-name trees
(:func:`kubehash.kubelet.gotree.go_tree`), never by diffing text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from deepdiff import DeepDiff

from kubehash.golang.fnv import fnv1a_32
from kubehash.kubelet.gotree import go_tree
from kubehash.kubelet.hashing import plan_for

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

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["changed"] = self.changed
        return d

    def text(self) -> str:
        head = (
            f"{self.old_version} ({self.old_source}) {self.old_hash:x} -> "
            f"{self.new_version} ({self.new_source}) {self.new_hash:x}: "
        )
        if not self.reasons:
            return head + "unchanged"
        return head + "changes\n" + "\n".join("  - " + r.text() for r in self.reasons)


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
) -> Explanation:
    """Explain the hash of ``container`` under ``old_version`` versus ``new_version``."""
    new_source = new_source or old_source
    op = plan_for(old_version, old_source, old_go)
    np_ = plan_for(new_version, new_source, new_go)
    ov, nv = op.decode(container), np_.decode(container)
    oi, ni = op.render(ov), np_.render(nv)
    ex = Explanation(op.release.minor, np_.release.minor, old_source, new_source, fnv1a_32(oi), fnv1a_32(ni))
    if oi == ni:
        return ex
    oera, nera = op.release.era, np_.release.era
    if oera != nera:
        ex.reasons.append(Reason("algorithm", "", f"hash era changes from {oera} to {nera}", oera, nera))
        return ex
    if oera == "struct":
        ex.reasons.extend(
            _tree_reasons(go_tree(op.schema_root, ov), go_tree(np_.schema_root, nv), root=np_.schema_root)
        )
    else:
        odoc, ndoc = _json_doc(oi), _json_doc(ni)
        reasons = _tree_reasons(odoc, ndoc, kind_added="value-changed")
        if not reasons and op.short_bf != np_.short_bf:
            reasons.append(
                Reason(
                    "go-escaping", "", "\\b/\\f escaped differently by Go < 1.22 and >= 1.22", op.short_bf, np_.short_bf
                )
            )
        ex.reasons.extend(reasons)
    if not ex.reasons:  # pragma: no cover - would mean the diff model misses a difference
        ex.reasons.append(Reason("value-changed", "", "hash input differs"))
    return ex


def _json_doc(spewed: bytes) -> Any:
    inner = spewed[len(b"([]uint8)[") : -1]
    return json.loads(bytes(int(x) for x in inner.split(b" ")).decode("utf-8")) if inner else None
