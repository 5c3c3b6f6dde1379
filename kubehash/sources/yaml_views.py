"""Decode just what ``predict`` reads from a pod's YAML text, the YAML counterpart of
:mod:`kubehash.sources.podbytes`.

``predict`` reads a small part of a pod (``metadata`` name/namespace/uid/annotation keys/ownerReferences,
``spec`` nodeName/hostNetwork/containers/initContainers, ``status`` phase and each container status's name
and state); in a ``kubectl get -o yaml`` item most of the text is ``managedFields``, volumes and status.
:func:`decode_pod` takes the item's text (as :mod:`kubehash.sources.yaml_items` cuts it) and finds those
values by indentation (:mod:`kubehash.sources.yaml_blocks`), without building the rest. Only the pieces
read are parsed by the exact loader (:func:`kubehash.sources.yaml_loader.load_yaml`): scalars (memoised by
their text), each container (memoised by its text: the replicas of a workload share one container mapping
and its hash-cache key, as podlite shares them by their JSON bytes) and the ownerReferences. The result is
the :class:`~kubehash.model.PodView` that :func:`~kubehash.model.pod_view` builds from the exactly loaded
item.

That reading is exact only for YAML whose structure the indentation gives, so the text is checked first
(:func:`kubehash.sources.yaml_check.block_text`), and anything else returns
:data:`~kubehash.sources.yaml_reader.FALLBACK` (the caller loads the item exactly), as does a value of a
read field that is not the expected kind of node or a duplicate read key. The parts it skips are checked
too (:func:`kubehash.sources.yaml_check.loads_cleanly`: libyaml's parser over the text, the bounds): an
item the exact loader refuses is always left to it, so a corrupt line anywhere in a pod gives the error row
(file, item, line) the exact loader gives, never a view.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, TypeVar

from kubehash.kubelet.hashcache import spec_key
from kubehash.model import MIRROR_ANNOTATION, NOT_RUNNING_PHASES, PodView
from kubehash.sources.podbytes import NotAPod
from kubehash.sources.yaml_blocks import (
    Decline,
    Key,
    Mapping,
    at,
    entry_mapping,
    mapping,
    scalar,
    sequence,
)
from kubehash.sources.yaml_check import block_text, loads_cleanly
from kubehash.sources.yaml_loader import YamlInputError, load_yaml
from kubehash.sources.yaml_reader import FALLBACK

__all__ = ["decode_pod", "unreadable_pod"]

V = TypeVar("V")

_TOP = (b"items", b"kind", b"metadata", b"spec", b"status")
_META = (b"name", b"namespace", b"uid", b"annotations", b"ownerReferences")
_SPEC = (b"nodeName", b"hostNetwork", b"containers", b"initContainers")
_STATUS = (b"phase", b"containerStatuses", b"initContainerStatuses")
_CONTAINER_STATUS = (b"name", b"state")
_STATE = (b"running",)
_RUNNING = (b"startedAt",)
_OWNER_REF = (b"kind", b"name", b"controller")

#: Distinct containers (text -> parsed mapping and its hash-cache key), the older half forgotten when full.
_MAX_MEMO = 4096
_CONTAINERS: dict[bytes, tuple[Any, bytes | None]] = {}
_OWNERS: dict[bytes, tuple[Any, Any]] = {}
_MIRROR = MIRROR_ANNOTATION.encode()


def _remember(memo: dict[bytes, V], key: bytes, value: V) -> V:
    if len(memo) >= _MAX_MEMO:  # forget the older half (replicas are listed near each other)
        for old in list(itertools.islice(memo, _MAX_MEMO // 2)):
            memo.pop(old, None)
    memo[key] = value
    return value


def _container(text: bytes) -> tuple[Any, bytes | None]:
    found = _CONTAINERS.get(text)
    if found is None:
        try:
            docs = load_yaml(text)
        except YamlInputError:
            raise Decline from None
        if len(docs) != 1 or not isinstance(docs[0], list) or len(docs[0]) != 1:
            raise Decline
        c = docs[0][0]
        found = _remember(_CONTAINERS, text, (c, spec_key(c)))
    return found


#: ``(name, kind, container, hash-cache key)`` of each container, as ``PodView.containers``.
_Containers = list[tuple[str, str, Any, bytes | None]]
_States = dict[tuple[str, str], tuple[bool, Any] | None]


def _container_list(
    t: bytes, spec: Mapping, key: bytes, kind: str, out: _Containers, read: list[tuple[int, int]]
) -> None:
    """The containers under ``key`` of the spec (each entry's ``[start, end)`` in ``t`` added to ``read``)."""
    keys, b, col = spec
    for i, (s, e) in enumerate(sequence(t, at(keys, key), col, b) or ()):
        c, ckey = _container(t[s:e])
        read.append((s, e))
        name = c.get("name") if isinstance(c, dict) else None
        out.append((name if isinstance(name, str) else f"#{i}", kind, c, ckey))


def _statuses(t: bytes, status: Mapping, key: bytes, kind: str, states: _States) -> None:
    """The state of each named container status under ``key`` (the first of a name counts)."""
    keys, b, col = status
    for s, e in sequence(t, at(keys, key), col, b) or ():
        u, ucol, ukeys = entry_mapping(t[s:e], _CONTAINER_STATUS)
        name = scalar(at(ukeys, b"name"), ucol)
        if isinstance(name, str) and (kind, name) not in states:
            states[(kind, name)] = _state(u, mapping(u, at(ukeys, b"state"), ucol, len(u), _STATE))


def _state(u: bytes, state: Mapping | None) -> tuple[bool, Any] | None:
    """``(running, startedAt)`` of a container status's state (``None``: no state mapping)."""
    if state is None:
        return None
    skeys, send, scol = state
    run = at(skeys, b"running")
    if run is None:
        return (False, None)
    running = mapping(u, run, scol, send, _RUNNING)
    return (True, scalar(at(running[0], b"startedAt"), running[2]) if running is not None else None)


def _owner(t: bytes, k: Key | None, col: int, b: int) -> tuple[Any, Any]:
    """The controller owner reference's kind and name, else the first reference's (as ``pod_view``);
    memoised by the references' text (the replicas of a workload share them)."""
    entries = sequence(t, k, col, b)
    if not entries:
        return None, None
    text = t[entries[0][0] : entries[-1][1]]
    found = _OWNERS.get(text)
    if found is not None:
        return found
    first: tuple[Any, Any] | None = None
    for s, e in entries:
        _, ucol, keys = entry_mapping(t[s:e], _OWNER_REF)
        kind, name = scalar(at(keys, b"kind"), ucol), scalar(at(keys, b"name"), ucol)
        # strings only, as pod_view: another JSON type there is not shown
        ref: tuple[Any, Any] = (kind if type(kind) is str else None, name if type(name) is str else None)
        if scalar(at(keys, b"controller"), ucol):
            return _remember(_OWNERS, text, ref)
        if first is None:
            first = ref
    return _remember(_OWNERS, text, first if first is not None else (None, None))


_STRINGS: dict[str, str] = {}


def _shared(s: Any) -> Any:
    """One object per distinct namespace, node and owner string (as podlite)."""
    if not isinstance(s, str):
        return s
    found = _STRINGS.get(s)
    if found is None:
        if len(_STRINGS) >= 65536:
            _STRINGS.clear()
        found = _STRINGS[s] = s
    return found


def decode_pod(text: bytes) -> Any:
    """The :class:`~kubehash.model.PodView` of the item whose YAML text (from its ``- `` line) is ``text``,
    or (an item that is not a pod: the exact loader reads it whole, so that a syntax error in it is reported)
    :data:`~kubehash.sources.yaml_items.FALLBACK` when only the exact loader can say. Containers are shared
    between replicas and calls (memoised by their text): treat them as read-only."""
    try:
        return _decode(text)
    except (Decline, RecursionError):
        return FALLBACK


#: The item's ``metadata:`` block (``- metadata:`` or ``  metadata:`` at the item's first level) and, in it,
#: a plain ``name:`` / ``namespace:`` value.
_METADATA = re.compile(rb"^(?:- |  )metadata:[ \t]*\r?\n((?:    .*\n|\s*\n)*)", re.M)
_PLAIN = rb" *(?!(?:null|Null|NULL|true|True|TRUE|false|False|FALSE|[0-9.+-]+) *\r?$)([A-Za-z0-9][A-Za-z0-9._-]*) *\r?$"
_NAME = re.compile(rb"^    name:" + _PLAIN, re.M)
_NAMESPACE = re.compile(rb"^    namespace:" + _PLAIN, re.M)


def unreadable_pod(text: bytes, error: Exception) -> PodView:
    """What stands for an item of a pod dump the YAML loader refused (``error`` names the file, item and
    line): a pod with that problem, named when its metadata block has a plain name (else ``?``), so it gets
    one error row and the dump's other items are still predicted."""
    block = _METADATA.search(text)
    meta = block.group(1) if block else b""
    found = [rx.search(meta) for rx in (_NAMESPACE, _NAME)]
    ns, name = (m.group(1).decode("ascii") if m else None for m in found)
    return PodView(ns, name or "?", None, "apiserver", None, False, None, None, [], {}, False, (str(error),))


decode_pod.unreadable = unreadable_pod  # type: ignore[attr-defined]


class _Read:
    """What :func:`_decode` read of one pod."""

    def __init__(self) -> None:
        self.ns: Any = None
        self.name: Any = None
        self.uid: Any = None
        self.source = "apiserver"
        self.owner: tuple[Any, Any] = (None, None)
        self.node: Any = None
        self.host_network: Any = None
        self.phase: Any = None
        self.containers: _Containers = []
        self.states: _States = {}
        #: container entries read by the exact loader, ``[start, end)`` in the item's text
        self.checked: list[tuple[int, int]] = []

    def metadata(self, t: bytes, meta: Mapping) -> None:
        keys, b, mcol = meta
        self.ns = scalar(at(keys, b"namespace"), mcol)
        self.name = scalar(at(keys, b"name"), mcol)
        self.uid = scalar(at(keys, b"uid"), mcol)
        ann = mapping(t, at(keys, b"annotations"), mcol, b, (_MIRROR,))
        if ann is not None and at(ann[0], _MIRROR) is not None:
            self.source = "file"
        self.owner = _owner(t, at(keys, b"ownerReferences"), mcol, b)

    def pod_containers(self, t: bytes, spec: Mapping | None, status: Mapping | None) -> None:
        """Both container lists and their statuses, as :func:`kubehash.model.pod_view` reads them."""
        lists = (
            (b"initContainers", b"initContainerStatuses", "initContainer"),
            (b"containers", b"containerStatuses", "container"),
        )
        for key, status_key, kind in lists:
            if spec is not None:
                _container_list(t, spec, key, kind, self.containers, self.checked)
            if status is not None:
                _statuses(t, status, status_key, kind, self.states)

    def view(self) -> PodView:
        ns, name, uid, node, owner = self.ns, self.name, self.uid, self.node, self.owner
        return PodView(
            _shared(ns) if isinstance(ns, str) else None,
            name if isinstance(name, str) else "?",
            uid if isinstance(uid, str) and uid else None,
            self.source,
            _shared(node) if isinstance(node, str) and node else None,
            self.host_network is True,
            _shared(owner[0]),
            _shared(owner[1]),
            self.containers,
            self.states,
            bool(node) and self.phase not in NOT_RUNNING_PHASES,
        )


def _decode(text: bytes) -> PodView | NotAPod:
    checked_text = block_text(text)
    if checked_text is None:
        raise Decline
    text = checked_text
    t, col, top = entry_mapping(text, _TOP)
    end = len(t)
    if at(top, b"items") is not None:
        raise Decline  # a nested List: iter_pods reads its items
    spec = mapping(t, at(top, b"spec"), col, end, _SPEC)
    kind = scalar(at(top, b"kind"), col)
    if kind not in (None, "Pod") or (spec is None and kind is None):  # as kubehash.model.is_pod
        raise Decline  # not a pod: the exact loader reads it whole (a syntax error in it is an error, not a skip)
    meta = mapping(t, at(top, b"metadata"), col, end, _META)
    status = mapping(t, at(top, b"status"), col, end, _STATUS)
    read = _Read()
    if meta is not None:
        read.metadata(t, meta)
    if spec is not None:
        read.node = scalar(at(spec[0], b"nodeName"), spec[2])
        read.host_network = scalar(at(spec[0], b"hostNetwork"), spec[2])
    if status is not None:
        read.phase = scalar(at(status[0], b"phase"), status[2])
    read.pod_containers(t, spec, status)
    # t is text with one line break put in front: its offsets are one more than the text's
    if not loads_cleanly(text, [(s - 1, e - 1) for s, e in read.checked]):
        raise Decline  # something the exact loader refuses: it reports the error
    return read.view()
