"""The toolchains generator, against a small CHANGELOG fixture written for it (fake minor 1.99)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DATA
from hypothesis import given
from hypothesis import strategies as st

from kubehash.kubelet.toolchains import parse_go_version
from kubehash.specgen.toolchains import (
    DEFAULT_SPEC,
    ChangelogError,
    generate,
    go_lines,
    main,
    parse_changelog,
    render,
)

FIXTURE_DIR = DATA / "specgen" / "changelogs"
FIXTURE_SPEC = DATA / "specgen" / "toolchains-fixture.json"


def _fixture_doc() -> dict:
    return json.loads(FIXTURE_SPEC.read_text())


def _rows(doc: dict, minor: str) -> list[tuple[int, int, str | None, str]]:
    entry = next(m for m in doc["minors"] if m["minor"] == minor)
    return [(r["from"], r["to"], r.get("go"), r["basis"]) for r in entry["rows"]]


def test_sections_skip_prereleases_and_comments() -> None:
    sections = parse_changelog((FIXTURE_DIR / "CHANGELOG-1.99.md").read_text(), "1.99", "CHANGELOG-1.99.md")
    assert [s.patch for s in sections] == [5, 4, 3, 2, 1, 0]
    by_patch = {s.patch: s for s in sections}
    # bullets are sorted alphabetically: 1.30.10 is listed before 1.30.9, the section's Go is the highest
    assert str(by_patch[3].go.go) == "1.30.10"  # type: ignore[union-attr]
    # "based on Go" (an image's Go) and golang.org/x/net are not toolchain bumps
    assert by_patch[4].go is None and by_patch[2].go is None
    # the .0 section lists the cycle's bumps (1.30rc2, 1.30, 1.30.7): the highest is v1.99.0's Go
    assert str(by_patch[0].go.go) == "1.30.7"  # type: ignore[union-attr]


def test_generated_rows() -> None:
    out = generate(_fixture_doc(), FIXTURE_DIR)
    assert _rows(out, "1.99") == [
        (0, 0, "1.30.7", "changelog"),
        (1, 2, "1.30.8", "changelog"),
        (3, 4, "1.30.10", "changelog"),
        (5, 5, "1.31.2", "changelog"),
    ]
    entry = next(m for m in out["minors"] if m["minor"] == "1.99")
    assert entry["newest_patch"] == 5  # a section newer than the recorded newest patch raises it
    assert entry["rows"][3]["source"] == (
        'kubernetes/kubernetes CHANGELOG/CHANGELOG-1.99.md, "# v1.99.5": '
        '"Kubernetes is now built using Go 1.31.2 (#900005, @someone) [SIG Release and Testing]"'
    )
    # a minor without a changelog keeps its rows; the last one is stretched to its newest patch
    assert _rows(out, "1.98") == [(0, 3, None, "inferred")]


def test_baseline_fills_patches_before_the_first_bump(tmp_path: Path) -> None:
    text = (FIXTURE_DIR / "CHANGELOG-1.99.md").read_text()
    (tmp_path / "CHANGELOG-1.99.md").write_text(text.split("# v1.99.0\n")[0])  # drop the .0 notes
    out = generate(_fixture_doc(), tmp_path)
    assert _rows(out, "1.99")[0] == (0, 0, "1.30.6", "inferred")


def test_heading_of_another_minor_is_an_error() -> None:
    with pytest.raises(ChangelogError, match=r"x\.md:1: heading '# v1\.98\.1' is not a 1\.99 release"):
        parse_changelog("# v1.98.1\n", "1.99", "x.md")


def test_check_and_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "toolchains.json"
    spec.write_text(FIXTURE_SPEC.read_text())
    assert main(["--changelogs", str(FIXTURE_DIR), "--spec", str(spec), "--check"]) == 1  # drift
    assert main(["--changelogs", str(FIXTURE_DIR), "--spec", str(spec)]) == 0
    assert main(["--changelogs", str(FIXTURE_DIR), "--spec", str(spec), "--check"]) == 0
    assert spec.read_text() == render(generate(_fixture_doc(), FIXTURE_DIR))
    doc = json.loads(spec.read_text())
    doc["minors"][1]["rows"][1]["go"] = "1.30.9"  # a hand edit the changelog does not support
    spec.write_text(render(doc))
    assert main(["--changelogs", str(FIXTURE_DIR), "--spec", str(spec), "--check"]) == 1
    assert "differs" in capsys.readouterr().err


def test_bad_input_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "toolchains.json"
    spec.write_text(FIXTURE_SPEC.read_text())
    (tmp_path / "cl").mkdir()
    (tmp_path / "cl" / "CHANGELOG-1.99.md").write_text(
        "# v1.99.1\n- Kubernetes is now built with go 1.30.1\n# v1.99.1\n"
    )
    assert main(["--changelogs", str(tmp_path / "cl"), "--spec", str(spec)]) == 2
    assert "two sections" in capsys.readouterr().err
    assert main(["--spec", str(tmp_path / "missing.json")]) == 2


def test_shipped_spec_is_stable_without_changelogs() -> None:
    """Regenerating the shipped spec with no changelog directory changes nothing (rows are carried over)."""
    text = DEFAULT_SPEC.read_text(encoding="utf-8")
    assert render(generate(json.loads(text), None)) == text


_PHRASES = [
    "Kubernetes is now built with Go {v}",
    "Kubernetes is now built with go {v} ([#1](https://example.invalid/1), [@a](https://example.invalid/a))",
    "Kubernetes is now built using Go {v}",
    "Kubernetes is now built with Go `{v}`.",
    "Kubernetes 1.29 is now built with go {v}",
    "Update to go{v}",
    "Update golang to {v}",
    "Bump golang to {v}",
    "Kubernetes is now built with golang {v}",
]


@given(
    st.sampled_from(_PHRASES),
    st.integers(1, 3),
    st.integers(0, 40),
    st.one_of(st.none(), st.integers(0, 30)),
)
def test_go_bump_phrases(phrase: str, major: int, minor: int, patch: int | None) -> None:
    version = f"{major}.{minor}" + ("" if patch is None else f".{patch}")
    found = go_lines("- " + phrase.format(v=version))
    assert [g for g, _ in found] == [parse_go_version(version)]


@given(st.sampled_from(["based on Go {v}", "golang.org/x/net is bumped to v{v}", "update go-units to v{v}"]))
def test_not_go_bumps(phrase: str) -> None:
    assert go_lines("- " + phrase.format(v="1.20.11")) == []
