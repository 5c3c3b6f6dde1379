"""kubehash.upgrade.audit: every container of the before state classed once against the after state."""

from __future__ import annotations

import copy
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from _canary import scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import json_values

from kubehash.model import RuntimeRecord, iter_containers
from kubehash.upgrade.audit import (
    CLASSES,
    PREDICTED_AND_RESTARTED,
    PREDICTED_NOT_RESTARTED,
    RESTARTED_NOT_PREDICTED,
    RESTARTED_ON_NODE_NOT_UPGRADED,
    UNCHANGED_AS_PREDICTED,
    Audit,
    ContainerState,
    audit,
    container_state,
    observe,
    upgraded_nodes,
)
from kubehash.upgrade.ignorefile.rules import IgnoreFile
from kubehash.upgrade.options import Options


def _key(c: Any) -> tuple[str | None, str, str]:
    return (c.namespace, c.pod, c.container)


@pytest.fixture(scope="module")
def canary() -> tuple[Audit, dict[str, Any]]:
    pods, nodes, records, after, after_nodes, story = scenario()
    return audit(pods, nodes, after, after_nodes, runtime_before=records), story


def test_canary_classes(canary: tuple[Audit, dict[str, Any]]) -> None:
    result, story = canary
    by = {_key(c): c for c in result}
    assert {_key(c) for c in result.of(PREDICTED_AND_RESTARTED)} == {tuple(k) for k in story["restarted"]}
    spared, deleted = by[tuple(story["spared"])], [c for c in result if (c.namespace, c.pod) == tuple(story["deleted"])]
    assert (
        spared.outcome == PREDICTED_NOT_RESTARTED and spared.why == "patched-kubelet" and spared.observed == "running"
    )
    assert [c.outcome for c in deleted] == [PREDICTED_NOT_RESTARTED] and deleted[0].why == "pod-deleted"
    assert result.of(PREDICTED_NOT_RESTARTED) == [*deleted, spared] or set(result.of(PREDICTED_NOT_RESTARTED)) == {
        *deleted,
        spared,
    }
    (miss,) = result.misses
    assert _key(miss) == tuple(story["missed"]) and miss.node == "worker-1" and miss.verdict == "unchanged"
    assert (miss.last_reason, miss.exit_code, miss.restart_count_before, miss.restart_count_after) == (
        "OOMKilled",
        137,
        0,
        1,
    )
    assert any("OOMKilled, exit code 137" in e for e in miss.evidence)
    assert any("no hash reason to restart it" in e for e in miss.evidence) and miss.old_hash == miss.new_hash
    assert any(e.startswith("recorded hash ") for e in miss.evidence) and miss.recorded_hash_before == miss.old_hash
    (crash,) = result.of(RESTARTED_ON_NODE_NOT_UPGRADED)
    assert _key(crash) == tuple(story["crashed"]) and crash.node == "worker-3" and not crash.upgraded
    assert crash.verdict is None and crash.exit_code == 1
    assert not result.held
    assert result.new_pods == ("/".join(story["replacement"]),) and result.new_containers == 1


def test_canary_summary(canary: tuple[Audit, dict[str, Any]]) -> None:
    result, story = canary
    s = result.summary
    assert s["upgraded_nodes"] == 2 and s["upgrades"]["worker-1"] == {"before": "v1.10.13", "after": "v1.12.10"}
    assert s["predicted_and_restarted"] == len(story["restarted"]) == 19
    assert (s["predicted_not_restarted"], s["restarted_not_predicted"], s["restarted_on_nodes_not_upgraded"]) == (
        2,
        1,
        1,
    )
    assert s["containers"] == len(result) == sum(s[k] for k in (
        "predicted_and_restarted", "predicted_not_restarted", "restarted_not_predicted", "unchanged_as_predicted",
        "restarted_on_nodes_not_upgraded",
    ))  # fmt: skip
    assert s["precision"] == round(19 / 20, 4) and s["recall"] == round(19 / 20, 4)
    assert s["not_restarted_why"] == {"pod-deleted": 1, "patched-kubelet": 1}
    assert s["by_node"]["worker-1"][RESTARTED_NOT_PREDICTED] == 1 and "worker-4" in s["by_node"]
    assert sum(sum(v.values()) for v in s["by_namespace"].values()) == len(result)


def test_every_before_container_once(canary: tuple[Audit, dict[str, Any]]) -> None:
    result, _ = canary
    pods = scenario()[0]
    expected = Counter((r.namespace, r.pod, r.name) for r in iter_containers(pods))
    assert Counter(_key(c) for c in result) == expected


def test_ignore_file_explains_the_spared_container() -> None:
    pods, nodes, records, after, after_nodes, story = scenario()
    files = {"worker-2": IgnoreFile("v1.10.13", 1_500_000_000, "worker-2")}
    result = audit(pods, nodes, after, after_nodes, runtime_before=records, ignore_files=files)
    by = {_key(c): c for c in result}
    spared = by[tuple(story["spared"])]
    assert (spared.verdict, spared.outcome, spared.why) == ("protected", PREDICTED_NOT_RESTARTED, "ignore-file")
    unspared = [c for c in result.of(PREDICTED_AND_RESTARTED) if c.node == "worker-2"]
    assert len(unspared) == 9 and all(c.verdict == "protected" for c in unspared)
    assert any("ignore file should have spared" in w and "9 container(s)" in w for w in result.warnings)
    assert result.summary["precision"] == 1.0  # the worker-1 ones all restarted; the protected one was told


def _pod(name: str, node: str | None, uid: str, **status: Any) -> dict[str, Any]:
    st = {
        "name": "app",
        "restartCount": 0,
        "containerID": "containerd://aaaa",
        "state": {"running": {"startedAt": "t0"}},
    }
    st.update(status)
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"namespace": "ns", "name": name, "uid": uid},
        "spec": {"nodeName": node, "containers": [{"name": "app", "image": "busybox"}]},
        "status": {"phase": "Running", "containerStatuses": [st]},
    }


def test_replaced_pod_and_runtime_records() -> None:
    before = [_pod("a", "n1", "u1"), _pod("b", "n1", "u2"), _pod("c", "n2", "u3")]
    after = [_pod("a", "n2", "u9"), _pod("b", "n1", "u2"), _pod("c", "n2", "u3"), _pod("d", "n1", "u4")]
    rb = [RuntimeRecord("ns", "b", "app", 0x1234, pod_uid="u2", container_id="c1", state="running")]
    ra = [RuntimeRecord("ns", "b", "app", 0x5678, pod_uid="u2", container_id="c2", state="running")]
    result = audit(before, {"n1": "1.10.13", "n2": "1.10.13"}, after, {"n1": "v1.11.10", "n2": "1.10.13"},
                   runtime_before=rb, runtime_after=ra)  # fmt: skip
    by = {c.pod: c for c in result}
    assert by["a"].observed == "pod-replaced" and by["a"].node_after == "n2" and not by["a"].restarted
    assert by["b"].restarted and by["b"].evidence[0] == "runtime container c1 -> c2"
    assert "recorded hash 1234 -> 5678" in by["b"].evidence and by["b"].recorded_hash_after == 0x5678
    assert by["b"].evidence[-1] == f"new kubelet recorded 5678: NOT the predicted {by['b'].new_hash:x}"
    assert by["c"].outcome == UNCHANGED_AS_PREDICTED and not by["c"].upgraded
    assert result.new_pods == ("ns/a", "ns/d") and result.upgrades == {"n1": ("1.10.13", "v1.11.10")}


def test_no_upgrade_and_expected_version() -> None:
    pods = [_pod("a", "n1", "u1")]
    crashed = [_pod("a", "n1", "u1", restartCount=3)]
    result = audit(pods, {"n1": "v1.10.13"}, crashed, {"n1": "v1.10.13"}, expected="v1.11.10")
    assert [c.outcome for c in result] == [RESTARTED_ON_NODE_NOT_UPGRADED] and result.held
    assert any("nothing was upgraded" in w for w in result.warnings)
    result = audit(pods, {"n1": "v1.10.13"}, pods, {"n1": "v1.11.9"}, Options(to="1.12"), expected="v1.11.10")
    assert any("other than v1.11.10: n1" in w for w in result.warnings)
    assert result.summary["upgrades"] == {"n1": {"before": "v1.10.13", "after": "v1.11.9"}}


def test_unusable_after_version_is_an_error_row() -> None:
    pods = [_pod("a", "n1", "u1"), _pod("b", "n1", "u2")]
    result = audit(pods, {"n1": "v1.10.13"}, pods, {"n1": "v9.99.0"})
    assert len(result) == 2 and all(c.verdict == "error" and c.error for c in result)
    assert len(result.errors) == 1 and "v9.99.0" in result.errors[0]
    assert {c.outcome for c in result} == {UNCHANGED_AS_PREDICTED}


def test_observe_signals() -> None:
    a = ContainerState("docker://1111", 0, True, "t0")
    assert not observe(a, a).restarted
    assert observe(a, ContainerState("docker://2222", 0, True, "t0")).signals == ("containerID 1111 -> 2222",)
    assert observe(a, ContainerState("docker://1111", 1, True, "t1")).signals == (
        "restartCount 0 -> 1",
        "startedAt t0 -> t1",
    )
    gone = observe(a, None)
    assert gone.restarted and gone.gone
    assert observe(ContainerState(running=False), ContainerState(running=True, started_at="t2")).started
    st = container_state(
        _pod("a", "n", "u", lastState={"terminated": {"reason": "Error", "exitCode": 2}}), "container", "app"
    )
    assert st is not None and (st.last_reason, st.exit_code, st.running) == ("Error", 2, True)
    assert container_state(_pod("a", "n", "u"), "initContainer", "app") is None
    assert upgraded_nodes({"a": "1", "b": "1"}, {"a": "2", "c": "3"}) == {"a": ("1", "2")}


# -- property: every container of the before state exactly once, with a class consistent with what was seen ----

_NODES = ("n1", "n2", None)
_VERSIONS = ("v1.10.13", "v1.11.10", "v1.12.10")


@st.composite
def _states(draw: Any) -> tuple[list[Any], dict[str, str], list[Any], dict[str, str]]:
    template = scenario()[0]["items"]
    n = draw(st.integers(0, 6))
    picks = draw(st.lists(st.integers(0, len(template) - 1), min_size=n, max_size=n))
    before, after = [], []
    for i, t in enumerate(picks):
        pod = copy.deepcopy(template[t])
        pod["metadata"]["name"] = f"p{i % 4}"  # names may repeat: a List may hold odd input
        pod["metadata"]["uid"] = draw(st.sampled_from([f"u{i}", None, "shared"]))
        pod["spec"]["nodeName"] = draw(st.sampled_from(_NODES))
        before.append(pod)
        fate = draw(st.sampled_from(["same", "restart", "gone", "replace", "drop-status"]))
        if fate == "gone":
            continue
        moved = copy.deepcopy(pod)
        statuses = moved.get("status", {}).get("containerStatuses", [])
        if fate == "restart":
            for s in statuses:
                s["restartCount"] = s.get("restartCount", 0) + draw(st.integers(0, 2))
        elif fate == "replace":
            moved["metadata"]["uid"] = f"new{i}"
        elif fate == "drop-status" and statuses:
            statuses.pop()
        after.append(moved)
    vb = {"n1": draw(st.sampled_from(_VERSIONS)), "n2": draw(st.sampled_from(_VERSIONS))}
    va = {k: draw(st.sampled_from([v, *_VERSIONS])) for k, v in vb.items()}
    return before, vb, after, va


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(_states())
def test_property_one_class_per_container(states: tuple[list[Any], dict[str, str], list[Any], dict[str, str]]) -> None:
    before, vb, after, va = states
    result = audit(before, vb, after, va)
    expected = Counter((r.namespace, r.pod, r.name) for r in iter_containers(before))
    assert Counter(_key(c) for c in result) == expected
    for c in result:
        assert c.outcome in CLASSES
        assert c.upgraded == (c.node in result.upgrades)
        if not c.upgraded:
            assert c.outcome in (UNCHANGED_AS_PREDICTED, RESTARTED_ON_NODE_NOT_UPGRADED) and not c.predicted
        assert (c.outcome == RESTARTED_NOT_PREDICTED) == (c.upgraded and c.restarted and not c.predicted)
        assert (c.outcome == PREDICTED_NOT_RESTARTED) == (c.predicted and not c.restarted) and (c.why is not None) == (
            c.outcome == PREDICTED_NOT_RESTARTED
        )
    assert result.held == (result.summary["restarted_not_predicted"] == 0)


def test_malformed_pods_are_errors_and_still_rows() -> None:
    odd = {"metadata": {"namespace": "ns", "name": "odd", "uid": "u5"}, "spec": {"nodeName": "n1", "containers": {}}}
    pods = [_pod("a", "n1", "u1"), odd, 7, {"kind": "Node", "metadata": {"name": "n1"}}]
    after = [_pod("a", "n1", "u1"), {**odd, "status": []}]
    result = audit(pods, {"n1": "v1.10.13"}, after, {"n1": "v1.10.13"})
    assert [(c.pod, c.container) for c in result] == [("a", "app"), ("odd", "-")]
    assert result.containers[1].error is not None and "$.spec.containers" in result.containers[1].error
    assert any(e.startswith("after state: pod ns/odd: $.status") for e in result.errors)
    assert any("before state: 1 number in the pods input: not objects" in e for e in result.errors)
    assert any("before state: 1 Node in the pods input: not pods" in w for w in result.warnings)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(json_values(8), max_size=4), st.lists(json_values(8), max_size=4))
def test_property_any_json_never_raises(before: list[Any], after: list[Any]) -> None:
    """Whatever the dumps hold, the audit classes what it can and says what it could not read."""
    result = audit(before, {"n1": "v1.10.13"}, after, {"n1": "v1.12.10"})
    assert all(c.outcome in CLASSES for c in result)
    assert result.summary["containers"] == len(result)


@settings(max_examples=200, deadline=None)
@given(json_values(10), json_values(10), st.sampled_from(["container", "initContainer"]))
def test_property_container_state_reads_any_status(a: Any, b: Any, kind: str) -> None:
    """Any JSON in ``status.containerStatuses`` gives a state or none, never an exception; two of them an
    observation whose ``restarted`` is exactly "some signal"."""
    key = "containerStatuses" if kind == "container" else "initContainerStatuses"
    states = [container_state({"status": {key: [{"name": "app", **x}] if isinstance(x, dict) else x}}, kind, "app")
              for x in (a, b)]  # fmt: skip
    for s in states:
        assert s is None or isinstance(s, ContainerState)
        assert s is None or s.restart_count is None or isinstance(s.restart_count, int)
    obs = observe(*states)
    assert obs.restarted == bool(obs.signals) and not (obs.started and obs.restarted)


def test_evicted_and_stopped() -> None:
    before = [_pod("a", "n1", "u1"), _pod("b", "n1", "u2")]
    stopped = {"name": "app", "restartCount": 0, "containerID": "containerd://aaaa", "state": {"terminated": {}}}
    evicted = _pod("a", "n1", "u1")
    evicted["status"] = {"phase": "Failed", "reason": "Evicted", "containerStatuses": [stopped]}
    done = _pod("b", "n1", "u2")
    done["status"] = {"phase": "Succeeded", "containerStatuses": [stopped]}
    result = audit(before, {"n1": "v1.10.13"}, [evicted, done], {"n1": "v1.10.13"})
    assert [c.observed for c in result] == ["evicted", "stopped"] and not any(c.restarted for c in result)
    assert result.summary["observed"] == {"stopped": 1, "evicted": 1}


def test_committed_canary_example_is_what_the_generator_writes(tmp_path: Path) -> None:
    from _canary import GENERATOR, generator

    assert generator().main(["--out", str(tmp_path)]) == 0
    committed = GENERATOR.parent
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert written == sorted(
        p.relative_to(committed) for p in committed.rglob("*") if p.is_file() and p.suffix == ".json"
    )
    for rel in written:
        assert (tmp_path / rel).read_bytes() == (committed / rel).read_bytes(), rel


def test_vendor_suffix_is_the_expected_release() -> None:
    """A node reporting v1.11.10-eks-036c24b runs 1.11.10: no 'other than' warning (review of issue 19)."""
    from kubehash.upgrade.audit.versions import same_release
    from kubehash.upgrade.watch_expect import PredictedRestarts

    pods = [_pod("a", "n1", "u1")]
    after = {"n1": "v1.11.10-eks-036c24b", "n2": "v1.11.10+k3s1"}
    result = audit(pods, {"n1": "v1.10.13", "n2": "v1.10.13"}, pods, after, expected="1.11.10")
    assert not any("other than" in w for w in result.warnings)
    result = audit(pods, {"n1": "v1.10.13"}, pods, {"n1": "v1.11.9-eks-036c24b"}, expected="v1.11.10")
    assert any("other than v1.11.10: n1" in w for w in result.warnings)
    assert same_release("v1.30.0-eks-036c24b", "1.30") and not same_release("v1.30.0-rc.1", "v1.30.0")
    doc = {"summary": {"to": "v1.30.0"}, "containers": []}
    assert "prediction is for" not in (PredictedRestarts(doc).node_upgraded("n1", "v1.30.0-eks-036c24b") or "")
    assert "prediction is for v1.30.0" in (PredictedRestarts(doc).node_upgraded("n1", "v1.30.1") or "")
