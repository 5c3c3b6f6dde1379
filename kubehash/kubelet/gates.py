"""Feature gates: the ``--feature-gates`` syntax and the one resolver of a component's gates for a minor.

Each minor's gate stages are data (``specs/releases.json``, ``feature_gates``): alpha and deprecated gates are
off by default, beta on, GA on and locked. Two components matter to kubehash:

* the **API server** (or, for static pods, the kubelet itself) -- its gates decide container *defaults*
  (:mod:`kubehash.kubelet.defaults`); every gate of the minor's table is one;
* the **kubelet** -- of its gates two change *what it compares* (``docs/kubelet-feature-gates.md``):

  - ``InPlacePodVerticalScaling`` (alpha, off by default in 1.27-1.32): a 1.27-1.30 kubelet with it on writes
    the ``io.kubernetes.container.hashWithoutResources`` annotation, reads it back (a missing one reads as 0),
    and does not restart a non-static pod's container whose hash changed while its ``hashWithoutResources``
    did not (``kuberuntime_manager.go`` ``computePodActions``, ``labels.go``);
  - ``SidecarContainers`` (alpha 1.28, beta 1.29-1.32, GA 1.33): from 1.32 (PR #126525) the kubelet compares
    the hash of running restartable init containers, only with the gate on; 1.28-1.31 never compare them.

A component of that minor refuses to start with a gate it does not have, a value that is not a bool, or a GA
gate turned off (``k8s.io/component-base/featuregate``): :func:`resolve_gates` raises
:class:`~kubehash.errors.FeatureGateError` for those, except for the kubelets *already running* (``lenient``),
which differ from node to node: an override naming a gate such a minor lacks or has locked simply does not
apply to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from kubehash.errors import FeatureGateError
from kubehash.kubelet.releases import GATE_STAGE_DEFAULT, Release

__all__ = [
    "IN_PLACE_RESIZE",
    "KUBELET_GATES",
    "SIDECARS",
    "GateLife",
    "applicable_overrides",
    "compares_hash_without_resources",
    "compares_sidecars",
    "effective_gates",
    "gate_life",
    "kubelet_gates",
    "old_kubelet_gates",
    "parse_feature_gates",
    "resolve_gates",
]

IN_PLACE_RESIZE = "InPlacePodVerticalScaling"
SIDECARS = "SidecarContainers"
#: The kubelet gates kubehash models (the ones that change what the kubelet compares).
KUBELET_GATES = (IN_PLACE_RESIZE, SIDECARS)

_TRUE = frozenset({"1", "t", "T", "TRUE", "true", "True"})
_FALSE = frozenset({"0", "f", "F", "FALSE", "false", "False"})


def parse_feature_gates(text: str) -> dict[str, bool]:
    """``--feature-gates`` syntax, ``A=true,B=false`` (values as Go's ``strconv.ParseBool``)."""
    gates: dict[str, bool] = {}
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name:
            raise FeatureGateError(f"feature gates: {item[:80]!r} is not NAME=true|false")
        if value in _TRUE:
            gates[name] = True
        elif value in _FALSE:
            gates[name] = False
        else:
            raise FeatureGateError(f"feature gates: invalid value {value[:40]!r} for {name} (expected true or false)")
    return gates


def _applies(stages: Mapping[str, str], name: str) -> bool:
    """Whether an override of gate ``name`` changes anything in a minor with these gate ``stages``: the minor
    has the gate and does not lock it (GA)."""
    return stages.get(name, "ga") != "ga"


def applicable_overrides(rel: Release, overrides: Mapping[str, object] | None) -> dict[str, bool]:
    """The ``overrides`` a component of minor ``rel`` that is not asked applies: those of gates it has and does
    not lock (an API server that stored a pod for another minor's manifests, a plan's hop); the others do not
    apply to it, and are dropped rather than refused (:func:`resolve_gates` refuses them)."""
    stages = dict(rel.feature_gates)
    return {name: bool(value) for name, value in (overrides or {}).items() if _applies(stages, name)}


def resolve_gates(
    rel: Release,
    overrides: Mapping[str, bool] | None = None,
    *,
    kubelet: bool = False,
    lenient: bool = False,
) -> dict[str, bool]:
    """The gates of minor ``rel`` with ``overrides`` applied: the API server's container-defaulting gates, or
    (``kubelet``) the kubelet gates in :data:`KUBELET_GATES`. ``lenient`` (kubelets already running): an override
    of a modelled gate this minor lacks or has locked is ignored. Anything else a component would refuse is a
    :class:`~kubehash.errors.FeatureGateError`."""
    who = "kubelet " if kubelet else ""
    stages = {name: stage for name, stage in rel.feature_gates if not kubelet or name in KUBELET_GATES}
    gates = {name: GATE_STAGE_DEFAULT[stage] for name, stage in stages.items()}
    for name, value in (overrides or {}).items():
        if not isinstance(value, bool):
            raise FeatureGateError(f"{who}feature gate {name}: expected true or false, got {value!r}")
        if lenient and name in KUBELET_GATES:
            if _applies(stages, name):
                gates[name] = value
            continue
        _check_override(rel, name, value, stages, kubelet=kubelet, lenient=lenient)
        gates[name] = value
    return gates


def _check_override(
    rel: Release, name: str, value: bool, stages: Mapping[str, str], *, kubelet: bool, lenient: bool
) -> None:
    """Raise the :class:`~kubehash.errors.FeatureGateError` a component of ``rel`` refuses the override with:
    a gate it does not have, or a GA gate turned off."""
    who = "kubelet " if kubelet else ""
    stage = stages.get(name)
    place = f"kubelet {rel.minor}" if kubelet else f"Kubernetes {rel.minor}"
    if stage is None:
        if lenient:
            raise FeatureGateError(
                f"unknown kubelet feature gate {name!r} (gates that change what the kubelet compares: "
                f"{', '.join(KUBELET_GATES)})"
            )
        known = ", ".join(stages) or "none"
        what = (
            "gates of this minor that change what the kubelet compares"
            if kubelet
            else ("container-defaulting gates of this minor")
        )
        raise FeatureGateError(f"unknown {who}feature gate {name!r} for {place} ({what}: {known})")
    if stage == "ga" and value is not True:
        raise FeatureGateError(f"{who}feature gate {name} is GA in {place} and locked to true")


def effective_gates(rel: Release, feature_gates: Mapping[str, bool] | None) -> dict[str, bool]:
    """The API server's (container-defaulting) gates of ``rel``: :func:`resolve_gates`."""
    return resolve_gates(rel, feature_gates)


def kubelet_gates(rel: Release, overrides: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """The target kubelet's modelled gates: :func:`resolve_gates` with ``kubelet``."""
    return resolve_gates(rel, overrides, kubelet=True)


def old_kubelet_gates(rel: Release, overrides: Mapping[str, bool] | None = None) -> dict[str, bool]:
    """The modelled gates of the kubelets of minor ``rel`` running now: :func:`resolve_gates`, lenient."""
    return resolve_gates(rel, overrides, kubelet=True, lenient=True)


def compares_hash_without_resources(rel: Release, gates: Mapping[str, bool]) -> bool:
    """Does this kubelet (minor and gates) write, read and compare ``hashWithoutResources``?"""
    return rel.hash_without_resources and gates.get(IN_PLACE_RESIZE, False)


def compares_sidecars(rel: Release, gates: Mapping[str, bool]) -> bool:
    """Does this kubelet compare the hash of running restartable (sidecar) init containers?"""
    return rel.restartable_init_containers and gates.get(SIDECARS, False)


@dataclass(frozen=True)
class GateLife:
    """One feature gate's stages across minors, from the curated ``policy.feature_gates.gates`` rows of
    ``specs/kubelet-flags.json`` (sourced from the Kubernetes feature-gate reference pages)."""

    name: str
    stages: tuple[tuple[str, bool, str, str | None], ...]  # (stage, default, first minor, last minor or None)
    removed: str | None  # the first minor without the gate
    source: Mapping[str, str]

    def stage_in(self, minor: str) -> tuple[str, bool] | None:
        """``(stage, default)`` of the gate in ``minor``; ``None`` when that minor does not have it."""
        key = _minor_key(minor)
        for stage, default, first, last in self.stages:
            if _minor_key(first) <= key and (last is None or key <= _minor_key(last)):
                return stage, default
        return None


def _minor_key(minor: str) -> tuple[int, ...]:
    return tuple(int(p) for p in minor.split(".")[:2])


@cache
def _gate_lives() -> dict[str, GateLife]:
    from kubehash.kubelet.flags import flags_policy

    rows = flags_policy().get("feature_gates", {}).get("gates", {}).get("rows", [])
    return {
        str(r["gate"]): GateLife(
            str(r["gate"]),
            tuple((str(s[0]), bool(s[1]), str(s[2]), None if s[3] is None else str(s[3])) for s in r["stages"]),
            None if r.get("removed") is None else str(r["removed"]),
            dict(r.get("source", {})),
        )
        for r in rows
    }


def gate_life(name: str) -> GateLife | None:
    """What kubehash knows of gate ``name`` beyond the container-relevant gates of ``specs/releases.json``."""
    return _gate_lives().get(name)
