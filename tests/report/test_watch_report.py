"""``kubehash watch``'s lines: text escaped for a terminal, JSON lines that read back, the tally's pacing."""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.report.watch import WatchPrinter, event_text, tally_text
from kubehash.upgrade.watch_events import EVENT_KINDS, Tally, Tracker, WatchEvent


class NoExpectations:
    def node_upgraded(self, node: str, version: str) -> str | None:
        return None

    def verdict(self, namespace: str | None, pod: str | None, container: str) -> str | None:
        return None

    def restarts_on(self, node: str) -> list[tuple[str | None, str | None, str]]:
        return []


WALL = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def printer(fmt: str, clock: list[float]) -> tuple[WatchPrinter, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    return WatchPrinter(out, err, fmt, tally_every=10, clock=lambda: clock[0], wall=lambda: WALL), out, err


def test_text_lines_and_tally_pacing() -> None:
    clock = [100.0]
    p, out, err = printer("table", clock)
    t = Tracker(NoExpectations())
    e = WatchEvent("restart", "n1", "ns", "web-1", "app", klass="UNEXPECTED", detail="predicted unchanged")
    p.events([e], t)
    p.events([e], t)  # within 10 s of the last tally: no tally line
    clock[0] += 11
    p.idle(t)
    p.idle(t)  # nothing new: no tally line
    p.notice("pods: reconnecting")
    lines = out.getvalue().splitlines()
    assert lines[0] == "03:04:05Z  RESTART      UNEXPECTED  ns/web-1 app on n1  (predicted unchanged)"
    assert [line.startswith("03:04:05Z  -- nodes upgraded 0/0") for line in lines] == [False, True, False, True]
    assert err.getvalue() == "note: pods: reconnecting\n"


def test_names_from_the_cluster_are_escaped() -> None:
    e = WatchEvent("pod-not-running", "n\x1b[31m", "ns", "p\nq", old="Running", new="Err\x07")
    text = event_text(e)
    assert "\x1b" not in text and "\n" not in text and "\x07" not in text
    assert "p\\nq" in text and "\\x1b[31m" in text


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(EVENT_KINDS),
    names=st.lists(st.text(max_size=12) | st.none(), min_size=6, max_size=6),  # surrogates, U+2028 and all
    counts=st.lists(st.integers(0, 10**6), min_size=8, max_size=8),
)
def test_json_lines_read_back(kind: str, names: list[str | None], counts: list[int]) -> None:
    clock = [0.0]
    p, out, _ = printer("json", clock)
    t = Tracker(NoExpectations())
    t.tally = Tally(*counts)
    e = WatchEvent(kind, *names[:4], klass=names[4], old=names[5], detail="d")
    p.events([e], t)
    [line] = out.getvalue().splitlines()
    doc = json.loads(line)
    assert doc["type"] == "event" and doc["event"] == kind and doc["time"] == "2026-01-02T03:04:05Z"
    assert doc["tally"] == t.tally.document()
    assert line.isascii()
    for field in ("node", "namespace", "pod", "container"):
        value = getattr(e, field)
        shown = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace") if value else None
        assert doc.get(field) == shown
    assert tally_text(t.tally).startswith(f"nodes upgraded {counts[1]}/{counts[0]} ({counts[2]} settled) |")


def test_json_fields_come_from_the_column_registries() -> None:
    """The registries name every field the upgrade layer's documents hold, in the same order."""
    from dataclasses import fields

    from kubehash.report.watch import EVENT_COLUMNS, TALLY_COLUMNS

    full = WatchEvent("restart", "n", "ns", "p", "c", klass="expected", old="a", new="b", detail="d")
    assert [c.name for c in EVENT_COLUMNS] == list(full.document())
    assert [c.name for c in TALLY_COLUMNS] == [f.name for f in fields(Tally)] == list(Tally().document())


@settings(max_examples=100, deadline=None)
@given(
    kind=st.sampled_from(EVENT_KINDS),
    names=st.lists(st.text(max_size=6) | st.none(), min_size=8, max_size=8),
    counts=st.lists(st.integers(0, 10**6), min_size=8, max_size=8),
)
def test_json_lines_are_the_documents_they_were(kind: str, names: list[str | None], counts: list[int]) -> None:
    """Built from the registries, every line holds what the events', tally's and tracker's documents hold."""
    from kubehash.report.watch import _json_line, summary_document

    p, out, _ = printer("json", [0.0])
    t = Tracker(NoExpectations())
    t.tally = Tally(*counts)
    e = WatchEvent(kind, *names[:4], klass=names[4], old=names[5], new=names[6], detail=names[7] or "")
    t.unexpected = [e, WatchEvent("restart", "n2")]
    t.upgraded_nodes = lambda: [("n1", "v1.10.13", "v1.11.10")]  # type: ignore[method-assign]
    t.not_seen = lambda: [("n1", names[1], None, "app")]  # type: ignore[method-assign]
    p.started(t, 3, 2)
    p.events([e], t)
    p.summary(t, "timeout", 1.5)
    start, event, summary = out.getvalue().splitlines()
    assert summary_document(t) == t.summary()
    tally = t.tally.document()
    assert start == _json_line({"type": "start", "time": WALL, "pods": 3, "nodes": 2, "tally": tally})
    assert event == _json_line({"type": "event", "time": WALL, "event": kind, **e.document(), "tally": tally})
    old = {"reason": "timeout", "seconds": 1.5, **t.summary(), "audit": None}
    old["audit_skipped"] = "it compares a baseline (--baseline) with the cluster now"
    assert summary == _json_line({"type": "summary", "time": WALL, **old})
