"""Review fixes for issue 18: removed feature gates, deprecated flags, the kubelet-only summary line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubehash import exitcodes
from kubehash.cli import main
from kubehash.kubelet.gates import gate_life
from kubehash.sources.kubelet_args import parse_kubelet_args
from kubehash.upgrade.kubelet_flags import check_feature_gates, check_kubelet_args

CONFIG = """\
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
cgroupDriver: systemd
featureGates: {DynamicKubeletConfig: true}
"""


def _args(line: str, node: str | None = None):  # type: ignore[no-untyped-def]
    return parse_kubelet_args([("cmdline", line)], node=node)


def test_removed_gate_in_config_is_a_risk_with_its_minor(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text(CONFIG)
    code = main(["preflight", "--from", "1.26", "--to", "1.27", "--kubelet-config", str(cfg), "-o", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert code == exitcodes.RESTARTS
    [f] = [f for f in doc["findings"] if "DynamicKubeletConfig" in f["detail"]]
    assert f["severity"] == "risk"
    assert "removed in 1.26" in f["detail"] and "unrecognized feature gate: DynamicKubeletConfig" in f["detail"]


def test_removed_gate_on_the_command_line() -> None:
    line = "kubelet --feature-gates=DynamicKubeletConfig=false,CPUManager=true"
    found = check_kubelet_args(_args(line), "1.25", "1.26")
    gates = {f.name: f for f in found if f.kind == "feature-gate"}
    assert gates["DynamicKubeletConfig"].severity == "risk" and gates["DynamicKubeletConfig"].removed_in == "1.26"
    assert "CPUManager" not in gates  # known, and still a gate of 1.26
    # before its removal the gate is still accepted
    assert not [f for f in check_feature_gates({"DynamicKubeletConfig": False}, "1.24", "1.25") if f.severity == "risk"]


def test_gate_data_has_a_source_and_a_removal_minor() -> None:
    life = gate_life("DynamicKubeletConfig")
    assert life is not None and life.removed == "1.26" and life.source["repo"] == "kubernetes/website"
    assert life.stage_in("1.25") == ("deprecated", False) and life.stage_in("1.26") is None


def test_unknown_or_unlockable_gates_stay_info_and_say_why() -> None:
    [f] = check_feature_gates({"NoSuchGateAnywhere": True}, "1.26", "1.27")
    assert f.severity == "info" and "does not list it" in f.message
    [g] = check_feature_gates({"CPUManager": False}, "1.27", "1.28")  # GA in 1.28; lock not recorded
    assert g.severity == "info" and "does not record the lock" in g.message


def test_flag_deprecated_in_target_is_a_warning() -> None:
    [f] = check_kubelet_args(_args("kubelet --fail-swap-on=false"), "1.26", "1.27")
    assert (f.severity, f.what, f.replacement) == ("warning", "deprecated", "failSwapOn")


def test_summary_without_pods_counts_kubelet_inputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for node in ("a", "b"):
        (tmp_path / node).mkdir()
        (tmp_path / node / "cmdline").write_text("kubelet --container-runtime=remote\n")
    code = main(["preflight", "--from", "1.26", "--to", "1.27", "--kubelet-flags", str(tmp_path)])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert code == exitcodes.RESTARTS
    assert "pods" not in last
    assert last.startswith("kubelet: 2 command lines, 0 config files (2 nodes) checked, 2 at risk; findings: risk 2")
