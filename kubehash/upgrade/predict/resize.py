"""The ``hashWithoutResources`` check of kubelets 1.27-1.30 with ``InPlacePodVerticalScaling`` on
(``kuberuntime_manager.go`` ``computePodActions``, ``labels.go``; ``docs/kubelet-feature-gates.md``).

Such a kubelet restarts a non-static pod's container whose hash changed only if its ``hashWithoutResources``
changed too: the annotation recorded when the container started (runtime records), else what the old kubelet
wrote -- only a 1.27-1.30 kubelet with the gate on writes one; a missing annotation reads as 0, so the changed
hash restarts the container. The work is done once per distinct outcome, and only for containers the full
hash would restart (or whose record carries the annotation, for the model check).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from kubehash.errors import DecodeError
from kubehash.golang.fnv import runtime_hex
from kubehash.kubelet.gates import IN_PLACE_RESIZE, compares_hash_without_resources, old_kubelet_gates
from kubehash.kubelet.releases import Release
from kubehash.kubelet.without_resources import hash_without_resources
from kubehash.model import PodView, RuntimeRecord
from kubehash.upgrade.explain import Reason
from kubehash.upgrade.predict.defaulter import Defaulter
from kubehash.upgrade.predict.outcome import OldKubelet, Outcome

if TYPE_CHECKING:
    from kubehash.upgrade.predict.result import ContainerPrediction

__all__ = ["ResizeCheck"]


class ResizeCheck:
    """The target's hashWithoutResources decisions for one run."""

    def __init__(
        self,
        target: Release,
        target_version: str,
        old_overrides: Mapping[str, bool],
        defaulter: Defaulter | None,
        old_go: str | None,
        new_go: str | None,
    ) -> None:
        self.target, self.target_version = target, target_version
        self.old_overrides, self.defaulter = old_overrides, defaulter
        self.old_go, self.new_go = old_go, new_go
        self._old_gates_by_minor: dict[str, dict[str, bool]] = {}
        self._reasons: dict[tuple[str, str], Reason] = {}

    def old_gates(self, old: Release) -> dict[str, bool]:
        """The gates of the kubelets of minor ``old`` now running (that minor's defaults, the overrides)."""
        gates = self._old_gates_by_minor.get(old.minor)
        if gates is None:
            gates = self._old_gates_by_minor[old.minor] = old_kubelet_gates(old, self.old_overrides)
        return gates

    def _old_hwr(self, o: Outcome, spec: Any, view: PodView, old: OldKubelet) -> int:
        if o.old_hwr is None:
            o.old_hwr = hash_without_resources(spec, old.version, source=view.source, go_version=self.old_go)
        return o.old_hwr

    def _new_hwr(self, o: Outcome, key: bytes, spec: Any, kind: str, view: PodView) -> int:
        if o.new_hwr is None:
            d = self.defaulter
            new_spec = d(key, spec, kind, view.source, view.host_network)[0] if d is not None else spec
            o.new_hwr = hash_without_resources(
                new_spec, self.target_version, source=view.source, go_version=self.new_go
            )
        return o.new_hwr

    def _reason(self, kind: str, detail: str, old: Any = None, new: Any = None) -> Reason:
        """One shared Reason per distinct text (reports build each distinct reason list's text once)."""
        k = (kind, detail)
        r = self._reasons.get(k)
        if r is None:
            r = self._reasons[k] = Reason(kind, "", detail, old, new)
        return r

    def check_record(
        self, p: ContainerPrediction, o: Outcome, spec: Any, view: PodView, old: OldKubelet, recorded: int
    ) -> None:
        """Model check of a recorded hashWithoutResources against the old kubelet's of the current spec."""
        try:
            mine = self._old_hwr(o, spec, view, old)
        except DecodeError:  # pragma: no cover - the full hash of the same spec decoded
            return
        if mine != recorded:
            p.model_check = "mismatch"
            p.reasons.append(
                self._reason(
                    "spec-changed",
                    f"recorded hashWithoutResources {runtime_hex(recorded)} is not the {old.minor} one of the current "
                    f"spec ({runtime_hex(mine)}): more than resources changed since start (or kubehash's model is "
                    "wrong)",
                )
            )
        elif p.model_check == "mismatch":
            # Not a spec change the model missed: the container was resized in place since it started.
            assert p.recorded_hash is not None  # "mismatch" is only set against a recorded hash
            p.reasons[:] = [r for r in p.reasons if r.kind != "spec-changed"]
            p.reasons.append(
                self._reason(
                    "resized-since-start",
                    f"recorded hash {runtime_hex(p.recorded_hash)} is not the {old.minor} hash of the current spec, "
                    f"but hashWithoutResources {runtime_hex(recorded)} is: only resources changed since start (an "
                    "in-place resize)",
                )
            )

    def _recorded(self, o: Outcome, spec: Any, view: PodView, old: OldKubelet, rec: RuntimeRecord | None) -> int | str:
        """The hashWithoutResources the target reads for the container, or why there is none."""
        if rec is not None and rec.hash is not None:
            hwr = rec.hash_without_resources
            return hwr if hwr is not None else "no hashWithoutResources annotation in the runtime record"
        if compares_hash_without_resources(old.release, self.old_gates(old.release)):
            return self._old_hwr(o, spec, view, old)
        gate = f" with {IN_PLACE_RESIZE} off" if old.release.hash_without_resources else ""
        return f"kubelet {old.minor}{gate} writes no hashWithoutResources annotation"

    def resized(
        self,
        p: ContainerPrediction,
        o: Outcome,
        key: bytes,
        spec: Any,
        view: PodView,
        old: OldKubelet,
        rec: RuntimeRecord | None,
    ) -> bool:
        """The target's check of a container whose hash changed: True (no restart) when its
        hashWithoutResources is unchanged. Adds the reason."""
        target = self.target.minor
        recorded = self._recorded(o, spec, view, old, rec)
        if isinstance(recorded, str):
            p.reasons.append(
                self._reason(
                    "hash-without-resources-missing",
                    f"{recorded}; kubelet {target} reads it as 0, so the changed hash restarts the container even "
                    f"with {IN_PLACE_RESIZE}",
                )
            )
            return False
        new = self._new_hwr(o, key, spec, p.kind, view)
        if new == recorded:
            detail = (
                f"hashWithoutResources {runtime_hex(new)} unchanged: kubelet {target} with {IN_PLACE_RESIZE} "
                "resizes in place, no restart (unless a RestartContainer resize policy applies)"
            )
        else:
            detail = (
                f"hashWithoutResources changed too ({runtime_hex(recorded)} -> {runtime_hex(new)}): kubelet {target} "
                f"restarts the container even with {IN_PLACE_RESIZE}"
            )
        p.reasons.append(self._reason("hash-without-resources", detail, recorded, new))
        return new == recorded
