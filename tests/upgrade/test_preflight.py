"""``kubehash.upgrade.preflight.checks``: both checks, version gates, malformed input."""

from __future__ import annotations

import dataclasses
import shlex
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.errors import UnsupportedVersionError
from kubehash.report import to_document
from kubehash.upgrade.options import Options
from kubehash.upgrade.preflight import Behaviour, behaviour_for, preflight
from kubehash.upgrade.preflight.tolerations import NOT_READY, UNREACHABLE

DEFAULTS = [
    {"key": NOT_READY, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": UNREACHABLE, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]


def node(name: str = "n1", labels: dict[str, str] | None = None, version: str = "v1.12.3", **spec: Any) -> dict:
    return {
        "kind": "Node",
        "metadata": {"name": name, "labels": labels or {}},
        "spec": spec,
        "status": {"nodeInfo": {"kubeletVersion": version}},
    }


def pod(name: str = "p", *, node_name: str | None = "n1", tolerations: Any = None, **extra: Any) -> dict:
    meta = {"name": name, "namespace": "ns", **extra.pop("meta", {})}
    spec: dict[str, Any] = {"containers": [{"name": "c", "image": "i"}], **extra.pop("spec", {})}
    if node_name:
        spec["nodeName"] = node_name
    if tolerations is not None:
        spec["tolerations"] = tolerations
    status = extra.pop("status", {"phase": "Running", "startTime": "2020-01-01T00:00:00Z"})
    return {"kind": "Pod", "metadata": meta, "spec": spec, "status": status}


def only(report: Any, check: str) -> list:
    return [f for f in report if f.check == check]


# --- taint-based evictions --------------------------------------------------------------------------------


def test_pod_without_defaults_is_evicted_at_once() -> None:
    r = preflight([pod()], [node()], Options(to="1.13"))
    (f,) = only(r, "taint-eviction")
    assert f.severity == "risk" and f.node == "n1" and f.namespace == "ns" and f.pod == "p"
    assert NOT_READY in f.detail and UNREACHABLE in f.detail and "off in 1.12" in f.detail
    assert f.fix.startswith("kubectl label pod -n ns p kubehash.io/touch=1 --overwrite")
    assert r.summary["risk"] == 1 and r.summary["pods_at_risk"] == 1


def test_pod_with_defaults_is_safe() -> None:
    assert not only(preflight([pod(tolerations=DEFAULTS)], [node()], Options(to="1.13")), "taint-eviction")


def test_gate_off_before_1_13() -> None:
    r = preflight([pod()], [node(version="v1.11.0")], Options(to="1.12"))
    assert not r.gates.taint_based_evictions and not only(r, "taint-eviction")
    assert behaviour_for("1.13").taint_based_evictions and behaviour_for("v1.18.2").taint_based_evictions
    forced = preflight(
        [pod()],
        [node(version="v1.11.0")],
        Options(to="1.12"),
        behaviour=replace(behaviour_for("1.12"), taint_based_evictions=True),
    )
    assert only(forced, "taint-eviction")


def test_already_on_is_worded_as_such() -> None:
    (f,) = only(preflight([pod()], [node(version="v1.20.1")], Options(to="1.21")), "taint-eviction")
    assert "on by default since 1.13" in f.detail


def test_daemonset_pods_get_controller_tolerations() -> None:
    ds = pod(meta={"ownerReferences": [{"kind": "DaemonSet", "name": "fluentd", "controller": True}]})
    assert not only(preflight([ds], [node()], Options(to="1.13")), "taint-eviction")
    # the controller replaces a same key/operator/effect toleration, dropping its tolerationSeconds
    short = {"key": NOT_READY, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}
    ds_short = pod(
        tolerations=[short], meta={"ownerReferences": [{"kind": "DaemonSet", "name": "x", "controller": True}]}
    )
    assert not only(preflight([ds_short], [node()], Options(to="1.13")), "taint-eviction")


def test_mirror_pods_are_info_not_risk() -> None:
    mirror = pod(meta={"annotations": {"kubernetes.io/config.mirror": "abc"}})
    (f,) = only(preflight([mirror], [node()], Options(to="1.13")), "taint-eviction")
    assert f.severity == "info" and f.fix is None and "static pod running" in f.detail


def test_short_toleration_is_a_warning() -> None:
    short = [dict(t, tolerationSeconds=30) for t in DEFAULTS]
    (f,) = only(preflight([pod(tolerations=short)], [node()], Options(to="1.13")), "taint-eviction")
    assert f.severity == "warning" and "30s" in f.detail and "tolerationSeconds" in f.fix
    assert not only(
        preflight([pod(tolerations=short)], [node()], Options(to="1.13"), warn_below_seconds=30), "taint-eviction"
    )


def test_wrong_value_toleration_blocks_the_default_and_owner_is_rolled() -> None:
    bad = [{"key": NOT_READY, "operator": "Equal", "value": "true", "effect": "NoExecute"}]
    p = pod(
        tolerations=bad,
        meta={
            "labels": {"pod-template-hash": "5d9f"},
            "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5d9f", "controller": True}],
        },
    )
    (f,) = only(preflight([p], [node()], Options(to="1.13")), "taint-eviction")
    assert f.severity == "risk"
    assert (
        "stop DefaultTolerationSeconds" in f.fix
        and "to the pod template" in f.fix
        and "kubectl rollout restart deployment/web -n ns" in f.fix
    )


def test_touch_fix_mentions_rolling_alternative_for_owned_pods() -> None:
    p = pod(meta={"ownerReferences": [{"kind": "StatefulSet", "name": "db", "controller": True}]})
    (f,) = only(preflight([p], [node()], Options(to="1.13")), "taint-eviction")
    assert f.fix.startswith("kubectl label pod") and "kubectl rollout restart statefulset/db -n ns" in f.fix


def test_node_noexecute_taints_must_be_tolerated_too() -> None:
    tainted = node(taints=[{"key": "dedicated", "value": "infra", "effect": "NoExecute"}])
    (f,) = only(preflight([pod(tolerations=DEFAULTS)], [tainted], Options(to="1.13")), "taint-eviction")
    assert "dedicated=infra:NoExecute" in f.detail and "dedicated=infra:NoExecute are not tolerated" in f.fix
    ok = [*DEFAULTS, {"key": "dedicated", "operator": "Equal", "value": "infra", "effect": "NoExecute"}]
    assert not only(preflight([pod(tolerations=ok)], [tainted], Options(to="1.13")), "taint-eviction")


# --- node selector / affinity -----------------------------------------------------------------------------


def test_node_selector_mismatch_with_label_fix() -> None:
    p = pod(tolerations=DEFAULTS, spec={"nodeSelector": {"disk": "ssd"}})
    (f,) = only(preflight([p], [node(labels={"disk": "hdd"})], Options(to="1.13")), "node-selector")
    assert f.severity == "risk" and "MatchNodeSelector" in f.detail and "disk=ssd (node: disk=hdd)" in f.detail
    assert f.fix == "kubectl label node n1 disk=ssd --overwrite"


def test_reason_is_node_affinity_from_1_18() -> None:
    p = pod(tolerations=DEFAULTS, spec={"nodeSelector": {"disk": "ssd"}})
    (f,) = only(preflight([p], [node(version="v1.17.0")], Options(to="1.18")), "node-selector")
    assert "reason NodeAffinity" in f.detail


def test_required_affinity_notin_suggests_removal() -> None:
    aff = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "spot", "operator": "DoesNotExist"}]}]}}}  # fmt: skip
    p = pod(tolerations=DEFAULTS, spec={"affinity": aff})
    (f,) = only(preflight([p], [node(labels={"spot": "true"})], Options(to="1.13")), "node-selector")
    assert f.fix == "kubectl label node n1 spot-"


def test_matching_pod_has_no_finding() -> None:
    p = pod(tolerations=DEFAULTS, spec={"nodeSelector": {"disk": "ssd"}})
    assert not len(preflight([p], [node(labels={"disk": "ssd"})], Options(to="1.13")))


def test_kubelet_1_35_spares_started_pods() -> None:
    p = pod(tolerations=DEFAULTS, spec={"nodeSelector": {"disk": "ssd"}})
    r = preflight([p], [node(version="v1.34.1")], Options(to="1.35"))
    assert not only(r, "node-selector") and r.skipped == {"started, kubelet skips affinity on restart": 1}
    not_started = pod(tolerations=DEFAULTS, spec={"nodeSelector": {"disk": "ssd"}}, status={"phase": "Pending"})
    assert only(preflight([not_started], [node(version="v1.34.1")], Options(to="1.35")), "node-selector")


def test_match_fields_dropped_by_old_kubelets() -> None:
    aff = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["n1"]}]}]}}}  # fmt: skip
    p = pod(tolerations=DEFAULTS, spec={"affinity": aff})
    assert not only(preflight([p], [node(version="v1.11.0")], Options(to="1.12")), "node-selector")
    (f,) = only(preflight([p], [node(version="v1.9.0")], Options(to="1.10")), "node-selector")  # term becomes empty
    assert "empty" in f.detail and f.fix.startswith("no label change")


def test_label_fixes_that_break_other_pods_are_flagged() -> None:
    wants_ssd = pod("a", tolerations=DEFAULTS, spec={"nodeSelector": {"disk": "ssd"}})
    aff = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "disk", "operator": "NotIn", "values": ["ssd"]}]}]}}}  # fmt: skip
    avoids_ssd = pod("b", tolerations=DEFAULTS, spec={"affinity": aff})
    r = preflight([wants_ssd, avoids_ssd], [node(labels={"disk": "hdd"})], Options(to="1.13"))
    (f,) = only(r, "node-selector")
    assert f.pod == "a" and f.fix.startswith("kubectl label node n1 disk=ssd --overwrite")
    assert "ns/b still would not match" in f.fix
    # no note when the fixes are compatible
    other = pod("c", tolerations=DEFAULTS, spec={"nodeSelector": {"zone": "z"}})
    r = preflight([wants_ssd, other], [node(labels={"disk": "hdd"})], Options(to="1.13"))
    assert all("note" not in f.fix for f in only(r, "node-selector"))


# --- batch behaviour --------------------------------------------------------------------------------------


def test_skips_terminal_unscheduled_and_upgraded_nodes() -> None:
    pods = [
        pod("done", status={"phase": "Succeeded"}),
        pod("pending", node_name=None, status={"phase": "Pending"}),
        pod("new", node_name="n2"),
    ]
    r = preflight({"kind": "List", "items": pods}, [node(), node("n2", version="v1.13.1")], Options(to="1.13"))
    assert not len(r) and r.pods == 3
    assert r.skipped == {"terminal": 1, "unscheduled": 1, "node already at target": 1}


def test_malformed_pods_are_errors_and_the_rest_go_on() -> None:
    pods = [
        "nope",
        {"kind": "Node", "metadata": {"name": "x"}},
        {"kind": "Pod", "metadata": {"namespace": "ns"}, "spec": {}},
        pod("bad-tol", tolerations=[{"tolerationSeconds": "300"}]),
        pod("bad-sel", spec={"nodeSelector": {"a": 1}}),
        pod("ok"),
    ]
    r = preflight(pods, [node()], Options(to="1.13"))
    errors = r.errors
    assert len(errors) == 5 and r.summary["error"] == 5
    assert "not an object" in errors[0].detail and "kind 'Node'" in errors[1].detail
    assert "metadata.name: missing" in errors[2].detail
    assert errors[3].pod == "bad-tol" and "tolerations[0].tolerationSeconds" in errors[3].detail
    assert errors[4].pod == "bad-sel" and "nodeSelector" in errors[4].detail
    assert [f.pod for f in r.risks] == ["ok"]


def test_pod_on_unknown_node_is_an_error_but_taints_still_checked() -> None:
    r = preflight([pod(node_name="ghost")], [node()], Options(to="1.13"))
    assert [(f.check, f.severity) for f in r] == [("taint-eviction", "risk"), ("error", "error")]
    assert "ghost is not in the nodes input" in r.errors[0].detail


def test_malformed_nodes_are_reported() -> None:
    r = preflight(
        [], [node(), {"metadata": {}}, node("n3", labels={"a": 1}), node("n4", version="banana")], Options(to="1.13")
    )
    assert len(r.errors) == 3 and all(f.check == "error" for f in r.errors)


def test_report_dict_and_iteration() -> None:
    r = preflight([pod()], [node()], Options(to="v1.13.2", from_version="1.12"))
    d = to_document(r)
    assert d["to"] == "1.13" and d["from"] == "1.12" and d["gates"]["taint_based_evictions"] is True
    assert d["findings"] == [dataclasses.asdict(f) for f in r] and d["summary"]["by_check"]["taint-eviction"] == 1
    assert isinstance(r.gates, Behaviour)


def test_unsupported_target_version() -> None:
    with pytest.raises(UnsupportedVersionError):
        preflight([], [], Options(to="1.99"))


# --- property: the printed fix works ----------------------------------------------------------------------

_keys = st.sampled_from(["a", "b", "example.com/c"])
_vals = st.sampled_from(["", "x", "y", "1", "5"])
_exprs = st.fixed_dictionaries(
    {"key": _keys, "operator": st.sampled_from(["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"])}
).flatmap(
    lambda e: (
        st.just(e)
        if e["operator"] in ("Exists", "DoesNotExist")
        else st.lists(st.sampled_from(["1", "5", "-2"]), min_size=1, max_size=1).map(lambda v: {**e, "values": v})
        if e["operator"] in ("Gt", "Lt")
        else st.lists(_vals, min_size=1, max_size=2).map(lambda v: {**e, "values": v})
    )
)


def _apply_kubectl(fix: str, labels: dict[str, str]) -> dict[str, str]:
    args = shlex.split(fix)
    assert args[:4] == ["kubectl", "label", "node", "n1"]
    out = dict(labels)
    for a in args[4:]:
        if a == "--overwrite":
            continue
        if a.endswith("-") and "=" not in a:
            out.pop(a[:-1], None)
        else:
            k, _, v = a.partition("=")
            out[k] = v
    return out


@settings(max_examples=80, deadline=None)
@given(
    st.dictionaries(_keys, _vals, max_size=2),
    st.lists(st.lists(_exprs, min_size=1, max_size=3), max_size=2),
    st.dictionaries(_keys, _vals, max_size=3),
)
def test_running_the_suggested_kubectl_clears_the_finding(
    selector: dict[str, str], terms: list[list[dict[str, Any]]], labels: dict[str, str]
) -> None:
    spec: dict[str, Any] = {"nodeSelector": selector}
    if terms:
        spec["affinity"] = {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {
                    "nodeSelectorTerms": [{"matchExpressions": t} for t in terms]
                }
            }
        }
    p = pod(tolerations=DEFAULTS, spec=spec)
    found = only(preflight([p], [node(labels=labels)], Options(to="1.13")), "node-selector")
    if not found or found[0].fix.startswith("no label change"):
        return
    fixed = _apply_kubectl(found[0].fix, labels)
    assert not only(preflight([p], [node(labels=fixed)], Options(to="1.13")), "node-selector")


def test_invalid_term_stops_old_kubelets() -> None:
    aff = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In"}]},  # In without values: invalid
        {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]}]}}}  # fmt: skip
    p = pod(tolerations=DEFAULTS, spec={"affinity": aff})
    labels = {"zone": "z1"}
    assert not only(preflight([p], [node(labels=labels, version="v1.11.0")], Options(to="1.12")), "node-selector")
    (f,) = only(preflight([p], [node(labels=labels, version="v1.9.0")], Options(to="1.10")), "node-selector")
    assert "term 0: invalid" in f.detail and f.fix.startswith("no label change")


def test_kubelet_flags_the_target_removed_are_risks_naming_the_file_and_line() -> None:
    """A node's kubelet command line is judged with the pods (issue 18): --allow-privileged was removed in
    1.15, so a 1.10 node upgraded in place to 1.17 would not start its kubelet."""
    from kubehash.kubelet.flags import is_bool_flag
    from kubehash.sources.kubelet_args import parse_command_line

    line = "/usr/bin/kubelet --allow-privileged=true --pod-manifest-path=/etc/kubernetes/manifests"
    args = replace(parse_command_line(line, origin="n1/cmdline", is_bool=is_bool_flag), node="n1")
    report = preflight([], [node(version="v1.10.13")], Options(to="1.17"), kubelet_args=[args])
    (f,) = [f for f in report if f.check == "kubelet-flags" and f.severity == "risk"]
    assert f.node == "n1" and "--allow-privileged" in f.detail and "1.15" in f.detail
    assert f.fix is not None and "n1/cmdline" in f.fix
    # the same line, judged for a 1.14 target, still starts (deprecated, not removed)
    report14 = preflight([], [node(version="v1.10.13")], Options(to="1.14"), kubelet_args=[args])
    assert not [f for f in report14 if f.check == "kubelet-flags" and f.severity == "risk"]
    # without the node's version the line cannot be judged: an error naming the node
    unknown = preflight([], [], Options(to="1.17"), kubelet_args=[args])
    assert [f.severity for f in unknown if f.check == "error"] == ["error"]
