"""The streamed prediction writers print exactly what the whole-document renderings printed."""

from __future__ import annotations

import io
import json
import string
import subprocess
import sys
from datetime import timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from _reference import old_render_prediction, old_summary, old_table
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash.report.predict_json import _FIELDS, write_prediction_json
from kubehash.report.prediction import (
    PREDICT_FORMATS,
    TABLE_COLUMNS,
    WIDE_COLUMNS,
    render_prediction,
    render_summary,
    write_prediction,
)
from kubehash.report.render import render_rows
from kubehash.sources.documents import load_documents
from kubehash.upgrade.explain import Reason
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import VERDICTS, ContainerPrediction, Prediction, predict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "benchmarks"))
import generate

ODD = "\"\\|/\n\t\r\x00\x1f\x7fé中\u2028😀'#:-[]{}&*!%@`"
# Mostly printable ASCII (the fast table layout), sometimes anything (rich lays the table out).
TEXT = st.one_of(
    st.text(string.ascii_letters + string.digits + " -/:;.", max_size=40),
    st.text(string.printable + ODD, max_size=12),
)
NAME = st.one_of(st.none(), st.just(""), TEXT)
HASH = st.one_of(st.none(), st.integers(0, 2**64 - 1))
WHEN = st.one_of(
    st.none(),
    st.datetimes(timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=5, minutes=30))])),
)
KINDS = st.sampled_from(["algorithm", "default-added", "field-added", "x y"])
REASON = st.builds(Reason, kind=KINDS, path=TEXT, detail=TEXT)


@st.composite
def predictions(draw: Any) -> Prediction:
    """Containers as predict makes them, replicas included: they share their Reason objects (sometimes the
    very list, sometimes a list of the same objects)."""
    pool = draw(st.lists(st.lists(REASON, max_size=3), min_size=1, max_size=4))
    containers = []
    for _ in range(draw(st.integers(0, 7))):
        reasons = pool[draw(st.integers(0, len(pool) - 1))]
        if draw(st.booleans()):
            reasons = list(reasons)
        verdict = draw(st.sampled_from(VERDICTS))
        containers.append(
            ContainerPrediction(
                namespace=draw(NAME),
                pod=draw(NAME),
                container=draw(TEXT),
                kind=draw(st.sampled_from(["container", "initContainer"])),
                node=draw(NAME),
                source=draw(st.sampled_from(["apiserver", "file"])),
                old_version=draw(st.one_of(st.none(), st.just("1.16"))),
                new_version="1.17",
                old_hash=draw(HASH),
                new_hash=draw(HASH),
                recorded_hash=draw(HASH),
                verdict=verdict,
                reasons=reasons,
                error=draw(st.one_of(st.none(), TEXT)) if verdict == "error" else None,
                started_at=draw(WHEN),
                model_check=draw(st.sampled_from(["match", "mismatch", "unverified"])),
                owner_kind=draw(st.one_of(st.none(), st.just(""), st.just("ReplicaSet"))),
                owner_name=draw(NAME),
            )
        )
    hits, misses = draw(st.integers(0, 50)), draw(st.integers(0, 50))
    return Prediction(draw(st.just("1.17")), draw(st.one_of(st.none(), st.just("1.18"))), containers, hits, misses)


def _json(p: Prediction) -> str:
    return json.dumps(p.to_dict(), indent=2, ensure_ascii=False) + "\n"


def test_json_fields_are_to_dict() -> None:
    c = ContainerPrediction("ns", "p", "c", "container", "n", "apiserver", "1.16", "1.17")
    assert [key for key, _ in _FIELDS] == list(c.to_dict())


@settings(max_examples=300, deadline=None)
@given(p=predictions())
def test_json_is_json_dumps(p: Prediction) -> None:
    buf = io.StringIO()
    write_prediction_json(p.summary, p.containers, buf)
    assert buf.getvalue() == _json(p)
    assert json.loads(buf.getvalue()) == json.loads(json.dumps(p.to_dict()))


@settings(max_examples=100, deadline=None)
@given(p=predictions())
def test_summary_is_the_per_container_count(p: Prediction) -> None:
    assert repr(p.summary) == repr(old_summary(p))  # key order included


@settings(max_examples=40, deadline=None)
@given(p=predictions(), fmt=st.sampled_from(PREDICT_FORMATS))
def test_every_format_is_the_old_rendering(p: Prediction, fmt: str) -> None:
    assert render_prediction(p, fmt) == old_render_prediction(p, fmt)


@pytest.fixture(scope="module")
def generated() -> Prediction:
    """A realistic prediction: 9000+ containers (more than one write chunk), long pod names (the wide table
    is wider than the console: folded)."""
    gen = generate.generate(400, seed=11, kubelet="v1.10.13")
    pods = {"kind": "List", "items": list(gen.pods(400))}
    p = predict(pods, Options(to="1.17"), nodes=gen.node_list())
    p.containers = p.containers * 12  # replicas of replicas: shared Reason objects, several chunks
    assert len(p) > 5000 and max(len(c.pod or "") for c in p) > 30
    return p


@pytest.mark.parametrize("fmt", PREDICT_FORMATS)
def test_generated_prediction_is_the_old_rendering(generated: Prediction, fmt: str) -> None:
    if fmt == "yaml":
        generated = Prediction(generated.to, generated.control_plane, generated.containers[:300])
    assert render_prediction(generated, fmt) == old_render_prediction(generated, fmt)


def test_empty_prediction() -> None:
    p = Prediction("1.17", None, [])
    for fmt in PREDICT_FORMATS:
        assert render_prediction(p, fmt) == old_render_prediction(p, fmt)
    assert render_prediction(p, "json") == _json(p)


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown output format"):
        write_prediction(Prediction("1.17", None, []), "xml", io.StringIO())


def test_examples_cluster(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent.parent / "examples" / "cluster"
    p = predict(load_documents(root / "pods.json"), Options(to="1.17"), nodes=load_documents(root / "nodes.json"))
    assert len(p) > 0
    for fmt in PREDICT_FORMATS:
        assert render_prediction(p, fmt) == old_render_prediction(p, fmt)


ROW = st.fixed_dictionaries(
    {c: st.one_of(st.none(), TEXT, st.integers(), st.lists(TEXT, max_size=2)) for c in ("a_b", "c", "reasons")}
)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(ROW, max_size=5))
def test_render_rows_table_is_the_old_table(rows: list[dict[str, Any]]) -> None:
    assert render_rows(rows, ["a_b", "c", "reasons"], "table") == old_table(rows, ["a_b", "c", "reasons"])


def test_table_is_summary_and_rows(generated: Prediction) -> None:
    for fmt, columns in (("table", TABLE_COLUMNS), ("wide", WIDE_COLUMNS)):
        expected = render_summary(generated.summary) + "\n" + render_rows(generated.rows(), columns, "table")
        assert render_prediction(generated, fmt) == expected


def test_cli_output_cut_short_is_quiet(tmp_path: Path) -> None:
    """``kubehash predict ... | head -1``: no BrokenPipeError traceback when the reader goes away."""
    gen = generate.write_pod_list(tmp_path / "pods.json", 400, seed=2, kubelet="v1.16.15")
    (tmp_path / "nodes.json").write_text(json.dumps(gen.node_list()))
    args = ["predict", "--to", "1.17", "--pods", str(tmp_path / "pods.json"), "--nodes", str(tmp_path / "nodes.json")]
    code = "import sys; from kubehash.cli import main; sys.exit(main())"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, *args, "-o", "json", "-q"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"{\n"
    proc.stdout.close()  # far less than the whole document (hundreds of KB) was read
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 3  # restarts predicted, as if the output had been read
    assert err == ""


def test_owners_that_compare_equal_stay_distinct() -> None:
    """Owner references read from odd JSON can be numbers or booleans: 1, true and 1.0 are equal dict keys
    in Python but different JSON."""
    owners = [("RS", 1), ("RS", True), ("RS", 1.0), (1, "x"), (True, "x"), ("RS", "a")]
    base = ("ns", "p", "c", "container", "n", "apiserver", "1.10", "1.17")
    cs = [ContainerPrediction(*base, owner_kind=k, owner_name=n) for k, n in owners]
    p = Prediction("1.17", None, cs)
    buf = io.StringIO()
    write_prediction_json(p.summary, p.containers, buf)
    assert buf.getvalue() == _json(p)
    assert [c["owner"] for c in json.loads(buf.getvalue())["containers"]] == [{"kind": k, "name": n} for k, n in owners]
