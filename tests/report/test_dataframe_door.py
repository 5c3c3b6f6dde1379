"""One door for DataFrames: ``kubehash.to_dataframe`` is :func:`kubehash.report.to_dataframe`, gives the same frame
as the prediction and analysis helpers, and ``import kubehash`` neither loads pandas nor needs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import kubehash
import kubehash.analysis
import kubehash.report
import kubehash.report.prediction

CLUSTER = Path(__file__).parents[2] / "examples" / "cluster"


@pytest.fixture(scope="module")
def prediction() -> kubehash.Prediction:
    """The bundled example cluster, with its runtime records (hashes, start times, owners all filled)."""
    cluster = kubehash.Cluster(
        pods=str(CLUSTER / "pods.json"), nodes=str(CLUSTER / "nodes.json"), runtime=(str(CLUSTER / "runtime"),)
    )
    return kubehash.predict_cluster(cluster, kubehash.Options(to="1.17"))


def test_the_root_door_is_the_report_door() -> None:
    assert kubehash.to_dataframe is kubehash.report.to_dataframe
    assert "to_dataframe" in kubehash.__all__ and "to_dataframe" in dir(kubehash)


def test_every_prediction_frame_is_the_same(prediction: kubehash.Prediction) -> None:
    frames = {
        "kubehash.to_dataframe": kubehash.to_dataframe(prediction),
        "kubehash.report.prediction.containers_frame": kubehash.report.prediction.containers_frame(prediction),
        "kubehash.analysis.containers_frame": kubehash.analysis.containers_frame(prediction),
    }
    if hasattr(prediction, "to_dataframe"):  # a method, should the result grow one
        frames["Prediction.to_dataframe"] = prediction.to_dataframe()
    first = frames["kubehash.to_dataframe"]
    assert len(first) == len(prediction) > 0
    assert {"verdict", "old_hash", "new_hash", "owner_kind", "owner_name", "reasons"} <= set(first.columns)
    for name, df in frames.items():
        assert list(df.columns) == list(first.columns), name
        pd.testing.assert_frame_equal(df, first, obj=name)


def test_a_fleet_frame_names_the_cluster_first() -> None:
    from kubehash.pipeline.fleet import predict_fleet

    one = kubehash.Cluster(pods=str(CLUSTER / "pods.json"), nodes=str(CLUSTER / "nodes.json"))
    fleet = predict_fleet([one, one], kubehash.Options(to="1.17"), jobs=1)
    df = kubehash.to_dataframe(fleet)
    assert df.columns[0] == "cluster"
    pd.testing.assert_frame_equal(df, kubehash.analysis.containers_frame(fleet))


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_import_kubehash_loads_neither_pandas_nor_the_writers() -> None:
    out = _run(
        "import sys, kubehash; print(sorted(m for m in ('pandas', 'kubehash.report.output') if m in sys.modules))"
    )
    assert out == "[]"


def test_without_pandas_import_works_and_the_door_says_what_to_install() -> None:
    code = (
        "import sys\n"
        "sys.modules['pandas'] = None  # as if the analysis extra were not installed\n"
        "import kubehash\n"
        "p = kubehash.predict([], kubehash.Options(to='1.17'))\n"
        "try:\n"
        "    kubehash.to_dataframe(p)\n"
        "except kubehash.KubehashError as e:\n"
        "    print(e)\n"
    )
    assert _run(code) == "DataFrames need pandas: pip install 'kubehash[analysis]'"
