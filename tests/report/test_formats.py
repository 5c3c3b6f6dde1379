"""Every format of every result type: valid UTF-8, data formats read back (JSON and YAML give the same
document), human formats never carry raw control characters, output is the same whatever the chunk size."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml
from hypothesis import given, settings
from report_strategies import TEXT, predictions

from kubehash.kubelet.releases import RELEASES
from kubehash.report import FORMATS, FormatError, Show, render, to_document, to_rows, write
from kubehash.report import formats as formats_module
from kubehash.report.columns import cell_text, shown
from kubehash.report.explain import Explained, Explanations
from kubehash.report.formats import view_of
from kubehash.report.hashes import ContainerHash, Hashes
from kubehash.report.ignorefile import GeneratedFile, GeneratedFiles, IgnoreCheck
from kubehash.report.plain import clean
from kubehash.report.text import printable
from kubehash.sources.documents import load_documents
from kubehash.upgrade.explain import explain
from kubehash.upgrade.ignorefile.check import check_ignore_files
from kubehash.upgrade.ignorefile.rules import generate_ignore_files
from kubehash.upgrade.options import Options
from kubehash.upgrade.plan.planner import plan
from kubehash.upgrade.predict import Prediction, predict
from kubehash.upgrade.preflight.checks import preflight

ROOT = Path(__file__).parents[2]
CLUSTER = ROOT / "examples" / "cluster"
PREFLIGHT = ROOT / "tests" / "data" / "preflight"
#: What must never reach a terminal raw (line breaks aside).
RAW = "[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"


def _check(result: Any) -> dict[str, str]:
    """Render every format and check it; the texts by format."""
    import re

    out = {fmt: render(result, fmt) for fmt in FORMATS}
    for fmt, text in out.items():
        text.encode("utf-8")  # never a lone surrogate
        assert text.endswith("\n") or text == "", fmt
        if fmt in ("table", "wide", "csv", "markdown"):
            assert not re.search(RAW, text), fmt
    doc = json.loads(out["json"])
    assert yaml.load(out["yaml"], Loader=yaml.CSafeLoader) == doc
    assert doc == json.loads(msgspec.json.encode(clean(to_document(result))))
    rows = list(csv.reader(io.StringIO(out["csv"])))
    expected = to_rows(result)
    columns = shown(view_of(result).rows(result).columns, Show.WIDE)
    assert rows[0] == [c.name for c in columns]
    assert rows[1:] == [[printable(cell_text(r[c.name])) for c in columns] for r in expected]
    assert len(out["markdown"].splitlines()) == len(expected) + 2
    return out


@settings(max_examples=150, deadline=None)
@given(p=predictions())
def test_prediction_every_format(p: Prediction) -> None:
    out = _check(p)
    doc = json.loads(out["json"])
    assert [c["verdict"] for c in doc["containers"]] == [c.verdict for c in p]
    assert [c["old_hash"] for c in doc["containers"]] == [c.old_hash for c in p]
    assert [c["owner"] is None for c in doc["containers"]] == [not c.owner_kind for c in p]
    assert len(out["table"].splitlines()) > len(p)


@settings(max_examples=60, deadline=None)
@given(p=predictions(max_containers=12))
def test_chunks_change_nothing(p: Prediction) -> None:
    whole = {fmt: render(p, fmt) for fmt in FORMATS}
    with pytest.MonkeyPatch.context() as m:
        m.setattr(formats_module, "CHUNK", 2)
        assert {fmt: render(p, fmt) for fmt in FORMATS} == whole


def test_document_shape() -> None:
    p = predict(load_documents(CLUSTER / "pods.json"), Options(to="1.17"), nodes=load_documents(CLUSTER / "nodes.json"))
    doc = json.loads(render(p, "json"))
    c = next(c for c in doc["containers"] if c["reasons"] and c["owner"])
    assert list(c) == [
        "namespace", "pod", "container", "kind", "node", "source", "old_version", "new_version", "old_hash",
        "new_hash", "recorded_hash", "verdict", "reasons", "error", "started_at", "model_check", "owner",
    ]  # fmt: skip
    assert set(c["reasons"][0]) == {"kind", "path", "detail", "text"} and set(c["owner"]) == {"kind", "name"}
    assert isinstance(c["old_hash"], int)
    assert doc["summary"] == json.loads(json.dumps(p.summary))
    _check(p)


def test_every_result_type() -> None:
    pods, nodes = load_documents(CLUSTER / "pods.json"), load_documents(CLUSTER / "nodes.json")
    _check(plan(pods, Options(to="1.13"), nodes=nodes))
    _check(
        preflight(load_documents(PREFLIGHT / "pods.yaml"), load_documents(PREFLIGHT / "nodes.yaml"), Options(to="1.13"))
    )
    files = generate_ignore_files(
        {"worker-1": "v1.10.13", "n\x1b[2J": "v1.10.13"}, now=datetime(2024, 1, 1, tzinfo=timezone.utc)
    )
    result = check_ignore_files(files, Options(to="v1.17.4"), pods=pods, nodes=nodes, runtime=[])
    for show in (False, True):
        _check(IgnoreCheck(result, files, show_containers=show))
    _check(IgnoreCheck(check_ignore_files(files), files, with_pods=False))
    at = datetime(2024, 1, 1, tzinfo=timezone.utc)
    _check(
        GeneratedFiles(
            [
                GeneratedFile("n1", "v1.10.13", at, "/x/n1", "written"),
                GeneratedFile("n|2", "v1", at, "p", "refused: \x07"),
            ]
        )
    )
    hashes = [
        ContainerHash("ns/p", "c", "container", "apiserver", "1.10", 5, "in\x1bput"),
        ContainerHash("ns/q", "d", "container", "file", "1.10", error="bad"),
    ]
    for show in (False, True):
        _check(Hashes(hashes, show))
    assert render(Hashes(hashes, True), "table") == "# ns/p c hash=5 hex=5\nin\\x1bput\n"
    _check(Versions_of_releases())
    container = {"name": "c", "image": "i", "ports": [{"containerPort": 80}]}
    ex = explain(container, "1.10", "1.17", control_plane="1.17")
    text = _check(
        Explanations([Explained("ns/p", "c", ex), Explained("ns/\ud800", "d", explain(container, "1.17", "1.17"))])
    )
    assert text["table"].startswith("ns/p c: 1.10 (apiserver) ") and "unchanged" in text["table"]


def Versions_of_releases() -> Any:
    from kubehash.report.versions import Versions

    return Versions(RELEASES)


@given(name=TEXT)
def test_names_never_break_a_table(name: str) -> None:
    p = Prediction("1.17", None, [])
    from kubehash.upgrade.predict import ContainerPrediction

    p.containers = [
        ContainerPrediction("ns", name, name, "container", name, "apiserver", "1.16", "1.17", verdict="restart")
    ]
    table = render(p, "table").splitlines()
    assert len(table) == len(
        render(
            Prediction(
                "1.17",
                None,
                [ContainerPrediction("ns", "p", "c", "container", "n", "apiserver", "1.16", "1.17", verdict="restart")],
            ),
            "table",
        ).splitlines()
    )


def test_unknown_format_and_result() -> None:
    with pytest.raises(FormatError, match="unknown output format"):
        write(Prediction("1.17", None, []), "xml", io.StringIO())
    with pytest.raises(FormatError, match="no output"):
        render(object(), "json")
    assert render(Prediction("1.17", None, []), "text") == render(Prediction("1.17", None, []), "table")
