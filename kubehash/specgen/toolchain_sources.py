"""Read the Go toolchain of kubelet releases from their sources: the ``CHANGELOG-1.N.md`` release notes,
the ``.go-version`` / kube-cross ``VERSION`` file at each ``v1.N.P`` tag of a ``kubernetes/kubernetes`` clone,
the ``version.Info`` lines released binaries print, and the ``kubernetes-1.N.P`` tags of ``kubernetes/api``
(see :mod:`kubehash.specgen.toolchains` for how they are weighed).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from kubehash.errors import ChangelogError, KubehashError
from kubehash.kubelet.toolchains import GoVersion, parse_go_version

__all__ = [
    "ORIGIN",
    "TAG_ORIGIN",
    "ChangelogError",
    "Evidence",
    "GoLine",
    "Section",
    "api_tags",
    "go_lines",
    "parse_changelog",
    "parse_version_info",
    "release_tag_toolchains",
    "tag_go_version",
]

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


def _cat_blobs(git_dir: str, specs: list[str]) -> dict[str, str]:
    """``<rev>:<path>`` -> text, for every spec that names a blob, in one ``git cat-file --batch``."""
    # "<sha> blob <size>\n<bytes>\n" or "<spec> missing\n" per spec
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
    return blobs


def _tag_evidence(tag: str, blobs: dict[str, str]) -> Evidence | None:
    """The Go of one release tag from the first of :data:`_TAG_FILES` it holds (``None`` if it holds none)."""
    for path in _TAG_FILES:
        text = blobs.get(f"{tag}:{path}")
        if text is None or not text.strip():
            continue
        go = tag_go_version(path, text)
        if go is None:
            raise ChangelogError(f"tag {tag}: {path} holds {text.strip()!r}, not a Go or kube-cross version")
        return Evidence(go, "tag", f'{TAG_ORIGIN} {tag}: {path} "{text.strip()}"')
    return None


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
    blobs = _cat_blobs(git_dir, [f"{t}:{path}" for t in tags for path in _TAG_FILES])
    found: dict[str, dict[int, Evidence]] = {}
    for tag in tags:
        m = _RELEASE_TAG.fullmatch(tag)
        assert m is not None
        ev = _tag_evidence(tag, blobs)
        if ev is not None:
            found.setdefault(m["minor"], {})[int(m["patch"])] = ev
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
