"""predict over a dump file (streamed, split between processes) equals predict over the loaded document."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from same import assert_same_prediction

from kubehash.cli import cli
from kubehash.errors import InputError
from kubehash.pipeline.predict_file import predict_file
from kubehash.sources.documents import load_documents
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import predict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "benchmarks"))
import generate


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    d = tmp_path_factory.mktemp("cluster")
    gen = generate.write_pod_list(d / "pods.json", 150, seed=5, kubelet="v1.16.15")
    (d / "nodes.json").write_text(json.dumps(gen.node_list(), indent=4))
    return d / "pods.json", d / "nodes.json"


@pytest.mark.parametrize("to", ["1.17", "1.10"])
def test_file_prediction_is_the_document_prediction(dump: tuple[Path, Path], to: str) -> None:
    pods, nodes = dump
    node_docs = load_documents(nodes)
    expected = predict(load_documents(pods), Options(to=to), nodes=node_docs)
    assert expected.summary["hash_cache"]["hits"] > 0
    for jobs in (1, 2):
        got = predict_file(pods, Options(to=to), nodes=node_docs, jobs=jobs)
        assert_same_prediction(got, expected)


def test_cli_jobs_identical_output(dump: tuple[Path, Path]) -> None:
    pods, nodes = dump
    runner = CliRunner()
    outs = []
    for jobs in ("1", "2"):
        r = runner.invoke(
            cli, ["predict", "--to", "1.17", "--pods", str(pods), "--nodes", str(nodes), "-o", "json", "-j", jobs]
        )
        assert r.exit_code in (0, 3), r.output
        outs.append(r.stdout)
    assert outs[0] == outs[1] and json.loads(outs[0])["summary"]["containers"] > 150


def test_bad_file_is_an_input_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "pods.json"
    bad.write_text('{\n    "items": [\n        {"kind": "Pod"},\n        {"kind": ')
    partial = predict_file(bad, Options(to="1.17"), jobs=2)  # the item before the cut is kept (issue 17)
    (error,) = partial.input_errors
    assert "invalid JSON" in error and "the 1 items before it were predicted" in error
    with pytest.raises(InputError):
        predict_file(tmp_path / "missing.json", Options(to="1.17"), jobs=2)
    from kubehash.cli import main

    assert main(["predict", "--to", "1.17", "--pods", str(bad), "--from", "1.16"]) == 2
    assert "invalid JSON" in capsys.readouterr().err
