"""The Kubernetes version skew policy between kubelet and kube-apiserver, as far as an upgrade plan needs it.

History of the rule (kubelet versus kube-apiserver):

* until 1.12 the release versioning document (kubernetes/community, design-proposals/release/versioning.md)
  said "nodes may lag masters components by up to two minor versions but should be at a version no newer
  than the master";
* from 1.13 (Dec 2018) the "Version Skew Policy" page states it: ``kubelet`` must not be newer than
  ``kube-apiserver`` and may be up to two minor versions older; the control plane is upgraded from 1.n to
  1.(n+1) only (the page later adds that ``kube-apiserver`` must not skip minor versions, even in
  single-instance clusters);
* from 1.28 (KEP-3935, "oldest node, newest control plane"): ``kubelet`` may be up to **three** minor
  versions older, but a ``kubelet`` older than 1.25 still only two.

The same page says in-place minor ``kubelet`` upgrades are not supported (drain the node first); kubehash
exists because people do them anyway, so a "hop" here is one in-place kubelet upgrade.

A plan keeps the control plane one minor ahead at a time. Before every node's kubelet moves from ``a`` to
``b``, the API server must already run ``b`` (a kubelet is never newer than the API server) while the
kubelets still run ``a``; that is within the policy when ``b - a <= max_kubelet_skew(a)``.
"""

from __future__ import annotations

from kubehash.kubelet.releases import RELEASES, release

__all__ = ["SKEW_POLICY", "allowed_targets", "hop_allowed", "max_kubelet_skew", "minor_range"]

#: One line for reports.
SKEW_POLICY = (
    "kubelet never newer than kube-apiserver, at most 2 minors older (3 for kubelet >= 1.25 with "
    "kube-apiserver >= 1.28); kube-apiserver upgrades one minor at a time"
)


def _n(version: str) -> int:
    return release(version).minor_number


def max_kubelet_skew(kubelet: str) -> int:
    """How many minors ``kubelet`` may lag behind ``kube-apiserver``: the release table's ``kubelet_skew`` (2; 3
    from 1.25 kubelets, which the policy allows from 1.28 control planes on: 1.25 + 3 = 1.28)."""
    return release(kubelet).kubelet_skew


def hop_allowed(from_version: str, to: str) -> tuple[bool, str]:
    """Whether kubelets at ``from_version`` may be upgraded in one hop to ``to``, and why not."""
    a, b = _n(from_version), _n(to)
    if b <= a:
        return False, f"{release(to).minor} is not newer than {release(from_version).minor}"
    limit = max_kubelet_skew(from_version)
    if b - a > limit:
        return False, (
            f"kube-apiserver {release(to).minor} with kubelets at {release(from_version).minor} is a skew of "
            f"{b - a} minors (the policy allows {limit})"
        )
    return True, ""


def minor_range(from_version: str, to: str) -> list[str]:
    """Every minor of the release table from ``from_version`` to ``to``, both included."""
    a, b = _n(from_version), _n(to)
    return [r.minor for r in RELEASES if a <= r.minor_number <= b]


def allowed_targets(from_version: str, to: str) -> list[str]:
    """The versions a kubelet at ``from_version`` may be upgraded to in one hop, not past ``to``."""
    return [v for v in minor_range(from_version, to)[1:] if hop_allowed(from_version, v)[0]]
