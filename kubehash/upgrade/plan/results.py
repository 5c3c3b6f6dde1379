"""What a plan holds: its hops (:class:`Hop`), the named paths through them (:class:`UpgradePath`) and the
whole answer (:class:`UpgradePlan`), with their documents and table rows. Computed by
:mod:`kubehash.upgrade.plan.planner`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kubehash.errors import KubehashError
from kubehash.kubelet.releases import release
from kubehash.upgrade.labels import reason_labels
from kubehash.upgrade.plan.patches import is_patch_hop, label
from kubehash.upgrade.plan.skew import max_kubelet_skew
from kubehash.upgrade.predict import Prediction

__all__ = ["SETTLED", "Hop", "UpgradePath", "UpgradePlan"]

#: Verdicts after which the container runs with the new kubelet's hash recorded.
SETTLED = ("restart", "unchanged")


@dataclass
class Hop:
    """One in-place kubelet upgrade of every node older than ``to`` (both patch releases, ``v1.28.15``)."""

    from_version: str
    to: str
    nodes: tuple[str, ...]  # the nodes whose kubelet is replaced
    prediction: Prediction  # the containers of the pods on those nodes
    allowed: bool = True
    policy_note: str = ""
    #: Kubelet flags the target removed that the current kubelet accepted: a command line still holding one
    #: stops the new kubelet at once (``docs/kubelet-flags.md``).
    flags_removed: tuple[str, ...] = ()
    #: The Go toolchain assumed for each side (``1.20.7``; a range when the table does not itemize the patch).
    from_go: str = ""
    to_go: str = ""

    @property
    def kind(self) -> str:
        """``patch`` for a newer patch of the same minor, else ``minor``."""
        return "patch" if is_patch_hop(self.from_version, self.to) else "minor"

    @property
    def restarts(self) -> int:
        return len(self.prediction.restarts)

    @property
    def short_note(self) -> str:
        """``outside (skew 7 > 2)`` for a hop the skew policy does not allow, else ``ok``."""
        if self.allowed:
            return "ok"
        skew = release(self.to).minor_number - release(self.from_version).minor_number
        return f"outside (skew {skew} > {max_kubelet_skew(self.from_version)})"

    @property
    def restart_free(self) -> bool:
        return self.restarts == 0

    @property
    def errors(self) -> int:
        return len(self.prediction.errors)

    @property
    def pods_restarted(self) -> int:
        return len({(c.namespace, c.pod) for c in self.prediction.restarts})

    @property
    def reasons(self) -> dict[str, int]:
        """Restarting containers per reason label (:func:`~kubehash.upgrade.labels.reason_label`; a container
        counts once per label)."""
        counts: Counter[str] = Counter()
        for c in self.prediction.restarts:
            counts.update(reason_labels(c.reasons))
        return dict(counts.most_common())


@dataclass
class UpgradePath:
    """A sequence of hops from the plan's start to its target; ``names`` says why it is shown."""

    names: list[str]
    hops: list[Hop]

    @property
    def versions(self) -> list[str]:
        return [self.hops[0].from_version, *(h.to for h in self.hops)] if self.hops else []

    @property
    def allowed(self) -> bool:
        return all(h.allowed for h in self.hops)

    @property
    def restarts(self) -> int:
        return sum(h.restarts for h in self.hops)

    @property
    def containers_restarted(self) -> int:
        """Distinct containers restarted at least once along the path."""
        return len({(c.namespace, c.pod, c.container, c.kind) for h in self.hops for c in h.prediction.restarts})

    @property
    def restart_free_hops(self) -> int:
        return sum(1 for h in self.hops if h.restart_free)


@dataclass
class UpgradePlan:
    """The result of :func:`plan`: every allowed hop, the direct jump, and the paths worth comparing."""

    from_version: str
    to: str
    hops: list[Hop]  # every hop the skew policy allows between from_version and to
    direct: UpgradePath
    cheapest: UpgradePath
    paths: list[UpgradePath]  # distinct paths: cheapest, minor-by-minor, fewest-hops, direct
    containers: int = 0
    nodes: dict[str, str] = field(default_factory=dict)  # node -> kubelet version at the start
    #: Node -> why its kubelet version cannot be used (its pods are in no hop).
    errors: dict[str, str] = field(default_factory=dict)
    #: Per node: kubelets newer than the target (left as they are), and what the ends were taken as.
    warnings: list[str] = field(default_factory=list)
    #: What each end was taken as: ``{"from": Side, "to": Side}`` (:func:`~kubehash.kubelet.toolchains.describe_side`).
    sides: dict[str, Any] = field(default_factory=dict)

    @property
    def restart_free_hops(self) -> list[Hop]:
        return [h for h in self.hops if h.restart_free]

    def hop(self, from_version: str, to: str) -> Hop:
        """The hop between two versions; a bare minor matches that minor's version in the plan (the start's
        minor: the start)."""
        for h in [*self.hops, *self.direct.hops]:
            if _matches(h.from_version, from_version) and _matches(h.to, to):
                return h
        raise KeyError(f"no hop {from_version} -> {to} in this plan")

    def path(self, name: str) -> UpgradePath:
        for p in self.paths:
            if name in p.names:
                return p
        raise KeyError(f"no path named {name!r}")


def _matches(version: str, query: str) -> bool:
    try:
        if release(query).minor != release(version).minor:
            return False
        return query.count(".") < 2 or label(query) == version
    except KubehashError:
        return False
