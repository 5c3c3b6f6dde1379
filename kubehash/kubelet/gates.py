"""Feature gates of the API server (or of the kubelet, for static pods) that decide container defaults.

Their stage per minor is data in ``specs/releases.json`` (``feature_gates``); this module parses the
``--feature-gates`` syntax of ``k8s.io/component-base/featuregate`` and checks overrides against a minor:
a gate the minor does not have is an error (the API server refuses to start), and so is changing a GA gate,
which kubehash treats as locked to true.
"""

from __future__ import annotations

from collections.abc import Mapping

from kubehash.errors import KubehashError
from kubehash.kubelet.releases import Release

__all__ = ["effective_gates", "parse_feature_gates"]

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
            raise KubehashError(f"feature gates: {item!r} is not NAME=true|false")
        if value in _TRUE:
            gates[name] = True
        elif value in _FALSE:
            gates[name] = False
        else:
            raise KubehashError(f"feature gates: invalid value {value!r} for {name} (expected true or false)")
    return gates


def effective_gates(rel: Release, feature_gates: Mapping[str, bool] | None) -> dict[str, bool]:
    """The minor's gate defaults overridden by ``feature_gates``; unknown gates, non-bool values and
    changing a GA (locked) gate are a :class:`KubehashError`."""
    gates = rel.gate_defaults()
    stages = rel.gate_stages()
    for name, value in (feature_gates or {}).items():
        if name not in stages:
            known = ", ".join(stages) or "none"
            raise KubehashError(
                f"unknown feature gate {name!r} for Kubernetes {rel.minor} (container-defaulting gates of this minor: "
                f"{known})"
            )
        if not isinstance(value, bool):
            raise KubehashError(f"feature gate {name}: expected true or false, got {value!r}")
        if stages[name] == "ga" and value is not True:
            raise KubehashError(f"feature gate {name} is GA in Kubernetes {rel.minor} and locked to true")
        gates[name] = value
    return gates
