"""``kubehash watch`` end to end against the fake API server streaming watch events; every run is bounded
(``--timeout``, or a signal sent by the test)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeapi import PROXY_VARIABLES, FakeApi, event, gone, node, running_pod, serve, write_kubeconfig

from kubehash import exitcodes
from kubehash.cli import main
from kubehash.sources.cluster import LiveCluster

PODS, NODES = "/api/v1/pods", "/api/v1/nodes"
TIMEOUT = ["--timeout", "1.5", "--watch-seconds", "1"]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApi]:
    with serve() as a:
        a.pods = [running_pod("a"), running_pod("b"), running_pod("c", "node-b"), running_pod("d", "node-b")]
        a.nodes = [node("node-a", "v1.29.3"), node("node-b", "v1.29.3")]
        monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", a.url)))
        yield a


def prediction(tmp_path: Path, verdicts: dict[str, str]) -> Path:
    nodes = {"a": "node-a", "b": "node-a", "c": "node-b", "d": "node-b"}
    doc = {
        "summary": {"to": "v1.30.14"},
        "containers": [
            {"namespace": "default", "pod": p, "container": "c", "node": nodes[p], "verdict": v,
             "old_version": "v1.29.3"}
            for p, v in verdicts.items()
        ],
    }  # fmt: skip
    path = tmp_path / "prediction.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def lines(out: str) -> list[str]:
    """Output lines without their time stamp."""
    return [line[11:] if line[:2].isdigit() and line[9:11] == "  " else line for line in out.splitlines()]


def evicted(name: str, node_name: str) -> dict[str, Any]:
    p = running_pod(name, node_name)
    p["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    p["status"]["conditions"] = [{"type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI"}]
    return p


def upgrade_script(api: FakeApi) -> None:
    """node-a upgrades; a restarts (predicted), b restarts (not predicted); c crashes on node-b (not upgraded);
    d is evicted from node-b."""
    api.watches[NODES] = [[event("MODIFIED", node("node-a", "v1.30.14"), "110")]]
    api.watches[PODS] = [
        [
            event("MODIFIED", running_pod("a", restarts=1), "111"),
            event("MODIFIED", running_pod("b", restarts=1), "112"),
            event("MODIFIED", running_pod("c", "node-b", restarts=1, waiting="CrashLoopBackOff"), "113"),
            event("MODIFIED", evicted("d", "node-b"), "114"),
            event("DELETED", evicted("d", "node-b"), "115"),
        ]
    ]


def test_prediction_held_against_the_events(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade_script(api)
    pred = prediction(tmp_path, {"a": "restart", "b": "unchanged", "c": "restart", "d": "unchanged"})
    code = main(["watch", "--prediction", str(pred), *TIMEOUT])
    out = capsys.readouterr().out
    got = lines(out)
    assert code == exitcodes.RESTARTS
    assert got[0] == "watching 4 pods on 2 nodes (Ctrl-C to stop and see the summary)"
    assert "NODE         node-a  kubelet v1.29.3 -> v1.30.14  (predicted: 1 restart, 1 unchanged)" in got
    assert "SETTLED      node-a  (all 1 predicted restart seen)" in got
    assert (
        "RESTART      expected    default/a c on node-a  (predicted restart; restartCount 0->1, last state Error "
        "exit code 137)" in got
    )
    assert any(g.startswith("RESTART      UNEXPECTED  default/b c on node-a  (predicted unchanged;") for g in got)
    assert any(g.startswith("RESTART      unrelated   default/c c on node-b  (node not upgraded;") for g in got)
    assert "NOT RUNNING  default/c on node-b  Running -> CrashLoopBackOff" in got
    assert "EVICTED      default/d on node-b  (EvictionByEvictionAPI)" in got
    tally = (
        "nodes upgraded 1/2 (1 settled) | restarts: 1 expected, 1 UNEXPECTED, 1 unrelated | pods not running 1 | "
        "evictions 1"
    )
    assert f"tally: {tally}" in got
    assert "watch ended (timeout) after" in out
    assert "UNEXPECTED restarts (1):" in got and "result: 1 UNEXPECTED restart(s)" in got
    # the watch resumed from the list's resourceVersion, then from the last event's
    versions = [q["resourceVersion"] for p, q in api.requests if p == PODS and q.get("watch") == "true"]
    assert versions[0] == "100" and "115" in versions


def test_json_lines(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    upgrade_script(api)
    pred = prediction(tmp_path, {"a": "restart", "b": "restart", "c": "restart", "d": "unchanged"})
    code = main(["watch", "--prediction", str(pred), "-o", "json", *TIMEOUT])
    docs = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == exitcodes.OK  # b was predicted too: no UNEXPECTED restart
    assert docs[0]["type"] == "start" and docs[-1]["type"] == "summary"
    events = [d for d in docs if d["type"] == "event"]
    restarts = {d["pod"]: d["class"] for d in events if d["event"] == "restart"}
    assert restarts == {"a": "expected", "b": "expected", "c": "unrelated"}
    assert {d["event"] for d in events} == {"node-upgraded", "restart", "node-settled", "pod-not-running", "evicted"}
    assert all("tally" in d and "time" in d for d in events)
    summary = docs[-1]
    assert summary["tally"]["expected_restarts"] == 2 and summary["tally"]["evictions"] == 1
    assert summary["upgraded_nodes"] == [{"node": "node-a", "from": "v1.29.3", "to": "v1.30.14"}]
    assert summary["reason"] == "timeout" and summary["unexpected_restarts"] == []
    assert summary["audit"] is None and "baseline" in summary["audit_skipped"]  # no baseline: no final audit


def test_baseline_predicted_on_the_fly_and_410_relist(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A baseline dump only: node-a's pods are predicted when it reports its new version (1.15 -> 1.16: every
    container restarts); the pod watch breaks with 410 and the re-list shows the restart."""
    api.nodes = [node("node-a", "v1.15.12"), node("node-b", "v1.15.12")]
    pods_file, nodes_file = tmp_path / "pods.json", tmp_path / "nodes.json"
    pods_file.write_text(json.dumps({"kind": "List", "items": api.pods}), encoding="utf-8")
    nodes_file.write_text(json.dumps({"kind": "List", "items": api.nodes}), encoding="utf-8")
    api.watches[NODES] = [[event("MODIFIED", node("node-a", "v1.16.15"), "110")]]
    api.watches[PODS] = [[gone()]]
    lists = []

    def relisted(path: str, query: dict[str, str]) -> None:  # the second pod list sees a restarted
        if path == PODS:
            lists.append(query)
            if len(lists) == 2:
                api.pods = [running_pod("a", restarts=1), *api.pods[1:]]
                api.resource_version = "200"

    api.on_request = relisted
    code = main(["watch", "--baseline", str(pods_file), "--baseline-nodes", str(nodes_file), *TIMEOUT])
    cap = capsys.readouterr()
    got = lines(cap.out)
    assert code == exitcodes.OK, cap.err
    assert any(g.startswith("NODE         node-a  kubelet v1.15.12 -> v1.16.15  (predicted from the baseline for "
                            "v1.16.15: 2 restart)") for g in got)  # fmt: skip
    assert any(g.startswith("RESTART      expected    default/a c on node-a") for g in got)
    assert "410 Gone" in cap.err
    versions = [q["resourceVersion"] for p, q in api.requests if p == PODS and q.get("watch") == "true"]
    assert versions[:2] == ["100", "200"]  # after the re-list, from the new list's version
    assert "predicted restarts not seen on upgraded nodes (1;" in cap.out  # b has not restarted yet


def test_snapshot_baseline_catches_up_and_final_audit(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Started after node-a's patch upgrade (v1.30.13 -> v1.30.14: the hash does not change): the first list
    already differs from the snapshot; a's restart is UNEXPECTED, and the final audit (the audit core) agrees."""
    api.nodes = [node("node-a", "v1.30.13"), node("node-b", "v1.30.13")]
    snap = tmp_path / "before.khs"
    assert main(["snapshot", "--out", str(snap), "-q"]) == exitcodes.OK
    api.nodes = [node("node-a", "v1.30.14"), node("node-b", "v1.30.13")]
    api.pods = [running_pod("a", restarts=1), *api.pods[1:]]
    code = main(["watch", "--baseline", str(snap), "--fail-on", "never", *TIMEOUT])
    out = capsys.readouterr().out
    got = lines(out)
    assert code == exitcodes.OK  # --fail-on never
    assert "NODE         node-a  kubelet v1.30.13 -> v1.30.14  (predicted from the baseline for v1.30.14: " \
        "2 unchanged)" in got
    assert any(g.startswith("RESTART      UNEXPECTED  default/a c on node-a  (predicted unchanged") for g in got)
    assert "final audit (the baseline against the cluster as last seen; -o json has every container):" in got
    [miss] = [g for g in got if g.startswith("default     a     c           node-a   restarted-not-predicted")]
    assert "restartCount 0 -> 1" in miss
    assert main(["watch", "--baseline", str(snap), "-o", "json", *TIMEOUT]) == exitcodes.RESTARTS
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["type"] == "summary" and summary["audit"]["summary"]["restarted_not_predicted"] == 1
    assert summary["unexpected_restarts"][0]["pod"] == "a"


def test_connection_failure_names_the_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []
    monkeypatch.setitem(LiveCluster.__init__.__kwdefaults__, "sleep", waits.append)  # the backoff, not slept
    cfg = write_kubeconfig(tmp_path / "cfg", "http://127.0.0.1:9")
    pred = prediction(tmp_path, {"a": "restart"})
    args = ["watch", "--prediction", str(pred), "--kubeconfig", str(cfg), "--request-timeout", "1s", *TIMEOUT]
    assert main(args) == exitcodes.INPUT_ERROR
    err = capsys.readouterr().err
    assert "127.0.0.1:9" in err and "Traceback" not in err
    assert waits  # retried with backoff before giving up


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give --baseline"),
        (["--prediction", "p.json", "--to", "1.30"], "with --prediction the prediction is already made"),
        (["--baseline", "b.json", "--kubelet-feature-gates", "SidecarContainers=false"], "give --to too"),
        (["--baseline-nodes", "n.json", "--prediction", "p.json"], "--baseline-nodes needs --baseline"),
    ],
)
def test_usage_errors(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", *args]) == exitcodes.USAGE
    assert message in capsys.readouterr().err


def test_bad_prediction_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "p.json"
    bad.write_text('{"items": []}', encoding="utf-8")
    assert main(["watch", "--prediction", str(bad), "--timeout", "1"]) == exitcodes.INPUT_ERROR
    assert f"{bad}: not a 'kubehash predict -o json' document" in capsys.readouterr().err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_cleanly_with_the_summary(api: FakeApi, tmp_path: Path, signum: int) -> None:
    api.watches[NODES] = [[event("MODIFIED", node("node-a", "v1.30.14"), "110")]]
    api.watches[PODS] = [[event("MODIFIED", running_pod("b", restarts=1), "111")]]
    pred = prediction(tmp_path, {"a": "restart", "b": "unchanged"})
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    run = "import sys; from kubehash.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", run, "watch", "--prediction", str(pred), "--watch-seconds", "1", "--timeout", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        seen = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            seen.append(line)
            if "RESTART      UNEXPECTED" in line or not line:
                break
        proc.send_signal(signum)
        out, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = "".join(seen) + out
    assert proc.returncode == exitcodes.RESTARTS, err
    assert "watch ended (stopped)" in text and "UNEXPECTED restarts (1):" in text
    assert "Traceback" not in err


def test_watch_refused_mid_way_ends_with_the_summary_and_exit_2(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    api.watches[PODS] = [[event("MODIFIED", running_pod("b", restarts=1), "111")], [("status", 403)]]
    pred = prediction(tmp_path, {"a": "restart", "b": "unchanged"})
    assert main(["watch", "--prediction", str(pred), "--timeout", "5", "--watch-seconds", "1"]) == exitcodes.INPUT_ERROR
    cap = capsys.readouterr()
    assert "watch ended (failed)" in cap.out and "tally: nodes upgraded 0/2 (0 settled)" in cap.out
    assert f"error: watching pods at {api.url} (context fake): forbidden (403)" in cap.err


def test_docs_name_only_real_options() -> None:
    """Every ``--option`` docs/watch.md names is an option of watch (or of the snapshot/predict/audit commands
    its recipe runs)."""
    import re

    from kubehash.cli import cli

    page = (Path(__file__).parents[2] / "docs" / "watch.md").read_text(encoding="utf-8")
    known = {o for name in ("watch", "snapshot", "predict", "audit") for p in cli.commands[name].params
             for o in getattr(p, "opts", [])}  # fmt: skip
    named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", page))
    assert {"--baseline", "--prediction", "--grace", "--timeout", "--tally-every"} <= named
    assert named <= known, named - known


def test_reader_going_away_stops_the_watch_quietly(api: FakeApi, tmp_path: Path) -> None:
    """``kubehash watch | head -n 1``: the watch stops when the pipe closes, without a traceback."""
    upgrade_script(api)
    pred = prediction(tmp_path, {"a": "restart", "b": "unchanged"})
    env = {k: v for k, v in os.environ.items() if k not in PROXY_VARIABLES}
    run = "import sys; from kubehash.cli import main; sys.exit(main(sys.argv[1:]))"
    proc = subprocess.Popen(
        [sys.executable, "-c", run, "watch", "--prediction", str(pred), "--watch-seconds", "1", "--timeout", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().endswith("watching 4 pods on 2 nodes (Ctrl-C to stop and see the summary)\n")
        proc.stdout.close()
        t0 = time.monotonic()
        proc.wait(timeout=15)
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert time.monotonic() - t0 < 10  # stopped by the closed pipe, not by --timeout
    assert "Traceback" not in err and "BrokenPipe" not in err and "internal error" not in err
    assert proc.returncode in (exitcodes.OK, exitcodes.RESTARTS)


def test_baseline_of_another_cluster_is_warned_about(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pods_file = tmp_path / "pods.json"
    others = [running_pod(f"other-{i}") for i in range(5)]
    pods_file.write_text(json.dumps({"kind": "List", "items": others}), encoding="utf-8")
    nodes_file = tmp_path / "nodes.json"
    nodes_file.write_text(json.dumps({"kind": "List", "items": api.nodes}), encoding="utf-8")
    assert main(["watch", "--baseline", str(pods_file), "--baseline-nodes", str(nodes_file), *TIMEOUT]) == 0
    err = capsys.readouterr().err
    assert "note: 5 of the baseline's 5 pods are not in the cluster (4 pods listed): is this the cluster" in err
