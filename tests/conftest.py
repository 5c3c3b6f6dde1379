from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kubehash.sources.documents import load_documents

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"
#: The bundled example cluster (a kubectl dump of pods and nodes, runtime records, ignore files).
CLUSTER = Path(__file__).parents[1] / "examples" / "cluster"


def golden_versions() -> list[str]:
    return sorted((p.stem[1:] for p in GOLDEN.glob("v*.jsonl")), key=lambda v: [int(x) for x in v.split(".")])


def golden_rows(version: str) -> list[dict]:
    with (GOLDEN / f"v{version}.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def expected_input(case: dict) -> bytes:
    if "input" in case:
        return case["input"].encode()
    data = case["json"].encode()
    return b"([]uint8)[" + b" ".join(str(b).encode() for b in data) + b"]"


@pytest.fixture(scope="session")
def golden_110() -> dict[str, dict]:
    return {r["id"]: r for r in golden_rows("1.10")}


@pytest.fixture(scope="module")
def pods() -> list[Any]:
    """The bundled example cluster's pods (``examples/cluster/pods.json``), loaded once per module."""
    return load_documents(CLUSTER / "pods.json")


@pytest.fixture(scope="module")
def nodes() -> list[Any]:
    """The bundled example cluster's nodes (``examples/cluster/nodes.json``), loaded once per module."""
    return load_documents(CLUSTER / "nodes.json")
