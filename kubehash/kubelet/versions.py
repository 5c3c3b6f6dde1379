"""Kubelet version strings: the one parser of the project.

Accepts what operators type (``1.28``, ``1.28.15``, ``v1.28.15``) and what clusters report in
``status.nodeInfo.kubeletVersion``: the kubelet's ``gitVersion``, which upstream builds set to
``vMAJOR.MINOR.PATCH`` with an optional semver pre-release (``-alpha.2``, ``-beta.0``, ``-rc.1``) and, for
builds from a git tree, a ``git describe`` tail (``v1.31.0-alpha.3.123+0123456789abcd``). Vendors append their
own suffix in the same semver slots, for example

* EKS ``v1.28.15-eks-a737599``, GKE ``v1.28.15-gke.1020000``, Alibaba ACK ``v1.27.3-aliyun.1``,
  Tencent TKE ``v1.26.1-tke.2``, AKS LTS ``v1.28.100-akslts`` (pre-release slot);
* k3s ``v1.29.15+k3s1``, RKE2 ``v1.29.15+rke2r1``, k0s ``v1.30.1+k0s``, OpenShift ``v1.27.10+c79e5e2``,
  VMware ``v1.28.8+vmware.1`` (build-metadata slot).

A suffix that is an upstream pre-release (``alpha``/``beta``/``rc`` with its number) is kept as
:attr:`KubeletVersion.prerelease`; anything else is a vendor suffix (:attr:`KubeletVersion.vendor`): the
kubelet is the vendor's build of that upstream patch. Unparseable input is a :class:`~kubehash.errors.VersionError`
(a :class:`~kubehash.errors.KubehashError`), whatever its type or size.

Go toolchain versions (``go1.22.5``, ``1.22rc2``: :class:`GoVersion`) and bare minors (``1.28``:
:func:`minor_tuple`) are parsed here too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import total_ordering

from kubehash.errors import VersionError

__all__ = [
    "ESCAPING_GO",
    "GoVersion",
    "KubeletVersion",
    "go_escapes_backspace_formfeed",
    "minor_tuple",
    "parse_go_version",
    "parse_version",
]

#: Longest text accepted; real kubelet versions are well under 100 characters.
MAX_LENGTH = 200
_NUMBER_DIGITS = 6

_VERSION = re.compile(
    r"[vV]?(?P<major>[0-9]{1,6})\.(?P<minor>[0-9]{1,6})"
    r"(?:\.(?P<patch>[0-9]{1,6})(?P<suffix>[-+][0-9A-Za-z._~+-]*)?)?"
)
_PRERELEASE = re.compile(r"-(?P<pre>(?:alpha|beta|rc)(?:\.[0-9]{1,6})?)(?=$|[.+-])")
_KNOWN_VENDORS = (
    ("eks", "EKS"),
    ("gke", "GKE"),
    ("akslts", "AKS LTS"),
    ("aks", "AKS"),
    ("aliyun", "Alibaba Cloud ACK"),
    ("tke", "Tencent TKE"),
    ("rke2", "RKE2"),
    ("k3s", "k3s"),
    ("k0s", "k0s"),
    ("vmware", "VMware"),
    ("iks", "IBM Cloud IKS"),
)
_PRE_RANK = {"alpha": 0, "beta": 1, "rc": 2}


@total_ordering
@dataclass(frozen=True, eq=True)
class KubeletVersion:
    """A parsed kubelet version.

    ``patch`` is ``None`` for a bare minor (``1.29``). ``prerelease`` is the upstream pre-release
    (``"rc.1"``) or ``None``; ``vendor`` is the rest of the suffix without its leading ``-``/``+``
    (``"eks-a737599"``, ``"k3s1"``) or ``None``; ``suffix`` is the whole suffix as written
    (``"-eks-a737599"``). ``text`` is the input as given (surrounding blanks removed).

    Ordering follows upstream release order: major, minor, patch (a bare minor before its patches), a
    pre-release before its release; versions equal in all of those are ordered by their text, so the order
    is total and agrees with ``==``.
    """

    major: int
    minor: int
    patch: int | None
    suffix: str
    prerelease: str | None
    vendor: str | None
    text: str

    @property
    def minor_key(self) -> str:
        """``"1.28"``: the key of the release table and the specs."""
        return f"{self.major}.{self.minor}"

    @property
    def is_bare_minor(self) -> bool:
        return self.patch is None

    @property
    def canonical(self) -> str:
        """``v1.28.15-eks-a737599``; a bare minor stays ``1.28``. Parsing it gives back an equal version
        except for :attr:`text`."""
        if self.patch is None:
            return self.minor_key
        return f"v{self.major}.{self.minor}.{self.patch}{self.suffix}"

    @property
    def upstream(self) -> str:
        """The upstream release this is (or is built from): ``v1.28.15``, ``v1.31.0-rc.1``, ``1.28``."""
        if self.patch is None:
            return self.minor_key
        pre = f"-{self.prerelease}" if self.prerelease else ""
        return f"v{self.major}.{self.minor}.{self.patch}{pre}"

    @property
    def vendor_name(self) -> str | None:
        """A known vendor's name when the suffix names one (``EKS``, ``k3s``...), else ``None``."""
        if self.vendor is None:
            return None
        low = self.vendor.lower()
        for token, name in _KNOWN_VENDORS:
            if low.startswith(token):
                return name
        return None

    def _key(self) -> tuple[int, int, int, int, int, str]:
        pre_rank, pre_num = 3, 0
        if self.prerelease:
            name, _, num = self.prerelease.partition(".")
            pre_rank, pre_num = _PRE_RANK[name], int(num or 0)
        patch = -1 if self.patch is None else self.patch
        return (self.major, self.minor, patch, pre_rank, pre_num, self.text)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, KubeletVersion):
            return NotImplemented
        return self._key() < other._key()

    def __str__(self) -> str:
        return self.text


def _checked_text(text: object, node: str | None) -> str:
    """``text`` without surrounding whitespace, once it is a printable ASCII string of a sane length."""
    if not isinstance(text, str):
        raise VersionError(text, f"expected a string, got {type(text).__name__}", node=node)
    if len(text) > MAX_LENGTH:
        raise VersionError(text, f"longer than {MAX_LENGTH} characters", node=node)
    stripped = text.strip(" \t\r\n")
    if not stripped:
        raise VersionError(text, "empty", node=node)
    if not stripped.isascii() or not stripped.isprintable():
        raise VersionError(text, "contains control or non-ASCII characters", node=node)
    return stripped


def _split_suffix(text: object, suffix: str, node: str | None) -> tuple[str | None, str | None]:
    """(pre-release, vendor) of the suffix after the patch number (``-rc.1+k3s1``: ``rc.1``, ``k3s1``)."""
    if suffix in ("-", "+"):
        raise VersionError(text, "empty suffix after the patch number", node=node)
    prerelease: str | None = None
    vendor: str | None = suffix[1:] or None
    pre = _PRERELEASE.match(suffix)
    if pre is not None:
        prerelease = pre.group("pre")
        rest = suffix[pre.end() :]
        vendor = rest[1:] if rest else None
        if rest and not vendor:
            raise VersionError(text, "empty suffix after the pre-release", node=node)
    return prerelease, vendor


def parse_version(text: object, *, node: str | None = None) -> KubeletVersion:
    """Parse a kubelet version; :class:`~kubehash.errors.VersionError` (naming ``node``) if it is not one."""
    if isinstance(text, KubeletVersion):
        return text
    stripped = _checked_text(text, node)
    m = _VERSION.fullmatch(stripped)
    if m is None:
        raise VersionError(text, "expected MAJOR.MINOR or vMAJOR.MINOR.PATCH with an optional -/+ suffix", node=node)
    suffix = m.group("suffix") or ""
    prerelease, vendor = _split_suffix(text, suffix, node)
    patch = m.group("patch")
    return KubeletVersion(
        major=int(m.group("major")),
        minor=int(m.group("minor")),
        patch=None if patch is None else int(patch),
        suffix=suffix,
        prerelease=prerelease,
        vendor=vendor,
        text=stripped,
    )


def minor_tuple(minor: str) -> tuple[int, int]:
    """``"1.9"`` -> ``(1, 9)``: the sort key of a minor as the release table and the specs write it (the one
    minor-number parser; a full version goes through :func:`parse_version`)."""
    major, _, rest = minor.partition(".")
    return int(major), int(rest)


# ---- Go toolchain versions -------------------------------------------------------------------------

_GO = re.compile(
    r"(?:go)?(?P<major>[0-9]{1,4})\.(?P<minor>[0-9]{1,4})(?:\.(?P<patch>[0-9]{1,4}))?"
    r"(?:(?P<pre>rc|beta)(?P<pre_num>[0-9]{1,4}))?"
)
_GO_PRE_RANK = {"beta": 0, "rc": 1}


@total_ordering
@dataclass(frozen=True, eq=False)
class GoVersion:
    """A Go release: ``go1.22.5``, ``1.22``, ``1.22rc2``. ``patch`` is ``None`` when only the minor is named
    (ordered as ``.0``); ``pre`` is ``"rc2"``/``"beta1"`` for a pre-release (ordered before ``.0``)."""

    major: int
    minor: int
    patch: int | None
    pre_kind: str | None
    pre_num: int
    text: str

    @property
    def pre(self) -> str | None:
        return None if self.pre_kind is None else f"{self.pre_kind}{self.pre_num}"

    def _key(self) -> tuple[int, int, int, int, int]:
        if self.pre_kind is not None:
            return (self.major, self.minor, -1, _GO_PRE_RANK[self.pre_kind], self.pre_num)
        return (self.major, self.minor, self.patch or 0, 9, 0)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, GoVersion):
            return NotImplemented
        return self._key() < other._key()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, GoVersion):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def at_least(self, major: int, minor: int) -> bool:
        """Whether this is Go ``major.minor`` or later (a pre-release of ``major.minor`` counts: the
        ``encoding/json`` change was in Go 1.22's release candidates already)."""
        return (self.major, self.minor) >= (major, minor)

    def __str__(self) -> str:
        return self.text


def parse_go_version(text: object, *, node: str | None = None) -> GoVersion:
    """``"go1.22.5"``, ``"1.22.5"``, ``"1.22"``, ``"1.22rc2"`` -> :class:`GoVersion`; else a VersionError."""
    if not isinstance(text, str):
        raise VersionError(text, f"expected a string, got {type(text).__name__}", node=node, what="Go version")
    m = _GO.fullmatch(text.strip(" \t\r\n")) if len(text) <= 40 else None
    if m is None:
        raise VersionError(text, "expected e.g. 1.22.5, go1.22.5, 1.22 or 1.22rc2", node=node, what="Go version")
    pre = m.group("pre")
    patch = m.group("patch")
    major, minor = int(m.group("major")), int(m.group("minor"))
    pre_num = int(m.group("pre_num") or 0)
    canonical = (
        f"{major}.{minor}" + (f".{int(patch)}" if patch is not None else "") + (f"{pre}{pre_num}" if pre else "")
    )
    return GoVersion(major, minor, None if patch is None else int(patch), pre, pre_num, canonical)


#: The Go release from which ``encoding/json`` writes ``\b`` and ``\f`` (Go 1.22 release notes).
ESCAPING_GO = (1, 22)


def go_escapes_backspace_formfeed(go: str | GoVersion) -> bool:
    """Whether a kubelet built with Go ``go`` writes U+0008/U+000C as ``\\b``/``\\f`` (Go >= 1.22)."""
    v = go if isinstance(go, GoVersion) else parse_go_version(go)
    return v.at_least(*ESCAPING_GO)
