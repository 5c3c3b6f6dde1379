"""The evidence an audit gives for a container: the runtime's recorded hashes, a miss's last state and what
the prediction says about it, and the likely why of a predicted restart that was not seen."""

from __future__ import annotations

import dataclasses

from kubehash.upgrade.audit.observe import Observation
from kubehash.upgrade.audit.result import (
    PREDICTED_AND_RESTARTED,
    RESTARTED_NOT_PREDICTED,
    RESTARTED_ON_NODE_NOT_UPGRADED,
    ContainerAudit,
)
from kubehash.upgrade.predict import ContainerPrediction

__all__ = ["why", "with_evidence"]


def _hash_evidence(c: ContainerAudit) -> list[str]:
    """The runtime's recorded hashes of the container before and after, and for a restart the new kubelet
    made, whether the hash it recorded is the one predicted."""
    hb, ha = c.recorded_hash_before, c.recorded_hash_after
    out = []
    if hb is not None and ha is not None:
        out.append(f"recorded hash {hb:x} -> {ha:x}" if hb != ha else f"recorded hash {hb:x} before and after")
    elif hb is not None:
        out.append(f"recorded hash {hb:x} before (no record after)")
    elif ha is not None:
        out.append(f"recorded hash {ha:x} after (no record before)")
    if ha is not None and c.new_hash is not None and c.restarted and c.upgraded:
        same = "as predicted" if ha == c.new_hash else f"NOT the predicted {c.new_hash:x}"
        out.append(f"new kubelet recorded {ha:x}: {same}")
    return out


#: What the prediction says about a restart it did not predict, by verdict.
_MISS_HINTS = {
    "not-running": "not running in the before state, so never compared: a crash loop or a start",
    "not-checked": "an init container the new kubelet does not compare: its pod restarted",
}


def _miss_evidence(obs: Observation, c: ContainerAudit) -> tuple[str, ...]:
    extra = []
    if c.last_reason is not None or c.exit_code is not None:
        extra.append(f"last state terminated: {c.last_reason or '?'}, exit code {c.exit_code}")
    reference = c.recorded_hash_before if c.recorded_hash_before is not None else c.old_hash
    if c.verdict == "unchanged" and c.new_hash is not None and c.new_hash == reference:
        extra.append(f"hash {c.new_hash:x} on both kubelets: the upgrade gave the kubelet no hash reason to restart it")
    elif c.verdict in _MISS_HINTS:
        extra.append(_MISS_HINTS[c.verdict])
    return (*obs.signals, *extra, *_hash_evidence(c))


_UNSPARED = "restarted although an ignore file should have spared it"


def with_evidence(c: ContainerAudit, obs: Observation) -> ContainerAudit:
    """A restart's evidence: for a restart not predicted, its last state and recorded hashes too."""
    if c.outcome in (RESTARTED_NOT_PREDICTED, RESTARTED_ON_NODE_NOT_UPGRADED):
        return dataclasses.replace(c, evidence=_miss_evidence(obs, c))
    if c.outcome == PREDICTED_AND_RESTARTED:
        unspared = [_UNSPARED] if c.verdict == "protected" else []
        return dataclasses.replace(c, evidence=(*c.evidence, *unspared, *_hash_evidence(c)))
    return c


def why(predicted: ContainerPrediction, observed: str) -> str:
    if observed in ("pod-deleted", "pod-replaced", "stopped", "evicted"):
        return observed
    return "ignore-file" if predicted.verdict == "protected" else "patched-kubelet"
