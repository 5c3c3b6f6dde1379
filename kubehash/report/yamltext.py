"""YAML text of plain documents (``None``, booleans, numbers, strings, lists, string-keyed mappings), in the
block style ``kubectl -o yaml`` prints: two-space indentation, sequences inside a mapping not indented.

Why not PyYAML's dumper: its representer is Python even with the C emitter (``yaml.CSafeDumper``), about
6 µs per scalar -- 100 times the JSON writer for a 150,000-pod prediction. Here each distinct scalar of a
column is written once and the rows of a chunk are put together from those texts (:func:`yaml_items`).

Scalars are written so that YAML 1.1 (PyYAML, go-yaml v2 behind kubectl) and YAML 1.2 read them back as the
same value: a string is plain only when it starts with a letter, ``_`` or ``/``, holds only letters, digits,
spaces and ``_./()[],;=+@-``, does not end with a space and is not one of YAML 1.1's boolean or null words
(so never a number, date, boolean, null, indicator or comment); else single-quoted when every character is
printable, else double-quoted with escapes (lone surrogates become U+FFFD, as Go's ``encoding/json``
writes them). Keys longer than 1,000 characters are written as explicit ``? key`` entries (an implicit key
may not be longer than 1,024).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import chain, repeat
from typing import Any

from kubehash.report.plain import plain, time_text

__all__ = ["YamlItems", "scalar", "yaml_document", "yaml_items"]

_PLAIN = re.compile(r"[A-Za-z_/][A-Za-z0-9_./()\[\],;=+@ -]*")
_WORDS = frozenset({"y", "n", "yes", "no", "on", "off", "true", "false", "null"})
# Not allowed in a single-quoted scalar: anything but printable characters, and YAML 1.1's line breaks.
_SPECIAL = re.compile("[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\x00": "\\0"}
_NEEDS_ESCAPE = re.compile('[\\\\"]|' + _SPECIAL.pattern)
_LONG_KEY = 1000
_NUMBERS = frozenset({int, float, bool})
_MEMO_TYPES = frozenset({str, int, float, bool, type(None), datetime})
_TEXT_TYPES = frozenset({str, type(None), datetime})


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    known = _ESCAPES.get(c)
    if known is not None:
        return known
    o = ord(c)
    if 0xD800 <= o <= 0xDFFF:
        return "\ufffd"
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def _string(s: str) -> str:
    if _PLAIN.fullmatch(s) and s[-1] != " " and (len(s) > 5 or s.lower() not in _WORDS):
        return s
    if not _SPECIAL.search(s):
        return "'" + s.replace("'", "''") + "'"
    return '"' + _NEEDS_ESCAPE.sub(_escape, s) + '"'


def _float(v: float) -> str:
    if not math.isfinite(v):  # null, as in JSON (msgspec): both formats give the same document
        return "null"
    text = float.__repr__(v)
    if "." not in text and "e" in text:  # YAML 1.1 floats need a dot: 1e+20 -> 1.0e+20
        text = text.replace("e", ".0e", 1)
    return text


def scalar(v: Any) -> str:
    """The YAML text of a scalar (anything else: of :func:`~kubehash.report.plain.plain` of it)."""
    t = type(v)
    if t is str:
        return _string(v)
    if v is None:
        return "null"
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return int.__repr__(v)
    if t is float:
        return _float(v)
    if t is datetime:
        return _string(time_text(v))
    p = plain(v)
    if isinstance(p, (dict, list)):
        raise TypeError(f"not a scalar: {type(v).__name__}")
    return scalar(p)


@functools.lru_cache(maxsize=8192)
def _str_key(k: str, pad: str) -> str:
    return _key_text(scalar(k), pad)


def _key(k: Any, pad: str) -> str:
    if type(k) is str:
        return _str_key(k, pad)
    return _key_text(scalar(str(plain(k))), pad)


def _key_text(text: str, pad: str) -> str:
    return f"{pad}{text}:" if len(text) <= _LONG_KEY else f"{pad}? {text}\n{pad}:"


def _after_key(v: Any, indent: int) -> str:
    """What follows ``key:`` for a value of a mapping whose keys are at ``indent``."""
    if isinstance(v, dict):
        return "\n" + _mapping(v, indent + 2) if v else " {}"
    if isinstance(v, (list, tuple)):
        return "\n" + _sequence(v, indent) if v else " []"
    p = plain(v)
    if isinstance(p, (dict, list)):
        return _after_key(p, indent)
    return " " + scalar(p)


def _mapping(d: dict[Any, Any], indent: int) -> str:
    pad = " " * indent
    return "\n".join(_key(k, pad) + _after_key(v, indent) for k, v in d.items())


def _item(v: Any, indent: int) -> str:
    """A sequence entry at ``indent``: ``- `` and the value, its further lines indented under the value."""
    if isinstance(v, dict) and v:
        return " " * indent + "- " + _mapping(v, indent + 2)[indent + 2 :]
    if isinstance(v, (list, tuple)) and v:
        return " " * indent + "- " + _sequence(v, indent + 2)[indent + 2 :]
    return " " * indent + "-" + _after_key(v, indent)


def _sequence(items: Sequence[Any], indent: int) -> str:
    return "\n".join(_item(v, indent) for v in items)


class YamlItems:
    """Writes the entries of a sequence of same-keyed mappings, given a column of values per key, a chunk at a
    time (:meth:`text`). Each distinct scalar of a column is written once, strings a column at a time when they
    can all be plain; so is each list or mapping shared between entries (by identity: the memo keeps the object,
    so its id is not reused). Memos live across the chunks of one sequence, each emptied when it reaches
    :data:`MEMO` entries."""

    MEMO = 65536

    def __init__(self, names: Sequence[str], indent: int = 0) -> None:
        pad = " " * (indent + 2)
        keys = [_key(n, pad) for n in names]
        keys[0] = " " * indent + "- " + keys[0][indent + 2 :]
        self.prefixes = [k if i == 0 else "\n" + k for i, k in enumerate(keys)]
        self.indent = indent + 2
        self.memos: list[dict[Any, Any]] = [{} for _ in names]

    def text(self, columns: Sequence[list[Any]]) -> str:
        """The entries of one chunk (``columns[i][row]``: the value of key ``i``), ending with a newline."""
        texts: list[Iterable[str]] = [
            self._texts(col, memo, prefix) for col, memo, prefix in zip(columns, self.memos, self.prefixes, strict=True)
        ]
        texts.append(repeat("\n"))
        return "".join(chain.from_iterable(zip(*texts, strict=False)))

    def _texts(self, values: list[Any], memo: dict[Any, Any], prefix: str) -> list[str]:
        """``prefix`` and ``_after_key`` of each value."""
        if len(memo) > self.MEMO:
            memo.clear()
        types = set(map(type, values))
        if types <= _TEXT_TYPES:  # strings, times, None: no two of them compare equal, whatever the chunk
            new = list(dict.fromkeys(values).keys() - memo.keys())
            if new:
                memo.update(zip(new, map((prefix + " ").__add__, _scalars(new)), strict=True))
            return list(map(memo.__getitem__, values))
        if types <= _MEMO_TYPES and len(types & _NUMBERS) <= 1:  # no two types compare equal in this chunk
            texts = {v: prefix + " " + scalar(v) for v in dict.fromkeys(values)}
            return list(map(texts.__getitem__, values))
        ids = list(map(id, values))  # anything else by identity
        for i, v in dict(zip(ids, values, strict=True)).items():
            if i not in memo:
                memo[i] = prefix + _after_key(v, self.indent)
                memo[(i,)] = v  # keeps v, so no other object gets its id while the memo holds the text
        return list(map(memo.__getitem__, ids))


_ALL_PLAIN = re.compile(r"(?:" + _PLAIN.pattern + r"(?<! )\n)*")


def _scalars(vals: list[Any]) -> list[str]:
    """:func:`scalar` of each value: strings that can all be plain without a call each."""
    if set(map(type, vals)) <= {str}:
        joined = "\n".join(vals)
        if (
            joined.count("\n") == len(vals) - 1  # a value holding a line break is never plain
            and _ALL_PLAIN.fullmatch(joined + "\n")
            and _WORDS.isdisjoint(map(str.lower, vals))
            and "" not in vals
        ):
            return vals
    return list(map(scalar, vals))


def yaml_items(names: Sequence[str], columns: Sequence[list[Any]], indent: int = 0) -> str:
    """The YAML sequence (entries at ``indent``) of the mappings ``{names[i]: columns[i][row]}``, ending with a
    newline."""
    return YamlItems(names, indent).text(columns)


def yaml_document(doc: Any) -> str:
    """The YAML text of a whole document, ending with a newline."""
    if isinstance(doc, dict):
        return (_mapping(doc, 0) if doc else "{}") + "\n"
    if isinstance(doc, (list, tuple)):
        return (_sequence(doc, 0) if doc else "[]") + "\n"
    return _after_key(doc, 0)[1:] + "\n"
