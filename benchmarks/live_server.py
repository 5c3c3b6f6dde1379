"""A fake Kubernetes API server on 127.0.0.1 that serves a generated cluster's pods and nodes, for the
live-cluster benchmark (``benchmarks/inputs.py``).

    python benchmarks/live_server.py PODS.json NODES.json KUBECONFIG   # prints the URL, serves until killed

Pods are served like ``/api/v1/pods``: ``limit``/``continue`` pagination, compact JSON, items pre-encoded
once (msgspec ``Raw`` slices of the dump), so the server's own cost per page is a join of bytes -- the
benchmark measures kubehash, not the server. A kubeconfig pointing at it (plain http, a bearer token) is
written to KUBECONFIG.
"""

from __future__ import annotations

import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec

TOKEN = "bench-token"


class _List(msgspec.Struct):
    items: list[msgspec.Raw] = []


def load_items(path: str) -> list[bytes]:
    """Every item of a List dump as compact JSON bytes (``kind``/``apiVersion`` dropped, as a list response
    carries them once)."""
    raw = msgspec.json.decode(Path(path).read_bytes(), type=_List).items
    out = []
    for item in raw:
        doc = msgspec.json.decode(item)
        doc.pop("kind", None)
        doc.pop("apiVersion", None)
        out.append(msgspec.json.encode(doc))
    return out


def handler(pods: list[bytes], nodes: list[bytes]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self._send(401, b'{"kind":"Status","message":"Unauthorized"}')
                return
            items = pods if url.path == "/api/v1/pods" else nodes if url.path == "/api/v1/nodes" else None
            if items is None:
                self._send(404, b'{"kind":"Status","message":"not found"}')
                return
            start = int(query.get("continue", "0") or 0)
            limit = int(query.get("limit", len(items) or 1))
            page = items[start : start + limit]
            token = str(start + limit) if start + limit < len(items) else ""
            kind = b"NodeList" if items is nodes else b"PodList"
            meta = json.dumps({"resourceVersion": "1", **({"continue": token} if token else {})}).encode()
            body = b'{"kind":"' + kind + b'","apiVersion":"v1","metadata":' + meta + b',"items":['
            body += b",".join(page) + b"]}"
            self._send(200, body)

        def _send(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


def write_kubeconfig(path: Path, server: str) -> None:
    cfg = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "bench", "cluster": {"server": server}}],
        "users": [{"name": "bench", "user": {"token": TOKEN}}],
        "contexts": [{"name": "bench", "context": {"cluster": "bench", "user": "bench"}}],
        "current-context": "bench",
    }
    path.write_text(json.dumps(cfg), encoding="utf-8")


def main() -> None:
    pods, nodes, kubeconfig = sys.argv[1:4]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler(load_items(pods), load_items(nodes)))
    url = f"http://127.0.0.1:{server.server_address[1]}"
    write_kubeconfig(Path(kubeconfig), url)
    print(url, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
