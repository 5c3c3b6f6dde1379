"""Feature gates the target kubelet refuses: a gate it does not know (``unrecognized feature gate: X``;
``unrecognized key: X`` before 1.14) or a GA gate set to its locked opposite (``cannot set feature gate X to
false, feature is locked to true``), as far as kubehash knows gates: the container-relevant gates of
``specs/releases.json`` per minor, and the curated gate lives of ``specs/kubelet-flags.json``
(``policy.feature_gates.gates``). A gate in neither is ``info``, and so is a GA or deprecated gate set to its
other value when the data does not record whether it is locked."""

from __future__ import annotations

from collections.abc import Mapping

from kubehash.kubelet.gates import GateLife, gate_life
from kubehash.kubelet.releases import RELEASES, Release, release
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


def _finding(
    name: str, severity: str, what: str, cur: Release, tgt: Release, node: str | None, origin: Origin | str | None,
    message: str, removed_in: str | None = None,
) -> KubeletFlagFinding:  # fmt: skip
    return KubeletFlagFinding(
        node,
        "feature-gate",
        name,
        severity,  # type: ignore[arg-type]
        what,  # type: ignore[arg-type]
        cur.minor,
        tgt.minor,
        removed_in=removed_in,
        origin=None if origin is None else str(origin),
        message=message,
    )


def _unrecognized(tgt: Release, name: str) -> str:
    """The target kubelet's message for a gate it does not have (``unrecognized key`` up to 1.10)."""
    return f"unrecognized key: {name}" if tgt.minor_number <= 10 else f"unrecognized feature gate: {name}"


def check_feature_gates(
    gates: Mapping[str, object],
    current: str,
    target: str,
    *,
    node: str | None = None,
    origin: Origin | str | None = None,
) -> list[KubeletFlagFinding]:
    """Gates the target kubelet refuses (removed, or GA and set to false), as far as kubehash's gate data
    knows; the others it cannot judge are ``info`` saying why."""
    cur, tgt = release(current), release(target)
    out: list[KubeletFlagFinding] = []
    for name, value in gates.items():
        judged, found = _release_table_gate(name, value, cur, tgt, node, origin)
        if not judged:
            life = gate_life(name)
            found = _curated_gate(life, value, cur, tgt, node, origin) if life else _unknown_gate(name, cur, tgt, node)
        if found is not None:
            out.append(found)
    return out


def _release_table_gate(
    name: str, value: object, cur: Release, tgt: Release, node: str | None, origin: Origin | str | None
) -> tuple[bool, KubeletFlagFinding | None]:
    """The judgement of the release table (``specs/releases.json``): whether it can tell, and its finding
    (``None``: the gate is fine)."""
    tgt_stages = tgt.gate_stages()
    if name in tgt_stages:
        if tgt_stages[name] == "ga" and value is False:
            return True, _finding(
                name, "risk", "gate-locked", cur, tgt, node, origin,
                f"feature gate {name}=false: {name} is GA in {tgt.minor} and locked to true; the {tgt.minor} kubelet "
                f"exits with 'cannot set feature gate {name} to false, feature is locked to true'{_where(origin)}",
            )  # fmt: skip
        return True, None
    had = [r.minor_number for r in RELEASES if name in dict(r.feature_gates)]
    if had and max(had) < tgt.minor_number:
        removed = f"1.{max(had) + 1}"
        return True, _finding(
            name, "risk", "gate-removed", cur, tgt, node, origin,
            f"feature gate {name} was removed in {removed}: the {tgt.minor} kubelet exits with "
            f"'{_unrecognized(tgt, name)}'{_where(origin)}",
            removed_in=removed,
        )  # fmt: skip
    return False, None


def _curated_gate(
    life: GateLife, value: object, cur: Release, tgt: Release, node: str | None, origin: Origin | str | None
) -> KubeletFlagFinding | None:
    """A gate of the curated gate lives (``specs/kubelet-flags.json`` ``policy.feature_gates.gates``)."""
    name = life.name
    src = f"{life.source.get('repo', '')} {life.source.get('path', '').rsplit('/', 1)[-1]}".strip()
    stage = life.stage_in(tgt.minor)
    if stage is None:
        if life.removed is not None and tgt.minor_number >= release(life.removed).minor_number:
            return _finding(
                name, "risk", "gate-removed", cur, tgt, node, origin,
                f"feature gate {name} was removed in {life.removed}: the {tgt.minor} kubelet exits with "
                f"'{_unrecognized(tgt, name)}' ({src}){_where(origin)}",
                removed_in=life.removed,
            )  # fmt: skip
        return _finding(
            name, "warning", "gate-unknown", cur, tgt, node, origin,
            f"feature gate {name} is not yet a gate of {tgt.minor} (from {life.stages[0][2]}, {src}): the "
            f"{tgt.minor} kubelet would exit with '{_unrecognized(tgt, name)}'; is the version right?",
        )  # fmt: skip
    kind, default = stage
    if kind in ("ga", "deprecated") and isinstance(value, bool) and value != default:
        return _finding(
            name, "info", "gate-unknown", cur, tgt, node, origin,
            f"feature gate {name}={str(value).lower()}: {name} is {kind} in {tgt.minor} (default "
            f"{str(default).lower()}, {src}); such gates are often locked to their default, and the kubelet then "
            f"exits with 'cannot set feature gate {name} to {str(value).lower()}, feature is locked to "
            f"{str(default).lower()}', but kubehash's gate data does not record the lock, so it cannot tell",
        )  # fmt: skip
    return None


def _unknown_gate(name: str, cur: Release, tgt: Release, node: str | None) -> KubeletFlagFinding:
    return _finding(
        name, "info", "gate-unknown", cur, tgt, node, None,
        f"feature gate {name}: kubehash's gate data (the container-hash gates of specs/releases.json and the "
        "curated gate lives in specs/kubelet-flags.json) does not list it, so it cannot tell whether the "
        f"{tgt.minor} kubelet knows it; a gate the kubelet does not know stops it with "
        f"'{_unrecognized(tgt, name)}': check `kubelet --help` of {tgt.minor}",
    )  # fmt: skip
