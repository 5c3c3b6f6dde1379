"""The release table: one row per kubelet minor, loaded from ``specs/releases.json``.

Eras (``pkg/kubelet/container/helpers.go`` ``HashContainer``):

* ``struct`` (1.6-1.15): FNV-1a of the go-spew dump of the ``v1.Container`` value;
* ``json`` (1.16-1.30): FNV-1a of the spew dump of ``json.Marshal(container)`` as ``[]byte``;
* ``name-image`` (1.31+): the same, of ``json.Marshal(map[string]string{"name", "image"})``.

Each row also names the apiserver defaulting rules of that minor (``defaults``; the rules themselves are
code in :mod:`kubehash.kubelet.defaults`), the rules that run only with a feature gate on
(``gated_defaults``) and the stage of every container-relevant feature gate (``feature_gates``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from kubehash.errors import UnsupportedVersionError, VersionError
from kubehash.kubelet.versions import minor_tuple, parse_version

__all__ = ["GATE_STAGE_DEFAULT", "RELEASES", "Release", "go_at_least", "normalize_minor", "release"]


@dataclass(frozen=True)
class Release:
    minor: str
    era: str
    go: str
    hash_without_resources: bool
    restartable_init_containers: bool
    defaults: tuple[str, ...] = ()
    gated_defaults: tuple[tuple[str, str], ...] = ()
    feature_gates: tuple[tuple[str, str], ...] = ()
    #: How many minors a kubelet of this minor may lag behind kube-apiserver (the version skew policy).
    kubelet_skew: int = 2
    #: Upgrade behaviour of this minor's kubelet and control plane that preflight models (docs/upgrade-behaviour.md).
    taint_based_evictions: bool = False
    affinity_rejection_reason: str = "MatchNodeSelector"
    match_fields: bool = False
    not_evict_on_restart: bool = False
    #: A command-line word that is not a flag stops this kubelet ("unknown command: WORD"); earlier ones ignore it.
    stray_argument_fatal: bool = False
    #: The API server mounts a projected ``kube-api-access-*`` token volume (not the token secret) in new pods.
    projected_token_volume: bool = False

    @property
    def minor_number(self) -> int:
        return minor_tuple(self.minor)[1]

    def gate_stages(self) -> dict[str, str]:
        """Feature gate -> stage (``alpha``, ``beta``, ``ga``, ``deprecated``) in this minor."""
        return dict(self.feature_gates)

    def gate_defaults(self) -> dict[str, bool]:
        """Feature gate -> its default state in this minor (beta and GA on, alpha and deprecated off)."""
        return {name: GATE_STAGE_DEFAULT[stage] for name, stage in self.feature_gates}

    def rule_gate(self, rule: str) -> str | None:
        """The feature gate that must be on for defaulting rule ``rule`` to run in this minor, if any."""
        return dict(self.gated_defaults).get(rule)


#: Default state of a feature gate per stage; ``ga`` gates are also locked to true.
GATE_STAGE_DEFAULT = {"alpha": False, "beta": True, "ga": True, "deprecated": False}


def _load() -> list[Release]:
    doc = json.loads(resources.files("kubehash.specs").joinpath("releases.json").read_text(encoding="utf-8"))
    return [_row(row) for row in doc["releases"]]


def _row(row: dict[str, Any]) -> Release:
    """A ``releases.json`` row; mappings become sorted tuples so a :class:`Release` stays hashable."""
    r = dict(row)
    r["defaults"] = tuple(r.get("defaults", ()))
    for key in ("gated_defaults", "feature_gates"):
        r[key] = tuple(sorted(dict(r.get(key, {})).items()))
    for stage in dict(r["feature_gates"]).values():
        if stage not in GATE_STAGE_DEFAULT:
            raise ValueError(f"releases.json: minor {r['minor']}: unknown feature gate stage {stage!r}")
    return Release(**r)


RELEASES: list[Release] = _load()
_BY_MINOR = {r.minor: r for r in RELEASES}


def normalize_minor(version: str) -> str:
    """``"v1.10.13"``, ``"1.10"``, ``"1.17.0"``, ``"v1.30.2-eks-1234"`` -> ``"1.10"`` etc.
    (:func:`kubehash.kubelet.versions.parse_version`; :class:`UnsupportedVersionError` if it does not parse)."""
    try:
        return parse_version(version).minor_key
    except VersionError as e:
        raise UnsupportedVersionError(version, supported_minors(), why=e.problem) from None


def supported_minors() -> list[str]:
    return [r.minor for r in RELEASES]


@cache
def release(version: str) -> Release:
    """The release-table row for a kubelet version; :class:`UnsupportedVersionError` if unknown."""
    minor = normalize_minor(version)
    try:
        return _BY_MINOR[minor]
    except KeyError:
        raise UnsupportedVersionError(version, supported_minors()) from None


def go_at_least(go: str, major: int, minor: int) -> bool:
    """Whether Go release ``go`` (``1.22.5``, ``go1.21``) is ``major.minor`` or later
    (:class:`~kubehash.errors.VersionError` when it is not a Go version)."""
    from kubehash.kubelet.toolchains import parse_go_version

    return parse_go_version(go).at_least(major, minor)
