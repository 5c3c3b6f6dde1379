"""Short, groupable labels for restart reasons: one label per distinct cause, whatever the list index.

``field-added VolumeMounts[*].SubPathExpr``, ``algorithm struct -> json``, ``spec-changed``: what a table
or chart groups restarts by.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kubehash.upgrade.explain import Reason

__all__ = ["reason_label", "reason_labels"]

_INDEX = re.compile(r"\[\d+\]")


def reason_label(reason: Reason) -> str:
    """``kind`` plus the Go field path with list indices folded (``[*]``), or the eras for ``algorithm``."""
    if reason.kind == "algorithm" and reason.old and reason.new:
        return f"algorithm {reason.old} -> {reason.new}"
    if reason.path:
        return f"{reason.kind} {_INDEX.sub('[*]', reason.path)}"
    return reason.kind


def reason_labels(reasons: Iterable[Reason]) -> list[str]:
    """Distinct labels, in first-seen order."""
    return list(dict.fromkeys(reason_label(r) for r in reasons))
