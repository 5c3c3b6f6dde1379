"""``kubehash plan`` end to end on the bundled cluster."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import yaml

from kubehash.cli import main

CLUSTER = Path(__file__).parents[2] / "examples" / "cluster"
ARGS = ["plan", "--pods", str(CLUSTER / "pods.json"), "--nodes", str(CLUSTER / "nodes.json")]


def test_plan_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--from", "1.10", "--to", "v1.17.4"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "In-place kubelet upgrade v1.10.13 (Go 1.9.3) -> v1.17.4 (Go 1.13.8): 304 containers on 5 nodes\n"
        "Assumed: 1.10 taken as v1.10.13, the newest 1.10 patch known on 2026-07-22.\n"
    )
    assert "direct jump: 281 restarts (outside the skew policy)" in out
    assert "Restart-free hops: v1.10.13 -> v1.11.10, v1.12.10 -> v1.13.12, v1.16.15 -> v1.17.4." in out
    direct = next(line for line in out.splitlines() if line.startswith("direct "))
    assert direct.split()[1:4] == ["v1.10.13", ">", "v1.17.4"] and "outside (skew 7 > 2)" in direct
    hop_lines = [line.split() for line in out.splitlines() if line[:5] in ("v1.10", "v1.11", "v1.12")]
    assert ["v1.10.13", "1.9.3", "v1.11.10", "1.10.8", "minor", "4", "0", "0", "yes"] in hop_lines


def test_plan_json_yaml_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*ARGS, "--to", "1.17", "-o", "json"]) == 0  # --from defaults to the oldest kubelet
    doc = json.loads(capsys.readouterr().out)
    assert doc["from"] == "v1.10.11"  # the oldest node's patch
    direct = next(p for p in doc["paths"] if "direct" in p["names"])
    assert direct["restarts"] == 281 and direct["allowed"] is False
    assert {(h["from"], h["to"]) for h in doc["hops"] if h["restart_free"]} == {
        ("v1.10.11", "v1.10.13"),  # the patch hop of the one v1.10.11 node
        ("v1.10.11", "v1.11.10"),
        ("v1.10.13", "v1.11.10"),
        ("v1.12.10", "v1.13.12"),
        ("v1.16.15", "v1.17.17"),
    }
    patch_hop = doc["hops"][0]
    assert (patch_hop["kind"], patch_hop["nodes"], patch_hop["from_go"], patch_hop["to_go"]) == (
        "patch",
        ["worker-3"],
        "1.9.3",
        "1.9.3",
    )
    assert main([*ARGS, "--to", "1.13", "-o", "yaml"]) == 0
    assert yaml.safe_load(capsys.readouterr().out)["cheapest"] == ["v1.10.11", "v1.11.10", "v1.13.12"]
    assert main([*ARGS, "--to", "1.13", "-o", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["names"], r["versions"], r["restarts_per_hop"], r["allowed"]) for r in rows] == [
        ("cheapest", "v1.10.11 > v1.11.10 > v1.13.12", "0 + 39", "ok"),
        ("fewest-hops", "v1.10.11 > v1.12.10 > v1.13.12", "39 + 0", "ok"),
        ("minor-by-minor", "v1.10.11 > v1.11.10 > v1.12.10 > v1.13.12", "0 + 39 + 0", "ok"),
        ("patch-first", "v1.10.11 > v1.10.13 > v1.11.10 > v1.12.10 > v1.13.12", "0 + 0 + 39 + 0", "ok"),
        ("direct", "v1.10.11 > v1.13.12", "39", "outside (skew 3 > 2)"),
    ]


def test_plan_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main([*ARGS, "--from", "1.10", "--to", "1.10"]) == 2
    assert "error: nothing to plan: v1.10.13 (--to 1.10) is not newer than v1.10.13" in capsys.readouterr().err
    assert main([*ARGS, "--from", "1.11", "--to", "1.13"]) == 2
    assert "node cp-1 runs kubelet v1.10.13, older than the plan's start v1.11.10" in capsys.readouterr().err
    assert main([*ARGS, "--to", "7.1"]) == 1
    missing = tmp_path / "missing.json"
    assert main(["plan", "--pods", str(missing), "--to", "1.12", "--from", "1.10"]) == 2
    assert str(missing) in capsys.readouterr().err
    empty = tmp_path / "empty.json"
    empty.write_text('{"kind": "List", "items": []}')
    assert main(["plan", "--pods", str(empty), "--to", "1.12", "--from", "1.10"]) == 2
    assert "no pods found" in capsys.readouterr().err


def test_plan_reports_undecodable_containers(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = {
        "kind": "Pod",
        "metadata": {"name": "bad", "namespace": "default"},
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "1x"}}}]},
        "status": {"phase": "Running"},
    }
    f = tmp_path / "pods.json"
    f.write_text(json.dumps(bad))
    assert main(["plan", "--pods", str(f), "--from", "1.10", "--to", "1.11"]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("error:") == 1 and "default/bad" in captured.err and "cpu" in captured.err
    assert "v1.10.13 > v1.11.10" in captured.out


def test_plan_no_defaults(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pod = {
        "kind": "Pod",
        "metadata": {"name": "p", "namespace": "default"},
        "spec": {"nodeName": "n1", "containers": [{"name": "c", "image": "app:2", "resources": {}}]},
        "status": {"phase": "Running"},
    }
    f = tmp_path / "pods.json"
    f.write_text(json.dumps(pod))
    args = ["plan", "--pods", str(f), "--from", "1.17", "--to", "1.18", "-o", "json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["hops"][0]["reasons"] == {
        "input-not-defaulted spec.containers[*].terminationMessagePath": 1,
        "input-not-defaulted spec.containers[*].terminationMessagePolicy": 1,
        "input-not-defaulted spec.containers[*].imagePullPolicy": 1,
    }
    assert main([*args, "--no-defaults"]) == 0
    assert json.loads(capsys.readouterr().out)["hops"][0]["restarts"] == 0


def test_plan_with_recorded_hashes(capsys: pytest.CaptureFixture[str]) -> None:
    """With the runtime records, the bare pod whose image was edited after it started restarts on the first
    hop (its recorded hash is of the old spec), and only there."""
    args = [*ARGS, "--runtime", str(CLUSTER / "runtime"), "--to", "1.13", "-o", "json"]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    hops = {(h["from"][:5], h["to"][:5]): h for h in doc["hops"] if h["from"] != "v1.10.13"}
    assert hops[("v1.10", "v1.11")]["restarts"] == 1 and hops[("v1.10", "v1.11")]["reasons"] == {"spec-changed": 1}
    assert hops[("v1.10", "v1.12")]["restarts"] == 40
    assert hops[("v1.11", "v1.12")]["restarts"] == 39 and "spec-changed" not in hops[("v1.11", "v1.12")]["reasons"]
    assert doc["cheapest"] == ["v1.10.11", "v1.11.10", "v1.13.12"] and doc["paths"][0]["restarts"] == 40
    assert main([*ARGS, "--runtime", str(CLUSTER / "nope"), "--to", "1.11"]) == 2
    assert "nope: no such file or directory" in capsys.readouterr().err
