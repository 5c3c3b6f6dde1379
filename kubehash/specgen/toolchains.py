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
import subprocess
import sys
from pathlib import Path
from typing import Any

from kubehash.errors import KubehashError
from kubehash.specgen.toolchain_rows import build_minor, carry, merge_evidence
from kubehash.specgen.toolchain_sources import (
    ORIGIN,
    TAG_ORIGIN,
    ChangelogError,
    Evidence,
    GoLine,
    Section,
    api_tags,
    go_lines,
    parse_changelog,
    parse_version_info,
    release_tag_toolchains,
    tag_go_version,
)

__all__ = [
    "ORIGIN",
    "TAG_ORIGIN",
    "ChangelogError",
    "Evidence",
    "GoLine",
    "Section",
    "api_tags",
    "build_minor",
    "generate",
    "go_lines",
    "main",
    "merge_evidence",
    "parse_changelog",
    "parse_version_info",
    "release_tag_toolchains",
    "render",
    "render_table",
    "tag_go_version",
]

DEFAULT_SPEC = Path(__file__).resolve().parents[2] / "specs" / "toolchains.json"


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
            entry = carry(entry)
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
