"""The watch's pure event logic: baseline + previous object + new object -> events and tally."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.errors import InputError
from kubehash.upgrade.watch_events import (
    EXPECTED,
    UNEXPECTED,
    UNRELATED,
    Tracker,
    digest_pod,
    eviction_reason,
    pod_status,
)
from kubehash.upgrade.watch_expect import BaselinePredictions, PredictedRestarts


def wpod(
    name: str,
    node: str = "n1",
    ns: str = "default",
    *,
    restarts: int = 0,
    cid: str | None = None,
    phase: str = "Running",
    waiting: str | None = None,
    containers: tuple[str, ...] = ("c",),
) -> dict[str, Any]:
    """A running pod with container statuses, as the kubelet reports them."""
    statuses = []
    for c in containers:
        state: dict[str, Any] = {"waiting": {"reason": waiting}} if waiting else {"running": {"startedAt": "x"}}
        statuses.append(
            {"name": c, "restartCount": restarts, "containerID": cid or f"containerd://{name}-{c}-{restarts}",
             "state": state}
        )  # fmt: skip
    return {
        "metadata": {"name": name, "namespace": ns, "uid": f"uid-{ns}-{name}"},
        "spec": {"nodeName": node, "containers": [{"name": c, "image": "nginx"} for c in containers]},
        "status": {"phase": phase, "containerStatuses": statuses},
    }


def wnode(name: str, version: str) -> dict[str, Any]:
    return {"metadata": {"name": name}, "status": {"nodeInfo": {"kubeletVersion": version}}}


class Fixed:
    """Expectations from a dict: (ns, pod, container) -> (node, verdict)."""

    def __init__(self, verdicts: dict[tuple[str, str, str], tuple[str, str]]) -> None:
        self.verdicts = verdicts
        self.upgraded: list[tuple[str, str]] = []

    def node_upgraded(self, node: str, version: str) -> str | None:
        self.upgraded.append((node, version))
        return f"note {node}"

    def verdict(self, namespace: str | None, pod: str | None, container: str) -> str | None:
        found = self.verdicts.get((namespace or "", pod or "", container))
        return found[1] if found else None

    def restarts_on(self, node: str) -> list[tuple[str | None, str | None, str]]:
        return [k for k, (n, v) in self.verdicts.items() if n == node and v == "restart"]


def tracker(verdicts: dict[tuple[str, str, str], tuple[str, str]], pods: list[Any], grace: float = 30.0) -> Tracker:
    t = Tracker(Fixed(verdicts), grace=grace)
    t.set_baseline(pods, [wnode("n1", "v1.29.3"), wnode("n2", "v1.29.3")])
    return t


def test_node_upgrade_then_expected_and_unexpected_restarts() -> None:
    verdicts = {("default", "a", "c"): ("n1", "restart"), ("default", "b", "c"): ("n1", "unchanged")}
    t = tracker(verdicts, [wpod("a"), wpod("b")])
    [ev] = t.node("MODIFIED", wnode("n1", "v1.30.14"), 1.0)
    assert (ev.kind, ev.node, ev.old, ev.new, ev.detail) == ("node-upgraded", "n1", "v1.29.3", "v1.30.14", "note n1")
    assert t.tally.nodes_upgraded == 1 and t.tally.nodes == 2
    [ra, settled] = t.pod("MODIFIED", wpod("a", restarts=1), 2.0)
    assert (ra.kind, ra.pod, ra.container, ra.klass) == ("restart", "a", "c", EXPECTED)
    assert "restartCount 0->1" in ra.detail
    assert (settled.kind, settled.node, settled.detail) == ("node-settled", "n1", "all 1 predicted restart seen")
    assert t.tally.nodes_settled == 1
    [rb] = t.pod("MODIFIED", wpod("b", restarts=1), 3.0)
    assert rb.klass == UNEXPECTED and "predicted unchanged" in rb.detail
    [again] = t.pod("MODIFIED", wpod("a", restarts=2), 4.0)
    assert again.klass == UNEXPECTED and "again" in again.detail
    assert (t.tally.expected_restarts, t.tally.unexpected_restarts) == (1, 2)
    assert [e.pod for e in t.unexpected] == ["b", "a"]


def test_container_id_change_alone_is_a_restart() -> None:
    t = tracker({("default", "a", "c"): ("n1", "restart")}, [wpod("a", cid="containerd://1")])
    t.node("MODIFIED", wnode("n1", "v1.30.14"), 0.0)
    ev, _settled = t.pod("MODIFIED", wpod("a", cid="containerd://2"), 1.0)
    assert ev.klass == EXPECTED and "new container ID" in ev.detail
    assert t.pod("MODIFIED", wpod("a", cid="containerd://2"), 2.0) == []  # same state again: nothing


def test_restart_before_node_event_waits_for_the_node() -> None:
    t = tracker({("default", "a", "c"): ("n1", "restart")}, [wpod("a")])
    assert t.pod("MODIFIED", wpod("a", restarts=1), 1.0) == []  # node not (yet) seen upgraded
    assert t.pending == 1
    events = t.node("MODIFIED", wnode("n1", "v1.30.14"), 2.0)
    kinds = [(e.kind, e.klass) for e in events]
    assert kinds == [("node-upgraded", None), ("restart", EXPECTED), ("node-settled", None)]
    assert t.pending == 0


def test_restart_on_node_not_upgraded_is_unrelated_after_grace() -> None:
    t = tracker({("default", "a", "c"): ("n2", "restart")}, [wpod("a", node="n2")], grace=5.0)
    assert t.pod("MODIFIED", wpod("a", node="n2", restarts=1), 10.0) == []
    assert t.tick(14.9) == []
    [ev] = t.tick(15.0)
    assert ev.klass == UNRELATED and "node not upgraded" in ev.detail
    assert t.tally.unrelated_restarts == 1 and t.tally.unexpected_restarts == 0


def test_finish_classifies_what_still_waits() -> None:
    t = tracker({}, [wpod("a", node="n2")])
    t.pod("MODIFIED", wpod("a", node="n2", restarts=3), 1.0)
    [ev] = t.finish()
    assert ev.klass == UNRELATED and "restartCount 0->3" in ev.detail


def test_uncovered_and_not_running_verdicts_are_unrelated() -> None:
    verdicts = {("default", "b", "c"): ("n1", "not-running")}
    t = tracker(verdicts, [wpod("a"), wpod("b")])
    t.node("MODIFIED", wnode("n1", "v1.30.14"), 0.0)
    [ea] = t.pod("MODIFIED", wpod("a", restarts=1), 1.0)
    [eb] = t.pod("MODIFIED", wpod("b", restarts=1), 1.0)
    assert (ea.klass, eb.klass) == (UNRELATED, UNRELATED)
    assert "not in the prediction" in ea.detail and "not running at the baseline" in eb.detail


def test_pod_recreated_under_same_name_is_not_a_restart() -> None:
    t = tracker({("default", "a", "c"): ("n1", "restart")}, [wpod("a")])
    t.node("MODIFIED", wnode("n1", "v1.30.14"), 0.0)
    new = wpod("a", restarts=5)
    new["metadata"]["uid"] = "other"
    assert t.pod("ADDED", new, 1.0) == []


def test_left_running_and_back() -> None:
    t = tracker({}, [wpod("a")])
    [ev] = t.pod("MODIFIED", wpod("a", waiting="CrashLoopBackOff"), 1.0)
    assert (ev.kind, ev.old, ev.new) == ("pod-not-running", "Running", "CrashLoopBackOff")
    assert t.tally.pods_not_running == 1
    [back] = t.pod("MODIFIED", wpod("a"), 2.0)
    assert back.kind == "pod-running" and t.tally.pods_not_running == 0
    assert t.pod("MODIFIED", wpod("a", waiting="ContainerCreating"), 3.0) == []  # being created is no trouble
    assert t.pod("MODIFIED", wpod("a", phase="Succeeded"), 4.0) == []  # completed


def test_evictions() -> None:
    t = tracker({}, [wpod("a"), wpod("b")])
    evicted = wpod("a", phase="Failed")
    evicted["status"]["reason"] = "Evicted"
    [ev] = t.pod("MODIFIED", evicted, 1.0)
    assert (ev.kind, ev.detail) == ("evicted", "Evicted")
    drained = wpod("b")
    drained["status"]["conditions"] = [
        {"type": "DisruptionTarget", "status": "True", "reason": "EvictionByEvictionAPI"}
    ]
    drained["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z"
    [ev2] = t.pod("DELETED", drained, 2.0)
    assert ev2.kind == "evicted" and ev2.detail == "EvictionByEvictionAPI"
    assert t.pod("DELETED", drained, 3.0) == []  # once per pod
    assert t.tally.evictions == 2 and t.tally.pods_not_running == 0


def test_status_helpers() -> None:
    assert pod_status({"status": {"phase": "Pending"}}) == "Pending"
    assert pod_status({"metadata": {"deletionTimestamp": "t"}, "status": {"phase": "Running"}}) == "Terminating"
    assert pod_status({}) == "Unknown"
    assert eviction_reason({"status": {"conditions": [{"type": "DisruptionTarget", "status": "False",
                                                        "reason": "EvictionByEvictionAPI"}]}}) is None  # fmt: skip
    assert digest_pod({"metadata": {"name": "x", "namespace": "y"}}).key == "y/x"
    assert digest_pod("garbage").containers == {}


def test_summary_lists_predicted_restarts_not_seen() -> None:
    verdicts = {("default", "a", "c"): ("n1", "restart"), ("default", "b", "c"): ("n1", "restart")}
    t = tracker(verdicts, [wpod("a"), wpod("b")])
    t.node("MODIFIED", wnode("n1", "v1.30.14"), 0.0)
    assert [e.kind for e in t.pod("MODIFIED", wpod("a", restarts=1), 1.0)] == ["restart"]  # b is still to come
    s = t.summary()
    assert s["upgraded_nodes"] == [{"node": "n1", "from": "v1.29.3", "to": "v1.30.14"}]
    assert s["predicted_not_seen"] == [{"node": "n1", "namespace": "default", "pod": "b", "container": "c"}]
    assert s["tally"]["expected_restarts"] == 1


def test_node_that_joins_is_not_upgraded() -> None:
    t = tracker({}, [])
    assert t.node("ADDED", wnode("n3", "v1.30.14"), 0.0) == []
    assert t.tally.nodes == 3 and t.tally.nodes_upgraded == 0


# -- expectations ----------------------------------------------------------------------------------------


def prediction_doc() -> dict[str, Any]:
    return {
        "summary": {"to": "v1.30.14"},
        "containers": [
            {"namespace": "default", "pod": "a", "container": "c", "node": "n1", "verdict": "restart",
             "old_version": "v1.29.3"},
            {"namespace": "default", "pod": "b", "container": "c", "node": "n1", "verdict": "unchanged",
             "old_version": "v1.29.3"},
        ],
    }  # fmt: skip


def test_predicted_restarts_from_a_document() -> None:
    p = PredictedRestarts(prediction_doc())
    assert p.verdict("default", "a", "c") == "restart" and p.verdict("default", "z", "c") is None
    assert p.old_versions == {"n1": "v1.29.3"}
    assert p.node_upgraded("n1", "v1.30.14") == "predicted: 1 restart, 1 unchanged"
    assert "prediction is for v1.30.14" in (p.node_upgraded("n1", "v1.31.0") or "")
    assert p.restarts_on("n1") == [("default", "a", "c")]
    with pytest.raises(InputError, match="not a 'kubehash predict"):
        PredictedRestarts({"items": []}, name="f.json")
    with pytest.raises(InputError, match=r"containers\[0\].verdict"):
        PredictedRestarts({"containers": [{"container": "c"}]})
    with pytest.raises(InputError, match="must be strings"):
        PredictedRestarts({"containers": [{"container": "c", "verdict": "restart", "pod": ["x"]}]})


def test_baseline_predictions_predict_a_node_to_its_new_version() -> None:
    pods = [wpod("a")]
    pods[0]["spec"]["containers"][0].update(
        {"terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
         "imagePullPolicy": "Always"}
    )  # fmt: skip
    b = BaselinePredictions(pods, nodes=[wnode("n1", "v1.15.12")])
    note = b.node_upgraded("n1", "v1.16.15")
    assert note is not None and "1 restart" in note  # 1.15 -> 1.16: the hash algorithm changed
    assert b.verdict("default", "a", "c") == "restart"
    assert b.restarts_on("n1") == [("default", "a", "c")]
    bad = b.node_upgraded("n1", "v0.1.0")
    assert bad is not None and "cannot predict" in bad and b.verdict("default", "a", "c") == "error"


# -- property: an expected restart is always a predicted one, counted once ----------------------------------

_STEP = st.one_of(
    st.tuples(st.just("node"), st.sampled_from(["n1", "n2"]), st.sampled_from(["v1.29.3", "v1.30.14"])),
    st.tuples(st.just("restart"), st.sampled_from(["a", "b", "c"]), st.integers(1, 2)),
    st.tuples(st.just("tick"), st.just(""), st.integers(0, 40)),
)


@settings(max_examples=150, deadline=None)
@given(
    verdicts=st.dictionaries(
        st.sampled_from(["a", "b", "c"]),
        st.tuples(st.sampled_from(["n1", "n2"]), st.sampled_from(["restart", "unchanged", "protected", "not-running"])),
    ),
    steps=st.lists(_STEP, max_size=25),
)
def test_expected_restarts_are_predicted_ones(
    verdicts: dict[str, tuple[str, str]], steps: list[tuple[str, str, int | str]]
) -> None:
    pods = {name: wpod(name, node=verdicts.get(name, ("n1", ""))[0]) for name in ("a", "b", "c")}
    t = tracker({("default", k, "c"): v for k, v in verdicts.items()}, list(copy.deepcopy(pods).values()), grace=10)
    events, now, counts = [], 0.0, dict.fromkeys(pods, 0)
    for kind, what, n in steps:
        now += 1
        if kind == "node":
            events += t.node("MODIFIED", wnode(what, str(n)), now)
        elif kind == "restart":
            counts[what] += int(n)
            p = wpod(what, node=pods[what]["spec"]["nodeName"], restarts=counts[what])
            events += t.pod("MODIFIED", p, now)
        else:
            now += int(n)
            events += t.tick(now)
    events += t.finish()
    restarts = [e for e in events if e.kind == "restart"]
    expected = [e for e in restarts if e.klass == EXPECTED]
    for e in expected:
        assert verdicts[e.pod or ""][1] == "restart"
    assert len({e.pod for e in expected}) == len(expected)  # each predicted restart counted once
    assert len(restarts) == sum(1 for kind, _, _ in steps if kind == "restart")  # every restart classified once
    tally = t.tally
    assert tally.expected_restarts + tally.unexpected_restarts + tally.unrelated_restarts == len(restarts)
    assert t.pending == 0


# -- properties: the readers are total on any JSON ----------------------------------------------------------

_KEYS = ["metadata", "spec", "status", "name", "namespace", "uid", "nodeName", "phase", "reason", "containerStatuses",
         "restartCount", "containerID", "state", "running", "waiting", "lastState", "terminated", "exitCode",
         "conditions", "type", "containers", "container", "pod", "verdict", "node", "old_version", "summary", "to",
         "nodeInfo", "kubeletVersion", "deletionTimestamp", "initContainerStatuses"]  # fmt: skip
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(doc=_JSON)
def test_pod_readers_never_raise(doc: Any) -> None:
    d = digest_pod(doc)
    assert isinstance(d.key, str) and isinstance(pod_status(doc), str)
    assert eviction_reason(doc) in (None, "Evicted", "EvictionByEvictionAPI", "TerminationByKubelet")
    t = tracker({}, [doc])
    for kind in ("MODIFIED", "DELETED"):
        for e in t.pod(kind, doc, 1.0) + t.node(kind, doc, 1.0):
            assert e.kind in ("restart", "pod-not-running", "pod-running", "evicted", "node-upgraded")


@settings(max_examples=300, deadline=None)
@given(doc=_JSON)
def test_prediction_document_is_read_or_refused_with_input_error(doc: Any) -> None:
    try:
        p = PredictedRestarts(doc, name="p.json")
    except InputError as e:
        assert str(e).startswith("p.json: ")
    else:
        for key, verdict in p.verdicts.items():
            assert p.verdict(*key) == verdict


def test_node_settles_when_its_last_predicted_restart_comes_or_its_pod_goes() -> None:
    verdicts = {(("default", p, "c")): ("n1", "restart") for p in ("a", "b", "c")}
    t = tracker(verdicts, [wpod("a"), wpod("b"), wpod("c")])
    assert [e.kind for e in t.pod("DELETED", wpod("c"), 0.5)] == []  # before the upgrade: nothing to settle yet
    t.node("MODIFIED", wnode("n1", "v1.30.14"), 1.0)
    assert [e.kind for e in t.pod("MODIFIED", wpod("a", restarts=1), 2.0)] == ["restart"]
    events = t.pod("DELETED", wpod("b"), 3.0)  # b's restart will never come
    assert [(e.kind, e.detail) for e in events] == [
        ("node-settled", "all 3 predicted restarts accounted for: 1 seen, 2 whose pod was deleted first")
    ]
    assert t.tally.nodes_settled == 1
    assert t.pod("DELETED", wpod("b"), 4.0) == []  # settled once


def test_node_with_nothing_left_settles_when_it_upgrades() -> None:
    t = tracker({("default", "a", "c"): ("n1", "restart")}, [wpod("a")])
    t.pod("DELETED", wpod("a"), 0.0)
    kinds = [e.kind for e in t.node("MODIFIED", wnode("n1", "v1.30.14"), 1.0)]
    assert kinds == ["node-upgraded", "node-settled"]
    assert [e.kind for e in t.node("MODIFIED", wnode("n2", "v1.29.3"), 1.0)] == []  # no change, nothing predicted
