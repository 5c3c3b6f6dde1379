"""Upgrade paths for in-place kubelet upgrades: which hops the version skew policy allows, and how many
running containers each hop restarts.

A **hop** ``a -> b`` replaces, in place, every kubelet older than ``b`` by kubelet ``b`` (the control plane
reached ``b`` one minor at a time before; :mod:`kubehash.upgrade.plan.skew`). Its restarts are
:func:`~kubehash.upgrade.predict.predict` for the pods on those nodes, with the cluster as it is after
reaching ``a``:

* nodes run ``max(their kubelet, a)``;
* a running container on a node upgraded on the way to ``a`` has the hash kubelet ``a`` computed when it
  (re)started or last compared it: after every hop the recorded hash equals the new kubelet's hash, whether
  the container restarted (it was started with the new hash) or not (old and new hash were equal). Later
  hops compare against it. Containers on nodes not upgraded yet keep their recorded hashes (``runtime``).

So the cluster after reaching ``a`` depends on ``a`` only, not on the path to it, and the cheapest path
(fewest container restarts summed over hops, then fewest hops) is a shortest path over the allowed hops.

The direct jump ``from -> to`` is always predicted too, whether the skew policy allows it or not, because it
is what an operator who replaces the kubelet binary once would do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from kubehash.errors import KubehashError
from kubehash.kubelet.defaults import apply_defaults
from kubehash.kubelet.flags import flags_removed_between
from kubehash.kubelet.releases import release
from kubehash.model import Documents, NodeVersions, RuntimeRecord, iter_containers, iter_pods, node_kubelet_versions
from kubehash.upgrade.labels import reason_labels
from kubehash.upgrade.options import Options
from kubehash.upgrade.plan.skew import allowed_targets, hop_allowed, max_kubelet_skew, minor_range
from kubehash.upgrade.predict import Prediction, predict

__all__ = ["Hop", "UpgradePath", "UpgradePlan", "plan"]

#: Verdicts after which the container runs with the new kubelet's hash recorded.
_SETTLED = ("restart", "unchanged")


@dataclass
class Hop:
    """One in-place kubelet upgrade of every node older than ``to``."""

    from_version: str
    to: str
    nodes: tuple[str, ...]  # the nodes whose kubelet is replaced
    prediction: Prediction  # the containers of the pods on those nodes
    allowed: bool = True
    policy_note: str = ""
    #: Kubelet flags the target removed that the current kubelet accepted: a command line still holding one
    #: stops the new kubelet at once (``docs/kubelet-flags.md``).
    flags_removed: tuple[str, ...] = ()

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

    @property
    def restart_free_hops(self) -> list[Hop]:
        return [h for h in self.hops if h.restart_free]

    def hop(self, from_version: str, to: str) -> Hop:
        a, b = release(from_version).minor, release(to).minor
        for h in [*self.hops, *self.direct.hops]:
            if (h.from_version, h.to) == (a, b):
                return h
        raise KeyError(f"no hop {a} -> {b} in this plan")

    def path(self, name: str) -> UpgradePath:
        for p in self.paths:
            if name in p.names:
                return p
        raise KeyError(f"no path named {name!r}")


# -- planning --------------------------------------------------------------------------------------------


def _node_versions(nodes: Any) -> dict[str, str]:
    if nodes is None:
        return {}
    if isinstance(nodes, Mapping) and "items" not in nodes and "kind" not in nodes:
        raw = {str(k): str(v) for k, v in nodes.items()}
    else:
        raw = node_kubelet_versions(nodes)
    out: dict[str, str] = {}
    for name, v in raw.items():
        try:
            out[name] = release(v).minor
        except KubehashError as e:
            raise KubehashError(f"node {name}: kubelet version {v!r}: {e}") from None
    return out


def _node_of(pod: Mapping[str, Any]) -> str | None:
    spec = pod.get("spec")
    n = spec.get("nodeName") if isinstance(spec, Mapping) else None
    return n if isinstance(n, str) and n else None


class _Planner:
    """Predicts hops from the cluster state after reaching a version (which depends on that version only)."""

    def __init__(
        self,
        pods: list[Mapping[str, Any]],
        start: str,
        target: str,
        node_versions: dict[str, str],
        runtime: Iterable[RuntimeRecord],
        options: Options,
    ) -> None:
        self.pods, self.start, self.target, self.options = pods, start, target, options
        self.defaults = options.defaults
        self.orig = {n: v for n, v in node_versions.items()}
        for pod in pods:
            n = _node_of(pod)
            if n is not None:
                self.orig.setdefault(n, start)
        self.runtime = list(runtime)
        self._defaulted: dict[tuple[int, str], Mapping[str, Any]] = {}
        self._gates: dict[str, dict[str, bool]] = {}  # the control plane's gates per minor
        # records synthesized after reaching a version: (namespace, pod, container) -> record, per version
        self.settled: dict[str, dict[tuple[str | None, str | None, str], RuntimeRecord]] = {}

    def _at(self, version: str) -> dict[str, str]:
        """Node kubelet versions after every node older than ``version`` was upgraded to it."""
        v = release(version).minor_number
        return {n: (o if release(o).minor_number >= v else release(version).minor) for n, o in self.orig.items()}

    def _served(self, pod: Mapping[str, Any], version: str) -> Mapping[str, Any]:
        """``pod`` (one of ``self.pods``, alive as long as the planner) as the ``version`` API server serves it."""
        key = (id(pod), version)
        hit = self._defaulted.get(key)
        if hit is None:
            gates = self._gates.get(version)
            if gates is None:
                hop = self.options.for_hop(self.start, version, first=False, last=False)
                gates = self._gates[version] = dict(hop.feature_gates)
            hit = self._defaulted[key] = apply_defaults(pod, version, feature_gates=gates).obj
        return hit

    def _records(self, version: str) -> list[RuntimeRecord]:
        if version == self.start:
            return self.runtime
        settled = self.settled[version]
        kept = [r for r in self.runtime if r.key not in settled]
        return [*kept, *settled.values()]

    def hop(self, a: str, b: str) -> Hop:
        nodes_at_a = self._at(a)
        bn = release(b).minor_number
        upgraded = {n for n, v in nodes_at_a.items() if release(v).minor_number < bn}
        pods = [p for p in self.pods if _node_of(p) in upgraded]
        if self.defaults and a != self.start:
            # the kubelets at ``a`` saw the dump as the ``a`` API server serves it (defaults apply on read)
            pods = [self._served(p, a) for p in pods]
        options = self.options.for_hop(a, b, first=a == self.start, last=b == self.target)
        prediction = predict(pods, options, nodes=nodes_at_a, runtime=self._records(a))
        ok, note = hop_allowed(a, b)
        removed = tuple(f"--{f.name}" for f in flags_removed_between(a, b))
        hop = Hop(a, b, tuple(sorted(upgraded)), prediction, ok, note, removed)
        if b not in self.settled:
            self._settle(b, prediction)
        return hop

    def _settle(self, b: str, prediction: Prediction) -> None:
        """Records after reaching ``b``: the new hash for every container the hop left running. Any hop into
        ``b`` covers the same nodes (those older than ``b``) and gives the same new hashes."""
        settled: dict[tuple[str | None, str | None, str], RuntimeRecord] = {}
        for c in prediction:
            if c.verdict in _SETTLED and c.new_hash is not None:
                settled[(c.namespace, c.pod, c.container)] = RuntimeRecord(
                    c.namespace,
                    c.pod,
                    c.container,
                    c.new_hash,
                    started_at=c.started_at if c.verdict == "unchanged" else None,
                    state="running",
                    node=c.node,
                    origin=f"kubehash plan: hash recorded by kubelet {b}",
                )
        self.settled[b] = settled


def _ends(options: Options, node_versions: Mapping[str, str]) -> tuple[str, str]:
    """The plan's start minor (``from_version``, else the oldest node's kubelet) and target minor; a
    :class:`~kubehash.errors.KubehashError` when the target is not newer or a node is older than the start."""
    from_version, to = options.from_version, options.to
    if from_version is None:
        if not node_versions:
            raise KubehashError("no node kubelet versions: pass nodes or a from-version")
        start = min(node_versions.values(), key=lambda v: release(v).minor_number)
    else:
        start = release(from_version).minor
    target = release(to).minor
    if release(target).minor_number <= release(start).minor_number:
        raise KubehashError(f"nothing to plan: {target} is not newer than {start}")
    older = sorted(n for n, v in node_versions.items() if release(v).minor_number < release(start).minor_number)
    if older:
        raise KubehashError(
            f"node {older[0]} runs kubelet {node_versions[older[0]]}, older than the plan's start {start}: "
            "pass that version as the start"
        )
    return start, target


def _distinct(*candidates: UpgradePath) -> list[UpgradePath]:
    """The candidate paths with the same versions merged into the first (its names extended), in order."""
    paths: list[UpgradePath] = []
    for p in candidates:
        same = next((q for q in paths if q.versions == p.versions), None)
        if same is not None:
            same.names.extend(p.names)
        else:
            paths.append(p)
    return paths


def plan(
    pods: Documents,
    options: Options,
    *,
    nodes: Documents | NodeVersions | None = None,
    runtime: Iterable[RuntimeRecord] = (),
    progress: Callable[[Hop], None] | None = None,
) -> UpgradePlan:
    """Plan in-place kubelet upgrades from ``options.from_version`` (default: the oldest kubelet in ``nodes``)
    to ``options.to``.

    ``pods``, ``nodes`` and ``runtime`` are as for :func:`~kubehash.upgrade.predict.predict`. With
    ``options.defaults`` (the default) the API servers' defaults apply, each minor with its feature gates
    (``options``' gates where that minor has them, else its defaults): before a hop
    ``a -> b`` the kubelets see the dump as the ``a`` API server serves it, and the new kubelet sees that as the
    ``b`` one serves it (the same as serving the dump, unless a later minor stops adding a default an earlier
    one added: ``resizePolicy`` with ``InPlacePodVerticalScaling`` turned on, 1.32 -> 1.33). Raises
    :class:`~kubehash.errors.KubehashError` when ``to`` is not newer than the start, or a node runs a
    kubelet older than ``from_version``."""
    node_versions = _node_versions(nodes)
    start, target = _ends(options, node_versions)
    planner = _Planner(list(iter_pods(pods)), start, target, node_versions, runtime, options)
    versions = minor_range(start, target)
    hops: list[Hop] = []
    for a in versions[:-1]:
        for b in allowed_targets(a, target):
            h = planner.hop(a, b)
            hops.append(h)
            if progress is not None:
                progress(h)
    by_edge = {(h.from_version, h.to): h for h in hops}
    direct_hop = by_edge.get((start, target)) or planner.hop(start, target)
    direct = UpgradePath(["direct"], [direct_hop])
    cheapest = UpgradePath(["cheapest"], _cheapest(versions, by_edge))
    minor_by_minor = UpgradePath(["minor-by-minor"], [by_edge[(a, b)] for a, b in pairwise(versions)])
    fewest = UpgradePath(["fewest-hops"], _fewest_hops(versions, by_edge))
    paths = _distinct(cheapest, fewest, minor_by_minor, direct)
    n_containers = sum(1 for pod in planner.pods for _ in iter_containers(pod))
    return UpgradePlan(start, target, hops, direct, cheapest, paths, n_containers, dict(sorted(planner.orig.items())))


def _cheapest(versions: list[str], by_edge: Mapping[tuple[str, str], Hop]) -> list[Hop]:
    """Fewest restarts summed over hops, then fewest hops, then the earliest versions (deterministic)."""
    best: dict[str, tuple[int, int, list[str]]] = {versions[0]: (0, 0, [versions[0]])}
    for a in versions:
        if a not in best:
            continue
        cost, n, route = best[a]
        for (x, b), h in by_edge.items():
            if x != a:
                continue
            cand = (cost + h.restarts, n + 1, [*route, b])
            cur = best.get(b)
            if cur is None or _key(cand) < _key(cur):
                best[b] = cand
    route = best[versions[-1]][2]
    return [by_edge[(a, b)] for a, b in pairwise(route)]


def _key(c: tuple[int, int, list[str]]) -> tuple[int, int, list[int]]:
    return c[0], c[1], [release(v).minor_number for v in c[2]]


def _fewest_hops(versions: list[str], by_edge: Mapping[tuple[str, str], Hop]) -> list[Hop]:
    """Always the longest hop the policy allows (optimal: the allowed skew never shrinks as versions grow)."""
    out: list[Hop] = []
    a = versions[0]
    while a != versions[-1]:
        b = max((y for x, y in by_edge if x == a), key=lambda v: release(v).minor_number)
        out.append(by_edge[(a, b)])
        a = b
    return out
