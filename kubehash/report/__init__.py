"""Rendering results for people and programs: terminal tables, JSON, YAML, CSV, Markdown, DataFrames.

Each result type has one column registry (a tuple of :class:`~kubehash.report.columns.Column`) in its module:
:mod:`~kubehash.report.prediction`, :mod:`~kubehash.report.plan`, :mod:`~kubehash.report.preflight`,
:mod:`~kubehash.report.ignorefile`, :mod:`~kubehash.report.hashes`, :mod:`~kubehash.report.explain`,
:mod:`~kubehash.report.versions`. Every output derives from it (:mod:`kubehash.report.formats`)::

    from kubehash.report import write, to_document, to_dataframe
    write(prediction, "yaml", sys.stdout)     # any of FORMATS, a chunk at a time
    doc = to_document(prediction)             # what json/yaml write, as Python values
    df = to_dataframe(prediction)             # one row per container (pandas)
"""

from kubehash.report.columns import Column, Show
from kubehash.report.formats import FORMATS, FormatError
from kubehash.report.output import render, to_dataframe, to_document, to_rows, write

__all__ = ["FORMATS", "Column", "FormatError", "Show", "render", "to_dataframe", "to_document", "to_rows", "write"]
