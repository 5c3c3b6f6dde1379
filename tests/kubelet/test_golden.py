"""Every golden vector (real upstream Go output) must match: hash, exact FNV input, expected errors."""

from __future__ import annotations

import json

import pytest
from conftest import GOLDEN, expected_input, golden_rows, golden_versions

import kubehash
from kubehash.golang.fnv import fnv1a_32


def _check(container: dict, version: str, source: str, case: dict, go: str | None = None) -> str | None:
    if "error" in case:
        with pytest.raises(kubehash.DecodeError) as exc:
            kubehash.hash_container(container, version, source=source, go_version=go)
        assert exc.value.path or exc.value.reason  # the error says where/what
        with pytest.raises(kubehash.DecodeError):
            kubehash.hash_input(container, version, source=source, go_version=go)
        return None
    got_input = kubehash.hash_input(container, version, source=source, go_version=go)
    got_hash = kubehash.hash_container(container, version, source=source, go_version=go)
    if got_input != expected_input(case):
        return "FNV input differs"
    if got_hash != case["hash"]:
        return f"hash {got_hash:#x} != {case['hash']:#x}"
    assert fnv1a_32(got_input) == got_hash
    return None


@pytest.mark.parametrize("source", ["apiserver", "file"])
@pytest.mark.parametrize("version", golden_versions())
def test_golden_vectors(version: str, source: str) -> None:
    rows = golden_rows(version)
    assert len(rows) > 300
    problems = []
    for row in rows:
        problem = _check(row["container"], version, source, row[source])
        if problem:
            problems.append(f"{row['id']}: {problem}")
    assert not problems, f"{len(problems)} mismatches: {problems[:5]}"


def _escaping_rows() -> list[dict]:
    with (GOLDEN / "go-escaping.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line) for line in f]


@pytest.mark.parametrize("row", _escaping_rows(), ids=lambda r: f"{r['id']}@{r['version']}")
def test_go_version_escaping(row: dict) -> None:
    """Cases whose hash depends on the Go release the kubelet was built with (\\b, \\f)."""
    version = row["version"]
    for source in ("apiserver", "file"):
        # default: the toolchain table's Go for the x.y.0 release reproduces what that kubelet shipped with
        # (the golden rows were built with each minor's x.y.0 Go; a bare minor means its newest patch)
        assert _check(row["container"], f"{version}.0", source, row[source]) is None
        assert _check(row["container"], version, source, row[source], go=row["go"]) is None
        if "go_alt" in row:
            assert _check(row["container"], version, source, row[f"{source}_alt"], go=row["go_alt"]) is None


def test_every_supported_minor_has_vectors_or_a_spec() -> None:
    from kubehash.kubelet.schema import load_schema

    for minor in kubehash.supported_minors():
        assert load_schema(minor).root.name == "Container"
