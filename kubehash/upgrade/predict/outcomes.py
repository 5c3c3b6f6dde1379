"""Both hashes of every distinct container a prediction run meets, computed once: the old kubelet's of the
current spec (for a static pod: of the copy the old kubelet defaulted) and the target kubelet's of the spec
after the target's defaults, or the decode error. Keyed by (spec, old kubelet's hash plan, container kind,
hostNetwork), so replicas cost one lookup. Nothing here reads files."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubehash.errors import DecodeError
from kubehash.kubelet.defaults import Defaulted, apply_defaults
from kubehash.kubelet.fieldpath import render_path
from kubehash.kubelet.hashcache import HashCache, raw_of_key
from kubehash.kubelet.hashing import plan_for
from kubehash.kubelet.releases import Release
from kubehash.kubelet.unknown_fields import unknown_fields
from kubehash.model import PodView
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict.defaulter import Defaulter, unique_spec_key
from kubehash.upgrade.predict.outcome import OldKubelet, Outcome
from kubehash.upgrade.predict.resize import ResizeCheck

__all__ = ["Outcomes"]


class Outcomes:
    """The :class:`~kubehash.upgrade.predict.outcome.Outcome` of each distinct container of one run.

    ``static_files``: pods with source ``file`` are manifest files as written, so the old side is defaulted
    too; ``check_input``: note the fields the old kubelet's version does not have."""

    def __init__(
        self,
        options: Options,
        hasher: HashCache,
        defaulter: Defaulter | None,
        resize: ResizeCheck,
        *,
        static_files: bool,
        check_input: bool,
    ) -> None:
        self.options = options
        self.hasher = hasher
        self.defaulter = defaulter
        self.resize = resize
        self.static_files = static_files
        self.check_input = check_input
        #: Per distinct (spec key, old kubelet's hash plan, container kind, hostNetwork).
        self.table: dict[tuple[bytes, int, str, bool], Outcome] = {}

    def get(self, key: bytes, spec: Any, kind: str, view: PodView, old: OldKubelet) -> Outcome:
        """Both hashes of one distinct (spec, old kubelet's hash plan, container kind, hostNetwork), computed
        once; a hit counts as the hash-cache lookups it replaces."""
        source, host_network = view.source, view.host_network
        opts = self.options
        old_plan = plan_for(old.version, source, opts.old_go)
        k = (key, id(old_plan), kind, host_network)
        hasher = self.hasher
        o = self.table.get(k)
        if o is not None:
            hasher.hits += o.lookups
            return o
        defaulter = self.defaulter
        new_spec, new_key = defaulter(key, spec, kind, source, host_network) if defaulter is not None else (spec, key)
        old_spec, old_key, old_defaults = spec, key, None
        if source == "file" and defaulter is not None and isinstance(spec, Mapping):
            old_defaults = self._old_static_copy(spec, kind, old, host_network)
            if old_defaults is not None:
                old_spec, old_key = old_defaults.obj, unique_spec_key(old_defaults.obj)
        old_hash = new_hash = None
        error = None
        try:
            old_hash = hasher.hash_with(old_plan, old_spec, key=old_key)
            new_hash = hasher.hash_with(plan_for(opts.to, source, opts.new_go), new_spec, key=new_key)
        except DecodeError as e:
            error = e
        undefaulted = new_key == key and old_defaults is None
        o = self.table[k] = Outcome(old_hash, new_hash, error, 1 if old_hash is None else 2, undefaulted)
        o.old_defaults = old_defaults
        if self.check_input and error is None:
            o.unknown = tuple(render_path(u) for u in unknown_fields(spec, old.minor, raw_of_key(key)))
        return o

    def _old_static_copy(
        self, spec: Mapping[str, Any], kind: str, old: OldKubelet, host_network: bool
    ) -> Defaulted | None:
        """The copy of a static pod's container the old kubelet hashed, when it differs from ``spec``: defaulted
        with gates the mirror pod may not show (or, for a manifest file as written, defaulted at all)."""
        gates = self._old_static_gates(old.release)
        if not (gates or self.static_files):
            return None
        if gates is None:
            stages = old.release.gate_stages()
            gates = {g: v for g, v in self.resize.old_gates(old.release).items() if g in stages}
        d = apply_defaults(spec, old.minor, feature_gates=gates, container_kind=kind, host_network=host_network)
        return d if d.obj != spec else None

    def _old_static_gates(self, old: Release) -> dict[str, bool] | None:
        """The defaulting gates an old kubelet of minor ``old`` ran with, when ``old_kubelet_feature_gates``
        moved any of them off that minor's default (``None``: its defaults are what the mirror pod shows)."""
        stages, defaults = old.gate_stages(), old.gate_defaults()
        gates = {g: v for g, v in self.resize.old_gates(old).items() if g in stages}
        return gates if any(v != defaults.get(g) for g, v in gates.items()) else None
