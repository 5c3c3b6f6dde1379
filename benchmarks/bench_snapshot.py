"""Loading a snapshot file against loading the same pods from a ``kubectl get pods -A -o json`` file.

    python benchmarks/bench_snapshot.py [--pods 10000] [--rounds 5] [--json out.json]

Corpus: synthetic but kubectl-shaped pods (two containers with resources, env, probes, ports, volume
mounts, status), some quantities as JSON numbers (RawFloat), printed with kubectl's 4-space indent.
Timed from a file on disk (page cache warm) to Python objects, best of ``--rounds``:
``json_load_s`` is ``kubehash.sources.documents.load_documents`` (what ``--pods FILE`` uses),
``json_load_gc_on_s`` the bare JSON loader with the garbage collector running, ``snapshot_load_s`` is
``load_snapshot``. Both kubehash loaders pause the garbage collector while building the objects.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kubehash.golang.jsonvalue import RawFloat, loads
from kubehash.sources.documents import load_documents
from kubehash.sources.snapshot import Snapshot, load_snapshot, save_snapshot


def container(i: int, name: str) -> dict[str, Any]:
    return {
        "name": name,
        "image": f"registry.example.com/team/{name}:1.{i % 40}.{i % 7}",
        "imagePullPolicy": "IfNotPresent",
        "args": ["--port=8080", f"--shard={i % 16}", "--log-level=info"],
        "env": [{"name": f"VAR_{k}", "value": f"value-{i}-{k}"} for k in range(6)],
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "resources": {
            "limits": {"cpu": "500m", "memory": "512Mi"},
            "requests": {"cpu": f"{100 + i % 50}m", "memory": "256Mi"},
        },
        "livenessProbe": {
            "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
            "initialDelaySeconds": 10,
            "periodSeconds": 10,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        "volumeMounts": [
            {"mountPath": "/etc/config", "name": "config", "readOnly": True},
            {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access", "readOnly": True},
        ],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }


def pod(i: int) -> dict[str, Any]:
    ns = f"team-{i % 50}"
    name = f"svc-{i % 400}-{i:06d}"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": f"{i:08x}-0000-4000-8000-{i:012x}",
            "resourceVersion": str(1000000 + i),
            "creationTimestamp": "2024-03-05T10:15:30Z",
            "labels": {"app": f"svc-{i % 400}", "pod-template-hash": f"{i * 2654435761 % 2**32:08x}"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": name[:-7], "uid": "x"}],
        },
        "spec": {
            "containers": [container(i, "app"), container(i + 1, "sidecar")],
            "nodeName": f"node-{i % 300}",
            "restartPolicy": "Always",
            "serviceAccountName": "default",
            "terminationGracePeriodSeconds": 30,
            "volumes": [{"name": "config", "configMap": {"name": "cfg", "defaultMode": 420}}],
        },
        "status": {
            "phase": "Running",
            "podIP": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
            "startTime": "2024-03-05T10:15:31Z",
            "containerStatuses": [
                {
                    "name": c,
                    "ready": True,
                    "restartCount": 0,
                    "containerID": f"containerd://{i:064x}",
                    "state": {"running": {"startedAt": "2024-03-05T10:15:32Z"}},
                }
                for c in ("app", "sidecar")
            ],
        },
    }


def best(fn: Callable[[], Any], rounds: int) -> float:
    t = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        t = min(t, time.perf_counter() - start)
        del result  # freeing the objects is not part of loading them
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--json", default=None)
    args = ap.parse_args()
    pods = [pod(i) for i in range(args.pods)]
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": pods}, indent=4)
    text = text.replace('"cpu": "500m"', '"cpu": 0.5')  # some quantities as JSON numbers (RawFloat)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / "pods.json"
        dump.write_text(text, encoding="utf-8")
        snap = Path(tmp) / "pods.khs"
        save_snapshot(snap, Snapshot(pods=load_documents(dump)[0]["items"]))
        assert exact(load_snapshot(snap).pods) == exact(load_documents(dump)[0]["items"])
        t_json = best(lambda: load_documents(dump), args.rounds)
        t_snap = best(lambda: load_snapshot(snap), args.rounds)
        t_plain = best(lambda: loads(dump.read_text(encoding="utf-8")), args.rounds)
        result = {
            "pods": args.pods,
            "json_bytes": dump.stat().st_size,
            "snapshot_bytes": snap.stat().st_size,
            "json_load_s": round(t_json, 4),
            "json_load_gc_on_s": round(t_plain, 4),
            "snapshot_load_s": round(t_snap, 4),
            "speedup": round(t_json / t_snap, 2),
        }
    for k, v in result.items():
        print(f"{k:18} {v}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=2)


def exact(v: Any) -> Any:
    """Equality that also sees number literals (RawFloat text)."""
    if isinstance(v, RawFloat):
        return ("raw", v.text)
    if isinstance(v, dict):
        return {k: exact(x) for k, x in v.items()}
    if isinstance(v, list):
        return [exact(x) for x in v]
    return v


if __name__ == "__main__":
    main()
