"""A :class:`~kubehash.upgrade.predict.Prediction`: the container columns, the summary, its outputs.

``table`` shows the summary (verdict totals, per node, per namespace, restart reasons) and one row per
container with the columns a reader needs; ``wide`` every column but ``error`` (the reasons cell shows it);
``json``/``yaml`` the document ``{"summary": ..., "containers": [...]}``; ``csv``/``markdown`` the ``wide``
rows. Hashes are decimal integers in documents and DataFrames and the runtime's hex form in cells.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING, Any

from kubehash.report.columns import Column, Show, cell_text
from kubehash.report.formats import Block, Rows, register
from kubehash.upgrade.labels import reason_labels
from kubehash.upgrade.predict.result import ContainerPrediction, Prediction, PredictionSummary

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CONTAINER_COLUMNS", "containers_frame", "hex_text", "summary_blocks"]

C = ContainerPrediction


def hex_text(h: Any) -> str:
    """A hash as the container runtime shows it (lowercase hex); ``None`` empty."""
    return format(h, "x") if type(h) is int else cell_text(h)


def _hash(name: str, show: Show = Show.TABLE) -> Column[Any]:
    return Column(name, attrgetter(name), show=show, text=hex_text)


def _reason_keys(items: Sequence[C]) -> list[Hashable]:
    """Replicas share their Reason objects: a reason list is known by the ids of its reasons (and the error,
    which the reasons cell shows instead)."""
    keys: list[Hashable] = list(map(tuple, map(map, repeat(id), map(attrgetter("reasons"), items))))
    if any(map(attrgetter("error"), items)):
        keys = [(c.error, k) for c, k in zip(items, keys, strict=True)]
    return keys


def _reasons(c: C) -> list[dict[str, Any]]:
    return [{"kind": r.kind, "path": r.path, "detail": r.detail, "text": r.text()} for r in c.reasons]


def _owner_keys(items: Sequence[C]) -> list[Hashable]:
    """Containers of one owner share its mapping (owners read from odd JSON: numbers or booleans, which compare
    equal to each other, are not shared)."""
    kinds, names = list(map(attrgetter("owner_kind"), items)), list(map(attrgetter("owner_name"), items))
    if set(map(type, kinds)) | set(map(type, names)) <= {str, type(None)}:
        return list(zip(kinds, names, strict=True))
    return list(map(id, items))


def _owner(c: C) -> dict[str, Any] | None:
    return {"kind": c.owner_kind, "name": c.owner_name} if c.owner_kind else None


#: One column per field of a container's prediction, in the order of its document.
CONTAINER_COLUMNS: tuple[Column[C], ...] = (
    Column("namespace", attrgetter("namespace")),
    Column("pod", attrgetter("pod")),
    Column("container", attrgetter("container")),
    Column("kind", attrgetter("kind"), show=Show.WIDE),
    Column("node", attrgetter("node")),
    Column("source", attrgetter("source"), show=Show.WIDE),
    Column("old_version", attrgetter("old_version"), show=Show.WIDE),
    Column("new_version", attrgetter("new_version"), show=Show.WIDE),
    _hash("old_hash"),
    _hash("new_hash"),
    _hash("recorded_hash", Show.WIDE),
    Column("verdict", attrgetter("verdict")),
    Column(
        "reasons",
        _reasons,
        cell=C.reason_text,
        frame=lambda c: tuple(reason_labels(c.reasons)),
        keys=_reason_keys,
    ),
    Column("error", attrgetter("error"), show=Show.DATA),
    Column("started_at", attrgetter("started_at"), show=Show.WIDE),
    Column("model_check", attrgetter("model_check"), show=Show.WIDE),
    Column(
        "owner",
        _owner,
        cell=lambda c: f"{c.owner_kind}/{c.owner_name}" if c.owner_kind else None,
        show=Show.WIDE,
        parts=("kind", "name"),
        keys=_owner_keys,
    ),
)

#: A fleet's predictions name each container's cluster first.
FLEET_COLUMNS: tuple[Column[C], ...] = (Column("cluster", attrgetter("cluster")), *CONTAINER_COLUMNS)


def columns_for(containers: Sequence[C]) -> tuple[Column[C], ...]:
    """:data:`FLEET_COLUMNS` when the containers come from several clusters, else :data:`CONTAINER_COLUMNS`."""
    return FLEET_COLUMNS if containers and containers[0].cluster is not None else CONTAINER_COLUMNS


_VERDICT_ORDER = ("restart", "protected", "error", "unchanged", "not-running", "not-checked")


def _counts(groups: dict[str, dict[str, int]], label: str) -> Rows[Any]:
    """A count table: one row per group, one column per verdict that occurs, and the total."""
    verdicts = [v for v in _VERDICT_ORDER if any(v in g for g in groups.values())]
    items = [(k, *(g.get(v, 0) for v in verdicts), sum(g.values())) for k, g in groups.items()]
    names = [label, *verdicts, "total"]
    return Rows([Column(name, itemgetter(i)) for i, name in enumerate(names)], items)


def summary_blocks(summary: PredictionSummary) -> list[Block]:
    """The summary for people: a line of verdict totals, the model check, and the count tables."""
    cp = f", control plane {summary['control_plane']}" if summary.get("control_plane") else ""
    verdicts = ", ".join(f"{n} {v}" for v, n in summary["verdicts"].items()) or "nothing"
    n = summary["containers"]
    blocks: list[Block] = [
        f"Upgrade to kubelet {summary['to']}{cp}: {n} container{'' if n == 1 else 's'}: {verdicts}\n"
    ]
    checks = summary.get("model_check") or {}
    if checks.get("match") or checks.get("mismatch"):
        blocks.append(
            f"Model check against recorded hashes: {checks.get('match', 0)} match, {checks.get('mismatch', 0)} "
            f"mismatch, {checks.get('unverified', 0)} without a runtime record\n"
        )
    if summary.get("manifests"):
        blocks.append(manifests_line(summary["manifests"]))
    for line in summary.get("warnings", ()):
        blocks.append(f"Warning: {line}\n")
    for side in _assumed_sides(summary):
        blocks.append(side)
    if summary.get("by_cluster"):
        blocks += ["\n", _counts(summary["by_cluster"], "cluster")]
    blocks += ["\n", _counts(summary["by_node"], "node"), "\n", _counts(summary["by_namespace"], "namespace")]
    if summary["restart_reasons"]:
        reasons = Rows(
            [Column("reason", itemgetter(0)), Column("restarts", itemgetter(1))],
            list(summary["restart_reasons"].items()),
        )
        blocks += ["\n", reasons]
    return blocks


def manifests_line(m: dict[str, Any]) -> str:
    """``Manifests: 3 files, 12 objects, 9 with pod templates, skipped: 2 ConfigMap, 1 custom resource``: what
    --manifests/--static-pods read (the counts of ``summary.manifests``)."""
    pods, skipped, custom = m.get("pods", 0), dict(m.get("skipped") or {}), len(m.get("custom_resources") or ())
    objects = pods + sum(skipped.values()) + custom
    parts = [f"{n} {kind}" for kind, n in skipped.items()]
    if custom:
        parts.append(f"{custom} custom resource{'' if custom == 1 else 's'}")
    files = m.get("files", 0)
    text = f"Manifests: {files} file{'' if files == 1 else 's'}, {objects} object{'' if objects == 1 else 's'}, "
    text += f"{pods} with pod templates" + (f", skipped: {', '.join(parts)}" if parts else "")
    return text + "\n"


def _assumed_sides(summary: PredictionSummary) -> list[str]:
    """One line per side of the upgrade: the kubelet version and the Go toolchain assumed, and what was assumed
    rather than known (a bare minor taken as its newest patch, a vendor build taken to use upstream's Go)."""
    lines = []
    for key, side in (summary.get("sides") or {}).items():
        who = "Target" if key == "to" else "Nodes at"
        text = f"{who} {side['version']}: built with Go {side['go']} ({side['basis']})"
        if side.get("assumptions"):
            text += "; " + "; ".join(side["assumptions"])
        lines.append(text + "\n")
    return lines


@register(Prediction)
class PredictionView:
    def document(self, p: Prediction) -> dict[str, Any]:
        return {"summary": p.summary, "containers": Rows(columns_for(p.containers), p.containers)}

    def blocks(self, p: Prediction, level: Show) -> Iterable[Block]:
        return [*summary_blocks(p.summary), "\n", self.rows(p)]

    def rows(self, p: Prediction) -> Rows[C]:
        return Rows(columns_for(p.containers), p.containers)


def containers_frame(prediction: Iterable[C]) -> pd.DataFrame:
    """One row per container (pandas), a column per :data:`CONTAINER_COLUMNS` entry (``owner`` as ``owner_kind``
    and ``owner_name``; ``reasons`` as a tuple of reason labels, ``started_at`` a time); the same frame as
    :func:`kubehash.report.to_dataframe` of a prediction."""
    from kubehash.report.frames import frame

    containers = list(prediction)
    return frame(columns_for(containers), containers)
