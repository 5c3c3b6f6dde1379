"""Kubelet downgrades: a node whose kubelet is newer than the target.

Replacing such a kubelet by the target is a downgrade. Across minors it is outside the version skew policy
(a kubelet must never be newer than kube-apiserver, and the control plane is never downgraded; the policy
page, since 1.13); within a minor it is a patch downgrade, which upstream neither tests nor supports.
``predict`` still compares the two hashes for such a node, ``plan`` leaves it as it is: both warn, per node.
"""

from __future__ import annotations

from collections.abc import Iterable

from kubehash.errors import KubehashError
from kubehash.kubelet.toolchains import toolchain
from kubehash.kubelet.versions import parse_version

__all__ = ["downgrade_warnings"]


def _key(version: str) -> tuple[int, int, int, int]:
    v = toolchain(version).resolved
    assert v.patch is not None
    return v.major, v.minor, v.patch, 0 if v.prerelease else 1


def downgrade_warnings(
    nodes: Iterable[tuple[str | None, str]], target: str, *, action: str = "predicted as a downgrade"
) -> list[str]:
    """One warning per node (``(node, kubelet version)`` pairs; unparseable versions are skipped: they are
    errors elsewhere) whose kubelet is newer than ``target`` (a bare minor: its newest patch)."""
    try:
        tgt = _key(target)
        shown = toolchain(target).resolved.upstream
    except KubehashError:
        return []
    out: dict[str, str] = {}
    for node, version in nodes:
        if node is None or node in out:
            continue
        try:
            key = _key(version)
            minor = parse_version(version).minor_key
        except KubehashError:
            continue
        if key <= tgt:
            continue
        if minor != parse_version(target).minor_key:
            why = "a kubelet downgrade across minors is outside the version skew policy (a kubelet is never newer "
            why += "than kube-apiserver; the control plane is not downgraded)"
        else:
            why = "a patch downgrade of the kubelet, which upstream does not support"
        out[node] = f"node {node} runs kubelet {version}, newer than the target {shown}: {why}; {action}"
    return [out[n] for n in sorted(out)]
