"""What ``kubehash watch`` shows: one line per event, a running tally, notices and the final summary -- as text
for a person (``-o table``) or one JSON object per line for machines (``-o json``: ``{"type": "event", ...}``,
``"start"``, ``"summary"``; each event carries the tally after it). The JSON fields come from the column
registries below (:data:`EVENT_COLUMNS`, :data:`TALLY_COLUMNS`, :data:`UPGRADED_COLUMNS`,
:data:`NOT_SEEN_COLUMNS`), like every other command's documents.

Text lines begin with the UTC time; names from the cluster are escaped (:func:`~kubehash.report.text.printable`).
The tally is printed when it changed and the stream went quiet, at most every ``tally_every`` seconds, and at
the end. Notices (reconnects, re-lists) go to the ``err`` stream in both formats.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from operator import attrgetter, itemgetter
from typing import Any, TextIO, TypeVar

from kubehash.report.audit import AUDIT_COLUMNS, audit_summary_blocks
from kubehash.report.columns import Column, Show, values
from kubehash.report.formats import Rows, write_text
from kubehash.report.output import to_document
from kubehash.report.plain import clean, text_of
from kubehash.report.text import printable
from kubehash.upgrade.audit import Audit
from kubehash.upgrade.watch_events import UNEXPECTED, Tally, Tracker, WatchEvent

__all__ = [
    "EVENT_COLUMNS",
    "NOT_SEEN_COLUMNS",
    "TALLY_COLUMNS",
    "UPGRADED_COLUMNS",
    "WatchPrinter",
    "event_text",
    "summary_document",
    "tally_text",
]

T = TypeVar("T")

#: One column per field of an event, in the order of its JSON line (``klass`` as ``class``); a line holds the
#: fields that have a value.
EVENT_COLUMNS: tuple[Column[WatchEvent], ...] = (
    *(Column(name, attrgetter(name)) for name in ("kind", "node", "namespace", "pod", "container")),
    Column("class", attrgetter("klass")),
    *(Column(name, attrgetter(name)) for name in ("old", "new", "detail")),
)

#: The running counts, in the order of the ``tally`` object.
TALLY_COLUMNS: tuple[Column[Tally], ...] = tuple(
    Column(name, attrgetter(name))
    for name in (
        "nodes",
        "nodes_upgraded",
        "nodes_settled",
        "expected_restarts",
        "unexpected_restarts",
        "unrelated_restarts",
        "pods_not_running",
        "evictions",
    )
)

#: An upgraded node of the summary: (node, baseline version, version now).
UPGRADED_COLUMNS: tuple[Column[tuple[str, str, str]], ...] = (
    Column("node", itemgetter(0)),
    Column("from", itemgetter(1)),
    Column("to", itemgetter(2)),
)

#: A predicted restart not seen on an upgraded node: (node, namespace, pod, container).
NOT_SEEN_COLUMNS: tuple[Column[tuple[str, str | None, str | None, str]], ...] = tuple(
    Column(name, itemgetter(i)) for i, name in enumerate(("node", "namespace", "pod", "container"))
)


def _records(columns: Sequence[Column[T]], items: Sequence[T], *, present: bool = False) -> list[dict[str, Any]]:
    """Each item's typed values by column name (``present``: only the values that are neither ``None`` nor
    empty text)."""
    names = [c.name for c in columns]
    docs = [dict(zip(names, row, strict=True)) for row in zip(*values(columns, items), strict=True)]
    if present:
        return [{k: v for k, v in d.items() if v is not None and v != ""} for d in docs]
    return docs


def _record(columns: Sequence[Column[T]], item: T, *, present: bool = False) -> dict[str, Any]:
    return _records(columns, [item], present=present)[0]


def _tally(tracker: Tracker) -> dict[str, Any]:
    return _record(TALLY_COLUMNS, tracker.tally)


def summary_document(tracker: Tracker) -> dict[str, Any]:
    """The end of the watch: the tally, the upgraded nodes, the UNEXPECTED restarts and the predicted restarts
    not seen."""
    return {
        "tally": _tally(tracker),
        "upgraded_nodes": _records(UPGRADED_COLUMNS, tracker.upgraded_nodes()),
        "unexpected_restarts": _records(EVENT_COLUMNS, tracker.unexpected, present=True),
        "predicted_not_seen": _records(NOT_SEEN_COLUMNS, tracker.not_seen()),
    }


def _who(e: WatchEvent) -> str:
    pod = f"{e.namespace}/{e.pod}" if e.namespace else str(e.pod)
    return printable(f"{pod} {e.container}" if e.container else pod)


def event_text(e: WatchEvent) -> str:
    """One event as a line of text (without the time)."""
    on = printable(f" on {e.node}") if e.node else ""
    detail = f"  ({printable(e.detail)})" if e.detail else ""
    if e.kind == "node-upgraded":
        return f"NODE         {printable(str(e.node))}  kubelet {printable(f'{e.old} -> {e.new}')}{detail}"
    if e.kind == "node-settled":
        return f"SETTLED      {printable(str(e.node))}{detail}"
    if e.kind == "restart":
        return f"RESTART      {e.klass or '':<10}  {_who(e)}{on}{detail}"
    if e.kind == "evicted":
        return f"EVICTED      {_who(e)}{on}{detail}"
    word = "NOT RUNNING" if e.kind == "pod-not-running" else "RUNNING"
    return f"{word:<11}  {_who(e)}{on}  {printable(f'{e.old} -> {e.new}')}{detail}"


def tally_text(t: Tally) -> str:
    """The tally in one line."""
    return (
        f"nodes upgraded {t.nodes_upgraded}/{t.nodes} ({t.nodes_settled} settled) | restarts: "
        f"{t.expected_restarts} expected, {t.unexpected_restarts} UNEXPECTED, {t.unrelated_restarts} unrelated | "
        f"pods not running {t.pods_not_running} | evictions {t.evictions}"
    )


def _json_line(doc: dict[str, Any]) -> str:
    """One line of JSON, ASCII only: names holding line separators (U+2028, U+0085) stay on their line for every
    reader, lone surrogates become U+FFFD. An event's document is flat (strings, numbers, the tally's numbers):
    its strings are cleaned in place; anything else goes through :func:`~kubehash.report.plain.clean`."""
    flat = {}
    for k, v in doc.items():
        t = type(v)
        if t is str:
            flat[k] = text_of(v)
        elif t is int or v is None or (t is dict and all(type(x) is int for x in v.values())):
            flat[k] = v
        else:
            flat[k] = clean(v)
    return json.dumps(flat, ensure_ascii=True, separators=(",", ":"))


class _Guarded:
    """``out`` that stops writing, once, when its reader went away (``kubehash watch | head``): then
    ``on_closed`` is called (the watch stops) instead of a BrokenPipeError reaching the user."""

    def __init__(self, out: TextIO, on_closed: Callable[[], None]) -> None:
        self.out, self.on_closed, self.closed = out, on_closed, False

    def _guard(self, f: Callable[[], object]) -> None:
        if self.closed:
            return
        try:
            f()
        except BrokenPipeError:
            self.closed = True
            self.on_closed()

    def write(self, text: str) -> None:
        self._guard(lambda: self.out.write(text))

    def flush(self) -> None:
        self._guard(self.out.flush)


class WatchPrinter:
    """The watch's sink (:class:`kubehash.pipeline.watch.Sink`): writes to ``out`` (and notices to ``err``)
    as ``fmt`` (``table`` or ``json``), flushing after each batch. ``on_closed`` is called when ``out``'s reader
    goes away."""

    def __init__(
        self,
        out: TextIO,
        err: TextIO,
        fmt: str = "table",
        *,
        tally_every: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        on_closed: Callable[[], None] = lambda: None,
    ) -> None:
        self.out: Any = _Guarded(out, on_closed)
        self.err, self.fmt = err, fmt
        self.tally_every = tally_every
        self.clock, self.wall = clock, wall
        self._dirty = False
        self._last_tally = float("-inf")

    def _stamp(self) -> str:
        return self.wall().strftime("%H:%M:%SZ")

    def _line(self, text: str) -> None:
        self.out.write(f"{self._stamp()}  {text}\n" if self.fmt != "json" else text + "\n")

    def started(self, tracker: Tracker, pods: int, nodes: int) -> None:
        if self.fmt == "json":
            doc = {"type": "start", "time": self.wall(), "pods": pods, "nodes": nodes}
            self._line(_json_line({**doc, "tally": _tally(tracker)}))
        else:
            self._line(f"watching {pods} pods on {nodes} nodes (Ctrl-C to stop and see the summary)")
        self.out.flush()

    def events(self, events: Sequence[WatchEvent], tracker: Tracker) -> None:
        if not events:
            return
        for e in events:
            if self.fmt == "json":
                doc = {"type": "event", "time": self.wall(), "event": e.kind, **_record(EVENT_COLUMNS, e, present=True)}
                self._line(_json_line({**doc, "tally": _tally(tracker)}))
            else:
                self._line(event_text(e))
        self._dirty = True
        if self.clock() - self._last_tally >= self.tally_every:
            self.idle(tracker)
        self.out.flush()

    def idle(self, tracker: Tracker) -> None:
        """The stream is quiet: show the tally if it changed (and the last one is old enough)."""
        if not self._dirty or self.fmt == "json" or self.clock() - self._last_tally < min(1.0, self.tally_every):
            return
        self._line("-- " + tally_text(tracker.tally))
        self._dirty = False
        self._last_tally = self.clock()
        self.out.flush()

    def notice(self, text: str) -> None:
        self.err.write(f"note: {printable(text)}\n")
        self.err.flush()

    def summary(
        self, tracker: Tracker, reason: str, seconds: float, error: str | None = None, audit: Audit | None = None
    ) -> None:
        """The final summary: the tally, upgraded nodes, UNEXPECTED restarts, predicted restarts not seen, and
        the final audit (``None``: none, without a baseline; JSON: its document under ``audit``)."""
        doc = {"reason": reason, "seconds": round(seconds, 3), **summary_document(tracker)}
        if error:
            doc["error"] = error
        if self.fmt == "json":
            doc["audit"] = to_document(audit) if audit is not None else None
            if audit is None:
                doc["audit_skipped"] = _NO_AUDIT
            self._line(_json_line({"type": "summary", "time": self.wall(), **doc}))
        else:
            self._summary_text(tracker, reason, seconds)
            self._audit_text(audit)
        self.out.flush()

    def _summary_text(self, tracker: Tracker, reason: str, seconds: float) -> None:
        w = self.out.write
        w(f"\nwatch ended ({reason}) after {_duration(seconds)}\n")
        w(f"tally: {tally_text(tracker.tally)}\n")
        for node, a, b in tracker.upgraded_nodes():
            w(f"  upgraded {printable(node)}: {printable(f'{a} -> {b}')}\n")
        if tracker.unexpected:
            w(f"UNEXPECTED restarts ({len(tracker.unexpected)}):\n")
            for e in tracker.unexpected:
                w(f"  {_who(e)} on {printable(str(e.node))}: {printable(e.detail)}\n")
        missing = tracker.not_seen()
        if missing:
            w(f"predicted restarts not seen on upgraded nodes ({len(missing)}; spared, pod gone, or not synced yet):\n")
            for node, ns, pod, c in missing[:50]:
                w(f"  {printable(f'{ns}/{pod} {c}')} on {printable(node)}\n")
            if len(missing) > 50:
                w(f"  ... and {len(missing) - 50} more (-o json lists all)\n")
        held = "the prediction held" if not tracker.unexpected else f"{len(tracker.unexpected)} {UNEXPECTED} restart(s)"
        w(f"result: {held}\n")


    def _audit_text(self, result: Audit | None) -> None:
        if result is None:
            self.out.write(f"no final audit: {_NO_AUDIT}\n")
            return
        self.out.write("\nfinal audit (the baseline against the cluster as last seen; -o json has every container):\n")
        blocks: list[Any] = list(audit_summary_blocks(result.summary))
        if result.misses:
            blocks += ["\n", Rows(AUDIT_COLUMNS, result.misses)]
        write_text(blocks, Show.TABLE, self.out)


_NO_AUDIT = "it compares a baseline (--baseline) with the cluster now"


def _duration(seconds: float) -> str:
    s = int(seconds)
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m{s:02d}s" if h else f"{m}m{s:02d}s" if m else f"{seconds:.1f}s"
