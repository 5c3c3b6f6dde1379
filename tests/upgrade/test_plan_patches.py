"""Plans at patch level: the Go toolchain of each patch (Go 1.22 escapes \\b/\\f), same-minor patch hops, vendor
version strings, unreadable node versions and downgrades -- each hop agreeing with ``predict``."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from kubehash.cli import main
from kubehash.upgrade.downgrade import downgrade_warnings
from kubehash.upgrade.options import Options
from kubehash.upgrade.plan.planner import plan
from kubehash.upgrade.predict import predict

_POD: dict[str, Any] = {
    "apiVersion": "v1",
    "kind": "Pod",
    "metadata": {"name": "p", "namespace": "default", "uid": "u", "creationTimestamp": "2024-01-01T00:00:00Z"},
    "spec": {
        "nodeName": "n1",
        "restartPolicy": "Always",
        "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30,
        "securityContext": {},
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "serviceAccountName": "default",
        "serviceAccount": "default",
        "tolerations": [
            {
                "key": "node.kubernetes.io/not-ready",
                "operator": "Exists",
                "effect": "NoExecute",
                "tolerationSeconds": 300,
            }
        ],
        "containers": [
            {
                "name": "app",
                "image": "nginx:1.25",
                "imagePullPolicy": "IfNotPresent",
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "resources": {},
                "env": [{"name": "X", "value": "a\bb"}],
            }
        ],
    },
    "status": {
        "phase": "Running",
        "containerStatuses": [
            {"name": "app", "ready": True, "state": {"running": {"startedAt": "2024-01-02T00:00:00Z"}}}
        ],
    },
}
NODES = {
    "n1": "v1.28.0",
    "n2": "v1.28.15-eks-a737599",
    "n3": "v1.28.3-gke.1020000",
    "n4": "v1.29.15+k3s1",
    "n5": "v1.28.0",
}


def _pods() -> list[dict[str, Any]]:
    out = []
    for i, (node, value) in enumerate(
        [("n1", "a\bb"), ("n2", "a\fb"), ("n3", "plain"), ("n4", "a\bb"), ("n5", "a\fb")]
    ):
        pod = copy.deepcopy(_POD)
        pod["metadata"]["name"], pod["metadata"]["uid"] = f"p{i}", f"u{i}"
        pod["spec"]["nodeName"] = node
        pod["spec"]["containers"][0]["env"][0]["value"] = value
        out.append(pod)
    return out


def test_each_hop_restarts_what_predict_says_for_its_patch():
    """The review's case: plan --from 1.28.0 --to 1.29 said 0 restarts while predict --to 1.29 said 2."""
    pods = _pods()
    predicted = predict(pods, Options(to="1.29"), nodes=NODES)
    assert len(predicted.restarts) == 2
    result = plan(pods, Options(to="1.29", from_version="1.28.0"), nodes=NODES)
    assert (result.from_version, result.to) == ("v1.28.0", "v1.29.15")
    assert result.direct.restarts == 2
    assert {c.pod for c in result.direct.hops[0].prediction.restarts} == {c.pod for c in predicted.restarts}
    assert result.hop("1.28", "1.29").restarts == 2
    patch = result.hop("v1.28.0", "v1.28.15")
    assert (patch.kind, patch.nodes, patch.restarts) == ("patch", ("n1", "n3", "n5"), 2)
    assert (patch.from_go, patch.to_go) == ("1.20.7", "1.22.8")
    assert result.hop("v1.28.15", "1.29").restarts == 0  # both sides Go >= 1.22
    assert result.path("patch-first").versions == ["v1.28.0", "v1.28.15", "v1.29.15"]
    assert result.sides["to"]["assumptions"][0].startswith("1.29 taken as v1.29.15")


def test_a_same_minor_patch_upgrade_is_a_plan():
    pods = _pods()
    result = plan(pods, Options(to="1.28.15"), nodes=NODES)
    assert result.from_version == "v1.28.0" and result.to == "v1.28.15"
    assert [h.kind for h in result.hops] == ["patch"]
    assert result.direct.restarts == len(predict(pods, Options(to="1.28.15"), nodes=NODES).restarts) == 2
    # n4 runs a newer minor: left alone, with a warning naming it
    assert len(result.warnings) == 1 and result.warnings[0].startswith("node n4 runs kubelet v1.29.15+k3s1")
    assert "outside the version skew policy" in result.warnings[0]


def test_an_unreadable_node_version_is_an_error_row_and_the_rest_is_planned():
    nodes = {**NODES, "n5": "vgarbage-1"}
    result = plan(_pods(), Options(to="1.28.15", from_version="1.28.0"), nodes=nodes)
    assert list(result.errors) == ["n5"] and "node n5" in result.errors["n5"] and "vgarbage-1" in result.errors["n5"]
    assert result.direct.restarts == 1 and "n5" not in result.nodes


def test_plan_cli_patch_levels(capsys: pytest.CaptureFixture[str], tmp_path: Path):
    pods, nodes = tmp_path / "pods.json", tmp_path / "nodes.json"
    pods.write_text(json.dumps({"kind": "List", "items": _pods()}))
    items = [
        {"kind": "Node", "metadata": {"name": n}, "status": {"nodeInfo": {"kubeletVersion": v}}}
        for n, v in {**NODES, "n5": "vgarbage-1"}.items()
    ]
    nodes.write_text(json.dumps({"kind": "List", "items": items}))
    args = ["plan", "--pods", str(pods), "--nodes", str(nodes)]
    assert main([*args, "--from", "1.28.0", "--to", "1.28.15"]) == 2  # as predict: partial errors exit 2
    out, err = capsys.readouterr()
    assert "error: node n5: not a kubelet version: 'vgarbage-1'" in err
    assert "warning: node n4 runs kubelet v1.29.15+k3s1" in err
    assert "v1.28.0 (Go 1.20.7) -> v1.28.15 (Go 1.22.8)" in out
    assert any(line.split()[:5] == ["v1.28.0", "1.20.7", "v1.28.15", "1.22.8", "patch"] for line in out.splitlines())
    assert any(line.split()[:2] == ["n5", "node"] for line in out.splitlines())
    assert main([*args, "--from", "1.28.0", "--to", "1.28.15", "-o", "json"]) == 2
    doc = json.loads(capsys.readouterr().out)
    assert doc["errors"][0]["node"] == "n5" and doc["warnings"][0].startswith("node n4")
    assert doc["hops"][0]["from_go"] == "1.20.7" and doc["sides"]["to"]["go"] == "1.22.8"


def test_downgrade_warnings():
    assert downgrade_warnings(NODES.items(), "1.29") == []
    assert downgrade_warnings([("a", "v1.28.15"), ("b", "garbage"), (None, "1.36")], "1.28.3") == [
        "node a runs kubelet v1.28.15, newer than the target v1.28.3: a patch downgrade of the kubelet, which "
        "upstream does not support; predicted as a downgrade"
    ]
