"""Test-only reader of the bundled ``docker inspect`` dumps (until kubehash.sources.runtime lands).

Reads just what the ignore-file tests need: the dockershim labels and ``State.StartedAt``."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from kubehash.model import RuntimeRecord


def _time(s: str) -> datetime:
    # Docker prints nanoseconds; Python keeps microseconds (the truncation never crosses a second).
    head, _, frac = s.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(frac + '000000')[:6]}+00:00")


def docker_records(runtime_dir: Path) -> list[RuntimeRecord]:
    out = []
    for f in sorted(runtime_dir.glob("*/docker-inspect.json")):
        for c in json.loads(f.read_text()):
            labels = c["Config"]["Labels"]
            out.append(
                RuntimeRecord(
                    labels["io.kubernetes.pod.namespace"],
                    labels["io.kubernetes.pod.name"],
                    labels["io.kubernetes.container.name"],
                    int(labels["annotation.io.kubernetes.container.hash"], 16),
                    _time(c["State"]["StartedAt"]),
                    runtime="docker",
                    state=c["State"]["Status"],
                    node=f.parent.name,
                    origin=str(f),
                )
            )
    return out
