"""The kubelet's container hash, per era and decode path (``pkg/kubelet/container/helpers.go``).

A :class:`HashPlan` is compiled once per (minor, source, Go escaping) and cached: a decoder from the
container mapping to the release's typed value, the renderer of that value into the exact bytes the
kubelet feeds to FNV-1a, and a fused decode+render generated from the same schema
(:mod:`kubehash.golang.fused`) that hashing uses first; on anything unusual it steps aside and the
decode-then-render path decides, so results and errors are those of the general path.

Sources (docs/kubernetes-facts.md#decode-paths):

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
from kubehash.golang.fused import compile_fused
from kubehash.golang.jsondec import compile_decoder
from kubehash.golang.jsonenc import compile_encoder, quote_go121, quote_go122
from kubehash.golang.jsonvalue import go_string
from kubehash.golang.spew import compile_typed
from kubehash.golang.types import Struct
from kubehash.kubelet.releases import Release, go_at_least, release
from kubehash.kubelet.schema import load_schema
from kubehash.kubelet.toolchains import toolchain

__all__ = ["SOURCES", "HashPlan", "hash_container", "hash_input", "plan_for", "spew_bytes"]

SOURCES = ("apiserver", "file")

# Decimal digits of each byte value, one table per position; b"\0" marks a digit that is not printed.
_HUNDREDS = bytes(48 + b // 100 if b >= 100 else 0 for b in range(256))
_TENS = bytes(48 + b // 10 % 10 if b >= 10 else 0 for b in range(256))
_UNITS = bytes(48 + b % 10 for b in range(256))


def spew_bytes(data: bytes) -> bytes:
    """go-spew ``%#v`` of a ``[]byte``: ``([]uint8)[123 34 ...]``.

    Done in C: three ``bytes.translate`` passes give each byte's hundreds/tens/units digit, strided slice
    assignment interleaves them with spaces into 4-byte cells, and deleting the padding byte drops the
    leading zeros (about 5x faster than joining a per-byte table lookup).
    """
    n = len(data)
    if not n:
        return b"([]uint8)[]"
    cells = bytearray(b"   \0") * n
    cells[0::4] = data.translate(_HUNDREDS)
    cells[1::4] = data.translate(_TENS)
    cells[2::4] = data.translate(_UNITS)
    cells[3::4] = b" " * n
    del cells[-1]
    return b"([]uint8)[" + cells.translate(None, b"\0") + b"]"


@dataclass(frozen=True)
class HashPlan:
    release: Release
    source: str
    short_bf: bool
    decode: Callable[[Any], Any]
    render: Callable[[Any], bytes]
    schema_root: Any
    #: Fused decode+render of a container mapping (``kubehash.golang.fused``); ``None`` if not compiled.
    fused: Callable[[Any], bytes] | None = None
    #: JSON and name+image eras: the JSON text the kubelet spews as a ``[]byte`` (``input(c) ==
    #: spew_bytes(document(c))``), for explain to read back; ``None`` in the struct era.
    document: Callable[[Any], bytes] | None = None

    def value(self, container: object) -> object:
        """The typed Go value the kubelet holds (struct = list of field values)."""
        return self.decode(container)

    def input(self, container: object) -> bytes:
        """The bytes fed to FNV-1a (fused path first, general path for anything it does not handle)."""
        fused = self.fused
        if fused is not None and type(container) is dict:
            try:
                return fused(container)
            except Exception:
                pass  # anything unusual is decided by the general path below
        try:
            return self.render(self.decode(container))
        except DecodeError as e:
            raise _named(e, container) from None

    def hash(self, container: object) -> int:
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
    protobuf = source == "apiserver"
    decode = compile_decoder(root, protobuf=protobuf)
    fused: Callable[[Any], bytes] | None = None
    document: Callable[[Any], bytes] | None = None
    if rel.era == "struct":
        spew = compile_typed(root)

        def render(v: Any) -> bytes:
            return spew(v).encode("utf-8")

        fused_spew, _ = compile_fused(root, mode="spew", protobuf=protobuf)

        def fused(c: Any) -> bytes:
            return fused_spew(c).encode("utf-8")
    elif rel.era == "json":
        enc = compile_encoder(root, short_bf=short_bf)

        def render(v: Any) -> bytes:
            return spew_bytes(enc(v).encode("utf-8"))

        fused_json, _ = compile_fused(root, mode="json", protobuf=protobuf, short_bf=short_bf)

        def fused(c: Any) -> bytes:
            return spew_bytes(fused_json(c).encode("utf-8"))

        document = _fused_first(lambda c: fused_json(c).encode("utf-8"), lambda c: enc(decode(c)).encode("utf-8"))
    elif rel.era == "name-image":
        quote = quote_go122 if short_bf else quote_go121
        container = root.underlying()
        assert isinstance(container, Struct)  # v1.Container
        fields = [f.name for f in container.fields]
        i_name, i_image = fields.index("Name"), fields.index("Image")

        def typed_text(v: Any) -> bytes:
            return ('{"image":' + quote(v[i_image]) + ',"name":' + quote(v[i_name]) + "}").encode("utf-8")

        def render(v: Any) -> bytes:
            return spew_bytes(typed_text(v))

        # The kubelet still decodes the whole container: the fused JSON pass validates it without
        # building the typed value (its text is discarded), then only name and image are read.
        validate, _ = compile_fused(root, mode="json", protobuf=protobuf, short_bf=short_bf)

        def fused_text(c: Any) -> bytes:
            validate(c)
            name, image = c.get("name"), c.get("image")
            text = '{"image":' + quote(go_string(image or "")) + ',"name":' + quote(go_string(name or "")) + "}"
            return text.encode("utf-8")

        def fused(c: Any) -> bytes:
            return spew_bytes(fused_text(c))

        document = _fused_first(fused_text, lambda c: typed_text(decode(c)))
    else:  # pragma: no cover - release table is validated by tests
        raise KubehashError(f"unknown hash era {rel.era!r}")
    return HashPlan(rel, source, short_bf, decode, render, root, fused, document)


def _fused_first(fused: Callable[[Any], bytes], general: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
    """``fused(c)`` for a container mapping it handles, else ``general(c)``: anything unusual (and every error)
    is decided by the general path."""

    def run(c: Any) -> bytes:
        if type(c) is dict:
            try:
                return fused(c)
            except Exception:
                pass
        return general(c)

    return run


def plan_for(version: str, source: str = "apiserver", go_version: str | None = None) -> HashPlan:
    """The compiled plan for a kubelet version; ``go_version`` overrides the release table's Go."""
    key = (version, source, go_version)
    plan = _PLANS.get(key) if type(version) is str and type(go_version) in (str, type(None)) else None
    if plan is not None:
        return plan
    _check_source(source)
    rel = release(version)
    go = go_version if go_version is not None else toolchain(version).go_for_hashing
    plan = _plan(rel.minor, source, rel.era != "struct" and go_at_least(go, 1, 22))
    if type(version) is str and type(go_version) in (str, type(None)) and len(_PLANS) < 1024:
        _PLANS[key] = plan
    return plan


#: plan_for's answers by its arguments (release lookup and Go version parsing cost more than a hash).
_PLANS: dict[tuple[str, str, str | None], HashPlan] = {}


def _as_container(container: Any) -> Any:
    if isinstance(container, Mapping) and not isinstance(container, dict):
        return dict(container)
    return container


def hash_input(
    container: Mapping[str, object], version: str, *, source: str = "apiserver", go_version: str | None = None
) -> bytes:
    """Exactly the bytes the kubelet of ``version`` writes into FNV-1a for this container."""
    return plan_for(version, source, go_version).input(_as_container(container))


def hash_container(
    container: Mapping[str, object], version: str, *, source: str = "apiserver", go_version: str | None = None
) -> int:
    """The hash the kubelet of ``version`` computes (and records) for this container.

    ``container`` is the mapping ``kubectl get pod -o json`` shows under ``spec.containers[]``.
    Raises :class:`kubehash.DecodeError` (with the field path) when that kubelet could not decode it.
    """
    return plan_for(version, source, go_version).hash(_as_container(container))
