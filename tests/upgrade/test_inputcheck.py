"""Un-defaulted or impossible input given as pods: one warning each, and restarts marked as the input's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kubehash.sources.documents import load_documents
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import predict
from kubehash.upgrade.predict.inputcheck import NO_NODE, NO_UID, NOT_DEFAULTED, UNKNOWN_FIELD

ROOT = Path(__file__).parents[2]


def _pod(name: str, container: dict[str, Any], *, node: str | None = "n1", uid: str | None = "u") -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "default"}
    if uid:
        meta["uid"] = uid
    spec: dict[str, Any] = {"containers": [container]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


MANIFEST = {"name": "web", "image": "nginx:1.25", "ports": [{"containerPort": 80}]}
STORED = {
    **MANIFEST,
    "ports": [{"containerPort": 80, "protocol": "TCP"}],
    "imagePullPolicy": "IfNotPresent",
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
}


def test_pods_read_from_clusters_raise_no_warning() -> None:
    for dump in ("examples/cluster/pods.json", "tests/data/analysis/pods.json"):
        result = predict(load_documents(ROOT / dump), Options(to="1.30", from_version="1.20"))
        assert result.warnings == [] and all(c.input_notes == () for c in result)
    assert predict([_pod("p", STORED)], Options(to="1.30"), nodes={"n1": "1.20"}).warnings == []


def test_a_manifest_given_as_a_pod_is_warned_and_its_restarts_are_the_inputs() -> None:
    result = predict([_pod("web", MANIFEST, uid=None), _pod("ok", STORED)], Options(to="1.30"), nodes={"n1": "1.20"})
    web, ok = result.containers
    assert web.input_notes == (NOT_DEFAULTED, NO_UID) and ok.input_notes == ()
    assert web.verdict == "restart" and {r.kind for r in web.reasons} == {"input-not-defaulted"}
    assert ok.verdict == "unchanged"
    (warning,) = result.warnings
    assert warning.startswith("1 of 2 pods (1 container) looks un-defaulted")
    assert "1 pod without metadata.uid" in warning and "default/web (container web)" in warning
    assert "1 predicted restart comes only from these missing defaults" in warning and "--manifests" in warning


def test_a_raw_manifest_on_no_node_is_not_running_with_a_word() -> None:
    result = predict([_pod("etcd", MANIFEST, node=None, uid=None)], Options(to="1.30", from_version="1.20"))
    (c,) = result.containers
    assert c.verdict == "not-running" and NO_NODE in c.input_notes
    assert any("no node, no status and no metadata.uid" in w and "--static-pods" in w for w in result.warnings)


def test_a_field_the_nodes_kubelet_lacks() -> None:
    seccomp = {**STORED, "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}
    result = predict([_pod("web", seccomp)], Options(to="1.19"), nodes={"n1": "1.18"})
    (c,) = result.containers
    assert c.input_notes == (UNKNOWN_FIELD + "spec.containers[0].securityContext.seccompProfile",)
    assert c.verdict == "restart"
    assert [(r.kind, r.path) for r in c.reasons] == [
        ("field-not-in-old", "spec.containers[0].securityContext.seccompProfile")
    ]
    (warning,) = result.warnings
    assert "1 container holds fields their node's kubelet version does not have" in warning
    assert "spec.containers[0].securityContext.seccompProfile (1 container, under kubelet v1.18." in warning
