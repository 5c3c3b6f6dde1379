"""Live reads always end (issue 17): a server that stalls, trickles its body, repeats its continue token or
answers 429/5xx forever costs a bounded time and ends in one ClusterError naming the server."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fakeapi import PROXY_VARIABLES, write_kubeconfig

from kubehash.errors import ClusterError
from kubehash.sources.cluster import LiveCluster

POD = {"metadata": {"name": "p", "namespace": "ns", "uid": "u1"}, "spec": {"nodeName": "n", "containers": []}}


@contextmanager
def fault_server(answer: Callable[[BaseHTTPRequestHandler, int], None]) -> Iterator[tuple[str, list[int]]]:
    """A server on 127.0.0.1 whose every GET is ``answer(handler, request_number)``."""
    calls: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            calls.append(len(calls))
            with suppress(BrokenPipeError, ConnectionResetError):
                answer(self, len(calls))

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", calls
    finally:
        server.shutdown()
        server.server_close()


def _send(h: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    h.send_response(status)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for v in PROXY_VARIABLES:
        monkeypatch.delenv(v, raising=False)


def _live(tmp_path: Path, url: str, **kw: Any) -> LiveCluster:
    kc = write_kubeconfig(tmp_path / "kc", url)
    return LiveCluster(kubeconfig=str(kc), sleep=lambda _s: None, **kw)


def test_a_server_that_never_answers_ends_within_the_request_timeout(tmp_path: Path) -> None:
    def stall(h: BaseHTTPRequestHandler, n: int) -> None:
        time.sleep(30)

    with fault_server(stall) as (url, _calls):
        live = _live(tmp_path, url, request_timeout=0.5, max_attempts=2)
        t0 = time.monotonic()
        with pytest.raises(ClusterError, match=r"127\.0\.0\.1") as e:
            list(live.iter_pods())
        assert time.monotonic() - t0 < 10
    assert "gave up after 2 attempts" in str(e.value)


def test_a_trickling_body_is_cut_at_the_request_timeout(tmp_path: Path) -> None:
    def trickle(h: BaseHTTPRequestHandler, n: int) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(1 << 22))
        h.end_headers()
        for _ in range(200):
            h.wfile.write(b" " * (1 << 14))  # some bytes every 50 ms: no socket read ever times out
            h.wfile.flush()
            time.sleep(0.05)

    with fault_server(trickle) as (url, _calls):
        live = _live(tmp_path, url, request_timeout=0.5, max_attempts=2)
        t0 = time.monotonic()
        with pytest.raises(ClusterError, match="longer than the request timeout"):
            list(live.iter_pods())
        assert time.monotonic() - t0 < 10


def test_a_small_body_dripping_a_byte_at_a_time_is_cut_at_the_request_timeout(tmp_path: Path) -> None:
    """A body smaller than one read chunk: reading waits for what has arrived, not for a full chunk."""
    body = json.dumps({"kind": "PodList", "metadata": {}, "items": []}).encode()

    def drip(h: BaseHTTPRequestHandler, n: int) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        for byte in body:
            h.wfile.write(bytes([byte]))
            h.wfile.flush()
            time.sleep(0.2)  # 48 bytes: ~10 s for the whole body

    with fault_server(drip) as (url, _calls):
        live = _live(tmp_path, url, request_timeout=0.5, max_attempts=2)
        t0 = time.monotonic()
        with pytest.raises(ClusterError, match="longer than the request timeout"):
            list(live.iter_pods())
        assert time.monotonic() - t0 < 8


def test_a_repeated_continue_token_ends_the_listing(tmp_path: Path) -> None:
    def same_token(h: BaseHTTPRequestHandler, n: int) -> None:
        _send(h, 200, {"kind": "PodList", "metadata": {"continue": "again"}, "items": [POD]})

    with fault_server(same_token) as (url, calls):
        live = _live(tmp_path, url)
        with pytest.raises(ClusterError, match="continue token 'again' again"):
            list(live.iter_pods())
    assert len(calls) == 2  # the first page, then the page that repeated its token


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_storm_of_retryable_errors_uses_up_one_budget(tmp_path: Path, status: int) -> None:
    def storm(h: BaseHTTPRequestHandler, n: int) -> None:
        if n == 1:  # the first page is fine, every later one fails
            _send(h, 200, {"kind": "PodList", "metadata": {"continue": "next"}, "items": [POD]})
        else:
            _send(h, status, {"kind": "Status", "message": "overloaded"})

    with fault_server(storm) as (url, calls):
        live = _live(tmp_path, url, retry_budget=5, max_attempts=100)
        with pytest.raises(ClusterError, match=rf"HTTP {status}.*5 retries used up"):
            list(live.iter_pods())
    assert len(calls) == 1 + 6  # the good page, then one try and five retries


def test_gone_storm_ends_after_the_relists(tmp_path: Path) -> None:
    def gone(h: BaseHTTPRequestHandler, n: int) -> None:
        if "continue=" in h.path:
            _send(h, 410, {"kind": "Status", "message": "too old"})
        else:
            _send(h, 200, {"kind": "PodList", "metadata": {"continue": f"t{n}"}, "items": [POD]})

    with fault_server(gone) as (url, calls):
        live = _live(tmp_path, url, max_relists=3)
        with pytest.raises(ClusterError, match="410 Gone"):
            list(live.iter_pods())
    assert len(calls) == 8  # first page + 410, three times re-listed


def test_cli_names_the_server_and_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from kubehash.cli import main

    def stall(h: BaseHTTPRequestHandler, n: int) -> None:
        time.sleep(30)

    with fault_server(stall) as (url, _calls):
        kc = write_kubeconfig(tmp_path / "kc", url)
        t0 = time.monotonic()
        code = main(["predict", "--to", "1.17", "--kubeconfig", str(kc), "--request-timeout", "300ms", "-q"])
        assert time.monotonic() - t0 < 30
    assert code == 2
    err = capsys.readouterr().err
    assert url.removeprefix("http://") in err and err.count("\n") == 1
