"""Decode just what ``predict`` reads from a pod's YAML text, the YAML counterpart of
:mod:`kubehash.sources.podbytes`.

``predict`` reads a small part of a pod (``metadata`` name/namespace/uid/annotation keys/ownerReferences,
``spec`` nodeName/hostNetwork/containers/initContainers, ``status`` phase and each container status's name
and state); in a ``kubectl get -o yaml`` item most of the text is ``managedFields``, volumes and status.
:func:`decode_pod` takes the item's text (as :mod:`kubehash.sources.yaml_items` cuts it) and finds those
values by indentation, without parsing the rest: in block-style YAML a key of a mapping whose keys are at
column ``n`` is a line with exactly ``n`` spaces and then the key -- block scalars and multi-line plain
scalars are indented further than their key (libyaml ends them at a line that is not) -- and the key's
value runs to the next line at column ``n`` or left of it. Only the pieces read are parsed, by the exact
loader (:func:`kubehash.sources.yaml_items.load_yaml`): scalars (memoised by their text), each container
(memoised by its text: the replicas of a workload share one container mapping and its hash-cache key, as
podlite shares them by their JSON bytes) and the ownerReferences. The result is the
:class:`~kubehash.model.PodView` that :func:`~kubehash.model.pod_view` builds from the exactly loaded item.

That reading is exact only for YAML whose structure the indentation gives, so the text is checked first,
in C (regular expressions), and anything else returns :data:`~kubehash.sources.yaml_items.FALLBACK` (the
caller loads the item exactly): a quoted scalar or flow collection that does not close on its line (only
``{}``/``[]`` flow collections at all), a quoted or complex (``?``) key, an anchor, alias or tag, a merge
key (``<<``), a tab, a carriage return or a control character, a non-ASCII line break, invalid UTF-8,
indentation that is not a block structure's, a value of a read field that is not the expected kind of
node, a duplicate read key, nesting that might exceed :data:`~kubehash.sources.yaml_items.MAX_DEPTH`.

What it does not do: check the YAML syntax of the parts it skips. kubectl's output is always valid; for
a hand-edited file whose skipped parts (``managedFields``, volumes...) are malformed, the exact loader
reports an error where this returns a view.
"""

from __future__ import annotations

import itertools
import re
from typing import Any, TypeVar

from kubehash.kubelet.hashcache import spec_key
from kubehash.model import MIRROR_ANNOTATION, NOT_RUNNING_PHASES, PodView
from kubehash.sources.podbytes import NotAPod
from kubehash.sources.yaml_loader import ItemLoader, YamlInputError, load_yaml
from kubehash.sources.yaml_reader import FALLBACK

__all__ = ["decode_pod"]

V = TypeVar("V")

# -- the text checks --------------------------------------------------------------------------------------

# Bytes libyaml rejects or reads differently from what the indentation says: tab, CR and other controls.
_BAD = rb"\x00-\x09\x0b-\x1f\x7f"
_SQ = rb"'[^'\n" + _BAD + rb"]*+(?:''[^'\n" + _BAD + rb"]*+)*+'"
_DQ = rb'"[^"\\\n' + _BAD + rb"]*+(?:\\[^\n" + _BAD + rb'][^"\\\n' + _BAD + rb']*+)*+"'
# A plain scalar in block context: not starting with an indicator (``-?:`` only before a non-blank), ending
# before ``: `` or `` #`` or the end of the line.
_PLAIN = (
    rb"(?:[^-?:,\[\]{}#&*!|>'\"%@`\n " + _BAD + rb"]|[-?:](?=[^\n " + _BAD + rb"]))"
    rb"[^\n:#" + _BAD + rb"]*+(?:(?::(?=[^\n " + _BAD + rb"])|(?<=[^\n " + _BAD + rb"])#)[^\n:#" + _BAD + rb"]*+)*+"
)
_VALUE = rb"(?>" + _PLAIN + b"|" + _SQ + b"|" + _DQ + rb"|\{\}|\[\]|[|>][-+1-9]{0,2})"
# A line that starts and ends in block context: indentation, ``- `` entries, then a plain key and its
# value, or a value; a comment.
_LINE = (
    rb"[ ]*+(?:-(?:[ ]++|(?=\n)))*+(?:" + _PLAIN + rb"[ ]*+:(?:[ ]++" + _VALUE + rb"?)?|" + _VALUE + rb")?"
    rb"[ ]*+(?:#[^\n" + _BAD + rb"]*+)?\n"
)
# The commonest such lines, tried first: a key without blanks, quotes or brackets and a closed one-line
# value (``f:x: {}``, ``time: '2026-...'``), or a key without blanks and no value (``k:{"name":"app"}:``).
_SIMPLE_LINE = (
    rb"[ ]*+(?:-[ ]++)*+(?:[^\s\"'\[{#" + _BAD + rb"][^\s\"'\[{" + _BAD + rb"]*?:[ ]++"
    rb"(?:'[^'\n" + _BAD + rb"]*+'|\"[^\"\\\n" + _BAD + rb"]*+\"|\{\}|\[\])|[A-Za-z0-9._/][^\s#" + _BAD + rb"]*:)\n"
)
#: Every line holding a quote or a bracket is a ``_LINE`` (lines without any are skipped in one step: they
#: cannot open a quoted scalar or a flow collection), so no line break is inside one: the indentation
#: gives the structure.
_BLOCK_ONLY = re.compile(
    rb"(?:(?:[^\"'\[{" + _BAD + rb"]*\n)?(?:" + _SIMPLE_LINE + b"|" + _LINE + rb"))*+[^\"'\[{" + _BAD + rb"]*"
)
#: Node properties (anchor, alias, tag) and complex keys: values the indentation does not give (each looked
#: for only when its character is there at all). A line starting with ``: `` alone gives a null key, which
#: no read key is.
_PROPERTIES = re.compile(rb"[ \n][&*!]")
_COMPLEX_KEY = re.compile(rb"\n[ -]*\?[ \n]")
#: Non-ASCII characters libyaml treats specially: C1 controls and NEL, LINE/PARAGRAPH SEPARATOR, BOM,
#: noncharacters.
_ODD_UNICODE = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbb\xbf|\xef\xbf[\xbe\xbf]")
_HEAD = re.compile(rb"( *)-( +)" + _PLAIN + rb"[ ]*+:(?=[ \n])")
_KEY_AT = re.compile(_PLAIN + rb"[ ]*+:(?=[ \n])")


class _Decline(Exception):
    """The fast path is not sure: the exact loader decides."""


_PATTERNS: dict[tuple[str, int], re.Pattern[bytes]] = {}


def _pattern(kind: str, col: int) -> re.Pattern[bytes]:
    found = _PATTERNS.get((kind, col))
    if found is None:
        if kind == "left":  # a content line left of ``col``
            src = rb"\n {0,%d}[^ \n#]" % (col - 1) if col > 0 else rb"(?!)"
        elif kind == "seq-end":  # the first content line at ``col`` or left of it that is not a ``- `` entry
            src = rb"\n {0,%d}(?:[^ \n#-]|-[^ \n])" % col
        elif kind == "entry":  # a ``- `` entry at ``col``
            src = rb"\n {%d}-(?=[ \n])" % col
        elif kind == "not-entry":  # content at ``col`` that is not a ``- `` entry
            src = rb"\n {%d}(?:[^ \n#-]|-[^ \n])" % col
        found = _PATTERNS[(kind, col)] = re.compile(src)
    return found


#: One key of a block mapping: (end of the key's line, the text after its colon on that line -- stripped,
#: empty for none or a comment --, indentation of the next content line (-1: none in the block), whether
#: that line is a ``- `` entry, where its content starts).
_Key = tuple[int, bytes, int, bool, int]
_TWICE: _Key = (-1, b"", -1, False, -1)


_INDEXES: dict[tuple[int, tuple[bytes, ...]], re.Pattern[bytes]] = {}


def _keys_in(t: bytes, a: int, b: int, col: int, keys: tuple[bytes, ...], parent: int) -> tuple[dict[bytes, _Key], int]:
    """``keys`` (plain keys) of the block mapping at column ``col`` that starts at ``t[a]``, and where the
    block ends (before ``b``): the first content line left of ``col``, which must be at column ``parent`` or
    left of it (else the indentation is not a block structure's: decline; ``parent`` -1: no such line may
    come), all in one pass."""
    pattern = _INDEXES.get((col, keys))
    if pattern is None:
        names = b"|".join(re.escape(k) for k in keys)
        pattern = _INDEXES[(col, keys)] = re.compile(
            rb"\n(?:( {0,%d})(?=[^ \n#])| {%d}(%s)[ ]*+:(?=[ \n])[ ]*+([^\n]*+)"
            rb"(?=(?:\n *+(?:#[^\n]*+)?(?=\n))*+\n( *+)(?=[^ \n])(-(?=[ \n]))?|))" % (col - 1, col, names)
        )
    out: dict[bytes, _Key] = {}
    for m in pattern.finditer(t, a, b):
        left, key, rest, indent, dash = m.groups()
        if left is not None:
            if len(left) > parent:
                raise _Decline
            return out, m.start()
        rest = rest.rstrip(b" ")
        if rest[:1] == b"#":
            rest = b""
        found = (m.end(), rest, -1 if indent is None else len(indent), dash is not None, m.end(4))
        out[key] = _TWICE if key in out else found
    return out, b


_TOP = (b"items", b"kind", b"metadata", b"spec", b"status")
_META = (b"name", b"namespace", b"uid", b"annotations", b"ownerReferences")
_SPEC = (b"nodeName", b"hostNetwork", b"containers", b"initContainers")
_STATUS = (b"phase", b"containerStatuses", b"initContainerStatuses")
_CONTAINER_STATUS = (b"name", b"state")
_STATE = (b"running",)
_RUNNING = (b"startedAt",)
_OWNER_REF = (b"kind", b"name", b"controller")


def _at(index: dict[bytes, _Key], key: bytes) -> _Key | None:
    """``key`` in the index (``None``: absent); a key given twice declines."""
    k = index.get(key)
    if k is _TWICE:
        raise _Decline
    return k


#: Scalars by their text (libyaml resolves them: ``true``, ``'x'``, ``1.0``...), forgotten when full.
_SCALARS: dict[bytes, Any] = {}
#: PyYAML's implicit resolvers by first character (a plain scalar none of them matches is a string).
_RESOLVERS = ItemLoader.yaml_implicit_resolvers
_INDICATORS = frozenset(b"-?:,[]{}#&*!|>'\"%@`")


def _simple_string(text: bytes) -> str | None:
    """The value of a one-line plain or quoted scalar that is plainly a string (no escapes, no comment,
    no implicit type), without a parser; ``None`` when the parser must decide."""
    if not text.isascii():
        return None
    first = text[0]
    if first == 0x27:  # 'single quoted'
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != 0x27 or b"'" in inner.replace(b"''", b""):
            return None
        return inner.replace(b"''", b"'").decode()
    if first == 0x22:  # "double quoted" without escapes
        inner = text[1:-1]
        if len(text) < 2 or text[-1] != 0x22 or b'"' in inner or b"\\" in inner:
            return None
        return inner.decode()
    if first in _INDICATORS or b" #" in text:
        return None
    value = text.decode()
    for _, rx in _RESOLVERS.get(value[0], ()):
        if rx.match(value):
            return None
    return value


def _scalar_text(text: bytes) -> Any:
    simple = _simple_string(text)
    if simple is not None:
        return simple
    found = _SCALARS.get(text, _SCALARS)
    if found is _SCALARS:
        try:
            docs = load_yaml(b"- " + text + b"\n")
        except YamlInputError:
            raise _Decline from None
        found = docs[0][0]
        if len(_SCALARS) >= 65536:
            _SCALARS.clear()
        _SCALARS[text] = found
    return found


def _scalar(k: _Key | None, col: int) -> Any:
    """The scalar value of a key at column ``col``."""
    if k is None:
        return None
    _, rest, indent, dash, _ = k
    if indent > col or (dash and indent == col):
        raise _Decline  # a nested collection (an indentless sequence too) or a multi-line scalar
    if not rest:
        return None
    if rest[0] in b"|>":
        raise _Decline
    return _scalar_text(rest)


_NO_KEYS: dict[bytes, _Key] = {}


def _mapping(
    t: bytes, k: _Key | None, col: int, b: int, keys: tuple[bytes, ...]
) -> tuple[dict[bytes, _Key], int, int] | None:
    """``keys`` of a key's mapping value, the end of its block and the column of its keys (no keys for
    ``{}``), or ``None`` when the value is not a mapping."""
    if k is None:
        return None
    eol, rest, indent, dash, content = k
    if rest:
        return (_NO_KEYS, eol, col + 1) if rest == b"{}" else None  # any other scalar or [] is not a mapping
    if indent <= col or dash:
        return None  # null, or a sequence
    if _KEY_AT.match(t, content) is None:
        raise _Decline  # a scalar on the next line, not a mapping
    index, end = _keys_in(t, eol, b, indent, keys, col)
    return index, end, indent


def _block(t: bytes, eol: int, col: int, inner: int, b: int) -> int:
    """The end of a value block whose content is at column ``inner`` (> ``col``): the first content line at
    ``col`` or left; a content line between ``col`` and ``inner`` declines."""
    m = _pattern("left", inner).search(t, eol, b)
    if m is None:
        return b
    if m.end() - m.start() - 2 > col:
        raise _Decline
    return m.start()


def _sequence(t: bytes, k: _Key | None, col: int, b: int) -> list[tuple[int, int]] | None:
    """The ``(start, end)`` of each entry's text of a key's sequence value, or ``None`` when the value is
    not a sequence."""
    if k is None:
        return None
    eol, rest, indent, dash, _ = k
    if rest:
        return [] if rest == b"[]" else None
    if indent < col or not dash:
        return None  # null (the next line belongs to an outer block), or a mapping or scalar
    if indent == col:
        m = _pattern("seq-end", col).search(t, eol, b)
        end = m.start() if m is not None else b
    else:
        end = _block(t, eol, col, indent, b)
        if _pattern("not-entry", indent).search(t, eol, end):
            raise _Decline
    starts = [m.start() + 1 for m in _pattern("entry", indent).finditer(t, eol, end)]
    return [(a, z) for a, z in zip(starts, [*starts[1:], end + 1], strict=True)]


def _entry_mapping(text: bytes, keys: tuple[bytes, ...]) -> tuple[bytes, int, dict[bytes, _Key]]:
    """A sequence entry's text (``- key: ...``) as a block whose keys are at one column -- the ``- `` becomes
    spaces and a newline is put in front, so every key line starts with one --, and its ``keys``."""
    m = _HEAD.match(text)
    if m is None:
        raise _Decline
    col = len(m.group(1)) + 1 + len(m.group(2))
    t = b"\n" + b" " * col + text[col:]
    index, _ = _keys_in(t, 0, len(t), col, keys, -1)
    return t, col, index


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
            raise _Decline from None
        if len(docs) != 1 or not isinstance(docs[0], list) or len(docs[0]) != 1:
            raise _Decline
        c = docs[0][0]
        found = _remember(_CONTAINERS, text, (c, spec_key(c)))
    return found


def _containers(
    t: bytes,
    spec: tuple[dict[bytes, _Key], int, int] | None,
    status: tuple[dict[bytes, _Key], int, int] | None,
    key: bytes,
    status_key: bytes,
    kind: str,
    containers: list[tuple[str, str, Any, bytes | None]],
    states: dict[tuple[str, str], tuple[bool, Any] | None],
) -> None:
    """One container list and its statuses, as :func:`kubehash.model.pod_view` reads them."""
    if spec is not None:
        keys, b, col = spec
        for i, (s, e) in enumerate(_sequence(t, _at(keys, key), col, b) or ()):
            c, ckey = _container(t[s:e])
            name = c.get("name") if isinstance(c, dict) else None
            containers.append((name if isinstance(name, str) else f"#{i}", kind, c, ckey))
    if status is not None:
        keys, b, col = status
        for s, e in _sequence(t, _at(keys, status_key), col, b) or ():
            u, ucol, ukeys = _entry_mapping(t[s:e], _CONTAINER_STATUS)
            end = len(u)
            name = _scalar(_at(ukeys, b"name"), ucol)
            if not isinstance(name, str) or (kind, name) in states:
                continue
            state = _mapping(u, _at(ukeys, b"state"), ucol, end, _STATE)
            if state is None:
                states[(kind, name)] = None
                continue
            skeys, send, scol = state
            run = _at(skeys, b"running")
            if run is None:
                states[(kind, name)] = (False, None)
                continue
            running = _mapping(u, run, scol, send, _RUNNING)
            started = _scalar(_at(running[0], b"startedAt"), running[2]) if running is not None else None
            states[(kind, name)] = (True, started)


def _owner(t: bytes, k: _Key | None, col: int, b: int) -> tuple[Any, Any]:
    """The controller owner reference's kind and name, else the first reference's (as ``pod_view``);
    memoised by the references' text (the replicas of a workload share them)."""
    entries = _sequence(t, k, col, b)
    if not entries:
        return None, None
    text = t[entries[0][0] : entries[-1][1]]
    found = _OWNERS.get(text)
    if found is not None:
        return found
    first: tuple[Any, Any] | None = None
    for s, e in entries:
        _, ucol, keys = _entry_mapping(t[s:e], _OWNER_REF)
        kind, name = _scalar(_at(keys, b"kind"), ucol), _scalar(_at(keys, b"name"), ucol)
        # strings only, as pod_view: another JSON type there is not shown
        ref: tuple[Any, Any] = (kind if type(kind) is str else None, name if type(name) is str else None)
        if _scalar(_at(keys, b"controller"), ucol):
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
    except (_Decline, RecursionError):
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


def _decode(text: bytes) -> PodView | NotAPod:
    if not text.isascii():
        try:
            text.decode("utf-8")
        except UnicodeDecodeError:
            raise _Decline from None
        if _ODD_UNICODE.search(text):
            raise _Decline
    if not text.endswith(b"\n"):
        text += b"\n"
    if b"<<" in text or ((b"&" in text or b"*" in text or b"!" in text) and _PROPERTIES.search(text)):
        raise _Decline
    if b"?" in text and _COMPLEX_KEY.search(text):
        raise _Decline
    if _BLOCK_ONLY.fullmatch(text) is None:
        raise _Decline
    t, col, top = _entry_mapping(text, _TOP)
    end = len(t)
    if _at(top, b"items") is not None:
        raise _Decline  # a nested List: iter_pods reads its items
    spec = _mapping(t, _at(top, b"spec"), col, end, _SPEC)
    kind = _scalar(_at(top, b"kind"), col)
    if kind not in (None, "Pod") or (spec is None and kind is None):  # as kubehash.model.is_pod
        raise _Decline  # not a pod: the exact loader reads it whole (a syntax error in it is an error, not a skip)
    meta = _mapping(t, _at(top, b"metadata"), col, end, _META)
    status = _mapping(t, _at(top, b"status"), col, end, _STATUS)
    ns = name = uid = None
    source = "apiserver"
    owner: tuple[Any, Any] = (None, None)
    if meta is not None:
        keys, b, mcol = meta
        ns = _scalar(_at(keys, b"namespace"), mcol)
        name = _scalar(_at(keys, b"name"), mcol)
        uid = _scalar(_at(keys, b"uid"), mcol)
        ann = _mapping(t, _at(keys, b"annotations"), mcol, b, (_MIRROR,))
        if ann is not None and _at(ann[0], _MIRROR) is not None:
            source = "file"
        owner = _owner(t, _at(keys, b"ownerReferences"), mcol, b)
    node = host_network = phase = None
    if spec is not None:
        node = _scalar(_at(spec[0], b"nodeName"), spec[2])
        host_network = _scalar(_at(spec[0], b"hostNetwork"), spec[2])
    if status is not None:
        phase = _scalar(_at(status[0], b"phase"), status[2])
    containers: list[tuple[str, str, Any, bytes | None]] = []
    states: dict[tuple[str, str], tuple[bool, Any] | None] = {}
    _containers(t, spec, status, b"initContainers", b"initContainerStatuses", "initContainer", containers, states)
    _containers(t, spec, status, b"containers", b"containerStatuses", "container", containers, states)
    return PodView(
        _shared(ns) if isinstance(ns, str) else None,
        name if isinstance(name, str) else "?",
        uid if isinstance(uid, str) and uid else None,
        source,
        _shared(node) if isinstance(node, str) and node else None,
        host_network is True,
        _shared(owner[0]),
        _shared(owner[1]),
        containers,
        states,
        bool(node) and phase not in NOT_RUNNING_PHASES,
    )
