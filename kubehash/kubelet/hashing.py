"""The kubelet's container hash, per era and decode path (``pkg/kubelet/container/helpers.go``).

A :class:`HashPlan` is compiled once per (minor, source, Go escaping) and cached: a decoder from the
container mapping to the release's typed value, and the renderer of that value into the exact bytes the
kubelet feeds to FNV-1a.

Sources (DOMAIN.md §4):

* ``apiserver`` -- the container went through the API server: JSON decode, then a protobuf round trip
  (empty lists/maps -> nil, quantities re-parsed from their canonical string);
* ``file`` -- a static-pod manifest decoded straight from JSON/YAML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from kubehash.errors import DecodeError, KubehashError
from kubehash.golang.fnv import fnv1a_32
from kubehash.golang.jsondec import compile_decoder
from kubehash.golang.jsonenc import compile_encoder, quote_go121, quote_go122
from kubehash.golang.spew import compile_typed
from kubehash.kubelet.releases import Release, go_at_least, release
from kubehash.kubelet.schema import load_schema

__all__ = ["SOURCES", "HashPlan", "hash_container", "hash_input", "plan_for", "spew_bytes"]

SOURCES = ("apiserver", "file")

_BYTE_TEXT = [str(b).encode() for b in range(256)]


def spew_bytes(data: bytes) -> bytes:
    """go-spew ``%#v`` of a ``[]byte``: ``([]uint8)[123 34 ...]``."""
    return b"([]uint8)[" + b" ".join([_BYTE_TEXT[b] for b in data]) + b"]"


@dataclass(frozen=True)
class HashPlan:
    release: Release
    source: str
    short_bf: bool
    decode: Callable[[Any], Any]
    render: Callable[[Any], bytes]
    schema_root: Any

    def value(self, container: Any) -> Any:
        """The typed Go value the kubelet holds (struct = list of field values)."""
        return self.decode(container)

    def input(self, container: Any) -> bytes:
        try:
            return self.render(self.decode(container))
        except DecodeError as e:
            raise _named(e, container) from None

    def hash(self, container: Any) -> int:
        return fnv1a_32(self.input(container))


def _named(e: DecodeError, container: Any) -> DecodeError:
    """Name the container in the error when the mapping carries a name."""
    if e.container is None and isinstance(container, dict) and isinstance(container.get("name"), str):
        e.with_context(container=container["name"])
    return e


def _check_source(source: str) -> None:
    if source not in SOURCES:
        raise KubehashError(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}")


@cache
def _plan(minor: str, source: str, short_bf: bool) -> HashPlan:
    rel = release(minor)
    schema = load_schema(rel.minor)
    root = schema.root
    decode = compile_decoder(root, protobuf=(source == "apiserver"))
    if rel.era == "struct":
        spew = compile_typed(root)

        def render(v: Any) -> bytes:
            return spew(v).encode("utf-8")
    elif rel.era == "json":
        enc = compile_encoder(root, short_bf=short_bf)

        def render(v: Any) -> bytes:
            return spew_bytes(enc(v).encode("utf-8"))
    elif rel.era == "name-image":
        quote = quote_go122 if short_bf else quote_go121
        fields = [f.name for f in root.underlying().fields]  # type: ignore[attr-defined]
        i_name, i_image = fields.index("Name"), fields.index("Image")

        def render(v: Any) -> bytes:
            text = '{"image":' + quote(v[i_image]) + ',"name":' + quote(v[i_name]) + "}"
            return spew_bytes(text.encode("utf-8"))
    else:  # pragma: no cover - release table is validated by tests
        raise KubehashError(f"unknown hash era {rel.era!r}")
    return HashPlan(rel, source, short_bf, decode, render, root)


def plan_for(version: str, source: str = "apiserver", go_version: str | None = None) -> HashPlan:
    """The compiled plan for a kubelet version; ``go_version`` overrides the release table's Go."""
    _check_source(source)
    rel = release(version)
    go = go_version if go_version is not None else rel.go
    return _plan(rel.minor, source, rel.era != "struct" and go_at_least(go, 1, 22))


def _as_container(container: Any) -> Any:
    if isinstance(container, Mapping) and not isinstance(container, dict):
        return dict(container)
    return container


def hash_input(
    container: Mapping[str, Any], version: str, *, source: str = "apiserver", go_version: str | None = None
) -> bytes:
    """Exactly the bytes the kubelet of ``version`` writes into FNV-1a for this container."""
    return plan_for(version, source, go_version).input(_as_container(container))


def hash_container(
    container: Mapping[str, Any], version: str, *, source: str = "apiserver", go_version: str | None = None
) -> int:
    """The hash the kubelet of ``version`` computes (and records) for this container.

    ``container`` is the mapping ``kubectl get pod -o json`` shows under ``spec.containers[]``.
    Raises :class:`kubehash.DecodeError` (with the field path) when that kubelet could not decode it.
    """
    return plan_for(version, source, go_version).hash(_as_container(container))
