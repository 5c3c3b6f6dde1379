"""predict_manifests: workloads and static pods predicted before they are deployed."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import go_values

from kubehash.errors import KubehashError
from kubehash.kubelet.releases import RELEASES
from kubehash.kubelet.schema import load_schema
from kubehash.kubelet.unknown_fields import drop_unknown_fields
from kubehash.model import MIRROR_ANNOTATION
from kubehash.model.workloads import TEMPLATE_PATHS, pod_templates
from kubehash.sources.manifests import read_manifests, read_static_pods
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import predict, predict_manifests
from kubehash.upgrade.predict.created import stored_pod

DATA = Path(__file__).parents[1] / "data" / "manifests"
MINORS = [r.minor for r in RELEASES]
ERAS = {r.minor: r.era for r in RELEASES}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _workload(kind: str, spec: dict[str, Any], name: str = "w", namespace: str | None = "ns") -> dict[str, Any]:
    api = (
        "v1" if kind in ("Pod", "PodTemplate", "ReplicationController") else "batch/v1" if "Job" in kind else "apps/v1"
    )
    obj: dict[str, Any] = {"apiVersion": api, "kind": kind, "metadata": {"name": name}}
    if namespace:
        obj["metadata"]["namespace"] = namespace
    node = obj
    path = TEMPLATE_PATHS[kind]
    for seg in path[:-1]:
        node = node.setdefault(seg, {})
    node[path[-1]] = spec
    return obj


def _files(from_version: str, to: str) -> Any:
    docs = read_manifests([DATA / "k8s"]).documents
    static = read_static_pods([DATA / "static"]).documents
    return predict_manifests(docs, Options(to=to, from_version=from_version), static_pods=static)


def _rows(result: Any) -> dict[tuple[str, str], Any]:
    return {(c.pod, c.container): c for c in result}


# ---- the fixture repository, upgrade pairs of every era ------------------------------------------------------


def test_every_container_of_every_template_once() -> None:
    result = _files("1.20", "1.30")
    expected = Counter()
    for d in read_manifests([DATA / "k8s"]).documents:
        for t in pod_templates(d.obj):
            for key, kind in (("initContainers", "initContainer"), ("containers", "container")):
                for c in (t.spec or {}).get(key) or []:
                    expected[(t.ref, c["name"], kind)] += 1
    for d in read_static_pods([DATA / "static"]).documents:
        for c in d.obj["spec"]["containers"]:
            expected[(f"Pod/kube-system/{d.obj['metadata']['name']}", c["name"], "container")] += 1
    assert Counter((c.pod, c.container, c.kind) for c in result) == expected
    m = result.summary["manifests"]
    assert (
        m["pods"] == 10 and m["objects"]["Deployment"] == 1 and m["custom_resources"] == ["Prometheus/monitoring/k8s"]
    )
    assert m["skipped"] == {"Namespace": 1, "ServiceAccount": 1, "ConfigMap": 1, "(no kind)": 1, "Service": 1}
    assert m["origins"]["CronJob/shop/report"].endswith("jobs.yaml (document 2)")


def test_json_era_upgrade_restarts_nothing_the_cluster_would_not() -> None:
    """1.20 -> 1.30: the workloads as a 1.20 API server stored them and the static pods as each kubelet reads
    them carry the same defaults on both sides (issue 16: every container used to restart)."""
    rows = _rows(_files("1.20", "1.30"))
    assert {c.verdict for c in rows.values()} == {"unchanged", "not-running"}
    assert rows[("Pod/shop/debug", "proxy")].verdict == "not-running"  # no sidecars in 1.20: restartPolicy dropped
    assert rows[("Job/shop/migrate", "wait-db")].verdict == "not-running"  # an init container has finished
    assert rows[("StatefulSet/shop/db", "postgres")].reasons[0].detail == "replicas: 0, so no pod runs"
    assert rows[("Pod/kube-system/etcd", "etcd")].source == "file"


def test_a_field_the_old_version_lacks_never_restarts_a_workload_and_is_warned() -> None:
    result = _files("1.18", "1.19")
    rows = _rows(result)
    assert rows[("Deployment/monitoring/grafana", "grafana")].verdict == "unchanged"
    assert rows[("DaemonSet/monitoring/node-exporter", "kube-rbac-proxy")].verdict == "unchanged"
    (dropped,) = [w for w in result.warnings if "does not store" in w]
    assert "securityContext.seccompProfile does not exist in Kubernetes 1.18 (2 containers:" in dropped
    assert "Deployment/monitoring/grafana container grafana" in dropped
    # a static pod's file is read by each kubelet: the 1.19 kubelet hashes what the 1.18 one ignored
    scheduler = rows[("Pod/kube-system/kube-scheduler", "kube-scheduler")]
    assert scheduler.verdict == "restart"
    assert [(r.kind, r.path) for r in scheduler.reasons] == [
        ("field-not-in-old", "spec.containers[0].securityContext.seccompProfile")
    ]
    assert "the field does not exist in 1.18" in scheduler.reasons[0].detail
    assert any("static pods set fields the 1.18 kubelet does not have" in w for w in result.warnings)


def test_name_image_era_restarts_every_running_container_in_plain_words() -> None:
    result = _files("1.28", "1.31")
    running = [c for c in result if c.verdict not in ("not-running", "not-checked")]
    assert running and {c.verdict for c in running} == {"restart"}
    details = {r.detail for c in running for r in c.reasons}
    assert details == {
        "from 1.31 the kubelet hashes only the container's name and image instead of the JSON encoding of the whole "
        "container, so every running container restarts whatever its spec"
    }


def test_struct_era_token_mount_gets_the_new_volume_mount_field() -> None:
    """1.13 -> 1.14 adds VolumeMount.SubPathExpr: every container with a mount restarts -- in a cluster nearly
    all of them, through the service-account token the API server mounts."""
    quiet = _workload("Pod", {"automountServiceAccountToken": False, "containers": [{"name": "c", "image": "x"}]})
    token = _workload("Deployment", {"containers": [{"name": "c", "image": "x"}]}, name="t")
    rows = _rows(predict_manifests([quiet, token], Options(to="1.14", from_version="1.13")))
    assert rows[("Pod/ns/w", "c")].verdict == "unchanged"
    t = rows[("Deployment/ns/t", "c")]
    assert t.verdict == "restart"
    assert [(r.kind, r.path) for r in t.reasons] == [
        ("field-added", "spec.template.spec.containers[0].volumeMounts[0].subPathExpr")
    ]


def test_reason_paths_start_at_the_object() -> None:
    spec = {
        "containers": [{"name": "a", "image": "x"}, {"name": "b", "image": "y", "resources": {"limits": {"cpu": "1"}}}]
    }
    options = Options(to="1.27", from_version="1.26", feature_gates={"InPlacePodVerticalScaling": True})
    for kind in ("CronJob", "PodTemplate", "Pod"):
        (b,) = [c for c in predict_manifests([_workload(kind, copy.deepcopy(spec))], options) if c.container == "b"]
        assert [(r.kind, r.path) for r in b.reasons] == [
            ("default-added", f"{'.'.join(TEMPLATE_PATHS[kind])}.containers[1].resizePolicy")
        ]


def test_a_sidecar_runs_only_when_its_gate_let_the_api_server_store_it() -> None:
    spec = {
        "initContainers": [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}],
        "containers": [{"name": "app", "image": "x"}],
    }
    for version, verdict in (("1.28", "not-running"), ("1.29", "restart")):
        rows = _rows(
            predict_manifests([_workload("Deployment", copy.deepcopy(spec))], Options(to="1.32", from_version=version))
        )
        assert rows[("Deployment/ns/w", "proxy")].verdict == verdict


def test_needs_the_version_the_pods_run_under() -> None:
    with pytest.raises(KubehashError, match="from_version"):
        predict_manifests([], Options(to="1.30"))


def test_incomplete_objects_are_warned() -> None:
    patch = _workload("Deployment", {"containers": [{"name": "controller", "args": ["--x"]}]})
    nospec = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "stub"}}
    result = predict_manifests([patch, nospec], Options(to="1.30", from_version="1.29"))
    assert len(result) == 1
    assert any(
        "containers without an image" in w and "Deployment/ns/w (container controller)" in w for w in result.warnings
    )
    assert any("objects without a pod spec" in w and "Pod/stub" in w for w in result.warnings)


def test_static_pod_files_read_one_pod_each() -> None:
    extra = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "second"}, "spec": {"containers": []}}
    from kubehash.model.workloads import ManifestDocument

    docs = [
        ManifestDocument(
            _workload("Pod", {"containers": [{"name": "c", "image": "x"}]}, namespace=None), "a.yaml", 1, 2
        ),
        ManifestDocument(extra, "a.yaml", 2, 2),
        ManifestDocument({"apiVersion": "v1", "kind": "ConfigMap"}, "b.yaml"),
    ]
    result = predict_manifests([], Options(to="1.30", from_version="1.29"), static_pods=docs)
    assert [(c.namespace, c.pod) for c in result] == [("default", "Pod/default/w")]
    assert any("a.yaml (document 2)" in w for w in result.warnings)
    assert any("not a Pod" in w and "b.yaml" in w for w in result.warnings)


# ---- properties ------------------------------------------------------------------------------------------------

CONTAINER = st.fixed_dictionaries(
    {"image": st.sampled_from(["nginx", "nginx:1.25", "registry.example.com/a/b@sha256:" + "0" * 64])},
    optional={"ports": st.lists(st.fixed_dictionaries({"containerPort": st.integers(1, 65535)}), max_size=2)},
)


@st.composite
def workloads(draw: Any) -> list[dict[str, Any]]:
    out = []
    for i in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(sorted(TEMPLATE_PATHS)))
        spec: dict[str, Any] = {}
        for key in ("initContainers", "containers"):
            n = draw(st.integers(0, 3))
            spec[key] = [dict(draw(CONTAINER), name=f"{key[0]}{j}") for j in range(n)]
        out.append(_workload(kind, spec, name=f"w{i}", namespace=draw(st.sampled_from([None, "a"]))))
        if draw(st.booleans()):
            out.append({"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Secret"}]})
    return out


@SETTINGS
@given(objects=workloads(), pair=st.tuples(st.sampled_from(MINORS), st.sampled_from(MINORS)))
def test_every_container_of_every_template_is_accounted_for_exactly_once(
    objects: list[Any], pair: tuple[str, str]
) -> None:
    result = predict_manifests(objects, Options(to=pair[1], from_version=pair[0]))
    expected = Counter(
        (t.ref, c["name"], kind)
        for o in objects
        for t in pod_templates(o)
        for key, kind in (("initContainers", "initContainer"), ("containers", "container"))
        for c in t.spec[key]
    )
    assert Counter((c.pod, c.container, c.kind) for c in result) == expected
    assert sum(result.summary["verdicts"].values()) == len(result)
    assert all(c.verdict != "error" for c in result)


def _running_pod(spec: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "ns", "uid": "u"},
        "spec": {**spec, "nodeName": "n1"},
        "status": {
            "phase": "Running",
            "containerStatuses": [{"name": c["name"], "state": {"running": {}}} for c in spec["containers"]],
        },
    }


def _same(a: Any, b: Any, spec_path: str) -> None:
    assert (a.verdict, a.old_hash, a.new_hash) == (b.verdict, b.old_hash, b.new_hash)
    a_paths = [r.path.replace(spec_path, "spec", 1) if spec_path else r.path for r in a.reasons]
    assert list(zip([r.kind for r in a.reasons], a_paths, strict=True)) == [(r.kind, r.path) for r in b.reasons]


@SETTINGS
@given(data=st.data(), pair=st.tuples(st.sampled_from(MINORS), st.sampled_from(MINORS)), gate=st.booleans())
def test_a_manifest_already_defaulted_predicts_as_the_pod_a_cluster_returns(
    data: st.DataObject, pair: tuple[str, str], gate: bool
) -> None:
    old, new = pair
    container = dict(data.draw(go_values(load_schema(old).root)), name="c")
    stored = stored_pod({"kind": "Pod", "spec": {"containers": [container]}}, old).pod["spec"]
    gates = (
        {"InPlacePodVerticalScaling": gate}
        if "InPlacePodVerticalScaling" in dict(RELEASES[MINORS.index(new)].feature_gates)
        and dict(RELEASES[MINORS.index(new)].feature_gates)["InPlacePodVerticalScaling"] != "ga"
        else {}
    )
    options = Options(to=new, from_version=old, feature_gates=gates)
    (from_cluster,) = predict([_running_pod(stored)], options, nodes={"n1": old})
    (from_manifest,) = predict_manifests([_workload("Deployment", copy.deepcopy(stored))], options)
    _same(from_manifest, from_cluster, "spec.template.spec")
    assert from_cluster.input_notes == ()  # a stored pod looks like one


@SETTINGS
@given(data=st.data(), pair=st.tuples(st.sampled_from(MINORS), st.sampled_from(MINORS)))
def test_a_field_the_old_version_lacks_never_changes_a_workloads_prediction(
    data: st.DataObject, pair: tuple[str, str]
) -> None:
    old, new = pair
    container = dict(data.draw(go_values(load_schema(new).root)), name="c")
    kept, _ = drop_unknown_fields(container, old)
    options = Options(to=new, from_version=old)
    (with_field,) = predict_manifests([_workload("Deployment", {"containers": [container]})], options)
    (without,) = predict_manifests([_workload("Deployment", {"containers": [kept]})], options)
    _same(with_field, without, "")
    assert all(r.kind != "field-not-in-old" for r in with_field.reasons)


@SETTINGS
@given(data=st.data(), pair=st.tuples(st.sampled_from(MINORS), st.sampled_from(MINORS)))
def test_a_static_pod_file_predicts_as_its_mirror_pod(data: st.DataObject, pair: tuple[str, str]) -> None:
    """The mirror pod shows the old kubelet's defaulted copy of the file: predicting the file with
    --static-pods gives what predicting that mirror pod gives (upgrades; a file of the old kubelet's fields)."""
    old, new = pair
    assume(MINORS.index(old) <= MINORS.index(new))
    container = dict(data.draw(go_values(load_schema(old).root)), name="c")
    raw = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "s", "namespace": "kube-system"},
        "spec": {"hostNetwork": data.draw(st.booleans()), "containers": [container]},
    }
    from kubehash.kubelet.defaults import apply_defaults

    mirror = apply_defaults(raw, old).obj
    mirror["metadata"]["annotations"] = {MIRROR_ANNOTATION: "x"}
    options = Options(to=new, from_version=old)
    (as_mirror,) = predict(
        [_running_pod(mirror["spec"]) | {"metadata": mirror["metadata"]}], options, nodes={"n1": old}
    )
    (as_file,) = predict_manifests([], options, static_pods=[raw])
    assert (as_file.verdict, as_file.old_hash, as_file.new_hash) == (
        as_mirror.verdict,
        as_mirror.old_hash,
        as_mirror.new_hash,
    )
