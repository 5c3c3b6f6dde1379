"""Parse one piece of YAML text (an item of a dump, or a whole document) with libyaml, within the bounds.

:func:`load_yaml` is the exact loader every YAML reader of kubehash ends in: libyaml's parser with PyYAML's
safe constructors (:class:`ItemLoader`), YAML 1.1 scalars as ``sigs.k8s.io/yaml`` reads them for kubectl,
timestamps kept as strings and floats carrying Go's ``encoding/json`` text (:func:`go_json_float`). Before
any Python value is built, the composed node graph is checked against kubehash's bounds
(:mod:`kubehash.limits`): nesting depth, values once aliases are expanded, recursive aliases; a text larger
than :data:`MAX_ITEM_BYTES` is refused unread. Every failure is a :class:`YamlInputError` naming the file,
the item or document, and the line.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from kubehash import limits
from kubehash.errors import YamlInputError
from kubehash.golang.jsonvalue import RawFloat

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEM_BYTES",
    "MAX_NODES",
    "ItemLoader",
    "YamlInputError",
    "go_json_float",
    "load_yaml",
]

# The bounds (item size, nesting depth, values once aliases are expanded) are kubehash.limits' own.
MAX_ITEM_BYTES, MAX_DEPTH, MAX_NODES = limits.MAX_ITEM_BYTES, limits.MAX_DEPTH, limits.MAX_NODES


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


# -- the loader -------------------------------------------------------------------------------------------

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

# -- building values directly -----------------------------------------------------------------------------

_T = "tag:yaml.org,2002:"
_STR, _INT, _FLOAT, _BOOL, _NULL, _MAP, _SEQ = (_T + t for t in ("str", "int", "float", "bool", "null", "map", "seq"))
_KEY_TAGS = frozenset((_STR, _INT, _FLOAT, _BOOL, _NULL))
_NUMBERS: dict[tuple[str, str], Any] = {}


class _Unusual(Exception):
    """A node the direct builder leaves to PyYAML's constructors."""


def _build(loader: ItemLoader, node: yaml.Node) -> Any:
    """What ``SafeConstructor.construct_document`` (with :class:`ItemLoader`'s constructors) builds from an
    alias-free node graph of strings, numbers, booleans, nulls, mappings (with scalar keys, no merge keys)
    and sequences -- built directly, a few times faster; raises :class:`_Unusual` for anything else."""
    kind = type(node)
    if kind is yaml.ScalarNode:
        return _build_scalar(loader, node)
    if kind is yaml.MappingNode and node.tag == _MAP:
        out: dict[Any, Any] = {}
        for k, v in node.value:
            if type(k) is not yaml.ScalarNode or k.tag not in _KEY_TAGS:
                raise _Unusual
            out[_build_scalar(loader, k)] = _build(loader, v)
        return out
    if kind is yaml.SequenceNode and node.tag == _SEQ:
        return [_build(loader, x) for x in node.value]
    raise _Unusual


def _build_scalar(loader: ItemLoader, node: yaml.Node) -> Any:
    """A scalar node's value (numbers memoised by tag and text); :class:`_Unusual` for another tag."""
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return SafeConstructor.bool_values[node.value.lower()]
    if tag != _INT and tag != _FLOAT:
        raise _Unusual
    key = (tag, node.value)
    found = _NUMBERS.get(key, _NUMBERS)
    if found is _NUMBERS:
        found = loader.construct_object(node)
        if len(_NUMBERS) >= 65536:
            _NUMBERS.clear()
        _NUMBERS[key] = found
    return found


# -- the bounds -------------------------------------------------------------------------------------------

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
            broken = _close(node, size, height)
            if broken is not None:
                return broken, node
            continue
        if key in size:
            continue
        if key in open_:
            return "an alias refers to a collection that contains it (a recursive value)", node
        open_.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in size)
    return None


def _close(node: yaml.Node, size: dict[int, int], height: dict[int, int]) -> str | None:
    """Record the size and height of ``node`` (its children done); the bound it breaks, if any."""
    key = id(node)
    children = _children(node)
    size[key] = 1 + sum(size[id(c)] for c in children)
    height[key] = 1 + max((height[id(c)] for c in children), default=0)
    if size[key] > MAX_NODES:
        return f"more than {MAX_NODES} values once its aliases are expanded (MAX_NODES)"
    if height[key] > MAX_DEPTH:
        return f"nested deeper than {MAX_DEPTH} levels (MAX_DEPTH)"
    return None


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


# -- loading ----------------------------------------------------------------------------------------------


class _Where:
    """Where a text comes from, to name it in an error: file, item or document, first line."""

    def __init__(self, name: str, item: int | None, document: int | None, line: int) -> None:
        self.name, self.item, self.document, self.line = name, item, document, line

    def fail(self, problem: str, mark: Any = None) -> YamlInputError:
        at_line = self.line + mark.line if mark is not None else self.line
        at_col = mark.column + 1 if mark is not None else None
        return YamlInputError(self.name, problem, item=self.item, document=self.document, line=at_line, column=at_col)

    def marked(self, e: yaml.MarkedYAMLError) -> YamlInputError:
        """libyaml's error, with the line of its context when that is another line."""
        mark = e.problem_mark or e.context_mark
        context = e.context
        if context and e.context_mark is not None and mark is not None and e.context_mark.line != mark.line:
            context += f" (from line {self.line + e.context_mark.line}, column {e.context_mark.column + 1})"
        problem = "; ".join(p for p in (context, e.problem) if p) or str(e)
        return self.fail(problem, mark)


def load_yaml(
    text: bytes, *, name: str = "<input>", item: int | None = None, document: int | None = None, line: int = 1
) -> list[Any]:
    """Every document in ``text`` (a YAML stream) as :class:`ItemLoader` builds it, within the bounds;
    empty documents are dropped. Errors name ``item`` or ``document`` and lines counted from ``line``."""
    where = _Where(name, item, document, line)
    if len(text) > MAX_ITEM_BYTES:
        raise where.fail(f"larger than {MAX_ITEM_BYTES} bytes (MAX_ITEM_BYTES)")
    loader = ItemLoader(text)
    try:
        return _documents(loader, text, where)
    except yaml.MarkedYAMLError as e:
        raise where.marked(e) from None
    except yaml.YAMLError as e:  # ReaderError (bad UTF-8, a forbidden character): no mark
        raise where.fail(str(e).replace("\n", " ")) from None
    except (ValueError, TypeError, OverflowError) as e:  # a constructor refusing a value (e.g. !!int x)
        raise where.fail(f"invalid value: {e}") from None
    finally:
        loader.dispose()


def _documents(loader: ItemLoader, text: bytes, where: _Where) -> list[Any]:
    """The non-empty documents ``loader`` reads from ``text``, each node graph checked first if need be."""
    walk = _needs_walk(text)
    anchors = b"&" in text
    out: list[Any] = []
    while loader.check_node():
        node = loader.get_node()
        assert node is not None  # check_node said so
        if walk:
            broken = _check_graph(node)
            if broken is not None:
                raise where.fail(broken[0], broken[1].start_mark)
        try:
            value = loader.construct_document(node) if anchors else _build(loader, node)
        except _Unusual:
            value = loader.construct_document(node)
        if value is not None:
            out.append(value)
    return out
