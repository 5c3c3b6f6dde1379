"""The yardstick of the input benchmarks: the least any Python tool must do with a pod dump.

    python benchmarks/yardstick.py PODS.json

Reads the whole file and decodes it with msgspec into typed structs holding just each pod's name,
namespace, uid, node and the raw bytes of its containers (unknown fields are skipped at C speed). Whatever
kubehash does on top of that is measured as a ratio to this, in the same run (``benchmarks/inputs.py``).
"""

from __future__ import annotations

import sys

import msgspec


class Meta(msgspec.Struct):
    name: str | None = None
    namespace: str | None = None
    uid: str | None = None


class Spec(msgspec.Struct):
    nodeName: str | None = None
    containers: list[msgspec.Raw] = []


class Pod(msgspec.Struct):
    metadata: Meta | None = None
    spec: Spec | None = None


class PodList(msgspec.Struct):
    items: list[Pod] = []


def main(path: str) -> int:
    with open(path, "rb") as f:
        data = f.read()
    pods = msgspec.json.decode(data, type=PodList).items
    containers = sum(len(p.spec.containers) for p in pods if p.spec is not None)
    print(f"{len(pods)} pods, {containers} containers")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
