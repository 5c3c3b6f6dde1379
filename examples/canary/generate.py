"""Generate the canary example: the bundled cluster after two of its nodes were upgraded in place.

    python examples/canary/generate.py [--out examples/canary]

The before state is ``examples/cluster`` (``pods.json``, ``nodes.json``, ``runtime/``). The after state, in the
same layout in ``examples/canary/after``, is what ``kubectl get pods -A -o json`` (``pods.json``) and ``kubectl
get nodes -o json`` (``nodes.json``) would show once the kubelets of ``worker-1`` and ``worker-2`` run v1.12.10,
and ``runtime/<node>/docker-inspect.json`` what ``docker inspect`` shows on those two nodes then (a container
started again carries the hash the v1.12.10 kubelet records, which is kubehash's hash of its spec for v1.12.10):

* every container kubehash predicts to restart on those nodes restarted (new ``containerID``, ``restartCount``
  one higher, new ``startedAt``, ``lastState.terminated`` ``Completed``/0, as after the kubelet kills a
  container whose hash changed) -- except the **spared** one, the first on ``worker-2``, left running (as a
  patched kubelet with an ignore file would);
* one pod with predicted restarts on ``worker-1`` was **deleted** by its ReplicaSet before the new kubelet
  synced it, and a **replacement** (new name, new uid) runs on ``worker-3``;
* one container on ``worker-1`` that was not predicted to restart was **OOMKilled** (exit 137): the miss;
* one container on ``worker-3`` (not upgraded) **crashed** (``Error``, exit 1): unrelated to the upgrade.

Deterministic: the same before state always gives the same after state. :func:`canary_after` is what the tests
call; it returns the after documents and the story (which container plays which part).
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kubehash.model import RuntimeRecord
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import predict

HERE = Path(__file__).resolve().parent
CLUSTER = HERE.parent / "cluster"
UPGRADED = ("worker-1", "worker-2")
TARGET = "v1.12.10"
#: When the canary nodes were upgraded (the restarted containers start one second later).
UPGRADED_AT = "2019-03-01T10:00:00Z"
STARTED_AT = "2019-03-01T10:00:01Z"

Key = tuple[str | None, str | None, str]  # namespace, pod, container


def _status(pod: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in pod["status"]["containerStatuses"] if s["name"] == name)


def _restart(pod: dict[str, Any], name: str, reason: str, exit_code: int) -> None:
    """What the kubelet reports after it started container ``name`` again."""
    st = _status(pod, name)
    old_id = st.get("containerID", "")
    n = st.get("restartCount", 0) + 1
    seed = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}/{name}/{n}".encode()
    st["lastState"] = {
        "terminated": {
            "exitCode": exit_code,
            "reason": reason,
            "startedAt": st["state"]["running"]["startedAt"],
            "finishedAt": UPGRADED_AT,
            "containerID": old_id,
        }
    }
    st["state"] = {"running": {"startedAt": STARTED_AT}}
    st["restartCount"] = n
    st["containerID"] = "docker://" + hashlib.sha256(seed).hexdigest()


def _running(pod: dict[str, Any]) -> list[str]:
    return [s["name"] for s in pod.get("status", {}).get("containerStatuses", []) if "running" in s.get("state", {})]


def _replacement(pod: dict[str, Any]) -> dict[str, Any]:
    """The pod its ReplicaSet made after ``pod`` was deleted: a new name and uid, on worker-3."""
    new = copy.deepcopy(pod)
    meta = new["metadata"]
    meta["name"] = meta["name"].rsplit("-", 1)[0] + "-canry"
    meta["uid"] = "c0ffee00-0000-4000-8000-" + hashlib.sha256(meta["name"].encode()).hexdigest()[:12]
    meta["creationTimestamp"] = UPGRADED_AT
    new["spec"]["nodeName"] = "worker-3"
    new["status"]["startTime"] = UPGRADED_AT
    for st in new["status"]["containerStatuses"]:
        st.update(restartCount=0, lastState={}, state={"running": {"startedAt": STARTED_AT}})
        st["containerID"] = "docker://" + hashlib.sha256(f"{meta['name']}/{st['name']}".encode()).hexdigest()
    return new


def _first(keys: list[Key], verdict: dict[Key, str], want: str, *, not_in: tuple[Any, Any] | None = None) -> Key:
    return next(k for k in keys if verdict[k] == want and k[:2] != not_in)


def _cast(pods: dict[str, Any], nodes: dict[str, Any], runtime: Iterable[RuntimeRecord]) -> dict[str, Any]:
    """Which container plays which part, from kubehash's prediction for v1.12.10 (first in sorted order)."""
    on, verdict = _predicted(pods, nodes, runtime)
    replicated = {_pod_key(p) for p in pods["items"] if _owner_kind(p) == "ReplicaSet"}
    deleted = next(k[:2] for k in on["worker-1"] if verdict[k] == "restart" and k[:2] in replicated)
    return {
        "restarts": [k for n in UPGRADED for k in on[n] if verdict[k] == "restart"],
        "spared": _first(on["worker-2"], verdict, "restart"),
        "deleted": deleted,
        "missed": _first(on["worker-1"], verdict, "unchanged", not_in=deleted),
        "crashed": min((*_pod_key(p), n) for p in pods["items"] if _on(p, "worker-3") for n in _running(p)),
    }


def _predicted(
    pods: dict[str, Any], nodes: dict[str, Any], runtime: Iterable[RuntimeRecord]
) -> tuple[dict[str, list[Key]], dict[Key, str]]:
    """The containers of each upgraded node (sorted), and every container's verdict for v1.12.10."""
    prediction = predict(pods, Options(to=TARGET), nodes=nodes, runtime=runtime)
    on = {n: sorted((c.namespace, c.pod, c.container) for c in prediction if c.node == n) for n in UPGRADED}
    return on, {(c.namespace, c.pod, c.container): c.verdict for c in prediction}


def _owner_kind(p: dict[str, Any]) -> Any:
    return (p["metadata"].get("ownerReferences") or [{}])[0].get("kind")


def _on(p: dict[str, Any], node: str) -> bool:
    return bool(p["spec"].get("nodeName") == node)


def _pod_key(p: dict[str, Any]) -> tuple[str, str]:
    return p["metadata"]["namespace"], p["metadata"]["name"]


def canary_after(
    pods: dict[str, Any], nodes: dict[str, Any], runtime: Iterable[RuntimeRecord] = ()
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``(after pods, after nodes, story)`` for the before state ``pods``/``nodes`` (kubectl List documents)."""
    cast = _cast(pods, nodes, runtime)
    spared, deleted, missed, crashed = cast["spared"], cast["deleted"], cast["missed"], cast["crashed"]
    restarted = [k for k in cast["restarts"] if k != spared and k[:2] != deleted]
    after = copy.deepcopy(pods)
    items = {_pod_key(p): p for p in after["items"]}
    for k in restarted:
        _restart(items[k[:2]], k[2], "Completed", 0)
    _restart(items[missed[:2]], missed[2], "OOMKilled", 137)
    _restart(items[crashed[:2]], crashed[2], "Error", 1)
    replacement = _replacement(items.pop(deleted))
    after["items"] = [*items.values(), replacement]
    after_nodes = copy.deepcopy(nodes)
    for n in after_nodes["items"]:
        if n["metadata"]["name"] in UPGRADED:
            n["status"]["nodeInfo"]["kubeletVersion"] = TARGET
    story = {
        "upgraded": list(UPGRADED),
        "target": TARGET,
        "restarted": [list(k) for k in restarted],
        "spared": list(spared),
        "deleted": list(deleted),
        "replacement": list(_pod_key(replacement)),
        "missed": list(missed),
        "crashed": list(crashed),
    }
    return after, after_nodes, story


def _inspect_key(entry: dict[str, Any]) -> Key:
    labels = entry["Config"]["Labels"]
    return (
        labels["io.kubernetes.pod.namespace"],
        labels["io.kubernetes.pod.name"],
        labels["io.kubernetes.container.name"],
    )


def _statuses(pods: dict[str, Any]) -> dict[Key, dict[str, Any]]:
    return {
        (p["metadata"]["namespace"], p["metadata"]["name"], s["name"]): s
        for p in pods["items"]
        for s in p.get("status", {}).get("containerStatuses", [])
    }


def runtime_after(
    before: dict[str, list[dict[str, Any]]], pods: dict[str, Any], after: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """``{node: docker inspect entries}`` of the canary nodes after the upgrade: a container whose status has a
    new ``containerID`` is a new instance, with the hash the v1.12.10 kubelet records for its spec; the
    containers of deleted pods are gone."""
    prediction = predict(pods, Options(to=TARGET), nodes={n: TARGET for n in UPGRADED})
    new_hash = {(c.namespace, c.pod, c.container): c.new_hash for c in prediction}
    status, status_before = _statuses(after), _statuses(pods)
    out: dict[str, list[dict[str, Any]]] = {}
    for node, entries in before.items():
        kept = []
        for entry in entries:
            key = _inspect_key(entry)
            st = status.get(key)
            if st is None:
                continue  # its pod was deleted
            entry = copy.deepcopy(entry)
            if st.get("containerID") != status_before[key].get("containerID"):
                labels = entry["Config"]["Labels"]
                labels["annotation.io.kubernetes.container.hash"] = format(new_hash[key], "x")
                labels["annotation.io.kubernetes.container.restartCount"] = str(st["restartCount"])
                entry["Id"] = st["containerID"].split("://", 1)[-1]
                entry["Created"] = entry["State"]["StartedAt"] = STARTED_AT
            kept.append(entry)
        out[node] = kept
    return out


def load_before() -> tuple[dict[str, Any], dict[str, Any], list[RuntimeRecord]]:
    """The bundled cluster: pods, nodes and its runtime records."""
    from kubehash.sources.runtime import load_runtime

    records, _errors = load_runtime([str(CLUSTER / "runtime")])
    pods = json.loads((CLUSTER / "pods.json").read_text())
    nodes = json.loads((CLUSTER / "nodes.json").read_text())
    return pods, nodes, records


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    pods, nodes, records = load_before()
    after, after_nodes, story = canary_after(pods, nodes, records)
    inspect = {n: json.loads((CLUSTER / "runtime" / n / "docker-inspect.json").read_text()) for n in UPGRADED}
    state = args.out / "after"
    for node, entries in runtime_after(inspect, pods, after).items():
        (state / "runtime" / node).mkdir(parents=True, exist_ok=True)
        (state / "runtime" / node / "docker-inspect.json").write_text(json.dumps(entries, indent=1) + "\n")
    (state / "pods.json").write_text(json.dumps(after, separators=(",", ":")) + "\n")
    (state / "nodes.json").write_text(json.dumps(after_nodes, indent=2) + "\n")
    (args.out / "story.json").write_text(json.dumps(story, indent=2) + "\n")
    print(f"wrote {args.out}: {len(after['items'])} pods, {len(story['restarted'])} restarted", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
