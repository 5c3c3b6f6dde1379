"""DataFrames of results: one row per item, one column per registry column (pandas, the ``analysis`` extra).

Each column holds the column's DataFrame value (:attr:`~kubehash.report.columns.Column.frame`, by default its
typed value); a mapping-valued column with ``parts`` becomes one column per part (``owner`` ->
``owner_kind``, ``owner_name``). Integer columns with missing values are pandas' nullable ``Int64``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from kubehash.errors import KubehashError
from kubehash.report.columns import Column, frame_values

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["frame"]

T = TypeVar("T")
_INT64 = range(-(2**63), 2**63)


def _pandas() -> Any:
    try:
        import pandas as pd
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise KubehashError("DataFrames need pandas: pip install 'kubehash[analysis]'") from e
    return pd


def _series(pd: Any, vals: list[Any]) -> Any:
    types = set(map(type, vals))
    if (
        int in types
        and types <= {int, type(None)}
        and type(None) in types
        and all(v is None or v in _INT64 for v in vals)
    ):
        return pd.array(vals, dtype="Int64")
    return vals


def frame(columns: Sequence[Column[T]], items: Sequence[T]) -> pd.DataFrame:
    """The DataFrame of ``items`` shown through ``columns``."""
    pandas = _pandas()
    data: dict[str, Any] = {}
    for c in columns:
        vals = frame_values(c, items)
        if c.parts:
            for part in c.parts:
                data[f"{c.name}_{part}"] = [None if v is None else v.get(part) for v in vals]
        else:
            data[c.name] = _series(pandas, vals)
    df: pd.DataFrame = pandas.DataFrame(data, columns=list(data))
    return df
