"""Why the two hashes of one outcome differ: the reasons :func:`~kubehash.upgrade.explain.explain` gives for
the spec, after the old kubelet's own defaults of a static pod (``old-kubelet-default``), or the hash
algorithm's era alone when no default changed the spec."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubehash.kubelet.defaults import Defaulted
from kubehash.kubelet.fieldpath import render_path
from kubehash.kubelet.releases import Release
from kubehash.model import PodView
from kubehash.upgrade.explain import Reason, algorithm_reason, explain
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict.defaulter import Defaulter
from kubehash.upgrade.predict.outcome import OldKubelet, Outcome

__all__ = ["outcome_reasons"]


def _old_default_reasons(od: Defaulted) -> list[Reason]:
    """The fields the old kubelet wrote into the copy of a mirror pod's static pod it hashed."""
    return [
        Reason(
            "old-kubelet-default",
            render_path(a.path),
            f"the {od.version} kubelet wrote it into the static pod it hashed"
            + (f" (gate {a.gate})" if a.gate else "")
            + f" [{a.rule}]",
            None,
            a.value,
        )
        for a in od.applied
    ]


def outcome_reasons(
    o: Outcome,
    key: bytes,
    spec: Any,
    kind: str,
    view: PodView,
    old: OldKubelet,
    target: Release,
    defaulter: Defaulter | None,
    options: Options,
    static_files: bool,
) -> list[Reason]:
    """The reasons of one outcome whose hashes differ (``static_files``: files are manifests as written)."""
    if o.undefaulted and old.release.era != target.era:
        # What explain would say, without its work: no default changed the spec, the era did.
        return [algorithm_reason(old.release.era, target.era, old.minor, target.minor)]
    cp = defaulter.control_plane if defaulter is not None else None
    d = defaulter.result(key, kind, view.source, view.host_network) if defaulter is not None else None
    prefix: list[Reason] = []
    if o.old_defaults is not None and static_files and view.source == "file":
        spec = o.old_defaults.obj  # a manifest file: both kubelets default it, so no default is news
    elif o.old_defaults is not None:  # a mirror pod: the old kubelet's own defaults in the copy it hashed
        prefix = _old_default_reasons(o.old_defaults)
        spec = o.old_defaults.obj
    ex = explain(
        spec,
        old.version,
        options.to,
        old_source=view.source,
        new_source=view.source,
        old_go=options.old_go,
        new_go=options.new_go,
        control_plane=cp if isinstance(spec, Mapping) else None,  # as Defaulter: null is not defaulted
        feature_gates=dict(options.feature_gates),
        container_kind=kind,
        host_network=view.host_network,
        defaulted=d,
    )
    return prefix + list(ex.reasons)
