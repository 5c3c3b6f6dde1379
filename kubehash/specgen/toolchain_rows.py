"""The rows of ``specs/toolchains.json`` for one minor: which Go each patch release was built with, from the
evidence :mod:`kubehash.specgen.toolchain_sources` read, with the patches no source covers bounded by their
neighbours (a release branch's Go never goes down)."""

from __future__ import annotations

from typing import Any

from kubehash.kubelet.toolchains import ESCAPING_GO, GoVersion, go_escapes_backspace_formfeed, parse_go_version
from kubehash.specgen.toolchain_sources import ORIGIN, ChangelogError, Evidence, Section

__all__ = ["build_minor", "carry", "merge_evidence"]


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


def _known_patches(newest: int, evidence: dict[int, Evidence], by_patch: dict[int, Section]) -> dict[int, Evidence]:
    """The evidence each known patch's Go rests on: its own, or the previous patch's carried through a changelog
    section that names no Go (a gap in the sources breaks the carrying)."""
    known: dict[int, Evidence] = {}
    carried: Evidence | None = None
    for patch in range(newest + 1):
        carried = evidence.get(patch) or (carried if patch in by_patch else None)
        if carried is not None:
            known[patch] = carried
    return known


def _spans(newest: int, known: dict[int, Evidence]) -> list[tuple[int, int, Evidence | None]]:
    """Runs of adjacent patches sharing one Go (or one gap): (first, last, evidence or ``None``)."""
    spans: list[tuple[int, int, Evidence | None]] = []
    for patch in range(newest + 1):
        ev = known.get(patch)
        if spans and spans[-1][1] == patch - 1 and _same_row(spans[-1][2], ev):
            spans[-1] = (spans[-1][0], patch, spans[-1][2])
        else:
            spans.append((patch, patch, ev))
    return spans


def _span_rows(
    spans: list[tuple[int, int, Evidence | None]],
    known: dict[int, Evidence],
    entry: dict[str, Any],
    notes: list[str] | None,
) -> list[dict[str, Any]]:
    """One row per span; a known Go older than the row before it is noted."""
    minor = entry["minor"]
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
    return rows


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
    known = _known_patches(newest, evidence, by_patch)
    rows = _span_rows(_spans(newest, known), known, entry, notes)
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


def carry(entry: dict[str, Any]) -> dict[str, Any]:
    """A minor without a changelog: its rows are kept; the last one is stretched to the newest patch."""
    out = dict(entry)
    rows = [dict(r) for r in entry["rows"]]
    rows[-1]["to"] = entry["newest_patch"]
    out["rows"] = [_ordered(r) for r in rows]
    return out
