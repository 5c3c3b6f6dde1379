"""predict on the bundled example cluster (examples/cluster), through the Python API and the CLI."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from kubehash import hash_container
from kubehash.cli import main
from kubehash.model import RuntimeRecord, iter_containers, node_kubelet_versions
from kubehash.report import render, to_dataframe
from kubehash.report.prediction import CONTAINER_COLUMNS
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import VERDICTS, Predictor, predict

CLUSTER = Path(__file__).parents[2] / "examples" / "cluster"


def _keys(docs):
    return Counter((r.namespace, r.pod, r.name, r.kind) for d in docs for r in iter_containers(d))


def test_every_container_exactly_once(pods, nodes):
    result = predict(pods, Options(to="1.17"), nodes=nodes)
    got = Counter((c.namespace, c.pod, c.container, c.kind) for c in result)
    assert got == _keys(pods)
    assert sum(result.summary["verdicts"].values()) == len(result) == sum(_keys(pods).values())
    assert set(result.summary["verdicts"]) <= set(VERDICTS)


def test_to_117_restarts_every_running_container_for_the_algorithm(pods, nodes):
    result = predict(pods, Options(to="1.17"), nodes=nodes)
    versions = node_kubelet_versions(nodes)
    running = [c for c in result if c.verdict != "not-running"]
    assert running and all(c.verdict == "restart" for c in running)
    assert all([r.kind for r in c.reasons] == ["algorithm"] for c in running)
    # old hash is the node's own kubelet version on the current spec; new hash is 1.17's
    for c, ref in zip(result, (r for d in pods for r in iter_containers(d)), strict=True):
        if c.verdict == "not-running":
            assert c.old_hash is None
            continue
        assert c.old_version == versions[c.node]  # as the node reports it
        assert c.old_hash == hash_container(ref.spec, versions[c.node], source=ref.source)
        assert c.new_hash == hash_container(ref.spec, "1.17", source=ref.source)
    # static control-plane pods are hashed on the file decode path
    assert {c.source for c in result if c.pod == "etcd-cp-1"} == {"file"}


def test_to_111_restarts_nothing(pods, nodes):
    result = predict(pods, Options(to="1.11"), nodes=nodes)
    assert result.restarts == []
    assert result.summary["verdicts"]["unchanged"] > 250


def test_not_running_containers_are_never_compared(pods, nodes):
    result = predict(pods, Options(to="1.17"), nodes=nodes)
    by_pod = {(c.namespace, c.pod): c for c in result if c.kind == "container"}
    assert by_pod[("analytics", "model-trainer")].verdict == "not-running"  # pending, no node
    jobs = [c for c in result if c.pod.startswith("nightly-export-")]
    assert jobs and all(c.verdict == "not-running" for c in jobs)  # completed Jobs
    inits = [c for c in result if c.kind == "initContainer"]
    assert inits and all(c.verdict == "not-running" for c in inits)  # completed init containers


def test_unknown_node_version_is_an_error_unless_from_given(pods):
    result = predict(pods, Options(to="1.17"))
    assert {c.verdict for c in result} == {"error", "not-running"}
    assert "unknown" in result.errors[0].error
    result = predict(pods, Options(to="1.17", from_version="1.10"))
    assert not result.errors


def test_decode_error_is_reported_and_the_batch_goes_on(nodes):
    pod = {
        "kind": "Pod",
        "metadata": {"name": "bad", "namespace": "ns"},
        "spec": {
            "nodeName": "worker-1",
            "containers": [
                {"name": "ok", "image": "nginx"},
                {"name": "broken", "image": "nginx", "resources": {"limits": {"cpu": "1.5.5"}}},
            ],
        },
        "status": {"phase": "Running"},
    }
    result = predict([pod], Options(to="1.17"), nodes=nodes)
    verdicts = {c.container: c.verdict for c in result}
    assert verdicts == {"ok": "restart", "broken": "error"}
    err = result.errors[0].error
    assert "ns/bad" in err or ("bad" in err and "ns" in err)
    assert "broken" in err and "cpu" in err


def test_nodes_as_mapping_and_cache_hits(pods):
    result = predict(
        pods,
        Options(to="1.17"),
        nodes={"cp-1": "1.10", "worker-1": "1.10", "worker-2": "1.10", "worker-3": "1.10", "worker-4": "1.10"},
    )
    assert not result.errors
    cache = result.summary["hash_cache"]
    assert cache["hits"] > cache["misses"] > 0  # replicas share specs


def test_json_shape_and_dataframe(pods, nodes):
    result = predict(pods, Options(to="1.17"), nodes=nodes)
    doc = json.loads(render(result, "json"))
    assert set(doc) == {"summary", "containers"}
    assert all(list(c) == [col.name for col in CONTAINER_COLUMNS] for c in doc["containers"])
    df = to_dataframe(result)
    assert len(df) == len(result)
    assert (df["verdict"] == "restart").sum() == len(result.restarts)
    assert df.groupby("node", dropna=False)["verdict"].count().sum() == len(result)
    assert df["node"].isna().sum() == sum(1 for c in result if c.node is None)


def test_cli_predict_exit_codes_and_json(capsys, pods):
    args = ["predict", "--to", "1.17", "--pods", str(CLUSTER / "pods.json"), "--nodes", str(CLUSTER / "nodes.json")]
    assert main([*args, "-o", "json", "-q"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["verdicts"]["restart"] == sum(1 for c in doc["containers"] if c["verdict"] == "restart")
    assert len(doc["containers"]) == sum(_keys(pods).values())
    assert main([*args, "--fail-on", "never", "-q"]) == 0
    out = capsys.readouterr().out
    assert "Upgrade to kubelet v1.17.17" in out and "algorithm" in out
    args11 = ["predict", "--to", "1.11", "--pods", str(CLUSTER / "pods.json"), "--nodes", str(CLUSTER / "nodes.json")]
    assert main([*args11, "-o", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("namespace,pod,container,kind,node")
    assert len(lines) == 1 + sum(_keys(pods).values())
    assert main(["predict", "--to", "9.99", "--pods", str(CLUSTER / "pods.json")]) == 1
    assert main(["predict", "--to", "1.17", "--pods", "/nonexistent.json"]) == 2


def _resizable_pod():
    limits = {"cpu": "1", "memory": "1Gi"}
    return {
        "kind": "Pod",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "nodeName": "n1",
            "containers": [
                {
                    "name": "web",
                    "image": "nginx:1.25",
                    "resources": {"limits": dict(limits), "requests": dict(limits)},
                    "terminationMessagePath": "/dev/termination-log",
                    "terminationMessagePolicy": "File",
                    "imagePullPolicy": "IfNotPresent",
                }
            ],
        },
        "status": {"phase": "Running"},
    }


def test_control_plane_defaults_with_gates_change_the_new_hash():
    pod = _resizable_pod()
    plain = predict([pod], Options(to="1.27", from_version="1.26"))
    assert [c.verdict for c in plain] == ["unchanged"]
    gated = predict([pod], Options(to="1.27", from_version="1.26", feature_gates={"InPlacePodVerticalScaling": True}))
    (c,) = list(gated)
    assert c.verdict == "restart"
    assert [r.kind for r in c.reasons] == ["default-added"]
    assert c.reasons[0].path == "spec.containers[0].resizePolicy"
    # the gate only matters where the 1.27-1.32 apiserver defaults resizePolicy
    later = predict([pod], Options(to="1.30", from_version="1.26", control_plane="1.33"))
    assert [c.verdict for c in later] == ["unchanged"]
    assert pod == _resizable_pod()  # the input is never modified
    off = predict(
        [pod],
        Options(to="1.27", from_version="1.26", feature_gates={"InPlacePodVerticalScaling": True}, defaults=False),
    )
    assert [c.verdict for c in off] == ["unchanged"]


def test_cli_feature_gates_are_checked(tmp_path):
    f = tmp_path / "pod.json"
    f.write_text(json.dumps(_resizable_pod()))
    base = ["predict", "--to", "1.27", "--from", "1.26", "--pods", str(f), "-q"]
    assert main(base) == 0
    assert main([*base, "--feature-gates", "InPlacePodVerticalScaling=true"]) == 3
    assert main([*base, "--feature-gates", "NoSuchGate=true"]) == 1


def test_runtime_records_verify_the_model_and_catch_the_edited_pod(pods, nodes):
    from kubehash.sources.runtime import load_runtime

    records, errors = load_runtime([CLUSTER / "runtime"])
    assert not errors and len(records) == 281
    result = predict(pods, Options(to="1.11"), nodes=nodes, runtime=records)
    checks = Counter(c.model_check for c in result if c.verdict != "not-running")
    assert checks == {"match": 280, "mismatch": 1}
    (restart,) = result.restarts
    assert (restart.namespace, restart.pod) == ("default", "legacy-report-runner")
    assert [r.kind for r in restart.reasons] == ["spec-changed"]
    assert restart.new_hash == restart.old_hash != restart.recorded_hash
    # the recorded hash is what the new kubelet compares against: to 1.17 everything restarts, and the
    # edited pod says both why
    result17 = predict(pods, Options(to="1.17"), nodes=nodes, runtime=records)
    edited = next(c for c in result17 if c.pod == "legacy-report-runner")
    assert {r.kind for r in edited.reasons} == {"spec-changed", "algorithm"}
    started = [c.started_at for c in result17 if c.verdict == "restart"]
    assert all(s is not None and s.tzinfo is not None for s in started)


def test_cli_predict_with_runtime_and_snapshot(tmp_path, capsys):
    base = ["--nodes", str(CLUSTER / "nodes.json"), "--runtime", str(CLUSTER / "runtime"), "-q"]
    assert main(["predict", "--to", "1.11", "--pods", str(CLUSTER / "pods.json"), *base, "-o", "json"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["model_check"] == {"match": 280, "mismatch": 1}
    snap = tmp_path / "cluster.snapshot"
    assert main(["snapshot", "--out", str(snap), "--pods", str(CLUSTER / "pods.json"), *base]) == 0
    capsys.readouterr()
    assert main(["predict", "--to", "1.11", "--pods", str(snap), "-q", "-o", "json"]) == 3
    assert json.loads(capsys.readouterr().out) == doc
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "x.json").write_text("{not json")
    args = ["predict", "--to", "1.11", "--pods", str(CLUSTER / "pods.json"), *base, "--runtime", str(bad)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "x.json" in err and "Traceback" not in err


def test_a_cached_decode_error_names_each_pod_once(nodes):
    bad = {"name": "c", "image": "nginx", "resources": {"limits": {"cpu": "1.5.5"}}}
    pods = [
        {
            "kind": "Pod",
            "metadata": {"name": "a", "namespace": "ns"},
            "spec": {"nodeName": "worker-1", "containers": [dict(bad)]},
        },
        {"kind": "Pod", "metadata": {"name": "b"}, "spec": {"nodeName": "worker-1", "containers": [dict(bad)]}},
    ]
    errors = [c.error for c in predict(pods, Options(to="1.17"), nodes=nodes)]
    assert errors[0].startswith("pod ns/a, container c:")
    assert errors[1].startswith("pod b, container c:")  # not ns/b: the cached error is not shared


def _pod(uid: str | None) -> dict:
    meta = {"name": "db-0", "namespace": "data"} | ({"uid": uid} if uid else {})
    return {
        "kind": "Pod",
        "metadata": meta,
        "spec": {"nodeName": "n1", "containers": [{"name": "db", "image": "postgres:16"}]},
        "status": {"phase": "Running", "containerStatuses": [{"name": "db", "state": {"running": {}}}]},
    }


def _record(uid: str | None, h: int, state: str = "running") -> RuntimeRecord:
    return RuntimeRecord("data", "db-0", "db", h, pod_uid=uid, state=state)


def test_runtime_records_follow_the_pod_uid() -> None:
    """A StatefulSet replica recreated under its name gets a new uid: records of the instance before it
    (still listed by the runtime) are not its records; records without a uid match by name."""
    nodes = {"n1": "1.17"}
    current = hash_container(_pod(None)["spec"]["containers"][0], "1.17")
    stale = _record("old-uid", 0x1234)
    (c,) = predict([_pod("new-uid")], Options(to="1.17", defaults=False), nodes=nodes, runtime=[stale]).containers
    assert (c.recorded_hash, c.verdict, c.model_check) == (None, "unchanged", "unverified")
    (c,) = predict(
        [_pod("new-uid")], Options(to="1.17", defaults=False), nodes=nodes, runtime=[stale, _record("new-uid", current)]
    ).containers
    assert (c.recorded_hash, c.model_check) == (current, "match")
    (c,) = predict(
        [_pod("new-uid")], Options(to="1.17", defaults=False), nodes=nodes, runtime=[_record(None, 0x1234)]
    ).containers
    assert (c.recorded_hash, c.verdict, c.model_check) == (0x1234, "restart", "mismatch")
    (c,) = predict(
        [_pod(None)], Options(to="1.17", defaults=False), nodes=nodes, runtime=[stale]
    ).containers  # a pod without a uid
    assert c.recorded_hash == 0x1234
    exited, running = _record("u", 0x1, state="exited"), _record("u", current)
    for records in ([exited, running], [running, exited]):
        (c,) = predict([_pod("u")], Options(to="1.17", defaults=False), nodes=nodes, runtime=records).containers
        assert (c.recorded_hash, c.verdict) == (current, "unchanged")


def test_absurd_node_versions_are_reported_not_raised() -> None:
    """A version with more digits than Python converts is an unsupported version (an error row), for
    running and finished pods alike."""
    nodes = {"n1": "1." + "9" * 5000}
    done = _pod(None) | {"status": {"phase": "Succeeded"}}
    got = predict([_pod(None), done], Options(to="1.17"), nodes=nodes).containers
    assert [c.verdict for c in got] == ["error", "not-running"]
    assert "unsupported" in (got[0].error or "").lower() or "not a" in (got[0].error or "").lower()


def test_predictor_pod_accepts_a_list_of_pods() -> None:
    p = Predictor(Options(to="1.17"), nodes={"n1": "1.10"})
    one = p.pod(_pod("u1"))
    assert len(one) == 1
    assert [c.pod for c in p.pod({"kind": "List", "items": [_pod("u1"), _pod("u2")]})] == ["db-0", "db-0"]
    assert p.pod({"name": "bare", "image": "nginx"}) == []  # a bare container is not a pod


def test_replicas_share_a_judgement_but_not_their_own_fields():
    """Containers with one spec on one kubelet are judged once (``Predictor._judged``); what belongs to each
    -- its pod in a decode error, its node's ignore file, its start time -- stays its own, and the cache
    counts every lookup as it did container by container."""

    def pod(name, node, started, cpu="1"):
        container = {"name": "app", "image": "nginx", "resources": {"limits": {"cpu": cpu}}}
        return {
            "kind": "Pod",
            "metadata": {"name": name, "namespace": "ns", "uid": name},
            "spec": {"nodeName": node, "containers": [container]},
            "status": {
                "phase": "Running",
                "containerStatuses": [{"name": "app", "state": {"running": {"startedAt": started}}}],
            },
        }

    pods = [
        pod("a", "n1", "2026-01-01T00:00:00Z"),
        pod("b", "n2", "2026-01-02T00:00:00Z"),
        pod("c", "n1", "2026-01-03T00:00:00Z", cpu="1.5.5"),
        pod("d", "n2", "2026-01-04T00:00:00Z", cpu="1.5.5"),
    ]
    nodes = {"n1": "1.10", "n2": "1.10"}
    result = predict(pods, Options(to="1.17"), nodes=nodes, protected=lambda p: p.node == "n1")
    got = {c.pod: c for c in result}
    assert (got["a"].verdict, got["b"].verdict) == ("protected", "restart")
    assert got["a"].reasons == got["b"].reasons and got["a"].reasons is not got["b"].reasons
    assert [got[p].started_at.day for p in "abcd"] == [1, 2, 3, 4]
    assert "ns/c" in got["c"].error and "ns/d" in got["d"].error and "ns/c" not in got["d"].error
    one_by_one = [predict([p], Options(to="1.17"), nodes=nodes) for p in pods]
    lookups = sum(r.cache_hits + r.cache_misses for r in one_by_one)
    assert result.cache_hits + result.cache_misses == lookups
