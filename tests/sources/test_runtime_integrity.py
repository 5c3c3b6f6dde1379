"""Runtime records kubehash must not accept silently (issue 17): hashes wider than 32 bits, start times given as
numbers or in the wrong unit, records of pods that are not in the pods input; and an empty nodes file."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubehash import exitcodes
from kubehash.cli import main
from kubehash.errors import InputError
from kubehash.pipeline.cluster import Cluster, predict_cluster, read_cluster
from kubehash.sources.runtime import load_runtime, parse_runtime_lenient
from kubehash.upgrade.options import Options

ROOT = Path(__file__).parent.parent.parent
EXAMPLE = ROOT / "examples" / "cluster"
DOCKER = EXAMPLE / "runtime" / "worker-1" / "docker-inspect.json"


def _docker_entry(**state: Any) -> list[dict[str, Any]]:
    entry = copy.deepcopy(json.loads(DOCKER.read_text())[0])
    entry["State"].update(state)
    return [entry]


def _parse(entries: Any) -> tuple[list[Any], list[InputError], list[str]]:
    warnings: list[str] = []
    records, errors = parse_runtime_lenient(json.dumps(entries), origin="w1.json", warnings=warnings)
    return records, errors, warnings


def test_hash_wider_than_32_bits_is_kept_and_warned() -> None:
    (entry,) = _docker_entry()
    entry["Config"]["Labels"]["annotation.io.kubernetes.container.hash"] = "1c1c3e8da"
    (rec,), errors, (warning,) = _parse([entry])
    assert rec.hash == 0x1C1C3E8DA and errors == []
    assert warning.startswith("w1.json: entry 0 (container kube-system/kube-proxy-lpzwl/kube-proxy): label ")
    assert "wider than 32 bits" in warning


@settings(deadline=None)
@given(st.integers(1 << 32, (1 << 64) - 1))
def test_every_wide_hash_is_warned(h: int) -> None:
    (entry,) = _docker_entry()
    entry["Config"]["Labels"]["annotation.io.kubernetes.container.hash"] = format(h, "x")
    (rec,), errors, warnings = _parse([entry])
    assert rec.hash == h and errors == [] and len(warnings) == 1


@pytest.mark.parametrize("started", [1534145069, "1534145069", 1534145069800, "1534145069800557"])
def test_start_time_in_the_wrong_unit_is_an_error_and_dropped(started: Any) -> None:
    (rec,), (error,), warnings = _parse(_docker_entry(StartedAt=started))
    assert rec.started_at is None and rec.started_at_ns is None and warnings == []
    assert str(error).startswith(
        "w1.json: entry 0 (container kube-system/kube-proxy-lpzwl/kube-proxy): State.StartedAt"
    )
    assert "1970-01-" in str(error) and "start time ignored" in str(error)


def test_start_time_as_a_json_number_of_nanoseconds_is_used_with_a_warning() -> None:
    ns = 1534145069800557932
    (rec,), errors, (warning,) = _parse(_docker_entry(StartedAt=ns))
    assert rec.started_at_ns == ns and errors == []
    assert "State.StartedAt: 1534145069800557932 is a JSON number" in warning
    assert "2018-08-13T07:24:29.800557932Z" in warning


def test_without_a_warnings_list_warnings_are_errors() -> None:
    records, errors = parse_runtime_lenient(json.dumps(_docker_entry(StartedAt=1534145069800557932)), origin="x")
    assert len(records) == 1 and len(errors) == 1 and str(errors[0]).startswith("x: entry 0")


def test_load_runtime_collects_warnings_per_file(tmp_path: Path) -> None:
    (tmp_path / "n1").mkdir()
    (tmp_path / "n1" / "c.json").write_text(json.dumps(_docker_entry(StartedAt=1534145069800557932)))
    warnings: list[str] = []
    records, errors = load_runtime([tmp_path], warnings=warnings)
    assert len(records) == 1 and records[0].node == "n1" and errors == []
    assert warnings[0].startswith(f"{tmp_path / 'n1' / 'c.json'}: entry 0")


def _pods(n: int, tmp_path: Path) -> Path:
    doc = json.loads((EXAMPLE / "pods.json").read_text())
    doc["items"] = doc["items"][:n]
    out = tmp_path / "pods.json"
    out.write_text(json.dumps(doc))
    return out


def test_records_of_pods_not_in_the_input_are_warned(tmp_path: Path) -> None:
    options = Options(to="v1.14.10")
    full = predict_cluster(Cluster(pods=EXAMPLE / "pods.json", runtime=(EXAMPLE / "runtime",)), options)
    assert not any("belong to no pod" in w for w in full.warnings)
    part = predict_cluster(Cluster(pods=_pods(100, tmp_path), runtime=(EXAMPLE / "runtime",)), options)
    (warning,) = [w for w in part.warnings if "belong to no pod" in w]
    assert warning.split(" ")[0].isdigit() and int(warning.split(" ")[0]) > 0
    assert "docker-inspect.json: " in warning and "(pod uid " in warning


def test_records_of_unknown_pods_are_warned_with_jobs(tmp_path: Path) -> None:
    options = Options(to="v1.14.10")
    cluster = Cluster(pods=_pods(100, tmp_path), runtime=(EXAMPLE / "runtime",))
    one = predict_cluster(cluster, options)
    two = predict_cluster(cluster, options, jobs=2)
    assert [w for w in one.warnings if "belong to no pod" in w] == [w for w in two.warnings if "belong to no pod" in w]


@pytest.mark.parametrize("text", ["", "{}", '{"kind": "NodeList", "items": []}', "---\n"])
def test_empty_nodes_file_is_one_clear_error(text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nodes = tmp_path / "nodes.json"
    nodes.write_text(text)
    with pytest.raises(InputError, match=f"^{nodes}: no nodes in the nodes input"):
        read_cluster(Cluster(pods=EXAMPLE / "pods.json", nodes=nodes))
    code = main(["predict", "--to", "v1.14.10", "--pods", str(EXAMPLE / "pods.json"), "--nodes", str(nodes), "-q"])
    assert code == exitcodes.INPUT_ERROR
    cap = capsys.readouterr()
    assert cap.err.count("\n") == 1 and cap.err.startswith(f"error: {nodes}: no nodes")
