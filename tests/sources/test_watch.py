"""ClusterWatch: the real ``kubernetes`` client's Watch against the fake API server streaming watch events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeapi import PROXY_VARIABLES, FakeApi, bookmark, event, gone, node, running_pod, serve, write_kubeconfig

from kubehash.errors import ClusterError
from kubehash.sources.cluster import LiveCluster
from kubehash.sources.watch import Change, ClusterWatch, Failure, Item, Notice

PODS, NODES = "/api/v1/pods", "/api/v1/nodes"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def api() -> Iterator[FakeApi]:
    with serve() as a:
        a.pods = [running_pod("a"), running_pod("b")]
        a.nodes = [node("node-a")]
        yield a


def start(api: FakeApi, tmp_path: Path, **kw: object) -> tuple[ClusterWatch, list[dict], list[dict]]:
    live = LiveCluster(str(write_kubeconfig(tmp_path / "config", api.url)), backoff=0.01, request_timeout=5)
    w = ClusterWatch(live, watch_seconds=2, **kw)  # type: ignore[arg-type]
    pods, nodes = w.start()
    return w, pods, nodes


def collect(w: ClusterWatch, until: float, stop_when: object = None) -> list[Item]:
    """Items until ``until`` seconds have passed (or ``stop_when(items)`` is true); then the watch is closed."""
    items: list[Item] = []
    end = time.monotonic() + until
    try:
        while time.monotonic() < end:
            item = w.get(0.05)
            if item is not None:
                items.append(item)
            if stop_when is not None and stop_when(items):  # type: ignore[operator]
                break
    finally:
        w.close()
    return items


def watch_queries(api: FakeApi, path: str) -> list[dict[str, str]]:
    return [q for p, q in api.requests if p == path and q.get("watch") == "true"]


def test_list_then_watch_resumes_from_the_last_resource_version(api: FakeApi, tmp_path: Path) -> None:
    api.watches[PODS] = [
        [event("MODIFIED", running_pod("a", restarts=1), "101"), event("DELETED", running_pod("b"), "102")],
        [bookmark("150")],
    ]
    w, pods, nodes = start(api, tmp_path)
    assert [p["metadata"]["name"] for p in pods] == ["a", "b"] and len(nodes) == 1
    items = collect(w, 3, lambda its: len(watch_queries(api, PODS)) >= 3)
    changes = [(i.type, i.object["metadata"]["name"]) for i in items if isinstance(i, Change) and i.resource == "pod"]
    assert changes == [("MODIFIED", "a"), ("DELETED", "b")]
    versions = [q["resourceVersion"] for q in watch_queries(api, PODS)]
    assert versions[:3] == ["100", "102", "150"]  # the list's, the last event's, the bookmark's
    q = watch_queries(api, PODS)[0]
    assert q["allowWatchBookmarks"] == "true" and q["timeoutSeconds"] == "2"


def test_410_mid_stream_relists_and_synthesises_deletes(api: FakeApi, tmp_path: Path) -> None:
    api.watches[PODS] = [[event("MODIFIED", running_pod("a", restarts=1), "101"), gone()]]
    w, _, _ = start(api, tmp_path)
    api.pods = [running_pod("a", restarts=2)]  # b went away while the watch was broken
    api.resource_version = "300"
    items = collect(w, 3, lambda its: any(isinstance(i, Change) and i.type == "DELETED" for i in its))
    pods = [i for i in items if isinstance(i, (Change, Notice)) and i.resource == "pod"]
    assert isinstance(pods[1], Notice) and "410 Gone" in pods[1].text
    kinds = [(i.type, i.object["metadata"]["name"]) for i in pods if isinstance(i, Change)]
    assert kinds == [("MODIFIED", "a"), ("SYNC", "a"), ("DELETED", "b")]
    deadline = time.monotonic() + 2
    while len(watch_queries(api, PODS)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert w.pods.relists == 1


def test_410_status_on_watch_start_relists(api: FakeApi, tmp_path: Path) -> None:
    api.watches[NODES] = [[("status", 410)], [event("MODIFIED", node("node-a", "v1.30.14"), "201")]]
    w, _, _ = start(api, tmp_path)
    items = collect(w, 3, lambda its: any(isinstance(i, Change) and i.type == "MODIFIED" for i in its))
    nodes = [i for i in items if i.resource == "node"]
    assert isinstance(nodes[0], Notice)
    assert [i.type for i in nodes if isinstance(i, Change)] == ["SYNC", "MODIFIED"]
    assert [p for p, q in api.requests if p == NODES and "watch" not in q] == [NODES, NODES]  # listed twice


def test_server_errors_are_retried_then_given_up(api: FakeApi, tmp_path: Path) -> None:
    api.watches[NODES] = [[("status", 503)] for _ in range(4)]
    w, _, _ = start(api, tmp_path)
    w.nodes.max_failures = 2
    items = collect(w, 3, lambda its: any(isinstance(i, Failure) for i in its))
    notices = [i for i in items if isinstance(i, Notice) and i.resource == "node"]
    assert len(notices) == 2 and "HTTP 503" in notices[0].text
    [failure] = [i for i in items if isinstance(i, Failure)]
    assert api.url in str(failure.error) and "gave up after 3 attempts" in str(failure.error)


def test_unauthorized_watch_fails_at_once(api: FakeApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w, _, _ = start(api, tmp_path)
    w.close()
    cfg = write_kubeconfig(tmp_path / "bad", api.url, token="nope")
    live = LiveCluster(str(cfg), backoff=0.01)
    api.fail[PODS] = []
    w2 = ClusterWatch(live, watch_seconds=2)
    with pytest.raises(ClusterError, match="401"):
        w2.start()  # the list already says so
    w2.nodes.resource_version = "100"  # a watch that lost its credentials mid-way
    w2.nodes.run()
    item = w2.queue.get(timeout=1)
    assert isinstance(item, Failure) and "unauthorized (401)" in str(item.error)


def test_close_interrupts_a_quiet_stream_promptly(api: FakeApi, tmp_path: Path) -> None:
    api.watches[PODS] = [[("sleep", 5.0)]]
    api.watches[NODES] = [[("sleep", 5.0)]]
    w, _, _ = start(api, tmp_path)
    deadline = time.monotonic() + 2
    while len(api.requests) < 4 and time.monotonic() < deadline:  # both watches are open
        time.sleep(0.02)
    t0 = time.monotonic()
    w.close(wait=3)
    assert time.monotonic() - t0 < 1.0
    assert not any(t.is_alive() for t in w._threads)
    assert w.queue.empty()  # a stream shut on purpose is no failure


def test_unreachable_server_names_it(tmp_path: Path) -> None:
    cfg = write_kubeconfig(tmp_path / "config", "http://127.0.0.1:9")
    live = LiveCluster(str(cfg), backoff=0.01, max_attempts=2, request_timeout=1)
    with pytest.raises(ClusterError, match=r"127\.0\.0\.1:9"):
        ClusterWatch(live).start()


def test_namespaced_watch(api: FakeApi, tmp_path: Path) -> None:
    path = "/api/v1/namespaces/default/pods"
    api.watches[path] = [[event("MODIFIED", running_pod("a", restarts=1), "101")]]
    w, pods, _ = start(api, tmp_path, namespace="default")
    items = collect(w, 3, lambda its: any(isinstance(i, Change) and i.resource == "pod" for i in its))
    assert len(pods) == 2 and any(isinstance(i, Change) and i.object["metadata"]["name"] == "a" for i in items)
    assert watch_queries(api, path)
