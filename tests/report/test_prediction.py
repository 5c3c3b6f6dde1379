"""The container registry: the DataFrame door and analysis agree, documents keep their shape."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from hypothesis import given, settings
from report_strategies import predictions

from kubehash.analysis import containers_frame
from kubehash.report import to_dataframe, to_document, to_rows
from kubehash.report.prediction import CONTAINER_COLUMNS
from kubehash.sources.documents import load_documents
from kubehash.upgrade.labels import reason_labels
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import Prediction, predict

CLUSTER = Path(__file__).parents[2] / "examples" / "cluster"


@settings(max_examples=80, deadline=None)
@given(p=predictions())
def test_dataframe_doors_agree(p: Prediction) -> None:
    df = to_dataframe(p)
    pd.testing.assert_frame_equal(df, containers_frame(p))
    names = [f"{c.name}_{part}" for c in CONTAINER_COLUMNS for part in c.parts] or []
    assert set(names) <= set(df.columns) and len(df) == len(p)
    assert list(df["reasons"]) == [tuple(reason_labels(c.reasons)) for c in p]
    kinds = [None if x is None or x is pd.NA or (isinstance(x, float) and x != x) else x for x in df["owner_kind"]]
    assert kinds == [c.owner_kind if c.owner_kind else None for c in p]


@settings(max_examples=80, deadline=None)
@given(p=predictions())
def test_rows_and_documents_come_from_the_registry(p: Prediction) -> None:
    doc = to_document(p)
    assert [list(c) for c in doc["containers"]] == [[col.name for col in CONTAINER_COLUMNS]] * len(p)
    rows = to_rows(p)
    assert [r["old_hash"] for r in rows] == ["" if c.old_hash is None else f"{c.old_hash:x}" for c in p]
    assert [r["reasons"] for r in rows] == [c.reason_text() for c in p]
    assert "error" not in (rows[0] if rows else {})


def test_example_cluster_frame() -> None:
    p = predict(load_documents(CLUSTER / "pods.json"), Options(to="1.17"), nodes=load_documents(CLUSTER / "nodes.json"))
    df = to_dataframe(p)
    assert (df["verdict"] == "restart").sum() == len(p.restarts)
    assert str(df["old_hash"].dtype) in ("int64", "Int64")
    assert df["started_at"].notna().any()
