"""Decode just what ``predict`` reads from a pod's YAML text, the YAML counterpart of
:mod:`kubehash.upgrade.podlite`.

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
from typing import Any

from kubehash.kubelet.hashcache import spec_key
from kubehash.model import MIRROR_ANNOTATION, NOT_RUNNING_PHASES, PodView
from kubehash.sources.yaml_items import FALLBACK, MAX_DEPTH, ItemLoader, YamlInputError, load_yaml

__all__ = ["decode_pod"]

# -- the text checks --------------------------------------------------------------------------------------

# Bytes libyaml rejects or reads differently from what the indentation says: tab, CR and other controls.
_BAD = rb"\x00-\x09\x0b-\x1f\x7f"
_SQ = rb"'[^'\n" + _BAD + rb"]*+(?:''[^'\n" + _BAD + rb"]*+)*+'"
_DQ = rb'"[^"\\\n' + _BAD + rb']*+(?:\\[^\n' + _BAD + rb'][^"\\\n' + _BAD + rb']*+)*+"'
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
#: Every line holding a quote or a bracket is a ``_LINE`` (lines without any are skipped in one step: they
#: cannot open a quoted scalar or a flow collection), so no line break is inside one: the indentation
#: gives the structure.
_BLOCK_ONLY = re.compile(rb"(?:(?:[^\"'\[{" + _BAD + rb"]*\n)?" + _LINE + rb")*+[^\"'\[{" + _BAD + rb"]*")
#: Node properties (anchor, alias, tag) and complex keys: values the indentation does not give (each looked
#: for only when its character is there at all). A line starting with ``: `` alone gives a null key, which
#: no read key is.
_PROPERTIES = re.compile(rb"[ \n][&*!]")
_COMPLEX_KEY = re.compile(rb"\n[ -]*\?[ \n]")
#: Without flow collections a level of nesting takes at least half a column of leading indentation and
#: ``- `` indicators: a run this long could be deeper than MAX_DEPTH.
_DEEP = re.compile(rb"\n[ -]{%d}" % ((MAX_DEPTH - 4) // 2))
#: Non-ASCII characters libyaml treats specially: C1 controls and NEL, LINE/PARAGRAPH SEPARATOR, BOM,
#: noncharacters.
_ODD_UNICODE = re.compile(rb"\xc2[\x80-\x9f]|\xe2\x80[\xa8\xa9]|\xef\xbb\xbf|\xef\xbf[\xbe\xbf]")
#: ``key: {}`` at the end of a line closes what it opens: taken out before the check (``managedFields`` is
#: made of them), the line is left without a bracket.
_EMPTY_MAP = b": {}\n"
_HEAD = re.compile(rb"( *)-( +)" + _PLAIN + rb"[ ]*+:(?=[ \n])")
_KEY_AT = re.compile(_PLAIN + rb"[ ]*+:(?=[ \n])")
# The next line with content (blank and comment lines skipped): its indentation, and whether it is a
# ``- `` sequence entry.
_NEXT = re.compile(rb"(?:\n *+(?:#[^\n]*+)?(?=\n))*+\n( *+)(?=[^ \n])(-(?=[ \n]))?")


class _Decline(Exception):
    """The fast path is not sure: the exact loader decides."""


_PATTERNS: dict[tuple[str, int], re.Pattern[bytes]] = {}


def _pattern(kind: str, col: int) -> re.Pattern[bytes]:
    found = _PATTERNS.get((kind, col))
    if found is None:
        if kind == "shallow":  # a content line left of ``col``
            src = rb"\n {0,%d}[^ \n#]" % (col - 1) if col > 0 else rb"(?!)"
        elif kind == "map-end":  # the first content line at ``col`` or left of it
            src = rb"\n {0,%d}[^ \n#]" % col
        elif kind == "seq-end":  # ... that is not a ``- `` entry
            src = rb"\n {0,%d}(?:[^ \n#-]|-[^ \n])" % col
        elif kind == "entry":  # a ``- `` entry at ``col``
            src = rb"\n {%d}-(?=[ \n])" % col
        else:  # "not-entry": content at ``col`` that is not a ``- `` entry
            src = rb"\n {%d}(?:[^ \n#-]|-[^ \n])" % col
        found = _PATTERNS[(kind, col)] = re.compile(src)
    return found


_INDEXES: dict[int, re.Pattern[bytes]] = {}
_TWICE = -2


def _index(t: bytes, col: int, a: int, b: int) -> dict[bytes, int]:
    """The keys of the block mapping at column ``col`` in ``t[a:b]`` that can be looked up (plain keys of
    letters, digits and ``_./-``; other keys are never one of those), each with where its value starts,
    just after the colon (``_TWICE`` for a key given twice)."""
    pattern = _INDEXES.get(col)
    if pattern is None:
        pattern = _INDEXES[col] = re.compile(rb"\n {%d}([A-Za-z0-9_./-]++)[ ]*+:(?=[ \n])" % col)
    out: dict[bytes, int] = {}
    for m in pattern.finditer(t, a, b):
        key = m.group(1)
        out[key] = _TWICE if key in out else m.end()
    return out


def _at(index: dict[bytes, int], key: bytes) -> int:
    """Where ``key``'s value starts (-1: absent); a key given twice declines."""
    p = index.get(key, -1)
    if p == _TWICE:
        raise _Decline
    return p


def _has_key(t: bytes, key: bytes, col: int, a: int, b: int) -> bool:
    return re.compile(rb"\n {%d}%s[ ]*:(?=[ \n])" % (col, re.escape(key))).search(t, a, b) is not None


def _line_rest(t: bytes, p: int) -> tuple[bytes, int]:
    """The text after a key's colon on its line (stripped; empty for none or a comment), and the line's end."""
    eol = t.find(b"\n", p)
    if eol < 0:
        eol = len(t)
    rest = t[p:eol].strip(b" ")
    return (b"" if rest[:1] == b"#" else rest), eol


def _next(t: bytes, eol: int, b: int) -> tuple[int, bool, int] | None:
    """The indentation of the next content line in ``t[eol:b]``, whether it is a ``- `` entry, and where
    its content starts."""
    m = _NEXT.match(t, eol, b)
    if m is None:
        return None
    return len(m.group(1)), m.group(2) is not None, m.end(1)


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


def _scalar(t: bytes, p: int, col: int, b: int) -> Any:
    """The scalar value after the colon at ``p`` of a key at column ``col``."""
    if p < 0:
        return None
    rest, eol = _line_rest(t, p)
    nxt = _next(t, eol, b)
    if nxt is not None and nxt[0] > col:
        raise _Decline  # a nested collection or a multi-line scalar
    if not rest:
        return None
    if rest[:1] in b"|>":
        raise _Decline
    return _scalar_text(rest)


_EMPTY = (0, 0, 0)


def _mapping(t: bytes, p: int, col: int, b: int) -> tuple[int, int, int] | None:
    """The block ``(start, end, column of its keys)`` of the mapping value after the colon at ``p`` (an
    empty block for ``{}``), or ``None`` when the value is not a mapping."""
    if p < 0:
        return None
    rest, eol = _line_rest(t, p)
    if rest:
        return _EMPTY if rest == b"{}" else None  # any other scalar, block scalar or [] is not a mapping
    nxt = _next(t, eol, b)
    if nxt is None or nxt[0] <= col or nxt[1]:
        return None  # null, or a sequence
    if _KEY_AT.match(t, nxt[2]) is None:
        raise _Decline  # a scalar on the next line, not a mapping
    m = _pattern("map-end", col).search(t, eol, b)
    end = m.start() if m is not None else b
    inner = nxt[0]
    if _pattern("shallow", inner).search(t, eol, end):
        raise _Decline
    return eol, end, inner


def _sequence(t: bytes, p: int, col: int, b: int) -> list[tuple[int, int]] | None:
    """The ``(start, end)`` of each entry's text of the sequence value after the colon at ``p``, or
    ``None`` when the value is not a sequence."""
    if p < 0:
        return None
    rest, eol = _line_rest(t, p)
    if rest:
        return [] if rest == b"[]" else None
    nxt = _next(t, eol, b)
    if nxt is None or nxt[0] < col or not nxt[1]:
        return None  # null (the next line belongs to an outer block), or a mapping or scalar
    dash = nxt[0]
    if dash == col:
        m = _pattern("seq-end", col).search(t, eol, b)
    else:
        m = _pattern("map-end", col).search(t, eol, b)
    end = m.start() if m is not None else b
    if dash > col and (_pattern("shallow", dash).search(t, eol, end) or _pattern("not-entry", dash).search(t, eol, end)):
        raise _Decline
    starts = [m.start() + 1 for m in _pattern("entry", dash).finditer(t, eol, end)]
    return [(a, z) for a, z in zip(starts, [*starts[1:], end + 1], strict=True)]


def _entry_mapping(text: bytes) -> tuple[bytes, int]:
    """A sequence entry's text (``- key: ...``) as a block whose keys are at one column: the ``- `` becomes
    spaces and a newline is put in front (so every key line starts with one)."""
    m = _HEAD.match(text)
    if m is None:
        raise _Decline
    col = len(m.group(1)) + 1 + len(m.group(2))
    t = b"\n" + b" " * col + text[col:]
    if _pattern("shallow", col).search(t, 1):
        raise _Decline
    return t, col


#: Distinct containers (text -> parsed mapping and its hash-cache key), the older half forgotten when full.
_MAX_MEMO = 4096
_CONTAINERS: dict[bytes, tuple[Any, bytes | None]] = {}
_MIRROR = MIRROR_ANNOTATION.encode()


def _remember(memo: dict[bytes, Any], key: bytes, value: Any) -> Any:
    if len(memo) >= _MAX_MEMO:  # forget the older half (replicas are listed near each other)
        for old in list(itertools.islice(memo, _MAX_MEMO // 2)):
            memo.pop(old, None)
    memo[key] = value
    return value


def _load_entry(text: bytes) -> Any:
    try:
        docs = load_yaml(text)
    except YamlInputError:
        raise _Decline from None
    if len(docs) != 1 or not isinstance(docs[0], list) or len(docs[0]) != 1:
        raise _Decline
    return docs[0][0]


def _container(text: bytes) -> tuple[Any, bytes | None]:
    found = _CONTAINERS.get(text)
    if found is None:
        c = _load_entry(text)
        found = _remember(_CONTAINERS, text, (c, spec_key(c)))
    return found


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


def _containers(
    t: bytes,
    spec: tuple[tuple[int, int, int], dict[bytes, int]] | None,
    status: tuple[tuple[int, int, int], dict[bytes, int]] | None,
    key: bytes,
    status_key: bytes,
    kind: str,
    containers: list[tuple[str, str, Any, bytes | None]],
    states: dict[tuple[str, str], tuple[bool, Any] | None],
) -> None:
    """One container list and its statuses, as :func:`kubehash.model.pod_view` reads them."""
    if spec is not None:
        (a, b, col), keys = spec
        entries = _sequence(t, _at(keys, key), col, b)
        for i, (s, e) in enumerate(entries or ()):
            c, ckey = _container(t[s:e])
            name = c.get("name") if isinstance(c, dict) else None
            containers.append((name if isinstance(name, str) else f"#{i}", kind, c, ckey))
    if status is not None:
        (a, b, col), keys = status
        for s, e in _sequence(t, _at(keys, status_key), col, b) or ():
            u, ucol = _entry_mapping(t[s:e])
            end = len(u)
            ukeys = _index(u, ucol, 0, end)
            name = _scalar(u, _at(ukeys, b"name"), ucol, end)
            if not isinstance(name, str) or (kind, name) in states:
                continue
            state = _mapping(u, _at(ukeys, b"state"), ucol, end)
            if state is None:
                states[(kind, name)] = None
                continue
            sa, sb, scol = state
            run_at = _at(_index(u, scol, sa, sb), b"running")
            if run_at < 0:
                states[(kind, name)] = (False, None)
                continue
            run = _mapping(u, run_at, scol, sb)
            started = None
            if run is not None:
                ra, rb, rcol = run
                started = _scalar(u, _at(_index(u, rcol, ra, rb), b"startedAt"), rcol, rb)
            states[(kind, name)] = (True, started)


def _owner(t: bytes, p: int, col: int, b: int) -> tuple[Any, Any]:
    """The controller owner reference's kind and name, else the first reference's (as ``pod_view``)."""
    entries = _sequence(t, p, col, b)
    first: tuple[Any, Any] | None = None
    for s, e in entries or ():
        u, ucol = _entry_mapping(t[s:e])
        end = len(u)
        keys = _index(u, ucol, 0, end)
        found = (_scalar(u, _at(keys, b"kind"), ucol, end), _scalar(u, _at(keys, b"name"), ucol, end))
        if _scalar(u, _at(keys, b"controller"), ucol, end):
            return found
        if first is None:
            first = found
    return first if first is not None else (None, None)


def decode_pod(text: bytes) -> Any:
    """The :class:`~kubehash.model.PodView` of the item whose YAML text (from its ``- `` line) is ``text``,
    ``None`` when the item is not a pod (``iter_pods`` would skip it), or
    :data:`~kubehash.sources.yaml_items.FALLBACK` when only the exact loader can say. Containers are shared
    between replicas and calls (memoised by their text): treat them as read-only."""
    try:
        return _decode(text)
    except (_Decline, RecursionError):
        return FALLBACK


def _decode(text: bytes) -> PodView | None:
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
    if (b"?" in text and _COMPLEX_KEY.search(text)) or _DEEP.search(text) or _BLOCK_ONLY.fullmatch(text.replace(_EMPTY_MAP, b":\n")) is None:
        raise _Decline
    t, col = _entry_mapping(text)
    end = len(t)
    top = _index(t, col, 0, end)
    if _at(top, b"items") >= 0:
        raise _Decline  # a nested List: iter_pods reads its items
    spec_block = _mapping(t, _at(top, b"spec"), col, end)
    kind = _scalar(t, _at(top, b"kind"), col, end)
    if spec_block is None and kind != "Pod":
        return None
    meta = _mapping(t, _at(top, b"metadata"), col, end)
    status_block = _mapping(t, _at(top, b"status"), col, end)
    ns = name = uid = None
    source = "apiserver"
    owner: tuple[Any, Any] = (None, None)
    if meta is not None:
        a, b, mcol = meta
        keys = _index(t, mcol, a, b)
        ns = _scalar(t, _at(keys, b"namespace"), mcol, b)
        name = _scalar(t, _at(keys, b"name"), mcol, b)
        uid = _scalar(t, _at(keys, b"uid"), mcol, b)
        ann = _mapping(t, _at(keys, b"annotations"), mcol, b)
        if ann is not None and _has_key(t, _MIRROR, ann[2], ann[0], ann[1]):
            source = "file"
        owner = _owner(t, _at(keys, b"ownerReferences"), mcol, b)
    node = host_network = phase = None
    spec = status = None
    if spec_block is not None:
        a, b, scol = spec_block
        spec = (spec_block, _index(t, scol, a, b))
        node = _scalar(t, _at(spec[1], b"nodeName"), scol, b)
        host_network = _scalar(t, _at(spec[1], b"hostNetwork"), scol, b)
    if status_block is not None:
        a, b, stcol = status_block
        status = (status_block, _index(t, stcol, a, b))
        phase = _scalar(t, _at(status[1], b"phase"), stcol, b)
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
