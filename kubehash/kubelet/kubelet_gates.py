"""The kubelet's own feature gates that change which hashes it compares (``docs/kubelet-feature-gates.md``).

Distinct from the API server's gates (:mod:`kubehash.kubelet.gates`, which change defaults): these are the
kubelet's ``--feature-gates``. Their stage per minor is the same ``feature_gates`` column of
``specs/releases.json``; only two of them matter to the hash check:

* ``InPlacePodVerticalScaling`` (alpha, off by default in 1.27-1.32): a 1.27-1.30 kubelet with it on writes
  the ``io.kubernetes.container.hashWithoutResources`` annotation when it starts a container, reads it back
  (a missing one reads as 0), and does not restart a non-static pod's container whose hash changed as long
  as its ``hashWithoutResources`` did not (``kuberuntime_manager.go`` ``computePodActions``,
  ``labels.go``).
* ``SidecarContainers`` (alpha 1.28, beta 1.29-1.32, GA 1.33): from 1.32 (PR #126525) the kubelet compares
  the hash of running restartable init containers, only with the gate on; 1.28-1.31 never compare them.
"""

from __future__ import annotations

from collections.abc import Mapping

from kubehash.errors import KubehashError
from kubehash.kubelet.gates import parse_feature_gates
from kubehash.kubelet.releases import GATE_STAGE_DEFAULT, Release

__all__ = [
    "IN_PLACE_RESIZE",
    "KUBELET_GATES",
    "SIDECARS",
    "compares_hash_without_resources",
    "compares_sidecars",
    "kubelet_gate_stages",
    "kubelet_gates",
    "old_kubelet_gates",
    "parse_feature_gates",
]

IN_PLACE_RESIZE = "InPlacePodVerticalScaling"
SIDECARS = "SidecarContainers"
#: The kubelet gates kubehash models (the ones that change what the kubelet compares).
KUBELET_GATES = (IN_PLACE_RESIZE, SIDECARS)


def kubelet_gate_stages(rel: Release) -> dict[str, str]:
    """Kubelet gate -> stage in this minor (only the modelled gates the minor has)."""
    return {name: stage for name, stage in rel.feature_gates if name in KUBELET_GATES}


def _check(name: str, value: object, stages: Mapping[str, str], rel: Release) -> None:
    if not isinstance(value, bool):
        raise KubehashError(f"kubelet feature gate {name}: expected true or false, got {value!r}")
    if stages[name] == "ga" and value is not True:
        raise KubehashError(f"kubelet feature gate {name} is GA in kubelet {rel.minor} and locked to true")


def kubelet_gates(rel: Release, overrides: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """The kubelet gates of minor ``rel``: stage defaults, then ``overrides``. A gate this minor does not have
    (or that kubehash does not model), a non-bool value, or turning a GA gate off is a
    :class:`KubehashError` -- that kubelet would not start."""
    stages = kubelet_gate_stages(rel)
    gates = {name: GATE_STAGE_DEFAULT[stage] for name, stage in stages.items()}
    for name, value in (overrides or {}).items():
        if name not in stages:
            known = ", ".join(stages) or "none"
            raise KubehashError(
                f"unknown kubelet feature gate {name!r} for kubelet {rel.minor} (gates of this minor that change "
                f"what the kubelet compares: {known})"
            )
        _check(name, value, stages, rel)
        gates[name] = value
    return gates


def old_kubelet_gates(rel: Release, overrides: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """Like :func:`kubelet_gates` for the kubelets running now, whose minors differ from node to node: an
    override naming a modelled gate this minor lacks, or has locked (GA), does not apply to it (such a
    kubelet could not have run with it); a name kubehash does not model, or a non-bool value, is an error."""
    stages = kubelet_gate_stages(rel)
    gates = {name: GATE_STAGE_DEFAULT[stage] for name, stage in stages.items()}
    for name, value in (overrides or {}).items():
        if name not in KUBELET_GATES:
            raise KubehashError(
                f"unknown kubelet feature gate {name!r} (gates that change what the kubelet compares: "
                f"{', '.join(KUBELET_GATES)})"
            )
        if not isinstance(value, bool):
            raise KubehashError(f"kubelet feature gate {name}: expected true or false, got {value!r}")
        if stages.get(name, "ga") != "ga":
            gates[name] = value
    return gates


def compares_hash_without_resources(rel: Release, gates: Mapping[str, bool]) -> bool:
    """Does this kubelet (minor and gates) write, read and compare ``hashWithoutResources``?"""
    return rel.hash_without_resources and gates.get(IN_PLACE_RESIZE, False)


def compares_sidecars(rel: Release, gates: Mapping[str, bool]) -> bool:
    """Does this kubelet compare the hash of running restartable (sidecar) init containers?"""
    return rel.restartable_init_containers and gates.get(SIDECARS, False)
