"""Watching a live cluster's pods and nodes with the official ``kubernetes`` client's ``Watch``, as client-go's
reflector does: list (paginated, :class:`~kubehash.sources.cluster.LiveCluster`), then watch from the list's
``resourceVersion`` with bookmarks (``allowWatchBookmarks``), resuming each new watch from the last
``resourceVersion`` seen (an event's object, or a BOOKMARK). A ``410 Gone`` -- the watch's resourceVersion was
compacted away, as an ERROR event or an HTTP status -- re-lists and goes on from the new list: objects in the
list come again as ``SYNC`` changes, objects no longer in it as ``DELETED``. Connection failures, 429 and 5xx
are retried with exponential backoff, at most ``max_failures`` times in a row (any event resets the count);
401/403 end the watch at once. Each resource is watched in its own thread; :class:`ClusterWatch` hands the
changes, notices and failures to one queue, in the order they arrived.
"""

from __future__ import annotations

import contextlib
import functools
import queue
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kubehash.errors import ClusterError
from kubehash.sources.cluster import LiveCluster

__all__ = ["Change", "ClusterWatch", "Failure", "Notice", "ResourceWatch"]


@dataclass(frozen=True, slots=True)
class Change:
    """An object of ``resource`` (``pod`` or ``node``) as a watch event (``ADDED``, ``MODIFIED``, ``DELETED``)
    or a re-list (``SYNC``) delivered it."""

    resource: str
    type: str
    object: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the user should know: a reconnect, a re-list."""

    resource: str
    text: str


@dataclass(frozen=True, slots=True)
class Failure:
    """A watch that gave up; the :class:`ClusterError` says why."""

    resource: str
    error: ClusterError


Item = Change | Notice | Failure


def _meta(obj: Any) -> Mapping[str, Any]:
    meta = obj.get("metadata") if isinstance(obj, Mapping) else None
    return meta if isinstance(meta, Mapping) else {}


def _key(obj: Any) -> str:
    meta = _meta(obj)
    return str(meta.get("uid") or f"{meta.get('namespace') or ''}/{meta.get('name') or ''}")


class _Gone(Exception):
    """410 Gone while watching."""


_LISTING = threading.Lock()


class ResourceWatch:
    """List and watch one resource (``pod``: in ``namespace``, or all; ``node``) into ``out``.

    ``watch_seconds`` is the server-side timeout of one watch request (the server ends it; a new one resumes);
    the live cluster's ``request_timeout`` bounds connecting and each wait for data beyond it. ``max_failures``
    bounds the failed attempts in a row, ``max_relists`` the 410 re-lists in a row without an event between.
    """

    def __init__(
        self,
        live: LiveCluster,
        resource: str,
        out: queue.Queue[Item],
        stop: threading.Event,
        *,
        namespace: str | None = None,
        watch_seconds: int = 300,
        max_failures: int = 8,
        max_relists: int = 5,
    ) -> None:
        self.live, self.resource, self.out, self.stop = live, resource, out, stop
        self.namespace = namespace
        self.watch_seconds = max(1, int(watch_seconds))
        self.max_failures = max_failures
        self.max_relists = max_relists
        self.resource_version: str | None = None
        self.known: dict[str, dict[str, Any]] = {}  # key -> a minimal object (for DELETED after a re-list)
        self.watches = 0  # watch requests made
        self.relists = 0  # re-lists after 410 Gone
        self._watch: Any = None
        self._response: Any = None
        api = live.core_api
        self._list: Callable[..., Any]
        if resource == "node":
            self._list, self.what = api.list_node, "nodes"
        elif namespace is None:
            self._list, self.what = api.list_pod_for_all_namespaces, "pods"
        else:
            self._list = functools.partial(api.list_namespaced_pod, namespace)
            self.what = f"pods in namespace {namespace}"

    def _call(self, **kw: Any) -> Any:
        """The list call the Watch makes; its raw response is kept, so :meth:`interrupt` can shut it."""
        resp = self._list(**kw)
        self._response = resp
        return resp

    # -- listing ------------------------------------------------------------------------------------------

    def list(self) -> list[dict[str, Any]]:
        """The current objects (a paginated list); the watch goes on from the list's resourceVersion. (The two
        watches share one :class:`LiveCluster`, whose listing state is per listing: one lists at a time.)"""
        with _LISTING:
            items = list(self.live.iter_nodes() if self.resource == "node" else self.live.iter_pods(self.namespace))
            self.resource_version = self.live.list_version
        self.known = {_key(o): {"metadata": dict(_meta(o))} for o in items}
        return items

    def _relist(self) -> None:
        before = self.known
        items = self.list()
        self.relists += 1
        for obj in items:
            self.out.put(Change(self.resource, "SYNC", obj))
        for key, obj in before.items():
            if key not in self.known:
                self.out.put(Change(self.resource, "DELETED", obj))

    # -- watching -----------------------------------------------------------------------------------------

    def run(self) -> None:
        """The thread's body: watch until :attr:`stop` is set or the watch gives up (a :class:`Failure`)."""
        try:
            self._loop()
        except ClusterError as e:
            self.out.put(Failure(self.resource, e))

    def _loop(self) -> None:
        failures = relists = 0
        while not self.stop.is_set():
            started = time.monotonic()
            try:
                if self.resource_version is None:
                    self._relist()
                if self._watch_once():
                    failures = relists = 0
            except _Gone:
                relists += 1
                if relists > self.max_relists:
                    raise ClusterError(
                        f"watching {self.what} at {self.live.server}: 410 Gone {relists} times in a row"
                    ) from None
                self.out.put(Notice(self.resource, f"{self.what}: resourceVersion expired (410 Gone); listing again"))
                self.resource_version = None
                continue
            except _Retry as e:
                failures += 1
                if failures > self.max_failures:
                    raise ClusterError(
                        f"watching {self.what} at {self.live.server}: {e} (gave up after {failures} attempts in a row)"
                    ) from None
                delay = min(self.live.max_backoff, self.live.backoff * 2 ** (failures - 1))
                self.out.put(Notice(self.resource, f"{self.what}: {e}; reconnecting in {delay:g} s"))
                self.stop.wait(delay)
                continue
            self.stop.wait(max(0.0, 0.2 - (time.monotonic() - started)))  # a server ending watches at once

    def _kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = {
            "resource_version": self.resource_version,
            "allow_watch_bookmarks": True,
            "timeout_seconds": self.watch_seconds,
        }
        rt = self.live.request_timeout
        if rt is not None:
            kw["_request_timeout"] = (min(10.0, rt), self.watch_seconds + rt)
        return kw

    def _watch_once(self) -> bool:
        """One watch request, to its end; whether any event came. Raises :class:`_Gone`, :class:`_Retry`."""
        from kubernetes import watch

        watch_type: Any = watch.Watch
        w = watch_type(return_type="object")  # the events' objects stay the JSON the server sent
        self._watch = w
        got = False
        self.watches += 1
        try:
            for ev in w.stream(self._call, **self._kwargs()):
                if self.stop.is_set():
                    break
                got = self._event(ev) or got
        except Exception as e:  # the client raises ApiException, urllib3 and socket errors
            if not self.stop.is_set():  # (a stream shut by interrupt() ends with an error too)
                self._failed(e)
        finally:
            self._watch = self._response = None
            w.stop()
        return got

    def _event(self, ev: Any) -> bool:
        kind = ev.get("type") if isinstance(ev, Mapping) else None
        obj = ev.get("raw_object") if isinstance(ev, Mapping) else None
        if not isinstance(obj, dict):
            return False
        version = _meta(obj).get("resourceVersion")
        if kind == "BOOKMARK":
            if isinstance(version, str) and version:
                self.resource_version = version
            return False
        if kind not in ("ADDED", "MODIFIED", "DELETED"):
            return False
        if kind == "DELETED":
            self.known.pop(_key(obj), None)
        else:
            self.known[_key(obj)] = {"metadata": dict(_meta(obj))}
        self.out.put(Change(self.resource, kind, obj))
        if isinstance(version, str) and version:
            self.resource_version = version
        return True

    def _failed(self, e: Exception) -> None:
        import urllib3
        from kubernetes.client.exceptions import ApiException

        where = f"watching {self.what} at {self.live.server} (context {self.live.context_name or '-'})"
        if isinstance(e, ApiException):
            status = int(e.status or 0)
            if status == 410:
                raise _Gone() from None
            if status in (401, 403):
                raise ClusterError(f"{where}: {'unauthorized' if status == 401 else 'forbidden'} ({status})") from None
            if status == 429 or status >= 500 or status == 0:
                raise _Retry(f"HTTP {status} {' '.join(str(e.reason or '').split())}".strip()) from None
            raise ClusterError(f"{where}: HTTP {status} {e.reason or ''}".rstrip()) from None
        if isinstance(e, (urllib3.exceptions.HTTPError, OSError)):
            reason = getattr(e, "reason", None) or e
            raise _Retry(f"connection lost: {' '.join(str(reason).split())[:200]}") from None
        if isinstance(e, (ValueError, KeyError, TypeError)):  # a line that is not a watch event
            raise _Retry(f"unreadable watch stream: {type(e).__name__}: {str(e)[:200]}") from None
        raise e

    def interrupt(self) -> None:
        """Stop the watch request in flight: the Watch is told to stop and the response's socket is shut for
        reading (urllib3 ≥ 2.3 ``HTTPResponse.shutdown``), so a read blocked on a quiet stream returns."""
        w, resp = self._watch, self._response
        if w is not None:
            w.stop()
        shutdown = getattr(resp, "shutdown", None)
        if callable(shutdown):
            with contextlib.suppress(ValueError, RuntimeError, OSError):
                shutdown()


class _Retry(Exception):
    """A failure worth another attempt."""


class ClusterWatch:
    """Pods and nodes of ``live``, listed by :meth:`start` and then watched in two threads into :attr:`queue`
    until :meth:`close`."""

    def __init__(self, live: LiveCluster, *, namespace: str | None = None, **kw: Any) -> None:
        self.live = live
        self.queue: queue.Queue[Item] = queue.Queue()
        self.stop = threading.Event()
        self.nodes = ResourceWatch(live, "node", self.queue, self.stop, **kw)
        self.pods = ResourceWatch(live, "pod", self.queue, self.stop, namespace=namespace, **kw)
        self._threads: list[threading.Thread] = []

    def start(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """List nodes and pods (a failure raises :class:`ClusterError` here, naming the server), then start
        watching; returns (pods, nodes) as listed."""
        nodes = self.nodes.list()
        pods = self.pods.list()
        for w in (self.nodes, self.pods):
            t = threading.Thread(target=w.run, name=f"kubehash-watch-{w.resource}", daemon=True)
            t.start()
            self._threads.append(t)
        return pods, nodes

    def get(self, timeout: float) -> Item | None:
        """The next change, notice or failure, or ``None`` after ``timeout`` seconds."""
        try:
            return self.queue.get(timeout=timeout)
        except queue.Empty:
            return None

    def close(self, wait: float = 2.0) -> None:
        """Stop both watches and wait (at most ``wait`` seconds) for their threads."""
        self.stop.set()
        for w in (self.nodes, self.pods):
            w.interrupt()
        deadline = time.monotonic() + wait
        for t in self._threads:
            t.join(max(0.0, deadline - time.monotonic()))
