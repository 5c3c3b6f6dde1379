"""A :class:`~kubehash.upgrade.predict.Prediction` as JSON, written a few thousand containers at a time.

The text is exactly ``json.dumps(prediction.to_dict(), indent=2, ensure_ascii=False) + "\\n"`` (CPython's
json module: one key or item per line, nested two spaces deeper, ``": "`` after keys, ``[]``/``{}`` for
empty containers) without building the document: each container's dict has a fixed shape
(:meth:`~kubehash.upgrade.predict.ContainerPrediction.to_dict`), so its text is put together from the C
string encoder's output at the nesting depth it has in the document. Replicas share their reason lists;
the text of each distinct list is built once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import repeat
from json.encoder import encode_basestring
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from kubehash.upgrade.explain import Reason
    from kubehash.upgrade.predict.result import ContainerPrediction

__all__ = ["write_prediction_json"]

_CHUNK = 2048  # containers per write
_ITEM = "\n    "  # a container's indentation: the third level of {"containers": [...]}
_MEMO_TYPES = {str, int, type(None)}


def _value(v: Any, indent: str = "") -> str:
    """``json.dumps(v, indent=2, ensure_ascii=False)`` for a value nested at ``indent``."""
    if type(v) is str:
        return encode_basestring(v)
    if v is None:
        return "null"
    if type(v) is int:
        return int.__repr__(v)
    # Anything else (never in a prediction built by kubehash): json itself, re-indented.
    return json.dumps(v, indent=2, ensure_ascii=False).replace("\n", "\n" + indent)


def _encoded(values: list[Any], indent: str) -> list[str]:
    """:func:`_value` of each value; each distinct string or integer is encoded once."""
    if set(map(type, values)) <= _MEMO_TYPES:  # no two of these types have equal values
        memo = dict.fromkeys(values)
        for v in memo:
            memo[v] = _value(v, indent)
        return list(map(memo.__getitem__, values))
    return [_value(v, indent) for v in values]


def _reasons(reasons: list[Reason]) -> str:
    """A container's reasons list (the value of ``"reasons"``, six spaces in)."""
    if not reasons:
        return "[]"
    v = _value
    items = [
        f'{{\n          "kind": {v(r.kind, "          ")},\n          "path": {v(r.path, "          ")},\n'
        f'          "detail": {v(r.detail, "          ")},\n          "text": {v(r.text(), "          ")}\n        }}'
        for r in reasons
    ]
    return "[\n        " + ",\n        ".join(items) + "\n      ]"


def _owner(kind: Any, name: Any) -> str:
    """A container's owner (the value of ``"owner"``, six spaces in)."""
    if not kind:
        return "null"
    return f'{{\n        "kind": {_value(kind, "        ")},\n        "name": {_value(name, "        ")}\n      }}'


# ContainerPrediction.to_dict(): its keys in order, each with the attribute its value comes from.
_FIELDS = (
    ("namespace", "namespace"),
    ("pod", "pod"),
    ("container", "container"),
    ("kind", "kind"),
    ("node", "node"),
    ("source", "source"),
    ("old_version", "old_version"),
    ("new_version", "new_version"),
    ("old_hash", "old_hash"),
    ("new_hash", "new_hash"),
    ("recorded_hash", "recorded_hash"),
    ("verdict", "verdict"),
    ("reasons", "reasons"),
    ("error", "error"),
    ("started_at", "started_at"),
    ("model_check", "model_check"),
    ("owner", "owner_kind"),
)
#: One container's text (braces four spaces in, keys six), from the text of each value.
_TEMPLATE = "{\n" + ",\n".join(f'      "{key}": %s' for key, _ in _FIELDS) + "\n    }"


class _Containers:
    """The text of containers' dicts, a field at a time: each distinct reason list (by the ids of its
    Reason objects, which live as long as the prediction), owner and value is encoded once."""

    def __init__(self) -> None:
        self.reasons: dict[tuple[int, ...], str] = {}
        self.owners: dict[tuple[Any, Any], str] = {}

    def texts(self, containers: list[ContainerPrediction]) -> Iterator[str]:
        columns = [self.column(containers, attr) for _, attr in _FIELDS]
        return map(_TEMPLATE.__mod__, zip(*columns, strict=True))

    def column(self, containers: list[ContainerPrediction], attr: str) -> list[str]:
        values = list(map(attrgetter(attr), containers))
        if attr == "reasons":
            keys = list(map(tuple, map(map, repeat(id), values)))
            for key, reasons in dict(zip(keys, values, strict=True)).items():
                if key not in self.reasons:
                    self.reasons[key] = _reasons(reasons)
            return list(map(self.reasons.__getitem__, keys))
        if attr == "owner_kind":
            pairs = list(zip(values, map(attrgetter("owner_name"), containers), strict=True))
            if not {type(x) for pair in pairs for x in pair} <= _MEMO_TYPES:
                # Owners read from odd JSON (booleans, floats...): 1, true and 1.0 are equal dict keys.
                return [_owner(*pair) for pair in pairs]
            for pair in dict.fromkeys(pairs):
                if pair not in self.owners:
                    self.owners[pair] = _owner(*pair)
            return list(map(self.owners.__getitem__, pairs))
        if attr == "started_at":
            values = [v.isoformat() if v else None for v in values]
        return _encoded(values, "      ")


def write_prediction_json(summary: dict[str, Any], containers: list[ContainerPrediction], out: TextIO) -> None:
    """Write ``{"summary": summary, "containers": [c.to_dict() for c in containers]}`` as
    ``json.dumps(..., indent=2, ensure_ascii=False)`` does, plus a final newline."""
    head = json.dumps({"summary": summary}, indent=2, ensure_ascii=False)
    out.write(head[:-2])  # without the closing "\n}"
    if not containers:
        out.write(',\n  "containers": []\n}\n')
        return
    out.write(',\n  "containers": [')
    texts = _Containers()
    for start in range(0, len(containers), _CHUNK):
        if start:
            out.write(",")
        out.write(_ITEM)
        out.write(("," + _ITEM).join(texts.texts(containers[start : start + _CHUNK])))
    out.write("\n  ]\n}\n")
