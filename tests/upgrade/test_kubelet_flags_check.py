"""Will the target kubelet start with the node's command line and config file? (kubehash.upgrade.kubelet_flags)"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.kubelet.flags import flag_status, flags_of, is_bool_flag
from kubehash.kubelet.releases import RELEASES
from kubehash.sources.kubelet_args import (
    KubeletArgs,
    KubeletFlag,
    Origin,
    load_kubelet_args,
    parse_command_line,
    parse_kubelet_args,
    parse_kubelet_config,
)
from kubehash.upgrade.kubelet_flags import (
    check_feature_gates,
    check_kubelet_args,
    check_kubelet_config,
    hop_removals,
    parse_feature_gates_value,
    worst,
)

DATA = Path(__file__).parent.parent / "data" / "kubelet_args"
MINORS = [r.minor for r in RELEASES]


def _by_name(findings):
    return {f.name: f for f in findings}


def test_kubeadm_1_10_to_1_17_allow_privileged_and_cadvisor_port() -> None:
    args = load_kubelet_args([DATA / "kubeadm-1.10"], is_bool=is_bool_flag)[None]
    found = _by_name(check_kubelet_args(args, "1.10", "v1.17.4"))
    ap = found["--allow-privileged"]
    assert (ap.severity, ap.what, ap.removed_in) == ("risk", "removed", "1.15")
    assert "unknown flag: --allow-privileged" in ap.message
    assert "10-kubeadm.conf line 4" in ap.message
    assert found["--cadvisor-port"].severity == "risk" and found["--cadvisor-port"].removed_in == "1.12"
    assert "--network-plugin" not in found  # still a 1.17 flag
    assert found["--client-ca-file"].what == "deprecated"
    assert found["--client-ca-file"].replacement == "authentication.x509.clientCAFile"
    assert worst(found.values()) == "risk"


def test_kubeadm_1_10_to_1_12_is_one_hop_less() -> None:
    args = load_kubelet_args([DATA / "kubeadm-1.10"], is_bool=is_bool_flag)[None]
    found = _by_name(check_kubelet_args(args, "1.10", "1.12"))
    assert found["--cadvisor-port"].severity == "risk"
    assert found["--allow-privileged"].what == "deprecated"


def test_containerd_1_23_through_1_24_and_1_27() -> None:
    d = DATA / "containerd-1.23"
    files = [d / "10-kubeadm.conf", d / "kubeadm-flags.env", d / "kubelet"]
    args = parse_kubelet_args([(str(f), f.read_bytes()) for f in files], is_bool=is_bool_flag)
    to_24 = _by_name(check_kubelet_args(args, "1.23", "1.24"))
    assert to_24["--network-plugin"].severity == "risk" and to_24["--network-plugin"].removed_in == "1.24"
    assert "kubeadm-flags.env line 1" in to_24["--network-plugin"].message
    assert to_24["--container-runtime"].what == "deprecated"
    assert to_24["--logtostderr"].what == "deprecated"
    to_27 = _by_name(check_kubelet_args(args, "1.23", "1.27"))
    assert to_27["--container-runtime"].severity == "risk"
    assert to_27["--logtostderr"].severity == "risk" and to_27["--logtostderr"].removed_in == "1.26"
    assert "--v" not in to_27 and "--node-ip" not in to_27


def test_1_27_to_1_35_pod_infra_container_image() -> None:
    args = load_kubelet_args([DATA / "kubeadm-1.27" / "cmdline"], is_bool=is_bool_flag)[None]
    found = _by_name(check_kubelet_args(args, "1.27", "1.35"))
    assert found["--pod-infra-container-image"].severity == "risk"
    assert {n for n, f in found.items() if f.severity == "risk"} == {"--pod-infra-container-image"}
    assert all(f.severity != "risk" for f in check_kubelet_args(args, "1.27", "1.28"))


def test_unknown_and_not_yet_flags_are_warnings() -> None:
    args = parse_command_line("kubelet --no-such-flag=1 --config-dir=/etc/kubelet.d")
    found = _by_name(check_kubelet_args(args, "1.17", "1.19"))
    assert found["--no-such-flag"].severity == "warning" and found["--no-such-flag"].what == "unknown"
    assert found["--config-dir"].what == "not-yet"


def test_uncertain_removal_is_a_warning_naming_the_range() -> None:
    # a flag whose removal lies between two minors kubehash read, with no event pinning it
    name = next(
        n
        for n in flags_of("1.19")
        if flag_status(n, "1.23").state == "removed" and flag_status(n, "1.20").state == "maybe-removed"
    )
    args = KubeletArgs("n1", (KubeletFlag(name, "x", f"--{name}=x", Origin("f", 3)),))
    [f] = check_kubelet_args(args, "1.19", "1.20")
    assert (f.severity, f.what, f.node) == ("warning", "maybe-removed", "n1")
    assert "1.20–1.23" in f.message
    [g] = check_kubelet_args(args, "1.19", "1.23")
    assert g.severity == "risk"


def test_feature_gates() -> None:
    assert parse_feature_gates_value("A=true, B=false,C=1") == {"A": True, "B": False, "C": True}
    # a gate the release table knows in one minor and not in a later one
    for a, b in itertools.pairwise(RELEASES):
        gone = set(a.gate_stages()) - set(b.gate_stages())
        if gone:
            gate = sorted(gone)[0]
            [f] = check_feature_gates({gate: True}, a.minor, b.minor)
            assert (f.severity, f.what) == ("risk", "gate-removed") and "unrecognized feature gate" in f.message
            break
    else:  # pragma: no cover - the table always retires some gate
        raise AssertionError("no gate removal in the release table")
    ga = next((r, n) for r in RELEASES for n, s in r.feature_gates if s == "ga")
    [f] = check_feature_gates({ga[1]: False}, ga[0].minor, ga[0].minor)
    assert f.what == "gate-locked" and f.severity == "risk"
    [f] = check_feature_gates({"SomethingKubehashDoesNotModel": True}, "1.20", "1.21")
    assert f.severity == "info"
    args = parse_command_line(f"kubelet --feature-gates={ga[1]}=false")
    assert any(x.what == "gate-locked" for x in check_kubelet_args(args, ga[0].minor, ga[0].minor))
    bad = check_kubelet_args(parse_command_line("kubelet --feature-gates=A=maybe"), "1.20", "1.21")
    assert bad[-1].severity == "risk"


def test_config_file_checks() -> None:
    cfg = parse_kubelet_config((DATA / "containerd-1.23" / "config.yaml").read_text(), origin="config.yaml")
    assert [f for f in check_kubelet_config(cfg, "1.23", "1.24") if f.kind == "field"] == []
    typo = parse_kubelet_config(
        "apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n"
        "evictionHardd:\n  memory.available: 1Gi\n",
        origin="c.yaml",
    )
    [f] = check_kubelet_config(typo, "1.23", "1.24")
    assert (f.severity, f.what, f.name) == ("warning", "unknown", "evictionHardd")
    assert "c.yaml line 3" in f.message
    old_api = parse_kubelet_config("apiVersion: kubeletconfig/v1alpha1\nkind: KubeletConfiguration\n", origin="o")
    [f] = check_kubelet_config(old_api, "1.9", "1.10")
    assert f.severity == "risk" and f.what == "api-version"


def test_field_newer_than_the_target_is_a_warning() -> None:
    from kubehash.kubelet.flags import _config_doc  # the shipped table

    table = _config_doc()["fields"]["kubelet.config.k8s.io/v1beta1"]
    path, _row = next((p, r) for p, r in table.items() if r["introduced"] == "1.36" and "." not in p)
    cfg = parse_kubelet_config(f"apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n{path}: null\n")
    found = _by_name(check_kubelet_config(cfg, "1.36", "1.35"))
    assert found[path].severity == "warning" and found[path].what == "not-yet"
    assert check_kubelet_config(cfg, "1.35", "1.36") == []


def test_hop_removals() -> None:
    hops = hop_removals(["1.10", "1.12", "1.15", "1.17"])
    assert [(h.current, h.target) for h in hops] == [("1.10", "1.12"), ("1.12", "1.15"), ("1.15", "1.17")]
    assert "cadvisor-port" in {f.name for f in hops[0].removed}
    assert "allow-privileged" in {f.name for f in hops[1].removed}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(MINORS), st.sampled_from(MINORS))
def test_a_node_with_every_current_flag_gets_a_risk_exactly_for_certain_removals(a: str, b: str) -> None:
    flags = tuple(KubeletFlag(n, "1", f"--{n}=1", Origin("f", 1)) for n in flags_of(a))
    found = check_kubelet_args(KubeletArgs(None, flags), a, b)
    risks = {f.name.lstrip("-") for f in found if f.what == "removed" and f.kind == "flag"}
    assert risks == {n for n in flags_of(a) if flag_status(n, b).state == "removed"}


@pytest.mark.parametrize(
    ("current", "target", "severity"),
    [("1.10", "1.11", "warning"), ("1.11", "1.12", "risk"), ("1.10", "1.17", "risk"), ("1.12", "1.13", "warning")],
)
def test_stray_argument_is_fatal_when_the_upgrade_crosses_1_12(current: str, target: str, severity: str) -> None:
    """A word that is not a flag stops kubelets from 1.12 (releases.json ``stray_argument_fatal``): a risk only
    when the upgrade crosses into them (a running 1.12+ kubelet cannot have one)."""
    args = parse_command_line("/usr/bin/kubelet --v=2 stray", is_bool=is_bool_flag)
    found = _by_name(check_kubelet_args(args, current, target))
    assert (found["stray"].what, found["stray"].severity) == ("stray-argument", severity)


def test_stray_argument_fatal_is_release_data() -> None:
    fatal = [r.minor for r in RELEASES if r.stray_argument_fatal]
    assert fatal == MINORS[MINORS.index("1.12") :]
