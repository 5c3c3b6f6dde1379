"""Checking ignore files on the bundled cluster, the decision against predict, and the CLI's error handling."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml
from _docker_runtime import docker_records
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubehash.cli import main
from kubehash.model import RuntimeRecord, node_kubelet_versions
from kubehash.sources.ignorefiles import layout_path, load_ignore_files
from kubehash.upgrade.ignorefile.check import check_ignore_files
from kubehash.upgrade.ignorefile.rules import IgnoreFile, format_ignore_file, kubelet_start, skips_check, unix_seconds
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import predict

CLUSTER = Path(__file__).parents[2] / "examples" / "cluster"
TARGET = "v1.14.10"  # 1.10/1.11 -> 1.14 changes every running container's hash
BEFORE = datetime(2019, 3, 1, 12, 0, 0, tzinfo=timezone.utc)  # after every container started, before upgrading
KUBELET_START = BEFORE + timedelta(hours=1)
LEGACY = ("default", "legacy-report-runner", "runner")


@pytest.fixture(scope="module")
def records():
    return docker_records(CLUSTER / "runtime")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("ignore")
    args = ["ignore-file", "generate", "--nodes", str(CLUSTER / "nodes.json"), "--out", str(out)]
    assert main([*args, "--now", BEFORE.isoformat(), "-o", "json"]) == 0
    return out


def test_generate_writes_each_nodes_current_version(generated, nodes):
    loaded = load_ignore_files([generated])
    assert not loaded.problems
    versions = node_kubelet_versions(nodes)
    assert {n: f.version for n, f in loaded.files.items()} == versions
    assert {f.time for f in loaded.files.values()} == {BEFORE}
    assert layout_path(generated, "worker-1").read_text() == f"v1.10.13,{unix_seconds(BEFORE)}"


def test_after_the_upgrade_old_containers_are_protected_and_the_edited_pod_is_a_danger(generated, pods, nodes, records):
    loaded = load_ignore_files([generated])
    result = check_ignore_files(
        loaded.files,
        Options(to=TARGET, kubelet_started=KUBELET_START),
        pods=pods,
        nodes=nodes,
        runtime=records,
        now=KUBELET_START,
    )
    assert not result.problems and not result.input_errors
    statuses = Counter(c.status for c in result.containers)
    assert statuses == {"protected": len(records), "not-running": statuses["not-running"]}
    assert [(c.namespace, c.pod, c.container) for c in result.dangers] == [LEGACY]
    danger = result.dangers[0]
    assert danger.recorded_hash not in (danger.old_hash, danger.running_hash)
    assert all(n.active and n.safe_to_delete is False for n in result.nodes)
    assert {n.node: n.dangers for n in result.nodes if n.dangers} == {"worker-1": 1}
    assert "still rely on it" in result.nodes[0].why[0]


def test_once_every_hash_is_re_recorded_the_nodes_are_safe_to_delete(generated, pods, nodes, records):
    loaded = load_ignore_files([generated])
    new_hashes = {
        (c.namespace, c.pod, c.container): c.new_hash
        for c in predict(pods, Options(to=TARGET), nodes=nodes, runtime=records)
    }
    later = KUBELET_START + timedelta(minutes=5)
    rerecorded = [replace(r, hash=new_hashes[r.key], started_at=later) for r in records]
    result = check_ignore_files(
        loaded.files, Options(to=TARGET, kubelet_started=KUBELET_START), pods=pods, nodes=nodes, runtime=rerecorded
    )
    assert not result.dangers
    assert {c.status for c in result.containers} == {"unchanged", "not-running"}
    assert all(n.safe_to_delete for n in result.nodes), [n.why for n in result.nodes]
    # one container still on its old hash keeps its node unsafe
    half = [replace(r, hash=new_hashes[r.key]) if r.key != LEGACY[:3] else r for r in records]
    result = check_ignore_files(
        loaded.files, Options(to=TARGET, kubelet_started=KUBELET_START), pods=pods, nodes=nodes, runtime=half
    )
    assert {n.node for n in result.not_safe} == {"worker-1"}


def test_without_runtime_records_nothing_is_declared_safe(generated, pods, nodes):
    loaded = load_ignore_files([generated])
    result = check_ignore_files(loaded.files, Options(to="v1.11.10"), pods=pods, nodes=nodes)
    worker4 = next(n for n in result.nodes if n.node == "worker-4")
    assert not worker4.active  # worker-4 already runs v1.11.10
    assert any(p.kind == "not-older" and p.node == "worker-4" for p in result.problems)
    assert all(n.safe_to_delete is False for n in result.nodes)
    assert all("no runtime records" in " ".join(n.why) for n in result.nodes if n.node != "worker-4")


# -- the simulated decision equals predict's verdict ------------------------------------------------------

CHOICES = ("none", "current", "target", "older", "newer")
NODES = ("cp-1", "worker-1", "worker-2", "worker-3", "worker-4")


@pytest.fixture(scope="module")
def baseline(pods, nodes, records):
    some = pods["items"][:40] if isinstance(pods, dict) else [p for d in pods for p in d["items"]][:40]
    return some, predict(some, Options(to=TARGET), nodes=nodes, runtime=records), nodes, records


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.fixed_dictionaries({n: st.sampled_from(CHOICES) for n in NODES}),
    st.sampled_from(["public", "seed"]),
    st.one_of(st.none(), st.datetimes(datetime(2017, 6, 1), datetime(2019, 4, 1), timezones=st.just(timezone.utc))),
)
def test_decision_equals_predicts_verdict_with_and_without_the_file(baseline, choice, rule, started):
    pods, base, nodes, records = baseline
    versions = node_kubelet_versions(nodes)
    text = {"target": TARGET, "older": "v1.9.3", "newer": "v1.20.0"}
    files = {n: IgnoreFile(text.get(c) or versions[n], 1) for n, c in choice.items() if c != "none"}
    got = predict(
        pods,
        Options(to=TARGET, ignore_rule=rule, kubelet_started=started),
        nodes=nodes,
        runtime=records,
        ignore_files=files,
    )
    assert len(got) == len(base)
    for b, g in zip(base, got, strict=True):
        assert (b.namespace, b.pod, b.container) == (g.namespace, g.pod, g.container)
        # the patch, simulated from the file's text: state at the kubelet's start, then containerChanged
        now = unix_seconds(started) if started else 2**62
        f = files.get(b.node) if b.node else None
        state = kubelet_start(format_ignore_file(f) if f else None, version=TARGET, now=now)
        skip = skips_check(state, b.started_at, rule=rule)
        expected = "protected" if b.verdict == "restart" and skip else b.verdict
        assert g.verdict == expected, (b.node, choice.get(b.node), rule, started, b.started_at)


# -- the CLI: bad files, refusals, predict integration ---------------------------------------------------


def _snapshot(root: Path) -> dict[str, tuple[str, bytes | str]]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_symlink():
            out[str(p)] = ("link", str(p.readlink()))
        elif p.is_file():
            out[str(p)] = ("file", p.read_bytes())
        else:
            out[str(p)] = ("dir", "")
    return out


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        (lambda p: p.write_text("v1.10.13 1519789122"), "no ','"),
        (lambda p: p.write_text("v1.10.13,"), "no time after ','"),
        (lambda p: p.write_text("v1.1"), "no ','"),
        (lambda p: p.write_text("v1.10.13,1519789122\nv1"), "more than one line"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.symlink_to("/etc/hostname"), "is a symlink"),
        (lambda p: p.write_bytes(b"\xff\xfe"), "not text"),
        (lambda p: p.write_text("v1.10.13,99999999999"), "is in the future"),
    ],
)
def test_check_reports_bad_files_cleanly_and_writes_nothing(tmp_path, capsys, setup, expected):
    f = tmp_path / "worker-1" / "tmp" / "cache.version.save"
    f.parent.mkdir(parents=True)
    setup(f)
    before = _snapshot(tmp_path)
    assert main(["ignore-file", "check", str(tmp_path), "--to", TARGET]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {f}: ") and expected in lines[0]
    assert "Traceback" not in err
    assert _snapshot(tmp_path) == before


def test_check_names_nodes_without_a_file(tmp_path, capsys, generated):
    one = str(layout_path(generated, "cp-1"))
    assert main(["ignore-file", "check", one, "--nodes", str(CLUSTER / "nodes.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("no ignore file for this node") == 4 and "error: worker-4: " in err


def test_generate_refuses_to_overwrite_and_to_write_through_a_symlink(tmp_path, capsys):
    args = ["ignore-file", "generate", "--node", "worker-1", "--from", "v1.10.13", "--out", str(tmp_path)]
    assert main([*args, "--now", "1551441600"]) == 0
    before = _snapshot(tmp_path)
    assert main([*args, "--now", "1551441601"]) == 4
    assert "exists with different content" in capsys.readouterr().err
    assert _snapshot(tmp_path) == before
    target = layout_path(tmp_path, "worker-1")
    target.unlink()
    target.symlink_to(tmp_path / "elsewhere")
    assert main([*args, "--now", "1551441601", "--force"]) == 4
    assert "symlink" in capsys.readouterr().err and not (tmp_path / "elsewhere").exists()
    assert main(["ignore-file", "generate", "--node", "worker-1", "--out", str(tmp_path)]) == 1
    assert main([*args, "--from", "1.10"]) == 2  # not a full version


def test_predict_with_ignore_files(generated, capsys):
    args = ["predict", "--to", TARGET, "--pods", str(CLUSTER / "pods.json"), "--nodes", str(CLUSTER / "nodes.json")]
    assert main([*args, "-o", "json", "-q"]) == 3
    without = json.loads(capsys.readouterr().out)["summary"]["verdicts"]
    assert main([*args, "-o", "json", "-q", "--ignore-files", str(generated)]) == 0
    with_files = json.loads(capsys.readouterr().out)["summary"]["verdicts"]
    assert with_files == {"protected": without["restart"], "not-running": without["not-running"]}
    # a kubelet started before every container protects nothing
    assert main([*args, "-o", "json", "-q", "--ignore-files", str(generated), "--kubelet-start", "2000-01-01"]) == 3
    assert json.loads(capsys.readouterr().out)["summary"]["verdicts"] == without
    # unusable files are reported and their nodes treated as having none
    layout_path(generated, "cp-1").write_text("garbage")
    try:
        assert main([*args, "-o", "json", "-q", "--ignore-files", str(generated)]) == 2
        out = capsys.readouterr()
        assert "cp-1/tmp/cache.version.save: no ','" in out.err
        assert json.loads(out.out)["summary"]["by_node"]["cp-1"].get("restart")
    finally:
        layout_path(generated, "cp-1").write_text(f"v1.10.13,{unix_seconds(BEFORE)}")


def test_check_cli_with_pods_renders_nodes_and_exit_3(generated, capsys):
    args = ["ignore-file", "check", str(generated), "--pods", str(CLUSTER / "pods.json"), "--to", TARGET]
    assert main([*args, "--nodes", str(CLUSTER / "nodes.json"), "--now", KUBELET_START.isoformat()]) == 3
    out = capsys.readouterr().out
    assert out.startswith("Nodes\n") and "SAFE TO DELETE" in out and "Dangers: unknown without runtime" in out
    assert main([*args, "--now", KUBELET_START.isoformat(), "-o", "json", "--containers"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert {c["status"] for c in doc["containers"]} == {"protected", "not-running"}
    assert main([*args[:-2], "--now", "x"]) == 1
    assert main(["ignore-file", "check", str(generated), "--pods", str(CLUSTER / "pods.json")]) == 1


def test_runtime_record_keys_match_pods(records):
    assert all(isinstance(r, RuntimeRecord) and r.started_at and r.started_at < BEFORE for r in records)


def test_a_version_without_v_is_flagged():
    problems = check_ignore_files({"n1": IgnoreFile("1.10.13", 1, "n1")}, Options(to=TARGET), now=BEFORE).problems
    assert [(p.kind, p.node) for p in problems] == [("version-text", "n1")]
    assert "also protects after a restart of the same version" in str(problems[0])


def test_check_cli_runtime_records(generated, capsys):
    """With kubehash.sources.runtime (merged separately) --runtime finds the danger; without it, a usage error."""
    args = ["ignore-file", "check", str(generated), "--pods", str(CLUSTER / "pods.json"), "--to", TARGET]
    args += ["--nodes", str(CLUSTER / "nodes.json"), "--runtime", str(CLUSTER / "runtime"), "-o", "json"]
    args += ["--kubelet-start", KUBELET_START.isoformat(), "--now", KUBELET_START.isoformat()]
    try:
        import kubehash.sources.runtime  # noqa: F401
    except ImportError:
        assert main(args) == 1
        assert "--runtime needs kubehash.sources.runtime" in capsys.readouterr().err
        return
    assert main(args) == 3
    doc = json.loads(capsys.readouterr().out)
    assert [(d["namespace"], d["pod"], d["container"]) for d in doc["dangers"]] == [LEGACY]
    assert {n["node"]: n["safe_to_delete"] for n in doc["nodes"]} == dict.fromkeys(NODES, False)


def test_not_older_than_the_target():
    def kinds(version: str) -> list[tuple[str, str]]:
        files = {"n1": IgnoreFile(version, 1, "n1")}
        return [(p.kind, p.problem) for p in check_ignore_files(files, Options(to=TARGET), now=BEFORE).problems]

    assert kinds("v1.10.13") == []
    [(kind, text)] = kinds(TARGET)
    assert kind == "not-older" and "protects nothing" in text
    [(kind, text)] = kinds("v1.20.0")
    assert kind == "not-older" and "a downgrade?" in text
    assert [k for k, _ in kinds("1.14.10")] == ["version-text", "not-older"]  # public still protects: text differs


def test_generate_script_and_daemonset_to_a_file(tmp_path, capsys):
    base = ["ignore-file", "generate", "--nodes", str(CLUSTER / "nodes.json"), "--now", "1551441600"]
    script = tmp_path / "place.sh"
    assert main([*base, "--format", "script", "--out", str(script)]) == 0
    assert script.read_text().startswith("#!/bin/sh") and script.stat().st_mode & 0o777 == 0o755
    assert main([*base, "--format", "script", "--out", str(script), "--to", TARGET]) == 0  # same nodes: same text
    assert main([*base, "--format", "script", "--out", str(script), "--to", "v1.11.10"]) == 4  # worker-4 dropped
    assert "worker-4 already runs v1.11.10" in capsys.readouterr().err
    assert main([*base, "--format", "daemonset"]) == 0
    docs = list(yaml.safe_load_all(capsys.readouterr().out))
    assert [d["kind"] for d in docs] == ["ConfigMap", "DaemonSet"] and len(docs[0]["data"]) == 5
    empty = tmp_path / "nodes.json"
    empty.write_text('{"kind": "NodeList", "items": []}')
    assert main(["ignore-file", "generate", "--nodes", str(empty), "--out", str(tmp_path / "o")]) == 2
    assert "no nodes with status.nodeInfo.kubeletVersion" in capsys.readouterr().err
