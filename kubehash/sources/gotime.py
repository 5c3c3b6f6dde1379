"""Timestamps as Go's ``time`` package writes them (``time.RFC3339Nano``), with nanosecond precision.

Container runtimes print start times as RFC 3339 with up to nine fractional digits (docker's
``State.StartedAt``, crictl's ``status.startedAt``) or as a decimal count of nanoseconds since the Unix
epoch (crictl ``ps -o json`` ``createdAt``, raw CRI). Python's ``datetime`` keeps microseconds only, so
these helpers work on integer nanoseconds since the epoch and convert to ``datetime`` at the edge.
Go's zero time (``0001-01-01T00:00:00Z``) and the Unix epoch itself (a CRI timestamp of 0) mean
"never happened" and map to ``None``.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta, timezone

__all__ = ["format_rfc3339nano", "from_ns", "parse_timestamp", "to_ns"]

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})\Z",
)
_DIGITS = re.compile(r"[0-9]{1,30}\Z")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
#: nanoseconds since the Unix epoch of Go's zero time.Time
GO_ZERO_NS = calendar.timegm((1, 1, 1, 0, 0, 0)) * 10**9
#: the range ``datetime`` can hold (years 1 to 9999)
MIN_NS = GO_ZERO_NS
MAX_NS = (calendar.timegm((9999, 12, 31, 23, 59, 59)) + 1) * 10**9 - 1


def parse_timestamp(text: object) -> int | None:
    """Nanoseconds since the Unix epoch from RFC 3339 text or a decimal nanosecond string/int.

    Returns ``None`` for "not set" (Go zero time, epoch 0, empty string); raises ``ValueError`` otherwise.
    """
    if isinstance(text, bool):
        raise ValueError(f"not a timestamp: {text!r}")
    if isinstance(text, int):
        ns = text
    elif isinstance(text, str):
        if text == "":
            return None
        if _DIGITS.match(text):
            ns = int(text)
        else:
            m = _RFC3339.match(text)
            if not m:
                raise ValueError(f"not an RFC 3339 timestamp: {text!r}")
            year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
            try:
                datetime(year, month, day, hour, minute, second)  # validates the calendar fields
            except ValueError as e:
                raise ValueError(f"not an RFC 3339 timestamp: {text!r} ({e})") from None
            secs = calendar.timegm((year, month, day, hour, minute, second))
            zone = m.group(8)
            if zone != "Z":
                sign = 1 if zone[0] == "+" else -1
                secs -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
            frac = m.group(7) or ""
            ns = secs * 10**9 + int(frac.ljust(9, "0") or "0")
    else:
        raise ValueError(f"not a timestamp: {text!r}")
    if ns in (0, GO_ZERO_NS):
        return None
    if not MIN_NS <= ns <= MAX_NS:
        raise ValueError(f"timestamp out of range: {text!r}")
    return ns


def from_ns(ns: int | None) -> datetime | None:
    """Timezone-aware UTC ``datetime`` (microseconds, truncated toward the past) for nanoseconds since the epoch."""
    if ns is None:
        return None
    return _EPOCH + timedelta(microseconds=ns // 1000)


def to_ns(dt: datetime) -> int:
    """Nanoseconds since the epoch of an aware ``datetime`` (naive ones are taken as UTC)."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    delta = dt - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 10**9 + delta.microseconds * 1000


def format_rfc3339nano(ns: int | None, *, zero: str = "0001-01-01T00:00:00Z") -> str:
    """Go's ``t.UTC().Format(time.RFC3339Nano)``: trailing fractional zeros dropped; ``zero`` for ``None``."""
    if ns is None:
        return zero
    secs, frac = divmod(ns, 10**9)
    t = _EPOCH + timedelta(seconds=secs)
    base = f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:{t.second:02d}"
    tail = f".{frac:09d}".rstrip("0") if frac else ""
    return f"{base}{tail}Z"
