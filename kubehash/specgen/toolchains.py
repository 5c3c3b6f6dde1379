"""Generate or check ``specs/toolchains.json``: the Go toolchain of every kubelet patch release.

Sources, per patch, best first:

1. ``--kubernetes-git``: a ``kubernetes/kubernetes`` clone (or a fork carrying its ``v1.N.P`` release tags). At
   each tag, the Go the release was built with is ``.go-version`` (release branches from 1.26 on) or else the
   kube-cross image tag in ``build/build-image/cross/VERSION`` (``v1.8.3-2`` is Go 1.8.3;
   ``v1.27.0-go1.20.3-bullseye.0`` is Go 1.20.3). Row basis ``tag``.
2. ``--changelogs``: the upstream release notes, ``CHANGELOG/CHANGELOG-1.N.md`` of ``kubernetes/kubernetes`` (a
   maintainer downloads them into a directory; they are not committed). Each patch release has a
   ``# v1.N.P`` section; a Go bump is a top-level bullet of it: ``Kubernetes is now built with Go 1.22.5``
   (also ``built using``, ``Update to go1.15.5``, ``Update to use go 1.12.9``, ``Bump Go version to 1.8.3``,
   ``Upgrade to go1.9.2``, ``The default Go version was updated to 1.12.1``, ``The Go version is go1.10.2``,
   ``Kubernetes now requires go1.13.4+ to build``: the PR that moved the build image to that Go). Bullets
   nested under another one (``Update kube-dns to 1.14.9: ... Update go version to 1.9.3``), ``based on Go``
   (an image's Go), ``(to support go1.14.6)`` and minimum-version lines are not the release's toolchain.
   Bullets within a section are sorted alphabetically, so ``1.20.10`` can precede ``1.20.9``: a section's
   Go is the **highest** version it names. The ``v1.N.0`` release's Go is the highest named in its section
   and in the sections of its pre-releases (``v1.N.0-rc.1``, ...): together they list every bump of the
   release cycle. Row basis ``changelog``.

A patch with no evidence keeps the previous patch's Go (the row goes on). What neither source tells is kept
from the current file and only carried over: each minor's ``baseline`` (the Go of the patches before the first
evidence, with its own reasoning) and, for minors with no source given, the rows themselves. ``--api-git`` (a
``kubernetes/api`` clone) refreshes each minor's newest patch from its ``kubernetes-1.N.P`` tags, and the data
date from the newest tag; a changelog section or release tag newer than that raises the newest patch.

    python -m kubehash.specgen.toolchains --changelogs DIR [--kubernetes-git DIR] [--api-git DIR] [--check]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubehash.errors import KubehashError
from kubehash.kubelet.toolchains import ESCAPING_GO, GoVersion, go_escapes_backspace_formfeed, parse_go_version

__all__ = [
    "ChangelogError",
    "Evidence",
    "GoLine",
    "Section",
    "build_minor",
    "generate",
    "go_lines",
    "main",
    "merge_evidence",
    "parse_changelog",
    "parse_version_info",
    "release_tag_toolchains",
    "render_table",
    "tag_go_version",
]

DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "specs" / "toolchains.json"
ORIGIN = "kubernetes/kubernetes CHANGELOG"
TAG_ORIGIN = "kubernetes/kubernetes tag"

_HEADING = re.compile(r"#\s+v(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)(?P<pre>-\S+)?\s*")
# A Go version as the notes write it: 1.22.5, go1.22.5, v1.13.14, `1.22`, **go1.9.2**, 1.22rc2, 1.15.0-rc.1.
_VERSION = r"\**`?(?:go)?v?(?P<go>\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+|-(?:rc|beta)\.\d+)?)(?![\d.]*\d)"
_GO_BUMP = re.compile(
    r"(?:\bbuil[td]\s+(?:with|using)\s+(?:go|golang)\s*"
    r"|\b(?:update|upgrade)[sd]?\s+(?:to\s+(?:use\s+)?)?(?:go|golang)(?:\s+version)?(?:\s+to)?\s*"
    r"|\bbump(?:ed|s)?\s+(?:the\s+)?(?:go|golang)(?:\s+version)?(?:\s+to)?\s*"
    r"|(?<!supported\s)(?<!minimum\s)\bgo\s+version\s+(?:is|was\s+(?:updated|upgraded)(?:\s+from\s+\S+)?\s+to)\s+"
    r"|\brequires\s+(?=go))" + _VERSION,
    re.IGNORECASE,
)
_REQUIRES = re.compile(r"\brequires\s+", re.IGNORECASE)
_TO_BUILD = re.compile(r"\+?\s+to\s+build\b", re.IGNORECASE)
_PRE_DOTTED = re.compile(r"(?P<mm>\d+\.\d+)(?:\.\d+)?-(?P<kind>rc|beta)\.(?P<num>\d+)")
_BULLET = re.compile(r"[-*]\s+")
_LINK_PR = re.compile(r"\[#(\d+)\]\([^)]*\)")
_LINK_USER = re.compile(r"\[\s*@([\w-]+)\]\([^)]*\)")
_RELEASE_TAG = re.compile(r"v(?P<minor>1\.\d+)\.(?P<patch>\d+)")
_CROSS_PLAIN = re.compile(r"v(?P<go>\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)-\d+")
_CROSS_GO = re.compile(r"v\d+\.\d+\.\d+-go(?P<go>\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)(?:-\S+)?")


class ChangelogError(KubehashError):
    """A CHANGELOG file or release tag the generator cannot use (names the file and line, or the tag)."""


@dataclass(frozen=True)
class GoLine:
    """One bullet naming the Go a release was built with: the version, the bullet, where it was read."""

    go: GoVersion
    line: str
    lineno: int
    heading: str


@dataclass(frozen=True)
class Section:
    """One ``# v1.N.P`` section: its patch number and the Go bumps it names (for ``.0``, also those of its
    pre-release sections)."""

    minor: str
    patch: int
    heading: str
    lineno: int
    bumps: tuple[GoLine, ...]

    @property
    def go(self) -> GoLine | None:
        """The section's Go: the highest version its bullets name."""
        return max(self.bumps, key=lambda b: b.go) if self.bumps else None


@dataclass(frozen=True)
class Evidence:
    """What one source says about the Go of one patch: the version, the basis, the quoted source."""

    go: GoVersion
    basis: str
    source: str


def _tidy(line: str) -> str:
    """A bullet without its markdown link targets: ``... Go 1.22.5 (#125897, @cpanato) [SIG Release]``."""
    text = _LINK_USER.sub(r"@\1", _LINK_PR.sub(r"#\1", line.strip()))
    return _BULLET.sub("", text, count=1)


def _normalize(raw: str) -> GoVersion:
    """``1.15.0-rc.1`` (as the notes spell a Go release candidate) is Go's ``1.15rc1``."""
    m = _PRE_DOTTED.fullmatch(raw)
    return parse_go_version(f"{m['mm']}{m['kind']}{m['num']}" if m else raw)


def go_lines(text: str) -> list[tuple[GoVersion, str]]:
    """The Go versions a changelog bullet says Kubernetes is built with (``based on Go``, ``to support go``,
    minimum versions are not a bump; ``requires goX+`` counts only as ``requires goX+ to build``)."""
    out = []
    for m in _GO_BUMP.finditer(text):
        if _REQUIRES.match(m.group(0)) and not _TO_BUILD.match(text, m.end()):
            continue
        out.append((_normalize(m.group("go")), m.group(0)))
    return out


def parse_changelog(text: str, minor: str, name: str = "") -> list[Section]:
    """The release sections (``# v1.N.P``) of one minor's CHANGELOG, newest first. Pre-release sections are
    not releases: their bumps are added to the ``.0`` section they lead to."""
    sections: list[Section] = []
    current: tuple[int, str, int] | None = None
    pre_bumps: list[GoLine] = []
    bumps: list[GoLine] = []
    heading = ""

    def close() -> None:
        if current is not None:
            sections.append(Section(minor, current[0], current[1], current[2], tuple(bumps)))

    in_comment = False
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if in_comment or line.lstrip().startswith("<!--"):
            in_comment = "-->" not in line
            continue
        m = _HEADING.fullmatch(line)
        if m is not None:
            close()
            bumps = []
            if f"{m.group('major')}.{m.group('minor')}" != minor:
                raise ChangelogError(f"{name}:{lineno}: heading {line.strip()!r} is not a {minor} release")
            heading = line.strip()
            if m.group("pre"):
                current = None
                bumps = pre_bumps if int(m.group("patch")) == 0 else []
            else:
                current = (int(m.group("patch")), heading, lineno)
            continue
        if not heading or _BULLET.match(line) is None:  # nested bullets (indented) are another thing's notes
            continue
        for go, _ in go_lines(line):
            bumps.append(GoLine(go, _tidy(line), lineno, heading))
    close()
    if pre_bumps:
        for i, s in enumerate(sections):
            if s.patch == 0:
                sections[i] = Section(s.minor, 0, s.heading, s.lineno, s.bumps + tuple(pre_bumps))
    return sections


def tag_go_version(path: str, text: str) -> GoVersion | None:
    """The Go of a release from its ``.go-version`` (``1.20.3``) or kube-cross ``VERSION`` (``v1.8.3-2``,
    ``v1.27.0-go1.20.3-bullseye.0``); ``None`` when the text is neither."""
    text = text.strip()
    if path.endswith(".go-version"):
        try:
            return parse_go_version(text)
        except KubehashError:
            return None
    m = _CROSS_GO.fullmatch(text) or _CROSS_PLAIN.fullmatch(text)
    return parse_go_version(m.group("go")) if m else None


_TAG_FILES = (".go-version", "build/build-image/cross/VERSION")


def _git_dir(path: str) -> str:
    """A repository's git directory: ``path/.git`` for a checkout, ``path`` itself for a bare clone."""
    return str(Path(path) / ".git") if (Path(path) / ".git").exists() else path


def release_tag_toolchains(git_dir: str, minors: Collection[str] | None = None) -> dict[str, dict[int, Evidence]]:
    """Minor -> patch -> the Go at each ``v1.N.P`` tag of a ``kubernetes/kubernetes`` clone, bare or checked out
    (only ``minors``, when given)."""
    git_dir = _git_dir(git_dir)
    refs = subprocess.run(
        ["git", "--git-dir", git_dir, "for-each-ref", "--format=%(refname:short)", "refs/tags"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    tags = [t for t in refs if (m := _RELEASE_TAG.fullmatch(t)) and (minors is None or m["minor"] in minors)]
    specs = [f"{t}:{path}" for t in tags for path in _TAG_FILES]
    # one `git cat-file --batch` for every (tag, file): "<sha> blob <size>\n<bytes>\n" or "<spec> missing\n"
    out = subprocess.run(
        ["git", "--git-dir", git_dir, "cat-file", "--batch"],
        input=("\n".join(specs) + "\n").encode(),
        check=True,
        capture_output=True,
    ).stdout
    blobs: dict[str, str] = {}
    pos = 0
    for spec in specs:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if header[-1] == b"missing" or len(header) != 3:
            continue
        size = int(header[2])
        blobs[spec] = out[pos : pos + size].decode("utf-8", "replace")
        pos += size + 1
    found: dict[str, dict[int, Evidence]] = {}
    for tag in tags:
        m = _RELEASE_TAG.fullmatch(tag)
        assert m is not None
        for path in _TAG_FILES:
            text = blobs.get(f"{tag}:{path}")
            if text is None or not text.strip():
                continue
            go = tag_go_version(path, text)
            if go is None:
                raise ChangelogError(f"tag {tag}: {path} holds {text.strip()!r}, not a Go or kube-cross version")
            source = f'{TAG_ORIGIN} {tag}: {path} "{text.strip()}"'
            found.setdefault(m["minor"], {})[int(m["patch"])] = Evidence(go, "tag", source)
            break
    return found


_INFO_FIELD = re.compile(r'"?(?P<key>[A-Za-z]+)"?\s*:\s*"(?P<value>[^"]*)"')
_INFO_KEYS = ("gitversion", "gitcommit", "builddate", "goversion")


def parse_version_info(text: str, name: str = "") -> dict[str, dict[int, Evidence]]:
    """Minor -> patch -> the Go that released binaries report, from lines of ``version.Info`` as
    ``kubectl version``, ``kubeadm version`` or the API server's ``/version`` print them (Go struct syntax
    ``GitVersion:"v1.27.4", ...`` or JSON keys ``"gitVersion": "v1.27.4"``, one release a line; ``#`` starts a
    comment). Only upstream builds are taken: a ``gitVersion`` ``v1.N.P`` without suffix, ``gitTreeState``
    clean and a ``linux/*`` platform (desktop clients are often rebuilt by package managers with their own Go).
    Lines disagreeing about one release are an error."""
    found: dict[str, dict[int, Evidence]] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = {m["key"].lower(): m["value"] for m in _INFO_FIELD.finditer(line)}
        where = f"{name}:{lineno}"
        missing = [k for k in _INFO_KEYS if k not in fields]
        if missing:
            raise ChangelogError(f"{where}: a version.Info line needs {', '.join(missing)}")
        release = _RELEASE_TAG.fullmatch(fields["gitversion"])
        if release is None:
            raise ChangelogError(f"{where}: gitVersion {fields['gitversion']!r} is not an upstream v1.N.P release")
        if fields.get("gittreestate", "clean") != "clean" or not fields.get("platform", "linux/").startswith("linux/"):
            raise ChangelogError(f"{where}: not an upstream linux build (gitTreeState clean, platform linux/*)")
        try:
            go = parse_go_version(fields["goversion"])
        except KubehashError as e:
            raise ChangelogError(f"{where}: {e}") from None
        source = (
            f'released {fields["gitversion"]} binaries report version.Info GitCommit:"{fields["gitcommit"]}", '
            f'BuildDate:"{fields["builddate"]}", GoVersion:"{fields["goversion"]}"'
        )
        patches = found.setdefault(release["minor"], {})
        kept = patches.get(int(release["patch"]))
        if kept is not None and kept.go != go:
            raise ChangelogError(f"{where}: {fields['gitversion']} reported with Go {kept.go} and {go}")
        patches.setdefault(int(release["patch"]), Evidence(go, "binary", source))
    return found


def _escaping(go: GoVersion) -> str:
    return "go1.22+" if go_escapes_backspace_formfeed(go) else "pre-go1.22"


def _changelog_evidence(sections: list[Section], origin: str) -> dict[int, Evidence]:
    out = {}
    for s in sections:
        bump = s.go
        if bump is not None:
            out[s.patch] = Evidence(bump.go, "changelog", f'{origin}, "{bump.heading}": "{bump.line}"')
    return out


def merge_evidence(
    minor: str, sources: list[dict[int, Evidence]], notes: list[str] | None = None
) -> dict[int, Evidence]:
    """One patch -> evidence map from several, best first; a later source's disagreeing answer is noted."""
    merged: dict[int, Evidence] = {}
    for source in sources:
        for patch, ev in source.items():
            kept = merged.get(patch)
            if kept is None:
                merged[patch] = ev
            elif kept.go != ev.go and notes is not None:
                notes.append(
                    f"v{minor}.{patch}: {kept.basis} says Go {kept.go}, {ev.basis} says {ev.go}; {kept.basis} kept"
                )
    return merged


def build_minor(
    entry: dict[str, Any],
    sections: list[Section],
    file_name: str | None,
    observed: dict[int, Evidence] | None = None,
    notes: list[str] | None = None,
) -> dict[str, Any]:
    """The spec entry of one minor from its changelog sections, what the binaries or release tags say of
    some patches (``observed``, preferred over the notes) and its current entry (baseline, newest patch).

    A patch is *known* when a source names its Go, or when its changelog section names none and the previous
    patch is known (the Go did not change). Patches not known form ``inferred`` rows whose Go is bounded by
    the known patches around them (a release branch's Go never goes down); disagreements go to ``notes``."""
    minor = entry["minor"]
    by_patch = {s.patch: s for s in sections}
    if len(by_patch) != len(sections):
        raise ChangelogError(f"{file_name}: a {minor} patch has two sections")
    origin = f"{ORIGIN}/{file_name}"
    evidence = merge_evidence(
        minor, [observed or {}, _changelog_evidence(sections, origin) if file_name else {}], notes
    )
    out = dict(entry)
    newest = max([entry["newest_patch"], *by_patch, *evidence])
    if newest > entry["newest_patch"]:
        out["newest_patch_source"] = (
            f'{origin}, "{by_patch[newest].heading}"' if newest in by_patch else evidence[newest].source
        )
    # pass 1: the evidence each known patch's Go rests on (a gap in the sources breaks the carrying)
    known: dict[int, Evidence] = {}
    carried: Evidence | None = None
    for patch in range(newest + 1):
        carried = evidence.get(patch) or (carried if patch in by_patch else None)
        if carried is not None:
            known[patch] = carried
    # pass 2: spans of patches sharing one piece of evidence (or one gap), then rows
    spans: list[tuple[int, int, Evidence | None]] = []
    for patch in range(newest + 1):
        ev = known.get(patch)
        if spans and spans[-1][1] == patch - 1 and _same_row(spans[-1][2], ev):
            spans[-1] = (spans[-1][0], patch, spans[-1][2])
        else:
            spans.append((patch, patch, ev))
    rows: list[dict[str, Any]] = []
    for first, last, ev in spans:
        if ev is not None:
            if rows and rows[-1].get("go") and ev.go < parse_go_version(rows[-1]["go"]) and notes is not None:
                notes.append(
                    f"v{minor}.{first}: Go {ev.go} is older than v{minor}.{rows[-1]['from']}'s {rows[-1]['go']}"
                )
            rows.append({**_row(first, ev), "to": last})
            continue
        lo = max(((p, e) for p, e in known.items() if p < first), default=None, key=lambda pe: pe[0])
        hi = min(((p, e) for p, e in known.items() if p > last), default=None, key=lambda pe: pe[0])
        rows.append({**_unread_row(first, last, entry["baseline"], minor, lo, hi), "to": last})
    out["newest_patch"] = newest
    if file_name:
        out["changelog"] = origin
    out["rows"] = [_ordered(r) for r in rows]
    return out


def _same_row(a: Evidence | None, b: Evidence | None) -> bool:
    """Whether two adjacent patches fall in one row: both unread, or both known with the same Go."""
    return (a is None and b is None) or (a is not None and b is not None and a.go == b.go)


def _unread_row(
    first: int,
    last: int,
    baseline: dict[str, Any],
    minor: str,
    lo: tuple[int, Evidence] | None,
    hi: tuple[int, Evidence] | None,
) -> dict[str, Any]:
    """The row of patches ``first``..``last`` that no source was read for: before any known patch, the
    hand-kept baseline; after one, the Go is bounded by the known patches around the gap (a release branch's
    Go never goes down), exact when both bounds agree."""
    if lo is None:
        return {"from": first, **baseline}
    span = f"v{minor}.{first}" + (f"–v{minor}.{last}" if last > first else "")
    low = f"v{minor}.{lo[0]}'s Go {lo[1].go}"
    row: dict[str, Any] = {"from": first}
    if hi is not None and hi[1].go == lo[1].go:
        row["go"] = lo[1].go.text
        bound = f"Go {lo[1].go}: {low} and v{minor}.{hi[0]}'s are the same"
    elif hi is not None:
        row["go_min"], row["go_max"] = lo[1].go.text, hi[1].go.text
        bound = f"Go {lo[1].go} to {hi[1].go} (between {low} and v{minor}.{hi[0]}'s)"
    else:
        row["go_min"] = lo[1].go.text
        bound = f"Go {lo[1].go} or later ({low})"
    if lo[1].go.at_least(*ESCAPING_GO):
        row["escaping"] = "go1.22+"
        why = ""
    elif hi is not None and not hi[1].go.at_least(*ESCAPING_GO):
        row["escaping"] = "pre-go1.22"
        why = ""
    else:
        row["escaping"] = baseline["escaping"]
        why = f"; side of Go 1.22: {baseline['source']}"
    row["basis"] = "inferred"
    row["source"] = (
        f"inferred: no release notes, release tag or binary version was read for {span}; a release branch's Go "
        f"never goes down, so {bound}{why}"
    )
    if "go" not in row:
        row["hint"] = f"{bound}; not itemized per patch"
    return row


def _row(patch: int, ev: Evidence) -> dict[str, Any]:
    return {"from": patch, "go": ev.go.text, "escaping": _escaping(ev.go), "basis": ev.basis, "source": ev.source}


_ROW_KEYS = ("from", "to", "go", "go_min", "go_max", "escaping", "basis", "source", "hint")


def _ordered(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in _ROW_KEYS if k in row} | {k: v for k, v in row.items() if k not in _ROW_KEYS}


def _carry(entry: dict[str, Any]) -> dict[str, Any]:
    """A minor without a changelog: its rows are kept; the last one is stretched to the newest patch."""
    out = dict(entry)
    rows = [dict(r) for r in entry["rows"]]
    rows[-1]["to"] = entry["newest_patch"]
    out["rows"] = [_ordered(r) for r in rows]
    return out


def api_tags(git_dir: str) -> dict[str, tuple[int, str]]:
    """Minor -> (newest patch, its tag date) from the ``kubernetes-1.N.P`` tags of a ``kubernetes/api`` clone."""
    git_dir = _git_dir(git_dir)
    out = subprocess.run(
        ["git", "--git-dir", git_dir, "for-each-ref", "--format=%(refname:short) %(creatordate:short)", "refs/tags"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    newest: dict[str, tuple[int, str]] = {}
    for line in out.splitlines():
        m = re.fullmatch(r"kubernetes-(\d+\.\d+)\.(\d+) (\S+)", line.strip())
        if m and int(m.group(2)) >= newest.get(m.group(1), (-1, ""))[0]:
            newest[m.group(1)] = (int(m.group(2)), m.group(3))
    return newest


def generate(
    doc: dict[str, Any],
    changelogs: Path | None,
    tags: dict[str, tuple[int, str]] | None = None,
    release_tags: dict[str, dict[int, Evidence]] | None = None,
    notes: list[str] | None = None,
    binaries: dict[str, dict[int, Evidence]] | None = None,
) -> dict[str, Any]:
    """The regenerated spec document from the current one, a directory of CHANGELOGs, optional api tags
    (newest patch per minor), release-tag toolchains (:func:`release_tag_toolchains`) and what released
    binaries report (:func:`parse_version_info`); binaries win over tags, tags over the notes."""
    out = dict(doc)
    minors = []
    for entry in doc["minors"]:
        entry = dict(entry)
        minor = entry["minor"]
        if tags and minor in tags:
            patch, date = tags[minor]
            entry["newest_patch"] = patch
            entry["newest_patch_source"] = f"kubernetes/api tag kubernetes-{minor}.{patch} ({date})"
        path = changelogs / f"CHANGELOG-{minor}.md" if changelogs is not None else None
        observed = merge_evidence(minor, [(binaries or {}).get(minor, {}), (release_tags or {}).get(minor, {})], notes)
        if path is not None and path.is_file():
            sections = parse_changelog(path.read_text(encoding="utf-8"), minor, path.name)
            entry = build_minor(entry, sections, path.name, observed, notes)
        elif observed:
            entry = build_minor(entry, [], None, observed, notes)
        else:
            entry = _carry(entry)
        minors.append(entry)
    out["minors"] = minors
    if tags:
        latest = max(date for _, date in tags.values())
        out["data_as_of"] = latest
    return out


def render(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, ensure_ascii=False) + "\n"


def _patches(row: dict[str, Any], minor: str) -> str:
    first, last = f"{minor}.{row['from']}", f"{minor}.{row['to']}"
    return first if first == last else f"{first}–{last}"


def _go_cell(row: dict[str, Any]) -> str:
    if "go" in row:
        return str(row["go"])
    if "go_max" in row:
        return f"{row['go_min']}–{row['go_max']} (not itemized)"
    if "go_min" in row:
        return f"≥ {row['go_min']} (not itemized)"
    side = "≥ 1.22" if row["escaping"] == "go1.22+" else "< 1.22"
    return f"{side} ({row['hint']})" if row.get("hint") else side


def render_table(doc: dict[str, Any]) -> str:
    """The spec as markdown for ``docs/go-toolchains.md``: coverage per minor, then every row."""
    lines = [
        "| minor | patches | Go itemized (rows read from binary / tag / notes) | Go inferred exactly | Go bounded |",
        "|---|---|---|---|---|",
    ]
    for m in doc["minors"]:
        counts = {"read": 0, "pinned": 0, "bounded": 0}
        bases: dict[str, int] = {}
        for r in m["rows"]:
            n = r["to"] - r["from"] + 1
            if r["basis"] != "inferred":
                counts["read"] += n
                bases[r["basis"]] = bases.get(r["basis"], 0) + n
            else:
                counts["pinned" if "go" in r else "bounded"] += n
        split = " / ".join(str(bases.get(b, 0)) for b in ("binary", "tag", "changelog"))
        lines.append(
            f"| {m['minor']} | {m['newest_patch'] + 1} | {counts['read']} ({split}) | {counts['pinned']} "
            f"| {counts['bounded']} |"
        )
    lines += ["", "| minor | patches | Go | `\\b` `\\f` | basis |", "|---|---|---|---|---|"]
    for m in doc["minors"]:
        for r in m["rows"]:
            esc = "`\\b` `\\f`" if r["escaping"] == "go1.22+" else "`\\u0008` `\\u000c`"
            lines.append(f"| {m['minor']} | {_patches(r, m['minor'])} | {_go_cell(r)} | {esc} | {r['basis']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kubehash.specgen.toolchains", description=__doc__.split("\n\n")[0])
    ap.add_argument("--changelogs", type=Path, help="directory of upstream CHANGELOG-1.N.md files")
    ap.add_argument(
        "--kubernetes-git", help="kubernetes/kubernetes git repository with v1.N.P release tags: the Go at each tag"
    )
    ap.add_argument("--api-git", help="kubernetes/api git repository (bare or checkout): newest patch per minor")
    ap.add_argument(
        "--version-info", type=Path, help="file of version.Info lines released binaries print (one release a line)"
    )
    ap.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="toolchains.json to read (default: specs/)")
    ap.add_argument("--out", type=Path, help="where to write (default: --spec)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the regenerated spec differs")
    ap.add_argument("--table", action="store_true", help="print the regenerated spec as markdown, write nothing")
    args = ap.parse_args(argv)
    if args.changelogs is not None and not args.changelogs.is_dir():
        ap.error(f"--changelogs {args.changelogs}: not a directory")
    try:
        current_text = args.spec.read_text(encoding="utf-8")
        doc = json.loads(current_text)
        tags = api_tags(args.api_git) if args.api_git else None
        minors = [m["minor"] for m in doc["minors"]]
        release_tags = release_tag_toolchains(args.kubernetes_git, minors) if args.kubernetes_git else None
        binaries = (
            parse_version_info(args.version_info.read_text(encoding="utf-8"), args.version_info.name)
            if args.version_info
            else None
        )
        notes: list[str] = []
        new_text = render(generate(doc, args.changelogs, tags, release_tags, notes, binaries))
    except (OSError, ValueError, KubehashError, subprocess.CalledProcessError) as e:
        print(f"toolchains: {e}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"toolchains: note: {note}", file=sys.stderr)
    if args.table:
        print(render_table(json.loads(new_text)), end="")
        return 0
    if args.check:
        if new_text != current_text:
            print(f"toolchains: {args.spec} differs from what the sources give; regenerate it", file=sys.stderr)
            return 1
        print(f"toolchains: {args.spec} is up to date")
        return 0
    out = args.out or args.spec
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(new_text, encoding="utf-8")
    tmp.replace(out)
    print(f"toolchains: wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
