"""Feature gates the target kubelet refuses: a gate it does not know (``unrecognized feature gate: X``;
``unrecognized key: X`` before 1.14) or a GA gate set to its locked opposite (``cannot set feature gate X to
false, feature is locked to true``), as far as kubehash's release table (``specs/releases.json``) knows gates."""

from __future__ import annotations

from collections.abc import Mapping

from kubehash.kubelet.releases import RELEASES, release
from kubehash.model.kubelet_args import Origin
from kubehash.upgrade.kubelet_findings import KubeletFlagFinding, _where

__all__ = ["check_feature_gates", "parse_feature_gates_value"]


def parse_feature_gates_value(value: str) -> dict[str, bool]:
    """``A=true,B=false`` as ``cliflag.MapStringBool`` reads it (strconv.ParseBool values)."""
    out: dict[str, bool] = {}
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        k, eq, v = item.partition("=")
        if not eq:
            raise ValueError(f"missing bool value for {k}")
        v = v.strip()
        if v in ("1", "t", "T", "true", "TRUE", "True"):
            out[k.strip()] = True
        elif v in ("0", "f", "F", "false", "FALSE", "False"):
            out[k.strip()] = False
        else:
            raise ValueError(f"invalid value of {k}={v}")
    return out


def check_feature_gates(
    gates: Mapping[str, object],
    current: str,
    target: str,
    *,
    node: str | None = None,
    origin: Origin | str | None = None,
) -> list[KubeletFlagFinding]:
    """Gates the target kubelet refuses (removed, or GA and set to false), as far as the release table knows."""
    cur, tgt = release(current), release(target)
    out: list[KubeletFlagFinding] = []
    cur_stages, tgt_stages = cur.gate_stages(), tgt.gate_stages()
    known_anywhere = {name for r in RELEASES for name, _ in r.feature_gates}
    for name, value in gates.items():
        if name in tgt_stages:
            if tgt_stages[name] == "ga" and value is False:
                out.append(
                    KubeletFlagFinding(
                        node,
                        "feature-gate",
                        name,
                        "risk",
                        "gate-locked",
                        cur.minor,
                        tgt.minor,
                        origin=None if origin is None else str(origin),
                        message=f"feature gate {name}=false: {name} is GA in {tgt.minor} and locked to true; the "
                        f"{tgt.minor} kubelet exits with 'cannot set feature gate {name} to false, feature is "
                        f"locked to true'{_where(origin)}",
                    )
                )
            continue
        if name in cur_stages or (name in known_anywhere and _was_removed_before(name, tgt.minor)):
            out.append(
                KubeletFlagFinding(
                    node,
                    "feature-gate",
                    name,
                    "risk",
                    "gate-removed",
                    cur.minor,
                    tgt.minor,
                    origin=None if origin is None else str(origin),
                    message=f"feature gate {name} no longer exists in {tgt.minor}: the {tgt.minor} kubelet exits "
                    f"with 'unrecognized feature gate: {name}'{_where(origin)}",
                )
            )
        else:
            out.append(
                KubeletFlagFinding(
                    node,
                    "feature-gate",
                    name,
                    "info",
                    "gate-unknown",
                    cur.minor,
                    tgt.minor,
                    origin=None if origin is None else str(origin),
                    message=f"feature gate {name}: kubehash's gate table (the gates that matter to container "
                    f"hashes) does not list it, so it cannot tell whether the {tgt.minor} kubelet knows it; a gate "
                    "the kubelet does not know stops it with 'unrecognized feature gate'",
                )
            )
    return out


def _was_removed_before(name: str, minor: str) -> bool:
    key = release(minor).minor_number
    had = [r.minor_number for r in RELEASES if name in dict(r.feature_gates)]
    return bool(had) and max(had) < key
