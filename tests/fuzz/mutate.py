"""Mutations of realistic pod dumps, as a hostile user or a corrupt file would make them: structural ones on
the parsed dump (a value replaced by deep nesting, a huge integer or quantity, a hostile string, a value of
the wrong JSON type; an item duplicated, dropped or replaced by a non-object), then an encoding (compact or
indented JSON, YAML, workload manifests) and text-level ones on the bytes (truncation, a flipped byte,
invalid UTF-8, a spliced range). Every choice comes from one :class:`random.Random`, so a case is its seed."""

from __future__ import annotations

import copy
import json
import random
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml  # type: ignore[import-untyped]

#: Strings that break naive output: terminal escapes, C0/C1 controls, lone surrogates, line breaks, YAML and
#: CSV and markdown syntax, bidirectional overrides, a byte-order mark.
HOSTILE = [
    "\x1b[31mred\x1b[0m",
    "a\nb: c",
    "\x9b2J",
    "\ud800",
    "x\udfffy",
    "\x00\x07\x08\x7f",
    "- [a, b]",
    'a,"b"\r\n',
    "| col |",
    "\u202eevil\u202c",
    "\ufeffbom",
    "&anchor *alias !tag",
    "é\u0301\U0001f600",
    "",
    "null",
    "0x1F",
]


@dataclass
class Case:
    """One fuzz input: ``data`` (the file's bytes), its ``suffix`` (``.json``/``.yaml``), whether it holds
    manifests rather than a pod dump, and what was done to it."""

    data: bytes
    suffix: str
    manifests: bool = False
    steps: list[str] = field(default_factory=list)


def deep(n: int, leaf: Any = "x", rng: random.Random | None = None) -> Any:
    v = leaf
    for _ in range(n):
        v = [v] if rng is not None and rng.random() < 0.3 else {"a": v}
    return v


def _paths(v: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in ``v`` (iteratively: inputs may already be deep)."""
    out: list[tuple[Any, ...]] = []
    stack = [(v, path)]
    while stack:
        x, p = stack.pop()
        out.append(p)
        if isinstance(x, dict):
            stack.extend((c, (*p, k)) for k, c in x.items())
        elif isinstance(x, list):
            stack.extend((c, (*p, i)) for i, c in enumerate(x))
    return out


def _set(root: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = root
    for k in path[:-1]:
        parent = parent[k]
    parent[path[-1]] = value
    return root


def _wrong_type(rng: random.Random, old: Any) -> Any:
    choices: list[Any] = [None, True, 0, -1, 1.5, "", "s", [], {}, [1, "a"], {"k": "v"}, 2**70, 1e308]
    return rng.choice([c for c in choices if type(c) is not type(old)] or choices)


def _value(rng: random.Random, old: Any) -> tuple[Any, str]:
    """A replacement for ``old`` and a word for the step."""
    r = rng.random()
    if r < 0.15:
        n = rng.choice([60, 99, 100, 101, 150, 480, 700, 1500])
        return deep(n, old if not isinstance(old, (dict, list)) else "x", rng), f"deep{n}"
    if r < 0.25:
        return f"__BIGINT_{rng.choice([19, 20, 400, 4300, 4301, 6000])}__", "bigint"  # digits put in by encode
    if r < 0.35:
        return rng.choice(["1" + "0" * rng.choice([30, 999, 1000, 5000]), "1e999999999", "0.000000001m", "9Ei"]), "qty"
    if r < 0.55:
        return rng.choice(HOSTILE) + (old if isinstance(old, str) else ""), "hostile"
    return _wrong_type(rng, old), "type"


def _mutate_items(rng: random.Random, items: list[Any], r: float, steps: list[str]) -> bool:
    """An item-level mutation when ``r`` picks one (and there are items): whether one was made."""
    if not items or r >= 0.22:
        return False
    if r < 0.08:
        items.insert(rng.randrange(len(items) + 1), _wrong_type(rng, {}))
        steps.append("item-not-object")
    elif r < 0.14:
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, 20000))  # the item may already be deep
        try:
            items.append(copy.deepcopy(rng.choice(items)))
        finally:
            sys.setrecursionlimit(limit)
        steps.append("item-duplicated")
    elif r < 0.18:
        items.pop(rng.randrange(len(items)))
        steps.append("item-dropped")
    elif isinstance(item := rng.choice(items), dict):
        item["kind"] = rng.choice(["Node", "Service", None, 5, "Pod"])
        steps.append("kind")
    return True


def mutate_tree(rng: random.Random, dump: dict[str, Any], steps: list[str]) -> dict[str, Any]:
    """1-3 structural mutations of a pod dump (a List)."""
    for _ in range(rng.randint(1, 3)):
        items = dump["items"] if isinstance(dump.get("items"), list) else []
        if _mutate_items(rng, items, rng.random(), steps):
            continue
        paths = [p for p in _paths(dump) if p] or [("items",)]  # the List itself stays an object
        # mutate inside items most of the time, the List's own fields sometimes
        inside = [p for p in paths if len(p) > 2 and p[0] == "items"] or paths
        path = rng.choice(inside if rng.random() < 0.9 else paths)
        old: Any = dump
        for k in path:
            old = old[k]
        value, word = _value(rng, old)
        dump = _set(dump, path, value)
        steps.append(f"{word}@{'.'.join(map(str, path[:6]))}")
    return dump


_BIGINT = re.compile(r"""["']?__BIGINT_(\d+)__["']?""")


def _digits(case: Case) -> Case:
    """Integers too long for Python to write (``__BIGINT_n__`` placeholders) as n nines in the text."""
    text = case.data.decode("utf-8", "surrogatepass")
    case.data = _BIGINT.sub(lambda m: "9" * int(m.group(1)), text).encode("utf-8", "surrogatepass")
    return case


def encode(rng: random.Random, dump: dict[str, Any], steps: list[str]) -> Case:
    """The dump as a file: compact or indented JSON, YAML, or (sometimes) Deployment manifests."""
    return _digits(_encode(rng, dump, steps))


def _encode(rng: random.Random, dump: dict[str, Any], steps: list[str]) -> Case:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20000))  # deep mutations must be written; kubehash reads them at the default
    try:
        r = rng.random()
        if r < 0.4:
            return Case(json.dumps(dump).encode("utf-8", "surrogatepass"), ".json", steps=[*steps, "compact"])
        if r < 0.65:
            text = json.dumps(dump, indent=rng.choice([1, 2, 4]), ensure_ascii=rng.random() < 0.5)
            return Case(text.encode("utf-8", "surrogatepass"), ".json", steps=[*steps, "indented"])
        if r < 0.9:
            try:
                text = yaml.safe_dump(dump, sort_keys=False, allow_unicode=rng.random() < 0.5, width=2**20)
            except (yaml.YAMLError, RecursionError, UnicodeError):
                return Case(json.dumps(dump).encode("utf-8", "surrogatepass"), ".json", steps=[*steps, "compact"])
            return Case(text.encode("utf-8", "surrogatepass"), ".yaml", steps=[*steps, "yaml"])
        return _manifests(dump, steps)
    finally:
        sys.setrecursionlimit(limit)


def _manifests(dump: dict[str, Any], steps: list[str]) -> Case:
    docs = []
    items = dump.get("items")
    for i, item in enumerate(items if isinstance(items, list) else [items]):
        spec = item.get("spec") if isinstance(item, dict) else item
        docs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": f"d{i}", "namespace": "fuzz"},
                "spec": {"selector": {"matchLabels": {"app": f"d{i}"}}, "template": {"spec": spec}},
            }
        )
    try:
        text = yaml.safe_dump_all(docs, sort_keys=False, width=2**20)
    except (yaml.YAMLError, RecursionError, UnicodeError):
        text = "\n".join(json.dumps(d) for d in docs)
    return Case(text.encode("utf-8", "surrogatepass"), ".yaml", manifests=True, steps=[*steps, "manifests"])


def _truncate(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    return data[: rng.randrange(len(data) + 1)], "truncated"


def _flip(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    if not data:
        return data, "flip-empty"
    i = rng.randrange(len(data))
    return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :], "flipped"


def _bad_utf8(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    i = rng.randrange(len(data) + 1)
    return data[:i] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"]) + data[i:], "bad-utf8"


def _splice(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    a, b = sorted(rng.randrange(len(data) + 1) for _ in range(2))
    c = rng.randrange(len(data) + 1)
    return data[:c] + data[a:b] + data[c:], "spliced"


TEXT_MUTATIONS: list[Callable[[random.Random, bytes], tuple[bytes, str]]] = [_truncate, _flip, _bad_utf8, _splice]


def make_case(rng: random.Random, base: list[dict[str, Any]]) -> Case:
    """A fuzz case from ``base`` pods: a few of them in a List, mutated, encoded, maybe damaged as text."""
    items = copy.deepcopy(rng.sample(base, rng.randint(1, min(6, len(base)))))
    steps: list[str] = []
    dump = {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}
    if rng.random() < 0.85:
        dump = mutate_tree(rng, dump, steps)
    case = encode(rng, dump, steps)
    if rng.random() < 0.3:
        case.data, word = rng.choice(TEXT_MUTATIONS)(rng, case.data)
        case.steps.append(word)
    return case
