"""Writing any result: :func:`write` (a format to a text stream, a chunk at a time), :func:`render` (into a
string), :func:`to_document` (the document as Python values), :func:`to_rows` (cell text) and
:func:`to_dataframe` (pandas, imported when called). Each result type's columns are in its module of
:mod:`kubehash.report`; :data:`Result` is every type they know."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, TextIO, TypeAlias

from kubehash.errors import FormatError
from kubehash.report import audit, explain, hashes, ignorefile, plan, prediction, preflight, versions  # noqa: F401 (views)
from kubehash.report.columns import Show, cell_text, cells, shown
from kubehash.report.explain import Explanations
from kubehash.report.formats import (
    FORMATS,
    Rows,
    view_of,
    write_csv,
    write_json,
    write_markdown,
    write_text,
    write_yaml,
)
from kubehash.report.frames import frame
from kubehash.report.hashes import Hashes
from kubehash.report.ignorefile import GeneratedFiles, IgnoreCheck
from kubehash.report.versions import Versions
from kubehash.upgrade.audit.result import Audit
from kubehash.upgrade.plan.planner import UpgradePlan
from kubehash.upgrade.predict.result import Prediction
from kubehash.upgrade.preflight.report import PreflightReport

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Result", "render", "to_dataframe", "to_document", "to_rows", "write"]

#: Every result the writers know: what the doors return (a prediction, a plan, a preflight report, an audit) and
#: what the commands write (explanations, hashes, versions, ignore-file checks and generated files).
Result: TypeAlias = (
    Prediction | UpgradePlan | PreflightReport | Audit | Explanations | Hashes | Versions | IgnoreCheck | GeneratedFiles
)

#: Other names of formats: ``text`` is ``table`` (``kubehash explain -o text``).
_ALIASES = {"text": "table"}


def write(result: Any, fmt: str, out: TextIO) -> None:
    """Write ``result`` as ``fmt`` (one of :data:`~kubehash.report.formats.FORMATS`) to ``out``."""
    fmt = _ALIASES.get(fmt, fmt)
    if fmt not in FORMATS:
        raise FormatError(f"unknown output format {fmt!r} (one of {', '.join(FORMATS)})")
    view = view_of(result)
    if fmt == "json":
        write_json(view.document(result), out)
    elif fmt == "yaml":
        write_yaml(view.document(result), out)
    elif fmt == "csv":
        write_csv(view.rows(result), out)
    elif fmt == "markdown":
        write_markdown(view.rows(result), out)
    else:
        level = Show.TABLE if fmt == "table" else Show.WIDE
        write_text(view.blocks(result, level), level, out)


def render(result: Any, fmt: str) -> str:
    """:func:`write` into a string."""
    buf = io.StringIO()
    write(result, fmt, buf)
    return buf.getvalue()


def _materialized(v: Any) -> Any:
    return v.dicts() if isinstance(v, Rows) else v


def to_document(result: Any) -> Any:
    """The document ``json`` and ``yaml`` write, as Python values (typed: numbers, booleans, ``None``)."""
    doc = view_of(result).document(result)
    if isinstance(doc, dict):
        return {k: _materialized(v) for k, v in doc.items()}
    return _materialized(doc)


def to_rows(result: Any, level: Show = Show.WIDE) -> list[dict[str, str]]:
    """The rows ``csv`` writes (``level=Show.TABLE``: only the ``table`` columns), cell text by column name,
    not escaped."""
    rows = view_of(result).rows(result)
    columns = shown(rows.columns, level)
    cols = cells(columns, rows.items)
    names = [c.name for c in columns]
    return [dict(zip(names, map(cell_text, row), strict=True)) for row in zip(*cols, strict=True)]


def to_dataframe(result: Result) -> pd.DataFrame:
    """The rows of ``result`` as a pandas DataFrame, one column per column of its registry holding the typed
    value (see :mod:`kubehash.report.frames`): a prediction's containers (the frame of
    :func:`kubehash.report.prediction.containers_frame`), a plan's paths, a preflight report's findings, an
    audit's containers. Needs pandas (the ``analysis`` extra), imported here, not by ``import kubehash``;
    without it a :class:`~kubehash.errors.KubehashError` says how to install it."""
    rows = view_of(result).rows(result)
    return frame(rows.columns, rows.items)
