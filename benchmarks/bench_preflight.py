"""``preflight`` throughput on a synthetic cluster, against a same-run baseline: ``copy.deepcopy`` of the pods.

    python benchmarks/bench_preflight.py [--pods 30000] [--nodes 300] [--rounds 3]

Every pod is distinct (own name, node); half have the 300 s default tolerations, a third a nodeSelector,
a fifth a required node affinity; tolerationSeconds vary per pod in the "distinct" case so that the
per-toleration-list memo cannot help.
"""

from __future__ import annotations

import argparse
import copy
import time
from typing import Any

from kubehash.upgrade.options import Options
from kubehash.upgrade.preflight.checks import preflight

NR, UR = "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"
AFFINITY = {
    "nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [
                {
                    "matchExpressions": [
                        {"key": "zone", "operator": "In", "values": ["z0", "z1"]},
                        {"key": "gpu", "operator": "DoesNotExist"},
                    ]
                }
            ]
        }
    }
}


def cluster(n_pods: int, n_nodes: int, distinct: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    nodes = [
        {
            "kind": "Node",
            "metadata": {"name": f"n{i}", "labels": {"zone": f"z{i % 3}", "disk": "ssd" if i % 2 else "hdd"}},
            "status": {"nodeInfo": {"kubeletVersion": "v1.12.10"}},
        }
        for i in range(n_nodes)
    ]
    pods = []
    for i in range(n_pods):
        spec: dict[str, Any] = {"nodeName": f"n{i % n_nodes}", "containers": [{"name": "c", "image": "i"}]}
        if i % 3 == 0:
            spec["nodeSelector"] = {"disk": "ssd"}
        if i % 5 == 0:
            spec["affinity"] = AFFINITY
        if i % 2:
            secs = 300 + (i if distinct else 0)
            spec["tolerations"] = [
                {"key": k, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": secs} for k in (NR, UR)
            ]
        pods.append(
            {
                "kind": "Pod",
                "metadata": {"name": f"p{i}", "namespace": "ns"},
                "spec": spec,
                "status": {"phase": "Running", "startTime": "2020-01-01T00:00:00Z"},
            }
        )
    return pods, nodes


def best(fn: Any, rounds: int) -> float:
    out = float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        fn()
        out = min(out, time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--pods", type=int, default=30000)
    ap.add_argument("--nodes", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    for distinct in (False, True):
        pods, nodes = cluster(args.pods, args.nodes, distinct)
        base = best(lambda pods=pods: copy.deepcopy(pods), args.rounds)
        t = best(lambda pods=pods, nodes=nodes: preflight(pods, nodes, Options(to="1.13")), args.rounds)
        label = "distinct toleration lists" if distinct else "shared toleration lists"
        print(
            f"{label:26} {1e6 * t / args.pods:7.1f} µs/pod   baseline deepcopy {1e6 * base / args.pods:6.1f} µs/pod"
            f"   × {t / base:4.2f}"
        )


if __name__ == "__main__":
    main()
