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

Every version is a **patch** release (:mod:`kubehash.upgrade.plan.patches`): the Go toolchain that built a
kubelet belongs to its patch, and Go 1.22 changed how ``encoding/json`` escapes ``\b``/``\f``
(``docs/go-toolchains.md``). A bare minor is its newest known patch, as in ``predict``, so each hop's restarts are
exactly what ``predict --to <hop's target>`` says for the nodes it upgrades. A same-minor upgrade
(``v1.28.0 -> v1.28.15``) is a plan of one **patch hop**; a plan that starts on an older patch of its minor can
also go to that minor's newest patch first (path ``patch-first``).

Nodes whose kubelet version cannot be read are left out of every hop and reported (:attr:`UpgradePlan.errors`);
nodes newer than the target are left as they are, with a warning (:mod:`kubehash.upgrade.downgrade`).

The direct jump ``from -> to`` is always predicted too, whether the skew policy allows it or not, because it
is what an operator who replaces the kubelet binary once would do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from itertools import pairwise
from typing import Any

from kubehash.errors import KubehashError
from kubehash.kubelet.defaults import apply_defaults
from kubehash.kubelet.flags import flags_removed_between
from kubehash.kubelet.releases import release
from kubehash.kubelet.toolchains import describe_side, toolchain
from kubehash.model import Documents, NodeVersions, RuntimeRecord, iter_containers, iter_pods, node_kubelet_versions
from kubehash.upgrade.downgrade import downgrade_warnings
from kubehash.upgrade.options import Options
from kubehash.upgrade.plan.patches import label, order, plan_allowed, plan_versions, same_minor
from kubehash.upgrade.plan.results import SETTLED, Hop, UpgradePath, UpgradePlan
from kubehash.upgrade.predict import Prediction, predict

__all__ = ["Hop", "UpgradePath", "UpgradePlan", "plan"]


# -- planning --------------------------------------------------------------------------------------------


def _node_versions(nodes: Any) -> tuple[dict[str, str], dict[str, str]]:
    """Node -> kubelet version as reported, and node -> error for versions kubehash cannot use."""
    if nodes is None:
        return {}, {}
    if isinstance(nodes, Mapping) and "items" not in nodes and "kind" not in nodes:
        raw = {str(k): str(v) for k, v in nodes.items()}
    else:
        raw = node_kubelet_versions(nodes)
    out: dict[str, str] = {}
    bad: dict[str, str] = {}
    for name, v in raw.items():
        try:
            toolchain(v, node=name)
            release(v)
            out[name] = v
        except KubehashError as e:
            bad[name] = str(e) if f"node {name}" in str(e) else f"node {name}: {e}"
    return out, bad


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
        bad: Mapping[str, str],
    ) -> None:
        self.start, self.target, self.options = start, target, options
        self.pods = [p for p in pods if _node_of(p) not in bad]
        self.defaults = options.defaults
        self.orig = {n: v for n, v in node_versions.items()}
        for pod in self.pods:
            n = _node_of(pod)
            if n is not None:
                self.orig.setdefault(n, start)
        self.runtime = list(runtime)
        self._defaulted: dict[tuple[int, str], Mapping[str, Any]] = {}
        self._gates: dict[str, dict[str, bool]] = {}  # the control plane's gates per minor
        # records synthesized after reaching a version: (namespace, pod, container) -> record, per version
        self.settled: dict[str, dict[tuple[str | None, str | None, str], RuntimeRecord]] = {}

    def _at(self, version: str) -> dict[str, str]:
        """Node kubelet versions after every node older than ``version`` was upgraded to it (at the start: the
        nodes as they are, older patches of the start's minor included)."""
        if version == self.start:
            return dict(self.orig)
        v = order(version)
        return {n: (o if order(o) >= v else version) for n, o in self.orig.items()}

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
        bn = order(b)
        upgraded = {n for n, v in nodes_at_a.items() if order(v) < bn}
        pods = [p for p in self.pods if _node_of(p) in upgraded]
        if self.defaults and a != self.start:
            # the kubelets at ``a`` saw the dump as the ``a`` API server serves it (defaults apply on read)
            pods = [self._served(p, a) for p in pods]
        options = self.options.for_hop(a, b, first=a == self.start, last=b == self.target)
        prediction = predict(pods, options, nodes=nodes_at_a, runtime=self._records(a))
        ok, note = plan_allowed(a, b)
        removed = () if same_minor(a, b) else tuple(f"--{f.name}" for f in flags_removed_between(a, b))
        from_go = describe_side(a, options.old_toolchain(a))["go"]
        to_go = describe_side(b, options.target_toolchain)["go"]
        hop = Hop(a, b, tuple(sorted(upgraded)), prediction, ok, note, removed, from_go, to_go)
        if b not in self.settled:
            self._settle(b, prediction)
        return hop

    def _settle(self, b: str, prediction: Prediction) -> None:
        """Records after reaching ``b``: the new hash for every container the hop left running. Any hop into
        ``b`` covers the same nodes (those older than ``b``) and gives the same new hashes."""
        settled: dict[tuple[str | None, str | None, str], RuntimeRecord] = {}
        for c in prediction:
            if c.verdict in SETTLED and c.new_hash is not None:
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


def _ends(options: Options, node_versions: Mapping[str, str], bad: Mapping[str, str]) -> tuple[str, str]:
    """The plan's start (``from_version``, else the oldest node's kubelet) and target, as patch labels
    (:func:`~kubehash.upgrade.plan.patches.label`); a :class:`~kubehash.errors.KubehashError` when the target
    is not newer or a node runs an older minor than the start."""
    from_version, to = options.from_version, options.to
    if from_version is None:
        if not node_versions:
            why = f" ({next(iter(bad.values()))})" if bad else ""
            raise KubehashError(f"no node kubelet versions{why}: pass nodes or a from-version")
        start = label(min(node_versions.values(), key=order))
    else:
        start = label(from_version)
    target = label(to)
    if order(target) <= order(start):
        raise KubehashError(f"nothing to plan: {target} (--to {to}) is not newer than {start}")
    sn = release(start).minor_number
    older = sorted(n for n, v in node_versions.items() if release(v).minor_number < sn)
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
    to ``options.to``, patch by patch where it matters (:mod:`kubehash.upgrade.plan.patches`).

    ``pods``, ``nodes`` and ``runtime`` are as for :func:`~kubehash.upgrade.predict.predict`. With
    ``options.defaults`` (the default) the API servers' defaults apply, each minor with its feature gates
    (``options``' gates where that minor has them, else its defaults): before a hop
    ``a -> b`` the kubelets see the dump as the ``a`` API server serves it, and the new kubelet sees that as the
    ``b`` one serves it (the same as serving the dump, unless a later minor stops adding a default an earlier
    one added: ``resizePolicy`` with ``InPlacePodVerticalScaling`` turned on, 1.32 -> 1.33). A node whose
    kubelet version does not parse is in :attr:`UpgradePlan.errors` (its pods in no hop). Raises
    :class:`~kubehash.errors.KubehashError` when ``to`` is not newer than the start, or a node runs a
    kubelet of an older minor than ``from_version``."""
    node_versions, bad = _node_versions(nodes)
    start, target = _ends(options, node_versions, bad)
    planner = _Planner(list(iter_pods(pods)), start, target, node_versions, runtime, options, bad)
    versions = plan_versions(start, target)
    hops: list[Hop] = []
    for i, a in enumerate(versions[:-1]):
        for b in versions[i + 1 :]:
            if plan_allowed(a, b)[0]:
                h = planner.hop(a, b)
                hops.append(h)
                if progress is not None:
                    progress(h)
    by_edge = {(h.from_version, h.to): h for h in hops}
    direct_hop = by_edge.get((start, target)) or planner.hop(start, target)
    direct = UpgradePath(["direct"], [direct_hop])
    cheapest = UpgradePath(["cheapest"], _cheapest(versions, by_edge))
    paths = _distinct(cheapest, *_named_paths(versions, by_edge), direct)
    n_containers = sum(1 for pod in planner.pods for _ in iter_containers(pod))
    return UpgradePlan(
        start, target, hops, direct, cheapest, paths, n_containers, dict(sorted(planner.orig.items())),
        dict(sorted(bad.items())), _warnings(options, node_versions, target), _sides(options, start, target),
    )  # fmt: skip


def _named_paths(versions: list[str], by_edge: Mapping[tuple[str, str], Hop]) -> list[UpgradePath]:
    """``fewest-hops``, ``minor-by-minor`` (one minor a hop, without a patch hop first) and, when the start is
    an older patch of its minor, ``patch-first`` (its newest patch, then minor by minor)."""
    fewest = UpgradePath(["fewest-hops"], _fewest_hops(versions, by_edge))
    patch_first = len(versions) > 2 and same_minor(versions[0], versions[1])
    by_minor = [versions[0], *versions[2:]] if patch_first else versions
    out = [fewest, UpgradePath(["minor-by-minor"], [by_edge[(a, b)] for a, b in pairwise(by_minor)])]
    if patch_first:
        out.append(UpgradePath(["patch-first"], [by_edge[(a, b)] for a, b in pairwise(versions)]))
    return out


def _warnings(options: Options, node_versions: Mapping[str, str], target: str) -> list[str]:
    return downgrade_warnings(node_versions.items(), target, action="the plan leaves it as it is")


def _sides(options: Options, start: str, target: str) -> dict[str, Any]:
    """What each end was taken as: the patch, the Go toolchain and the assumptions made."""
    return {
        "from": describe_side(start, options.old_toolchain(options.from_version or start)),
        "to": describe_side(target, options.target_toolchain),
    }


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


def _key(c: tuple[int, int, list[str]]) -> tuple[int, int, list[tuple[int, int, int, int, int]]]:
    return c[0], c[1], [order(v) for v in c[2]]


def _fewest_hops(versions: list[str], by_edge: Mapping[tuple[str, str], Hop]) -> list[Hop]:
    """Always the longest hop the policy allows (optimal: the allowed skew never shrinks as versions grow)."""
    out: list[Hop] = []
    a = versions[0]
    while a != versions[-1]:
        b = max((y for x, y in by_edge if x == a), key=order)
        out.append(by_edge[(a, b)])
        a = b
    return out
