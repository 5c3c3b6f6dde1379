"""specs/toolchains.json and its query API: data invariants, the Go 1.22 boundaries, assumptions."""

from __future__ import annotations

import contextlib
import itertools
import json
from importlib import resources

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubehash.errors import KubehashError, UnsupportedVersionError, VersionError
from kubehash.kubelet.releases import RELEASES, go_at_least
from kubehash.kubelet.toolchains import (
    ToolchainRow,
    describe_side,
    go_escapes_backspace_formfeed,
    hash_without_resources_function,
    newest_patch,
    parse_go_version,
    toolchain,
    toolchain_cause,
    toolchain_table,
)
from kubehash.kubelet.versions import parse_version

MINORS = [f"1.{n}" for n in range(8, 37)]
TABLE = toolchain_table()


def _doc(name: str) -> dict:
    return json.loads(resources.files("kubehash.specs").joinpath(name).read_text(encoding="utf-8"))


READ = ("binary", "tag", "changelog")  # bases of rows whose Go was read for their first patch


def test_every_minor_is_covered_contiguously() -> None:
    assert sorted(TABLE, key=lambda m: int(m.split(".")[1])) == MINORS
    for minor, entry in TABLE.items():
        assert entry.rows[0].first == 0, minor
        assert entry.rows[-1].last == entry.newest_patch, minor
        for a, b in itertools.pairwise(entry.rows):
            assert b.first == a.last + 1, (minor, a, b)
        for row in entry.rows:
            assert row.first <= row.last
            assert row.basis in (*READ, "inferred")
            assert row.source.strip(), (minor, row)
            assert row.go is not None or row.hint, (minor, row)  # a row without a version says what it knows
            if row.go is not None:
                go = parse_go_version(row.go)
                assert row.escaping == ("go1.22+" if go.at_least(1, 22) else "pre-go1.22"), (minor, row)
                assert row.go_min is None and row.go_max is None, (minor, row)
            if row.basis in READ:
                assert row.go is not None and f"v{minor}.{row.first}" in row.source, (minor, row)
            if row.go_max is not None:
                assert row.go_min is not None and parse_go_version(row.go_min) < parse_go_version(row.go_max)
                if not parse_go_version(row.go_max).at_least(1, 22):
                    assert row.escaping == "pre-go1.22", (minor, row)
            if row.go_min is not None and parse_go_version(row.go_min).at_least(1, 22):
                assert row.escaping == "go1.22+", (minor, row)
        newest = f"{minor}.{entry.newest_patch}"
        assert entry.newest_patch_source.startswith(f"kubernetes/api tag kubernetes-{newest} ") or (
            f'"# v{newest}"' in entry.newest_patch_source
        ), (minor, entry.newest_patch_source)


def _bounds(row: ToolchainRow) -> list[str]:
    return [g for g in (row.go, row.go_min, row.go_max) if g is not None]


def test_go_never_goes_down_and_escaping_never_reverts() -> None:
    """Within a minor, the exact versions and the bounds of rows not itemized are in order."""
    for minor, entry in TABLE.items():
        gos = [parse_go_version(g) for r in entry.rows for g in _bounds(r)]
        assert gos == sorted(gos), minor
        flags = [r.escapes_backspace_formfeed for r in entry.rows]
        assert flags == sorted(flags), minor  # False ... True, never back


def test_every_patch_zero_is_itemized_and_agrees_with_the_release_table() -> None:
    """releases.json records the Go minor of each x.0 release; the table's x.0 row names the exact Go."""
    for rel in RELEASES:
        zero = TABLE[rel.minor].rows[0]
        assert zero.go is not None and zero.basis in READ, rel.minor
        go = parse_go_version(zero.go)
        assert f"{go.major}.{go.minor}" == rel.go, rel.minor
        assert zero.escapes_backspace_formfeed == go_at_least(rel.go, 1, 22), rel.minor


def test_go_range_is_compact() -> None:
    """describe_side's ``go``: the exact version, a range, a lower bound, or the side of Go 1.22."""
    for entry in TABLE.values():
        for row in entry.rows:
            text = row.go_range
            assert len(text) <= 32 and "\n" not in text, row
            if row.go is not None:
                assert text == row.go
            elif row.go_min is not None:
                assert text.startswith(row.go_min), row
            else:
                assert text in ("before 1.22", "1.22 or later"), row


def _first_escaping_patch(minor: str) -> int | None:
    return next((r.first for r in TABLE[minor].rows if r.escapes_backspace_formfeed), None)


def test_go_1_22_boundaries() -> None:
    """The first patch of each minor built with Go >= 1.22 (docs/go-toolchains.md, with the notes quoted)."""
    assert {m: _first_escaping_patch(m) for m in ("1.27", "1.28", "1.29", "1.30")} == {
        "1.27": 16,  # v1.27.16: go 1.22.4, 1.22.5 (v1.27.15: go 1.21.11)
        "1.28": 12,  # v1.28.12: go 1.22.4, 1.22.5 (v1.28.11: go 1.21.11)
        "1.29": 7,  # v1.29.7: go 1.22.4, 1.22.5 (v1.29.6: go 1.21.11)
        "1.30": 0,
    }
    assert all(_first_escaping_patch(f"1.{n}") is None for n in range(8, 27))
    assert all(_first_escaping_patch(f"1.{n}") == 0 for n in range(30, 37))
    for minor in ("1.27", "1.28", "1.29"):
        first = _first_escaping_patch(minor)
        assert first is not None
        before, at = TABLE[minor].row_for(first - 1), TABLE[minor].row_for(first)
        assert before.basis in READ and at.basis in READ and at.first == first  # both sides read, not inferred


def test_issue_examples() -> None:
    """Issue 15: 1.28.0 -> 1.28.15 changes escaping; 1.28.15 -> 1.30.0 does not."""
    old, new = toolchain("v1.28.0"), toolchain("1.28.15")
    assert not old.escapes_backspace_formfeed and new.escapes_backspace_formfeed
    cause = toolchain_cause(old, new)
    assert cause is not None and "v1.28.0" in cause and "v1.28.15" in cause and old.go_text in cause
    assert toolchain_cause(toolchain("v1.28.15"), toolchain("1.30.0")) is None


def test_bare_minor_is_the_newest_patch() -> None:
    for minor in MINORS:
        tc = toolchain(minor)
        assert tc.resolved == newest_patch(minor)
        assert tc.resolved.patch == TABLE[minor].newest_patch
        assert any("newest" in a and tc.resolved.upstream in a for a in tc.assumptions)
        assert tc.row is TABLE[minor].rows[-1]


def test_vendor_builds_assume_upstream_go_and_say_so() -> None:
    plain, eks = toolchain("v1.28.15"), toolchain("v1.28.15-eks-a737599", node="ip-10-0-1-2")
    assert eks.row == plain.row and eks.go == plain.go
    assert not plain.assumptions and any("EKS" in a and "--old-go-version" in a for a in eks.assumptions)
    unknown = toolchain("v1.27.10+c79e5e2")
    assert any("'c79e5e2'" in a for a in unknown.assumptions)


def test_override_wins() -> None:
    tc = toolchain("v1.28.15-gke.1020000", go_version="go1.21.13")
    assert tc.go == "1.21.13" and tc.basis == "override" and not tc.escapes_backspace_formfeed
    assert not any("GKE" in a for a in tc.assumptions)  # nothing assumed about the vendor's Go
    with pytest.raises(VersionError, match="node n1: not a Go version"):
        toolchain("1.28.15", go_version="latest", node="n1")


def test_prerelease_and_future_patch_are_flagged() -> None:
    rc = toolchain("v1.31.0-rc.1")
    assert rc.row is TABLE["1.31"].row_for(0) and any("pre-release" in a for a in rc.assumptions)
    future = toolchain("v1.28.99")
    assert future.row is TABLE["1.28"].rows[-1] and any("newer than" in a for a in future.assumptions)


def test_unsupported_and_bad_versions() -> None:
    with pytest.raises(UnsupportedVersionError):
        toolchain("1.7")
    with pytest.raises(UnsupportedVersionError):
        toolchain("v2.0.0")
    with pytest.raises(VersionError, match="node n2"):
        toolchain("latest", node="n2")


@given(st.sampled_from(MINORS), st.one_of(st.none(), st.integers(0, 40)), st.sampled_from(["", "-eks-1", "+k3s1"]))
def test_any_supported_version_answers(minor: str, patch: int | None, suffix: str) -> None:
    text = minor if patch is None else f"v{minor}.{patch}{suffix}"
    tc = toolchain(text)
    assert tc.escapes_backspace_formfeed == tc.row.escapes_backspace_formfeed
    assert go_escapes_backspace_formfeed(tc.go_for_hashing) == tc.escapes_backspace_formfeed
    assert tc.go_text and tc.describe().startswith(tc.resolved.upstream)


@given(st.text(max_size=40))
def test_go_version_parser_only_raises_kubehash_errors(text: str) -> None:
    with contextlib.suppress(KubehashError):
        parse_go_version(text)


def test_go_version_order() -> None:
    seq = ["1.21.13", "1.22rc1", "1.22rc2", "1.22", "1.22.0", "1.22.1", "1.22.10", "1.23"]
    parsed = [parse_go_version(s) for s in seq]
    assert parsed == sorted(parsed) and parsed[3] == parsed[4]
    assert [go_escapes_backspace_formfeed(s) for s in seq] == [False] + [True] * 7


def test_hash_without_resources_rows() -> None:
    doc = _doc("hash_without_resources.json")
    for minor in ("1.27", "1.28", "1.29", "1.30"):
        rows = [r for r in doc["rows"] if r["minor"] == minor]
        assert rows[0]["from"] == 0 and rows[-1]["to"] == TABLE[minor].newest_patch
        for a, b in itertools.pairwise(rows):
            assert b["from"] == a["to"] + 1
        assert all(r["source"] and r["function"] in ("HashContainer", "HashContainerWithoutResources") for r in rows)
    assert hash_without_resources_function("1.27").minor == "1.27"
    assert hash_without_resources_function("v1.30.2").function == "HashContainerWithoutResources"
    for outside in ("1.26", "v1.31.0"):
        with pytest.raises(KubehashError, match="no hashWithoutResources"):
            hash_without_resources_function(outside)


def test_versions_in_table_parse() -> None:
    for minor in MINORS:
        assert parse_version(minor).minor_key == minor


@given(st.one_of(st.text(max_size=60), st.integers(), st.none()), st.one_of(st.none(), st.text(max_size=20)))
def test_toolchain_raises_only_kubehash_errors(version: object, go: str | None) -> None:
    with contextlib.suppress(KubehashError):
        tc = toolchain(version, node="n", go_version=go)  # type: ignore[arg-type]
        assert tc.resolved.minor_key in TABLE


@given(st.sampled_from(MINORS), st.integers(0, 40))
def test_describe_side_shows_the_row(minor: str, patch: int) -> None:
    version = f"v{minor}.{patch}"
    tc = toolchain(version)
    side = describe_side(version, tc)
    assert side["go"] == tc.row.go_range and side["basis"] == tc.row.basis and side["source"] == tc.row.source
    if tc.row.go is None and tc.row.go_min is not None:
        assert tc.go_text == f"Go {tc.row.go_range}"
    given_go = describe_side(version, toolchain(version, go_version="go1.21.13"))
    assert given_go["go"] == "1.21.13" and given_go["basis"] == "override"
