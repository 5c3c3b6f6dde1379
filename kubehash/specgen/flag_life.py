"""The life table of kubelet flags and ``KubeletConfiguration`` fields: introduced / deprecated / removed per
name, derived from the per-minor raw lists :mod:`kubehash.specgen.flag_sources` read and curated events.

Pure functions: a test recomputes the shipped tables from the raw lists without the upstream sources.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kubehash.kubelet.versions import minor_tuple as minor_key

__all__ = ["derive_config", "derive_flags", "flag_replacement", "minor_key"]

_Events = Mapping[tuple[str, str], Mapping[str, Any]]
_Raw = Mapping[str, Mapping[str, Mapping[str, Any]]]


def _events_for(events: Iterable[Mapping[str, Any]], key: str) -> dict[tuple[str, str], Mapping[str, Any]]:
    """(name, change) -> event."""
    return {(str(e[key]), str(e["change"])): e for e in events}


def _pin(
    change: str, name: str, lo: str, hi: str, events: _Events, minors: Sequence[str]
) -> tuple[str, bool, list[str] | None, Any]:
    """The minor of a change known to lie in (lo, hi]: (minor, exact, range-if-not-exact, event source)."""
    ev = events.get((name, change))
    first = minors[minors.index(lo) + 1] if lo in minors else hi
    if ev is not None and minor_key(first) <= minor_key(str(ev["minor"])) <= minor_key(hi):
        return str(ev["minor"]), True, None, ev.get("source")
    if first == hi:
        return hi, True, None, None
    return hi, False, [first, hi], None


def _set_pinned(
    row: dict[str, Any], key: str, pinned: tuple[str, bool, list[str] | None, Any], sources: list[Any]
) -> None:
    """Store a :func:`_pin` answer as ``key`` / ``key_exact`` / ``key_range`` and collect its event source."""
    m, exact, rng, src = pinned
    row[key], row[f"{key}_exact"] = m, exact
    if rng:
        row[f"{key}_range"] = rng
    if src:
        sources.append(src)


def _introduced(
    row: dict[str, Any], name: str, first: str, read: list[str], minors: Sequence[str], ev: _Events, sources: list[Any]
) -> None:
    prev = read[read.index(first) - 1] if read.index(first) > 0 else None
    if prev is None:  # in the first minor read: "introduced" means "at or before"
        row["introduced"] = first
        row["introduced_exact"] = first == minors[0]
        if first != minors[0]:
            row["introduced_range"] = [minors[0], first]
    else:
        _set_pinned(row, "introduced", _pin("added", name, prev, first, ev, minors), sources)


def _removed(
    row: dict[str, Any], name: str, last: str, read: list[str], minors: Sequence[str], ev: _Events, sources: list[Any]
) -> None:
    nxt = read[read.index(last) + 1] if read.index(last) + 1 < len(read) else None
    if nxt is not None:
        _set_pinned(row, "removed", _pin("removed", name, last, nxt, ev, minors), sources)
    elif (name, "removed") in ev and minor_key(str(ev[(name, "removed")]["minor"])) > minor_key(last):
        e = ev[(name, "removed")]
        row["removed"], row["removed_exact"] = str(e["minor"]), True
        sources.append(e.get("source"))


def _deprecated(
    row: dict[str, Any],
    name: str,
    present: list[str],
    raw: _Raw,
    minors: Sequence[str],
    ev: _Events,
    sources: list[Any],
) -> None:
    last = present[-1]
    dep = [m for m in present if raw[m][name].get("deprecated") is not None]
    if dep:
        dfirst = dep[0]
        i = present.index(dfirst)
        if i == 0:  # deprecated from the first minor read that has it: as exact as its introduction
            row["deprecated"], row["deprecated_exact"] = dfirst, bool(row["introduced_exact"])
        else:
            _set_pinned(row, "deprecated", _pin("deprecated", name, present[i - 1], dfirst, ev, minors), sources)
        latest = raw[dep[-1]][name]
        row["deprecation_message"] = latest.get("deprecated", "")
    elif (name, "deprecated") in ev and minor_key(str(ev[(name, "deprecated")]["minor"])) > minor_key(last):
        e = ev[(name, "deprecated")]
        row["deprecated"], row["deprecated_exact"] = str(e["minor"]), True
        row["deprecation_message"] = str(e.get("message", ""))
        sources.append(e.get("source"))


def _read_row(
    name: str, present: list[str], read: list[str], raw: _Raw, minors: Sequence[str], ev: _Events, sources: list[Any]
) -> dict[str, Any]:
    """The row of a name found in at least one read minor (``present``)."""
    row: dict[str, Any] = {}
    last = present[-1]
    _introduced(row, name, present[0], read, minors, ev, sources)
    _removed(row, name, last, read, minors, ev, sources)
    gaps = [m for m in read if minor_key(present[0]) <= minor_key(m) <= minor_key(last) and m not in present]
    if gaps:
        row["absent_in"] = gaps  # read minors inside the flag's life that lack it (flag came back)
    _deprecated(row, name, present, raw, minors, ev, sources)
    latest_row = raw[last][name]
    for key in ("go_field", "os", "shorthand", "bool"):
        if key in latest_row:
            row[key] = latest_row[key]
    row["read_in"] = present
    return row


def _event_row(name: str, ev: _Events, sources: list[Any]) -> dict[str, Any]:
    """The row of a name only known from an ``added`` event after the last read minor."""
    row: dict[str, Any] = {}
    e = ev[(name, "added")]
    row["introduced"], row["introduced_exact"] = str(e["minor"]), True
    row["read_in"] = []
    sources.append(e.get("source"))
    for key in ("go_field", "os"):
        if key in e:
            row[key] = e[key]
    if (name, "removed") in ev:
        row["removed"], row["removed_exact"] = str(ev[(name, "removed")]["minor"]), True
        sources.append(ev[(name, "removed")].get("source"))
    return row


def derive_flags(minors: Sequence[str], raw: _Raw, events: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Flag -> introduced / deprecated / removed, from the per-minor raw lists and the events.

    ``raw`` has only the minors that were read; a change between two read minors is pinned by an event in
    that gap or kept as a range. A change after the last read minor comes from an event only.
    """
    read = [m for m in minors if m in raw]
    ev = _events_for(events, "flag")
    names = sorted({n for m in read for n in raw[m]} | {str(e["flag"]) for e in events if e["change"] == "added"})
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        present = [m for m in read if name in raw[m]]
        sources: list[Any] = []
        row = _read_row(name, present, read, raw, minors, ev, sources) if present else _event_row(name, ev, sources)
        replacement = flag_replacement(row.get("deprecation_message"))
        if replacement:
            row["replacement"] = replacement
        if sources:
            row["event_sources"] = sources
        out[name] = row
    return out


_REPLACEMENT_FLAG = re.compile(r"(?:[Uu]se|[Ii]n favor of|instead)\s+(--[a-z0-9][a-z0-9-]*)")


def flag_replacement(message: str | None) -> str | None:
    """The flag a deprecation message names as its replacement (``"Use --fail-swap-on instead"``)."""
    if not message:
        return None
    m = _REPLACEMENT_FLAG.search(message)
    return m.group(1) if m else None


def derive_config(
    minors: Sequence[str], raw: Mapping[str, Mapping[str, Any]], events: Sequence[Mapping[str, Any]]
) -> dict[str, dict[str, dict[str, Any]]]:
    """apiVersion -> field path -> added / deprecated / removed, from per-minor raw field lists."""
    by_version: dict[str, dict[str, Mapping[str, Any]]] = {}
    for m in minors:
        if m in raw:
            by_version.setdefault(str(raw[m]["api_version"]), {})[m] = raw[m]["fields"]
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for api_version, per_minor in by_version.items():
        fields_raw = {m: per_minor[m] for m in minors if m in per_minor}
        evs = [e for e in events if e.get("api_version") == api_version]
        table = derive_flags(minors, fields_raw, [{**e, "flag": e["field"]} for e in evs])
        for row in table.values():
            row.pop("replacement", None)
        out[api_version] = table
    return out
