"""``kubehash audit`` end to end: the canary scenario (after state generated from examples/cluster), every
format, snapshots, a live after state, exit codes."""

from __future__ import annotations

import csv
import io
import json
import shlex
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fakeapi import PROXY_VARIABLES, FakeApi, node, pod, serve, write_kubeconfig

from kubehash import exitcodes
from kubehash.cli import main

sys.path.insert(0, str(Path(__file__).parents[1] / "upgrade"))
from _canary import scenario

ROOT = Path(__file__).parents[2]
CLUSTER = ROOT / "examples" / "cluster"
CANARY = ROOT / "examples" / "canary"


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The canary after state written as dumps, and one where the prediction held (no OOMKill)."""
    pods, _nodes, _records, after, after_nodes, story = scenario()
    d = tmp_path_factory.mktemp("canary")
    (d / "after-pods.json").write_text(json.dumps(after))
    (d / "after-nodes.json").write_text(json.dumps(after_nodes))
    missed = tuple(story["missed"][:2])
    before_pod = next(p for p in pods["items"] if (p["metadata"]["namespace"], p["metadata"]["name"]) == missed)
    held = dict(after, items=[before_pod if _key(p) == missed else p for p in after["items"]])
    (d / "held-pods.json").write_text(json.dumps(held))
    return {"dir": d, "story": story}


def _key(p: dict[str, Any]) -> tuple[str, str]:
    return p["metadata"]["namespace"], p["metadata"]["name"]


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["audit", *args])
    cap = capsys.readouterr()
    return code, cap.out, cap.err


def _dumps(states: dict[str, Any], after_pods: str = "after-pods.json") -> list[str]:
    d = states["dir"]
    return [
        "--before-pods", str(CLUSTER / "pods.json"), "--before-nodes", str(CLUSTER / "nodes.json"),
        "--before-runtime", str(CLUSTER / "runtime"),
        "--after-pods", str(d / after_pods), "--after-nodes", str(d / "after-nodes.json"),
    ]  # fmt: skip


def test_canary_json_and_exit_3(states: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, *_dumps(states), "-o", "json")
    assert code == exitcodes.RESTARTS and err == ""
    doc = json.loads(out)
    s = doc["summary"]
    assert (s["upgraded_nodes"], s["predicted_and_restarted"], s["predicted_not_restarted"]) == (2, 19, 2)
    assert (s["restarted_not_predicted"], s["restarted_on_nodes_not_upgraded"], s["unchanged_as_predicted"]) == (
        1,
        1,
        281,
    )
    assert len(doc["containers"]) == s["containers"] == 304 and doc["errors"] == []
    first = doc["containers"][0]  # misses first
    assert (
        first["class"] == "restarted-not-predicted"
        and [first["namespace"], first["pod"], first["container"]] == (states["story"]["missed"])
    )
    assert first["last_reason"] == "OOMKilled" and first["exit_code"] == 137 and first["recorded_hash_before"] > 0
    assert any("OOMKilled" in e for e in first["evidence"])
    crash = next(c for c in doc["containers"] if c["class"] == "restarted-on-node-not-upgraded")
    assert crash["node"] == "worker-3" and crash["verdict"] is None


def test_prediction_held_exit_0(states: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, *_dumps(states, "held-pods.json"))
    assert code == exitcodes.OK
    assert out.startswith("The prediction held: every restart on the upgraded nodes was predicted\n")
    assert "NODE " in out and "NAMESPACE " in out and "worker-1          v1.10.13 -> v1.12.10" in out
    assert _run(capsys, *_dumps(states), "--fail-on", "miss", "-q")[0] == exitcodes.RESTARTS
    code, out, _ = _run(capsys, *_dumps(states), "--fail-on", "never", "-q")
    assert code == exitcodes.OK and out.startswith("The prediction did NOT hold: 1 restart on upgraded nodes")


def test_every_format(states: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    outs = {}
    for fmt in ("table", "wide", "json", "yaml", "csv", "markdown"):
        code, outs[fmt], _ = _run(capsys, *_dumps(states), "-o", fmt)
        assert code == exitcodes.RESTARTS, fmt
    y = yaml.safe_load(outs["yaml"])
    assert y["summary"] == json.loads(outs["json"])["summary"] and len(y["containers"]) == 304
    rows = list(csv.DictReader(io.StringIO(outs["csv"])))
    assert len(rows) == 304 and rows[0]["class"] == "restarted-not-predicted" and rows[0]["exit_code"] == "137"
    assert len(outs["markdown"].splitlines()) == 306 and outs["markdown"].startswith("| namespace | pod |")
    table_rows = [line for line in outs["table"].splitlines() if "worker-" in line and "-as-predicted" in line]
    assert "RESTARTS BEFORE" in outs["wide"] and "RESTARTS BEFORE" not in outs["table"]
    assert len(table_rows) > 250  # every container has its row
    assert "precision 95.0%, recall 95.0%" in outs["table"]


def test_snapshots(states: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    d = states["dir"]
    before, after = tmp_path / "before.khs", tmp_path / "after.khs"
    assert main(["snapshot", "--out", str(before), "--pods", str(CLUSTER / "pods.json"), "--nodes",
                 str(CLUSTER / "nodes.json"), "--runtime", str(CLUSTER / "runtime"), "-q"]) == 0  # fmt: skip
    assert main(["snapshot", "--out", str(after), "--pods", str(d / "after-pods.json"), "--nodes",
                 str(d / "after-nodes.json"), "-q"]) == 0  # fmt: skip
    capsys.readouterr()
    code, out, _ = _run(capsys, "--before", str(before), "--after", str(after), "-o", "json")
    from_snapshots = json.loads(out)
    code2, out2, _ = _run(capsys, *_dumps(states), "-o", "json")
    assert code == code2 == exitcodes.RESTARTS and from_snapshots == json.loads(out2)


def test_input_errors(states: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "no-such-runtime"
    code, out, err = _run(capsys, *_dumps(states), "--after-runtime", str(missing), "-o", "json")
    assert code == exitcodes.INPUT_ERROR and "no-such-runtime" in err
    doc = json.loads(out)
    assert len(doc["containers"]) == 304 and doc["summary"]["errors"] == 1 and "after: " in doc["errors"][0]
    code, _, err = _run(capsys, "--before-pods", str(CLUSTER / "pods.json"), "--after", str(states["dir"] / "x"))
    assert code == exitcodes.INPUT_ERROR and "--before-nodes" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = _run(
        capsys, *_dumps(states)[:6], "--after-pods", str(bad), "--after-nodes", str(CLUSTER / "nodes.json")
    )
    assert code == exitcodes.INPUT_ERROR and "bad.json" in err and "Traceback" not in err
    code, _, err = _run(capsys, "--before", "a", "--before-pods", "b")
    assert code == exitcodes.USAGE and "give one" in err
    code, _, err = _run(capsys, "--after-pods", "b")
    assert code == exitcodes.USAGE and "before state is needed" in err


def test_to_warns_about_other_versions(states: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, *_dumps(states), "--to", "v1.12.9", "-o", "json")
    assert code == exitcodes.RESTARTS
    assert "2 upgraded node(s) report a kubelet other than v1.12.9: worker-1, worker-2" in err
    code, out, err = _run(capsys, *_dumps(states), "--to", "1.12", "--old-go-version", "1.9.3", "-o", "json")
    assert err == "" and json.loads(out)["summary"]["predicted_and_restarted"] == 19


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApi]:
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)
    with serve() as a:
        monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", a.url)))
        yield a


def _running(p: dict[str, Any], restarts: int = 0) -> dict[str, Any]:
    p["status"] = {"phase": "Running", "containerStatuses": [
        {"name": "c", "restartCount": restarts, "containerID": f"containerd://{restarts}",
         "state": {"running": {"startedAt": f"2024-01-0{restarts + 1}T00:00:00Z"}}}]}  # fmt: skip
    return p


def test_live_after_state(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = [_running(pod("web-1", ns="shop")), _running(pod("web-2", ns="shop"))]
    (tmp_path / "pods.json").write_text(json.dumps({"kind": "List", "items": before}))
    (tmp_path / "nodes.json").write_text(json.dumps({"kind": "List", "items": [node("node-a", "v1.28.9")]}))
    api.pods = [_running(pod("web-1", ns="shop"), 1), _running(pod("web-2", ns="shop"))]
    api.nodes = [node("node-a", "v1.29.3")]
    code, out, err = _run(capsys, "--before-pods", str(tmp_path / "pods.json"), "--before-nodes",
                          str(tmp_path / "nodes.json"), "-o", "json")  # fmt: skip
    doc = json.loads(out)
    assert doc["summary"]["upgrades"] == {"node-a": {"before": "v1.28.9", "after": "v1.29.3"}}
    by = {c["pod"]: c for c in doc["containers"]}
    assert by["web-1"]["restarted"] and by["web-1"]["class"] in ("predicted-and-restarted", "restarted-not-predicted")
    assert not by["web-2"]["restarted"]
    assert code == (exitcodes.RESTARTS if by["web-1"]["class"] == "restarted-not-predicted" else exitcodes.OK), err


# -- docs/canary.md shows real output ------------------------------------------------------------------------

DOC = ROOT / "docs" / "canary.md"


def _doc_commands() -> list[tuple[str, list[str]]]:
    """``(command line, shown output lines)`` of every ``$ kubehash`` line of the page's console blocks."""
    out: list[tuple[str, list[str]]] = []
    in_block = False
    for line in DOC.read_text().splitlines():
        if line.startswith("```"):
            in_block = line == "```console"
        elif in_block and line.startswith("$ kubehash "):
            out.append((line[2:], []))
        elif in_block and out:
            out[-1][1].append(line)
    return out


def _filtered(command: str, lines: list[str]) -> tuple[list[str], bool]:
    """What the shell pipe shown after the command leaves of ``lines``; ``True`` for an excerpt."""
    if "|" not in command:
        return lines, command.endswith("# excerpt")
    pipe = command.split("|", 1)[1].strip()
    words = shlex.split(pipe)
    if words[0] == "head":
        return lines[: int(words[2])], False
    assert words[0] == "grep", pipe
    patterns = [w for w in words[1:] if w != "-e"]
    return [line for line in lines if any(p in line for p in patterns)], False


def test_canary_doc_output_is_real(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    commands = _doc_commands()
    assert sum(c.startswith("kubehash audit") for c, _ in commands) >= 3
    for command, shown in commands:
        args = shlex.split(command.split("|", 1)[0].split("#", 1)[0])[1:]
        main(args)
        real, excerpt = _filtered(command, capsys.readouterr().out.splitlines())
        if excerpt:
            it = iter(real)
            assert all(line.strip() == "..." or line in it for line in shown), command
        else:
            assert shown == real, command


def test_state_directories(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``--before DIR --after DIR``: the examples/cluster layout (pods.json, nodes.json, runtime/)."""
    code, out, _ = _run(capsys, "--before", str(CLUSTER), "--after", str(CANARY / "after"), "-o", "json")
    doc = json.loads(out)
    assert code == exitcodes.RESTARTS and doc["summary"]["restarted_not_predicted"] == 1
    miss = doc["containers"][0]
    assert miss["recorded_hash_before"] == miss["recorded_hash_after"] == miss["new_hash"]  # both runtime dirs read
    code, _, err = _run(capsys, "--before", str(tmp_path), "--after", str(CANARY / "after"))
    assert code == exitcodes.INPUT_ERROR and "without pods.json" in err


def test_standard_input_once(
    states: dict[str, Any], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = _run(capsys, "--before-pods", "-", "--before-nodes", "x", "--after-pods", "-")
    assert code == exitcodes.USAGE and "only one input can be '-'" in err
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((states["dir"] / "held-pods.json").read_bytes())))
    args = [*_dumps(states)[:6], "--after-pods", "-", "--after-nodes", str(states["dir"] / "after-nodes.json"), "-q"]
    assert _run(capsys, *args)[0] == exitcodes.OK
