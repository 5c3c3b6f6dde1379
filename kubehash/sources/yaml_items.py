"""Stream the items of a ``kubectl get -o yaml`` dump, one item in memory at a time, parsed by libyaml.

A dump of 150k pods is a single YAML document of about a gigabyte; loading it whole takes tens of GB.
kubectl (``sigs.k8s.io/yaml`` over go-yaml) writes a List as a top-level block mapping whose ``items`` is
a block sequence: ``- `` at a fixed column (0 in kubectl's output) starts an item and every line of the
item is indented further. This module cuts the byte stream at those lines and parses each item on its
own with PyYAML's C loader (:class:`ItemLoader`), so memory is one item plus a read buffer.

What is read, and how it relates to loading the whole document
(:func:`kubehash.sources.documents.parse_documents`, whose values are the reference):

* a document whose top-level ``items:`` key (at column 0) is followed by a block sequence is streamed:
  its items are yielded one by one; the rest of the document (``apiVersion``, ``kind``, ``metadata``) is
  parsed on its own afterwards, with ``items: []`` standing in for the sequence, so a syntax error there
  still fails the read. Any other document (a single object, a ``List`` in flow style...) is parsed whole;
  a List's items are yielded, any other document itself (as ``iter_items`` does);
* documents are cut at ``---`` / ``...`` lines at column 0, where libyaml always ends a document;
* values are those of the whole-document loader, with these deliberate differences:

  - a float becomes a :class:`~kubehash.golang.jsonvalue.RawFloat` whose text is Go's ``encoding/json``
    text of the float64 (:func:`go_json_float`): what ``sigs.k8s.io/yaml``'s YAML-to-JSON conversion (go-yaml
    value, then ``json.Marshal``) hands to the API server or the kubelet for that YAML, the counterpart of
    the JSON path keeping a number's literal text (``1.0`` reaches Go as ``1``, ``1.5e-7`` as ``1.5e-7``).
    Infinities and NaN stay Python floats (Go's ``json.Marshal`` refuses them);
  - an item is YAML on its own: an alias to an anchor outside the item, or a quoted scalar / flow
    collection that runs onto a line at the items' column, is an error (kubectl never writes either);
  - the bounds below: an item (or a document parsed whole) larger than :data:`MAX_ITEM_BYTES`, nested
    deeper than :data:`MAX_DEPTH`, or holding more than :data:`MAX_NODES` values once its aliases are
    expanded (an "alias bomb"), or whose aliases form a cycle, is rejected with a :class:`YamlInputError`
    naming the file, the item (or document) and the line, before any Python value is built for it.

For ``--jobs``, :func:`yaml_layout` finds where the items of a file's first document start, and
:func:`read_part` reads the items that start in a byte range ``[start, limit)`` of the file in a worker
process; :func:`map_items` runs parts in parallel and checks that each part starts exactly where the
previous one ended (a ``- `` line at the items' column is an item start by the rule above, so a part can
find its first item by scanning for one).
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import yaml
from yaml.constructor import SafeConstructor

from kubehash import limits
from kubehash.errors import InputError
from kubehash.golang.jsonvalue import RawFloat

__all__ = [
    "FALLBACK",
    "MAX_DEPTH",
    "MAX_ITEM_BYTES",
    "MAX_NODES",
    "ItemLoader",
    "YamlInputError",
    "YamlLayout",
    "YamlPart",
    "go_json_float",
    "iter_yaml_items",
    "load_yaml",
    "read_part",
    "read_rest",
    "yaml_layout",
]

R = TypeVar("R")

# The bounds (item size, nesting depth, values once aliases are expanded) are kubehash.limits' own.
MAX_ITEM_BYTES, MAX_DEPTH, MAX_NODES = limits.MAX_ITEM_BYTES, limits.MAX_DEPTH, limits.MAX_NODES

#: Returned by a ``decode`` function (:func:`read_part`, :func:`iter_yaml_items`) that cannot decode an item:
#: the exact loader decodes it instead.
FALLBACK: Any = object()

#: ``decode(text)``: what the caller wants for the item whose YAML text (bytes, starting at its ``- `` line)
#: is ``text``, or :data:`FALLBACK`. A ``decode`` with an ``unreadable(text, error)`` attribute also gets
#: the items the exact loader refuses (a syntax error, a bound broken): what it returns stands for the item
#: and the items after it are still read; without it the error ends the read.
Decode = Callable[[bytes], Any]

_CHUNK = 1 << 20
_BOM = b"\xef\xbb\xbf"


class YamlInputError(InputError):
    """A YAML dump that cannot be read; the message names the file, the item or document, and the line."""

    def __init__(
        self,
        name: str,
        problem: str,
        *,
        item: int | None = None,
        document: int | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.name, self.problem, self.item, self.document = name, problem, item, document
        self.line, self.column = line, column
        where = []
        if item is not None:
            where.append(f"item {item}")
        elif document is not None:
            where.append(f"document {document}")
        if line is not None:
            where.append(f"line {line}" + (f", column {column}" if column is not None else ""))
        if len(where) == 2:
            where = [f"{where[0]} ({where[1]})"]
        super().__init__(f"{name}: {where[0] + ': ' if where else ''}{problem}")


# -- the loader -------------------------------------------------------------------------------------------


def go_json_float(f: float) -> str:
    """Go's ``encoding/json`` text of a finite float64 (Go >= 1.8 ``floatEncoder``): the shortest digits
    that read back as ``f``, positional when ``1e-6 <= |f| < 1e21`` (or zero), else ``strconv``'s exponent
    form with a one-digit negative exponent unpadded (``1e-07`` -> ``1e-7``)."""
    if f == 0:
        return "-0" if math.copysign(1.0, f) < 0 else "0"
    shortest = repr(f)  # Python's repr and Go's strconv (precision -1) both give the shortest round-trip digits
    if 1e-6 <= abs(f) < 1e21:
        text = format(Decimal(shortest), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    mantissa, _, exponent = shortest.partition("e")  # repr uses exponent form below 1e-4 and from 1e16 on
    sign, digits = exponent[0], exponent[1:].lstrip("0")
    if sign == "+" or len(digits) > 1:
        digits = digits.rjust(2, "0")
    return f"{mantissa}e{sign}{digits}"


#: Tags of plain scalars by their text (PyYAML's implicit resolvers, asked once per distinct text).
_TAGS: dict[str, str] = {}


class ItemLoader(yaml.CSafeLoader):
    """libyaml's parser with PyYAML's safe constructors, as kubehash reads YAML: YAML 1.1 scalars as
    ``sigs.k8s.io/yaml`` reads them for kubectl, except that timestamps stay strings (as
    :class:`kubehash.sources.documents._Loader` keeps them) and floats carry Go's JSON text
    (:func:`go_json_float`)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        """``Resolver.resolve``, memoised for plain scalars (whose tag depends on their text alone)."""
        if kind is yaml.ScalarNode and implicit[0]:
            tag = _TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
                if len(_TAGS) >= 65536:
                    _TAGS.clear()
                _TAGS[value] = tag
            return tag
        return super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]


ItemLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def _construct_float(loader: ItemLoader, node: yaml.Node) -> float:
    value: float = loader.construct_yaml_float(node)  # type: ignore[arg-type]
    return RawFloat(go_json_float(value)) if math.isfinite(value) else value


ItemLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ = (_T + t for t in ("str", "int", "float", "bool", "null", "map", "seq"))
_NUMBERS: dict[tuple[str, str], Any] = {}


class _Unusual(Exception):
    """A node the direct builder leaves to PyYAML's constructors."""


def _build(loader: ItemLoader, node: yaml.Node) -> Any:
    """What ``SafeConstructor.construct_document`` (with :class:`ItemLoader`'s constructors) builds from an
    alias-free node graph of strings, numbers, booleans, nulls, mappings (with scalar keys, no merge keys)
    and sequences -- built directly, a few times faster; raises :class:`_Unusual` for anything else."""
    tag = node.tag
    kind = type(node)
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return SafeConstructor.bool_values[node.value.lower()]
        if tag in (_INT, _FLOAT):
            key = (tag, node.value)
            found = _NUMBERS.get(key, _NUMBERS)
            if found is _NUMBERS:
                found = loader.construct_object(node)
                if len(_NUMBERS) >= 65536:
                    _NUMBERS.clear()
                _NUMBERS[key] = found
            return found
    elif kind is yaml.MappingNode and tag == _MAP:
        out: dict[Any, Any] = {}
        for k, v in node.value:
            if type(k) is not yaml.ScalarNode or k.tag not in _KEY_TAGS:
                raise _Unusual
            out[_build(loader, k)] = _build(loader, v)
        return out
    elif kind is yaml.SequenceNode and tag == _SEQ:
        return [_build(loader, x) for x in node.value]
    raise _Unusual


_KEY_TAGS = frozenset((_STR, _INT, _FLOAT, _BOOL, _NULL))


#: Text tests that prove an item within the depth bound without walking its nodes: without flow
#: collections (other than empty ``{}``/``[]``), a block collection starts further right than its parent
#: (an indentless sequence shares its mapping's column, its entries start two further), so depth is at
#: most twice the longest run of indentation and ``- ``/``? ``/``: `` indicators at a line start, plus two.
_OPENERS = (b"[", b"{")
_DEEP_RUN = re.compile(rb"(?:^|\n)[ ?:-]{%d}" % ((MAX_DEPTH - 4) // 4))


def _needs_walk(text: bytes) -> bool:
    """Whether the node graph must be walked: anchors may be there, or the text does not prove the depth."""
    if b"&" in text:
        return True
    flows = sum(text.count(o) for o in _OPENERS) - text.count(b"{}") - text.count(b"[]")
    return flows > MAX_DEPTH // 2 or _DEEP_RUN.search(text) is not None


def _check_graph(root: yaml.Node) -> tuple[str, yaml.Node] | None:
    """``(problem, node)`` when the composed graph breaks a bound (walked without recursion, each node once)."""
    size: dict[int, int] = {}  # values under a node, aliases expanded
    height: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            children = _children(node)
            size[key] = 1 + sum(size[id(c)] for c in children)
            height[key] = 1 + max((height[id(c)] for c in children), default=0)
            if size[key] > MAX_NODES:
                return f"more than {MAX_NODES} values once its aliases are expanded (MAX_NODES)", node
            if height[key] > MAX_DEPTH:
                return f"nested deeper than {MAX_DEPTH} levels (MAX_DEPTH)", node
            continue
        if key in size:
            continue
        if key in open_:
            return "an alias refers to a collection that contains it (a recursive value)", node
        open_.add(key)
        stack.append((node, True))
        for child in _children(node):
            if id(child) not in size:
                stack.append((child, False))
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def load_yaml(
    text: bytes, *, name: str = "<input>", item: int | None = None, document: int | None = None, line: int = 1
) -> list[Any]:
    """Every document in ``text`` (a YAML stream) as :class:`ItemLoader` builds it, within the bounds;
    empty documents are dropped. Errors name ``item`` or ``document`` and lines counted from ``line``."""

    def fail(problem: str, mark: Any = None) -> YamlInputError:
        at_line = line + mark.line if mark is not None else line
        at_col = mark.column + 1 if mark is not None else None
        return YamlInputError(name, problem, item=item, document=document, line=at_line, column=at_col)

    if len(text) > MAX_ITEM_BYTES:
        raise fail(f"larger than {MAX_ITEM_BYTES} bytes (MAX_ITEM_BYTES)")
    walk = _needs_walk(text)
    anchors = b"&" in text
    loader = ItemLoader(text)
    out: list[Any] = []
    try:
        while loader.check_node():
            node = loader.get_node()
            assert node is not None  # check_node said so
            if walk:
                broken = _check_graph(node)
                if broken is not None:
                    raise fail(broken[0], broken[1].start_mark)
            try:
                value = loader.construct_document(node) if anchors else _build(loader, node)
            except _Unusual:
                value = loader.construct_document(node)
            if value is not None:
                out.append(value)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        context = e.context
        if context and e.context_mark is not None and mark is not None and e.context_mark.line != mark.line:
            context += f" (from line {line + e.context_mark.line}, column {e.context_mark.column + 1})"
        problem = "; ".join(p for p in (context, e.problem) if p) or str(e)
        raise fail(problem, mark) from None
    except yaml.YAMLError as e:  # ReaderError (bad UTF-8, a forbidden character): no mark
        raise fail(str(e).replace("\n", " ")) from None
    except (ValueError, TypeError, OverflowError) as e:  # a constructor refusing a value (e.g. !!int x)
        raise fail(f"invalid value: {e}") from None
    finally:
        loader.dispose()
    return out


# -- the byte stream --------------------------------------------------------------------------------------


class _Stream:
    """A binary stream read ahead in chunks: ``buf`` holds the stream from file offset ``base`` on."""

    def __init__(self, f: BinaryIO, name: str, *, base: int = 0, line: int | None = 1, chunk: int = _CHUNK) -> None:
        self.f, self.name, self.chunk = f, name, chunk
        self.buf = b""
        self.base = base
        self.eof = False
        # Whether a line break other than LF and CRLF has been read: patterns that start at a newline are
        # much faster to search for, and serve until then.
        self.odd_breaks = False
        # Lines are counted lazily: ``line`` is the 1-based line number at ``buf[line_at]`` (None: unknown
        # until asked, then counted from the start of the file -- only a part that reports an error does that).
        self._line = line
        self._line_at = 0

    def more(self, keep: int) -> bool:
        """Read a chunk after the buffer, dropping ``buf[:keep]``; False at the end of the stream."""
        if self.eof:
            return False
        data = self.f.read(self.chunk)
        if not data:
            self.eof = True
            return False
        if not self.odd_breaks:
            self.odd_breaks = _has_odd_breaks(data)
        if keep > 0:
            if self._line is not None:
                self._line += self.buf.count(b"\n", self._line_at, keep)
                self._line_at = 0
            else:
                self._line_at -= keep
            self.buf = self.buf[keep:] + data
            self.base += keep
        else:
            self.buf += data
        return True

    def line(self, i: int) -> int:
        """The 1-based line number of ``buf[i]``."""
        if self._line is None:
            self._line = _count_lines(self.name, self.base) + 1
            self._line_at = 0
        if i >= self._line_at:
            return self._line + self.buf.count(b"\n", self._line_at, i)
        return self._line - self.buf.count(b"\n", i, self._line_at)

    def search(self, pattern: re.Pattern[bytes], start: int, *, lookahead: int = 8) -> re.Match[bytes] | None:
        """The first match at or after ``start``, reading more as needed (a match within ``lookahead`` bytes
        of the end of the buffer is confirmed with more data first). Drops nothing."""
        pos = start
        while True:
            m = pattern.search(self.buf, pos)
            if m is not None and (m.end() + lookahead <= len(self.buf) or self.eof):
                return m
            if m is None and self.eof:
                return None
            if len(self.buf) - start > MAX_ITEM_BYTES + _CHUNK:
                return m
            pos = max(start, len(self.buf) - 256)
            if not self.more(0):
                pos = start  # search the final buffer once more, this time accepting matches at its end


def _has_odd_breaks(data: bytes) -> bool:
    """Whether ``data`` holds a line break other than LF or CRLF (a lone CR, NEL, LS, PS)."""
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return True
    return not data.isascii() and (b"\xc2\x85" in data or b"\xe2\x80\xa8" in data or b"\xe2\x80\xa9" in data)


def _count_lines(name: str, offset: int) -> int:
    """Newlines in the first ``offset`` bytes of the file ``name``."""
    n = 0
    with open(name, "rb") as f:
        left = offset
        while left > 0:
            block = f.read(min(left, 8 << 20))
            if not block:
                break
            n += block.count(b"\n")
            left -= len(block)
    return n


# Line breaks as libyaml reads them (NEL, LINE and PARAGRAPH SEPARATOR and a lone CR too), and what may
# follow an indicator.
_LB = rb"(?:\n|\r(?!\n)|\xc2\x85|\xe2\x80[\xa8\xa9])"
_BLANK_AFTER = rb"(?=[ \t\r\n]|\xc2\x85|\xe2\x80[\xa8\xa9]|\Z)"
# Column-0 document markers: libyaml ends a document at every one of them.
_MARKERS = (
    re.compile(rb"\n(---|\.\.\.)" + _BLANK_AFTER),  # (a leading newline: searched for quickly)
    re.compile(_LB + rb"(---|\.\.\.)" + _BLANK_AFTER),
)
_MARKER_HERE = re.compile(rb"(---|\.\.\.)" + _BLANK_AFTER)
# Blank, comment and directive lines only (what may precede a document's ``---``).
_PREAMBLE = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n|%[^\n]*\n|[ \t]*(?:#[^\n]*)?\Z)*")
# The top-level ``items:`` key of a List with a block sequence value on the following lines.
_ITEMS_KEY = re.compile(rb"(?:^|\n)items[ \t]*:[ \t]*(?:#[^\n]*)?\r?\n")
_FIRST_ITEM = re.compile(rb"(?:[ \t]*(?:#[^\n]*)?\r?\n)*( *)-(?:[ \t\r\n]|\Z)")
_FROM_LINE = re.compile(r"\(from line (\d+),")
_BOUNDARIES: dict[tuple[int, bool], re.Pattern[bytes]] = {}
_LEFT_LINES: dict[int, re.Pattern[bytes]] = {}
_BLANKS = (b" ", b"\t", b"\r", b"\n", b"")


def _boundary(column: int, odd_breaks: bool) -> re.Pattern[bytes]:
    """The next line that starts an item (group 2) or ends the items block, for items at ``column``:
    a ``-`` at the column followed by a blank, or content at the column or left of it; group 1 is the
    line break before it (``odd_breaks``: any of libyaml's, else LF)."""
    found = _BOUNDARIES.get((column, odd_breaks))
    if found is None:
        found = _BOUNDARIES[(column, odd_breaks)] = re.compile(
            rb"(%s)(?:( {%d}-)%s| {0,%d}(?!\xc2\x85|\xe2\x80[\xa8\xa9])[^ \t\r\n#])"
            % (_LB if odd_breaks else rb"\n", column, _BLANK_AFTER, column)
        )
    return found


@dataclass(frozen=True)
class YamlLayout:
    """Where the items of a file's first document (a List with block items) are.

    ``first``: byte offset of the first item's line; ``column``: the column of its ``-``; ``line``: the
    first item's line number; ``header``: the document's text before the items (``items:`` line included),
    parsed with the rest of the document after the items to check it."""

    first: int
    column: int
    line: int
    header: bytes


@dataclass
class YamlPart:
    """What :func:`read_part` read from ``[start, limit)``: ``start`` is the offset of its first item
    (``None``: no item starts there); ``results`` the items (or ``fn`` of them); ``next`` the offset of the item
    after the last one (``None`` if the items block ended); ``after`` where the block ended, if it did."""

    start: int | None
    results: list[Any]
    next: int | None
    after: int | None


class _Reader:
    """The documents and items of a YAML stream (see the module docstring)."""

    def __init__(self, s: _Stream, decode: Decode | None) -> None:
        self.s = s
        self.decode = decode
        self.document = 0
        self.next_offset: int | None = None

    @property
    def name(self) -> str:
        return self.s.name

    def documents(self, pos: int = 0) -> Iterator[Any]:
        """Every item (of a List) or document from ``buf[pos]`` to the end of the stream."""
        s = self.s
        if s.base == 0 and pos == 0:
            s.more(0)
            if s.buf.startswith(_BOM):
                pos = len(_BOM)
        while True:
            if pos >= len(s.buf):
                self._drop(pos)
                pos = 0
                if not s.more(0):
                    return
            end, nxt = self._document_end(pos)
            self.document += 1
            layout = self._list_layout(pos, end)
            if layout is not None:
                at, column = layout
                header, header_line = s.buf[pos:at], s.line(pos)
                self._drop(at)
                after = yield from self.items(0, column, 1, None)
                assert after is not None
                end, nxt = self._document_end(after, inside=True)
                self.check_rest(header, header_line, after, end)
            elif end > pos:
                docs = load_yaml(s.buf[pos:end], name=self.name, document=self.document, line=s.line(pos))
                for doc in docs:
                    if isinstance(doc, dict) and isinstance(doc.get("items"), list):
                        yield from doc["items"]
                    else:
                        yield doc
            pos = nxt
            if pos > _CHUNK:
                self._drop(pos)
                pos = 0

    def _drop(self, pos: int) -> None:
        """Forget ``buf[:pos]``."""
        s = self.s
        if pos <= 0:
            return
        if s._line is not None:
            s._line += (
                s.buf.count(b"\n", s._line_at, pos) if pos >= s._line_at else -s.buf.count(b"\n", pos, s._line_at)
            )
            s._line_at = 0
        else:
            s._line_at -= pos
        s.buf = s.buf[pos:]
        s.base += pos

    def _document_end(self, pos: int, *, inside: bool = False) -> tuple[int, int]:
        """``(end, next)``: where the document starting at ``buf[pos]`` (``inside``: continuing at
        ``buf[pos]``) ends and the next one starts (for a List larger than the search window, the end of the
        buffer: only its head is looked at)."""
        s = self.s
        search_from = max(0, pos - 3)  # pos is a line start: a marker there follows the line break before it
        while True:
            m = _MARKER_HERE.match(s.buf) if search_from == 0 else None
            if m is None:
                odd = s.odd_breaks
                m = s.search(_MARKERS[odd], search_from)
                if s.odd_breaks and not odd:
                    m = s.search(_MARKERS[True], search_from)
            if m is None:
                end = len(s.buf)
                if end - pos > MAX_ITEM_BYTES and self._list_layout(pos, end) is None:
                    raise YamlInputError(
                        self.name,
                        f"larger than {MAX_ITEM_BYTES} bytes (MAX_ITEM_BYTES) and not a List with block items",
                        document=self.document + 1,
                        line=s.line(pos),
                    )
                return end, end
            at = m.start(1)
            if m.group(1) == b"...":
                eol = s.buf.find(b"\n", at)
                stop = len(s.buf) if eol < 0 else eol + 1
                return stop, stop
            if not inside and (at == pos or _PREAMBLE.fullmatch(s.buf, pos, at)):
                search_from = at + 3  # this ``---`` starts the document itself
                continue
            return at, at

    def _list_layout(self, pos: int, end: int) -> tuple[int, int] | None:
        """``(buffer index of the first item, its column)`` when the document at ``buf[pos:end]`` is a List
        with block items; ``None`` otherwise."""
        s = self.s
        m = _ITEMS_KEY.search(s.buf, pos, min(end, pos + MAX_ITEM_BYTES))
        if m is None:
            return None
        first = _FIRST_ITEM.match(s.buf, m.end(), end)
        if first is None:
            return None
        return first.start(1), len(first.group(1))

    def items(self, at: int, column: int, index: int, limit: int | None) -> Generator[Any, None, int | None]:
        """The items from ``buf[at]`` (an item's line) on, numbered from ``index``. Returns (as the
        generator's value) the buffer index where the items block ends, or ``None`` when it stopped before
        an item that starts at file offset ``limit`` or later (``next_offset`` is that item's offset)."""
        s = self.s
        while True:
            if limit is not None and s.base + at >= limit:
                self.next_offset = s.base + at
                return None
            end, is_item = self._boundary(at, column)
            if end - at > MAX_ITEM_BYTES:
                raise YamlInputError(
                    self.name, f"larger than {MAX_ITEM_BYTES} bytes (MAX_ITEM_BYTES)", item=index, line=s.line(at)
                )
            yield self.item(s.buf[at:end], index, at)
            index += 1
            if not is_item:
                return end
            at = end
            if at > _CHUNK:  # keep the buffer at about one chunk
                self._drop(at)
                at = 0

    def _boundary(self, at: int, column: int) -> tuple[int, bool]:
        """Where the item at ``buf[at]`` ends, and whether another item starts there (else the items block
        ends there, or the stream does)."""
        s = self.s
        if not s.odd_breaks:
            # Lines left of the items' content, found quickly (a newline, at most ``column`` spaces, not a
            # space); comment lines and CRLF blank lines among them are passed over.
            pattern = _LEFT_LINES.get(column)
            if pattern is None:
                pattern = _LEFT_LINES[column] = re.compile(rb"\n {0,%d}[^ \n]" % column)
            pos = at
            while True:
                m = s.search(pattern, pos)
                if s.odd_breaks:
                    break  # such a break was read during the search: the general pattern below
                if m is None:
                    return len(s.buf), False
                line, c = m.start() + 1, m.end() - 1
                char = s.buf[c]
                if char == 0x23 or (char in b"\t\r" and c - line <= column):  # '#', a tab, a CRLF blank line
                    pos = c
                    continue
                if char == 0x2D and c - line == column and s.buf[c + 1 : c + 2] in _BLANKS:
                    return line, True
                return line, False
        m = s.search(_boundary(column, True), at)
        if m is None:
            return len(s.buf), False
        return m.end(1), m.group(2) is not None

    def item(self, text: bytes, index: int, at: int) -> Any:
        """One item: ``decode``'s answer, else the exact loader's."""
        if self.decode is not None:
            value = self.decode(text)
            if value is not FALLBACK:
                return value
        try:
            docs = load_yaml(text, name=self.name, item=index)
        except YamlInputError as e:  # again, numbering the lines as in the file (only now worth counting)
            error = e
            try:
                load_yaml(text, name=self.name, item=index, line=self.s.line(at))
            except YamlInputError as numbered:
                error = numbered
            unreadable = getattr(self.decode, "unreadable", None)
            if unreadable is None:
                raise error from None
            return unreadable(text, error)  # the decoder's stand-in for the item; the items after it go on
        if len(docs) != 1 or not isinstance(docs[0], list) or len(docs[0]) != 1:  # pragma: no cover - by the cut
            raise YamlInputError(self.name, "not a single sequence entry", item=index, line=self.s.line(at))
        return docs[0][0]

    def check_rest(self, header: bytes, header_line: int, after: int, end: int) -> None:
        """Parse the List around its items: ``header`` (the document up to its ``items:`` line, which starts
        at line ``header_line``) with ``items: []``, then the rest of the document, ``buf[after:end]``."""
        s = self.s
        rest = s.buf[after:end]
        if len(header) + len(rest) > MAX_ITEM_BYTES:
            raise YamlInputError(
                self.name,
                f"the List around its items is larger than {MAX_ITEM_BYTES} bytes",
                document=self.document,
                line=s.line(after),
            )
        if _ITEMS_KEY.search(rest):  # (a second key after a line break other than LF is not looked for)
            raise YamlInputError(
                self.name, "a second 'items' key after the items", document=self.document, line=s.line(after)
            )
        m = _ITEMS_KEY.search(header)
        assert m is not None
        head = header[: m.start()] + (b"\n" if m.start() else b"") + b"items: []\n"
        head_lines = head.count(b"\n")
        try:
            docs = load_yaml(head + rest, name=self.name, document=self.document)
        except YamlInputError as e:
            after_line = s.line(after)

            def in_file(n: int) -> int:
                return header_line + n - 1 if n <= head_lines else after_line + n - head_lines - 1

            problem = _FROM_LINE.sub(lambda m: f"(from line {in_file(int(m.group(1)))},", e.problem)
            line = in_file(e.line) if e.line is not None else None
            raise YamlInputError(self.name, problem, document=self.document, line=line, column=e.column) from None
        if len(docs) != 1 or not isinstance(docs[0], dict) or docs[0].get("items") != []:
            raise YamlInputError(
                self.name,
                "the List around its items is not a mapping with one 'items' key",
                document=self.document,
                line=header_line,
            )


def _open(source: str | Path | BinaryIO) -> tuple[BinaryIO, str, bool]:
    if not isinstance(source, (str, Path)):
        return (
            source,
            getattr(source, "name", "<stream>") if isinstance(getattr(source, "name", None), str) else "<stream>",
            False,
        )
    if str(source) == "-":
        return sys.stdin.buffer, "<stdin>", False
    try:
        return open(source, "rb"), str(source), True
    except IsADirectoryError:
        raise InputError(f"{source}: is a directory") from None
    except OSError as e:
        raise InputError(f"{source}: cannot read: {e.strerror or e}") from None


def iter_yaml_items(
    source: str | Path | BinaryIO, *, decode: Decode | None = None, chunk_size: int = _CHUNK
) -> Iterator[Any]:
    """The items of every List document and every other document of the YAML stream at ``source`` (a
    path, ``-`` for standard input, or a binary stream), one at a time. ``decode`` (optional) may turn an
    item's text into what the caller wants instead (e.g. :func:`kubehash.sources.yaml_views.decode_pod`)."""
    f, name, owned = _open(source)
    try:
        yield from _Reader(_Stream(f, name, chunk=chunk_size), decode).documents()
    finally:
        if owned:
            f.close()


# -- parts of a file, for worker processes ----------------------------------------------------------------


def yaml_layout(path: str | Path) -> YamlLayout | None:
    """The layout of the List that is the first document of the file at ``path``, or ``None`` when the
    file does not start with a List with block items (read it with :func:`iter_yaml_items`)."""
    p = Path(path)
    if str(path) == "-" or not p.is_file():
        return None
    with p.open("rb") as f:
        r = _Reader(_Stream(f, str(p)), None)
        s = r.s
        s.more(0)
        pos = len(_BOM) if s.buf.startswith(_BOM) else 0
        try:
            end, _ = r._document_end(pos)
        except YamlInputError:
            return None
        layout = r._list_layout(pos, end)
        if layout is None:
            return None
        return YamlLayout(layout[0], layout[1], s.line(layout[0]), s.buf[pos : layout[0]])


def read_part(
    path: str | Path,
    layout: YamlLayout,
    start: int,
    limit: int,
    *,
    exact_start: bool = False,
    decode: Decode | None = None,
    fn: Callable[[Any], Any] | None = None,
) -> YamlPart:
    """The items that start in ``[start, limit)`` of the List laid out by ``layout`` (from ``start`` itself
    when ``exact_start``; else from the first ``- `` line at the items' column at or after ``start``), each
    decoded (``decode``, else the exact loader) and mapped by ``fn`` if given. Errors name the item by its
    number in the whole List and its line (counted from the start of the file when an error occurs)."""
    name = str(path)
    with open(path, "rb") as f:
        if not exact_start:
            found = _find_item(f, start, limit, layout.column)
            if found is None:
                return YamlPart(None, [], None, None)
            start = found
        f.seek(start)
        r = _Reader(_Stream(f, name, base=start, line=layout.line if start == layout.first else None), decode)
        r.s.more(0)
        results: list[Any] = []
        items = r.items(0, layout.column, 1, limit)
        try:
            while True:
                try:
                    item = next(items)
                except StopIteration as stop:
                    after = stop.value
                    break
                results.append(fn(item) if fn is not None else item)
        except YamlInputError as e:
            if e.item is None or start == layout.first:
                raise
            before = _count_items(name, layout, start)
            raise YamlInputError(name, e.problem, item=e.item + before, line=e.line, column=e.column) from None
        if after is None:
            return YamlPart(start, results, r.next_offset, None)
        return YamlPart(start, results, None, r.s.base + after)


def _find_item(f: BinaryIO, start: int, limit: int, column: int) -> int | None:
    """Offset of the first item line at or after ``start`` and before ``limit``."""
    marker = re.compile(rb"%s {%d}-%s" % (_LB, column, _BLANK_AFTER))
    pos = max(0, start - 3)
    while pos < limit:
        f.seek(pos)
        window = f.read(_CHUNK + column + 3)
        if not window:
            return None
        m = marker.search(window)
        while m is not None and pos + m.end() - column - 1 < start:  # a line that starts before ``start``
            m = marker.search(window, m.start() + 1)
        if m is not None and (m.end() < len(window) or len(window) < _CHUNK):
            found = pos + m.end() - column - 1
            return found if found < limit else None
        pos += _CHUNK
    return None


def _count_items(name: str, layout: YamlLayout, offset: int) -> int:
    """Items of the List that start before ``offset`` (only to number an error)."""
    marker = re.compile(rb"%s {%d}-%s" % (_LB, layout.column, _BLANK_AFTER))
    begin = max(0, layout.first - 3)
    with open(name, "rb") as f:
        f.seek(begin)
        data = f.read(offset - begin)
    return len(marker.findall(data))


def read_rest(path: str | Path, layout: YamlLayout, after: int, *, decode: Decode | None = None) -> Iterator[Any]:
    """After the parts: check the rest of the List's document (from ``after``, where its items ended) and
    yield the items and documents of the rest of the file."""
    name = str(path)
    with open(path, "rb") as f:
        f.seek(after)
        r = _Reader(_Stream(f, name, base=after, line=None), decode)
        r.document = 1
        r.s.more(0)
        end, nxt = r._document_end(0, inside=True)
        r.check_rest(layout.header, 1, 0, end)
        if nxt < len(r.s.buf) or not r.s.eof:
            yield from r.documents(nxt)
