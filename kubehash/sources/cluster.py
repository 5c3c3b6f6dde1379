"""Pods and nodes from a live cluster, read through the official ``kubernetes`` Python client.

Responses are read as raw JSON (``_preload_content=False``) and parsed with kubehash's own loader, so
quantities, number literals and fields the client's models do not know stay exactly as the apiserver sent
them. Lists are paginated like ``kubectl get`` does (``limit``/``continue``); an expired continue token
(410 Gone, apiserver ≥ 1.9 list chunking) restarts the list from the beginning and skips objects already
yielded (by ``metadata.uid``); 429 and 5xx responses are retried with exponential backoff that honours
``Retry-After`` (as client-go does). Every failure the user can fix — no kubeconfig, unknown context,
401/403, an unreachable server — becomes one :class:`ClusterError` line.
"""

from __future__ import annotations

import email.utils
import os
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import timezone
from pathlib import Path
from typing import Any

import msgspec

from kubehash.errors import ClusterError
from kubehash.golang.jsonvalue import loads as json_loads

__all__ = ["ClusterError", "LiveCluster"]

#: Environment variable the kubelet sets in every pod; its presence means "running in a cluster".
SERVICE_HOST_ENV = "KUBERNETES_SERVICE_HOST"


def _default_kubeconfig() -> str:
    """``$KUBECONFIG`` (may list several files, as kubectl allows) or ``~/.kube/config``."""
    return os.environ.get("KUBECONFIG") or str(Path("~/.kube/config").expanduser())


def _kubeconfig_exists(spec: str) -> bool:
    return any(Path(p).expanduser().is_file() for p in spec.split(os.pathsep) if p)


def _status_message(body: Any) -> str:
    """The ``message`` of a metav1.Status error body, or a short excerpt of whatever came back."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if not isinstance(body, str) or not body.strip():
        return ""
    try:
        doc = json_loads(body)
    except ValueError:
        text = " ".join(body.split())
        return text[:200]
    if isinstance(doc, Mapping) and isinstance(message := doc.get("message"), str):
        return message
    return ""


def _retry_after(headers: Any, now: Callable[[], float] = time.time) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date), ``None`` when absent or unparsable."""
    if not headers:
        return None
    value = None
    for k, v in dict(headers).items():
        if str(k).lower() == "retry-after":
            value = str(v).strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, when.timestamp() - now())


class LiveCluster:
    """A cluster reached through a kubeconfig (or the pod's service account).

    ``in_cluster=None`` picks the service-account configuration when no kubeconfig file exists and
    ``KUBERNETES_SERVICE_HOST`` is set. ``sleep`` is called for backoff waits (tests pass a recorder);
    ``max_attempts`` bounds the tries of one request (429, 5xx and connection errors are retried, waiting
    ``Retry-After`` or ``backoff * 2**n``, at most ``max_backoff`` seconds), ``retry_budget`` the retries of a
    whole listing, ``max_relists`` the restarts after 410 Gone; ``request_timeout`` (seconds) bounds each
    request, connecting and reading (kubectl's ``--request-timeout``). A listing whose ``continue`` token
    repeats (a server that does not advance) is an error, so a listing always ends.
    """

    def __init__(
        self,
        kubeconfig: str | None = None,
        context: str | None = None,
        in_cluster: bool | None = None,
        page_size: int = 500,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 6,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_relists: int = 3,
        request_timeout: float | None = 60.0,
        retry_budget: int = 20,
    ) -> None:
        if page_size < 1:
            raise ValueError("page_size must be positive")
        self.page_size = page_size
        self.sleep = sleep
        self.max_attempts = max(1, max_attempts)
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_relists = max_relists
        #: seconds one request may take, as kubectl's ``--request-timeout`` (``None``: no limit)
        self.request_timeout = request_timeout
        #: retries allowed across a whole listing (429s, 5xx, unreachable), so a failing server always ends it
        self.retry_budget = retry_budget
        self._retries_left = retry_budget
        #: every request made, as (path, continue token or None): for diagnostics and tests
        self.requests: list[tuple[str, str | None]] = []
        self.context_name: str = ""
        self.server: str = ""
        #: ``metadata.resourceVersion`` of the last list page read (a watch resumes from there)
        self.list_version: str | None = None
        self._api = self._connect(kubeconfig, context, in_cluster)

    @property
    def core_api(self) -> Any:
        """The client's ``CoreV1Api`` for this cluster (configured, without the client's own retries), for
        callers that make requests this class does not (watches: :mod:`kubehash.sources.watch`)."""
        return self._api

    # -- configuration -------------------------------------------------------------------------------

    def _connect(self, kubeconfig: str | None, context: str | None, in_cluster: bool | None) -> Any:
        from kubernetes import client, config
        from kubernetes.config.config_exception import ConfigException

        spec = kubeconfig or _default_kubeconfig()
        if in_cluster is None:
            in_cluster = kubeconfig is None and not _kubeconfig_exists(spec) and bool(os.environ.get(SERVICE_HOST_ENV))
        cfg = client.Configuration()
        try:
            if in_cluster:
                config.load_incluster_config(client_configuration=cfg)
                self.context_name = "in-cluster"
            else:
                if not _kubeconfig_exists(spec):
                    raise ClusterError(
                        f"no kubeconfig found at {spec} (set --kubeconfig or KUBECONFIG, "
                        "or pass --pods FILE to read a dump instead)"
                    )
                config.load_kube_config(config_file=spec, context=context, client_configuration=cfg)
                if context:
                    self.context_name = context
                else:
                    _, active = config.list_kube_config_contexts(config_file=spec)
                    self.context_name = str((active or {}).get("name", ""))
        except ConfigException as e:
            where = "in-cluster service account" if in_cluster else f"kubeconfig {spec}"
            raise ClusterError(f"cannot use {where}: {e}") from None
        except (OSError, ValueError, TypeError, KeyError) as e:
            raise ClusterError(f"cannot read kubeconfig {spec}: {e}") from None
        cfg.retries = False  # kubehash retries itself, with backoff and Retry-After
        self.server = str(cfg.host)
        return client.CoreV1Api(client.ApiClient(cfg))

    # -- public listing API --------------------------------------------------------------------------

    def _pods_call(self, namespace: str | None) -> tuple[str, Callable[..., Any], str]:
        if namespace is None:
            return "/api/v1/pods", lambda **kw: self._api.list_pod_for_all_namespaces(**kw), "pods"
        return (
            f"/api/v1/namespaces/{namespace}/pods",
            lambda **kw: self._api.list_namespaced_pod(namespace, **kw),
            f"pods in namespace {namespace}",
        )

    def iter_pods(self, namespace: str | None = None) -> Iterator[dict[str, Any]]:
        """Every pod (``namespace=None``: all namespaces), as ``kubectl get pods -o json`` items."""
        path, call, what = self._pods_call(namespace)
        return self._items(path, "Pod", call, what)

    def iter_nodes(self) -> Iterator[dict[str, Any]]:
        """Every node, as ``kubectl get nodes -o json`` items."""
        return self._items("/api/v1/nodes", "Node", lambda **kw: self._api.list_node(**kw), "nodes")

    def iter_pod_pages(self, namespace: str | None = None) -> Iterator[tuple[bytes, bool]]:
        """The raw JSON bodies of the pod list's pages, each with whether the list restarted before it (a 410
        Gone re-list: the caller skips pods it already has, by uid)."""
        path, call, what = self._pods_call(namespace)
        return self._pages(path, call, what)

    def node_configz(self, node: str) -> bytes:
        """The running kubelet's configuration of ``node``, as its ``/configz`` answers through the API
        server's node proxy (``/api/v1/nodes/<node>/proxy/configz``; needs ``nodes/proxy`` access)."""
        path = f"/api/v1/nodes/{node}/proxy/configz"
        return self._get(
            path,
            lambda **kw: self._api.connect_get_node_proxy_with_path(node, "configz", **kw),
            None,
            f"the configuration of node {node}",
            listing=False,
        )

    # -- machinery -----------------------------------------------------------------------------------

    def _items(self, path: str, kind: str, call: Callable[..., Any], what: str) -> Iterator[dict[str, Any]]:
        seen: set[Any] = set()
        where = f"listing {what} at {self.server}"
        for raw, _ in self._pages(path, call, what):
            try:
                body = json_loads(raw)
            except (ValueError, UnicodeDecodeError, RecursionError) as e:
                raise ClusterError(f"{where}: response is not JSON: {e}") from None
            items = body.get("items") if isinstance(body, dict) else None
            if not isinstance(items, list):
                raise ClusterError(f"{where}: response has no 'items' list")
            lmeta = body.get("metadata")
            version = lmeta.get("resourceVersion") if isinstance(lmeta, Mapping) else None
            self.list_version = version if isinstance(version, str) and version else None
            for item in items:
                if not isinstance(item, dict):
                    continue
                imeta = item.get("metadata")
                if not isinstance(imeta, Mapping):
                    imeta = {}
                key = imeta.get("uid") or (imeta.get("namespace"), imeta.get("name"))
                if key in seen:
                    continue
                seen.add(key)
                item.setdefault("apiVersion", "v1")
                item.setdefault("kind", kind)
                yield item

    def _pages(self, path: str, call: Callable[..., Any], what: str) -> Iterator[tuple[bytes, bool]]:
        """Raw pages of one list, following ``continue`` tokens; a 410 Gone restarts the list."""
        token: str | None = None
        tokens: set[str] = set()
        relists = 0
        restarted = False
        self._retries_left = self.retry_budget
        where = f"listing {what} at {self.server}"
        while True:
            try:
                raw = self._get(path, call, token, what)
            except _Gone:
                if token is None:
                    raise ClusterError(f"{where}: 410 Gone on the first page") from None
                if relists >= self.max_relists:
                    raise ClusterError(
                        f"{where}: the list expired (410 Gone) {relists + 1} times before it was complete; try a "
                        "larger page size"
                    ) from None
                relists += 1
                token, restarted = None, True
                tokens.clear()
                continue
            yield raw, restarted
            restarted = False
            try:
                token = msgspec.json.decode(raw, type=_ListHead).metadata.continue_ or None
            except (msgspec.DecodeError, msgspec.ValidationError) as e:
                raise ClusterError(f"{where}: response is not a list: {e}") from None
            if token is None:
                return
            if token in tokens:
                raise ClusterError(
                    f"{where}: the server returned the continue token {token[:40]!r} again: the list does not "
                    "advance (a broken API server or proxy); giving up"
                )
            tokens.add(token)

    def _get(self, path: str, call: Callable[..., Any], token: str | None, what: str, *, listing: bool = True) -> bytes:
        """One list request with retries; returns the raw body. Raises :class:`_Gone` on 410."""
        kwargs = self._request_kwargs(token, listing)
        where = f"{'listing ' if listing else 'reading '}{what} at {self.server} (context {self.context_name or '-'})"
        timeouts = 0
        attempt = 0
        for attempt in range(1, self.max_attempts + 1):
            self.requests.append((path, token))
            outcome = self._attempt(call, kwargs, where)
            if isinstance(outcome, bytes):
                return outcome
            last, delay, timed_out = outcome
            timeouts += timed_out
            if attempt == self.max_attempts or timeouts >= _MAX_TIMEOUTS:
                break
            self._back_off(where, last, delay, attempt)
        raise ClusterError(f"{where}: {last} (gave up after {attempt} attempts)")

    def _request_kwargs(self, token: str | None, listing: bool) -> dict[str, Any]:
        """The client call's arguments: raw body, page size (a list), timeouts (connect, read), continue token."""
        kwargs: dict[str, Any] = (
            {"limit": self.page_size, "_preload_content": False} if listing else {"_preload_content": False}
        )
        if self.request_timeout is not None:
            kwargs["_request_timeout"] = (min(10.0, self.request_timeout), self.request_timeout)
        if token is not None:
            kwargs["_continue"] = token
        return kwargs

    def _attempt(self, call: Callable[..., Any], kwargs: dict[str, Any], where: str) -> bytes | _Failure:
        """One try: the body, or what went wrong and may be retried; raises what may not be."""
        import urllib3
        from kubernetes.client.exceptions import ApiException

        try:
            deadline = None if self.request_timeout is None else time.monotonic() + self.request_timeout
            resp = call(**kwargs)
            try:
                raw = _read_body(resp, deadline)
            finally:
                resp.release_conn()
        except _Slow:
            return f"the response took longer than the request timeout ({self.request_timeout:g} s)", None, True
        except ApiException as e:
            return _api_failure(e, where)
        except urllib3.exceptions.HTTPError as e:
            if _timed_out(e):
                return f"no answer within the request timeout ({self.request_timeout:g} s)", None, True
            return f"cannot reach the server: {_reason(e)}", None, False
        except OSError as e:
            return f"cannot reach the server: {e}", None, False
        return bytes(raw)

    def _back_off(self, where: str, last: str, delay: float | None, attempt: int) -> None:
        """Wait before the next try: ``Retry-After`` or exponential backoff, within the listing's retry budget."""
        if self._retries_left <= 0:
            raise ClusterError(f"{where}: {last} (gave up: {self.retry_budget} retries used up for this listing)")
        self._retries_left -= 1
        if delay is None:
            delay = min(self.max_backoff, self.backoff * 2 ** (attempt - 1))
        self.sleep(min(delay, self.max_backoff))


#: A failed try that may be retried: (what happened, seconds the server asked to wait, whether it timed out).
_Failure = tuple[str, float | None, bool]


def _api_failure(e: Any, where: str) -> _Failure:
    """An HTTP error answer: 429 and 5xx may be retried (honouring ``Retry-After``); 410 is :class:`_Gone`;
    401, 403, a TLS failure (status 0) and other 4xx are final."""
    status = int(e.status or 0)
    msg = _status_message(e.body)
    detail = f": {msg}" if msg else ""
    if status == 410:
        raise _Gone() from None
    if status == 401:
        raise ClusterError(f"{where}: unauthorized (401): credentials were rejected{detail}") from None
    if status == 403:
        raise ClusterError(f"{where}: forbidden (403){detail}") from None
    if status == 0:  # the client's wrapper for TLS errors
        raise ClusterError(f"{where}: {' '.join(str(e.reason).split())}") from None
    if status != 429 and status < 500:
        raise ClusterError(f"{where}: HTTP {status} {e.reason or ''}{detail}".rstrip()) from None
    return f"HTTP {status}{detail}", _retry_after(e.headers), False


#: A server that timed out twice is not asked again (a stalled server would otherwise cost max_attempts
#: request timeouts).
_MAX_TIMEOUTS = 2


class _Slow(Exception):
    """A response body that did not arrive within the request timeout."""


def _read_body(resp: Any, deadline: float | None) -> bytes:
    """The whole body of a raw client response, by chunks; :class:`_Slow` past ``deadline`` (a server that
    trickles its body never trips a socket read timeout, so the request's total time is checked here)."""
    if deadline is None:
        return bytes(resp.data)
    # read1 returns what has arrived (read(n) would wait for n bytes, so a body dripping one byte a second
    # was only checked at its end); old urllib3 without read1 falls back to read.
    read = getattr(resp, "read1", None) or resp.read
    chunks: list[bytes] = []
    while True:
        chunk = read(1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise _Slow()


class _ListMeta(msgspec.Struct):
    continue_: str | None = msgspec.field(default=None, name="continue")


class _ListHead(msgspec.Struct):
    """What paging reads of a list response (the rest is skipped)."""

    metadata: _ListMeta = msgspec.field(default_factory=_ListMeta)


class _Gone(Exception):
    """410 Gone: the continue token expired."""


def _timed_out(e: Exception) -> bool:
    """Whether a urllib3 error is a request that timed out (not a refused or failed connection, which
    urllib3 also files under its timeout classes)."""
    import urllib3

    reason = getattr(e, "reason", None) or e
    if isinstance(reason, urllib3.exceptions.NewConnectionError):
        return False
    return isinstance(reason, urllib3.exceptions.TimeoutError)


def _reason(e: Exception) -> str:
    inner = getattr(e, "reason", None)
    text = str(inner if inner is not None else e)
    return " ".join(text.split())
