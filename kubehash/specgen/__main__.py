"""``python -m kubehash.specgen``: regenerate spec files from a ``k8s.io/api`` git repository."""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

from kubehash.kubelet.versions import minor_tuple
from kubehash.specgen.closure import build_spec

TYPES_PATH = "core/v1/types.go"


def newest_patch_tag(git_dir: str, minor: str) -> str:
    """The newest non-prerelease tag of ``minor`` (``kubernetes-1.N.P`` or ``v0.N.P``)."""
    n = minor_tuple(minor)[1]
    tags = subprocess.run(["git", "--git-dir", git_dir, "tag"], check=True, capture_output=True, text=True).stdout
    best: tuple[int, str] | None = None
    for tag in tags.split():
        m = re.fullmatch(rf"(?:kubernetes-1\.{n}|v0\.{n})\.(\d+)", tag)
        if m and (best is None or int(m.group(1)) > best[0]):
            best = (int(m.group(1)), tag)
    if best is None:
        raise SystemExit(f"no release tag for {minor} in {git_dir}")
    return best[1]


def _git_dir(path: str) -> str:
    p = Path(path)
    return str(p / ".git") if (p / ".git").exists() else str(p)


def generate(git_dir: str, minor: str, out_dir: Path, tag: str | None = None) -> Path:
    tag = tag or newest_patch_tag(git_dir, minor)
    src = subprocess.run(
        ["git", "--git-dir", git_dir, "show", f"{tag}:{TYPES_PATH}"], check=True, capture_output=True
    ).stdout
    spec = build_spec(
        src.decode("utf-8"),
        minor=minor,
        source={"module": "k8s.io/api", "tag": tag, "path": TYPES_PATH, "sha256": hashlib.sha256(src).hexdigest()},
    )
    out = out_dir / f"{minor}.json"
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    tmp.replace(out)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kubehash.specgen", description=__doc__)
    ap.add_argument("--api-git", required=True, help="k8s.io/api git repository (bare or checkout)")
    ap.add_argument("--minor", action="append", default=[], help="e.g. 1.17 (repeatable)")
    ap.add_argument("--all", action="store_true", help="every minor in the release table")
    ap.add_argument("--tag", help="use this tag instead of the newest patch tag (one --minor only)")
    ap.add_argument("--out", default="specs", help="output directory (default: specs)")
    args = ap.parse_args(argv)
    minors = list(args.minor)
    if args.all:
        from kubehash.kubelet.releases import RELEASES

        minors += [r.minor for r in RELEASES]
    if not minors:
        ap.error("give --minor or --all")
    if args.tag and len(minors) != 1:
        ap.error("--tag needs exactly one --minor")
    git_dir = _git_dir(args.api_git)
    for minor in minors:
        path = generate(git_dir, minor, Path(args.out), args.tag)
        print(f"{minor}: wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
