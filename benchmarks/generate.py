"""Seeded generator of large, realistic pod sets as ``kubectl get -A -o json`` would print them.

    python benchmarks/generate.py --pods 150000 --kubelet 1.17.17 --out /tmp/cluster [--seed 1] [--compact] [--yaml]

writes ``pods.json`` (a ``List`` of Pods, 4-space indented like kubectl), ``nodes.json`` (a ``List`` of
Nodes whose ``kubeletVersion`` is ``--kubelet``) and, with ``--compact``, ``pods.compact.json`` (the API
server's compact answer), with ``--yaml``, ``pods.yaml``, with ``--snapshot``, ``cluster.khs``.

The mix: Deployments (replicas share one spec), DaemonSets (one pod per node), StatefulSets, Jobs and
static pods (mirror pods, ``kubernetes.io/config.mirror``) on control-plane nodes; about 1.5 containers
per pod, init containers, probes, env (values, field/secret/configmap refs), resources with assorted
quantity spellings (``500m``, ``0.5``, ``1``, ``1Gi``, ``5e-1``; JSON numbers in static pods), securityContext,
service-account token mounts (``default-token-xxxxx`` shared per namespace before 1.21, a random
``kube-api-access-xxxxx`` per pod from 1.21), apiserver defaults, ``managedFields`` and a status.
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CPU = ["100m", "250m", "500m", "1", "2", "0.5", "1500m", "0.25", "5e-1", "2000m", "4"]
#: JSON numbers as quantities: only in static-pod manifests (the API server answers with strings).
CPU_NUMBERS = [1, 2, 0.5, 0.25]
MEMORY = ["64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "1G", "500M", "268435456", "1.5Gi", "2e9", "4Gi"]
EPHEMERAL = ["1Gi", "500Mi", "10G"]
IMAGES = [
    "nginx:1.25.3",
    "redis:7.2",
    "postgres:16.1",
    "registry.k8s.io/pause:3.9",
    "quay.io/prometheus/node-exporter:v1.7.0",
    "ghcr.io/acme/api-server:2.14.1",
    "ghcr.io/acme/worker:2.14.1",
    "docker.io/bitnami/kafka:3.6",
    "gcr.io/google-containers/fluentd-elasticsearch:v2.4.0",
    "busybox:1.36",
]
SIDECARS = ["istio/proxyv2:1.20.1", "fluent/fluent-bit:2.2", "envoyproxy/envoy:v1.28.0"]
STATIC = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "etcd"]


class Gen:
    def __init__(self, seed: int, kubelet: str, nodes: int) -> None:
        self.r = random.Random(seed)
        self.minor = int(kubelet.lstrip("v").split(".")[1])
        self.kubelet = kubelet if kubelet.startswith("v") else "v" + kubelet
        self.nodes = [f"node-{i:05d}" for i in range(nodes)]
        self.control = self.nodes[: min(3, nodes)]
        self.namespaces = ["default", "kube-system", "monitoring", "payments", "search", "ingress", "data"]
        self.ns_tokens = {ns: f"default-token-{self.suffix()}" for ns in self.namespaces}
        self.uid_n = 0

    def suffix(self, n: int = 5) -> str:
        return "".join(self.r.choices(string.ascii_lowercase + string.digits, k=n))

    def uid(self) -> str:
        self.uid_n += 1
        h = f"{self.r.getrandbits(96):024x}{self.uid_n:08x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"

    # -- container specs --------------------------------------------------------------------------------
    def resources(self) -> dict[str, Any]:
        r = self.r
        out: dict[str, Any] = {}
        if r.random() < 0.85:
            out["requests"] = {"cpu": r.choice(CPU), "memory": r.choice(MEMORY)}
        if r.random() < 0.6:
            out["limits"] = {"cpu": r.choice(CPU), "memory": r.choice(MEMORY)}
            if r.random() < 0.1:
                out["limits"]["ephemeral-storage"] = r.choice(EPHEMERAL)
        return out

    def probe(self, port: int) -> dict[str, Any]:
        r = self.r
        kind = r.random()
        if kind < 0.6:
            handler: dict[str, Any] = {"httpGet": {"path": r.choice(["/healthz", "/ready", "/"]), "port": port}}
            handler["httpGet"]["scheme"] = "HTTP"
        elif kind < 0.85:
            handler = {"tcpSocket": {"port": r.choice([port, "http"])}}
        else:
            handler = {"exec": {"command": ["sh", "-c", "pg_isready -U postgres"]}}
        return {
            **handler,
            "initialDelaySeconds": r.choice([0, 5, 10, 30]),
            "periodSeconds": r.choice([5, 10, 20]),
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        }

    def env(self) -> list[dict[str, Any]]:
        r = self.r
        out: list[dict[str, Any]] = []
        for i in range(r.choice([0, 0, 1, 2, 3, 5, 8])):
            k = r.random()
            name = f"{r.choice(['APP', 'LOG', 'DB', 'CACHE', 'FEATURE'])}_{r.choice(['HOST', 'LEVEL', 'URL'])}_{i}"
            if k < 0.6:
                out.append({"name": name, "value": r.choice(["info", "debug", "true", "8080", "db.svc:5432", ""])})
            elif k < 0.75:
                out.append({"name": name, "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}})
            elif k < 0.9:
                out.append({"name": name, "valueFrom": {"secretKeyRef": {"name": "db-creds", "key": "password"}}})
            else:
                ref = {"name": "app-config", "key": "mode", "optional": True}
                out.append({"name": name, "valueFrom": {"configMapKeyRef": ref}})
        return out

    def container(self, name: str, image: str, sa_mount: dict[str, Any] | None) -> dict[str, Any]:
        r = self.r
        port = r.choice([80, 8080, 9090, 5432, 6379, 3000])
        c: dict[str, Any] = {"name": name, "image": image}
        if r.random() < 0.4:
            c["args"] = ["--port", str(port), "--log-level=info"]
        if r.random() < 0.2:
            c["command"] = ["/bin/app"]
        env = self.env()
        if env:
            c["env"] = env
        if r.random() < 0.15:
            c["envFrom"] = [{"configMapRef": {"name": "app-env"}}]
        c["imagePullPolicy"] = r.choice(["IfNotPresent", "IfNotPresent", "Always"])
        if r.random() < 0.7:
            c["livenessProbe"] = self.probe(port)
        if r.random() < 0.7:
            c["readinessProbe"] = self.probe(port)
        if r.random() < 0.8:
            c["ports"] = [{"containerPort": port, "name": "http", "protocol": "TCP"}]
            if r.random() < 0.2:
                c["ports"].append({"containerPort": 9102, "name": "metrics", "protocol": "TCP"})
        c["resources"] = self.resources()
        if r.random() < 0.5:
            sc: dict[str, Any] = {"allowPrivilegeEscalation": False, "runAsNonRoot": True}
            if r.random() < 0.5:
                sc["capabilities"] = {"drop": ["ALL"]}
            if r.random() < 0.3:
                sc["readOnlyRootFilesystem"] = True
                sc["runAsUser"] = 1000
            c["securityContext"] = sc
        c["terminationMessagePath"] = "/dev/termination-log"
        c["terminationMessagePolicy"] = "File"
        mounts = []
        if r.random() < 0.3:
            mounts.append({"mountPath": "/etc/app", "name": "config", "readOnly": True})
        if sa_mount is not None:
            mounts.append(sa_mount)
        if mounts:
            c["volumeMounts"] = mounts
        return c

    def template(self, app: str, ns: str) -> dict[str, Any]:
        """A pod spec template (shared by all replicas, before per-pod volume names)."""
        r = self.r
        containers = [self.container(app, r.choice(IMAGES), None)]
        if r.random() < 0.45:
            containers.append(self.container(r.choice(["istio-proxy", "log-shipper"]), r.choice(SIDECARS), None))
        spec: dict[str, Any] = {"containers": containers}
        if r.random() < 0.2:
            init = self.container("init-db", "busybox:1.36", None)
            init["command"] = ["sh", "-c", "until nslookup db; do sleep 2; done"]
            for k in ("livenessProbe", "readinessProbe", "ports"):
                init.pop(k, None)
            spec["initContainers"] = [init]
        spec.update(
            {
                "dnsPolicy": "ClusterFirst",
                "enableServiceLinks": True,
                "preemptionPolicy": "PreemptLowerPriority",
                "priority": 0,
                "restartPolicy": "Always",
                "schedulerName": "default-scheduler",
                "securityContext": {},
                "serviceAccount": "default",
                "serviceAccountName": "default",
                "terminationGracePeriodSeconds": 30,
                "tolerations": [
                    {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists"},
                    {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists"},
                ],
            }
        )
        return spec

    # -- pods ---------------------------------------------------------------------------------------------
    def pod(self, name: str, ns: str, spec: dict[str, Any], node: str, owner: tuple[str, str] | None) -> dict:
        spec = copy.deepcopy(spec)
        if self.minor >= 21:
            vol = f"kube-api-access-{self.suffix()}"
            volume: dict[str, Any] = {
                "name": vol,
                "projected": {
                    "defaultMode": 420,
                    "sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                        {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                    ],
                },
            }
        else:
            vol = self.ns_tokens[ns]
            volume = {"name": vol, "secret": {"defaultMode": 420, "secretName": vol}}
        mount = {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": vol, "readOnly": True}
        for c in spec["containers"] + spec.get("initContainers", []):
            c.setdefault("volumeMounts", []).append(dict(mount))
        spec["volumes"] = [{"name": "config", "configMap": {"defaultMode": 420, "name": "app-config"}}, volume]
        spec["nodeName"] = node
        uid = self.uid()
        ts = f"2026-{self.r.randint(1, 11):02d}-{self.r.randint(1, 28):02d}T{self.r.randint(0, 23):02d}:14:07Z"
        meta: dict[str, Any] = {
            "creationTimestamp": ts,
            "labels": {"app": name.rsplit("-", 2)[0], "pod-template-hash": self.suffix(10)},
            "name": name,
            "namespace": ns,
            "resourceVersion": str(self.r.randint(10**6, 10**9)),
            "uid": uid,
        }
        if owner is not None:
            meta["ownerReferences"] = [
                {
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": owner[0],
                    "name": owner[1],
                    "uid": self.uid(),
                }
            ]
        meta["managedFields"] = self.managed_fields(spec, ts)
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": self.status(spec, ts)}

    def managed_fields(self, spec: dict[str, Any], ts: str) -> list[dict[str, Any]]:
        fields: dict[str, Any] = {}
        for c in spec["containers"]:
            entry: dict[str, Any] = {".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {}}
            for k in c:
                if k not in ("name", "image", "imagePullPolicy"):
                    entry[f"f:{k}"] = {} if not isinstance(c[k], dict) else {f"f:{x}": {} for x in c[k]}
            for e in c.get("env", []):
                entry.setdefault("f:env", {})[f'k:{{"name":"{e["name"]}"}}'] = {".": {}, "f:name": {}}
            fields[f'k:{{"name":"{c["name"]}"}}'] = entry
        return [
            {
                "apiVersion": "v1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:metadata": {"f:labels": {".": {}, "f:app": {}, "f:pod-template-hash": {}}},
                    "f:spec": {"f:containers": fields, "f:dnsPolicy": {}, "f:restartPolicy": {}},
                },
                "manager": "kube-controller-manager",
                "operation": "Update",
                "time": ts,
            },
            {
                "apiVersion": "v1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {"f:status": {"f:conditions": {}, "f:containerStatuses": {}, "f:podIP": {}}},
                "manager": "kubelet",
                "operation": "Update",
                "subresource": "status",
                "time": ts,
            },
        ]

    def status(self, spec: dict[str, Any], ts: str) -> dict[str, Any]:
        statuses = []
        for c in spec["containers"]:
            statuses.append(
                {
                    "containerID": f"containerd://{self.r.getrandbits(256):064x}",
                    "image": c["image"],
                    "imageID": f"{c['image'].split(':')[0]}@sha256:{self.r.getrandbits(256):064x}",
                    "lastState": {},
                    "name": c["name"],
                    "ready": True,
                    "restartCount": self.r.choice([0, 0, 0, 1, 3]),
                    "started": True,
                    "state": {"running": {"startedAt": ts}},
                }
            )
        return {
            "conditions": [{"lastProbeTime": None, "lastTransitionTime": ts, "status": "True", "type": "Ready"}],
            "containerStatuses": statuses,
            "hostIP": f"10.0.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}",
            "phase": "Running",
            "podIP": f"10.244.{self.r.randint(0, 255)}.{self.r.randint(1, 254)}",
            "qosClass": "Burstable",
            "startTime": ts,
        }

    def static_pod(self, component: str, node: str) -> dict[str, Any]:
        c = self.container(component, f"registry.k8s.io/{component}:{self.kubelet}", None)
        c["command"] = [component, "--v=2", f"--advertise-address=10.0.0.{self.r.randint(1, 254)}"]
        c["resources"] = {"requests": {"cpu": self.r.choice(CPU_NUMBERS + CPU)}}
        c.pop("volumeMounts", None)
        spec = {"containers": [c], "hostNetwork": True, "priorityClassName": "system-node-critical", "nodeName": node}
        h = f"{self.r.getrandbits(128):032x}"
        meta = {
            "annotations": {
                "kubernetes.io/config.hash": h,
                "kubernetes.io/config.mirror": h,
                "kubernetes.io/config.source": "file",
            },
            "name": f"{component}-{node}",
            "namespace": "kube-system",
            "uid": self.uid(),
        }
        return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": self.status(spec, "")}

    def pods(self, n: int) -> Iterator[dict[str, Any]]:
        r = self.r
        made = 0
        for node in self.control:
            for comp in STATIC:
                if made < n:
                    made += 1
                    yield self.static_pod(comp, node)
        for ds in ("kube-proxy", "node-exporter", "fluentd")[: 3 if n > 10 * len(self.nodes) else 1]:
            spec = self.template(ds, "kube-system")
            for node in self.nodes:
                if made >= n:
                    return
                made += 1
                yield self.pod(f"{ds}-{self.suffix()}", "kube-system", spec, node, ("DaemonSet", ds))
        while made < n:
            ns = r.choice(self.namespaces)
            kind = r.random()
            app = f"{r.choice(['api', 'web', 'worker', 'cache', 'db', 'search', 'billing'])}-{self.suffix(4)}"
            spec = self.template(app, ns)
            if kind < 0.8:
                replicas = min(n - made, r.choice([1, 2, 3, 3, 5, 8, 12, 20, 40]))
                rs = self.suffix(10)
                for _ in range(replicas):
                    made += 1
                    pod = self.pod(f"{app}-{rs}-{self.suffix()}", ns, spec, r.choice(self.nodes), ("ReplicaSet", app))
                    yield pod
            elif kind < 0.92:
                for i in range(min(n - made, r.choice([1, 3, 5]))):
                    made += 1
                    yield self.pod(f"{app}-{i}", ns, spec, r.choice(self.nodes), ("StatefulSet", app))
            else:
                made += 1
                yield self.pod(f"{app}-{self.suffix()}", ns, spec, r.choice(self.nodes), ("Job", app))

    def node_list(self) -> dict[str, Any]:
        items = []
        for name in self.nodes:
            labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}
            if name in self.control:
                labels["node-role.kubernetes.io/control-plane"] = ""
            items.append(
                {
                    "apiVersion": "v1",
                    "kind": "Node",
                    "metadata": {"labels": labels, "name": name},
                    "status": {
                        "nodeInfo": {
                            "containerRuntimeVersion": "containerd://1.7.11",
                            "kubeProxyVersion": self.kubelet,
                            "kubeletVersion": self.kubelet,
                            "operatingSystem": "linux",
                        }
                    },
                }
            )
        return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def generate(pods: int, *, seed: int = 1, kubelet: str = "v1.17.17", nodes: int | None = None) -> Gen:
    return Gen(seed, kubelet, nodes if nodes is not None else max(1, pods // 30))


def pod_list(pods: int, *, seed: int = 1, kubelet: str = "v1.17.17") -> dict[str, Any]:
    """The whole List in memory (for small sets)."""
    items = list(generate(pods, seed=seed, kubelet=kubelet).pods(pods))
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}


def write_pod_list(path: Path, pods: int, *, seed: int = 1, kubelet: str = "v1.17.17") -> Gen:
    """Write the List as kubectl prints it (4-space indent), one pod at a time."""
    gen = generate(pods, seed=seed, kubelet=kubelet)
    with path.open("w", encoding="utf-8") as f:
        f.write('{\n    "apiVersion": "v1",\n    "items": [')
        for i, pod in enumerate(gen.pods(pods)):
            text = json.dumps(pod, indent=4)
            f.write(("," if i else "") + "\n        " + text.replace("\n", "\n        "))
        f.write('\n    ],\n    "kind": "List",\n    "metadata": {\n        "resourceVersion": ""\n    }\n}\n')
    return gen


def write_compact_pod_list(path: Path, pods: int, *, seed: int = 1, kubelet: str = "v1.17.17") -> Gen:
    """Write the same List as the API server answers ``GET /api/v1/pods`` (what ``kubectl get --raw`` prints):
    compact JSON, items without ``kind``/``apiVersion``, fields in Go struct order (metadata, spec, status)."""
    gen = generate(pods, seed=seed, kubelet=kubelet)
    with path.open("w", encoding="utf-8") as f:
        f.write('{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"123456"},"items":[')
        for i, pod in enumerate(gen.pods(pods)):
            item = {k: pod[k] for k in ("metadata", "spec", "status") if k in pod}
            f.write(("," if i else "") + json.dumps(item, separators=(",", ":")))
        f.write("]}")
    return gen


def write_pod_list_yaml(path: Path, pods: int, *, seed: int = 1, kubelet: str = "v1.17.17") -> None:
    """Write the List as ``yaml.safe_dump(pod_list(...), sort_keys=False)`` would, one pod at a time
    (libyaml's emitter, which writes the same text as PyYAML's; 150k pods do not fit in memory at once)."""
    import yaml

    gen = generate(pods, seed=seed, kubelet=kubelet)
    with path.open("w", encoding="utf-8") as f:
        f.write("apiVersion: v1\nitems:" + ("\n" if pods else " []\n"))
        for pod in gen.pods(pods):
            f.write(yaml.dump([pod], Dumper=yaml.CSafeDumper, sort_keys=False))
        f.write("kind: List\nmetadata:\n  resourceVersion: ''\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pods", type=int, default=10_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kubelet", default="v1.17.17", help="kubelet version of every node")
    ap.add_argument("--out", type=Path, required=True, help="directory to write pods.json/nodes.json into")
    ap.add_argument("--yaml", action="store_true", help="also write pods.yaml")
    ap.add_argument("--compact", action="store_true", help="also write pods.compact.json (the API server's form)")
    ap.add_argument("--snapshot", action="store_true", help="also write cluster.khs (a kubehash msgpack snapshot)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    gen = write_pod_list(args.out / "pods.json", args.pods, seed=args.seed, kubelet=args.kubelet)
    (args.out / "nodes.json").write_text(json.dumps(gen.node_list(), indent=4) + "\n", encoding="utf-8")
    if args.compact:
        write_compact_pod_list(args.out / "pods.compact.json", args.pods, seed=args.seed, kubelet=args.kubelet)
    if args.yaml:
        write_pod_list_yaml(args.out / "pods.yaml", args.pods, seed=args.seed, kubelet=args.kubelet)
    if args.snapshot:
        from kubehash.sources.snapshot import Snapshot, save_snapshot

        doc = pod_list(args.pods, seed=args.seed, kubelet=args.kubelet)
        snap = Snapshot(pods=doc["items"], nodes=gen.node_list()["items"], source={"kind": "generated"})
        save_snapshot(args.out / "cluster.khs", snap, force=True)
    size = (args.out / "pods.json").stat().st_size
    print(f"wrote {args.pods} pods ({size / 1e6:.1f} MB) and {len(gen.nodes)} nodes to {args.out}")


if __name__ == "__main__":
    main()
