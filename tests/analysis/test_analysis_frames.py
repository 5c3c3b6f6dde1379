"""kubehash.analysis frames on a small hand-made cluster (tests/data/analysis) and on the bundled one."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubehash.analysis import (
    compare_predictions,
    containers_frame,
    plan_hops,
    plan_paths,
    pods_at_risk,
    restarts_by,
    workloads,
)
from kubehash.sources.documents import load_documents
from kubehash.upgrade.options import Options
from kubehash.upgrade.plan.planner import plan
from kubehash.upgrade.predict import predict

DATA = Path(__file__).parents[1] / "data" / "analysis"
CLUSTER = Path(__file__).parents[2] / "examples" / "cluster"


@pytest.fixture(scope="module")
def small():
    return load_documents(DATA / "pods.json"), load_documents(DATA / "nodes.json")


@pytest.fixture(scope="module")
def bundled():
    pods, nodes = load_documents(CLUSTER / "pods.json"), load_documents(CLUSTER / "nodes.json")
    return predict(pods, Options(to="1.17"), nodes=nodes)


def test_containers_frame_has_one_row_per_container(small):
    p = predict(small[0], Options(to="1.17"), nodes=small[1])
    df = containers_frame(p)
    assert len(df) == len(p) == 15
    row = df[(df["pod"] == "solo-x1") & (df["container"] == "sidecar")].iloc[0]
    assert (row["owner_kind"], row["owner_name"], row["verdict"]) == ("ReplicaSet", "solo-5d8f", "restart")
    assert row["reasons"] == ("algorithm struct -> json",)
    assert df.loc[df["pod"] == "etcd-n1", "source"].item() == "file"


def test_restarts_by_node_namespace_reason_on_procmount(small):
    # 1.10 -> 1.12 adds SecurityContext.ProcMount: only the DaemonSet's containers have a securityContext
    p = predict(small[0], Options(to="1.12"), nodes=small[1])
    by_node = restarts_by(p, "node")
    assert by_node.loc["n1"].to_dict() == {"restart": 1, "unchanged": 5, "not-running": 0, "total": 6}
    assert by_node.loc["n2"].to_dict() == {"restart": 1, "unchanged": 6, "not-running": 1, "total": 8}
    assert by_node.loc["-"].to_dict() == {"restart": 0, "unchanged": 0, "not-running": 1, "total": 1}
    by_ns = restarts_by(p, "namespace")
    assert list(by_ns.index[:1]) == ["kube-system"] and by_ns.loc["kube-system", "restart"] == 2
    assert by_ns["restart"].sum() == 2
    by_reason = restarts_by(p, "reason")
    assert by_reason.to_dict("index") == {
        "field-added spec.containers[*].securityContext.procMount": {"containers": 2, "pods": 2}
    }


def test_restarts_by_when_nothing_restarts(small):
    p = predict(small[0], Options(to="1.11"), nodes=small[1])
    assert restarts_by(p, "node")["restart"].sum() == 0
    assert restarts_by(p, "reason").empty
    assert pods_at_risk(p).empty
    with pytest.raises(ValueError, match="by must be"):
        restarts_by(p, "owner")


def test_workloads_infer_replicas_from_running_pods(small):
    w = workloads(predict(small[0], Options(to="1.17"), nodes=small[1])).set_index("owner_name")
    assert w.loc["spread-6f4d", ["replicas", "nodes"]].tolist() == [2, 2]  # the pending third pod serves nothing
    assert w.loc["lonely-1a2b", "replicas"] == 1  # one running, one pending without a node
    assert w.loc["pair-7c9b", ["replicas", "nodes"]].tolist() == [2, 1]
    assert w.loc["scratch", "owner_kind"] == "bare pod" and w.loc["etcd-n1", "owner_kind"] == "static pod"


def test_pods_at_risk_categories(small):
    risk = pods_at_risk(predict(small[0], Options(to="1.17"), nodes=small[1]))
    got = {r.pod: r.risk for r in risk.itertuples()}
    assert got == {
        "etcd-n1": "static pod",
        "scratch": "bare pod",
        "pg-0": "StatefulSet",
        "pg-1": "StatefulSet",
        "lonely-a": "single replica",
        "solo-x1": "single replica",
        "pair-a": "all replicas on one node",
        "pair-b": "all replicas on one node",
    }
    assert list(risk["pod"][:2]) == ["etcd-n1", "scratch"]  # most severe first
    assert risk.set_index("pod").loc["solo-x1", "containers"] == "app, sidecar"


def test_bundled_cluster_at_risk(bundled):
    risk = pods_at_risk(bundled)
    counts = risk["risk"].value_counts().to_dict()
    assert counts == {
        "static pod": 4,
        "bare pod": 5,
        "StatefulSet": 11,
        "single replica": 5,
        "all replicas on one node": 0,
    }
    assert "default/legacy-report-runner" in set(risk["namespace"] + "/" + risk["pod"])
    assert not (risk["owner_kind"] == "DaemonSet").any()


def test_compare_predictions(small):
    pods, nodes = small
    without = predict(pods, Options(to="1.17"), nodes=nodes)
    with_ = predict(pods, Options(to="1.17"), nodes=nodes, protected=lambda c: c.node == "n1")
    cmp = compare_predictions({"without": without, "with": with_})
    assert cmp.to_dict("index") == {
        "n1": {"without": 6, "with": 0},
        "n2": {"without": 7, "with": 7},
        "total": {"without": 13, "with": 7},
    }
    protected = compare_predictions({"with": with_}, by="namespace", verdict="protected")
    assert protected.loc["total", "with"] == 6 and protected.loc["db", "with"] == 1


def test_plan_frames(small):
    result = plan(small[0], Options(to="1.13"), nodes=small[1])
    paths = plan_paths(result)
    cheapest = paths[paths["path"] == "cheapest"]
    assert cheapest[["from", "to", "restarts"]].values.tolist() == [
        ["v1.10.13", "v1.11.10", 0],
        ["v1.11.10", "v1.13.12", 2],
    ]
    assert paths[paths["path"] == "direct"]["allowed"].tolist() == [False]
    hops = plan_hops(result)
    assert hops[hops["restart_free"]][["from", "to"]].values.tolist() == [
        ["v1.10.13", "v1.11.10"],
        ["v1.12.10", "v1.13.12"],
    ]
    assert hops.set_index(["from", "to"]).loc[("v1.11.10", "v1.12.10"), "reasons"] == (
        "field-added spec.containers[*].securityContext.procMount"
    )


def test_risk_overview_joins_restarts_single_instances_and_preflight(bundled):
    from kubehash.analysis import preflight_findings, risk_overview
    from kubehash.upgrade.preflight.checks import preflight

    pods, nodes = load_documents(CLUSTER / "pods.json"), load_documents(CLUSTER / "nodes.json")
    report = preflight(pods, nodes, Options(to="1.17"))
    findings = preflight_findings(report)
    assert findings[["check", "pod"]].values.tolist() == [
        ["node-selector", "spark-history-0"],
        ["taint-eviction", "legacy-exporter-0"],
        ["taint-eviction", "legacy-exporter-1"],
        ["taint-eviction", "legacy-exporter-2"],
    ]
    overview = risk_overview(bundled, report)
    top = overview.head(4).set_index("pod")
    assert top.loc["spark-history-0", ["single_instance", "preflight", "risks"]].tolist() == [
        "StatefulSet",
        "node-selector",
        3,
    ]
    assert top.loc["legacy-exporter-2", ["node", "single_instance", "preflight"]].tolist() == [
        "worker-3",
        "bare pod",
        "taint-eviction",
    ]
    assert len(overview) == 245  # every pod with a restarting container (none is flagged by preflight only)
    assert (overview["risks"] >= 1).all() and overview["risks"].is_monotonic_decreasing
    without_preflight = risk_overview(bundled)
    assert (without_preflight["preflight"] == "").all() and len(without_preflight) == 245


def test_silenced_changes_with_recorded_hashes():
    from kubehash.analysis import silenced_changes
    from kubehash.model import node_kubelet_versions
    from kubehash.sources.runtime import load_runtime
    from kubehash.upgrade.ignorefile.rules import generate_ignore_files

    pods, nodes = load_documents(CLUSTER / "pods.json"), load_documents(CLUSTER / "nodes.json")
    runtime, errors = load_runtime([CLUSTER / "runtime"])
    assert not errors
    ignore = generate_ignore_files(node_kubelet_versions(nodes), now=1551441600)
    protected = predict(pods, Options(to="1.17"), nodes=nodes, runtime=runtime, ignore_files=ignore)
    silenced = silenced_changes(protected)
    assert silenced[["namespace", "pod", "container", "node"]].values.tolist() == [
        ["default", "legacy-report-runner", "runner", "worker-1"]
    ]
    assert silenced["recorded_hash"].item() != silenced["spec_hash"].item()
    assert silenced_changes(predict(pods, Options(to="1.17"), nodes=nodes, runtime=runtime)).empty  # nothing protected
