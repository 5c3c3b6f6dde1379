"""The toolchains generator, against a small CHANGELOG fixture written for it (fake minor 1.99)."""

from __future__ import annotations

import json
import subprocess
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
    parse_version_info,
    release_tag_toolchains,
    render,
    render_table,
    tag_go_version,
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
    "Kubernetes is now built with Golang {v} ([#1](https://example.invalid/1), [@a](https://example.invalid/a))",
    "Kubernetes 1.19.x is now built using Go {v}",
    "Update to use go{v} with fix for CVE-2018-16875",
    "update to use go {v}",
    "Updated to use golang {v}",
    "Update to go {v}",
    "Update Golang to v{v}",
    "deps: Update to Golang {v}",
    "Update Go to {v}",
    "Upgrade to go{v}",
    "Kubernetes has been upgraded to go{v}",
    "Build using go{v}.",
    "Bump Go version to {v}",
    "The default Go version was updated to {v}.",
    "the default Go version was updated to v{v}. ([68802](https://example.invalid/68802))",
    "The Go version is go{v}, as compared to go1.9.3 in v1.10.",
    "The Go version was upgraded from go1.8.3 to **go{v}**",
    "Kubernetes now requires go{v}+ to build",
    "Kubernetes 1.16.5+ now requires go{v}+ to build",
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


@given(
    st.sampled_from(
        [
            "based on Go {v}",
            "golang.org/x/net is bumped to v{v}",
            "update go-units to v{v}",
            "Bump golang/mock version to v{v}",
            "The minimum supported Go version was updated to {v}",
            "The minimum supported go version bumps to {v}.",
            "Bumps the minimum version of Go required for building Kubernetes to {v}.",
            "Update repo-infra to 0.0.8 (to support go{v} and go1.13.14)",
            "build: Update to k/repo-infra@v0.1.3 (supports go{v})",
            "Clients required to use go{v}+ or go1.16+ if kube-apiserver has the goaway feature enabled",
            "Kubernetes requires go{v}+",
        ]
    )
)
def test_not_go_bumps(phrase: str) -> None:
    assert go_lines("- " + phrase.format(v="1.20.11")) == []


def test_go_release_candidates_in_notes_spelling() -> None:
    """The notes spell Go's 1.15rc1 as 1.15.0-rc.1."""
    found = go_lines("- Kubernetes is now built with golang 1.15.0-rc.1.")
    assert [g.text for g, _ in found] == ["1.15rc1"]
    assert found[0][0] < parse_go_version("1.15") < parse_go_version("1.15.1")


def _changelog(sections: dict[str, list[str]]) -> str:
    """A changelog of the given sections (heading -> bullets), in the order given."""
    return "\n".join(
        f"# {h}\n\n### Feature\n\n" + "".join(f"- {b}\n" for b in bullets) for h, bullets in sections.items()
    )


def test_unread_patches_are_bounded_by_the_patches_read_around_them(tmp_path: Path) -> None:
    """Sections v1.99.2 and v1.99.4 are missing: their Go is only bounded (a branch's Go never goes down)."""
    built = "Kubernetes is now built with Go {}"
    text = _changelog(
        {
            "v1.99.3": [built.format("1.30.10")],
            "v1.99.1": ["Fixes a fixture bug"],
            "v1.99.0": [built.format("1.30.7")],
        }
    )
    (tmp_path / "CHANGELOG-1.99.md").write_text(text)
    doc = _fixture_doc()
    out = generate(doc, tmp_path)
    rows = next(m for m in out["minors"] if m["minor"] == "1.99")["rows"]
    assert [(r["from"], r["to"], r.get("go"), r.get("go_min"), r.get("go_max"), r["basis"]) for r in rows] == [
        (0, 1, "1.30.7", None, None, "changelog"),
        (2, 2, None, "1.30.7", "1.30.10", "inferred"),
        (3, 3, "1.30.10", None, None, "changelog"),
        (4, 4, None, "1.30.10", None, "inferred"),
    ]
    assert "v1.99.2" in rows[1]["source"] and "never goes down" in rows[1]["source"]
    # both bounds alike: the Go of the gap is that Go (still inferred)
    (tmp_path / "CHANGELOG-1.99.md").write_text(text.replace("1.30.10", "1.30.7"))
    rows = next(m for m in generate(doc, tmp_path)["minors"] if m["minor"] == "1.99")["rows"]
    assert (rows[1]["from"], rows[1].get("go"), rows[1]["basis"]) == (2, "1.30.7", "inferred")


_INFO = (
    'version.Info{{Major:"1", Minor:"99", GitVersion:"v1.99.{p}", GitCommit:"{c}", GitTreeState:"{t}", '
    'BuildDate:"2099-01-0{p}T00:00:00Z", GoVersion:"go{go}", Compiler:"gc", Platform:"{pl}"}}'
)


def _info(patch: int, go: str, tree: str = "clean", platform: str = "linux/amd64") -> str:
    return _INFO.format(p=patch, c=f"{patch:040d}", t=tree, go=go, pl=platform)


def test_version_info_lines() -> None:
    json_line = json.dumps(
        {"gitVersion": "v1.98.1", "gitCommit": "abc", "gitTreeState": "clean", "buildDate": "x"}
        | {"goVersion": "go1.29.5", "platform": "linux/arm64"}
    )
    found = parse_version_info("\n".join(["# comment", _info(3, "1.30.9"), "", json_line, _info(3, "1.30.9")]), "vi")
    assert {m: {p: e.go.text for p, e in v.items()} for m, v in found.items()} == {
        "1.99": {3: "1.30.9"},
        "1.98": {1: "1.29.5"},
    }
    ev = found["1.99"][3]
    assert ev.basis == "binary" and "v1.99.3" in ev.source and 'GoVersion:"go1.30.9"' in ev.source


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (_info(3, "1.30.9", tree="archive"), "not an upstream linux build"),
        (_info(3, "1.30.9", platform="darwin/arm64"), "not an upstream linux build"),
        (_info(3, "1.30.9").replace('"v1.99.3"', '"v1.99.3-eks-1"'), "not an upstream v1.N.P release"),
        (_info(3, "1.30.9").replace('GoVersion:"go1.30.9", ', ""), "needs goversion"),
        (_info(3, "nope"), "vi:1:"),
        (_info(3, "1.30.9") + "\n" + _info(3, "1.30.10"), "v1.99.3 reported with Go 1.30.9 and 1.30.10"),
    ],
)
def test_version_info_errors(line: str, message: str) -> None:
    with pytest.raises(ChangelogError, match=message.replace(".", r"\.")):
        parse_version_info(line, "vi")


def test_binaries_win_over_the_notes() -> None:
    notes: list[str] = []
    binaries = parse_version_info(_info(3, "1.30.9"))
    out = generate(_fixture_doc(), FIXTURE_DIR, None, None, notes, binaries)
    rows = next(m for m in out["minors"] if m["minor"] == "1.99")["rows"]
    assert [(r["from"], r["to"], r.get("go"), r["basis"]) for r in rows] == [
        (0, 0, "1.30.7", "changelog"),
        (1, 2, "1.30.8", "changelog"),
        (3, 4, "1.30.9", "binary"),  # the notes say 1.30.10 for v1.99.3; the binary's word is kept
        (5, 5, "1.31.2", "changelog"),
    ]
    assert notes == ["v1.99.3: binary says Go 1.30.9, changelog says 1.30.10; binary kept"]


@given(st.integers(1, 2), st.integers(0, 40), st.integers(0, 30), st.integers(0, 9))
def test_kube_cross_versions(major: int, minor: int, patch: int, rev: int) -> None:
    go = f"{major}.{minor}.{patch}"
    assert tag_go_version("build/build-image/cross/VERSION", f"v{go}-{rev}\n") == parse_go_version(go)
    cross = f"v1.{minor}.0-go{go}-bullseye.{rev}"
    assert tag_go_version("build/build-image/cross/VERSION", cross) == parse_go_version(go)
    assert tag_go_version(".go-version", f"{go}\n") == parse_go_version(go)
    assert tag_go_version("build/build-image/cross/VERSION", f"v{go}-k8s1.5-0") is None


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def test_release_tags(tmp_path: Path) -> None:
    repo = tmp_path / "k"
    repo.mkdir()
    _git(repo, "init", "-q")
    _git(repo, "config", "user.email", "t@example.invalid")
    _git(repo, "config", "user.name", "t")
    cross = repo / "build" / "build-image" / "cross"
    cross.mkdir(parents=True)

    def release(tag: str, files: dict[str, str]) -> None:
        for name, text in files.items():
            (repo / name).write_text(text)
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", tag)
        _git(repo, "tag", tag)

    release("v1.99.0", {"build/build-image/cross/VERSION": "v1.30.5-1\n"})
    release("v1.99.1", {".go-version": "1.30.6\n", "build/build-image/cross/VERSION": "v1.99.0-go1.30.6-bullseye.0\n"})
    release("v1.99.2-rc.0", {".go-version": "1.30.7\n"})
    release("v1.98.0", {".go-version": "", "build/build-image/cross/VERSION": "v1.98.0-go1.29.3-bullseye.0\n"})
    release("v1.97.0", {".go-version": "not a go\n"})
    found = release_tag_toolchains(str(repo / ".git"), ["1.99", "1.98"])
    assert {m: {p: e.go.text for p, e in v.items()} for m, v in found.items()} == {
        "1.99": {0: "1.30.5", 1: "1.30.6"},
        "1.98": {0: "1.29.3"},
    }
    assert found["1.99"][1].basis == "tag" and found["1.99"][1].source.endswith('.go-version "1.30.6"')
    with pytest.raises(ChangelogError, match=r"tag v1\.97\.0: \.go-version holds 'not a go'"):
        release_tag_toolchains(str(repo), ["1.97"])


def test_main_with_binaries_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "toolchains.json"
    spec.write_text(FIXTURE_SPEC.read_text())
    info = tmp_path / "version-info.txt"
    info.write_text("# fixture\n" + _info(3, "1.30.9") + "\n")
    args = ["--changelogs", str(FIXTURE_DIR), "--spec", str(spec), "--version-info", str(info)]
    assert main(args) == 0
    assert main([*args, "--check"]) == 0
    assert "v1.99.3: binary says Go 1.30.9, changelog says 1.30.10" in capsys.readouterr().err
    assert main([*args, "--table"]) == 0
    table = capsys.readouterr().out
    assert "| 1.99 | 1.99.3–1.99.4 | 1.30.9 | `\\b` `\\f` | binary |" in table
    assert "| 1.98 | 1.98.0–1.98.3 | ≥ 1.22 (Go 1.29.x) | `\\b` `\\f` | inferred |" in table
    info.write_text(_info(3, "1.30.9", platform="windows/amd64"))
    assert main(args) == 2
    assert "version-info.txt:1: not an upstream linux build" in capsys.readouterr().err


def test_docs_show_the_shipped_table() -> None:
    """docs/go-toolchains.md holds the tables `--table` prints for the shipped spec (regenerate them together)."""
    docs = DEFAULT_SPEC.parents[1] / "docs" / "go-toolchains.md"
    assert render_table(json.loads(DEFAULT_SPEC.read_text(encoding="utf-8"))) in docs.read_text(encoding="utf-8")
