"""Generate / check ``specs/kubelet-flags.json`` and ``specs/kubelet-config.json``.

``python -m kubehash.specgen.kubelet_flags --sources DIR [--check]``

``DIR/<minor>/`` holds, at their upstream paths, the Go files a maintainer downloaded for that minor (from a
checkout of the release tag: ``cmd/kubelet/app/options/*.go``, ``pkg/kubelet/config/flags.go``, the vendored
klog / glog, ``k8s.io/component-base/logs``, and ``k8s.io/kubelet/config/v1beta1/types.go``). *Which* files
of a minor make up the kubelet's flag set, and in which role, is data: the ``sources`` section of each spec
file (``files``: ``path``, optional ``os``, ``only`` / ``except`` flag names, ``functions`` to restrict the
scan to, ``deprecated_by`` = the constant whose message a caller attaches to every flag of the file,
``from_minor`` = read the file of another minor, with the reason in ``inferred``). Adding a minor is adding
a ``sources`` entry and running the generator.

Each spec file keeps the **raw** per-minor lists the generator read (with the file, line and sha256 of each
source) and the **derived** table (introduced / deprecated / removed per flag or field). Minors without
sources are not guessed: a change between two read minors is pinned to one minor only by a curated
``events`` row (a CHANGELOG entry or a component repository tag, each with its reference); otherwise the
row keeps the range it is known to lie in (``*_range``) and says ``exact: false``. :func:`derive_flags`
and :func:`derive_config` are pure, so a test recomputes the derived tables from the raw lists without the
upstream sources.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from kubehash.specgen.flag_life import derive_config, derive_flags, flag_replacement, minor_key
from kubehash.specgen.flag_page import TABLE_BEGIN, TABLE_END, go_to_json_paths, render_markdown, render_tables
from kubehash.specgen.flag_sources import config_fields, read_minor_config, read_minor_flags

__all__ = [
    "TABLE_BEGIN",
    "TABLE_END",
    "config_fields",
    "derive_config",
    "derive_flags",
    "flag_replacement",
    "go_to_json_paths",
    "main",
    "minor_key",
    "read_minor_config",
    "read_minor_flags",
    "render_markdown",
    "render_tables",
]

FLAGS_SPEC = "kubelet-flags.json"
CONFIG_SPEC = "kubelet-config.json"
SCHEMA = 1


def _minors() -> list[str]:
    from kubehash.kubelet.releases import RELEASES

    return [r.minor for r in RELEASES]


def build_flags_spec(root: Path, previous: Mapping[str, Any]) -> dict[str, Any]:
    minors = _minors()
    sources = dict(previous["sources"])
    raw: dict[str, Any] = {}
    for minor in sorted(sources, key=minor_key):
        flags, files = read_minor_flags(root, minor, sources[minor])
        sources[minor] = {**sources[minor], "files": files}
        raw[minor] = flags
    events = list(previous.get("events", []))
    return {
        "schema": SCHEMA,
        "about": previous.get("about", ""),
        "generated_by": "python -m kubehash.specgen.kubelet_flags",
        "minors": minors,
        "policy": previous.get("policy", {}),
        "sources": {m: sources[m] for m in sorted(sources, key=minor_key)},
        "events": events,
        "raw": raw,
        "flags": derive_flags(minors, raw, events),
    }


def build_config_spec(root: Path, previous: Mapping[str, Any]) -> dict[str, Any]:
    minors = _minors()
    sources = dict(previous["sources"])
    raw: dict[str, Any] = {}
    for minor in sorted(sources, key=minor_key):
        fields, src = read_minor_config(root, minor, sources[minor])
        sources[minor] = src
        raw[minor] = {"api_version": src["api_version"], "fields": fields}
    events = list(previous.get("events", []))
    return {
        "schema": SCHEMA,
        "about": previous.get("about", ""),
        "generated_by": "python -m kubehash.specgen.kubelet_flags",
        "minors": minors,
        "policy": previous.get("policy", {}),
        "sources": {m: sources[m] for m in sorted(sources, key=minor_key)},
        "events": events,
        "raw": raw,
        "fields": derive_config(minors, raw, events),
    }


def dumps(spec: Mapping[str, Any]) -> str:
    return json.dumps(spec, indent=1, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m kubehash.specgen.kubelet_flags", description=__doc__.split("\n\n")[0])
    ap.add_argument("--sources", required=True, help="directory with one sub-directory of upstream files per minor")
    ap.add_argument("--specs", default="specs", help="spec directory (default: specs)")
    ap.add_argument("--docs", default="docs/kubelet-flags.md", help="the rendered page (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="fail if a spec file or the page is not what the sources give")
    args = ap.parse_args(argv)
    specs, root = Path(args.specs), Path(args.sources)
    flags_path, config_path = specs / FLAGS_SPEC, specs / CONFIG_SPEC
    flags_prev = json.loads(flags_path.read_text(encoding="utf-8"))
    config_prev = json.loads(config_path.read_text(encoding="utf-8"))
    flags_new = dumps(build_flags_spec(root, flags_prev))
    config_new = dumps(build_config_spec(root, config_prev))
    page_path = Path(args.docs)
    page_new = render_markdown(
        json.loads(flags_new),
        json.loads(config_new),
        page_path.read_text(encoding="utf-8") if page_path.exists() else None,
    )
    outputs = ((flags_path, flags_new), (config_path, config_new), (page_path, page_new))
    if args.check:
        stale = [str(path) for path, text in outputs if not path.exists() or path.read_text(encoding="utf-8") != text]
        for name in stale:
            print(
                f"{name}: not what the sources give; regenerate with python -m kubehash.specgen.kubelet_flags",
                file=sys.stderr,
            )
        return 1 if stale else 0
    for p, text in outputs:
        tmp = p.with_suffix(p.suffix + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(p)
        print(f"wrote {p}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
