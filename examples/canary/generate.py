"""Generate the canary example: the bundled cluster after two of its nodes were upgraded in place.

    python examples/canary/generate.py [--out examples/canary]

The before state is ``examples/cluster`` (``pods.json``, ``nodes.json``, ``runtime/``). The after state,
written as ``after-pods.json`` and ``after-nodes.json``, is what ``kubectl get pods -A -o json`` and ``kubectl
get nodes -o json`` would show once the kubelets of ``worker-1`` and ``worker-2`` run v1.12.10:

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

Key = tuple[str, str, str]  # namespace, pod, container


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


def canary_after(
    pods: dict[str, Any], nodes: dict[str, Any], runtime: Iterable[RuntimeRecord] = ()
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """``(after pods, after nodes, story)`` for the before state ``pods``/``nodes`` (kubectl List documents)."""
    prediction = predict(pods, Options(to=TARGET), nodes=nodes, runtime=runtime)
    on = {n: sorted((c.namespace, c.pod, c.container) for c in prediction if c.node == n) for n in UPGRADED}
    verdict = {(c.namespace, c.pod, c.container): c.verdict for c in prediction}
    restarts = [k for n in UPGRADED for k in on[n] if verdict[k] == "restart"]
    spared = next(k for k in on["worker-2"] if verdict[k] == "restart")
    by_key = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in pods["items"]}
    owner = {k: p["metadata"].get("ownerReferences", [{}])[0].get("kind") for k, p in by_key.items()}
    deleted = next(k[:2] for k in on["worker-1"] if verdict[k] == "restart" and owner[k[:2]] == "ReplicaSet")
    missed = next(k for k in on["worker-1"] if verdict[k] == "unchanged" and k[:2] != deleted)
    worker3 = sorted(
        (p["metadata"]["namespace"], p["metadata"]["name"], name)
        for p in pods["items"]
        if p["spec"].get("nodeName") == "worker-3"
        for name in _running(p)
    )
    crashed = worker3[0]
    after = copy.deepcopy(pods)
    items = {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in after["items"]}
    for k in restarts:
        if k != spared and k[:2] != deleted:
            _restart(items[k[:2]], k[2], "Completed", 0)
    _restart(items[missed[:2]], missed[2], "OOMKilled", 137)
    _restart(items[crashed[:2]], crashed[2], "Error", 1)
    gone = items.pop(deleted)
    after["items"] = [*items.values(), _replacement(gone)]
    after_nodes = copy.deepcopy(nodes)
    for n in after_nodes["items"]:
        if n["metadata"]["name"] in UPGRADED:
            n["status"]["nodeInfo"]["kubeletVersion"] = TARGET
    story = {
        "upgraded": list(UPGRADED),
        "target": TARGET,
        "restarted": [list(k) for k in restarts if k != spared and k[:2] != deleted],
        "spared": list(spared),
        "deleted": list(deleted),
        "replacement": [deleted[0], _replacement(gone)["metadata"]["name"]],
        "missed": list(missed),
        "crashed": list(crashed),
    }
    return after, after_nodes, story


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
    after, after_nodes, story = canary_after(*load_before())
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "after-pods.json").write_text(json.dumps(after, separators=(",", ":")) + "\n")
    (args.out / "after-nodes.json").write_text(json.dumps(after_nodes, indent=2) + "\n")
    (args.out / "story.json").write_text(json.dumps(story, indent=2) + "\n")
    print(f"wrote {args.out}: {len(after['items'])} pods, {len(story['restarted'])} restarted", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
