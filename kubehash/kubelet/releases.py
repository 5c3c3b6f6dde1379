"""The release table: one row per kubelet minor, loaded from ``specs/releases.json``.

Eras (``pkg/kubelet/container/helpers.go`` ``HashContainer``):

* ``struct`` (1.6-1.15): FNV-1a of the go-spew dump of the ``v1.Container`` value;
* ``json`` (1.16-1.30): FNV-1a of the spew dump of ``json.Marshal(container)`` as ``[]byte``;
* ``name-image`` (1.31+): the same, of ``json.Marshal(map[string]string{"name", "image"})``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from kubehash.errors import UnsupportedVersionError

__all__ = ["RELEASES", "Release", "go_at_least", "normalize_minor", "release"]


@dataclass(frozen=True)
class Release:
    minor: str
    era: str
    go: str
    hash_without_resources: bool
    restartable_init_containers: bool

    @property
    def minor_number(self) -> int:
        return int(self.minor.split(".")[1])


def _load() -> list[Release]:
    doc = json.loads(resources.files("kubehash.specs").joinpath("releases.json").read_text(encoding="utf-8"))
    return [Release(**row) for row in doc["releases"]]


RELEASES: list[Release] = _load()
_BY_MINOR = {r.minor: r for r in RELEASES}

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+].*)?$")


def normalize_minor(version: str) -> str:
    """``"v1.10.13"``, ``"1.10"``, ``"1.17.0"``, ``"v1.30.2-eks-1234"`` -> ``"1.10"`` etc."""
    m = _VERSION.match(str(version).strip())
    if not m:
        raise UnsupportedVersionError(version, supported_minors())
    return f"{int(m.group(1))}.{int(m.group(2))}"


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
    m = re.match(r"^(?:go)?(\d+)\.(\d+)", go)
    if not m:
        raise ValueError(f"not a Go version: {go!r}")
    return (int(m.group(1)), int(m.group(2))) >= (major, minor)
