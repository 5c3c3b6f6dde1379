"""Runtime records matched to the containers of pods (what the runtime recorded when each started)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from kubehash.model import PodView, RuntimeRecord

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
        for rec in runtime:
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


def _keep(records: dict[K, RuntimeRecord], key: K, rec: RuntimeRecord) -> None:
    prev = records.get(key)
    if prev is None or (rec.state == "running" and prev.state != "running"):
        records[key] = rec
