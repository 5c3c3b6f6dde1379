"""Which Go toolchain built a kubelet patch release, from ``specs/toolchains.json``.

The Go version is a property of the **patch** release: release branches move to newer Go releases during
their life. It matters to the container hash because Go 1.22 changed ``encoding/json``: a string holding
U+0008 or U+000C is written as ``\\b`` / ``\\f`` instead of ``\\u0008`` / ``\\u000c`` (Go 1.22 release notes,
``encoding/json``), so a JSON-era kubelet (1.16-1.30) hashes such a container differently depending on the Go
that built it. release-1.27, -1.28 and -1.29 moved to Go 1.22 in July 2024 (v1.27.16, v1.28.12, v1.29.7);
1.30.0 and later were built with Go 1.22 or newer (``docs/go-toolchains.md``).

Meanings fixed here:

* a bare minor (``1.29``) is the newest patch of that minor known to the table (an operator upgrading "to
  1.29" today installs its newest patch); the result says which patch it assumed;
* a vendor build (``v1.28.15-eks-a737599``, ``v1.29.15+k3s1``) is assumed to use upstream's Go for that patch,
  and the result says so: vendors may build with another Go (``go_version`` overrides);
* a pre-release (``v1.31.0-rc.1``) is given the Go of its ``.0`` release, also flagged as an assumption;
* a patch newer than the table's newest gets the newest row's Go, flagged.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, TypedDict

from kubehash.errors import KubehashError, UnsupportedVersionError
from kubehash.kubelet.versions import (
    ESCAPING_GO,
    GoVersion,
    KubeletVersion,
    go_escapes_backspace_formfeed,
    minor_tuple,
    parse_go_version,
    parse_version,
)

__all__ = [
    "ESCAPING_GO",
    "AnnotationHash",
    "GoVersion",
    "MinorToolchains",
    "Side",
    "Toolchain",
    "ToolchainRow",
    "describe_side",
    "go_escapes_backspace_formfeed",
    "hash_without_resources_function",
    "newest_patch",
    "parse_go_version",
    "shown_version",
    "toolchain",
    "toolchain_cause",
    "toolchain_table",
]


@dataclass(frozen=True)
class ToolchainRow:
    """Patches ``first``..``last`` of ``minor`` were built with Go ``go`` (``None``: not itemized, see ``hint``
    and the bounds ``go_min``/``go_max`` when the patches around were read).

    ``escaping`` (``"go1.22+"`` or ``"pre-go1.22"``) is always known; ``basis`` says where ``go`` was read:
    ``"binary"`` (the ``version.Info`` the released binaries report), ``"tag"`` (the release tag's
    ``.go-version`` or kube-cross image), ``"changelog"`` (a "built with Go" line of that patch's notes, or the
    newest such line before it) or ``"inferred"``.
    """

    minor: str
    first: int
    last: int
    go: str | None
    escaping: str
    basis: str
    source: str
    hint: str | None = None
    go_min: str | None = None
    go_max: str | None = None

    @property
    def go_range(self) -> str:
        """The Go version in a few characters: ``1.20.7``, ``1.18.7–1.18.9``, ``1.22.8 or later``, else the
        side of Go 1.22 (``before 1.22``, ``1.22 or later``)."""
        if self.go is not None:
            return self.go
        if self.go_min is not None and self.go_max is not None:
            return f"{self.go_min}–{self.go_max}"
        if self.go_min is not None:
            below = "" if self.escapes_backspace_formfeed else ", before 1.22"
            return f"{self.go_min} or later{below}"
        return "1.22 or later" if self.escapes_backspace_formfeed else "before 1.22"

    @property
    def escapes_backspace_formfeed(self) -> bool:
        return self.escaping == "go1.22+"


@dataclass(frozen=True)
class MinorToolchains:
    minor: str
    newest_patch: int
    newest_patch_source: str
    rows: tuple[ToolchainRow, ...]

    def row_for(self, patch: int) -> ToolchainRow:
        for row in self.rows:
            if row.first <= patch <= row.last:
                return row
        return self.rows[-1]


@dataclass(frozen=True)
class Toolchain:
    """The Go toolchain assumed for one side of an upgrade.

    ``requested`` is the version as given, ``resolved`` the upstream patch release it was taken as (a bare
    minor resolves to the newest known patch), ``row`` the table row used. ``go_override`` is a Go version the
    user gave (``--old-go-version``/``--new-go-version``); it wins over the table. ``assumptions`` lists, in
    words, everything that was assumed rather than known.
    """

    requested: KubeletVersion
    resolved: KubeletVersion
    row: ToolchainRow
    go_override: str | None
    assumptions: tuple[str, ...]
    data_as_of: str

    @property
    def go(self) -> str | None:
        """The exact Go version (override or table), or ``None`` when the table gives only a range."""
        return self.go_override if self.go_override is not None else self.row.go

    @property
    def basis(self) -> str:
        return "override" if self.go_override is not None else self.row.basis

    @property
    def source(self) -> str:
        return "given by the user" if self.go_override is not None else self.row.source

    @property
    def escapes_backspace_formfeed(self) -> bool:
        """Whether this kubelet's ``encoding/json`` writes ``\\b``/``\\f`` (Go >= 1.22)."""
        if self.go_override is not None:
            return go_escapes_backspace_formfeed(self.go_override)
        return self.row.escapes_backspace_formfeed

    @property
    def go_for_hashing(self) -> str:
        """A Go version for ``plan_for(..., go_version=)``: the exact one, else a release on the right side of
        the Go 1.22 boundary (only that boundary changes a hash)."""
        if self.go is not None:
            return self.go
        return "1.22" if self.escapes_backspace_formfeed else "1.21"

    @property
    def go_text(self) -> str:
        """``"Go 1.22.5"``, or the range when the table does not itemize this patch."""
        if self.go is not None:
            return f"Go {self.go}"
        if self.row.go_min is not None:
            return f"Go {self.row.go_range}"
        side = "Go 1.22 or later" if self.escapes_backspace_formfeed else "a Go before 1.22"
        return f"{side} ({self.row.hint})" if self.row.hint else side

    def describe(self) -> str:
        """One line for reports: which patch and Go were assumed, and on what basis."""
        text = f"{self.resolved.upstream} built with {self.go_text} [{self.basis}]"
        if self.assumptions:
            text += "; " + "; ".join(self.assumptions)
        return text


@dataclass(frozen=True)
class AnnotationHash:
    """Which hash function's value a kubelet patch wrote into ``io.kubernetes.container.hashWithoutResources``."""

    minor: str
    first: int
    last: int
    function: str
    basis: str
    source: str
    alternative: str | None = None


def _spec(name: str) -> Any:
    return json.loads(resources.files("kubehash.specs").joinpath(name).read_text(encoding="utf-8"))


@cache
def _table() -> tuple[str, dict[str, MinorToolchains]]:
    doc = _spec("toolchains.json")
    out: dict[str, MinorToolchains] = {}
    for m in doc["minors"]:
        rows = tuple(
            ToolchainRow(
                minor=m["minor"],
                first=r["from"],
                last=r["to"],
                go=r.get("go"),
                escaping=r["escaping"],
                basis=r["basis"],
                source=r["source"],
                hint=r.get("hint"),
                go_min=r.get("go_min"),
                go_max=r.get("go_max"),
            )
            for r in m["rows"]
        )
        out[m["minor"]] = MinorToolchains(m["minor"], m["newest_patch"], m["newest_patch_source"], rows)
    return str(doc["data_as_of"]), out


def toolchain_table() -> Mapping[str, MinorToolchains]:
    """Minor (``"1.28"``) -> its patch rows, loaded once from ``specs/toolchains.json``."""
    return _table()[1]


def _minor_entry(v: KubeletVersion) -> MinorToolchains:
    table = toolchain_table()
    try:
        return table[v.minor_key]
    except KeyError:
        supported = sorted(table, key=minor_tuple)
        raise UnsupportedVersionError(v.text, supported) from None


def newest_patch(minor: str | KubeletVersion) -> KubeletVersion:
    """The newest upstream patch of ``minor`` known to the table (``"1.29"`` -> ``v1.29.15``)."""
    v = parse_version(minor)
    entry = _minor_entry(v)
    return parse_version(f"v{v.minor_key}.{entry.newest_patch}")


def toolchain(version: str | KubeletVersion, *, node: str | None = None, go_version: str | None = None) -> Toolchain:
    """The Go toolchain assumed for kubelet ``version``; ``go_version`` (a user override) wins.

    Raises :class:`~kubehash.errors.VersionError` for an unparseable version or Go version (naming ``node``)
    and :class:`~kubehash.errors.UnsupportedVersionError` for a minor the table does not cover.
    """
    v = parse_version(version, node=node)
    if go_version is not None:
        go_version = parse_go_version(go_version, node=node).text
    entry = _minor_entry(v)
    assumptions: list[str] = []
    if v.patch is None:
        resolved = parse_version(f"v{v.minor_key}.{entry.newest_patch}")
        assumptions.append(
            f"{v.text} taken as {resolved.upstream}, the newest {v.minor_key} patch known on {_table()[0]}"
        )
        patch = entry.newest_patch
    else:
        resolved = v
        patch = v.patch
        if patch > entry.newest_patch:
            assumptions.append(
                f"{v.upstream} is newer than the table's newest {v.minor_key} patch "
                f"(v{v.minor_key}.{entry.newest_patch}); its Go taken as that patch's"
            )
        if v.prerelease is not None:
            assumptions.append(f"pre-release {v.upstream} taken to use the Go of v{v.minor_key}.{patch}")
    if v.vendor is not None and go_version is None:
        who = v.vendor_name or f"vendor build '{v.vendor}'"
        assumptions.append(
            f"{who}: upstream's Go for {v.upstream} assumed (a vendor may build with another Go; "
            "override with --old-go-version/--new-go-version)"
        )
    row = entry.row_for(patch)
    return Toolchain(v, resolved, row, go_version, tuple(assumptions), _table()[0])


def toolchain_cause(old: Toolchain, new: Toolchain) -> str | None:
    """The sentence naming the Go toolchain as the cause of a hash change, when the two sides escape
    ``\\b``/``\\f`` differently; ``None`` when they escape alike."""
    if old.escapes_backspace_formfeed == new.escapes_backspace_formfeed:
        return None
    return (
        f"{old.resolved.upstream} was built with {old.go_text}, {new.resolved.upstream} with {new.go_text}: "
        "encoding/json of Go 1.22 and later writes \\b and \\f in the container's JSON where older Go writes "
        "\\u0008 and \\u000c"
    )


@cache
def _annotation_rows() -> tuple[AnnotationHash, ...]:
    doc = _spec("hash_without_resources.json")
    return tuple(
        AnnotationHash(
            minor=r["minor"],
            first=r["from"],
            last=r["to"],
            function=r["function"],
            basis=r["basis"],
            source=r["source"],
            alternative=r.get("alternative"),
        )
        for r in doc["rows"]
    )


def hash_without_resources_function(version: str | KubeletVersion, *, node: str | None = None) -> AnnotationHash:
    """Which function's value kubelet ``version`` wrote into the ``hashWithoutResources`` annotation.

    A bare minor is its newest known patch; a minor without the annotation (outside 1.27-1.30) is a
    :class:`~kubehash.errors.KubehashError`."""
    v = parse_version(version, node=node)
    patch = newest_patch(v).patch if v.patch is None else v.patch
    assert patch is not None
    rows = [r for r in _annotation_rows() if r.minor == v.minor_key]
    if not rows:
        raise KubehashError(f"kubelet {v.text} writes no hashWithoutResources annotation (only 1.27-1.30 do)")
    for r in rows:
        if r.first <= patch <= r.last:
            return r
    return rows[-1]


def shown_version(tc: Toolchain) -> str:
    """The version to show for one side: as given when it names a patch (``v1.28.15-eks-a737599``), else the
    patch a bare minor was taken as (``v1.29.15``)."""
    v = tc.requested
    return tc.resolved.upstream if v.patch is None else (v.text if v.text.startswith(("v", "V")) else "v" + v.text)


class Side(TypedDict):
    """One side of an upgrade as reports show it (:func:`describe_side`)."""

    version: str
    go: str
    basis: str
    source: str
    assumptions: list[str]


def describe_side(version: str, tc: Toolchain) -> Side:
    """What a report says about one side of an upgrade: the version, the Go toolchain assumed in a few
    characters (``1.20.7``; ``1.18.7–1.18.9`` or ``1.22.8 or later`` for a patch not itemized; else the side of
    Go 1.22), on what basis (``binary``, ``tag``, ``changelog``, ``inferred``, ``override``), its source, and
    every assumption in words."""
    go = tc.go_override if tc.go_override is not None else tc.row.go_range
    return {
        "version": version,
        "go": go,
        "basis": tc.basis,
        "source": tc.source,
        "assumptions": list(tc.assumptions),
    }
