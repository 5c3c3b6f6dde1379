"""LiveCluster: the real ``kubernetes`` client against a fake API server on a random local port."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeapi import PROXY_VARIABLES, FakeApi, node, pod, serve, write_kubeconfig
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubehash.errors import ClusterError
from kubehash.golang.jsonvalue import RawFloat
from kubehash.sources.cluster import LiveCluster, _retry_after


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def api() -> Iterator[FakeApi]:
    with serve() as a:
        yield a


@pytest.fixture
def kubeconfig(api: FakeApi, tmp_path: Path) -> Path:
    return write_kubeconfig(tmp_path / "config", api.url)


def cluster(kubeconfig: Path, sleeps: list[float] | None = None, **kw: object) -> LiveCluster:
    rec = sleeps if sleeps is not None else []
    return LiveCluster(str(kubeconfig), sleep=rec.append, **kw)  # type: ignore[arg-type]


def names(items: list[dict]) -> list[str]:
    return [i["metadata"]["name"] for i in items]


def test_pods_all_namespaces_paginated(api: FakeApi, kubeconfig: Path) -> None:
    api.pods = [pod(f"p{i}", ns="a" if i % 2 else "b") for i in range(7)]
    c = cluster(kubeconfig, page_size=3)
    items = list(c.iter_pods())
    assert names(items) == [f"p{i}" for i in range(7)]
    assert all(i["kind"] == "Pod" and i["apiVersion"] == "v1" for i in items)
    assert [(p, q.get("continue"), q.get("limit")) for p, q in api.requests] == [
        ("/api/v1/pods", None, "3"),
        ("/api/v1/pods", "tok-3", "3"),
        ("/api/v1/pods", "tok-6", "3"),
    ]
    assert c.context_name == "fake"
    assert c.server == api.url


def test_pods_one_namespace_and_nodes(api: FakeApi, kubeconfig: Path) -> None:
    api.pods = [pod("x", ns="a"), pod("y", ns="b"), pod("z", ns="a")]
    api.nodes = [node("n1"), node("n2", "v1.30.1")]
    c = cluster(kubeconfig, page_size=1)
    assert names(list(c.iter_pods("a"))) == ["x", "z"]
    nodes = list(c.iter_nodes())
    assert names(nodes) == ["n1", "n2"]
    assert nodes[1]["kind"] == "Node" and nodes[1]["status"]["nodeInfo"]["kubeletVersion"] == "v1.30.1"
    assert [p for p, _ in api.requests] == ["/api/v1/namespaces/a/pods"] * 2 + ["/api/v1/nodes"] * 2


def test_raw_json_is_kept_exactly(api: FakeApi, kubeconfig: Path) -> None:
    api.pods = [pod("x")]
    api.raw_pods = (
        b'{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"x","uid":"u"},'
        b'"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":1.50,"memory":"1Gi"}}}],'
        b'"futureField":{"z":1e3}}}]}'
    )
    (item,) = list(cluster(kubeconfig).iter_pods())
    cpu = item["spec"]["containers"][0]["resources"]["limits"]["cpu"]
    assert isinstance(cpu, RawFloat) and cpu.text == "1.50"
    assert item["spec"]["futureField"]["z"].text == "1e3"  # unknown fields survive
    assert "status" not in item  # no model object filled in defaults


def test_expired_continue_relists_and_skips_seen(api: FakeApi, kubeconfig: Path) -> None:
    api.pods = [pod(f"p{i}") for i in range(5)]
    api.expired = {"tok-2"}

    def mutate(path: str, query: dict[str, str]) -> None:
        if query.get("continue") == "tok-2" and "tok-2" in api.expired:
            api.pods.insert(0, pod("new"))  # the world moved on while the token expired

    api.on_request = mutate
    items = list(cluster(kubeconfig, page_size=2).iter_pods())
    assert names(items) == ["p0", "p1", "new", "p2", "p3", "p4"]
    assert len({i["metadata"]["uid"] for i in items}) == len(items)
    assert [q.get("continue") for _, q in api.requests] == [None, "tok-2", None, "tok-2", "tok-4"]


def test_410_on_first_request_is_an_error(api: FakeApi, kubeconfig: Path) -> None:
    api.fail["/api/v1/pods"] = [(410, {})]
    with pytest.raises(ClusterError, match="410 Gone on the first page"):
        list(cluster(kubeconfig).iter_pods())


def test_410_every_time_gives_up(api: FakeApi, kubeconfig: Path) -> None:
    api.pods = [pod(f"p{i}") for i in range(3)]

    def expire(path: str, query: dict[str, str]) -> None:
        if query.get("continue") is None:
            api.expired.add("tok-1")

    api.on_request = expire
    with pytest.raises(ClusterError, match=r"expired \(410 Gone\) 3 times before it was complete"):
        list(cluster(kubeconfig, page_size=1, max_relists=2).iter_pods())
    assert len(api.requests) == 6  # (first page, expired continue) x 3


def test_429_honours_retry_after(api: FakeApi, kubeconfig: Path) -> None:
    api.pods = [pod("a")]
    api.fail["/api/v1/pods"] = [(429, {"Retry-After": "7"}), (429, {"Retry-After": "2"})]
    sleeps: list[float] = []
    assert names(list(cluster(kubeconfig, sleeps).iter_pods())) == ["a"]
    assert sleeps == [7.0, 2.0]
    assert len(api.requests) == 3


def test_5xx_backs_off_exponentially(api: FakeApi, kubeconfig: Path) -> None:
    api.pods = [pod("a"), pod("b")]
    api.fail["/api/v1/pods"] = [(500, {}), (503, {}), (502, {})]
    sleeps: list[float] = []
    c = cluster(kubeconfig, sleeps, backoff=0.25)
    assert names(list(c.iter_pods())) == ["a", "b"]
    assert sleeps == [0.25, 0.5, 1.0]
    assert c.requests == [("/api/v1/pods", None)] * 4


def test_5xx_gives_up_after_bounded_attempts(api: FakeApi, kubeconfig: Path) -> None:
    api.fail["/api/v1/nodes"] = [(500, {})] * 10
    sleeps: list[float] = []
    with pytest.raises(ClusterError, match=r"HTTP 500: injected failure 500 \(gave up after 3 attempts\)"):
        list(cluster(kubeconfig, sleeps, max_attempts=3).iter_nodes())
    assert len(sleeps) == 2 and len(api.requests) == 3


def test_401_is_one_clear_error(api: FakeApi, tmp_path: Path) -> None:
    cfg = write_kubeconfig(tmp_path / "config", api.url, token="wrong")
    with pytest.raises(ClusterError) as e:
        list(cluster(cfg).iter_pods())
    msg = str(e.value)
    assert "unauthorized (401)" in msg and "context fake" in msg and api.url in msg
    assert len(api.requests) == 1  # not retried


def test_403_carries_the_status_message(api: FakeApi, kubeconfig: Path) -> None:
    api.fail["/api/v1/pods"] = [(403, {})]
    with pytest.raises(ClusterError, match=r"forbidden \(403\): injected failure 403"):
        list(cluster(kubeconfig).iter_pods())


def test_unreachable_server(tmp_path: Path) -> None:
    with serve() as a:
        url = a.url
    cfg = write_kubeconfig(tmp_path / "config", url)  # server already shut down: connection refused
    sleeps: list[float] = []
    with pytest.raises(ClusterError, match="cannot reach the server") as e:
        list(cluster(cfg, sleeps, max_attempts=2).iter_pods())
    assert "Traceback" not in str(e.value) and len(sleeps) == 1


def test_missing_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(ClusterError, match="no kubeconfig found at"):
        LiveCluster(str(tmp_path / "nope"))
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "also-nope"))
    with pytest.raises(ClusterError, match="also-nope"):
        LiveCluster()


def test_unknown_context(kubeconfig: Path) -> None:
    with pytest.raises(ClusterError, match="cannot use kubeconfig"):
        LiveCluster(str(kubeconfig), context="elsewhere")


def test_in_cluster_auto_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # no kubeconfig, service-account env present: the in-cluster loader is used (and fails cleanly here,
    # since there is no token file on this machine)
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    with pytest.raises(ClusterError, match="in-cluster service account"):
        LiveCluster()


def test_retry_after_forms() -> None:
    assert _retry_after({"Retry-After": "5"}) == 5.0
    assert _retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:10 GMT"}, now=lambda: 1445412480.0) == 10.0
    assert _retry_after({"Retry-After": "soon"}) is None
    assert _retry_after(None) is None


def test_in_cluster_explicit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kubernetes.config import incluster_config

    (tmp_path / "token").write_text("sa-token")
    (tmp_path / "ca.crt").write_text("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
    monkeypatch.setattr(incluster_config, "SERVICE_TOKEN_FILENAME", str(tmp_path / "token"))
    monkeypatch.setattr(incluster_config, "SERVICE_CERT_FILENAME", str(tmp_path / "ca.crt"))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    c = LiveCluster(kubeconfig="/nonexistent", in_cluster=True)  # in_cluster wins over a kubeconfig argument
    assert c.context_name == "in-cluster"
    assert c.server == "https://10.96.0.1:443"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 12), st.integers(1, 5), st.sets(st.integers(1, 11), max_size=3))
def test_pagination_yields_every_item_once_in_order(
    api: FakeApi, kubeconfig: Path, n: int, page: int, expire_at: set[int]
) -> None:
    api.requests.clear()
    api.pods = [pod(f"p{i}") for i in range(n)]
    api.expired = {f"tok-{k}" for k in expire_at}
    items = list(cluster(kubeconfig, page_size=page, max_relists=5).iter_pods())
    assert names(items) == [f"p{i}" for i in range(n)]
    hit = {f"tok-{k}" for k in expire_at if k % page == 0 and k < n}  # tokens the client actually sent
    assert api.expired == {f"tok-{k}" for k in expire_at} - hit
    pages = -(-n // page) if n else 1
    assert len(api.requests) >= pages
