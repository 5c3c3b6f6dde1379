"""DataFrames for notebooks: restart predictions grouped by node, namespace and reason, workloads at risk,
before/after comparisons (e.g. without and with an ignore file) and upgrade paths.

:func:`containers_frame` is :func:`kubehash.report.to_dataframe` of a prediction (the columns of
:data:`kubehash.report.prediction.CONTAINER_COLUMNS`). Every function takes the objects the Python API
returns (:class:`~kubehash.upgrade.predict.Prediction`, :class:`~kubehash.upgrade.plan.UpgradePlan`) and
returns a new ``pandas.DataFrame``; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from kubehash.golang.fnv import runtime_hex
from kubehash.report.frames import frame
from kubehash.report.plan import HOP_COLUMNS
from kubehash.report.prediction import containers_frame
from kubehash.report.preflight import FINDING_COLUMNS
from kubehash.upgrade.predict.result import VERDICTS

__all__ = [
    "RISKS",
    "compare_predictions",
    "containers_frame",
    "plan_hops",
    "plan_paths",
    "pods_at_risk",
    "preflight_findings",
    "restarts_by",
    "risk_overview",
    "silenced_changes",
    "workloads",
]

#: Risk categories of :func:`pods_at_risk`, most severe first.
RISKS = ("static pod", "bare pod", "StatefulSet", "single replica", "all replicas on one node")

#: Controllers whose pods are one per node by design: never "single replica" risks.
_PER_NODE = ("DaemonSet", "Node")

_GROUPS = {"node": "node", "namespace": "namespace"}
_NAMES = ("namespace", "pod", "node", "owner_kind", "owner_name")


def _containers(prediction: Any) -> pd.DataFrame:
    """:func:`containers_frame` with missing names and owners as empty strings (groupable)."""
    return containers_frame(prediction).fillna({k: "" for k in _NAMES})


def restarts_by(prediction: Any, by: str) -> pd.DataFrame:
    """Containers per verdict for each ``node`` or ``namespace`` (columns in verdict order plus ``total``,
    most restarts first); or, for ``by="reason"``, restarting containers and pods per reason label (a
    container with two reasons counts under both)."""
    df = _containers(prediction)
    if by == "reason":
        restarts = df[df["verdict"] == "restart"].explode("reasons")
        restarts = restarts.assign(
            reasons=restarts["reasons"].fillna("(none)"), pod_key=restarts["namespace"] + "/" + restarts["pod"]
        )
        out = restarts.groupby("reasons").agg(containers=("container", "size"), pods=("pod_key", "nunique"))
        out.index.name = "reason"
        return out.sort_values(["containers", "pods"], ascending=False).astype("int64")
    if by not in _GROUPS:
        raise ValueError(f"restarts_by: by must be 'node', 'namespace' or 'reason', not {by!r}")
    counts = pd.crosstab(df[_GROUPS[by]].replace("", "-"), df["verdict"])
    verdicts = [v for v in VERDICTS if v in counts.columns]
    if "restart" not in verdicts:
        counts["restart"] = 0
        verdicts.insert(0, "restart")
    out = counts[verdicts].copy()
    out["total"] = out.sum(axis=1)
    out.index.name = by
    out.columns.name = None
    return out.sort_values(["restart", "total"], ascending=False).astype("int64")


def workloads(prediction: Any) -> pd.DataFrame:
    """One row per owner (``namespace``, ``owner_kind``, ``owner_name``; bare and static pods are their own
    owner): ``replicas`` -- the owner's pods in the snapshot that run (a pending or finished pod serves
    nothing), ``nodes`` -- how many nodes they run on, ``restarting_pods`` -- how many of them restart."""
    df = _containers(prediction)
    running = df[df["verdict"] != "not-running"]
    pods = running.groupby(["namespace", "pod"], sort=False).agg(
        node=("node", "first"),
        owner_kind=("owner_kind", "first"),
        owner_name=("owner_name", "first"),
        source=("source", "first"),
        restarts=("verdict", lambda s: int((s == "restart").sum())),
    )
    pods = pods.reset_index()
    bare = pods["owner_kind"] == ""
    pods.loc[bare, "owner_kind"] = pods.loc[bare, "source"].map({"file": "static pod"}).fillna("bare pod")
    pods.loc[bare, "owner_name"] = pods.loc[bare, "pod"]
    out = pods.groupby(["namespace", "owner_kind", "owner_name"], sort=True).agg(
        replicas=("pod", "size"),
        nodes=("node", "nunique"),
        restarting_pods=("restarts", lambda s: int((s > 0).sum())),
    )
    return out.reset_index().astype({"replicas": "int64", "nodes": "int64", "restarting_pods": "int64"})


def _risk(owner_kind: str, replicas: int, nodes: int) -> str | None:
    if owner_kind in ("static pod", "bare pod", "StatefulSet"):
        return owner_kind
    if owner_kind in _PER_NODE:
        return None
    if replicas == 1:
        return "single replica"
    if nodes == 1:
        return "all replicas on one node"
    return None


def pods_at_risk(prediction: Any) -> pd.DataFrame:
    """Pods with a restarting container whose restart is an outage, most severe first.

    ``risk``: ``static pod`` (a mirror pod: one instance on its node), ``bare pod`` (no controller: nothing
    replaces it), ``StatefulSet`` (every pod has its own identity and storage), ``single replica`` (its
    controller -- ReplicaSet, Job, ... -- has one running pod in the snapshot), ``all replicas on one node``
    (the node's upgrade restarts them all at once). DaemonSet pods, one per node by design, are not listed.
    """
    df = _containers(prediction)
    owners = workloads(prediction).set_index(["namespace", "owner_kind", "owner_name"])
    restarting = df[df["verdict"] == "restart"]
    columns = ["namespace", "pod", "node", "owner_kind", "owner_name", "replicas", "risk", "containers", "reasons"]
    rows = []
    for (ns, pod), g in restarting.groupby(["namespace", "pod"], sort=False):
        kind, name = g["owner_kind"].iloc[0], g["owner_name"].iloc[0]
        if not kind:
            kind, name = ("static pod" if g["source"].iloc[0] == "file" else "bare pod"), pod
        # pandas-stubs models no MultiIndex row key (a tuple) together with a list of columns.
        replicas, nodes = owners.loc[(ns, kind, name), ["replicas", "nodes"]]  # type: ignore[index]
        risk = _risk(kind, int(replicas), int(nodes))
        if risk is None:
            continue
        labels = list(dict.fromkeys(label for rs in g["reasons"] for label in rs))
        rows.append(
            {
                "namespace": ns,
                "pod": pod,
                "node": g["node"].iloc[0],
                "owner_kind": kind,
                "owner_name": name,
                "replicas": int(replicas),
                "risk": risk,
                "containers": ", ".join(g["container"]),
                "reasons": "; ".join(labels),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    out["risk"] = pd.Categorical(out["risk"], categories=list(RISKS), ordered=True)
    return out.sort_values(["risk", "namespace", "pod"]).reset_index(drop=True)


def preflight_findings(report: Any) -> pd.DataFrame:
    """The findings of :func:`kubehash.upgrade.preflight.preflight`, one row each (check, severity, pod,
    node, detail, fix), risks first."""
    out = frame(FINDING_COLUMNS, list(report))
    order = {"risk": 0, "warning": 1, "error": 2, "info": 3}
    return out.sort_values("severity", key=lambda s: s.map(order), kind="stable").reset_index(drop=True)


def risk_overview(prediction: Any, report: Any = None) -> pd.DataFrame:
    """Every pod the upgrade hurts, one row each: its restarting containers, whether it is a single instance
    (:func:`pods_at_risk`), and the preflight checks (:mod:`kubehash.upgrade.preflight.checks`) that flag it as a
    risk or warning. Pods with the most kinds of risk first."""
    df = _containers(prediction)
    restarts = (
        df[df["verdict"] == "restart"]
        .groupby(["namespace", "pod"])
        .agg(node=("node", "first"), restarting=("container", "size"))
    )
    single = pods_at_risk(prediction).set_index(["namespace", "pod"])["risk"].astype(str)
    checks: dict[tuple[str, str], list[str]] = {}
    nodes: dict[tuple[str, str], str] = {}
    for f in report or ():
        if f.severity in ("risk", "warning"):
            key = (f.namespace or "", f.pod or "")
            checks.setdefault(key, []).append(f.check if f.severity == "risk" else f"{f.check} (warning)")
            nodes[key] = f.node or ""
    keys = sorted(set(restarts.index) | set(checks))
    rows = []
    for key in keys:
        restarting = int(restarts["restarting"].get(key, 0))
        instance = str(single.get(key, ""))
        preflight = "; ".join(dict.fromkeys(checks.get(key, [])))
        rows.append(
            {
                "namespace": key[0],
                "pod": key[1],
                "node": restarts["node"].get(key, nodes.get(key, "")),
                "restarting_containers": restarting,
                "single_instance": instance,
                "preflight": preflight,
                "risks": int(restarting > 0) + int(bool(instance)) + len(checks.get(key, [])),
            }
        )
    columns = ["namespace", "pod", "node", "restarting_containers", "single_instance", "preflight", "risks"]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(["risks", "namespace", "pod"], ascending=[False, True, True]).reset_index(drop=True)


def compare_predictions(predictions: Mapping[str, Any], by: str = "node", verdict: str = "restart") -> pd.DataFrame:
    """Containers with ``verdict`` per ``node``/``namespace`` for each labelled prediction, side by side
    (``{"without ignore file": p1, "with ignore file": p2}`` shows what an ignore file protects), with a
    ``total`` row."""
    if by not in _GROUPS:
        raise ValueError(f"compare_predictions: by must be 'node' or 'namespace', not {by!r}")
    columns = {}
    for label, p in predictions.items():
        df = _containers(p)
        columns[label] = df[df["verdict"] == verdict].groupby(df[_GROUPS[by]].replace("", "-")).size()
    keys = sorted({k for s in columns.values() for k in s.index})
    out = pd.DataFrame({label: s.reindex(keys, fill_value=0) for label, s in columns.items()}, index=keys)
    out = out.fillna(0).astype("int64")
    out.index.name = by
    out.loc["total"] = out.sum()
    return out


def silenced_changes(prediction: Any) -> pd.DataFrame:
    """Containers an ignore file keeps although their spec changed since they started (recorded hash is not
    the old kubelet's hash of the current spec): the change is silently not applied (docs/commands/ignore-file.md).
    Hashes in the runtime's hex form."""
    rows = [
        {
            "namespace": c.namespace or "",
            "pod": c.pod or "",
            "container": c.container,
            "node": c.node or "",
            "recorded_hash": runtime_hex(c.recorded_hash) if c.recorded_hash is not None else "",
            "spec_hash": runtime_hex(c.old_hash) if c.old_hash is not None else "",
        }
        for c in prediction
        if c.verdict == "protected" and any(r.kind == "spec-changed" for r in c.reasons)
    ]
    return pd.DataFrame(rows, columns=["namespace", "pod", "container", "node", "recorded_hash", "spec_hash"])


def plan_paths(plan: Any) -> pd.DataFrame:
    """One row per hop of each compared path (long form): ``path``, ``step``, ``from``, ``to``, ``restarts``,
    ``allowed`` (by the skew policy). The path name joins its names (``cheapest, fewest-hops``)."""
    rows = [
        {
            "path": ", ".join(p.names),
            "step": i,
            "from": h.from_version,
            "to": h.to,
            "restarts": h.restarts,
            "allowed": h.allowed,
        }
        for p in plan.paths
        for i, h in enumerate(p.hops, 1)
    ]
    return pd.DataFrame(rows, columns=["path", "step", "from", "to", "restarts", "allowed"])


def plan_hops(plan: Any) -> pd.DataFrame:
    """Every hop the skew policy allows, one row each (the columns of
    :data:`kubehash.report.plan.HOP_COLUMNS`: ``from``, ``to``, nodes upgraded, restarts, pods, restart-free,
    reason labels)."""
    return frame(HOP_COLUMNS, plan.hops)
