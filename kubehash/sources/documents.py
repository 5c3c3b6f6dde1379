"""Read JSON and YAML documents (``kubectl get -o json|yaml`` output, manifests, several YAML
documents in one file) from a path or standard input."""

from __future__ import annotations

import io
import os
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from kubehash.errors import InputError
from kubehash.golang.jsonvalue import loads as json_loads
from kubehash.limits import json_text_violations
from kubehash.sources.gcpause import gc_paused
from kubehash.sources.utf8pos import utf8_error

__all__ = ["InputError", "load_documents", "parse_documents"]


_LEADING_SPACE = re.compile(r"\s*")


class _Loader(yaml.SafeLoader):
    """YAML 1.1 as sigs.k8s.io/yaml reads it for kubectl, except that timestamps stay strings."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Named(io.BytesIO):
    """Bytes with the name errors should give them."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name = name


def parse_documents(text: str, *, name: str = "<input>") -> list[Any]:
    """All documents in ``text``: one JSON value, or every non-empty YAML document."""
    start = _LEADING_SPACE.match(text).end()  # type: ignore[union-attr]  # (no copy of a large text)
    if text[start : start + 1] in ("{", "["):
        try:
            with gc_paused():
                return [json_loads(text)]
        except RecursionError:  # deeper than Python's decoder goes: name what breaks kubehash's bounds
            found = json_text_violations(text, start)
            problem = "; ".join(map(str, found)) or "nested too deeply to read"
            raise InputError(f"{name}: {problem}") from None
        except ValueError:
            pass  # maybe YAML flow style (or an integer Python cannot convert: YAML says so); fall through
    from kubehash.sources.yaml_items import iter_yaml_items

    try:
        data = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError as e:
        raise InputError(f"{name}: not UTF-8 text: {e}") from None
    # libyaml item by item, within the bounds of kubehash.sources.yaml_items; a List's items come one by one
    return list(iter_yaml_items(_Named(data, name)))


def load_documents(path: str | os.PathLike[str]) -> list[Any]:
    """Documents from a file path, or from standard input when ``path`` is ``-``."""
    if os.fspath(path) == "-":
        return parse_documents(sys.stdin.read(), name="<stdin>")
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory") from None
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise InputError(f"{p}: not UTF-8 text: {utf8_error(p, e)}") from None
    return parse_documents(text, name=str(p))
