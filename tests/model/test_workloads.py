"""model.workloads: the pod templates of workload objects, and what every other object is."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubehash.model.workloads import TEMPLATE_PATHS, ManifestDocument, classify, iter_objects, pod_templates


def _workload(kind: str, containers: list[dict[str, Any]], *, api: str | None = None, **meta: Any) -> dict[str, Any]:
    spec = {"containers": containers}
    obj: dict[str, Any] = {
        "apiVersion": api or ("v1" if kind in ("Pod", "PodTemplate", "ReplicationController") else "apps/v1"),
        "kind": kind,
        "metadata": {"name": "w", **meta},
    }
    node = obj
    path = TEMPLATE_PATHS[kind]
    for seg in path[:-1]:
        node = node.setdefault(seg, {})
    node[path[-1]] = spec
    return obj


@pytest.mark.parametrize("kind", sorted(TEMPLATE_PATHS))
def test_every_workload_kind_has_its_template(kind: str) -> None:
    (t,) = pod_templates(_workload(kind, [{"name": "c", "image": "i"}], namespace="ns"))
    assert (t.kind, t.namespace, t.name, t.ref) == (kind, "ns", "w", f"{kind}/ns/w")
    assert t.spec_path == ".".join(TEMPLATE_PATHS[kind]) and t.spec == {"containers": [{"name": "c", "image": "i"}]}


def test_template_metadata_and_replicas() -> None:
    d = _workload("Deployment", [], namespace="m")
    d["spec"]["template"]["metadata"] = {"labels": {"a": "b"}}
    d["spec"]["replicas"] = 0
    (t,) = pod_templates(d)
    assert t.metadata == {"labels": {"a": "b"}} and not t.runs
    (p,) = pod_templates(_workload("Pod", [], labels={"x": "y"}))
    assert p.metadata["labels"] == {"x": "y"} and p.runs and p.ref == "Pod/w"


def test_classify() -> None:
    assert classify(_workload("Deployment", [], api="extensions/v1beta1")) == "workload"
    assert classify({"apiVersion": "batch/v1beta1", "kind": "CronJob"}) == "workload"
    assert classify({"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus"}) == "custom-resource"
    assert classify({"apiVersion": "example.com/v1", "kind": "Deployment"}) == "custom-resource"
    assert classify({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role"}) == "other"
    assert classify({"apiVersion": "v1", "kind": "ConfigMap"}) == "other"
    assert classify({"resources": ["a.yaml"]}) == "not-an-object"  # a kustomization.yaml
    assert classify({"kind": "List", "items": []}) == "list"
    assert classify("text") == "not-an-object"


def test_lists_at_any_depth_and_generate_name() -> None:
    inner = {"kind": "List", "items": [_workload("Job", [], api="batch/v1"), {"kind": "Service"}]}
    doc = {"apiVersion": "v1", "kind": "DeploymentList", "items": [_workload("Deployment", []), inner]}
    assert [o.get("kind") for o in iter_objects(doc)] == ["Deployment", "Job", "Service"]
    gen = _workload("Pod", [])
    gen["metadata"] = {"generateName": "run-"}
    assert [t.ref for t in pod_templates([doc, gen])] == ["Deployment/w", "Job/w", "Pod/run-*"]


def test_origin_of_a_document() -> None:
    assert ManifestDocument({}, "a.yaml").origin == "a.yaml"
    assert ManifestDocument({}, "a.yaml", 2, 3).origin == "a.yaml (document 2)"
    assert ManifestDocument({}).origin is None


@given(
    st.recursive(
        st.just(_workload("Pod", [])),
        lambda inner: st.builds(lambda xs: {"kind": "List", "items": xs}, st.lists(inner, max_size=3)),
        max_leaves=8,
    )
)
def test_every_pod_of_a_nested_list_is_found_once(doc: Any) -> None:
    def count(d: Any) -> int:
        return sum(count(x) for x in d["items"]) if d.get("kind") == "List" else 1

    assert len(list(pod_templates(doc))) == count(doc)
