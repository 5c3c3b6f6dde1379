"""The risks of an in-place kubelet upgrade that are not about container hashes.

**Taint-based eviction** (check ``taint-eviction``). While its kubelet restarts, a node goes NotReady: the
kubelet stops posting status (``node.kubernetes.io/unreachable``) and reports NotReady while it starts
(``node.kubernetes.io/not-ready``); the node lifecycle controller then adds that taint with effect
``NoExecute``. Feature gate ``TaintBasedEvictions`` (alpha 1.6-1.12 off by default, beta and on by default
from 1.13, GA and locked on in 1.18, gate removed afterwards) makes the taint manager delete every pod on the
node that does not tolerate all its NoExecute taints, at once. ``DefaultTolerationSeconds`` gives pods
created or updated after it ran 300 s tolerations; older pods have none. The gate lives in the
controller-manager, which the version-skew policy upgrades before the kubelets, so it is judged from ``to``.
The taint manager does not skip mirror pods, but deleting a mirror pod does not stop its static pod: the
kubelet treats a mirror pod delete as an update of the static pod (``Kubelet.handleMirrorPod``), keeps it
running and recreates the mirror pod (which admission then gives the defaults); the kubelet's own
NoExecute admission check also skips static pods (``pkg/kubelet/lifecycle/predicate.go``). So mirror pods
are reported as ``info``, never ``risk``.

**Node affinity on re-admission** (check ``node-selector``). On restart the kubelet re-admits every pod
bound to it (``HandlePodAdditions`` -> ``predicateAdmitHandler.Admit``); ``GeneralPredicates`` has checked
``spec.nodeSelector`` *and* required node affinity (``requiredDuringSchedulingIgnoredDuringExecution``,
despite its name) since the affinity field existed (1.6; see kubernetes#76322, #99708), so a pod whose
node lost a label is failed. The pod's status reason is ``MatchNodeSelector`` up to 1.17 and
``NodeAffinity`` from 1.18 (the kubelet reuses the scheduler plugin's name since kubernetes#87091).
Kubelets 1.35+ (``NotEvictPodOnKubeletRestart``, beta and on by default in 1.35) skip that check for pods
that already started (``status.startTime`` set). Kubelets before 1.11 do not know ``matchFields`` (dropped
when decoding) and stop at the first invalid term instead of trying the next. Static pods are re-admitted
from their manifest like any other pod.

**The kubelet itself** (check ``kubelet-flags``, :mod:`kubehash.upgrade.kubelet_flags`): the new kubelet
binary restarts with the node's command line and config file; a flag the target removed stops it at once.

All of this is pure logic: :func:`preflight` returns a :class:`PreflightReport`; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from kubehash.errors import KubehashError, ObjectError
from kubehash.kubelet.releases import Release, release
from kubehash.model import Documents, KubeletArgs, KubeletConfigFile
from kubehash.upgrade.kubelet_flags import KubeletFlagFinding, check_kubelet_args, check_kubelet_config
from kubehash.upgrade.options import Options
from kubehash.upgrade.preflight.affinity import kubelet_view, note_conflicts, selector_check
from kubehash.upgrade.preflight.inputs import Node, Pod, ident, items, parse_node, parse_pod
from kubehash.upgrade.preflight.report import Behaviour, Finding, PreflightReport, behaviour_for
from kubehash.upgrade.preflight.selectors import LabelFix, NodeAffinity
from kubehash.upgrade.preflight.taints import taint_check

__all__ = ["preflight"]


@dataclass
class _Run:
    """One preflight run's state: the nodes, the pods whose affinity can hold, the label fixes per node."""

    options: Options
    behaviour: Behaviour
    warn_below: int
    defaults: tuple[int, int]
    report: PreflightReport
    nodes: dict[str, Node] = field(default_factory=dict)
    constrained: dict[str, list[tuple[Pod, NodeAffinity]]] = field(default_factory=dict)
    fixes: dict[str, list[tuple[int, LabelFix]]] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        self.report.skipped[reason] = self.report.skipped.get(reason, 0) + 1

    def error(self, namespace: str | None, pod: str | None, node: str | None, detail: str) -> None:
        self.report.findings.append(Finding("error", namespace, pod, node, "error", detail))

    def old_release(self, node: Node | None) -> Release | None:
        version = node.version if node is not None and node.version else self.options.from_version
        try:
            return release(version) if version else None
        except KubehashError:
            return None

    def pod(self, where: str, doc: object) -> None:
        self.report.pods += 1
        try:
            pod = parse_pod(doc)
        except ObjectError as e:
            namespace, name = ident(doc)
            self.error(namespace, name, None, f"pods {where}: {e}")
            return
        if pod.phase in ("Succeeded", "Failed"):
            self.skip("terminal")
            return
        if pod.node is None:
            self.skip("unscheduled")
            return
        node = self.nodes.get(pod.node)
        old = self.old_release(node)
        target = self.options.target
        if node is not None and node.version and old is not None and old.minor_number >= target.minor_number:
            self.skip("node already at target")
            return
        if self.behaviour.taint_based_evictions:
            found = taint_check(pod, node, self.behaviour, old, self.warn_below, self.defaults)
            if found:
                self.report.findings.append(found)
        if node is None:
            self.error(pod.namespace, pod.name, pod.node, f"node {pod.node} is not in the nodes input: labels and "
                       "taints unknown")  # fmt: skip
            return
        self.affinity(pod, node)

    def affinity(self, pod: Pod, node: Node) -> None:
        if self.behaviour.skip_started_pods and pod.started and pod.affinity.constrained:
            self.skip("started, kubelet skips affinity on restart")
            return
        aff = kubelet_view(pod.affinity, self.behaviour)
        if not aff.constrained:
            return
        checked = selector_check(pod, aff, node, self.behaviour, self.options.target.minor)
        if checked is None or checked[1] is not None:  # matches now, or can be made to
            self.constrained.setdefault(node.name, []).append((pod, aff))
        if checked:
            self.report.findings.append(checked[0])
            if checked[1] is not None and checked[1].changes:
                self.fixes.setdefault(node.name, []).append((len(self.report.findings) - 1, checked[1]))


def _flag_finding(f: KubeletFlagFinding) -> Finding:
    fix = None
    if f.severity == "risk" and f.kind in ("flag", "argument"):
        fix = f"remove {f.name} from {f.origin}" if f.origin else f"remove {f.name}"
        if f.replacement:
            fix += f" (replacement: {f.replacement})"
    elif f.replacement:
        fix = f"use {f.replacement}"
    return Finding("kubelet-flags", None, None, f.node, f.severity, f.message, fix)


def _kubelet_findings(
    run: _Run,
    node_versions: Mapping[str, str],
    kubelet_args: Iterable[KubeletArgs],
    kubelet_configs: Iterable[KubeletConfigFile],
) -> None:
    """The kubelet-flags check of every node's command line and config file."""
    target = run.options.to
    items: list[KubeletArgs | KubeletConfigFile] = [*kubelet_args, *kubelet_configs]
    _count_kubelet_inputs(run.report, items)
    for item in items:
        node = item.node
        current = (node_versions.get(node) if node else None) or run.options.from_version
        if current is None:
            where = _item_origin(item)
            if node:
                why = f"the kubelet version of node {node} is unknown: pass --nodes (or the live cluster) or --from"
            else:  # a file given on its own, not as DIR/<node>/...: no node to look the version up for
                why = (
                    "it belongs to no node (not given as DIR/<node>/...), so its kubelet version is unknown: "
                    "pass --from, or lay the files out as DIR/<node>/... with --nodes"
                )
            run.error(None, None, node, f"{where}: {why}")  # fmt: skip
            continue
        if isinstance(item, KubeletArgs):
            found = check_kubelet_args(item, current, target)
        else:
            found = check_kubelet_config(item, current, target)
        run.report.findings.extend(_flag_finding(f) for f in found)
        if any(f.severity == "risk" for f in found):
            run.report.kubelet_at_risk.add(node or _item_origin(item))


def _item_origin(item: KubeletArgs | KubeletConfigFile) -> str:
    if isinstance(item, KubeletArgs):
        return item.files[0] if item.files else "command line"
    return item.origin


def _count_kubelet_inputs(report: PreflightReport, items: list[KubeletArgs | KubeletConfigFile]) -> None:
    """The kubelet inputs :func:`preflight` checks, for its summary."""
    report.kubelet_command_lines = sum(isinstance(i, KubeletArgs) for i in items)
    report.kubelet_config_files = len(items) - report.kubelet_command_lines
    report.kubelet_nodes = {i.node for i in items if i.node}


def preflight(
    pods: Documents | None,
    nodes: Documents | None,
    options: Options,
    *,
    kubelet_args: Iterable[KubeletArgs] = (),
    kubelet_configs: Iterable[KubeletConfigFile] = (),
    behaviour: Behaviour | None = None,
    warn_below_seconds: int = 60,
    default_toleration_seconds: tuple[int, int] = (300, 300),
) -> PreflightReport:
    """Check every pod in ``pods`` (Pod, PodList, list of those) for the upgrade's risks on its node from
    ``nodes`` (Node, NodeList, list), and every node's kubelet command line and config file.

    ``options.to`` is the target version, ``options.from_version`` the current one for nodes that do not
    report ``status.nodeInfo.kubeletVersion``; pods on nodes already at the target minor or newer are
    skipped. ``behaviour`` overrides the release table's (:func:`behaviour_for`). A toleration that ends
    within ``warn_below_seconds`` is a ``warning``; ``default_toleration_seconds`` are the API server's
    ``--default-not-ready-toleration-seconds`` / ``--default-unreachable-toleration-seconds``.
    """
    b = behaviour or behaviour_for(options.to)
    report = PreflightReport(to=options.target.minor, from_version=options.from_version, gates=b)
    run = _Run(options, b, warn_below_seconds, default_toleration_seconds, report)
    report.pods_checked = pods is not None or nodes is not None
    node_versions: dict[str, str] = {}
    for where, n in items(nodes if nodes is not None else []):
        try:
            parsed = parse_node(n)
        except ObjectError as e:
            run.error(None, None, None, f"nodes {where}: {e}")
            continue
        run.nodes[parsed.name] = parsed
        if parsed.version:
            node_versions[parsed.name] = parsed.version
    for where, p in items(pods if pods is not None else []):
        run.pod(where, p)
    note_conflicts(report, run.nodes, run.constrained, run.fixes)
    _kubelet_findings(run, node_versions, kubelet_args, kubelet_configs)
    return report
