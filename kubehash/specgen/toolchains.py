"""Generate or check ``specs/toolchains.json``: the Go toolchain of every kubelet patch release.

Source: the upstream release notes, ``CHANGELOG/CHANGELOG-1.N.md`` of ``kubernetes/kubernetes`` (a maintainer
downloads them into a directory; they are not committed). Each patch release has a ``# v1.N.P`` section; a
Go bump appears in it as a bullet such as ``Kubernetes is now built with Go 1.22.5`` (also ``built using``,
``Update to go1.15.5``, ``Bump golang to 1.13.9``). Bullets within a section are sorted alphabetically, so
``1.20.10`` can precede ``1.20.9``: a section's Go is the **highest** version it names. A patch whose section
names none keeps the previous patch's Go. The ``v1.N.0`` section lists every bump of the release cycle; its
highest is the Go of ``v1.N.0``.

What the notes cannot tell is kept from the current file and only carried over: each minor's ``baseline``
(the Go of the patches before the first bump the notes name, with its own source) and, for minors whose
changelog is not given, the rows themselves. ``--api-git`` (a ``kubernetes/api`` clone) refreshes each
minor's newest patch from its ``kubernetes-1.N.P`` tags, and the data date from the newest tag.

    python -m kubehash.specgen.toolchains --changelogs /tmp/changelogs [--api-git DIR] [--check]
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubehash.errors import KubehashError
from kubehash.kubelet.toolchains import GoVersion, go_escapes_backspace_formfeed, parse_go_version

__all__ = ["GoLine", "Section", "build_minor", "generate", "go_lines", "main", "parse_changelog"]

DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "specs" / "toolchains.json"
ORIGIN = "kubernetes/kubernetes CHANGELOG"

_HEADING = re.compile(r"#\s+v(?P<major>\d+)\.(?P<minor>\d+)\.(?P<patch>\d+)(?P<pre>-\S+)?\s*")
_GO_BUMP = re.compile(
    r"(?:built\s+(?:with|using)\s+|update[sd]?\s+(?:to\s+(?:use\s+)?)?|bump(?:ed|s)?\s+(?:the\s+)?)"
    r"(?:go|golang)(?:\s+version)?(?:\s+to)?\s*`?(?:go)?(?P<go>\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)`?",
    re.IGNORECASE,
)
_LINK_PR = re.compile(r"\[#(\d+)\]\([^)]*\)")
_LINK_USER = re.compile(r"\[@([\w-]+)\]\([^)]*\)")


class ChangelogError(KubehashError):
    """A CHANGELOG file the generator cannot use (names the file and line)."""


@dataclass(frozen=True)
class GoLine:
    go: GoVersion
    line: str
    lineno: int


@dataclass(frozen=True)
class Section:
    """One ``# v1.N.P`` section: its patch number and the Go bumps it names."""

    minor: str
    patch: int
    heading: str
    lineno: int
    bumps: tuple[GoLine, ...]

    @property
    def go(self) -> GoLine | None:
        """The section's Go: the highest version its bullets name."""
        return max(self.bumps, key=lambda b: b.go) if self.bumps else None


def _tidy(line: str) -> str:
    """A bullet without its markdown link targets: ``... Go 1.22.5 (#125897, @cpanato) [SIG Release]``."""
    text = _LINK_USER.sub(r"@\1", _LINK_PR.sub(r"#\1", line.strip()))
    return text.removeprefix("- ").removeprefix("* ")


def go_lines(text: str) -> list[tuple[GoVersion, str]]:
    """The Go versions a changelog bullet says Kubernetes is built with (``based on Go`` is not a bump)."""
    return [(parse_go_version(m.group("go")), m.group(0)) for m in _GO_BUMP.finditer(text)]


def parse_changelog(text: str, minor: str, name: str = "") -> list[Section]:
    """The release sections (``# v1.N.P``, pre-releases skipped) of one minor's CHANGELOG, newest first."""
    sections: list[Section] = []
    current: tuple[int, str, int] | None = None
    bumps: list[GoLine] = []

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
            current = None if m.group("pre") else (int(m.group("patch")), line.strip(), lineno)
            continue
        if current is None or not line.lstrip().startswith(("- ", "* ")):
            continue
        for go, _ in go_lines(line):
            bumps.append(GoLine(go, _tidy(line), lineno))
    close()
    return sections


def _escaping(go: GoVersion) -> str:
    return "go1.22+" if go_escapes_backspace_formfeed(go) else "pre-go1.22"


def build_minor(entry: dict[str, Any], sections: list[Section], file_name: str) -> dict[str, Any]:
    """The spec entry of one minor from its changelog sections and its current entry (baseline, newest)."""
    minor = entry["minor"]
    by_patch = {s.patch: s for s in sections}
    if len(by_patch) != len(sections):
        raise ChangelogError(f"{file_name}: a {minor} patch has two sections")
    newest = max([entry["newest_patch"], *by_patch])
    origin = f"{ORIGIN}/{file_name}"
    baseline = dict(entry["baseline"])
    zero = by_patch.get(0)
    rows: list[dict[str, Any]] = []
    if zero is not None and zero.go is not None:
        rows.append(_row(0, zero.go, origin, zero.heading))
    else:
        rows.append({"from": 0, **baseline})
    for patch in sorted(p for p in by_patch if p > 0):
        section = by_patch[patch]
        bump = section.go
        if bump is None or (rows[-1].get("go") is not None and parse_go_version(rows[-1]["go"]) == bump.go):
            continue
        rows.append(_row(patch, bump, origin, section.heading))
    for here, nxt in itertools.pairwise(rows):
        here["to"] = nxt["from"] - 1
    rows[-1]["to"] = newest
    out = dict(entry)
    out["newest_patch"] = newest
    out["changelog"] = origin
    out["rows"] = [_ordered(r) for r in rows]
    return out


def _row(patch: int, bump: GoLine, origin: str, heading: str) -> dict[str, Any]:
    return {
        "from": patch,
        "go": bump.go.text,
        "escaping": _escaping(bump.go),
        "basis": "changelog",
        "source": f'{origin}, "{heading}": "{bump.line}"',
    }


_ROW_KEYS = ("from", "to", "go", "escaping", "basis", "source", "hint")


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
    doc: dict[str, Any], changelogs: Path | None, tags: dict[str, tuple[int, str]] | None = None
) -> dict[str, Any]:
    """The regenerated spec document from the current one, a directory of CHANGELOGs and optional api tags."""
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
        if path is not None and path.is_file():
            sections = parse_changelog(path.read_text(encoding="utf-8"), minor, path.name)
            entry = build_minor(entry, sections, path.name)
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kubehash.specgen.toolchains", description=__doc__.split("\n\n")[0])
    ap.add_argument("--changelogs", type=Path, help="directory of upstream CHANGELOG-1.N.md files")
    ap.add_argument("--api-git", help="kubernetes/api git repository (bare or checkout): newest patch per minor")
    ap.add_argument("--spec", type=Path, default=DEFAULT_SPEC, help="toolchains.json to read (default: specs/)")
    ap.add_argument("--out", type=Path, help="where to write (default: --spec)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the regenerated spec differs")
    args = ap.parse_args(argv)
    if args.changelogs is not None and not args.changelogs.is_dir():
        ap.error(f"--changelogs {args.changelogs}: not a directory")
    try:
        current_text = args.spec.read_text(encoding="utf-8")
        doc = json.loads(current_text)
        tags = None
        if args.api_git:
            git_dir = Path(args.api_git)
            tags = api_tags(str(git_dir / ".git") if (git_dir / ".git").exists() else str(git_dir))
        new_text = render(generate(doc, args.changelogs, tags))
    except (OSError, ValueError, KubehashError, subprocess.CalledProcessError) as e:
        print(f"toolchains: {e}", file=sys.stderr)
        return 2
    if args.check:
        if new_text != current_text:
            print(f"toolchains: {args.spec} differs from what the changelogs give; regenerate it", file=sys.stderr)
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
