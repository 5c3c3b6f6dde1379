"""The small records a prediction run shares between its parts: the kubelet a node runs now, what every
container with one distinct spec gets, and what every container without a runtime record at one place gets."""

from __future__ import annotations

from dataclasses import dataclass

from kubehash.errors import DecodeError
from kubehash.kubelet.defaults import Defaulted
from kubehash.kubelet.releases import Release
from kubehash.upgrade.explain import Reason

__all__ = ["Judged", "OldKubelet", "Outcome"]


@dataclass(frozen=True, slots=True)
class OldKubelet:
    """The kubelet a node runs now: its release row, and its version as the node reports it (a bare
    ``--from`` minor: as given), which decides the Go toolchain (``docs/go-toolchains.md``)."""

    release: Release
    version: str

    @property
    def minor(self) -> str:
        return self.release.minor


@dataclass(slots=True)
class Outcome:
    """What every container with one (spec, old kubelet, decode path, kind, hostNetwork) gets."""

    old_hash: int | None
    new_hash: int | None
    error: DecodeError | None
    lookups: int  # hash-cache lookups it stands for: 1 when the old hash failed, else 2
    undefaulted: bool  # the new side's spec is the current one (no default changed it)
    reasons: list[Reason] | None = None  # why old and new differ, once asked
    old_hwr: int | None = None  # hashWithoutResources: the old kubelet's of the current spec, once asked
    new_hwr: int | None = None  # ... and the target kubelet's of the new side's spec
    #: A static pod's defaults written by an old kubelet whose defaulting gates were set (its hashed copy).
    old_defaults: Defaulted | None = None
    #: Paths (relative to the container) of the fields the old kubelet's version does not have.
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Judged:
    """What every running, compared container of one distinct (spec, old kubelet, kind, decode path,
    hostNetwork, place in the pod) gets when no runtime record speaks for it."""

    old_hash: int | None
    new_hash: int | None
    verdict: str  # "restart" (before any ignore file is asked), "unchanged" or "error"
    reasons: tuple[Reason, ...]
    unknown: tuple[str, ...]  # input notes: fields the old kubelet's version does not have
    error: DecodeError | None
    lookups: int  # the hash-cache lookups one container stands for
