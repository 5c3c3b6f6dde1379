"""apply_defaults: each rule, each minor boundary, gates, and invariants (idempotent, input untouched)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import go_values

from kubehash import apply_defaults, hash_container
from kubehash.errors import KubehashError
from kubehash.kubelet.defaults import RULES
from kubehash.kubelet.gates import parse_feature_gates
from kubehash.kubelet.releases import RELEASES, release
from kubehash.kubelet.schema import load_schema

IPPVS = "InPlacePodVerticalScaling"


def pod(*containers: dict[str, Any], init: tuple[dict[str, Any], ...] = (), **spec: Any) -> dict[str, Any]:
    return {"kind": "Pod", "spec": {"containers": list(containers), "initContainers": list(init), **spec}}


def rules_at(d: Any, path: str) -> list[str]:
    return [a.rule for a in d.applied if a.json_path == path]


# ---- container-level rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "policy"),
    [("nginx", "Always"), ("nginx:1.2", "IfNotPresent"), (f"nginx@sha256:{'a' * 64}", "IfNotPresent")],
)
def test_image_pull_policy(image: str, policy: str) -> None:
    d = apply_defaults({"name": "c", "image": image}, "1.8")
    assert d.obj["imagePullPolicy"] == policy
    assert rules_at(d, "$.imagePullPolicy") == ["image-pull-policy"]


def test_explicit_values_are_kept() -> None:
    c = {"name": "c", "image": "nginx", "imagePullPolicy": "Never", "terminationMessagePolicy": "FallbackToLogsOnError"}
    d = apply_defaults(c, "1.20")
    assert d.obj["imagePullPolicy"] == "Never"
    assert d.obj["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert d.obj["terminationMessagePath"] == "/dev/termination-log"
    assert [a.rule for a in d.applied] == ["termination-message-path"]


def test_port_protocol_and_field_ref() -> None:
    c = {
        "name": "c",
        "image": "x:1",
        "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}],
        "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}, {"name": "V", "value": "1"}],
    }
    d = apply_defaults(c, "1.12")
    assert [p["protocol"] for p in d.obj["ports"]] == ["TCP", "UDP"]
    assert d.obj["env"][0]["valueFrom"]["fieldRef"]["apiVersion"] == "v1"
    assert "hostPort" not in d.obj["ports"][0]  # a bare container has no pod context


def test_quantities_round_up_to_milli_as_canonical_strings() -> None:
    c = {
        "name": "c",
        "image": "x:1",
        "resources": {"limits": {"cpu": "1500u", "memory": "1Gi"}, "requests": {"cpu": 0.0001}},
    }
    d = apply_defaults(c, "1.16")
    assert d.obj["resources"] == {"limits": {"cpu": "2m", "memory": "1Gi"}, "requests": {"cpu": "1m"}}
    assert sorted(a.json_path for a in d.applied if a.rule == "quantity-round-up") == [
        "$.resources.limits.cpu",
        "$.resources.requests.cpu",
    ]


def test_probe_defaults_including_explicit_zero_and_lifecycle_http_get() -> None:
    c = {
        "name": "c",
        "image": "x:1",
        "livenessProbe": {"httpGet": {"port": 8080}, "timeoutSeconds": 0, "periodSeconds": 5},
        "readinessProbe": {"tcpSocket": {"port": 1}},
        "lifecycle": {"preStop": {"httpGet": {"port": 1, "path": "/quit"}}, "postStart": {"exec": {"command": ["a"]}}},
    }
    d = apply_defaults(c, "1.10").obj
    assert d["livenessProbe"] == {
        "httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 5,
        "successThreshold": 1,
        "failureThreshold": 3,
    }
    assert d["readinessProbe"]["failureThreshold"] == 3 and "httpGet" not in d["readinessProbe"]
    assert d["lifecycle"]["preStop"]["httpGet"] == {"port": 1, "path": "/quit", "scheme": "HTTP"}
    assert d["lifecycle"]["postStart"] == {"exec": {"command": ["a"]}}


@pytest.mark.parametrize(("version", "defaulted"), [("1.15", False), ("1.16", True), ("1.36", True)])
def test_startup_probe_from_1_16(version: str, defaulted: bool) -> None:
    d = apply_defaults({"name": "c", "image": "x:1", "startupProbe": {"exec": {"command": ["true"]}}}, version)
    assert ("periodSeconds" in d.obj["startupProbe"]) is defaulted


def test_startup_probe_defaults_name_the_gate_while_it_exists() -> None:
    c = {"name": "c", "image": "x:1", "startupProbe": {"httpGet": {"port": 1}}}
    gates = {a.gate for a in apply_defaults(c, "1.18").applied if a.json_path.startswith("$.startupProbe")}
    assert gates == {"StartupProbe"}
    assert {a.gate for a in apply_defaults(c, "1.30").applied} == {None}


@pytest.mark.parametrize(("version", "service"), [("1.22", None), ("1.23", ""), ("1.30", ""), ("1.36", "")])
def test_grpc_service_from_1_23(version: str, service: str | None) -> None:
    c = {"name": "c", "image": "x:1", "livenessProbe": {"grpc": {"port": 9000}}}
    assert apply_defaults(c, version).obj["livenessProbe"]["grpc"].get("service") == service


def test_grpc_service_kept_when_set() -> None:
    c = {"name": "c", "image": "x:1", "readinessProbe": {"grpc": {"port": 1, "service": "health"}}}
    assert apply_defaults(c, "1.25").obj["readinessProbe"]["grpc"]["service"] == "health"


@pytest.mark.parametrize(("version", "optional"), [("1.33", None), ("1.34", False), ("1.36", False)])
def test_file_key_ref_optional_from_1_34(version: str, optional: bool | None) -> None:
    env = [{"name": "A", "valueFrom": {"fileKeyRef": {"volumeName": "v", "path": "p", "key": "k"}}}]
    d = apply_defaults({"name": "c", "image": "x:1", "env": env}, version)
    assert d.obj["env"][0]["valueFrom"]["fileKeyRef"].get("optional") == optional
    if optional is not None:
        assert [a.gate for a in d.applied if a.rule == "file-key-ref-optional"] == ["EnvFiles"]


# ---- Pod-only rules ---------------------------------------------------------------------------


def test_requests_from_limits_for_regular_and_init_containers_not_ephemeral() -> None:
    res = {"limits": {"cpu": "500m", "memory": "1Gi"}, "requests": {"cpu": "100m"}}
    p = pod({"name": "a", "image": "x:1", "resources": res}, init=({"name": "i", "image": "x:1", "resources": res},))
    p["spec"]["ephemeralContainers"] = [{"name": "e", "image": "x:1", "resources": {"limits": {"cpu": "1"}}}]
    spec = apply_defaults(p, "1.25").obj["spec"]
    for c in (spec["containers"][0], spec["initContainers"][0]):
        assert c["resources"]["requests"] == {"cpu": "100m", "memory": "1Gi"}
    assert "requests" not in spec["ephemeralContainers"][0]["resources"]


def test_requests_from_limits_only_for_pods() -> None:
    c = {"name": "a", "image": "x:1", "resources": {"limits": {"cpu": "1"}}}
    assert "requests" not in apply_defaults(c, "1.20").obj["resources"]
    assert apply_defaults(c, "1.20", container_kind="initContainer").obj["resources"]["requests"] == {"cpu": "1"}
    deploy = {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [c]}}}}
    assert (
        "requests" not in apply_defaults(deploy, "1.20").obj["spec"]["template"]["spec"]["containers"][0]["resources"]
    )


def test_empty_limits_create_empty_requests() -> None:
    d = apply_defaults(pod({"name": "a", "image": "x:1", "resources": {"limits": {}}}), "1.10")
    assert d.obj["spec"]["containers"][0]["resources"]["requests"] == {}


def test_host_port_on_host_network_regular_and_init_not_ephemeral() -> None:
    ports = [{"containerPort": 80}, {"containerPort": 81, "hostPort": 9081}]
    p = pod({"name": "a", "image": "x:1", "ports": ports}, init=({"name": "i", "image": "x:1", "ports": ports},))
    p["spec"]["hostNetwork"] = True
    p["spec"]["ephemeralContainers"] = [{"name": "e", "image": "x:1", "ports": [{"containerPort": 7}]}]
    spec = apply_defaults(p, "1.31").obj["spec"]
    for c in (spec["containers"][0], spec["initContainers"][0]):
        assert [q["hostPort"] for q in c["ports"]] == [80, 9081]
    assert "hostPort" not in spec["ephemeralContainers"][0]["ports"][0]
    p["spec"]["hostNetwork"] = False
    assert "hostPort" not in apply_defaults(p, "1.31").obj["spec"]["containers"][0]["ports"][0]


def test_host_port_for_a_bare_container_with_pod_context() -> None:
    c = {"name": "a", "image": "x:1", "ports": [{"containerPort": 80}]}
    d = apply_defaults(c, "1.9", container_kind="container", host_network=True)
    assert d.obj["ports"][0]["hostPort"] == 80


@pytest.mark.parametrize(
    ("version", "gates", "defaulted"),
    [
        ("1.27", None, True),
        ("1.28", None, False),
        ("1.28", {"DefaultHostNetworkHostPortsInPodTemplates": True}, True),
        ("1.30", {"DefaultHostNetworkHostPortsInPodTemplates": True}, True),
        ("1.31", None, False),
    ],
)
def test_host_port_in_templates(version: str, gates: dict[str, bool] | None, defaulted: bool) -> None:
    spec = {"hostNetwork": True, "containers": [{"name": "a", "image": "x:1", "ports": [{"containerPort": 80}]}]}
    ds = {"kind": "DaemonSet", "spec": {"template": {"spec": spec}}}
    out = apply_defaults(ds, version, feature_gates=gates).obj
    assert ("hostPort" in out["spec"]["template"]["spec"]["containers"][0]["ports"][0]) is defaulted
    assert (
        apply_defaults({"kind": "Pod", "spec": spec}, version).obj["spec"]["containers"][0]["ports"][0]["hostPort"]
        == 80
    )


RESOURCES = {"limits": {"cpu": "1", "memory": "1Gi", "ephemeral-storage": "1Gi"}}


@pytest.mark.parametrize(
    ("version", "gate", "expected"),
    [
        ("1.27", None, None),  # alpha, off by default
        ("1.27", True, ["cpu", "memory"]),
        ("1.32", True, ["cpu", "memory"]),
        ("1.32", False, None),
        ("1.33", True, None),  # the default was removed in 1.33 although the gate is beta and on
        ("1.35", None, None),
    ],
)
def test_resize_policy_only_1_27_to_1_32_with_the_gate(version: str, gate: bool | None, expected: Any) -> None:
    gates = None if gate is None else {IPPVS: gate}
    p = pod(
        {"name": "a", "image": "x:1", "resources": RESOURCES},
        init=({"name": "i", "image": "x:1", "resources": RESOURCES},),
    )
    d = apply_defaults(p, version, feature_gates=gates)
    policy = d.obj["spec"]["containers"][0].get("resizePolicy")
    assert (None if policy is None else [e["resourceName"] for e in policy]) == expected
    assert "resizePolicy" not in d.obj["spec"]["initContainers"][0]
    if expected:
        assert {a.gate for a in d.applied if a.rule == "resize-policy"} == {IPPVS}
        assert {e["restartPolicy"] for e in policy} == {"NotRequired"}


def test_resize_policy_keeps_existing_entries_and_needs_requests() -> None:
    c = {
        "name": "a",
        "image": "x:1",
        "resources": {"requests": {"memory": "1Gi", "cpu": "1"}},
        "resizePolicy": [{"resourceName": "memory", "restartPolicy": "RestartContainer"}],
    }
    d = apply_defaults(c, "1.29", feature_gates={IPPVS: True}, container_kind="container")
    assert d.obj["resizePolicy"] == [
        {"resourceName": "memory", "restartPolicy": "RestartContainer"},
        {"resourceName": "cpu", "restartPolicy": "NotRequired"},
    ]
    bare = {"name": "a", "image": "x:1", "resources": {"requests": {"ephemeral-storage": "1Gi"}}}
    assert (
        "resizePolicy" not in apply_defaults(bare, "1.29", feature_gates={IPPVS: True}, container_kind="container").obj
    )
    assert "resizePolicy" not in apply_defaults({"name": "a", "image": "x:1"}, "1.29", feature_gates={IPPVS: True}).obj


@pytest.mark.parametrize(("version", "basics"), [("1.19", False), ("1.20", True)])
def test_ephemeral_containers(version: str, basics: bool) -> None:
    p = pod({"name": "a", "image": "x:1"})
    p["spec"]["ephemeralContainers"] = [{"name": "dbg", "image": "busybox", "resources": {"limits": {"cpu": "1500u"}}}]
    e = apply_defaults(p, version).obj["spec"]["ephemeralContainers"][0]
    assert ("imagePullPolicy" in e) is basics
    assert e["resources"]["limits"]["cpu"] == "2m"  # nested defaults from 1.16


# ---- gates, objects, errors ------------------------------------------------------------------


def test_feature_gates_are_checked_per_minor() -> None:
    with pytest.raises(KubehashError, match=r"unknown feature gate 'InPlacePodVerticalScaling' for Kubernetes 1\.26"):
        apply_defaults({"name": "a", "image": "b"}, "1.26", feature_gates={IPPVS: True})
    with pytest.raises(KubehashError, match="locked to true"):
        apply_defaults({"name": "a", "image": "b"}, "1.35", feature_gates={IPPVS: False})
    with pytest.raises(KubehashError, match="expected true or false"):
        apply_defaults({"name": "a", "image": "b"}, "1.27", feature_gates={IPPVS: "yes"})  # type: ignore[dict-item]
    assert apply_defaults({"name": "a", "image": "b"}, "1.27").feature_gates == {
        "GRPCContainerProbe": True,
        IPPVS: False,
    }


def test_parse_feature_gates() -> None:
    assert parse_feature_gates("A=true, B=False,C=1,") == {"A": True, "B": False, "C": True}
    for bad in ("A", "A=yes", "=true"):
        with pytest.raises(KubehashError):
            parse_feature_gates(bad)


def test_lists_templates_and_errors() -> None:
    c = {"name": "a", "image": "x:1"}
    lst = {
        "kind": "List",
        "items": [
            pod(c),
            {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [c]}}}}}},
        ],
    }
    d = apply_defaults(lst, "1.20")
    paths = {a.json_path for a in d.applied if a.rule == "image-pull-policy"}
    assert paths == {
        "$.items[0].spec.containers[0].imagePullPolicy",
        "$.items[1].spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy",
    }
    with pytest.raises(KubehashError, match="not a Pod"):
        apply_defaults({"kind": "Service", "spec": {}}, "1.20")
    assert apply_defaults({"kind": "Pod"}, "1.20").applied == []
    with pytest.raises(KubehashError, match="container kind"):
        apply_defaults(c, "1.20", container_kind="sidecar")


def test_every_rule_in_the_table_is_implemented() -> None:
    for r in RELEASES:
        assert set(r.defaults) <= set(RULES), r.minor
        assert set(dict(r.gated_defaults).values()) <= set(dict(r.feature_gates)), r.minor


def test_malformed_values_are_left_for_the_decoder() -> None:
    c = {"name": "a", "image": 5, "ports": "x", "resources": {"limits": {"cpu": "lots"}}, "livenessProbe": []}
    d = apply_defaults(c, "1.20")
    assert d.obj["image"] == 5 and "imagePullPolicy" not in d.obj
    assert d.obj["resources"]["limits"]["cpu"] == "lots"


# ---- invariants ------------------------------------------------------------------------------

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
JSON_ERA = [r.minor for r in RELEASES if r.era == "json"]


@pytest.mark.parametrize("version", ["1.8", "1.16", "1.27", "1.34"])
@SETTINGS
@given(data=go_values(load_schema("1.16").root))
def test_idempotent_and_input_untouched(version: str, data: dict[str, Any]) -> None:
    kinds: tuple[str | None, ...] = (None, "container", "initContainer")
    gates = {IPPVS: True} if version == "1.27" else None
    for kind in kinds:
        before = copy.deepcopy(data)
        once = apply_defaults(data, version, feature_gates=gates, container_kind=kind, host_network=True)
        assert data == before
        twice = apply_defaults(once.obj, version, feature_gates=gates, container_kind=kind, host_network=True)
        assert twice.obj == once.obj and twice.applied == []


@SETTINGS
@given(data=go_values(load_schema("1.16").root))
def test_owned_copy_is_defaulted_in_place_as_the_deep_copy_is(data: dict[str, Any]) -> None:
    """``owned=True`` (predict hands over a fresh parse of the container's JSON): the same defaults, the same
    record of them, written into the object given instead of a copy."""
    for version in ("1.17", "1.27", "1.33"):
        for kind in (None, "container", "initContainer"):
            mine = copy.deepcopy(data)
            owned = apply_defaults(mine, version, container_kind=kind, host_network=True, owned=True)
            copied = apply_defaults(data, version, container_kind=kind, host_network=True)
            assert owned.obj is mine
            assert owned.obj == copied.obj and owned.applied == copied.applied


def _active(version: str) -> frozenset[str]:
    rel = release(version)
    gates = rel.gate_defaults()
    return frozenset(d for d in rel.defaults if (g := rel.rule_gate(d)) is None or gates[g])


@SETTINGS
@given(data=go_values(load_schema("1.16").root))
def test_json_era_hash_of_a_defaulted_container_is_stable_while_defaults_are(data: dict[str, Any]) -> None:
    """Between JSON-era kubelets (1.16-1.30) whose API servers default alike, nothing restarts. The Go release
    is pinned: kubelet 1.30's Go 1.22 escapes \\b/\\f differently, a separate reason (``go-escaping``)."""
    hashes: dict[str, int] = {}
    for v in JSON_ERA:
        d = apply_defaults(data, v, container_kind="container")
        hashes[v] = hash_container(d.obj, v, go_version="1.21")
    for i, a in enumerate(JSON_ERA):
        for b in JSON_ERA[i + 1 :]:
            same_defaults = (
                apply_defaults(data, a, container_kind="container").obj
                == apply_defaults(data, b, container_kind="container").obj
            )
            if same_defaults or _active(a) == _active(b):
                assert hashes[a] == hashes[b], (a, b)
