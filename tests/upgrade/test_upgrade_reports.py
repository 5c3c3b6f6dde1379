"""The upgrade reports of docs/kubernetes-facts.md#what-changes-a-hash-across-an-upgrade, reproduced on a realistic
pod set defaulted by the old API server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import go_values

from kubehash import apply_defaults
from kubehash.kubelet.releases import RELEASES, release
from kubehash.kubelet.schema import load_schema
from kubehash.model import iter_containers
from kubehash.sources.documents import load_documents
from kubehash.upgrade.explain import Explanation, explain

PODS = {
    "apiVersion": "v1",
    "kind": "List",
    "items": load_documents(str(Path(__file__).parents[1] / "data" / "upgrade" / "pods.yaml")),
}
ALL = ("nginx", "exporter", "runner", "kube-scheduler")


def upgrade(old: str, new: str, gates: dict[str, bool] | None = None) -> dict[str, Explanation]:
    """Each container as the old control plane stored it, hashed by the old kubelet, versus the new kubelet
    under a control plane of the new version (static pods: defaulted by each kubelet)."""
    stored = apply_defaults(PODS, old, feature_gates=gates if gates and old == new else None).obj
    out = {}
    for ref in iter_containers(stored):
        out[ref.name] = explain(
            ref.spec,
            old,
            new,
            old_source=ref.source,
            control_plane=new,
            feature_gates=gates,
            container_kind=ref.kind,
            host_network=ref.pod_doc["spec"].get("hostNetwork") is True,
        )
    return out


def changed(result: dict[str, Explanation]) -> set[str]:
    return {name for name, ex in result.items() if ex.changed}


def details(ex: Explanation) -> list[tuple[str, str]]:
    return [(r.kind, r.detail) for r in ex.reasons]


@pytest.mark.parametrize(
    ("old", "new", "restarted", "field"),
    [
        ("1.8", "1.9", ALL, "Container.VolumeDevices"),  # every container (#53644 era)
        ("1.9", "1.10", ("exporter",), "SecurityContext.RunAsGroup"),
        ("1.11", "1.12", ("exporter",), "SecurityContext.ProcMount"),  # #72296
        ("1.13", "1.14", ("nginx", "kube-scheduler"), "VolumeMount.SubPathExpr"),  # #84443: the token mount
        ("1.14", "1.15", ("exporter",), "SecurityContext.WindowsOptions"),
    ],
)
def test_struct_era_fields_added(old: str, new: str, restarted: tuple[str, ...], field: str) -> None:
    result = upgrade(old, new)
    assert changed(result) == set(restarted)
    for name in restarted:
        kinds = {r.kind for r in result[name].reasons}
        assert kinds == {"field-added"}, (name, details(result[name]))
        assert any(field in r.detail for r in result[name].reasons)


@pytest.mark.parametrize(("old", "new", "era"), [("1.15", "1.16", "json"), ("1.30", "1.31", "name-image")])
def test_algorithm_changes_restart_everything(old: str, new: str, era: str) -> None:
    result = upgrade(old, new)
    assert changed(result) == set(ALL)
    for ex in result.values():
        assert [(r.kind, r.new) for r in ex.reasons] == [("algorithm", era)]


@pytest.mark.parametrize(("old", "new"), [("1.10", "1.11"), ("1.12", "1.13"), ("1.16", "1.17"), ("1.31", "1.32")])
def test_quiet_upgrades(old: str, new: str) -> None:
    result = upgrade(old, new)
    assert changed(result) == set()
    assert all(ex.reasons == [] for ex in result.values())


def test_runner_without_security_context_survives_the_security_context_hops() -> None:
    for old, new in (("1.9", "1.10"), ("1.11", "1.12"), ("1.14", "1.15")):
        assert not upgrade(old, new)["runner"].changed


def test_resize_policy_gate_on_restarts_containers_with_requests() -> None:
    result = upgrade("1.26", "1.27", {"InPlacePodVerticalScaling": True})
    # nginx has requests (copied from limits); the static pod's kubelet defaults it too; the others have none.
    assert changed(result) == {"nginx", "kube-scheduler"}
    assert details(result["nginx"]) == [
        (
            "default-added",
            "Container.ResizePolicy defaulted by the 1.27 apiserver (gate InPlacePodVerticalScaling) [resize-policy]",
        )
    ]
    assert result["nginx"].reasons[0].new == [
        {"resourceName": "cpu", "restartPolicy": "NotRequired"},
        {"resourceName": "memory", "restartPolicy": "NotRequired"},
    ]
    assert "the 1.27 kubelet (static pod)" in result["kube-scheduler"].reasons[0].detail


def test_resize_policy_gate_off_restarts_nothing() -> None:
    assert changed(upgrade("1.26", "1.27")) == set()
    assert changed(upgrade("1.26", "1.27", {"InPlacePodVerticalScaling": False})) == set()


def test_resize_policy_removed_in_1_33_does_not_matter_to_name_image_kubelets() -> None:
    assert changed(upgrade("1.32", "1.33")) == set()


def test_without_control_plane_defaults_are_not_applied() -> None:
    stored = apply_defaults(PODS, "1.26").obj
    nginx = next(r for r in iter_containers(stored) if r.name == "nginx")
    assert not explain(nginx.spec, "1.26", "1.27").changed


JSON_ERA = [r.minor for r in RELEASES if r.era == "json"]


@settings(max_examples=30, deadline=None)
@given(old=st.sampled_from(JSON_ERA), new=st.sampled_from(JSON_ERA), gate=st.booleans())
def test_reasons_empty_exactly_when_hashes_equal(old: str, new: str, gate: bool) -> None:
    gates = {"InPlacePodVerticalScaling": gate} if "InPlacePodVerticalScaling" in release(new).gate_stages() else None
    raw = list(iter_containers(PODS))
    for ref in raw:
        ex = explain(ref.spec, old, new, old_source=ref.source, control_plane=new, feature_gates=gates)
        assert (ex.reasons == []) == (ex.old_hash == ex.new_hash)


ALL_MINORS = [r.minor for r in RELEASES]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=go_values(load_schema("1.16").root),
    old=st.sampled_from(ALL_MINORS),
    new=st.sampled_from(ALL_MINORS),
    kind=st.sampled_from([None, "container", "initContainer"]),
)
def test_reasons_empty_exactly_when_hashes_equal_for_generated_containers(
    data: dict[str, Any], old: str, new: str, kind: str | None
) -> None:
    gates = {"InPlacePodVerticalScaling": True} if "InPlacePodVerticalScaling" in release(new).gate_stages() else None
    if gates and release(new).gate_stages()["InPlacePodVerticalScaling"] == "ga":
        gates = None
    stored = apply_defaults(data, old, container_kind=kind).obj
    ex = explain(stored, old, new, control_plane=new, feature_gates=gates, container_kind=kind, host_network=True)
    assert (ex.reasons == []) == (ex.old_hash == ex.new_hash)
    assert all(r.kind != "value-changed" or r.path for r in ex.reasons)  # every reason names where


def test_struct_era_default_reasons_name_go_fields() -> None:
    """A manifest as written versus as the 1.10 API server stores it: each default the struct dump shows,
    by its kubectl-explain path. The 1.10 API server (and a 1.9 one) writes them for the old side too, so they
    are the input's doing (``input-not-defaulted``), never the upgrade's."""
    manifest = {
        "name": "web",
        "image": "nginx:1.14.2",
        "resources": {"limits": {"cpu": "1500u"}},
        "livenessProbe": {"httpGet": {"port": 80}},
    }
    ex = explain(manifest, "1.10", "1.10", control_plane="1.10")
    by_path = {r.path: r for r in ex.reasons}
    assert {r.kind for r in ex.reasons} == {"input-not-defaulted"}
    assert by_path["imagePullPolicy"].detail.startswith(
        "Container.ImagePullPolicy: the 1.10 API server writes this default into every pod it stores "
        "[image-pull-policy]"
    )
    assert by_path["imagePullPolicy"].new == "IfNotPresent"
    assert "HTTPGetAction.Path" in by_path["livenessProbe.httpGet.path"].detail
    assert "[quantity-round-up]" in by_path["resources.limits[cpu]"].detail
    assert "[requests-from-limits]" in by_path["resources.requests"].detail
    # the copied request is named once by the map requests-from-limits created, and again by its rounding
    assert [r.detail.split("[")[1].split("]")[0] for r in ex.reasons if r.path == "resources.requests[cpu]"] == [
        "quantity-round-up"
    ]
    for r in explain(manifest, "1.9", "1.10", control_plane="1.10").reasons:
        assert r.kind in ("field-added", "input-not-defaulted")
