"""The kubelet's command-line flags and ``KubeletConfiguration`` fields per minor (``specs/kubelet-flags.json``,
``specs/kubelet-config.json``, written by :mod:`kubehash.specgen.kubelet_flags`; ``docs/kubelet-flags.md``).

A flag's life is ``introduced`` / ``deprecated`` / ``removed`` minors. Minors whose sources were not read lie
between read ones: a change there is exact only when an ``events`` row (a CHANGELOG entry, a component
repository tag) pins it, otherwise the spec keeps a range and :func:`flag_status` answers ``maybe-removed``
for a minor inside it. The kubelet's flag set normalises ``_`` to ``-`` (``cliflag.WordSepNormalizeFunc``
since 1.10, ``flag.InitFlags`` before), and pflag answers ``-h`` / ``--help`` itself in every minor.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

from kubehash.kubelet.releases import release
from kubehash.kubelet.versions import minor_tuple

__all__ = [
    "ConfigFieldInfo",
    "FieldStatus",
    "FlagInfo",
    "FlagState",
    "FlagStatus",
    "config_api_versions",
    "config_field_info",
    "config_field_status",
    "flag_info",
    "flag_names",
    "flag_status",
    "flags_of",
    "flags_removed_between",
    "is_bool_flag",
    "normalize_flag_name",
]

FlagState = Literal["present", "deprecated", "removed", "maybe-removed", "not-yet", "maybe-not-yet", "unknown"]

#: pflag handles these in every kubelet, registered or not.
ALWAYS_KNOWN = frozenset({"help", "h"})


@dataclass(frozen=True)
class FlagInfo:
    """One flag's life across minors."""

    name: str
    introduced: str
    introduced_exact: bool
    introduced_range: tuple[str, str] | None
    deprecated: str | None
    deprecated_exact: bool
    deprecation_message: str | None
    removed: str | None
    removed_exact: bool
    removed_range: tuple[str, str] | None
    replacement: str | None  # a flag named by the deprecation message, e.g. "--fail-swap-on"
    config_field: str | None  # the KubeletConfiguration field (JSON path) the flag sets
    os: str | None
    boolean: bool
    read_in: tuple[str, ...]
    sources: tuple[Mapping[str, Any], ...]

    def removed_for_sure(self, minor: str) -> bool:
        return self.removed is not None and minor_tuple(minor) >= minor_tuple(self.removed)


@dataclass(frozen=True)
class FlagStatus:
    name: str
    minor: str
    state: FlagState
    info: FlagInfo | None


@dataclass(frozen=True)
class ConfigFieldInfo:
    api_version: str
    path: str
    introduced: str
    introduced_exact: bool
    deprecated: str | None
    deprecation_message: str | None
    removed: str | None
    removed_exact: bool
    removed_range: tuple[str, str] | None
    read_in: tuple[str, ...]


@dataclass(frozen=True)
class FieldStatus:
    api_version: str
    path: str
    minor: str
    state: FlagState
    info: ConfigFieldInfo | None
    known_prefix: str | None  # the longest known field this path lies under (a map or free-form field)


def normalize_flag_name(name: str) -> str:
    """``--log_dir`` / ``-log-dir`` / ``log_dir`` -> ``log-dir`` (the kubelet's word-separator normalisation)."""
    return name.lstrip("-").replace("_", "-")


def _load(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(resources.files("kubehash.specs").joinpath(name).read_text(encoding="utf-8"))
    return doc


@cache
def _flags_doc() -> dict[str, Any]:
    return _load("kubelet-flags.json")


@cache
def _config_doc() -> dict[str, Any]:
    return _load("kubelet-config.json")


def _rng(value: object) -> tuple[str, str] | None:
    return (str(value[0]), str(value[1])) if isinstance(value, list) and len(value) == 2 else None


@cache
def _go_to_json() -> dict[str, str]:
    """Go field path of ``KubeletConfiguration`` -> JSON path, over every minor read."""
    from kubehash.specgen.kubelet_flags import go_to_json_paths

    return go_to_json_paths(_config_doc())


@cache
def _flag_table() -> dict[str, FlagInfo]:
    out: dict[str, FlagInfo] = {}
    for name, row in _flags_doc()["flags"].items():
        go_field = row.get("go_field")
        out[name] = FlagInfo(
            name=name,
            introduced=str(row["introduced"]),
            introduced_exact=bool(row.get("introduced_exact", True)),
            introduced_range=_rng(row.get("introduced_range")),
            deprecated=row.get("deprecated"),
            deprecated_exact=bool(row.get("deprecated_exact", True)),
            deprecation_message=row.get("deprecation_message"),
            removed=row.get("removed"),
            removed_exact=bool(row.get("removed_exact", True)),
            removed_range=_rng(row.get("removed_range")),
            replacement=row.get("replacement"),
            config_field=_go_to_json().get(go_field) if go_field else None,
            os=row.get("os"),
            boolean=bool(row.get("bool", False)),
            read_in=tuple(row.get("read_in", ())),
            sources=tuple(s for s in row.get("event_sources", ()) if s),
        )
    return out


def flag_names() -> list[str]:
    """Every flag kubehash knows of, in any minor."""
    return sorted(_flag_table())


def flag_info(name: str) -> FlagInfo | None:
    return _flag_table().get(normalize_flag_name(name))


def is_bool_flag(name: str) -> bool | None:
    """Is ``name`` a bool flag (``--name`` alone sets it)? ``None`` when kubehash does not know it."""
    info = flag_info(name)
    if info is None:
        return True if normalize_flag_name(name) in ALWAYS_KNOWN or normalize_flag_name(name) == "version" else None
    return info.boolean or info.name == "version"


def _state(
    minor: str,
    introduced: str,
    introduced_range: tuple[str, str] | None,
    deprecated: str | None,
    deprecated_exact: bool,
    removed: str | None,
    removed_range: tuple[str, str] | None,
) -> FlagState:
    k = minor_tuple(minor)
    if k < minor_tuple(introduced):
        if introduced_range and k >= minor_tuple(introduced_range[0]):
            return "maybe-not-yet"
        return "not-yet"
    if removed is not None and k >= minor_tuple(removed):
        return "removed"
    if removed_range and k >= minor_tuple(removed_range[0]):
        return "maybe-removed"
    if deprecated is not None and k >= minor_tuple(deprecated):
        return "deprecated"
    return "present"


def flag_status(name: str, version: str) -> FlagStatus:
    """What the kubelet of ``version`` (``1.17``, ``v1.17.3``) makes of flag ``name``."""
    minor = release(version).minor
    n = normalize_flag_name(name)
    if n in ALWAYS_KNOWN:
        return FlagStatus(n, minor, "present", None)
    info = _flag_table().get(n)
    if info is None:
        return FlagStatus(n, minor, "unknown", None)
    return FlagStatus(
        n,
        minor,
        _state(
            minor,
            info.introduced,
            info.introduced_range,
            info.deprecated,
            info.deprecated_exact,
            info.removed,
            info.removed_range,
        ),
        info,
    )


def flags_of(version: str) -> list[str]:
    """The flags the kubelet of ``version`` accepts (present or deprecated; uncertain ones excluded)."""
    minor = release(version).minor
    return [n for n in _flag_table() if flag_status(n, minor).state in ("present", "deprecated")]


def flags_removed_between(current: str, target: str) -> list[FlagInfo]:
    """Flags the ``current`` kubelet accepts and that are removed (for sure or maybe) by ``target``."""
    a, b = release(current).minor, release(target).minor
    out = []
    for name in flags_of(a):
        st = flag_status(name, b).state
        if st in ("removed", "maybe-removed"):
            out.append(_flag_table()[name])
    return out


# -- KubeletConfiguration -------------------------------------------------------------------------------


def config_api_versions(version: str) -> list[str]:
    """The ``KubeletConfiguration`` apiVersions the kubelet of ``version`` reads (as far as kubehash read)."""
    minor = release(version).minor
    raw = _config_doc()["raw"]
    return (
        [str(raw[minor]["api_version"])]
        if minor in raw
        else sorted(
            {str(t) for t, table in _config_doc()["fields"].items() if any(_covers(r, minor) for r in table.values())}
        )
    )


def _covers(row: Mapping[str, Any], minor: str) -> bool:
    st = _state(
        minor,
        str(row["introduced"]),
        _rng(row.get("introduced_range")),
        row.get("deprecated"),
        True,
        row.get("removed"),
        _rng(row.get("removed_range")),
    )
    return st in ("present", "deprecated")


@cache
def _config_table(api_version: str) -> dict[str, ConfigFieldInfo]:
    table = _config_doc()["fields"].get(api_version, {})
    return {
        path: ConfigFieldInfo(
            api_version=api_version,
            path=path,
            introduced=str(row["introduced"]),
            introduced_exact=bool(row.get("introduced_exact", True)),
            deprecated=row.get("deprecated"),
            deprecation_message=row.get("deprecation_message"),
            removed=row.get("removed"),
            removed_exact=bool(row.get("removed_exact", True)),
            removed_range=_rng(row.get("removed_range")),
            read_in=tuple(row.get("read_in", ())),
        )
        for path, row in table.items()
    }


def config_field_info(api_version: str, path: str) -> ConfigFieldInfo | None:
    return _config_table(api_version).get(path)


def config_field_status(api_version: str, path: str, version: str) -> FieldStatus:
    """What the kubelet of ``version`` makes of field ``path`` (JSON names joined by ``.``; list items
    ``[]``) of a ``KubeletConfiguration`` of ``api_version``. A path under a map or free-form field (the
    keys of ``evictionHard``) is judged by that field."""
    minor = release(version).minor
    table = _config_table(api_version)
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        prefix = ".".join(parts[:i])
        info = table.get(prefix) or table.get(prefix.replace("[]", "{}"))
        if info is None:
            continue
        # a deeper key of a known field is fine only if the field has no sub-fields of its own (a map)
        if i < len(parts) and any(p.startswith((prefix + ".", prefix + "[].", prefix + "{}.")) for p in table):
            return FieldStatus(api_version, path, minor, "unknown", None, prefix)
        st = _state(minor, info.introduced, None, info.deprecated, True, info.removed, info.removed_range)
        return FieldStatus(api_version, path, minor, st, info, prefix if i < len(parts) else None)
    return FieldStatus(api_version, path, minor, "unknown", None, None)


def flags_policy() -> Mapping[str, Any]:
    """The ``policy`` section of ``specs/kubelet-flags.json`` (how the kubelet treats unknown flags / gates)."""
    policy: Mapping[str, Any] = _flags_doc().get("policy", {})
    return policy


def config_policy() -> Mapping[str, Any]:
    policy: Mapping[str, Any] = _config_doc().get("policy", {})
    return policy


def read_minors() -> Sequence[str]:
    """The minors whose flag sources were read (the others are inferred between them)."""
    return sorted(_flags_doc()["raw"], key=minor_tuple)
