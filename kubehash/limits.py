"""The bounds kubehash puts on its input, in one place, and the checks that enforce them.

No object an API server stores comes near these bounds, so they never reject real input; they exist so
that hostile or corrupt input fails fast with an input error (:class:`~kubehash.errors.InputError`, exit 2)
naming the file, pod, container and field, instead of exhausting Python's stack, memory or CPU. The batch
goes on: the pod or container concerned gets an error row.

What the Kubernetes API server itself allows, as a guide (Kubernetes 1.29-1.33, etcd 3.5):

* object size: the API server refuses request bodies over 3 MiB (``maxRequestBodyBytes``) and etcd, with
  its default ``--max-request-bytes``, values over 1.5 MiB, so no stored object is larger than 1.5 MiB;
* JSON nesting: ``k8s.io/apimachinery/pkg/util/json`` walks decoded values to a depth of at most 10000
  (``maxDepth``, "exceeded max depth"), as Go's ``encoding/json`` scanner (``maxNestingDepth`` 10000); the
  YAML decoder (go-yaml, via ``sigs.k8s.io/yaml``) likewise refuses flow nesting beyond 10000 levels and
  documents whose aliases expand out of proportion to their size ("excessive aliasing");
* numbers: Go decodes JSON numbers into int64 / float64 fields (at most 19 digits matter) and
  ``resource.Quantity`` strings of any length into ``inf.Dec``.

Python cannot follow Go to 10000 levels: its recursive walkers (``json``, ``pickle``, PyYAML, ``repr``)
stop near 1000 frames, two or more per level. kubehash's bounds are therefore far tighter than the API
server's and far looser than any real object (a Pod's deepest path, ``managedFields`` included, is under
20 levels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "DEPTH_PROBLEM",
    "MAX_DEPTH",
    "MAX_ITEM_BYTES",
    "MAX_NODES",
    "MAX_NUMBER_CHARS",
    "MAX_QUANTITY_CHARS",
    "MAX_READ_AHEAD",
    "MAX_STRING_BYTES",
    "Violation",
    "cut",
    "depth_violation",
    "json_text_violations",
    "might_be_too_deep",
    "value_end",
]

#: Deepest nesting of JSON/YAML collections (objects and arrays) kubehash builds. The API server's JSON
#: decoders allow 10000 levels (see above); Python's recursive walkers fail near 490, so kubehash stops at
#: 100 -- five times a real Pod's deepest path and far from every walker's limit.
MAX_DEPTH = 100
#: How a value beyond :data:`MAX_DEPTH` is reported (after its path).
DEPTH_PROBLEM = f"nested deeper than {MAX_DEPTH} levels (kubehash's bound, MAX_DEPTH)"

#: Largest item of a YAML dump (or YAML document parsed whole), in bytes: etcd stores at most 1.5 MiB per
#: object and the API server accepts request bodies of at most 3 MiB; such an object's YAML, indented as
#: kubectl writes it, stays well under 8 MiB.
MAX_ITEM_BYTES = 8 << 20

#: Largest single JSON value (an item of a List, or a whole document that is not a List) the JSON readers
#: buffer before declaring the input corrupt: far beyond the API server's 3 MiB request limit, so indented
#: or re-encoded objects always fit.
MAX_READ_AHEAD = 64 << 20

#: Most values (scalars and collections) in one YAML item once its aliases are expanded -- the bound that
#: stops "alias bombs" (a few hundred bytes that expand to billions of values). A 1.5 MiB JSON object holds
#: fewer than 800k values (each takes at least two bytes), so only aliases can exceed a million.
MAX_NODES = 1_000_000

#: Longest string (in UTF-8 bytes) in an object: etcd's 1.5 MiB object bound holds it too.
MAX_STRING_BYTES = 3 << 19

#: Longest JSON integer literal (digits): Go reads numbers into int64 (19 digits) or float64 fields, so
#: a longer integer is an error there anyway; Python refuses to convert integer text of more than 4300
#: digits (``sys.int_info.default_max_str_digits``), so kubehash rejects those with this bound's name.
MAX_NUMBER_CHARS = 4300

#: Longest ``resource.Quantity`` string. Go's ``ParseQuantity`` takes any length (``inf.Dec``); real
#: quantities have under 40 characters, and Python refuses integer text of more than 4300 digits.
MAX_QUANTITY_CHARS = 1000


@dataclass(frozen=True, slots=True)
class Violation:
    """One value of a JSON text beyond a bound: ``path`` (``$.spec.containers[0].env``, kubectl-explain
    style), what is wrong, and the value's span ``[start, end)`` in the text."""

    path: str
    problem: str
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]|-?[0-9][0-9.eE+-]*|[a-z]+|\s+', re.S)


def might_be_too_deep(text: str | bytes, start: int = 0, end: int | None = None) -> bool:
    """Cheap (C-speed) necessary condition for a JSON text nested deeper than :data:`MAX_DEPTH`: more
    opening brackets than that."""
    if isinstance(text, str):
        return text.count("{", start, end) + text.count("[", start, end) > MAX_DEPTH
    return text.count(b"{", start, end) + text.count(b"[", start, end) > MAX_DEPTH


#: Path components shown in a message before the rest is elided.
_SHOWN = 12


def _render(path: list[str | int], prefix: str = "$") -> str:
    out = prefix
    for p in path[:_SHOWN]:
        out += f"[{p}]" if isinstance(p, int) else f".{p}"
    return out + (f"... ({len(path)} levels)" if len(path) > _SHOWN else "")


def _number_problem(tok: str) -> str | None:
    digits = len(tok) - tok.startswith("-")
    if digits > MAX_NUMBER_CHARS and tok[-1].isdigit() and tok.lstrip("-").isdigit():
        return f"an integer of {digits} digits (kubehash's bound: {MAX_NUMBER_CHARS}, MAX_NUMBER_CHARS)"
    return None


def _string_problem(tok: str) -> str | None:
    if len(tok) > MAX_STRING_BYTES // 4 and len(tok.encode("utf-8", "surrogatepass")) > MAX_STRING_BYTES + 2:
        return f"a string of more than {MAX_STRING_BYTES} bytes (etcd's 1.5 MiB bound; MAX_STRING_BYTES)"
    return None


def json_text_violations(text: str, start: int = 0, end: int | None = None, *, limit: int = 5) -> list[Violation]:
    """The values of the JSON value in ``text[start:end]`` beyond a bound (depth, integer length, string
    length), in text order, at most ``limit``; a too-deep value is reported once, not each level below it.
    Walks the tokens without recursion (any depth), so it works where ``json`` raises ``RecursionError``.
    Text that is not JSON ends the walk (the caller's decoder reports it)."""
    walk = _Walk(text, len(text) if end is None else end)
    pos = start
    while pos < walk.end and len(walk.out) < limit:
        m = _TOKEN.match(text, pos, walk.end)
        if m is None:
            break
        pos = walk.token(m.group(), m.start(), m.end())
        if not walk.stack and m.group()[0] not in " \t\r\n:,":
            break
    return walk.out


class _Walk:
    """The state of :func:`json_text_violations`: open collections, the path to the current value, the
    pending object key, and what was found."""

    def __init__(self, text: str, end: int) -> None:
        self.text, self.end = text, end
        self.out: list[Violation] = []
        self.path: list[str | int] = []
        self.stack: list[bool] = []  # is each open collection an object
        self.key: str | None = None

    def token(self, tok: str, start: int, pos: int) -> int:
        """Take one token (``text[start:pos]``); returns where the next one starts."""
        c = tok[0]
        if c in "{[":
            return self._open(c, start, pos)
        if c in "]}":
            if self.stack:  # (text that is not JSON ends the walk: brackets need not match)
                if not self.stack.pop() and self.path and isinstance(self.path[-1], int):
                    self.path.pop()
                self._leave()
        elif c == '"':
            self._string(tok, start, pos)
        elif c in "-0123456789":
            self._scalar(_number_problem(tok), start, pos)
        elif c == "," and self.stack and self.stack[-1]:
            self.key = None
        elif c.isalpha():
            self._scalar(None, start, pos)
        return pos

    def _string(self, tok: str, start: int, pos: int) -> None:
        """An object's key (followed by ``:``), else a string value."""
        if self.stack and self.stack[-1] and self.key is None and _next_is_colon(self.text, pos, self.end):
            self.key = tok[1:-1]
        else:
            self._scalar(_string_problem(tok), start, pos)

    def _open(self, c: str, start: int, pos: int) -> int:
        self._enter()
        self.stack.append(c == "{")
        self.key = None
        if len(self.stack) > MAX_DEPTH:
            close = _skip(self.text, pos, self.end)
            self.out.append(Violation(_render(self.path), DEPTH_PROBLEM, start, close))
            self.stack.pop()
            self._leave()
            return close
        if c == "[":
            self.path.append(-1)
        return pos

    def _enter(self) -> None:
        """A value starts: the next index of the enclosing array, or the pending key, joins the path."""
        if self.stack and not self.stack[-1] and self.path and isinstance(self.path[-1], int):
            self.path[-1] += 1
        elif self.stack and self.key is not None:
            self.path.append(self.key)

    def _leave(self) -> None:
        """A nested collection closed: an object member's key leaves the path."""
        if self.stack and self.stack[-1] and self.path and isinstance(self.path[-1], str):
            self.path.pop()
        self.key = None

    def _scalar(self, problem: str | None, start: int, end: int) -> None:
        """Count a scalar (its array index moves on) and report it when it breaks a bound."""
        self._enter()
        if problem is not None:
            self.out.append(Violation(_render(self.path), problem, start, end))
        if self.stack and self.stack[-1] and self.path and isinstance(self.path[-1], str) and self.key is not None:
            self.path.pop()
        self.key = None


def _next_is_colon(text: str, pos: int, end: int) -> bool:
    while pos < end and text[pos] in " \t\r\n":
        pos += 1
    return pos < end and text[pos] == ":"


def _skip(text: str, pos: int, end: int, *, strict: bool = False) -> int:
    """The end of the collection whose opening bracket ends just before ``pos`` (or ``end``; ``strict``: -1)."""
    depth = 1
    while pos < end:
        m = _TOKEN.match(text, pos, end)
        if m is None:
            return -1 if strict else end
        tok, pos = m.group(), m.end()
        if tok in ("{", "["):
            depth += 1
        elif tok in ("}", "]"):
            depth -= 1
            if depth == 0:
                return pos
    return -1 if strict else end


def value_end(text: str, start: int) -> int | None:
    """The end of the JSON object or array starting at ``text[start]``, or ``None`` when ``text`` ends (or
    stops being JSON) before it does; without recursion."""
    if text[start : start + 1] not in ("{", "["):
        return None
    end = _skip(text, start + 1, len(text), strict=True)
    return end if end > 0 else None


def cut(text: str, violations: list[Violation]) -> str:
    """``text`` with each violating value replaced by ``null`` (spans in order, not overlapping)."""
    parts = []
    at = 0
    for v in sorted(violations, key=lambda v: v.start):
        if v.start < at:
            continue
        parts.append(text[at : v.start])
        parts.append("null")
        at = v.end
    parts.append(text[at:])
    return "".join(parts)


def depth_violation(value: Any, prefix: str = "$") -> str | None:
    """The path of the first collection in ``value`` deeper than :data:`MAX_DEPTH` levels (``prefix`` is
    the path of ``value`` itself), or ``None``; walks without recursion, level by level (the path is looked
    for only in a value found too deep)."""
    return _deep_path(value, prefix) if _too_deep(value) else None


def _is_collection(x: Any) -> bool:
    return type(x) is dict or type(x) is list or isinstance(x, dict)


def _too_deep(value: Any) -> bool:
    """Whether ``value`` has collections nested deeper than :data:`MAX_DEPTH` (one list per level)."""
    level = [value] if _is_collection(value) else []
    for _ in range(MAX_DEPTH):
        level = [x for v in level for x in (v.values() if isinstance(v, dict) else v) if _is_collection(x)]
        if not level:
            return False
    return True


def _deep_path(value: Any, prefix: str) -> str | None:
    """The path to the first collection deeper than :data:`MAX_DEPTH` (depth first, without recursion)."""
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(value, ())]
    while stack:
        v, path = stack.pop()
        if isinstance(v, dict):
            items: Any = v.items()
        elif type(v) is list:
            items = enumerate(v)
        else:
            continue
        if len(path) >= MAX_DEPTH:
            return _render(list(path), prefix)
        stack.extend((child, (*path, k)) for k, child in items if _is_collection(child))
    return None
