"""A node's kubelet command line and config file, as collected from the node (read by
:mod:`kubehash.sources.kubelet_args`, judged by :mod:`kubehash.upgrade.kubelet_flags`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["KubeletArgs", "KubeletConfigFile", "KubeletFlag", "Origin"]


@dataclass(frozen=True)
class Origin:
    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file} line {self.line}"


@dataclass(frozen=True)
class KubeletFlag:
    """One flag as written: ``name`` normalised (no dashes, ``_`` -> ``-``), ``value`` (``None`` for a bare
    flag), ``written`` the word(s) as they appear, ``origin`` where."""

    name: str
    value: str | None
    written: str
    origin: Origin
    shorthand: bool = False


@dataclass(frozen=True)
class KubeletArgs:
    """A node's kubelet command line: its flags in order, stray positional words, the files read."""

    node: str | None
    flags: tuple[KubeletFlag, ...]
    positional: tuple[str, ...] = ()
    files: tuple[str, ...] = ()

    def values(self, name: str) -> list[str | None]:
        return [f.value for f in self.flags if f.name == name]


@dataclass(frozen=True)
class KubeletConfigFile:
    """A ``KubeletConfiguration`` file: apiVersion, kind, every field path present (JSON names joined by
    ``.``, list items as ``[]``) with its line, and ``featureGates``."""

    origin: str
    api_version: str | None
    kind: str | None
    fields: Mapping[str, int | None]
    feature_gates: Mapping[str, object] = field(default_factory=dict)
    node: str | None = None
