"""JSON paths inside a container mapped to Go field paths of a version's ``v1.Container`` closure.

``["livenessProbe", "httpGet", "path"]`` is ``LivenessProbe.ProbeHandler.HTTPGet.Path`` in 1.23+ (the
embedded ``ProbeHandler`` is inlined in JSON, as ``encoding/json`` does) and the field is declared by
``HTTPGetAction``. Used by ``explain`` to name the field a default wrote, and to find it in a typed value
tree (:func:`kubehash.kubelet.gotree.go_tree`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from kubehash.golang.jsonenc import visible_fields
from kubehash.golang.types import External, GoType, Map, Pointer, Slice, Struct

__all__ = ["MISSING", "MapKey", "api_path", "go_path_of", "lookup", "render_go_path", "render_path"]


class MapKey(str):
    """A map key inside a Go path (rendered ``[key]``, not ``.Field``)."""

    __slots__ = ()


#: What :func:`lookup` returns for a path that is not in the tree.
MISSING: Any = object()


def _type_name(t: GoType) -> str:
    return str(t).rsplit(".", 1)[-1] if not isinstance(t, Struct) else "struct"


def go_path_of(root: GoType, json_path: Sequence[str | int]) -> tuple[tuple[str | int, ...], str] | None:
    """The Go path of ``json_path`` below ``root`` and the declaring ``Type.Field`` of its last field, or
    ``None`` when the path does not exist in this schema (a field this release does not know)."""
    return _go_path_of(root, tuple(json_path))


def _deref(t: GoType) -> GoType:
    """``t`` with its pointers followed (``**T`` -> ``T``); an external type stays as it is."""
    while not isinstance(t, External) and isinstance(u := t.underlying(), Pointer):
        t = u.elem
    return t


@functools.lru_cache(maxsize=8192)  # explain asks for the same few default paths again and again
def _go_path_of(root: GoType, json_path: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], str] | None:
    t = root
    out: list[str | int] = []
    owner_field = _type_name(root)
    for seg in json_path:
        t = _deref(t)
        if isinstance(t, External):
            return None
        u = t.underlying()
        if isinstance(seg, int):
            if not isinstance(u, Slice):
                return None
            out.append(seg)
            t = u.elem
        elif isinstance(u, Map):
            out.append(MapKey(seg))
            t = u.elem
        elif isinstance(u, Struct):
            found = next((idx for idx, f in visible_fields(u) if f.json_name == seg), None)
            if found is None:
                return None
            for i in found:
                st = t.underlying()
                assert isinstance(st, Struct)  # an index path of visible_fields steps through embedded structs only
                f = st.fields[i]
                out.append(f.name)
                owner_field = f"{_type_name(t)}.{f.name}"
                t = _deref(f.type)
        else:
            return None
    return tuple(out), owner_field


def render_go_path(segments: Sequence[str | int]) -> str:
    """``("Resources", MapKey("requests"), ...)`` -> ``Resources.Requests[cpu]``; indices as ``[0]``."""
    out = ""
    for seg in segments:
        if isinstance(seg, (int, MapKey)):
            out += f"[{seg}]"
        else:
            out += ("." if out else "") + seg
    return out


def render_path(segments: Sequence[str | int]) -> str:
    """The ``kubectl explain`` style of a path: JSON field names joined by dots, list positions as ``[0]``,
    map keys as ``[cpu]`` (``securityContext.seccompProfile``, ``resources.limits[cpu]``, ``ports[0].protocol``)."""
    out = ""
    for seg in segments:
        if isinstance(seg, (int, MapKey)):
            out += f"[{seg}]"
        else:
            out += ("." if out else "") + seg
    return out


def api_path(
    root: GoType, segments: Sequence[str | int], *, go_names: bool = False
) -> tuple[tuple[str | int, ...], tuple[str | int, ...]]:
    """The JSON path (map keys as :class:`MapKey`) of ``segments`` below ``root``, and the segments left
    over inside a value of an external type (a ``Quantity``'s internal ``i``/``d``/``s``/``Format``).

    ``segments`` are JSON field names (``go_names``: Go field names, as :func:`~kubehash.kubelet.gotree.go_tree`
    keys them, embedded structs under their type name -- inlined in JSON, so they leave no segment), list
    positions and map keys. A name ``root`` does not declare is kept as it is, and so is the rest of the path."""
    t: GoType = root
    out: list[str | int] = []
    for i, seg in enumerate(segments):
        t = _deref(t)
        if isinstance(t, External):
            return tuple(out), tuple(segments[i:])
        u = t.underlying()
        if isinstance(seg, int) and isinstance(u, Slice):
            out.append(seg)
            t = u.elem
        elif isinstance(u, Map):
            out.append(MapKey(seg))
            t = u.elem
        elif isinstance(u, Struct) and isinstance(seg, str):
            step = _struct_step(u, seg, go_names)
            if step is None:
                return (*out, *segments[i:]), ()
            name, t = step
            if name is not None:
                out.append(name)
        else:
            return (*out, *segments[i:]), ()
    return tuple(out), ()


def _struct_step(u: Struct, seg: str, go_names: bool) -> tuple[str | None, GoType] | None:
    """The JSON name (``None`` for an embedded struct inlined in JSON) and type of field ``seg`` of ``u``
    (``seg`` a Go field name with ``go_names``, else a JSON name), or ``None`` when ``u`` does not declare it."""
    if go_names:
        f = next((f for f in u.fields if f.name == seg), None)
        if f is None:
            return None
        return (None if f.embedded and f.json_name == "" else f.json_name or f.name), f.type
    g = next((g for _, g in visible_fields(u) if g.json_name == seg), None)
    if g is None:
        return None
    return seg, g.type


def lookup(tree: Any, path: Sequence[str | int], default: Any = MISSING) -> Any:
    """The value at ``path`` in a tree of dicts and lists, or ``default``."""
    for seg in path:
        if isinstance(seg, int) and not isinstance(seg, bool):
            if not isinstance(tree, list) or not 0 <= seg < len(tree):
                return default
            tree = tree[seg]
        elif isinstance(tree, dict) and seg in tree:
            tree = tree[seg]
        else:
            return default
    return tree
