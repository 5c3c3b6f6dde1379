"""An :class:`~kubehash.upgrade.audit.Audit`: the container columns, the summary, its outputs.

``table``: the verdict (did the prediction hold?), the upgraded nodes, class counts per node and per namespace
(nodes not upgraded and namespaces where nothing restarted folded into one row each; JSON has them all),
why predicted restarts were not seen, then one row per container -- misses first, in :data:`CLASSES` order;
``wide`` adds the versions, restart counts, last state, hashes and the prediction's reasons; ``json``/``yaml``:
``{"summary": ..., "containers": [...]}``; ``csv``/``markdown``: the ``wide`` rows. Hashes are decimal integers
in documents and DataFrames and the runtime's hex form in cells.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter, itemgetter
from typing import Any

from kubehash.report.columns import Column, Show
from kubehash.report.formats import Block, Rows, register
from kubehash.report.prediction import hex_text
from kubehash.upgrade.audit import (
    CLASSES,
    PREDICTED_NOT_RESTARTED,
    RESTARTED_NOT_PREDICTED,
    RESTARTED_ON_NODE_NOT_UPGRADED,
    WHY,
    Audit,
    ContainerAudit,
)

__all__ = ["AUDIT_COLUMNS", "CLASS_HEADINGS", "audit_summary_blocks"]

A = ContainerAudit

#: Short headings of the class count columns (the legend is printed above the tables).
CLASS_HEADINGS = {
    RESTARTED_NOT_PREDICTED: "MISSED",
    PREDICTED_NOT_RESTARTED: "SPARED",
    "predicted-and-restarted": "RESTARTED",
    RESTARTED_ON_NODE_NOT_UPGRADED: "UNRELATED",
    "unchanged-as-predicted": "UNCHANGED",
}


def _detail(c: A) -> str:
    """What a reader needs next to the class: why a predicted restart was not seen, a miss's evidence."""
    if c.error:
        return c.error
    if c.outcome == PREDICTED_NOT_RESTARTED and c.why:
        return c.why
    if c.outcome in (RESTARTED_NOT_PREDICTED, RESTARTED_ON_NODE_NOT_UPGRADED):
        return "; ".join(e for e in c.evidence if not e.startswith(("containerID", "startedAt", "runtime container")))
    if c.node_after:
        return f"pod now on {c.node_after}"
    return "; ".join(e for e in c.evidence if e.startswith(("new kubelet recorded", "restarted although")))


def _hash(name: str) -> Column[A]:
    return Column(name, attrgetter(name), show=Show.WIDE, text=hex_text)


#: One column per field of a container's audit, in the order of its document.
AUDIT_COLUMNS: tuple[Column[A], ...] = (
    Column("namespace", attrgetter("namespace")),
    Column("pod", attrgetter("pod")),
    Column("container", attrgetter("container")),
    Column("kind", attrgetter("kind"), show=Show.WIDE),
    Column("node", attrgetter("node")),
    Column("upgraded", attrgetter("upgraded"), show=Show.WIDE),
    Column("version_before", attrgetter("version_before"), show=Show.WIDE),
    Column("version_after", attrgetter("version_after"), show=Show.WIDE),
    Column("class", attrgetter("outcome")),
    Column("verdict", attrgetter("verdict"), heading="PREDICTED"),
    Column("observed", attrgetter("observed")),
    Column("detail", _detail),
    Column("predicted", attrgetter("predicted"), show=Show.DATA),
    Column("restarted", attrgetter("restarted"), show=Show.DATA),
    Column("why", attrgetter("why"), show=Show.DATA),
    Column("evidence", lambda c: list(c.evidence), frame=lambda c: "; ".join(c.evidence), show=Show.DATA),
    Column("node_after", attrgetter("node_after"), show=Show.WIDE),
    Column("restart_count_before", attrgetter("restart_count_before"), show=Show.WIDE, heading="RESTARTS BEFORE"),
    Column("restart_count_after", attrgetter("restart_count_after"), show=Show.WIDE, heading="RESTARTS AFTER"),
    Column("last_reason", attrgetter("last_reason"), show=Show.WIDE),
    Column("exit_code", attrgetter("exit_code"), show=Show.WIDE),
    _hash("old_hash"),
    _hash("new_hash"),
    _hash("recorded_hash_before"),
    _hash("recorded_hash_after"),
    Column("reasons", attrgetter("reasons"), show=Show.WIDE),
    Column("error", attrgetter("error"), show=Show.DATA),
)


def _counts(groups: dict[str, dict[str, int]], label: str, extra: dict[str, str] | None = None) -> Rows[Any]:
    """One row per group, one column per class that occurs (short headings), and the total."""
    classes = [k for k in CLASSES if any(k in g for g in groups.values())]
    lead = [label, *(["kubelet"] if extra is not None else [])]
    items = [
        (k, *([extra.get(k, "")] if extra is not None else []), *(g.get(c, 0) for c in classes), sum(g.values()))
        for k, g in groups.items()
    ]
    columns = [Column(name, itemgetter(i)) for i, name in enumerate(lead)]
    columns += [Column(c, itemgetter(len(lead) + i), heading=CLASS_HEADINGS[c]) for i, c in enumerate(classes)]
    columns.append(Column("total", itemgetter(len(lead) + len(classes))))
    return Rows(columns, items)


def _verdict(s: dict[str, Any]) -> str:
    missed = s["restarted_not_predicted"]
    if missed:
        return (
            f"The prediction did NOT hold: {missed} restart{'' if missed == 1 else 's'} on upgraded nodes "
            "not predicted (class restarted-not-predicted below: check the evidence before upgrading more nodes)\n"
        )
    if not s["upgraded_nodes"]:
        return "Nothing to check: no node's kubelet version changed\n"
    return "The prediction held: every restart on the upgraded nodes was predicted\n"


def audit_summary_blocks(s: dict[str, Any]) -> list[Block]:
    """The summary for people: the verdict, the counts, the legend, the per-node and per-namespace tables."""
    n = s["containers"]
    counts = ", ".join(f"{s[k]} {c}" for c, k in _KEYS if s[k]) or "nothing"
    blocks: list[Block] = [
        _verdict(s),
        f"Audit of {_many(s['upgraded_nodes'], 'upgraded node')}: {_many(n, 'container')}: {counts}\n",
    ]
    if s["precision"] is not None or s["recall"] is not None:
        blocks.append(f"On the upgraded nodes: precision {_ratio(s['precision'])}, recall {_ratio(s['recall'])}\n")
    if s["new_pods"]:
        pods, containers = _many(s["new_pods"], "pod"), _many(s["new_containers"], "container")
        blocks.append(f"New in the after state (not audited): {pods}, {containers}\n")
    for why, count in s["not_restarted_why"].items():
        blocks.append(f"Predicted, not restarted: {count} x {why}: {WHY.get(why, why)}\n")
    for line in s.get("warnings", ()):
        blocks.append(f"Warning: {line}\n")
    blocks.append("Legend: " + ", ".join(f"{h} = {c}" for c, h in CLASS_HEADINGS.items()) + "\n")
    kubelets = {k: f"{v['before']} -> {v['after']}" for k, v in s["upgrades"].items()}
    nodes = _folded(s["by_node"], set(kubelets), "node")
    namespaces = _folded(s["by_namespace"], set(), "namespace")
    blocks += ["\n", _counts(nodes, "node", kubelets), "\n", _counts(namespaces, "namespace")]
    return blocks


_KEYS = (
    (RESTARTED_NOT_PREDICTED, "restarted_not_predicted"),
    (PREDICTED_NOT_RESTARTED, "predicted_not_restarted"),
    ("predicted-and-restarted", "predicted_and_restarted"),
    (RESTARTED_ON_NODE_NOT_UPGRADED, "restarted_on_nodes_not_upgraded"),
    ("unchanged-as-predicted", "unchanged_as_predicted"),
)


def _many(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _folded(groups: dict[str, dict[str, int]], upgraded: set[str], what: str) -> dict[str, dict[str, int]]:
    """The per-node (per-namespace) counts a screen shows: every upgraded node and every group with something
    other than unchanged containers; the others (nothing to see) folded into one row."""
    shown: dict[str, dict[str, int]] = {}
    rest: dict[str, int] = {}
    folded = 0
    for group, counts in groups.items():
        if group in upgraded or set(counts) - {"unchanged-as-predicted"}:
            shown[group] = counts
        else:
            folded += 1
            for k, v in counts.items():
                rest[k] = rest.get(k, 0) + v
    if folded:
        shown[f"({_many(folded, 'other ' + what)})"] = rest
    return shown


def _ratio(v: float | None) -> str:
    return "-" if v is None else f"{v:.1%}"


_ORDER = {c: i for i, c in enumerate(CLASSES)}


def _rows(a: Audit) -> list[A]:
    """The containers, misses first (class order, then input order)."""
    return sorted(a.containers, key=lambda c: _ORDER[c.outcome])


@register(Audit)
class AuditView:
    def document(self, a: Audit) -> dict[str, Any]:
        return {"summary": a.summary, "errors": list(a.errors), "containers": Rows(AUDIT_COLUMNS, _rows(a))}

    def blocks(self, a: Audit, level: Show) -> Iterable[Block]:
        return [*audit_summary_blocks(a.summary), "\n", self.rows(a)]

    def rows(self, a: Audit) -> Rows[A]:
        return Rows(AUDIT_COLUMNS, _rows(a))
