"""upgrade.predict.created: what an API server stores for a pod created through it."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from kubehash.kubelet.defaults import apply_defaults
from kubehash.kubelet.releases import RELEASES, release
from kubehash.upgrade.predict.created import TOKEN_MOUNT_PATH, api_server_gates, gated_fields, stored_pod


def _pod(*containers: dict[str, Any], init: tuple[dict[str, Any], ...] = (), **spec: Any) -> dict[str, Any]:
    return {
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": list(containers), "initContainers": list(init), **spec},
    }


WEB = {"name": "web", "image": "nginx:1.25", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}


def test_a_field_newer_than_the_api_server_is_not_stored() -> None:
    s18, s19 = stored_pod(_pod(WEB), "1.18"), stored_pod(_pod(WEB), "1.19")
    assert "seccompProfile" not in s18.pod["spec"]["containers"][0].get("securityContext", {})
    assert [(d.container, d.name, d.path, d.gate) for d in s18.dropped] == [
        ("containers[0]", "web", "securityContext.seccompProfile", None)
    ]
    assert s18.dropped[0].text("spec.template.spec") == (
        "spec.template.spec.containers[0].securityContext.seccompProfile does not exist in Kubernetes 1.18"
    )
    assert s19.dropped == [] and s19.pod["spec"]["containers"][0]["securityContext"]["seccompProfile"]


@pytest.mark.parametrize(("version", "kept"), [("1.27", False), ("1.28", False), ("1.29", True)])
def test_a_sidecar_needs_its_gate_at_create(version: str, kept: bool) -> None:
    sidecar = {"name": "proxy", "image": "envoy", "restartPolicy": "Always"}
    s = stored_pod(_pod(WEB, init=(sidecar,)), version)
    assert ("restartPolicy" in s.pod["spec"]["initContainers"][0]) is kept
    gated = [d for d in s.dropped if d.container == "initContainers[0]"]
    assert [d.gate for d in gated] == ([] if kept else [None if version == "1.27" else "SidecarContainers"])
    # the user's gates (a cluster that turned it on) are the API server's too
    on = stored_pod(_pod(WEB, init=(sidecar,)), version, feature_gates={"SidecarContainers": True})
    assert ("restartPolicy" in on.pod["spec"]["initContainers"][0]) is (version != "1.27")


def test_gated_fields_data() -> None:
    rows = gated_fields()
    assert {r.gate for r in rows} == {"StartupProbe", "InPlacePodVerticalScaling", "SidecarContainers"}
    for r in rows:
        assert r.source and r.containers and r.path
        assert any(r.gate in release(m).gate_stages() for m in ("1.16", "1.27", "1.28"))


def test_api_server_gates_take_overrides_it_has_and_does_not_lock() -> None:
    assert api_server_gates(release("1.17")) == {"EphemeralContainers": False, "StartupProbe": False}
    assert api_server_gates(release("1.20"), {"StartupProbe": False, "Nope": True})["StartupProbe"] is True  # GA


def test_the_service_account_token_is_mounted_into_every_container() -> None:
    pod = _pod(
        {"name": "a", "image": "x"},
        {"name": "b", "image": "y", "volumeMounts": [{"name": "own", "mountPath": TOKEN_MOUNT_PATH}]},
        init=({"name": "i", "image": "z"},),
    )
    s = stored_pod(pod, "1.13")
    a, b = s.pod["spec"]["containers"]
    (i,) = s.pod["spec"]["initContainers"]
    assert a["volumeMounts"] == [{"name": "default-token-xxxxx", "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}]
    assert i["volumeMounts"] == a["volumeMounts"]
    assert b["volumeMounts"] == [{"name": "own", "mountPath": TOKEN_MOUNT_PATH}]  # already mounted there
    assert stored_pod(pod, "1.22").pod["spec"]["containers"][0]["volumeMounts"][0]["name"] == "kube-api-access-xxxxx"


@pytest.mark.parametrize(
    ("pod_setting", "sa_setting", "mounted"),
    [(None, None, True), (False, None, False), (None, False, False), (True, False, True), (False, True, False)],
)
def test_automount_service_account_token(pod_setting: bool | None, sa_setting: bool | None, mounted: bool) -> None:
    spec = {} if pod_setting is None else {"automountServiceAccountToken": pod_setting}
    s = stored_pod(_pod({"name": "a", "image": "x"}, **spec), "1.20", service_account_automount=sa_setting)
    assert ("volumeMounts" in s.pod["spec"]["containers"][0]) is mounted


def test_defaults_are_the_pods_of_that_version_and_the_input_is_untouched() -> None:
    pod = _pod(
        {"name": "a", "image": "x:1", "ports": [{"containerPort": 80}], "resources": {"limits": {"cpu": "1"}}},
        automountServiceAccountToken=False,
    )
    before = copy.deepcopy(pod)
    s = stored_pod(pod, "1.20")
    assert pod == before
    assert s.pod == apply_defaults(pod, "1.20").obj  # nothing to drop, no token: only the defaults
    c = s.pod["spec"]["containers"][0]
    assert c["resources"]["requests"] == {"cpu": "1"} and c["ports"][0]["protocol"] == "TCP"


def test_projected_token_volume_is_release_data() -> None:
    """From 1.21 (BoundServiceAccountTokenVolume on by default) a new pod gets a projected kube-api-access-*
    volume: releases.json ``projected_token_volume``, the threshold ``stored_pod`` follows."""
    minors = [r.minor for r in RELEASES]
    assert [r.minor for r in RELEASES if r.projected_token_volume] == minors[minors.index("1.21") :]
    for r in RELEASES:
        mount = stored_pod(_pod({"name": "a", "image": "x"}), r.minor).pod["spec"]["containers"][0]["volumeMounts"][0]
        assert mount["name"] == ("kube-api-access-xxxxx" if r.projected_token_volume else "default-token-xxxxx")
