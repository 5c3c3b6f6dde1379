"""Rendering a :class:`~kubehash.upgrade.predict.Prediction`: summary tables plus per-container rows.

``table`` shows the summary (per node, per namespace, by reason) and one row per container with the
columns a reader needs; ``wide`` adds kind, decode path, versions, recorded hash, model check and owner.
``json``/``yaml`` give the stable document ``{"summary": ..., "containers": [...]}``; ``csv``/``markdown``
give the rows only (all ``wide`` columns).

:func:`write_prediction` writes any of them a few thousand containers at a time, cells computed a column at a
time from the :class:`~kubehash.upgrade.predict.ContainerPrediction` objects (no per-row dicts, no whole
document): the bytes are those of ``render_rows(prediction.rows(), ...)`` and of ``json.dumps``/
``yaml.safe_dump`` of ``prediction.to_dict()``.
"""

from __future__ import annotations

import csv
import io
from itertools import repeat
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TextIO

import yaml

from kubehash.report.predict_json import write_prediction_json
from kubehash.report.render import cell_text, render_rows
from kubehash.report.table import write_table

if TYPE_CHECKING:
    from kubehash.upgrade.predict.result import ContainerPrediction, Prediction

__all__ = ["PREDICT_FORMATS", "render_prediction", "write_prediction"]

PREDICT_FORMATS = ("table", "wide", "json", "yaml", "csv", "markdown")

TABLE_COLUMNS = ["namespace", "pod", "container", "node", "old_hash", "new_hash", "verdict", "reasons"]
WIDE_COLUMNS = [
    "namespace",
    "pod",
    "container",
    "kind",
    "node",
    "source",
    "old_version",
    "new_version",
    "old_hash",
    "recorded_hash",
    "new_hash",
    "verdict",
    "model_check",
    "owner",
    "reasons",
]
_CHUNK = 4096  # containers per write (csv, markdown, yaml)
_VERDICT_ORDER = ("restart", "protected", "error", "unchanged", "not-running", "not-checked")


def _count_rows(groups: dict[str, dict[str, int]], label: str) -> tuple[list[dict[str, Any]], list[str]]:
    verdicts = [v for v in _VERDICT_ORDER if any(v in g for g in groups.values())]
    rows = [{label: k, **{v: g.get(v, 0) for v in verdicts}, "total": sum(g.values())} for k, g in groups.items()]
    return rows, [label, *verdicts, "total"]


def render_summary(summary: dict[str, Any]) -> str:
    """The summary as text tables: verdict totals, per node, per namespace, restart reasons."""
    parts = []
    cp = f", control plane {summary['control_plane']}" if summary.get("control_plane") else ""
    verdicts = ", ".join(f"{n} {v}" for v, n in summary["verdicts"].items()) or "nothing"
    n = summary["containers"]
    parts.append(f"Upgrade to kubelet {summary['to']}{cp}: {n} container{'' if n == 1 else 's'}: {verdicts}\n")
    checks = summary.get("model_check") or {}
    if checks.get("match") or checks.get("mismatch"):
        parts.append(
            f"Model check against recorded hashes: {checks.get('match', 0)} match, {checks.get('mismatch', 0)} "
            f"mismatch, {checks.get('unverified', 0)} without a runtime record\n"
        )
    rows, cols = _count_rows(summary["by_node"], "node")
    parts.append("\n" + render_rows(rows, cols, "table"))
    rows, cols = _count_rows(summary["by_namespace"], "namespace")
    parts.append("\n" + render_rows(rows, cols, "table"))
    if summary["restart_reasons"]:
        rrows = [{"reason": k, "restarts": v} for k, v in summary["restart_reasons"].items()]
        parts.append("\n" + render_rows(rrows, ["reason", "restarts"], "table"))
    return "".join(parts)


class _Cells:
    """The cell text of each row column (:meth:`~kubehash.upgrade.predict.ContainerPrediction.row` values
    as ``render_rows`` shows them), a column at a time. Replicas share their reason lists: the text of each
    distinct list is built once (ids are stable while the prediction is alive)."""

    def __init__(self) -> None:
        self._reasons: dict[tuple[int, ...], str] = {}

    def columns(self, containers: list[ContainerPrediction], names: list[str]) -> list[list[str]]:
        return [self.column(containers, name) for name in names]

    def column(self, containers: list[ContainerPrediction], name: str) -> list[str]:
        if name == "owner":
            return [f"{c.owner_kind}/{c.owner_name}" if c.owner_kind else "" for c in containers]
        if name == "reasons":
            return self._reason_texts(containers)
        values = list(map(attrgetter(name), containers))
        types = set(map(type, values))
        if name in ("old_hash", "new_hash", "recorded_hash"):
            if types == {int}:
                return list(map(format, values, repeat("x")))
            return ["" if h is None else f"{h:x}" for h in values]
        if types == {str}:
            return values
        if name in ("namespace", "pod", "node", "old_version"):  # row(): `value or ""`
            return [v if type(v) is str else cell_text(v or "") for v in values]
        return [v if type(v) is str else cell_text(v) for v in values]

    def _reason_texts(self, containers: list[ContainerPrediction]) -> list[str]:
        """:meth:`~kubehash.upgrade.predict.ContainerPrediction.reason_text` of each container, built once
        per distinct reason list (containers with an error show it instead)."""
        if any(map(attrgetter("error"), containers)):
            return [self._reason_text(c) for c in containers]
        keys = list(map(tuple, map(map, repeat(id), map(attrgetter("reasons"), containers))))
        for key, c in dict(zip(keys, containers, strict=True)).items():
            if key not in self._reasons:
                text = c.reason_text()
                self._reasons[key] = text if type(text) is str else cell_text(text)
        return list(map(self._reasons.__getitem__, keys))

    def _reason_text(self, c: ContainerPrediction) -> str:
        if c.error or not c.reasons:
            text = c.reason_text()
            return text if type(text) is str else cell_text(text)
        key = tuple(map(id, c.reasons))
        text = self._reasons.get(key)
        if text is None:
            text = self._reasons[key] = c.reason_text()
        return text


def _write_yaml(summary: dict[str, Any], containers: list[ContainerPrediction], out: TextIO) -> None:
    """``yaml.safe_dump({"summary": ..., "containers": [...]}, sort_keys=False, allow_unicode=True)``, a chunk
    of containers at a time: a block sequence under a top-level key is not indented, so the document's text
    is the summary's, ``containers:`` and the text of each chunk as a top-level list (no object is shared
    between containers' dicts, so there are no anchors to number across chunks)."""
    out.write(yaml.safe_dump({"summary": summary}, sort_keys=False, allow_unicode=True))
    if not containers:
        out.write("containers: []\n")
        return
    out.write("containers:\n")
    for start in range(0, len(containers), _CHUNK):
        chunk = [c.to_dict() for c in containers[start : start + _CHUNK]]
        out.write(yaml.safe_dump(chunk, sort_keys=False, allow_unicode=True))


def write_prediction(prediction: Prediction, fmt: str, out: TextIO) -> None:
    """Write ``prediction`` as ``fmt`` (one of :data:`PREDICT_FORMATS`) to ``out``, a chunk at a time.

    The bytes are those of the whole-document renderings (``render_rows`` of ``prediction.rows()``,
    ``json.dumps``/``yaml.safe_dump`` of ``prediction.to_dict()``); the summary is computed once."""
    if fmt not in PREDICT_FORMATS:
        raise ValueError(f"unknown output format {fmt!r}")
    containers = prediction.containers
    if fmt == "json":
        write_prediction_json(prediction.summary, containers, out)
    elif fmt == "yaml":
        _write_yaml(prediction.summary, containers, out)
    elif fmt in ("table", "wide"):
        columns = TABLE_COLUMNS if fmt == "table" else WIDE_COLUMNS
        out.write(render_summary(prediction.summary))
        out.write("\n")
        write_table([c.upper().replace("_", " ") for c in columns], _Cells().columns(containers, columns), out)
    else:
        cells = _Cells()
        if fmt == "csv":
            w = csv.writer(out, lineterminator="\n")
            w.writerow(WIDE_COLUMNS)
        else:
            out.write("| " + " | ".join(WIDE_COLUMNS) + " |\n|" + "|".join("---" for _ in WIDE_COLUMNS) + "|\n")
        for start in range(0, len(containers), _CHUNK):
            cols = cells.columns(containers[start : start + _CHUNK], WIDE_COLUMNS)
            if fmt == "csv":
                w.writerows(zip(*cols, strict=True))
            else:
                cols = [[v.replace("|", "\\|") for v in col] if "|" in "".join(col) else col for col in cols]
                out.write("".join(["| " + " | ".join(row) + " |\n" for row in zip(*cols, strict=True)]))


def render_prediction(prediction: Prediction, fmt: str) -> str:
    """:func:`write_prediction` into a string."""
    buf = io.StringIO()
    write_prediction(prediction, fmt, buf)
    return buf.getvalue()
