from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden"


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
