"""A tiny fake Kubernetes API server (``http.server`` in a thread) for the live-cluster tests.

Serves ``/api/v1/pods``, ``/api/v1/namespaces/{ns}/pods`` and ``/api/v1/nodes`` as JSON lists with
``limit``/``continue`` pagination (tokens ``tok-<offset>``), checks a bearer token, and plays scripted
failures: ``fail`` maps a path to responses (status, headers) returned before the real one; continue tokens
in ``expired`` get one 410 Gone. Every request is recorded as (path, query dict).

A request with ``watch=1``/``watch=true`` plays the next script of ``watches[path]`` as a chunked stream of
JSON lines (one watch event each, as the apiserver sends them): each step is an event dict (see
:func:`event`, :func:`bookmark`, :func:`gone`), ``("sleep", seconds)``, or -- as the first step --
``("status", code)`` to refuse the watch with that HTTP status. The stream ends after the last step (the
server's watch timeout). With no script left, the watch stays open and silent for ``idle`` seconds (at most
its ``timeoutSeconds``) and ends. Lists answer with ``metadata.resourceVersion`` = ``resource_version``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

TOKEN = "good-token"


class FakeApi:
    def __init__(self) -> None:
        self.pods: list[dict[str, Any]] = []
        self.nodes: list[dict[str, Any]] = []
        self.fail: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.expired: set[str] = set()
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.raw_pods: bytes | None = None  # when set, served verbatim for unpaginated /api/v1/pods
        self.on_request: Any = None  # called with (path, query) before answering
        self.lock = threading.Lock()
        self.url = ""
        self.resource_version = "100"
        self.watches: dict[str, list[list[Any]]] = {}
        self.idle = 0.3

    def items(self, path: str) -> list[dict[str, Any]] | None:
        if path == "/api/v1/pods":
            return self.pods
        if path == "/api/v1/nodes":
            return self.nodes
        parts = path.strip("/").split("/")
        if len(parts) == 5 and parts[:3] == ["api", "v1", "namespaces"] and parts[4] == "pods":
            return [p for p in self.pods if p["metadata"].get("namespace") == parts[3]]
        return None


def _handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            pass

        def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _status(self, code: int, reason: str, message: str, headers: dict[str, str] | None = None) -> None:
            body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message, "reason": reason}
            self._send(code, body, headers)

        def _watch(self, path: str, query: dict[str, str]) -> None:
            with api.lock:
                scripts = api.watches.get(path)
                script = list(scripts.pop(0)) if scripts else None
            if script and isinstance(script[0], tuple) and script[0][0] == "status":
                self._status(int(script[0][1]), "Injected", f"injected watch failure {script[0][1]}")
                return
            self.protocol_version = "HTTP/1.1"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            try:
                if script is None:
                    time.sleep(min(api.idle, float(query.get("timeoutSeconds", api.idle))))
                for step in script or ():
                    if isinstance(step, tuple):
                        time.sleep(float(step[1]))
                        continue
                    line = json.dumps(step).encode() + b"\n"
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                    self.wfile.flush()
                self.wfile.write(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):  # the client stopped watching
                pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if query.get("watch") in ("1", "true", "True"):
                with api.lock:
                    api.requests.append((url.path, query))
                    authorized = self.headers.get("Authorization") == f"Bearer {TOKEN}"
                if not authorized:
                    self._status(401, "Unauthorized", "Unauthorized")
                    return
                self._watch(url.path, query)
                return
            with api.lock:
                api.requests.append((url.path, query))
                if api.on_request is not None:
                    api.on_request(url.path, query)
                if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                    self._status(401, "Unauthorized", "Unauthorized")
                    return
                pending = api.fail.get(url.path)
                if pending:
                    code, headers = pending.pop(0)
                    self._status(code, "Injected", f"injected failure {code}", headers)
                    return
                token = query.get("continue")
                if token in api.expired:
                    api.expired.discard(token)
                    self._status(410, "Expired", "The provided continue parameter is too old")
                    return
                items = api.items(url.path)
                if items is None:
                    self._status(404, "NotFound", f"the server could not find {url.path}")
                    return
                if api.raw_pods is not None and url.path == "/api/v1/pods" and token is None:
                    self._send(200, api.raw_pods)
                    return
                start = int(token.removeprefix("tok-")) if token else 0
                limit = int(query.get("limit", len(items) or 1))
                page = items[start : start + limit]
                meta: dict[str, Any] = {"resourceVersion": api.resource_version}
                if start + limit < len(items):
                    meta["continue"] = f"tok-{start + limit}"
                kind = "NodeList" if url.path.endswith("nodes") else "PodList"
                self._send(200, {"kind": kind, "apiVersion": "v1", "metadata": meta, "items": page})

    return Handler


@contextmanager
def serve() -> Iterator[FakeApi]:
    api = FakeApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def write_kubeconfig(path: Path, server: str, token: str = TOKEN, context: str = "fake") -> Path:
    """A kubeconfig with one context pointing at ``server`` (plain http, bearer token)."""
    cfg = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "fake-cluster", "cluster": {"server": server}}],
        "users": [{"name": "fake-user", "user": {"token": token}}],
        "contexts": [{"name": context, "context": {"cluster": "fake-cluster", "user": "fake-user"}}],
        "current-context": context,
    }
    path.write_text(json.dumps(cfg), encoding="utf-8")
    return path


def pod(name: str, ns: str = "default", uid: str | None = None, cpu: Any = "100m") -> dict[str, Any]:
    return {
        "metadata": {"name": name, "namespace": ns, "uid": uid or f"uid-{ns}-{name}"},
        "spec": {
            "nodeName": "node-a",
            "containers": [{"name": "c", "image": "nginx", "resources": {"limits": {"cpu": cpu}}}],
        },
    }


def node(name: str, version: str = "v1.29.3") -> dict[str, Any]:
    return {"metadata": {"name": name, "uid": f"uid-node-{name}"}, "status": {"nodeInfo": {"kubeletVersion": version}}}


def running_pod(
    name: str, node_name: str = "node-a", ns: str = "default", restarts: int = 0, waiting: str | None = None
) -> dict[str, Any]:
    """A pod as the API serves it once its kubelet runs it: defaulted container, status with restartCount and
    a containerID that changes with every restart."""
    p = pod(name, ns)
    p["spec"]["nodeName"] = node_name
    p["spec"]["containers"][0].update(
        {"terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
         "imagePullPolicy": "Always", "resources": {"limits": {"cpu": "100m"}, "requests": {"cpu": "100m"}}}
    )  # fmt: skip
    started = {"running": {"startedAt": "2026-01-01T00:00:00Z"}}
    state: dict[str, Any] = {"waiting": {"reason": waiting}} if waiting else started
    p["status"] = {
        "phase": "Running",
        "containerStatuses": [
            {"name": "c", "restartCount": restarts, "containerID": f"containerd://{name}-{restarts}", "state": state,
             **({"lastState": {"terminated": {"reason": "Error", "exitCode": 137}}} if restarts else {})}
        ],
    }  # fmt: skip
    return p


def event(kind: str, obj: dict[str, Any], rv: str | None = None) -> dict[str, Any]:
    """A watch event; ``rv`` sets the object's ``metadata.resourceVersion``."""
    if rv is not None:
        obj = {**obj, "metadata": {**obj.get("metadata", {}), "resourceVersion": rv}}
    return {"type": kind, "object": obj}


def bookmark(rv: str, kind: str = "Pod") -> dict[str, Any]:
    """A BOOKMARK event: only the resourceVersion the watch has reached."""
    return {"type": "BOOKMARK", "object": {"kind": kind, "apiVersion": "v1", "metadata": {"resourceVersion": rv}}}


def gone(message: str = "too old resource version") -> dict[str, Any]:
    """The ERROR event an apiserver sends when the watch's resourceVersion is compacted away (410 Gone)."""
    return {
        "type": "ERROR",
        "object": {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message, "reason": "Expired",
                   "code": 410},
    }


PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
"""The kubernetes client honours these; the fake server on 127.0.0.1 must be reached directly."""
