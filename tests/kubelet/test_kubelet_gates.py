"""The kubelet feature gates kubehash models: defaults per minor, overrides, and what they switch on."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubehash.errors import KubehashError
from kubehash.kubelet.gates import (
    IN_PLACE_RESIZE,
    KUBELET_GATES,
    SIDECARS,
    applicable_overrides,
    compares_hash_without_resources,
    compares_sidecars,
    kubelet_gates,
    old_kubelet_gates,
    resolve_gates,
)
from kubehash.kubelet.releases import RELEASES, Release, release


def kubelet_gate_stages(rel: Release) -> dict[str, str]:
    return {name: stage for name, stage in rel.feature_gates if name in KUBELET_GATES}


def test_defaults_per_minor() -> None:
    assert kubelet_gates(release("1.26")) == {}
    assert kubelet_gates(release("1.27")) == {IN_PLACE_RESIZE: False}
    assert kubelet_gates(release("1.28")) == {IN_PLACE_RESIZE: False, SIDECARS: False}
    assert kubelet_gates(release("1.29")) == {IN_PLACE_RESIZE: False, SIDECARS: True}
    assert kubelet_gates(release("1.32")) == {IN_PLACE_RESIZE: False, SIDECARS: True}
    assert kubelet_gates(release("1.33")) == {IN_PLACE_RESIZE: True, SIDECARS: True}
    assert kubelet_gate_stages(release("1.35")) == {IN_PLACE_RESIZE: "ga", SIDECARS: "ga"}


def test_what_the_gates_switch_on_per_minor() -> None:
    """hashWithoutResources: 1.27-1.30 with the gate on; sidecars: 1.32+ with SidecarContainers on."""
    hwr = [r.minor for r in RELEASES if compares_hash_without_resources(r, kubelet_gates(r, _on(r, IN_PLACE_RESIZE)))]
    assert hwr == ["1.27", "1.28", "1.29", "1.30"]
    assert not any(compares_hash_without_resources(r, kubelet_gates(r)) for r in RELEASES)  # alpha: off
    side = [r.minor for r in RELEASES if compares_sidecars(r, kubelet_gates(r))]
    assert side == ["1.32", "1.33", "1.34", "1.35", "1.36"]
    assert not compares_sidecars(release("1.32"), kubelet_gates(release("1.32"), {SIDECARS: False}))
    assert not compares_sidecars(release("1.29"), kubelet_gates(release("1.29"), {SIDECARS: True}))


def _on(r: object, gate: str) -> dict[str, bool]:
    stages = kubelet_gate_stages(r)  # type: ignore[arg-type]
    return {gate: True} if gate in stages and stages[gate] != "ga" else {}


@pytest.mark.parametrize(
    ("minor", "overrides", "message"),
    [
        ("1.27", {SIDECARS: True}, "unknown kubelet feature gate 'SidecarContainers' for kubelet 1.27"),
        ("1.29", {"GRPCContainerProbe": True}, "InPlacePodVerticalScaling, SidecarContainers"),
        ("1.33", {SIDECARS: False}, "GA in kubelet 1.33 and locked"),
        ("1.29", {IN_PLACE_RESIZE: "yes"}, "expected true or false"),
    ],
)
def test_bad_overrides(minor: str, overrides: dict[str, object], message: str) -> None:
    with pytest.raises(KubehashError, match=message):
        kubelet_gates(release(minor), overrides)  # type: ignore[arg-type]


def test_old_kubelets_ignore_gates_their_minor_lacks() -> None:
    assert old_kubelet_gates(release("1.26"), {IN_PLACE_RESIZE: True}) == {}
    assert old_kubelet_gates(release("1.28"), {IN_PLACE_RESIZE: True}) == {IN_PLACE_RESIZE: True, SIDECARS: False}
    with pytest.raises(KubehashError, match="unknown kubelet feature gate 'Nope'"):
        old_kubelet_gates(release("1.28"), {"Nope": True})
    assert old_kubelet_gates(release("1.35"), {IN_PLACE_RESIZE: False}) == {IN_PLACE_RESIZE: True, SIDECARS: True}
    with pytest.raises(KubehashError, match="expected true or false"):
        old_kubelet_gates(release("1.20"), {IN_PLACE_RESIZE: "no"})  # type: ignore[dict-item]


@given(on=st.booleans(), minor=st.sampled_from([r.minor for r in RELEASES]))
def test_overrides_win_over_defaults(on: bool, minor: str) -> None:
    rel = release(minor)
    stages = kubelet_gate_stages(rel)
    for gate, stage in stages.items():
        if stage == "ga" and not on:
            assert old_kubelet_gates(rel, {gate: on})[gate] is True
            continue
        assert kubelet_gates(rel, {gate: on})[gate] is on
        assert old_kubelet_gates(rel, {gate: on})[gate] is (on or stage == "ga")


_ALL_GATES = sorted({g for r in RELEASES for g, _ in r.feature_gates} | {"NoSuchGate"})


@given(
    st.sampled_from(RELEASES),
    st.dictionaries(st.sampled_from(_ALL_GATES), st.booleans(), max_size=6),
)
def test_applicable_overrides_are_the_unlocked_gates_of_the_minor(rel: Release, overrides: dict[str, bool]) -> None:
    """An override applies to a minor that has the gate and does not lock it; the rest are dropped, never refused,
    and what applies is what resolve_gates accepts."""
    stages = dict(rel.feature_gates)
    got = applicable_overrides(rel, overrides)
    assert got == {g: v for g, v in overrides.items() if g in stages and stages[g] != "ga"}
    assert resolve_gates(rel, got) == {**rel.gate_defaults(), **got}
