"""Generate the bundled example cluster: a small but realistic Kubernetes 1.10 cluster dump.

    python examples/generate_cluster.py [--out examples/cluster]

Writes, deterministically (seeded), what an operator would collect before an in-place kubelet upgrade:

* ``pods.json``  -- ``kubectl get pods -A -o json``: static control-plane pods (mirror pods), DaemonSets with
  security contexts and init containers, Deployments with replicas, StatefulSets, completed Jobs, a pending
  pod, bare pods; containers as the 1.10 apiserver stored them (defaults filled in);
* ``nodes.json`` -- ``kubectl get nodes -o json``: one control-plane node and workers, kubelets at 1.10;
* ``runtime/<node>/docker-inspect.json`` -- ``docker inspect`` of every running container on the node
  (dockershim era), with the hash the 1.10 kubelet recorded and the start time.

The story the data tells (tests rely on it):

* ``default/legacy-report-runner`` is a bare pod whose image was edited after its container started: its
  recorded hash is that of the original spec;
* ``batch/nightly-export-*`` are old pods created before the DefaultTolerationSeconds admission plugin
  ran: no ``not-ready``/``unreachable`` tolerations (preflight: TaintBasedEvictions);
* ``analytics/spark-history-0`` selects ``disktype=ssd`` but its node was relabelled ``disktype=nvme``
  (preflight: MatchNodeSelector);
* node ``worker-4`` already runs kubelet 1.11.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import random
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from kubehash import hash_container, runtime_hex

SEED = 20180301
#: Multi-replica application Deployments are scaled by this factor (single replicas stay single).
REPLICA_SCALE = 3
NOW = datetime(2019, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
NODES = [
    ("cp-1", "v1.10.13", {"node-role.kubernetes.io/master": "", "disktype": "ssd"}),
    ("worker-1", "v1.10.13", {"disktype": "ssd", "failure-domain.beta.kubernetes.io/zone": "eu-west-1a"}),
    ("worker-2", "v1.10.13", {"disktype": "nvme", "failure-domain.beta.kubernetes.io/zone": "eu-west-1b"}),
    ("worker-3", "v1.10.11", {"disktype": "hdd", "failure-domain.beta.kubernetes.io/zone": "eu-west-1c"}),
    ("worker-4", "v1.11.10", {"disktype": "ssd", "failure-domain.beta.kubernetes.io/zone": "eu-west-1a"}),
]
WORKERS = [n for n, _, _ in NODES if n != "cp-1"]
DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]
DS_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
]


class Gen:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.pods: list[dict[str, Any]] = []
        self.runtime: dict[str, list[dict[str, Any]]] = {n: [] for n, _, _ in NODES}
        self.versions = {n: v for n, v, _ in NODES}

    # -- identifiers -------------------------------------------------------------------------------
    def hexid(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def uid(self) -> str:
        h = self.hexid(32)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def suffix(self, n: int = 5) -> str:
        return "".join(self.rng.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(n))

    def when(self, days_back: float) -> datetime:
        return NOW - timedelta(days=days_back, seconds=self.rng.randint(0, 86_400))

    # -- building blocks ---------------------------------------------------------------------------
    @staticmethod
    def token_mount(sa: str, token: str) -> dict[str, Any]:
        return {
            "name": f"{sa}-token-{token}",
            "readOnly": True,
            "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
        }

    @staticmethod
    def container(name: str, image: str, **extra: Any) -> dict[str, Any]:
        """A container as the 1.10 apiserver stores it: defaults filled in."""
        c: dict[str, Any] = {"name": name, "image": image}
        c.update(extra)
        c.setdefault("resources", {})
        c["terminationMessagePath"] = "/dev/termination-log"
        c["terminationMessagePolicy"] = "File"
        tag = image.rsplit("/", 1)[-1]
        c["imagePullPolicy"] = "Always" if ":" not in tag or tag.endswith(":latest") else "IfNotPresent"
        for port in c.get("ports", []):
            port.setdefault("protocol", "TCP")
        for key in ("livenessProbe", "readinessProbe"):
            probe = c.get(key)
            if probe:
                if "httpGet" in probe:
                    probe["httpGet"].setdefault("path", "/")
                    probe["httpGet"].setdefault("scheme", "HTTP")
                probe.setdefault("timeoutSeconds", 1)
                probe.setdefault("periodSeconds", 10)
                probe.setdefault("successThreshold", 1)
                probe.setdefault("failureThreshold", 3)
        limits = c["resources"].get("limits")
        if limits:
            req = c["resources"].setdefault("requests", {})
            for k, v in limits.items():
                req.setdefault(k, v)
        return c

    def pod(
        self,
        ns: str,
        name: str,
        node: str | None,
        containers: list[dict[str, Any]],
        *,
        init: list[dict[str, Any]] | None = None,
        owner: tuple[str, str] | None = None,
        labels: dict[str, str] | None = None,
        sa: str = "default",
        tolerations: list[dict[str, Any]] | None = None,
        host_network: bool = False,
        mirror: bool = False,
        node_selector: dict[str, str] | None = None,
        phase: str = "Running",
        age_days: float = 30,
        volumes: list[dict[str, Any]] | None = None,
        priority_class: str | None = None,
    ) -> dict[str, Any]:
        created = self.when(age_days)
        uid = self.uid()
        meta: dict[str, Any] = {
            "name": name,
            "namespace": ns,
            "uid": uid,
            "resourceVersion": str(self.rng.randint(100_000, 9_999_999)),
            "creationTimestamp": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "labels": dict(labels or {}),
            "selfLink": f"/api/v1/namespaces/{ns}/pods/{name}",
        }
        if owner:
            meta["ownerReferences"] = [
                {
                    "apiVersion": "apps/v1" if owner[0] != "Job" else "batch/v1",
                    "kind": owner[0],
                    "name": owner[1],
                    "uid": self.uid(),
                    "controller": True,
                    "blockOwnerDeletion": True,
                }
            ]
        if mirror:
            digest = hashlib.md5(name.encode()).hexdigest()
            meta["annotations"] = {
                "kubernetes.io/config.hash": digest,
                "kubernetes.io/config.mirror": digest,
                "kubernetes.io/config.seen": created.strftime("%Y-%m-%dT%H:%M:%S.000000000Z"),
                "kubernetes.io/config.source": "file",
                "scheduler.alpha.kubernetes.io/critical-pod": "",
            }
        spec: dict[str, Any] = {
            "volumes": volumes if volumes is not None else [],
            "containers": containers,
            "restartPolicy": "Always" if owner is None or owner[0] != "Job" else "OnFailure",
            "terminationGracePeriodSeconds": 30,
            "dnsPolicy": "ClusterFirst",
            "securityContext": {},
            "schedulerName": "default-scheduler",
        }
        if init:
            spec["initContainers"] = init
        if not mirror:
            spec["serviceAccountName"] = sa
            spec["serviceAccount"] = sa
        if node:
            spec["nodeName"] = node
        if host_network:
            spec["hostNetwork"] = True
            spec["dnsPolicy"] = "ClusterFirstWithHostNet" if not mirror else "ClusterFirst"
        if node_selector:
            spec["nodeSelector"] = node_selector
        if priority_class:
            spec["priorityClassName"] = priority_class
        spec["tolerations"] = tolerations if tolerations is not None else copy.deepcopy(DEFAULT_TOLERATIONS)
        if not spec["tolerations"]:
            del spec["tolerations"]
        status = self.status(node, phase, created, containers, init or [])
        pod = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status}
        self.pods.append(pod)
        return pod

    def status(
        self,
        node: str | None,
        phase: str,
        created: datetime,
        containers: list[dict[str, Any]],
        init: list[dict[str, Any]],
    ) -> dict[str, Any]:
        if node is None:
            return {
                "phase": "Pending",
                "conditions": [
                    {
                        "type": "PodScheduled",
                        "status": "False",
                        "reason": "Unschedulable",
                        "message": "0/5 nodes are available: 5 Insufficient memory.",
                    }
                ],
                "qosClass": "Burstable",
            }
        started = created + timedelta(seconds=self.rng.randint(5, 90))
        st: dict[str, Any] = {
            "phase": phase,
            "hostIP": f"10.0.0.{NODES.index(next(n for n in NODES if n[0] == node)) + 10}",
            "podIP": f"10.244.{self.rng.randint(0, 4)}.{self.rng.randint(2, 250)}",
            "startTime": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "qosClass": "BestEffort",
        }
        if init:
            st["initContainerStatuses"] = [self.cstatus(c, "terminated", started - timedelta(seconds=3)) for c in init]
        state = "running" if phase == "Running" else "terminated"
        st["containerStatuses"] = [self.cstatus(c, state, started) for c in containers]
        return st

    def cstatus(self, c: dict[str, Any], state: str, started: datetime) -> dict[str, Any]:
        cid = self.hexid(64)
        ts = started.strftime("%Y-%m-%dT%H:%M:%SZ")
        if state == "running":
            s: dict[str, Any] = {"running": {"startedAt": ts}}
        else:
            s = {
                "terminated": {
                    "exitCode": 0,
                    "reason": "Completed",
                    "startedAt": ts,
                    "finishedAt": (started + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "containerID": f"docker://{cid}",
                }
            }
        return {
            "name": c["name"],
            "state": s,
            "lastState": {},
            "ready": state == "running",
            "restartCount": 0,
            "image": c["image"],
            "imageID": f"docker-pullable://{c['image'].split(':')[0]}@sha256:{self.hexid(64)}",
            "containerID": f"docker://{cid}",
        }

    # -- runtime records ----------------------------------------------------------------------------
    def record_runtime(self, pod: dict[str, Any], original: dict[str, dict[str, Any]] | None = None) -> None:
        """docker inspect entries for the pod's running containers, hashed by the node's kubelet when
        the container started (``original`` holds container specs as they were at that time)."""
        node = pod["spec"].get("nodeName")
        if node is None or pod["status"]["phase"] != "Running":
            return
        source = "file" if "kubernetes.io/config.mirror" in pod["metadata"].get("annotations", {}) else "apiserver"
        statuses = {s["name"]: s for s in pod["status"]["containerStatuses"]}
        for c in pod["spec"]["containers"]:
            spec = (original or {}).get(c["name"], c)
            h = hash_container(spec, self.versions[node], source=source)
            status = statuses[c["name"]]
            started = (
                status["state"]["running"]["startedAt"].replace("Z", "") + f".{self.rng.randint(0, 10**9 - 1):09d}Z"
            )
            meta = pod["metadata"]
            self.runtime[node].append(
                {
                    "Id": status["containerID"].removeprefix("docker://"),
                    "Created": started,
                    "State": {
                        "Status": "running",
                        "Running": True,
                        "Pid": self.rng.randint(1000, 60000),
                        "StartedAt": started,
                        "FinishedAt": "0001-01-01T00:00:00Z",
                    },
                    "Name": f"/k8s_{c['name']}_{meta['name']}_{meta['namespace']}_{meta['uid']}_0",
                    "Config": {
                        "Image": spec["image"],
                        "Labels": {
                            "annotation.io.kubernetes.container.hash": runtime_hex(h),
                            "annotation.io.kubernetes.container.restartCount": "0",
                            "annotation.io.kubernetes.container.terminationMessagePath": "/dev/termination-log",
                            "annotation.io.kubernetes.container.terminationMessagePolicy": "File",
                            "io.kubernetes.container.logpath": f"/var/log/pods/{meta['uid']}/{c['name']}/0.log",
                            "io.kubernetes.container.name": c["name"],
                            "io.kubernetes.docker.type": "container",
                            "io.kubernetes.pod.name": meta["name"],
                            "io.kubernetes.pod.namespace": meta["namespace"],
                            "io.kubernetes.pod.uid": meta["uid"],
                            "io.kubernetes.sandbox.id": self.hexid(64),
                        },
                    },
                }
            )


def build(seed: int = SEED) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[dict[str, Any]]]]:
    g = Gen(seed)
    static_pods(g)
    daemonsets(g)
    deployments(g)
    statefulsets(g)
    jobs_and_bare_pods(g)
    pods = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": "", "selfLink": ""}, "items": g.pods}
    return pods, nodes_doc(), g.runtime


def nodes_doc() -> dict[str, Any]:
    items = []
    for i, (name, ver, labels) in enumerate(NODES):
        all_labels = {
            "beta.kubernetes.io/arch": "amd64",
            "beta.kubernetes.io/os": "linux",
            "kubernetes.io/hostname": name,
        }
        all_labels.update(labels)
        node: dict[str, Any] = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "name": name,
                "uid": hashlib.md5(name.encode()).hexdigest(),
                "labels": all_labels,
                "creationTimestamp": "2018-03-01T09:00:00Z",
            },
            "spec": {"podCIDR": f"10.244.{i}.0/24", "externalID": name},
            "status": {
                "capacity": {"cpu": "8", "memory": "32930240Ki", "pods": "110"},
                "allocatable": {"cpu": "7800m", "memory": "31779264Ki", "pods": "110"},
                "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}],
                "addresses": [
                    {"type": "InternalIP", "address": f"10.0.0.{i + 10}"},
                    {"type": "Hostname", "address": name},
                ],
                "nodeInfo": {
                    "kubeletVersion": ver,
                    "kubeProxyVersion": ver,
                    "containerRuntimeVersion": "docker://17.3.2",
                    "operatingSystem": "linux",
                    "architecture": "amd64",
                    "osImage": "Ubuntu 16.04.5 LTS",
                    "kernelVersion": "4.4.0-142-generic",
                },
            },
        }
        if name == "cp-1":
            node["spec"]["taints"] = [{"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"}]
        items.append(node)
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": "", "selfLink": ""}, "items": items}


def static_pods(g: Gen) -> None:
    flags = {
        "etcd": [
            "etcd",
            "--advertise-client-urls=https://10.0.0.10:2379",
            "--data-dir=/var/lib/etcd",
            "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
            "--client-cert-auth=true",
        ],
        "kube-apiserver": [
            "kube-apiserver",
            "--advertise-address=10.0.0.10",
            "--allow-privileged=true",
            "--authorization-mode=Node,RBAC",
            "--enable-admission-plugins=NodeRestriction",
            "--etcd-servers=https://127.0.0.1:2379",
            "--service-cluster-ip-range=10.96.0.0/12",
        ],
        "kube-controller-manager": [
            "kube-controller-manager",
            "--leader-elect=true",
            "--controllers=*,bootstrapsigner,tokencleaner",
            "--kubeconfig=/etc/kubernetes/controller-manager.conf",
        ],
        "kube-scheduler": ["kube-scheduler", "--leader-elect=true", "--kubeconfig=/etc/kubernetes/scheduler.conf"],
    }
    cpu = {"etcd": None, "kube-apiserver": "250m", "kube-controller-manager": "200m", "kube-scheduler": "100m"}
    for comp, cmd in flags.items():
        image = f"k8s.gcr.io/{comp}-amd64:{'3.1.12' if comp == 'etcd' else 'v1.10.13'}"
        probe = {
            "httpGet": {
                "host": "127.0.0.1",
                "port": 2379 if comp == "etcd" else 6443,
                "path": "/healthz",
                "scheme": "HTTPS" if comp == "kube-apiserver" else "HTTP",
            },
            "initialDelaySeconds": 15,
            "timeoutSeconds": 15,
            "failureThreshold": 8,
        }
        resources: dict[str, Any] = {"requests": {"cpu": cpu[comp]}} if cpu[comp] else {}
        c = g.container(
            comp,
            image,
            command=cmd,
            resources=resources,
            livenessProbe=probe,
            volumeMounts=[{"name": "k8s-certs", "readOnly": True, "mountPath": "/etc/kubernetes/pki"}],
        )
        pod = g.pod(
            "kube-system",
            f"{comp}-cp-1",
            "cp-1",
            [c],
            mirror=True,
            host_network=True,
            labels={"component": comp, "tier": "control-plane"},
            tolerations=[{"operator": "Exists", "effect": "NoExecute"}],
            priority_class="system-cluster-critical",
            age_days=300,
            volumes=[{"name": "k8s-certs", "hostPath": {"path": "/etc/kubernetes/pki", "type": "DirectoryOrCreate"}}],
        )
        g.record_runtime(pod)


def daemonsets(g: Gen) -> None:
    for node, _, _ in NODES:
        tok = g.suffix()
        kp = g.container(
            "kube-proxy",
            "k8s.gcr.io/kube-proxy-amd64:v1.10.13",
            command=["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf"],
            securityContext={"privileged": True},
            volumeMounts=[
                {"name": "kube-proxy", "mountPath": "/var/lib/kube-proxy"},
                {"name": "xtables-lock", "mountPath": "/run/xtables.lock"},
                {"name": "lib-modules", "readOnly": True, "mountPath": "/lib/modules"},
                g.token_mount("kube-proxy", tok),
            ],
        )
        pod = g.pod(
            "kube-system",
            f"kube-proxy-{g.suffix()}",
            node,
            [kp],
            owner=("DaemonSet", "kube-proxy"),
            labels={"k8s-app": "kube-proxy"},
            sa="kube-proxy",
            host_network=True,
            tolerations=[
                *copy.deepcopy(DS_TOLERATIONS),
                {"key": "CriticalAddonsOnly", "operator": "Exists"},
                {"operator": "Exists"},
            ],
            priority_class="system-node-critical",
            age_days=200,
        )
        g.record_runtime(pod)

        tok = g.suffix()
        install = g.container(
            "install-cni",
            "quay.io/calico/cni:v3.1.3",
            command=["/install-cni.sh"],
            env=[
                {"name": "CNI_CONF_NAME", "value": "10-calico.conflist"},
                {
                    "name": "CNI_NETWORK_CONFIG",
                    "valueFrom": {"configMapKeyRef": {"name": "calico-config", "key": "cni_network_config"}},
                },
            ],
            volumeMounts=[{"name": "cni-bin-dir", "mountPath": "/host/opt/cni/bin"}, g.token_mount("calico-node", tok)],
        )
        calico = g.container(
            "calico-node",
            "quay.io/calico/node:v3.1.3",
            env=[
                {"name": "DATASTORE_TYPE", "value": "kubernetes"},
                {"name": "NODENAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}},
                {"name": "CALICO_IPV4POOL_CIDR", "value": "10.244.0.0/16"},
                {"name": "FELIX_HEALTHENABLED", "value": "true"},
            ],
            securityContext={"privileged": True},
            resources={"requests": {"cpu": "250m"}},
            livenessProbe={
                "httpGet": {"path": "/liveness", "port": 9099},
                "initialDelaySeconds": 10,
                "failureThreshold": 6,
            },
            readinessProbe={"httpGet": {"path": "/readiness", "port": 9099}},
            volumeMounts=[
                {"name": "lib-modules", "readOnly": True, "mountPath": "/lib/modules"},
                {"name": "var-run-calico", "mountPath": "/var/run/calico"},
                g.token_mount("calico-node", tok),
            ],
        )
        pod = g.pod(
            "kube-system",
            f"calico-node-{g.suffix()}",
            node,
            [calico],
            init=[install],
            owner=("DaemonSet", "calico-node"),
            labels={"k8s-app": "calico-node"},
            sa="calico-node",
            host_network=True,
            tolerations=[*copy.deepcopy(DS_TOLERATIONS), {"operator": "Exists", "effect": "NoSchedule"}],
            age_days=200,
        )
        g.record_runtime(pod)

        if node == "cp-1":
            continue
        tok = g.suffix()
        exporter = g.container(
            "node-exporter",
            "quay.io/prometheus/node-exporter:v0.16.0",
            args=["--path.procfs=/host/proc", "--path.sysfs=/host/sys"],
            ports=[{"name": "metrics", "containerPort": 9100, "hostPort": 9100}],
            securityContext={"runAsUser": 65534, "runAsNonRoot": True, "readOnlyRootFilesystem": True},
            resources={"limits": {"cpu": "200m", "memory": "50Mi"}},
            volumeMounts=[
                {"name": "proc", "readOnly": True, "mountPath": "/host/proc"},
                {"name": "sys", "readOnly": True, "mountPath": "/host/sys"},
                g.token_mount("node-exporter", tok),
            ],
        )
        pod = g.pod(
            "monitoring",
            f"node-exporter-{g.suffix()}",
            node,
            [exporter],
            owner=("DaemonSet", "node-exporter"),
            labels={"app": "node-exporter"},
            sa="node-exporter",
            host_network=True,
            tolerations=copy.deepcopy(DS_TOLERATIONS),
            age_days=120,
        )
        g.record_runtime(pod)


APPS = [
    # (namespace, name, image, replicas, port, cpu limit, memory limit, probes, security context, sidecar)
    (
        "kube-system",
        "coredns",
        "k8s.gcr.io/coredns:1.1.3",
        2,
        53,
        None,
        "170Mi",
        True,
        {
            "allowPrivilegeEscalation": False,
            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["all"]},
            "readOnlyRootFilesystem": True,
        },
        None,
    ),
    (
        "ingress-nginx",
        "nginx-ingress-controller",
        "quay.io/kubernetes-ingress-controller/nginx-ingress-controller:0.17.1",
        3,
        80,
        "1",
        "512Mi",
        True,
        {"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}, "runAsUser": 33},
        None,
    ),
    ("shop", "frontend", "registry.example.com/shop/frontend:2.4.1", 12, 8080, "500m", "256Mi", True, None, None),
    ("shop", "cart", "registry.example.com/shop/cart:1.9.0", 8, 7070, "0.3", "128Mi", True, None, None),
    ("shop", "checkout", "registry.example.com/shop/checkout:3.0.2", 6, 5050, "1000m", "1Gi", True, None, "envoy"),
    ("shop", "catalog", "registry.example.com/shop/catalog:latest", 10, 3550, "250m", "300M", True, None, None),
    (
        "shop",
        "recommendation",
        "registry.example.com/shop/recommendation:1.2.0",
        4,
        8080,
        "2",
        "2Gi",
        False,
        None,
        None,
    ),
    (
        "payments",
        "payments-api",
        "registry.example.com/payments/api:5.1.0",
        6,
        8443,
        "1",
        "768Mi",
        True,
        {"runAsNonRoot": True, "runAsUser": 10001},
        "envoy",
    ),
    ("payments", "fraud-scorer", "registry.example.com/payments/fraud:0.9.3", 1, 9000, "4", "8Gi", True, None, None),
    ("analytics", "dashboard", "grafana/grafana:5.2.4", 1, 3000, "200m", "200Mi", True, None, None),
    ("analytics", "ingest", "registry.example.com/analytics/ingest:1.0.0", 14, 8000, "500m", "512Mi", True, None, None),
    (
        "monitoring",
        "prometheus-operator",
        "quay.io/coreos/prometheus-operator:v0.23.2",
        1,
        8080,
        "200m",
        "100Mi",
        False,
        {"runAsNonRoot": True, "runAsUser": 65534},
        None,
    ),
    (
        "monitoring",
        "kube-state-metrics",
        "quay.io/coreos/kube-state-metrics:v1.3.1",
        1,
        8080,
        None,
        None,
        True,
        None,
        None,
    ),
    ("default", "hello-world", "nginxdemos/hello", 3, 80, None, None, False, None, None),
    (
        "tools",
        "jenkins",
        "jenkins/jenkins:2.138.1-alpine",
        1,
        8080,
        "2",
        "4Gi",
        True,
        {"runAsUser": 1000, "fsGroup": None},
        None,
    ),
    ("tools", "gitlab-runner", "gitlab/gitlab-runner:alpine-v11.2.0", 2, 9252, "500m", "256Mi", False, None, None),
    ("shop", "mail-relay", "registry.example.com/shop/mail-relay:0.4.0", 2, 2525, "100m", "64Mi", False, None, None),
]


def _app_container(
    name: str,
    image: str,
    port: int,
    cpu: str | None,
    mem: str | None,
    probes: bool,
    sc: dict[str, Any] | None,
    tok: str,
    sa: str,
) -> dict[str, Any]:
    limits = {k: v for k, v in (("cpu", cpu), ("memory", mem)) if v}
    extra: dict[str, Any] = {
        "ports": [{"name": "http" if port not in (53, 2525) else "main", "containerPort": port}],
        "env": [
            {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
            {
                "name": "POD_NAMESPACE",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
            },
            {"name": "LOG_LEVEL", "value": "info"},
        ],
        "resources": {"limits": limits} if limits else {},
        "volumeMounts": [g_token(sa, tok)],
    }
    if sc is not None:
        extra["securityContext"] = {k: v for k, v in sc.items() if v is not None and k != "fsGroup"}
    if probes:
        extra["livenessProbe"] = {"httpGet": {"path": "/healthz", "port": port}, "initialDelaySeconds": 30}
        extra["readinessProbe"] = {"httpGet": {"path": "/ready", "port": port}, "periodSeconds": 5}
    return Gen.container(name, image, **extra)


def g_token(sa: str, tok: str) -> dict[str, Any]:
    return Gen.token_mount(sa, tok)


def _envoy(tok: str, sa: str) -> dict[str, Any]:
    return Gen.container(
        "envoy",
        "envoyproxy/envoy-alpine:v1.7.1",
        command=["envoy", "-c", "/etc/envoy/envoy.yaml", "--service-cluster", "$(POD_NAMESPACE)"],
        env=[
            {
                "name": "POD_NAMESPACE",
                "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}},
            }
        ],
        ports=[{"name": "admin", "containerPort": 9901}],
        resources={"limits": {"cpu": "100m", "memory": "64Mi"}, "requests": {"cpu": "10m", "memory": "32Mi"}},
        volumeMounts=[{"name": "envoy-config", "mountPath": "/etc/envoy"}, g_token(sa, tok)],
    )


def deployments(g: Gen) -> None:
    for ns, name, image, replicas, port, cpu, mem, probes, sc, sidecar in APPS:
        sa = name if ns in ("kube-system", "monitoring", "ingress-nginx") else "default"
        tok = g.suffix()
        rs = f"{name}-{g.rng.randint(10**8, 10**9 - 1):x}"[: len(name) + 10]
        template = [_app_container(name, image, port, cpu, mem, probes, sc, tok, sa)]
        if sidecar:
            template.append(_envoy(tok, sa))
        vols = [{"name": f"{sa}-token-{tok}", "secret": {"secretName": f"{sa}-token-{tok}", "defaultMode": 420}}]
        if replicas > 1 and ns not in ("kube-system", "ingress-nginx"):
            replicas *= REPLICA_SCALE
        for i in range(replicas):
            node = WORKERS[(i + len(name)) % len(WORKERS)] if ns != "kube-system" else WORKERS[i % 2]
            pod = g.pod(
                ns,
                f"{rs}-{g.suffix()}",
                node,
                copy.deepcopy(template),
                owner=("ReplicaSet", rs),
                labels={"app": name, "pod-template-hash": rs.rsplit("-", 1)[-1]},
                sa=sa,
                volumes=copy.deepcopy(vols),
                age_days=g.rng.uniform(2, 90),
            )
            g.record_runtime(pod)


def statefulsets(g: Gen) -> None:
    sets = [
        ("databases", "postgres", "postgres:10.5", 1, {"cpu": "2", "memory": "4Gi"}, None),
        ("databases", "redis", "redis:4.0.11", 3, {"cpu": "500m", "memory": "1Gi"}, None),
        ("messaging", "kafka", "confluentinc/cp-kafka:4.1.2", 3, {"cpu": "1500m", "memory": "6Gi"}, None),
        ("messaging", "zookeeper", "k8s.gcr.io/kubernetes-zookeeper:1.0-3.4.10", 3, {"memory": "1Gi"}, None),
        (
            "analytics",
            "spark-history",
            "registry.example.com/analytics/spark-history:2.3.1",
            1,
            {"cpu": "1", "memory": "2Gi"},
            {"disktype": "ssd"},
        ),
    ]
    for ns, name, image, replicas, limits, selector in sets:
        tok = g.suffix()
        perms = Gen.container(
            "volume-permissions",
            "busybox:1.29",
            command=["sh", "-c", f"chown -R 999:999 /var/lib/{name}"],
            securityContext={"runAsUser": 0},
            volumeMounts=[{"name": "data", "mountPath": f"/var/lib/{name}"}, g_token("default", tok)],
        )
        main = Gen.container(
            name,
            image,
            ports=[{"name": "main", "containerPort": 5432 if name == "postgres" else 6379}],
            resources={"limits": dict(limits)},
            readinessProbe={"exec": {"command": ["sh", "-c", "exit 0"]}, "initialDelaySeconds": 5},
            volumeMounts=[{"name": "data", "mountPath": f"/var/lib/{name}"}, g_token("default", tok)],
        )
        for i in range(replicas):
            node = "worker-2" if name == "spark-history" else WORKERS[(i + 1) % len(WORKERS)]
            pod = g.pod(
                ns,
                f"{name}-{i}",
                node,
                [copy.deepcopy(main)],
                init=[copy.deepcopy(perms)],
                owner=("StatefulSet", name),
                labels={"app": name, "statefulset.kubernetes.io/pod-name": f"{name}-{i}"},
                node_selector=selector,
                age_days=g.rng.uniform(30, 200),
                volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": f"data-{name}-{i}"}}],
            )
            g.record_runtime(pod)


def jobs_and_bare_pods(g: Gen) -> None:
    for i in range(6):
        tok = g.suffix()
        c = Gen.container(
            "export",
            "registry.example.com/batch/export:1.4.0",
            args=["--day", f"2019-02-{20 + i}"],
            resources={"limits": {"cpu": "500m", "memory": "1Gi"}},
            volumeMounts=[g_token("default", tok)],
        )
        job = f"nightly-export-{1550620800 + i * 86400}"
        g.pod(
            "batch",
            f"{job}-{g.suffix()}",
            WORKERS[i % len(WORKERS)],
            [c],
            owner=("Job", job),
            labels={"job-name": job},
            phase="Succeeded",
            age_days=8 - i,
        )
    # Old pods from before DefaultTolerationSeconds: no not-ready/unreachable tolerations.
    for i in range(3):
        tok = g.suffix()
        c = Gen.container(
            "exporter",
            "registry.example.com/batch/metrics-exporter:0.2.0",
            ports=[{"containerPort": 9102}],
            volumeMounts=[g_token("default", tok)],
        )
        pod = g.pod("batch", f"legacy-exporter-{i}", WORKERS[i], [c], tolerations=[], age_days=600 + i)
        g.record_runtime(pod)
    # A bare pod whose image was edited after its container started (kubectl set image on a pod).
    tok = g.suffix()
    before = Gen.container(
        "runner", "registry.example.com/reports/runner:1.0.0", volumeMounts=[g_token("default", tok)]
    )
    after = dict(before, image="registry.example.com/reports/runner:1.0.1")
    pod = g.pod("default", "legacy-report-runner", "worker-1", [after], age_days=45)
    g.record_runtime(pod, original={"runner": before})
    # A single debugging pod and a pod that never got scheduled.
    tok = g.suffix()
    dbg = Gen.container(
        "shell",
        "nicolaka/netshoot:latest",
        command=["sleep", "infinity"],
        stdin=True,
        tty=True,
        volumeMounts=[g_token("default", tok)],
    )
    pod = g.pod("default", "debug-shell", "worker-3", [dbg], age_days=3)
    g.record_runtime(pod)
    big = Gen.container(
        "trainer",
        "registry.example.com/ml/trainer:0.1.0",
        resources={"limits": {"memory": "64Gi"}},
        volumeMounts=[g_token("default", g.suffix())],
    )
    g.pod("analytics", "model-trainer", None, [big], age_days=1)


def _dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=str(Path(__file__).parent / "cluster"))
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args(argv)
    pods, nodes, runtime = build(args.seed)
    out = Path(args.out)
    (out / "runtime").mkdir(parents=True, exist_ok=True)
    (out / "pods.json").write_text(_dump(pods))
    (out / "nodes.json").write_text(_dump(nodes))
    for node, records in runtime.items():
        (out / "runtime" / node).mkdir(exist_ok=True)
        (out / "runtime" / node / "docker-inspect.json").write_text(_dump(records))
    n_containers = sum(len(p["spec"]["containers"]) + len(p["spec"].get("initContainers", [])) for p in pods["items"])
    print(f"{out}: {len(pods['items'])} pods, {n_containers} containers, {len(nodes['items'])} nodes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
