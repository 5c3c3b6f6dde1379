"""predict with the kubelet's feature gates: hashWithoutResources (1.27-1.30) and sidecar comparison (1.32+).

The small cluster below carries runtime records with and without the hashWithoutResources annotation,
written as ``crictl inspect`` files and read back by the ordinary runtime loader (end to end)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from same import assert_same_prediction

from kubehash import hash_container
from kubehash.cli import main
from kubehash.errors import KubehashError
from kubehash.kubelet.without_resources import hash_without_resources
from kubehash.model import RuntimeRecord
from kubehash.sources.runtime import load_runtime, render_crictl_inspect
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import predict

ON = {"InPlacePodVerticalScaling": True}
NODES = {"n1": "v1.29.4", "n2": "v1.28.2", "n3": "v1.30.1"}


def _container(name: str, image: str = "nginx:1.25", cpu: str = "1", **extra: Any) -> dict[str, Any]:
    res = {"cpu": cpu, "memory": "1Gi"}
    return {
        "name": name,
        "image": image,
        "resources": {"limits": dict(res), "requests": dict(res)},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "imagePullPolicy": "IfNotPresent",
        **extra,
    }


def _pod(name: str, node: str, containers: list[dict[str, Any]], **spec: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": "default"}
    if spec.pop("static", False):
        meta["annotations"] = {"kubernetes.io/config.mirror": "x", "kubernetes.io/config.source": "file"}
    return {"kind": "Pod", "metadata": meta, "spec": {"nodeName": node, "containers": containers, **spec}}


def _record(pod: str, node: str, started: dict[str, Any], *, hwr: bool, source: str = "apiserver") -> RuntimeRecord:
    """What the node's kubelet recorded when it started ``started`` (hwr: whether its gate was on)."""
    minor = NODES[node]
    return RuntimeRecord(
        "default",
        pod,
        started["name"],
        hash_container(started, minor, source=source),
        state="running",
        node=node,
        container_id=f"{pod}-{started['name']}".ljust(64, "0"),
        hash_without_resources=hash_without_resources(started, minor, source=source) if hwr else None,
    )


def _cluster() -> tuple[list[dict[str, Any]], list[RuntimeRecord]]:
    """Pods as they are now, and the runtime records of when their containers started."""
    pods, records = [], []
    # resized in place from cpu 1 to 2 while running under a 1.29 kubelet with the gate on
    pods.append(_pod("resized", "n1", [_container("web", cpu="2")]))
    records.append(_record("resized", "n1", _container("web", cpu="1"), hwr=True))
    # unchanged since start
    pods.append(_pod("steady", "n1", [_container("web")]))
    records.append(_record("steady", "n1", _container("web"), hwr=True))
    # image edited since start: more than resources changed
    pods.append(_pod("edited", "n1", [_container("web", image="nginx:1.27")]))
    records.append(_record("edited", "n1", _container("web"), hwr=True))
    # resized, but started by a kubelet with the gate off: no annotation
    pods.append(_pod("noannot", "n2", [_container("web", cpu="2")]))
    records.append(_record("noannot", "n2", _container("web", cpu="1"), hwr=False))
    # a static pod resized (its manifest edited): never resized in place
    pods.append(_pod("static", "n1", [_container("web", cpu="2")], static=True))
    records.append(_record("static", "n1", _container("web", cpu="1"), hwr=True, source="file"))
    return pods, records


@pytest.fixture(scope="module")
def runtime_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The records as ``crictl inspect`` output under ``DIR/<node>/``, as an operator collects them."""
    root = tmp_path_factory.mktemp("runtime")
    _, records = _cluster()
    for node in NODES:
        mine = [render_crictl_inspect(r) for r in records if r.node == node]
        if mine:
            (root / node).mkdir()
            (root / node / "containers.json").write_text(json.dumps(mine))
    return root


def _by_pod(result: Any) -> dict[str, Any]:
    return {c.pod: c for c in result}


def test_runtime_files_carry_both_annotations(runtime_dir: Path) -> None:
    records, errors = load_runtime([runtime_dir])
    assert not errors
    _, expected = _cluster()
    got = {(r.pod, r.hash, r.hash_without_resources) for r in records}
    assert got == {(r.pod, r.hash, r.hash_without_resources) for r in expected}
    assert sum(r.hash_without_resources is None for r in records) == 1


def test_gate_off_every_changed_hash_restarts(runtime_dir: Path) -> None:
    pods, _ = _cluster()
    records, _ = load_runtime([runtime_dir])
    result = _by_pod(predict(pods, Options(to="1.30"), nodes=NODES, runtime=records))
    assert {p: c.verdict for p, c in result.items()} == {
        "resized": "restart",
        "steady": "unchanged",
        "edited": "restart",
        "noannot": "restart",
        "static": "restart",
    }
    assert all("hash-without-resources" not in r.kind for c in result.values() for r in c.reasons)
    # the model check covers the recorded hashWithoutResources: the resize changed only resources
    resized = result["resized"]
    assert resized.model_check == "mismatch"
    assert "only resources changed" in resized.reason_text()
    assert result["steady"].model_check == "match"
    assert "more than resources changed" in result["edited"].reason_text()


def test_gate_on_resized_containers_are_not_restarted(runtime_dir: Path) -> None:
    pods, _ = _cluster()
    records, _ = load_runtime([runtime_dir])
    result = _by_pod(predict(pods, Options(to="1.30", kubelet_feature_gates=ON), nodes=NODES, runtime=records))
    assert {p: c.verdict for p, c in result.items()} == {
        "resized": "unchanged",  # recorded hashWithoutResources equals the new one
        "steady": "unchanged",
        "edited": "restart",  # hashWithoutResources changed as well
        "noannot": "restart",  # no annotation: read as 0
        "static": "restart",  # static pods are never resized in place
    }
    kinds = {p: [r.kind for r in c.reasons] for p, c in result.items()}
    assert kinds["resized"][-1] == "hash-without-resources"
    assert "resizes in place, no restart" in result["resized"].reason_text()
    assert kinds["edited"][-1] == "hash-without-resources"
    assert "changed too" in result["edited"].reason_text()
    assert kinds["noannot"][-1] == "hash-without-resources-missing"
    assert "reads it as 0" in result["noannot"].reason_text()
    assert "hash-without-resources" not in kinds["static"]
    summary = predict(pods, Options(to="1.30", kubelet_feature_gates=ON), nodes=NODES, runtime=records).summary
    assert summary["restart_reasons"]["hash-without-resources-missing"] == 1
    assert summary["verdicts"] == {"unchanged": 2, "restart": 3}


@pytest.mark.parametrize("to", ["1.26", "1.31", "1.33"])
def test_targets_without_the_hash_ignore_it(runtime_dir: Path, to: str) -> None:
    pods, _ = _cluster()
    records, _ = load_runtime([runtime_dir])
    gates = ON if to != "1.26" and to != "1.33" else None  # 1.26 has no such gate, 1.33 has it on
    result = _by_pod(predict(pods, Options(to=to, kubelet_feature_gates=gates), nodes=NODES, runtime=records))
    assert result["resized"].verdict == "restart"
    assert all("hash-without-resources" not in r.kind for c in result.values() for r in c.reasons)


def _limits_only(name: str = "web") -> dict[str, Any]:
    c = _container(name)
    del c["resources"]["requests"]  # a trimmed dump: the new side gets requests copied from limits
    return c


def test_without_records_the_old_kubelets_gates_decide() -> None:
    """No runtime record: what the old kubelet wrote is derived from its minor and gates."""
    pods = [_pod("trim", "n1", [_limits_only()])]
    plain = list(predict(pods, Options(to="1.30"), nodes=NODES))
    assert [c.verdict for c in plain] == ["restart"]  # requests defaulted: the full hash changed
    assert [r.kind for r in plain[0].reasons] == ["input-not-defaulted"]  # every API server copies them
    # the new kubelet has the gate on but the old one never wrote the annotation
    missing = list(predict(pods, Options(to="1.30", kubelet_feature_gates=ON), nodes=NODES))
    assert [c.verdict for c in missing] == ["restart"]
    assert "kubelet 1.29 with InPlacePodVerticalScaling off writes no" in missing[0].reason_text()
    # both with the gate on: only resources differ, so no restart
    both = list(predict(pods, Options(to="1.30", kubelet_feature_gates=ON, old_kubelet_feature_gates=ON), nodes=NODES))
    assert [c.verdict for c in both] == ["unchanged"]
    assert both[0].reasons[-1].kind == "hash-without-resources"
    # an old 1.26 kubelet ignores the old gate (it has none) and writes nothing
    old126 = list(
        predict(pods, Options(to="1.30", from_version="1.26", kubelet_feature_gates=ON, old_kubelet_feature_gates=ON))
    )
    assert [c.verdict for c in old126] == ["restart"]
    assert "kubelet 1.26 writes no" in old126[0].reason_text()


def test_apiserver_resize_policy_default_is_not_zeroed() -> None:
    """The control plane's InPlacePodVerticalScaling defaults resizePolicy, which hashWithoutResources keeps."""
    pods = [_pod("p", "n1", [_container("web")])]
    result = list(
        predict(
            pods,
            Options(to="1.30", feature_gates=ON, kubelet_feature_gates=ON, old_kubelet_feature_gates=ON),
            nodes=NODES,
        )
    )
    assert [c.verdict for c in result] == ["restart"]
    kinds = [r.kind for r in result[0].reasons]
    assert kinds == ["default-added", "hash-without-resources"]
    assert result[0].reasons[0].path == "spec.containers[0].resizePolicy"
    assert "changed too" in result[0].reasons[1].detail


def _sidecar_pod(image: str) -> dict[str, Any]:
    init = {"name": "proxy", "image": image, "restartPolicy": "Always"}
    pod = _pod("side", "n3", [_container("web")], initContainers=[init])
    pod["status"] = {
        "phase": "Running",
        "initContainerStatuses": [{"name": "proxy", "state": {"running": {"startedAt": "2025-01-01T00:00:00Z"}}}],
        "containerStatuses": [{"name": "web", "state": {"running": {"startedAt": "2025-01-01T00:00:01Z"}}}],
    }
    return pod


def test_sidecars_are_compared_only_from_132_with_the_gate_on() -> None:
    started = {"name": "proxy", "image": "envoy:1.30", "restartPolicy": "Always"}
    rec = RuntimeRecord("default", "side", "proxy", hash_container(started, "1.31"), state="running")
    pod = _sidecar_pod("envoy:1.31")  # image edited since the sidecar started
    for to, gates, verdict in [
        ("1.31", None, "not-checked"),  # 1.28-1.31 never compare sidecars
        ("1.32", None, "restart"),  # SidecarContainers beta: on
        ("1.32", {"SidecarContainers": False}, "not-checked"),
        ("1.33", None, "restart"),  # GA
    ]:
        result = predict([pod], Options(to=to, from_version="1.31", kubelet_feature_gates=gates), runtime=[rec])
        side = next(c for c in result if c.container == "proxy")
        assert side.verdict == verdict, (to, gates)
        if verdict == "not-checked":
            assert side.reasons[0].kind == "init-container"
    off = predict([pod], Options(to="1.32", from_version="1.31", kubelet_feature_gates={"SidecarContainers": False}))
    assert "SidecarContainers off" in next(c for c in off if c.container == "proxy").reason_text()


def test_bad_kubelet_gates_are_refused() -> None:
    pods, _ = _cluster()
    with pytest.raises(KubehashError, match=r"unknown kubelet feature gate 'SidecarContainers' for kubelet 1\.27"):
        predict(pods, Options(to="1.27", kubelet_feature_gates={"SidecarContainers": True}), nodes=NODES)
    with pytest.raises(KubehashError, match="locked"):
        predict(pods, Options(to="1.33", kubelet_feature_gates={"SidecarContainers": False}), nodes=NODES)
    with pytest.raises(KubehashError, match="unknown kubelet feature gate 'Typo'"):
        predict(pods, Options(to="1.30", old_kubelet_feature_gates={"Typo": True}), nodes=NODES)


def test_cli_kubelet_feature_gates(tmp_path: Path, runtime_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pods, _ = _cluster()
    f = tmp_path / "pods.json"
    f.write_text(json.dumps({"kind": "List", "items": pods}))
    nodes = tmp_path / "nodes.json"
    nodes.write_text(
        json.dumps(
            {
                "kind": "List",
                "items": [
                    {"kind": "Node", "metadata": {"name": n}, "status": {"nodeInfo": {"kubeletVersion": v}}}
                    for n, v in NODES.items()
                ],
            }
        )
    )
    base = ["predict", "--to", "1.30", "--pods", str(f), "--nodes", str(nodes), "--runtime", str(runtime_dir), "-q"]
    assert main([*base, "-o", "json"]) == 3
    off = {c["pod"]: c["verdict"] for c in json.loads(capsys.readouterr().out)["containers"]}
    assert off["resized"] == "restart"
    gates = ["--kubelet-feature-gates", "InPlacePodVerticalScaling=true,SidecarContainers=false"]
    assert main([*base, *gates, "-o", "json"]) == 3
    doc = json.loads(capsys.readouterr().out)
    on = {c["pod"]: c["verdict"] for c in doc["containers"]}
    assert on["resized"] == "unchanged" and on["noannot"] == "restart"
    resized = next(c for c in doc["containers"] if c["pod"] == "resized")
    assert resized["reasons"][-1]["kind"] == "hash-without-resources"
    assert main([*base, "--kubelet-feature-gates", "NoSuchGate=true"]) == 1
    assert "--kubelet-feature-gates" in capsys.readouterr().err
    assert main([*base, "--old-kubelet-feature-gates", "InPlacePodVerticalScaling=maybe"]) == 1
    assert "--old-kubelet-feature-gates" in capsys.readouterr().err
    assert main([*base, "--kubelet-feature-gates", "InPlacePodVerticalScaling=true", "-o", "table"]) == 3
    table = capsys.readouterr().out
    assert "hash-without-resources-missing" in table


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    old_cpu=st.sampled_from(["1", "500m", "2"]),
    new_cpu=st.sampled_from(["1", "500m", "2"]),
    image=st.sampled_from(["nginx:1.25", "nginx:1.27"]),
    annotated=st.booleans(),
    gate=st.booleans(),
)
def test_verdict_rule(old_cpu: str, new_cpu: str, image: str, annotated: bool, gate: bool) -> None:
    """computePodActions (1.27-1.30): restart iff the hash changed and (gate off, or the recorded
    hashWithoutResources -- 0 when missing -- differs from the new one)."""
    started = _container("web", cpu=old_cpu)
    now = _container("web", image=image, cpu=new_cpu)
    rec = _record("p", "n1", started, hwr=annotated)
    options = Options(to="1.30", kubelet_feature_gates=ON if gate else {})
    (c,) = predict([_pod("p", "n1", [copy.deepcopy(now)])], options, nodes=NODES, runtime=[rec])
    changed = hash_container(now, "1.30") != rec.hash
    recorded_hwr = rec.hash_without_resources or 0
    expected = changed and (not gate or hash_without_resources(now, "1.30") != recorded_hwr)
    assert c.verdict == ("restart" if expected else "unchanged")
    assert (c.model_check == "match") == (started == now)


EXAMPLE = Path(__file__).parents[2] / "examples" / "resize-cluster"


def test_example_is_reproducible_and_tells_its_story() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen", EXAMPLE.parent / "generate_resize_cluster.py")
    assert spec and spec.loader
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    pods, nodes, runtime = gen.build()
    assert json.loads((EXAMPLE / "pods.json").read_text()) == pods
    assert json.loads((EXAMPLE / "nodes.json").read_text()) == nodes
    for node, recs in runtime.items():
        assert json.loads((EXAMPLE / "runtime" / node / "crictl-inspect.json").read_text()) == recs
    records, errors = load_runtime([EXAMPLE / "runtime"])
    assert not errors
    off = _by_pod(predict(pods, Options(to="1.30", feature_gates=ON), runtime=records, nodes=nodes))
    on = _by_pod(
        predict(pods, Options(to="1.30", feature_gates=ON, kubelet_feature_gates=ON), runtime=records, nodes=nodes)
    )
    assert {p for p, c in off.items() if c.verdict == "restart"} == {"web-0", "cart"}
    assert {p for p, c in on.items() if c.verdict == "restart"} == {"cart"}
    assert all(c.model_check == ("match" if p not in ("web-0", "cart") else "mismatch") for p, c in on.items())
    # web-0 was resized in place since it started: said once, not as a spec change the model missed
    assert [r.kind for r in on["web-0"].reasons] == ["resized-since-start", "hash-without-resources"]
    assert [r.kind for r in on["cart"].reasons] == ["spec-changed", "spec-changed", "hash-without-resources"]


def test_predict_file_in_workers_gives_the_same_result() -> None:
    from kubehash.pipeline.predict_file import predict_file

    records, _ = load_runtime([EXAMPLE / "runtime"])
    nodes = json.loads((EXAMPLE / "nodes.json").read_text())
    options = Options(to="1.30", kubelet_feature_gates=ON)
    streamed = predict_file(EXAMPLE / "pods.json", options, nodes=nodes, runtime=records, jobs=2)
    expected = predict(json.loads((EXAMPLE / "pods.json").read_text()), options, nodes=nodes, runtime=records)
    assert_same_prediction(streamed, expected)
    assert streamed.summary["verdicts"] == {"restart": 1, "unchanged": 4}


_ETCD = {
    "name": "etcd",
    "image": "registry.k8s.io/etcd:3.5.9-0",
    "imagePullPolicy": "IfNotPresent",
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
    "resources": {"requests": {"cpu": "100m"}},
}


def _etcd_pod(name: str, static: bool) -> dict:
    from kubehash.model import MIRROR_ANNOTATION

    meta = {"name": name, "namespace": "kube-system"} | ({"annotations": {MIRROR_ANNOTATION: "x"}} if static else {})
    return {
        "kind": "Pod",
        "metadata": meta,
        "spec": {"nodeName": "cp", "containers": [dict(_ETCD)]},
        "status": {"phase": "Running", "containerStatuses": [{"name": "etcd", "state": {"running": {}}}]},
    }


def test_static_pods_are_defaulted_with_the_kubelets_gates() -> None:
    """A static pod is defaulted by the new kubelet (docs/kubernetes-facts.md#decode-paths) with its own gates:
    InPlacePodVerticalScaling on the 1.28 kubelet writes resizePolicy; the control plane's gate does not."""
    from kubehash.upgrade.predict import predict

    pod = _etcd_pod("etcd-cp", static=True)
    nodes = {"cp": "1.28"}
    gate = {"InPlacePodVerticalScaling": True}
    (plain,) = predict([pod], Options(to="1.28"), nodes=nodes).containers
    (cp_gate,) = predict([pod], Options(to="1.28", feature_gates=gate), nodes=nodes).containers
    (kubelet_gate,) = predict([pod], Options(to="1.28", kubelet_feature_gates=gate), nodes=nodes).containers
    assert plain.verdict == cp_gate.verdict == "unchanged"
    assert kubelet_gate.verdict == "restart"
    assert [(r.kind, r.path) for r in kubelet_gate.reasons] == [("default-added", "spec.containers[0].resizePolicy")]


def test_static_and_api_pods_sharing_a_spec_do_not_share_defaults(tmp_path: Path) -> None:
    """The same container in an API pod (control plane's gates) and a static pod (kubelet's gates): each
    gets its own defaults, whatever the order of the pods and however a dump is split between workers."""
    from kubehash.pipeline.predict_file import predict_file
    from kubehash.upgrade.predict import predict

    api, static = _etcd_pod("etcd-api", static=False), _etcd_pod("etcd-static", static=True)
    options = Options(to="1.28", kubelet_feature_gates={"InPlacePodVerticalScaling": True})
    nodes = {"cp": "1.28"}
    expected = {"etcd-api": "unchanged", "etcd-static": "restart"}
    for pods in ([api, static], [static, api]):
        assert {c.pod: c.verdict for c in predict(pods, options, nodes=nodes)} == expected
        path = tmp_path / "pods.json"
        path.write_text(json.dumps({"apiVersion": "v1", "items": pods * 3, "kind": "List"}, indent=4))
        for jobs in (1, 2):
            got = predict_file(path, options, nodes=nodes, jobs=jobs)
            assert {c.pod: c.verdict for c in got} == expected


@pytest.mark.parametrize(
    ("old_gate", "new_gate", "verdict", "kinds"),
    [
        (False, False, "unchanged", []),
        (False, True, "restart", ["default-added"]),  # the new kubelet writes resizePolicy
        (True, False, "restart", ["old-kubelet-default"]),  # the old one had written it into its copy
        (True, True, "unchanged", []),  # both kubelets write it
    ],
)
def test_static_pods_old_and_new_kubelet_defaults(old_gate: bool, new_gate: bool, verdict: str, kinds: list) -> None:
    """A static pod is hashed by each kubelet on its own defaulted copy of the manifest: with
    InPlacePodVerticalScaling on, a 1.28 kubelet adds resizePolicy, which the mirror pod need not show."""
    from kubehash.upgrade.predict import predict

    gate = "InPlacePodVerticalScaling"
    (c,) = predict(
        [_etcd_pod("etcd-cp", static=True)],
        Options(to="1.29", kubelet_feature_gates={gate: new_gate}, old_kubelet_feature_gates={gate: old_gate}),
        nodes={"cp": "1.28"},
    ).containers
    assert c.verdict == verdict
    assert [r.kind for r in c.reasons][: len(kinds)] == kinds
    if old_gate and not new_gate:
        assert c.reasons[0].path.startswith("spec.containers[0].resizePolicy") and "1.28 kubelet" in c.reasons[0].detail
