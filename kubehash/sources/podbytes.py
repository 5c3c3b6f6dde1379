"""Decode just what ``predict`` reads from a pod's JSON bytes, skipping the rest at C speed.

``predict`` looks at a small part of each pod: ``metadata`` (name, namespace, uid, whether the mirror-pod
annotation is present, ownerReferences), ``spec`` (nodeName, hostNetwork, containers, initContainers) and
``status`` (phase, the name and state of each container status). ``managedFields``, volumes and most of the
status are dead weight, often most of the item's bytes. :func:`decode_pods` decodes items with ``msgspec``
into small structs (unknown fields are skipped without building objects), keeps each container as its raw
JSON bytes, and builds the :class:`~kubehash.model.PodView` :func:`~kubehash.model.pod_view` would build from
the fully parsed pod (no pod mapping in between), so its predictions are those of the full pod.

Containers are parsed by the project's exact loader (:func:`kubehash.golang.jsonvalue.loads`: number
literal text kept) and memoised by their raw bytes: equal bytes are an equal JSON value, so the replicas of
a workload share one container mapping and its hash-cache key.

Anything the structs do not describe exactly -- a field of an unexpected JSON type (``containers`` not a
list, a ``name`` that is not a string...), a nested ``items`` list, a duplicate key with two types -- makes
:func:`decode_pods` return ``None``, and the caller decodes the items with the exact loader.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import msgspec

from kubehash.errors import InputError
from kubehash.golang.jsonvalue import loads, loads_utf8
from kubehash.kubelet.hashcache import RAW_KEY
from kubehash.limits import cut, json_text_violations, might_be_too_deep
from kubehash.model import MIRROR_ANNOTATION, NOT_RUNNING_PHASES, PodView, Rejected, iter_pods, pod_view

__all__ = ["NotAPod", "decode_pods", "page_views"]

_UNSET = msgspec.UNSET


@dataclass(frozen=True, slots=True)
class NotAPod:
    """An item of a pod dump that is not a pod (``what``: its kind), so that it is counted, not lost."""

    what: str


class _Running(msgspec.Struct, gc=False):
    startedAt: str | None = None


class _State(msgspec.Struct, gc=False):
    running: _Running | msgspec.UnsetType | None = _UNSET  # presence matters ("running" in state)


class _ContainerStatus(msgspec.Struct, gc=False):
    name: str | None = None
    state: _State | None = None


class _Status(msgspec.Struct, gc=False):
    phase: str | None = None
    containerStatuses: list[_ContainerStatus] | None = None
    initContainerStatuses: list[_ContainerStatus] | None = None


class _Owner(msgspec.Struct, gc=False):
    kind: str | None = None
    name: str | None = None
    controller: bool | None = None


class _Annotations(msgspec.Struct, gc=False, rename={"mirror": MIRROR_ANNOTATION}):
    """Whether the mirror-pod annotation is there (any value): the other keys are skipped, no mapping built."""

    mirror: msgspec.Raw | msgspec.UnsetType = _UNSET


class _Meta(msgspec.Struct, gc=False):
    name: str | None = None
    namespace: str | None = None
    uid: str | None = None
    annotations: _Annotations | None = None
    ownerReferences: list[_Owner] | None = None


class _Spec(msgspec.Struct, gc=False):
    nodeName: str | None = None
    hostNetwork: bool | None = None
    containers: list[msgspec.Raw] | None = None
    initContainers: list[msgspec.Raw] | None = None


class _Pod(msgspec.Struct, gc=False):
    kind: str | None = None
    metadata: _Meta | None = None
    spec: _Spec | None = None
    status: _Status | None = None
    items: msgspec.Raw | msgspec.UnsetType = _UNSET


_DECODER = msgspec.json.Decoder(list[_Pod])
#: Distinct containers kept (raw bytes -> parsed mapping, its hash-cache key and its name), the older half
#: forgotten when full (which only costs re-parsing).
_MAX_CONTAINERS = 4096
_CONTAINERS: dict[bytes, tuple[Any, bytes | None, str | None]] = {}


def _container(data: bytes) -> tuple[Any, bytes | None, str | None]:
    """The container's mapping (the exact loader's), its hash-cache key -- its raw JSON bytes themselves (equal
    bytes are an equal JSON value; different bytes for an equal value only cost a cache miss) -- and its
    ``name`` when that is a string. Replicas hit the memo (the caller looks it up first)."""
    c = _bounded(data.decode("utf-8")) if might_be_too_deep(data) else None
    if c is None:
        try:
            c = loads_utf8(data)
        except (ValueError, RecursionError):  # an integer Python cannot convert (> 4300 digits)
            c = _bounded(data.decode("utf-8"))
            if c is None:
                raise
    if type(c) is Rejected:
        return c, None, c.name if isinstance(c.name, str) else None
    name = c.get("name") if type(c) is dict else None
    if len(_CONTAINERS) >= _MAX_CONTAINERS:  # forget the older half (replicas are listed near each other)
        for old in list(itertools.islice(_CONTAINERS, _MAX_CONTAINERS // 2)):
            _CONTAINERS.pop(old, None)
    found = _CONTAINERS[data] = (c, RAW_KEY + data, name if isinstance(name, str) else None)
    return found


def _bounded(text: str) -> Rejected | None:
    """A :class:`~kubehash.model.Rejected` for a container's JSON text beyond a bound of
    :mod:`kubehash.limits` (paths relative to the container), else ``None``."""
    found = json_text_violations(text)
    if not found:
        return None
    try:
        name = loads(cut(text, found)).get("name")
    except (ValueError, RecursionError, AttributeError):
        name = None
    return Rejected("; ".join(map(str, found)), name if isinstance(name, str) else None)


def decode_pods(data: bytes | memoryview) -> list[PodView | NotAPod] | None:
    """The :class:`~kubehash.model.PodView` of each item of a JSON array of items (valid UTF-8; a
    :class:`NotAPod` for an item that is not a pod), or ``None`` when only the exact loader can say what some
    item is. Nothing
    returned refers to ``data`` (containers are copied out of it). The container mappings are shared between
    replicas and across calls (a memo of the raw bytes): treat them as read-only."""
    try:
        pods = _DECODER.decode(data)
    except (msgspec.DecodeError, msgspec.ValidationError, RecursionError):  # the exact loader says what is wrong
        return None
    try:
        return [_view(p) for p in pods]
    except (_Declined, ValueError, RecursionError):
        return None


class _Page(msgspec.Struct, gc=False):
    items: list[_Pod] | None = None


_PAGE = msgspec.json.Decoder(_Page)


def page_views(raw: bytes, name: str) -> list[PodView]:
    """The pods of one page of a pod list (an API response body), as views: decoded by the structs when
    they describe it, else by the exact loader (``name`` says where, in an error)."""
    try:
        views = [_view(p) for p in (_PAGE.decode(raw).items or ())]
        return [v for v in views if type(v) is PodView]
    except (msgspec.DecodeError, msgspec.ValidationError, _Declined, ValueError, RecursionError):
        pass
    try:
        body = loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError) as e:
        raise InputError(f"{name}: not JSON: {e}") from None
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise InputError(f"{name}: no 'items' list")
    return [pod_view(p) for p in iter_pods(items)]


class _Declined(Exception):
    pass


def _add(
    kind: str,
    raws: list[msgspec.Raw] | None,
    containers: list[tuple[str, str, Any, bytes | None]],
) -> None:
    """One container list, as :func:`kubehash.model.pod_view` reads it from a mapping (a container without a
    string name is ``#index``)."""
    if not raws:
        return
    memo = _CONTAINERS.get
    for i, raw in enumerate(raws):
        data = bytes(raw)
        c, key, name = memo(data) or _container(data)
        containers.append((name if name is not None else f"#{i}", kind, c, key))


def _add_states(
    kind: str, statuses: list[_ContainerStatus], states: dict[tuple[str, str], tuple[bool, Any] | None]
) -> None:
    """The container statuses of one list: the first status of each name counts."""
    for st in statuses:
        name = st.name
        if name is None or (kind, name) in states:
            continue
        state = st.state
        if state is None:
            states[(kind, name)] = None  # no state object: the phase decides
        elif state.running is _UNSET:
            states[(kind, name)] = (False, None)
        else:
            run = state.running
            states[(kind, name)] = (True, run.startedAt if run is not None else None)


#: One string object per distinct namespace, node and owner: predictions share them, so results pickle
#: (between processes) and sit in memory once per value rather than once per container.
_STRINGS: dict[str, str] = {}


def _shared(s: str | None) -> str | None:
    found = _STRINGS.get(s)  # type: ignore[arg-type]
    if found is None:
        if s is None:
            return None
        if len(_STRINGS) >= 65536:
            _STRINGS.clear()
        found = _STRINGS[s] = s
    return found


def _view(pod: _Pod) -> PodView | NotAPod:
    if pod.items is not _UNSET:
        raise _Declined
    kind, s = pod.kind, pod.spec
    if (kind is not None and kind != "Pod") or (s is None and kind is None):  # as kubehash.model.is_pod
        return NotAPod(kind or "object without kind or spec")
    return _pod_view(pod.metadata or _NO_META, s or _NO_SPEC, pod.status or _NO_STATUS)


def _pod_view(m: _Meta, s: _Spec, st: _Status) -> PodView:
    """The :class:`~kubehash.model.PodView` :func:`~kubehash.model.pod_view` builds from the same pod."""
    containers: list[tuple[str, str, Any, bytes | None]] = []
    _add("initContainer", s.initContainers, containers)
    _add("container", s.containers, containers)
    states: dict[tuple[str, str], tuple[bool, Any] | None] = {}
    if st.initContainerStatuses:
        _add_states("initContainer", st.initContainerStatuses, states)
    if st.containerStatuses:
        _add_states("container", st.containerStatuses, states)
    owner_kind, owner_name = _owner(m.ownerReferences)
    node = s.nodeName or None
    return PodView(
        _shared(m.namespace),
        "?" if m.name is None else m.name,
        m.uid or None,
        "file" if m.annotations is not None and m.annotations.mirror is not _UNSET else "apiserver",
        _shared(node),
        s.hostNetwork is True,
        _shared(owner_kind),
        _shared(owner_name),
        containers,
        states,
        node is not None and st.phase not in NOT_RUNNING_PHASES,
    )


def _owner(refs: list[_Owner] | None) -> tuple[str | None, str | None]:
    """The controller owner reference's kind and name, else the first reference's."""
    if not refs:
        return None, None
    for r in refs:
        if r.controller:
            return r.kind, r.name
    return refs[0].kind, refs[0].name


#: Stand-ins for an absent ``metadata``, ``spec`` or ``status`` (every field unset, as in a pod without it).
_NO_META = _Meta()
_NO_SPEC = _Spec()
_NO_STATUS = _Status()
