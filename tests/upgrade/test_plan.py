"""Upgrade plans: hops the skew policy allows, restarts per hop with hashes carried from hop to hop."""

from __future__ import annotations

import copy
import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash import hash_container
from kubehash.errors import KubehashError
from kubehash.kubelet.releases import release
from kubehash.model import RuntimeRecord
from kubehash.report import to_document
from kubehash.upgrade.options import Options
from kubehash.upgrade.plan.planner import Hop, _cheapest, _fewest_hops, plan
from kubehash.upgrade.plan.skew import hop_allowed
from kubehash.upgrade.predict import ContainerPrediction, Prediction, predict

CLUSTER = Path(__file__).parents[2] / "examples" / "cluster"


def _m(version: str) -> str:
    """The minor of a plan's version label (``v1.10.13`` -> ``1.10``)."""
    return release(version).minor


def _ms(versions: list[str]) -> list[str]:
    return [_m(v) for v in versions]


def _edge(h: Hop) -> tuple[str, str]:
    return _m(h.from_version), _m(h.to)


@pytest.fixture(scope="module")
def plan_117(pods, nodes):
    return plan(pods, Options(to="1.17", from_version="1.10"), nodes=nodes)


def test_hops_are_what_the_skew_policy_allows(plan_117):
    edges = {_edge(h) for h in plan_117.hops}
    expected = {(f"1.{a}", f"1.{b}") for a in range(10, 17) for b in range(a + 1, 18) if b - a <= 2}
    assert len(plan_117.hops) == len(expected)  # the start is the newest 1.10 patch: no patch hop
    assert edges == expected
    assert all(h.allowed for h in plan_117.hops)
    assert not plan_117.direct.allowed
    assert "skew of 7 minors" in plan_117.direct.hops[0].policy_note


def test_direct_jump_restarts_every_running_container(plan_117, pods, nodes):
    running = [c for c in predict(pods, Options(to="1.10"), nodes=nodes) if c.verdict != "not-running"]
    direct = plan_117.direct
    assert direct.versions == ["v1.10.13", "v1.17.17"]
    assert direct.restarts == len(running) == 281
    assert {(c.namespace, c.pod, c.container) for c in direct.hops[0].prediction.restarts} == {
        (c.namespace, c.pod, c.container) for c in running
    }


def test_110_to_111_is_restart_free_and_leaves_the_111_node_alone(plan_117):
    hop = plan_117.hop("1.10", "1.11")
    assert hop.restart_free and hop.restarts == 0
    assert hop.nodes == ("cp-1", "worker-1", "worker-2", "worker-3")  # worker-4 already runs 1.11
    assert all(c.node != "worker-4" for c in hop.prediction)
    assert [_edge(h) for h in plan_117.restart_free_hops] == [
        ("1.10", "1.11"),
        ("1.12", "1.13"),
        ("1.16", "1.17"),
    ]


def test_hop_reasons_name_the_new_fields(plan_117):
    assert plan_117.hop("1.11", "1.12").reasons == {"field-added spec.containers[*].securityContext.procMount": 39}
    assert plan_117.hop("1.13", "1.14").reasons == {
        "field-added spec.containers[*].volumeMounts[*].subPathExpr": 281
    }
    assert plan_117.hop("1.15", "1.16").reasons == {"algorithm struct -> json": 281}


def test_cheapest_is_the_minimum_over_every_allowed_path(plan_117):
    by_edge = {_edge(h): h for h in plan_117.hops}
    versions = [f"1.{n}" for n in range(10, 18)]
    best = None
    for k in range(len(versions) - 1):
        for middle in itertools.combinations(versions[1:-1], k):
            route = ["1.10", *middle, "1.17"]
            if not all(hop_allowed(a, b)[0] for a, b in itertools.pairwise(route)):
                continue
            cost = (sum(by_edge[e].restarts for e in itertools.pairwise(route)), len(route) - 1)
            best = cost if best is None else min(best, cost)
    cheapest = plan_117.cheapest
    assert (cheapest.restarts, len(cheapest.hops)) == best == (601, 4)
    assert cheapest.allowed and cheapest.versions[0] == "v1.10.13" and cheapest.versions[-1] == "v1.17.17"
    assert plan_117.path("minor-by-minor").restarts == 640
    assert _ms(plan_117.path("fewest-hops").versions) == ["1.10", "1.12", "1.14", "1.16", "1.17"]
    # every running container restarts at least once on any path: the 1.16 algorithm change
    assert all(p.containers_restarted == 281 for p in plan_117.paths)


def test_plan_document(plan_117):
    doc = to_document(plan_117)
    assert doc["from"] == "v1.10.13" and doc["to"] == "v1.17.17" and doc["containers"] == 304
    assert doc["nodes"]["worker-4"] == "v1.11.10"
    assert doc["sides"]["to"]["assumptions"] == ["1.17 taken as v1.17.17, the newest 1.17 patch known on 2026-07-22"]
    assert doc["cheapest"] == plan_117.cheapest.versions
    assert [p["names"] for p in doc["paths"]] == [["cheapest"], ["fewest-hops"], ["minor-by-minor"], ["direct"]]
    first = doc["hops"][0]
    removed = first.pop("flags_removed")  # the kubelet flags 1.11 no longer accepts (docs/kubelet-flags.md)
    assert removed and all(f.startswith("--") for f in removed)
    assert first == {
        "from": "v1.10.13",
        "from_go": first["from_go"],
        "to": "v1.11.10",
        "to_go": first["to_go"],
        "kind": "minor",
        "allowed": True,
        "policy_note": "",
        "nodes": ["cp-1", "worker-1", "worker-2", "worker-3"],
        "restarts": 0,
        "pods_restarted": 0,
        "restart_free": True,
        "errors": 0,
        "reasons": {},
    }


def _pod(name: str, container: dict, node: str = "n1") -> dict:
    return {
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {"nodeName": node, "containers": [container]},
        "status": {"phase": "Running", "containerStatuses": [{"name": container["name"], "state": {"running": {}}}]},
    }


# as a 1.10 API server serves it (a kubectl dump): defaults filled in
PLAIN = {
    "name": "c",
    "image": "app:2",
    "resources": {},
    "terminationMessagePath": "/dev/termination-log",
    "terminationMessagePolicy": "File",
    "imagePullPolicy": "IfNotPresent",
}
SECURED = {**PLAIN, "securityContext": {"runAsUser": 1000}}


def test_later_hops_compare_against_the_hash_recorded_by_the_previous_kubelet():
    pods = [_pod("edited", PLAIN), _pod("secured", SECURED)]
    before_edit = {**PLAIN, "image": "app:1"}
    runtime = [
        RuntimeRecord("default", "edited", "c", hash_container(before_edit, "1.10"), state="running"),
        RuntimeRecord("default", "secured", "c", hash_container(SECURED, "1.10"), state="running"),
    ]
    result = plan(pods, Options(to="1.12"), nodes={"n1": "v1.10.13"}, runtime=runtime)
    first, second = result.hop("1.10", "1.11"), result.hop("1.11", "1.12")
    # 1.10 -> 1.11: the edited spec restarts (recorded hash is of the old image); nothing else changes
    assert [(c.pod, [r.kind for r in c.reasons]) for c in first.prediction.restarts] == [("edited", ["spec-changed"])]
    # 1.11 -> 1.12: "edited" now runs with the hash kubelet 1.11 recorded; only ProcMount restarts "secured"
    by_pod = {c.pod: c for c in second.prediction}
    assert by_pod["edited"].recorded_hash == hash_container(PLAIN, "1.11")
    assert by_pod["edited"].verdict == "unchanged" and by_pod["edited"].model_check == "match"
    assert by_pod["secured"].verdict == "restart"
    # the 2-minor hop sees both at once; all paths cost 2, so the fewest hops win
    assert result.hop("1.10", "1.12").restarts == 2
    assert _ms(result.cheapest.versions) == ["1.10", "1.12"]
    assert result.path("direct") is result.cheapest and result.cheapest.names == ["cheapest", "fewest-hops", "direct"]
    assert result.path("minor-by-minor").restarts == 2


def test_three_minor_hops_from_125():
    pods = [_pod("p", PLAIN)]
    seen: list[tuple[str, str]] = []
    result = plan(
        pods, Options(to="1.36"), nodes={"n1": "1.22"}, progress=lambda h: seen.append((h.from_version, h.to))
    )
    assert seen == [(h.from_version, h.to) for h in result.hops]  # once per allowed hop, in order
    edges = {_edge(h) for h in result.hops}
    assert ("1.25", "1.28") in edges and ("1.33", "1.36") in edges
    assert ("1.24", "1.27") not in edges and ("1.22", "1.25") not in edges
    assert _ms(result.path("fewest-hops").versions) == ["1.22", "1.24", "1.26", "1.29", "1.32", "1.35", "1.36"]
    # JSON era to name-image era: one algorithm change at 1.31, whatever the path
    assert result.cheapest.restarts == 1
    assert [h.to for h in result.cheapest.hops if h.restarts] and all(
        int(_m(h.from_version)[2:]) <= 30 < int(_m(h.to)[2:]) for h in result.cheapest.hops if h.restarts
    )


def test_pods_without_a_node_and_nodes_older_than_the_start():
    pending = copy.deepcopy(_pod("pending", PLAIN))
    del pending["spec"]["nodeName"]
    pending["status"] = {"phase": "Pending"}
    result = plan([pending, _pod("p", PLAIN, node="unlisted")], Options(to="1.11", from_version="1.10"))
    assert result.hop("1.10", "1.11").nodes == ("unlisted",)
    assert [c.pod for c in result.direct.hops[0].prediction] == ["p"]
    msg = "node n1 runs kubelet 1.9, older than the plan's start v1.10.13"
    with pytest.raises(KubehashError, match=re.escape(msg)):
        plan([_pod("p", PLAIN)], Options(to="1.12", from_version="1.10"), nodes={"n1": "1.9"})
    with pytest.raises(KubehashError, match=r"nothing to plan: v1\.10\.13 \(--to 1\.10\) is not newer than v1\.10\.13"):
        plan([_pod("p", PLAIN)], Options(to="1.10"), nodes={"n1": "1.10"})
    with pytest.raises(KubehashError, match="pass nodes or a from-version"):
        plan([_pod("p", PLAIN)], Options(to="1.12"))
    msg = "no node kubelet versions (node n1: unsupported kubelet version 'v0.1'"
    with pytest.raises(KubehashError, match=re.escape(msg)):
        plan([_pod("p", PLAIN)], Options(to="1.12"), nodes={"n1": "v0.1"})


def test_real_api_server_defaults_fill_a_bare_dump_once():
    bare = {"name": "c", "image": "app:2", "resources": {}}  # not as an API server serves it
    result = plan([_pod("p", bare)], Options(to="1.19"), nodes={"n1": "1.17"})
    first = result.hop("1.17", "1.18")
    # the defaults every API server writes: the dump's doing, not the upgrade's
    assert first.restarts == 1 and {r.kind for r in first.prediction.restarts[0].reasons} == {"input-not-defaulted"}
    assert first.prediction.warnings and "un-defaulted" in first.prediction.warnings[0]
    # before 1.18 -> 1.19 the kubelets saw the dump as the 1.18 API server serves it, and recorded its hash
    second = result.hop("1.18", "1.19").prediction.containers[0]
    assert second.verdict == "unchanged" and second.model_check == "match"
    assert second.recorded_hash == first.prediction.restarts[0].new_hash
    undefaulted = plan([_pod("p", bare)], Options(to="1.19", defaults=False), nodes={"n1": "1.17"})
    assert undefaulted.cheapest.restarts == 0


def _fake_hop(a: str, b: str, restarts: int) -> Hop:
    containers = [
        ContainerPrediction("ns", f"p{i}", "c", "container", "n1", "apiserver", a, b, verdict="restart")
        for i in range(restarts)
    ]
    return Hop(a, b, ("n1",), Prediction(b, None, containers))


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=20, max_value=29), st.integers(min_value=1, max_value=7), st.data())
def test_cheapest_and_fewest_hops_are_optimal(start: int, span: int, data: st.DataObject):
    versions = [f"1.{n}" for n in range(start, start + span + 1)]
    by_edge = {
        (a, b): _fake_hop(a, b, data.draw(st.integers(min_value=0, max_value=5)))
        for i, a in enumerate(versions)
        for b in versions[i + 1 :]
        if hop_allowed(a, b)[0]
    }
    routes = [
        [versions[0], *mid, versions[-1]]
        for k in range(len(versions) - 1)
        for mid in itertools.combinations(versions[1:-1], k)
    ]
    allowed = [r for r in routes if all(e in by_edge for e in itertools.pairwise(r))]
    costs = [(sum(by_edge[e].restarts for e in itertools.pairwise(r)), len(r) - 1) for r in allowed]
    cheapest = _cheapest(versions, by_edge)
    assert (sum(h.restarts for h in cheapest), len(cheapest)) == min(costs)
    assert [cheapest[0].from_version, *(h.to for h in cheapest)][-1] == versions[-1]
    assert len(_fewest_hops(versions, by_edge)) == min(n for _, n in costs)
