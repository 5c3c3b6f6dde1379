"""``kubehash preflight`` end to end on the fixtures in tests/data/preflight/."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from kubehash import exitcodes
from kubehash.cli import main

DATA = Path(__file__).parents[1] / "data" / "preflight"
NODES = str(DATA / "nodes.yaml")
PODS = str(DATA / "pods.yaml")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["preflight", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_lists_every_expected_finding(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--to", "1.13", "--pods", PODS, "--nodes", NODES, "-o", "json")
    assert code == exitcodes.RESTARTS
    doc = json.loads(out)
    got = [(f["check"], f["severity"], f"{f['namespace']}/{f['pod']}") for f in doc["findings"]]
    assert got == [
        ("taint-eviction", "risk", "default/legacy-web"),
        ("node-selector", "risk", "default/web-7d4b9c-x2x7q"),
        ("taint-eviction", "info", "kube-system/kube-apiserver-node-a"),
        ("taint-eviction", "risk", "batch/train-0"),
        ("node-selector", "risk", "batch/train-0"),
        ("taint-eviction", "warning", "default/quick-failover"),
        ("node-selector", "risk", "default/cache"),
        ("node-selector", "risk", "default/pinned"),
    ]
    fixes = {f["pod"]: f["fix"] for f in doc["findings"] if f["check"] == "node-selector"}
    assert fixes["web-7d4b9c-x2x7q"] == "kubectl label node node-a disktype=ssd --overwrite"
    assert fixes["train-0"] == "kubectl label node node-b gpu-count=4 --overwrite"
    assert fixes["cache"] == "kubectl label node node-a zone=z2 --overwrite"
    assert fixes["pinned"].startswith("no label change makes node-a match")
    assert doc["summary"]["pods"] == 11 and doc["summary"]["pods_at_risk"] == 5
    assert doc["summary"]["skipped"] == {"node already at target": 1, "terminal": 1, "unscheduled": 1}


def test_table_has_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--to", "v1.13.5", "--pods", PODS, "--nodes", NODES)
    assert code == exitcodes.RESTARTS
    assert out.splitlines()[0].split()[:5] == ["CHECK", "SEVERITY", "NAMESPACE", "POD", "NODE"]
    assert "zone In [z2, z3]" in out  # brackets survive the table renderer
    assert "11 pods, 5 at risk" in out


def test_fail_on_never_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--to", "1.13", "--pods", PODS, "--nodes", NODES, "-o", "csv", "--fail-on", "never")
    assert code == exitcodes.OK
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8 and set(rows[0]) == {"check", "severity", "namespace", "pod", "node", "detail", "fix"}


def test_yaml_and_markdown(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--to", "1.13", "--pods", PODS, "--nodes", NODES, "-o", "yaml")
    assert code == exitcodes.RESTARTS and yaml.safe_load(out)["to"] == "1.13"
    code, out, err = run(capsys, "--to", "1.13", "--pods", PODS, "--nodes", NODES, "-o", "markdown")
    assert out.startswith("| check | severity |") and "11 pods" in err


def test_no_risk_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(capsys, "--to", "1.13", "--pods", str(DATA / "pods-safe.yaml"), "--nodes", NODES)
    assert code == exitcodes.OK


def test_gate_off_target_finds_only_selector_risks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nodes = tmp_path / "nodes.yaml"
    nodes.write_text((DATA / "nodes.yaml").read_text().replace("v1.12.10", "v1.11.6"))
    code, out, _ = run(capsys, "--to", "1.12", "--pods", PODS, "--nodes", str(nodes), "-o", "json")
    assert code == exitcodes.RESTARTS
    doc = json.loads(out)
    assert {f["check"] for f in doc["findings"]} == {"node-selector"}


def test_input_errors_exit_2_and_are_named(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--to", "1.13", "--pods", str(DATA / "pods-bad.yaml"), "--nodes", NODES, "-o", "json")
    assert code == exitcodes.INPUT_ERROR
    assert "pod default/broken" in err and "$.spec.tolerations: must be a list" in err
    assert "node-gone is not in the nodes input" in err and "1 string in the pods input: not an object" in err
    risky = [f["pod"] for f in json.loads(out)["findings"] if f["severity"] == "risk"]
    assert risky == ["orphan", "legacy-web"]  # the batch went on


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--to", "2.5", "--pods", PODS, "--nodes", NODES)[0] == exitcodes.USAGE
    assert run(capsys, "--pods", PODS, "--nodes", NODES)[0] == exitcodes.USAGE
    assert run(capsys, "--to", "1.13", "--pods", "-", "--nodes", "-")[0] == exitcodes.USAGE
    code, _, err = run(capsys, "--to", "1.13", "--pods", str(tmp_path / "missing.yaml"), "--nodes", NODES)
    assert code == exitcodes.INPUT_ERROR and "missing.yaml" in err


def test_bundled_example_cluster(capsys: pytest.CaptureFixture[str]) -> None:
    examples = Path(__file__).parents[2] / "examples" / "cluster"
    pods, nodes = str(examples / "pods.json"), str(examples / "nodes.json")
    code, out, _ = run(capsys, "--to", "1.13", "--pods", pods, "--nodes", nodes, "-o", "json")
    assert code == exitcodes.RESTARTS
    found = {(f["check"], f["namespace"], f["pod"]) for f in json.loads(out)["findings"]}
    assert ("node-selector", "analytics", "spark-history-0") in found
    assert {p for c, ns, p in found if c == "taint-eviction" and ns == "batch"} >= {"legacy-exporter-0"}
    assert all(f["severity"] != "error" for f in json.loads(out)["findings"])
