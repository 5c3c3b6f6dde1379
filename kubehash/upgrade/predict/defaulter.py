"""The container as the new side sees it: after the control plane's API server defaults (pods that came through
the API server) or the new kubelet's, with its own gates (static pods read from a manifest, which the kubelet
defaults itself), cached per distinct spec."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

from kubehash.golang.jsonvalue import loads_utf8
from kubehash.kubelet.defaults import Defaulted, apply_defaults
from kubehash.kubelet.hashcache import raw_of_key, spec_key
from kubehash.kubelet.releases import Release

__all__ = ["Defaulter", "unique_spec_key"]

#: Keys for containers without a canonical form: never equal to another key, so never a cache hit.
_UNIQUE = itertools.count()

_Key = tuple[bytes, str, bool, str, bool]


def unique_spec_key(spec: Any) -> bytes:
    """:func:`~kubehash.kubelet.hashcache.spec_key`, or a key no other spec has when it has none."""
    key = spec_key(spec)
    return key if key is not None else b"#%d" % next(_UNIQUE)


class Defaulter:
    """Defaults of the new side per distinct (spec, container kind, hostNetwork, version, whose gates): the
    control plane's ``control_plane`` row with ``gates`` (API pods), or the target kubelet's with
    ``kubelet_gates`` (static pods: only the gates of that minor that change defaults)."""

    def __init__(
        self,
        control_plane: Release,
        kubelet: Release,
        gates: Mapping[str, bool],
        kubelet_gates: Mapping[str, bool],
    ) -> None:
        self.control_plane, self.kubelet, self.gates = control_plane.minor, kubelet.minor, dict(gates)
        stages = kubelet.gate_stages()
        self.kubelet_gates = {k: v for k, v in kubelet_gates.items() if k in stages}
        self.cache: dict[_Key, tuple[Any, bytes]] = {}
        #: The apply_defaults results behind ``cache`` (explain reuses them).
        self.results: dict[_Key, Defaulted] = {}

    def by(self, source: str) -> str:
        return self.kubelet if source == "file" else self.control_plane

    def key(self, key: bytes, kind: str, source: str, host_network: bool) -> _Key:
        """The cache key: the spec, what the defaults depend on, the version that applies them and whether
        its gates are the kubelet's (static pods) or the control plane's -- even when both are one minor."""
        return (key, kind, host_network, self.by(source), source == "file")

    def result(self, key: bytes, kind: str, source: str, host_network: bool) -> Defaulted | None:
        """The :func:`apply_defaults` result behind a call with these arguments (``None``: not a mapping)."""
        return self.results.get(self.key(key, kind, source, host_network))

    def __call__(self, key: bytes, spec: Any, kind: str, source: str, host_network: bool) -> tuple[Any, bytes]:
        """The defaulted spec and its key (the given ones when no default changed anything)."""
        k = self.key(key, kind, source, host_network)
        hit = self.cache.get(k)
        if hit is None:
            if not isinstance(spec, Mapping):
                hit = (spec, key)
            else:
                gates = self.kubelet_gates if source == "file" else self.gates
                raw = raw_of_key(key)  # the JSON text the spec was parsed from: parsed again, a fresh copy
                d = self.results[k] = apply_defaults(
                    spec if raw is None else loads_utf8(raw),
                    self.by(source),
                    feature_gates=gates,
                    container_kind=kind,
                    host_network=host_network,
                    owned=raw is not None,
                )
                new = d.obj
                if new == spec:  # no default changed it: the spec itself stands for the copy, which is freed
                    d.obj = spec
                    hit = (spec, key)
                else:
                    hit = (new, unique_spec_key(new))
            self.cache[k] = hit
        return hit
