"""Runtime records matched to the containers of pods (what the runtime recorded when each started)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypeVar

from kubehash.model import PodView, RuntimeRecord

if TYPE_CHECKING:
    from kubehash.upgrade.predict.result import ContainerPrediction

__all__ = ["RuntimeIndex"]

_NameKey = tuple[str | None, str | None, str]
K = TypeVar("K")


class RuntimeIndex:
    """Runtime records by container. Matched by pod uid when the pod and the record both carry one (a pod
    recreated under the same name -- a StatefulSet replica -- must not inherit records of the instance before
    it, whose exited containers the runtime may still list); else by (namespace, pod, container). Of several
    records for one container, a running one wins."""

    def __init__(self, runtime: Iterable[RuntimeRecord]) -> None:
        self.by_uid: dict[tuple[str, str], RuntimeRecord] = {}
        self.by_name: dict[_NameKey, RuntimeRecord] = {}
        self.by_name_without_uid: dict[_NameKey, RuntimeRecord] = {}
        self.records = list(runtime)
        for rec in self.records:
            if rec.pod_uid:
                _keep(self.by_uid, (rec.pod_uid, rec.container), rec)
            else:
                _keep(self.by_name_without_uid, rec.key, rec)
            _keep(self.by_name, rec.key, rec)

    def __bool__(self) -> bool:
        return bool(self.by_name)

    def find(self, view: PodView, container: str) -> RuntimeRecord | None:
        key = (view.namespace, view.name, container)
        if view.uid is None:
            return self.by_name.get(key)
        return self.by_uid.get((view.uid, container)) or self.by_name_without_uid.get(key)

    def unmatched(self, containers: Iterable[ContainerPrediction]) -> list[RuntimeRecord]:
        """Records of no pod among ``containers``' pods: a record with a pod uid matches a pod with that uid
        (or, for a pod without uid, its name); a record without one, a pod of its namespace and name."""
        uids: set[str] = set()
        names: set[tuple[str | None, str | None]] = set()
        names_without_uid: set[tuple[str | None, str | None]] = set()
        for c in containers:
            names.add((c.namespace, c.pod))
            if c.pod_uid:
                uids.add(c.pod_uid)
            else:
                names_without_uid.add((c.namespace, c.pod))
        return [
            r
            for r in self.records
            if (
                (r.pod_uid not in uids and (r.namespace, r.pod) not in names_without_uid)
                if r.pod_uid
                else (r.namespace, r.pod) not in names
            )
        ]

    def unmatched_warning(self, containers: Sequence[ContainerPrediction]) -> list[str]:
        """One warning naming the records of pods that are not in the pods input (none when all match)."""
        if not self.records or not containers:
            return []
        lost = self.unmatched(containers)
        if not lost:
            return []
        running = sum(r.state == "running" for r in lost)
        shown = "; ".join(_describe(r) for r in lost[:3]) + ("; ..." if len(lost) > 3 else "")
        return [
            f"{len(lost)} runtime record(s) ({running} running) belong to no pod of the pods input (pod uid or "
            f"name not found), so they were not used: {shown}. Records of deleted pods or earlier instances are "
            "normal; running ones mean the runtime files and the pods were not collected together"
        ]


def _describe(r: RuntimeRecord) -> str:
    where = f"{r.origin}: " if r.origin else ""
    uid = f" (pod uid {r.pod_uid})" if r.pod_uid else ""
    return f"{where}{r.namespace or '?'}/{r.pod or '?'}/{r.container}{uid}"


def _keep(records: dict[K, RuntimeRecord], key: K, rec: RuntimeRecord) -> None:
    prev = records.get(key)
    if prev is None or (rec.state == "running" and prev.state != "running"):
        records[key] = rec
