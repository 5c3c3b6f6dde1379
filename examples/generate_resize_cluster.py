"""Generate the bundled in-place-resize example: a small Kubernetes 1.29 cluster with InPlacePodVerticalScaling.

    python examples/generate_resize_cluster.py [--out examples/resize-cluster]

Writes, deterministically, what an operator collects before upgrading its kubelets to 1.30:

* ``pods.json`` -- ``kubectl get pods -A -o json``; the 1.29 API server runs with ``InPlacePodVerticalScaling``
  on, so containers with requests carry the defaulted ``resizePolicy``;
* ``nodes.json`` -- three nodes, kubelets at 1.29: ``node-a`` and ``node-b`` with the gate on, ``node-c`` off;
* ``runtime/<node>/crictl-inspect.json`` -- ``crictl inspect`` of every running container, with the
  ``io.kubernetes.container.hash`` and, where the kubelet had the gate on,
  ``io.kubernetes.container.hashWithoutResources`` it recorded when it started the container.

The story (tests and docs/commands/predict.md rely on it):

* ``shop/web-0`` was resized in place (cpu 500m -> 1) after it started: its recorded hash is that of the old
  resources, its hashWithoutResources still matches;
* ``shop/cart`` had its image edited after it started: both recorded hashes are the old spec's;
* ``shop/web-1``, ``ops/report`` (on ``node-c``, no hashWithoutResources annotation) and the static pod
  ``kube-system/kube-scheduler-node-a`` are unchanged since they started.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kubehash import hash_container
from kubehash.kubelet.without_resources import hash_without_resources
from kubehash.model import RuntimeRecord
from kubehash.sources.runtime import render_crictl_inspect

KUBELETS = {"node-a": ("v1.29.4", True), "node-b": ("v1.29.4", True), "node-c": ("v1.29.4", False)}
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=timezone.utc)


def _uid(*parts: str) -> str:
    h = hashlib.sha256("/".join(parts).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def container(name: str, image: str, cpu: str | None, *, port: int | None = None) -> dict[str, Any]:
    """A container as the 1.29 API server with InPlacePodVerticalScaling stores it (defaults filled in)."""
    c: dict[str, Any] = {"name": name, "image": image}
    if port is not None:
        c["ports"] = [{"containerPort": port, "protocol": "TCP"}]
    if cpu is not None:
        c["resources"] = {"limits": {"memory": "256Mi"}, "requests": {"cpu": cpu, "memory": "256Mi"}}
        c["resizePolicy"] = [
            {"resourceName": "cpu", "restartPolicy": "NotRequired"},
            {"resourceName": "memory", "restartPolicy": "NotRequired"},
        ]
    else:
        c["resources"] = {}
    c.update(
        terminationMessagePath="/dev/termination-log",
        terminationMessagePolicy="File",
        imagePullPolicy="IfNotPresent",
    )
    return c


class Cluster:
    def __init__(self) -> None:
        self.pods: list[dict[str, Any]] = []
        self.runtime: dict[str, list[dict[str, Any]]] = {node: [] for node in KUBELETS}

    def pod(
        self,
        ns: str,
        name: str,
        node: str,
        now: dict[str, Any],
        started: dict[str, Any] | None = None,
        *,
        static: bool = False,
        minutes: int = 0,
    ) -> None:
        """A running pod whose one container is ``now``; ``started``: its spec when the kubelet started it."""
        started = started or now
        uid = _uid(ns, name)
        at = T0 + timedelta(minutes=minutes)
        meta: dict[str, Any] = {"name": name, "namespace": ns, "uid": uid, "creationTimestamp": _ts(at)}
        source = "apiserver"
        if static:
            meta["annotations"] = {"kubernetes.io/config.mirror": uid, "kubernetes.io/config.source": "file"}
            source = "file"
        cid = hashlib.sha256(f"{ns}/{name}/{now['name']}".encode()).hexdigest()
        self.pods.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": meta,
                "spec": {"nodeName": node, "restartPolicy": "Always", "containers": [copy.deepcopy(now)]},
                "status": {
                    "phase": "Running",
                    "containerStatuses": [
                        {
                            "name": now["name"],
                            "image": now["image"],
                            "ready": True,
                            "restartCount": 0,
                            "containerID": f"containerd://{cid}",
                            "state": {"running": {"startedAt": _ts(at + timedelta(seconds=5))}},
                        }
                    ],
                },
            }
        )
        version, gate = KUBELETS[node]
        record = RuntimeRecord(
            ns,
            name,
            now["name"],
            hash_container(started, version, source=source),
            started_at=at + timedelta(seconds=5),
            pod_uid=uid,
            container_id=cid,
            state="running",
            node=node,
            hash_without_resources=hash_without_resources(started, version, source=source) if gate else None,
        )
        self.runtime[node].append(render_crictl_inspect(record, image=now["image"]))


def _ts(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def nodes_doc() -> dict[str, Any]:
    items = []
    for name, (version, _) in KUBELETS.items():
        items.append(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name}},
                "status": {
                    "nodeInfo": {
                        "kubeletVersion": version,
                        "containerRuntimeVersion": "containerd://1.7.13",
                        "operatingSystem": "linux",
                        "architecture": "amd64",
                    }
                },
            }
        )
    return {"apiVersion": "v1", "kind": "List", "items": items}


def build() -> tuple[dict[str, Any], dict[str, Any], dict[str, list[dict[str, Any]]]]:
    c = Cluster()
    web = container("web", "registry.example.com/shop/web:2.4.1", "500m", port=8080)
    c.pod("shop", "web-0", "node-a", container("web", web["image"], "1", port=8080), started=web, minutes=1)
    c.pod("shop", "web-1", "node-b", web, minutes=2)
    cart = container("cart", "registry.example.com/shop/cart:1.9.0", "250m", port=8081)
    c.pod("shop", "cart", "node-a", dict(cart, image="registry.example.com/shop/cart:1.9.1"), started=cart, minutes=3)
    c.pod("ops", "report", "node-c", container("report", "registry.example.com/ops/report:0.7", "100m"), minutes=4)
    sched = container("kube-scheduler", "registry.k8s.io/kube-scheduler:v1.29.4", "100m")
    c.pod("kube-system", "kube-scheduler-node-a", "node-a", sched, static=True)
    pods = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": c.pods}
    return pods, nodes_doc(), {n: r for n, r in c.runtime.items() if r}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(Path(__file__).parent / "resize-cluster"))
    args = ap.parse_args(argv)
    out = Path(args.out)
    pods, nodes, runtime = build()
    (out / "runtime").mkdir(parents=True, exist_ok=True)
    (out / "pods.json").write_text(json.dumps(pods, indent=2) + "\n")
    (out / "nodes.json").write_text(json.dumps(nodes, indent=2) + "\n")
    for node, records in runtime.items():
        (out / "runtime" / node).mkdir(exist_ok=True)
        (out / "runtime" / node / "crictl-inspect.json").write_text(json.dumps(records, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
