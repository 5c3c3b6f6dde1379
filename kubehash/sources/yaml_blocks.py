"""Read values out of block-style YAML text by indentation, without parsing what is not read.

In block-style YAML a key of a mapping whose keys are at column ``n`` is a line with exactly ``n`` spaces
and then the key -- block scalars and multi-line plain scalars are indented further than their key (libyaml
ends them at a line that is not) -- and the key's value runs to the next line at column ``n`` or left of
it. :func:`keys_in` finds given keys of a mapping in one regular-expression pass; :func:`mapping`,
:func:`sequence` and :func:`scalar` read a key's value as that kind of node, parsing scalars with the exact
loader (memoised by their text). Text that is not what they expect raises :class:`Decline`: the caller
then leaves the item to the exact loader. Only for text that :func:`kubehash.sources.yaml_check.block_text`
accepted.
"""

from __future__ import annotations

import re
from typing import Any

from kubehash.sources.yaml_check import PLAIN
from kubehash.sources.yaml_loader import ItemLoader, YamlInputError, load_yaml

__all__ = ["Decline", "Key", "Mapping", "at", "entry_mapping", "keys_in", "mapping", "scalar", "sequence"]

_HEAD = re.compile(rb"( *)-( +)" + PLAIN + rb"[ ]*+:(?=[ \n])")
_KEY_AT = re.compile(PLAIN + rb"[ ]*+:(?=[ \n])")


class Decline(Exception):
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
Key = tuple[int, bytes, int, bool, int]
_TWICE: Key = (-1, b"", -1, False, -1)


_INDEXES: dict[tuple[int, tuple[bytes, ...]], re.Pattern[bytes]] = {}


def keys_in(t: bytes, a: int, b: int, col: int, keys: tuple[bytes, ...], parent: int) -> tuple[dict[bytes, Key], int]:
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
    out: dict[bytes, Key] = {}
    for m in pattern.finditer(t, a, b):
        left, key, rest, indent, dash = m.groups()
        if left is not None:
            if len(left) > parent:
                raise Decline
            return out, m.start()
        rest = rest.rstrip(b" ")
        if rest[:1] == b"#":
            rest = b""
        found = (m.end(), rest, -1 if indent is None else len(indent), dash is not None, m.end(4))
        out[key] = _TWICE if key in out else found
    return out, b


def at(index: dict[bytes, Key], key: bytes) -> Key | None:
    """``key`` in the index (``None``: absent); a key given twice declines."""
    k = index.get(key)
    if k is _TWICE:
        raise Decline
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
            raise Decline from None
        found = docs[0][0]
        if len(_SCALARS) >= 65536:
            _SCALARS.clear()
        _SCALARS[text] = found
    return found


def scalar(k: Key | None, col: int) -> Any:
    """The scalar value of a key at column ``col``."""
    if k is None:
        return None
    _, rest, indent, dash, _ = k
    if indent > col or (dash and indent == col):
        raise Decline  # a nested collection (an indentless sequence too) or a multi-line scalar
    if not rest:
        return None
    if rest[0] in b"|>":
        raise Decline
    return _scalar_text(rest)


_NO_KEYS: dict[bytes, Key] = {}


#: A mapping value read by :func:`mapping`: its keys' index, the end of its block, the column of its keys.
Mapping = tuple[dict[bytes, Key], int, int]


def mapping(t: bytes, k: Key | None, col: int, b: int, keys: tuple[bytes, ...]) -> Mapping | None:
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
        raise Decline  # a scalar on the next line, not a mapping
    index, end = keys_in(t, eol, b, indent, keys, col)
    return index, end, indent


def _block(t: bytes, eol: int, col: int, inner: int, b: int) -> int:
    """The end of a value block whose content is at column ``inner`` (> ``col``): the first content line at
    ``col`` or left; a content line between ``col`` and ``inner`` declines."""
    m = _pattern("left", inner).search(t, eol, b)
    if m is None:
        return b
    if m.end() - m.start() - 2 > col:
        raise Decline
    return m.start()


def sequence(t: bytes, k: Key | None, col: int, b: int) -> list[tuple[int, int]] | None:
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
            raise Decline
    starts = [m.start() + 1 for m in _pattern("entry", indent).finditer(t, eol, end)]
    return [(a, z) for a, z in zip(starts, [*starts[1:], end + 1], strict=True)]


def entry_mapping(text: bytes, keys: tuple[bytes, ...]) -> tuple[bytes, int, dict[bytes, Key]]:
    """A sequence entry's text (``- key: ...``) as a block whose keys are at one column -- the ``- `` becomes
    spaces and a newline is put in front, so every key line starts with one --, and its ``keys``."""
    m = _HEAD.match(text)
    if m is None:
        raise Decline
    col = len(m.group(1)) + 1 + len(m.group(2))
    t = b"\n" + b" " * col + text[col:]
    index, _ = keys_in(t, 0, len(t), col, keys, -1)
    return t, col, index
