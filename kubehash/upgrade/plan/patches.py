"""The patch releases an upgrade plan stops at, and their order.

The Go toolchain that built a kubelet is a property of its **patch** release (``docs/go-toolchains.md``), so a
plan names a patch for every version it passes through, resolved as ``predict`` resolves ``--to``:

* the start is ``--from`` as given (a bare minor: its newest patch), else the oldest node's kubelet;
* the target is ``--to`` as given (a bare minor: its newest patch, what an operator upgrading "to 1.29"
  installs today);
* every minor in between is its newest known patch, and so is the start's minor when the start is an older
  patch of it: a **patch hop** (``v1.28.0 -> v1.28.15``, always within the skew policy) can then come first.

Versions are labelled by the upstream patch they are (``v1.28.15``; a vendor build such as
``v1.28.15-eks-a737599`` is labelled ``v1.28.15``, while its nodes keep their own version for the Go lookup).
"""

from __future__ import annotations

from kubehash.kubelet.toolchains import newest_patch, toolchain
from kubehash.kubelet.versions import parse_version
from kubehash.upgrade.plan.skew import hop_allowed, minor_range

__all__ = ["is_patch_hop", "label", "order", "plan_allowed", "plan_versions", "same_minor"]


def label(version: str) -> str:
    """``"1.29"`` -> ``"v1.29.15"`` (its newest known patch); ``"v1.28.15-eks-a737599"`` -> ``"v1.28.15"``."""
    return toolchain(version).resolved.upstream


def order(version: str) -> tuple[int, int, int, int, int]:
    """Release order of a kubelet version (a bare minor as its newest patch; a pre-release before its release;
    vendor suffixes ignored: a vendor build of a patch is that patch)."""
    v = toolchain(version).resolved
    assert v.patch is not None
    if v.prerelease:
        name, _, num = v.prerelease.partition(".")
        return v.major, v.minor, v.patch, {"alpha": 0, "beta": 1, "rc": 2}[name], int(num or 0)
    return v.major, v.minor, v.patch, 3, 0


def same_minor(a: str, b: str) -> bool:
    return parse_version(a).minor_key == parse_version(b).minor_key


def is_patch_hop(a: str, b: str) -> bool:
    """Whether ``a -> b`` is a newer patch of the same minor."""
    return same_minor(a, b) and order(b) > order(a)


def plan_allowed(a: str, b: str) -> tuple[bool, str]:
    """:func:`~kubehash.upgrade.plan.skew.hop_allowed`, plus patch hops (a newer patch of the same minor: no
    skew at all) and downgrades within a minor (not allowed)."""
    if same_minor(a, b):
        if order(b) > order(a):
            return True, ""
        return False, f"{label(b)} is not newer than {label(a)}"
    return hop_allowed(a, b)


def plan_versions(start: str, target: str) -> list[str]:
    """The labels a plan from ``start`` to ``target`` may stop at, oldest first: the start, its minor's newest
    patch (when newer and the target is in another minor), the newest patch of every minor in between, the
    target."""
    s, t = label(start), label(target)
    if same_minor(s, t):
        return [s, t]
    minors = minor_range(s, t)
    out = [s]
    newest = newest_patch(minors[0]).upstream
    if order(newest) > order(s):
        out.append(newest)
    out.extend(newest_patch(m).upstream for m in minors[1:-1])
    out.append(t)
    return out
