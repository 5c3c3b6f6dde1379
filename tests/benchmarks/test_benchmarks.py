"""Smoke test of the benchmark tools: the generator is seeded and realistic, and a tiny run keeps the
hash cost within a generous multiple of the json.dumps baseline (a ratio, not a wall-clock time).

The CPU-time ratios are marked ``benchmark`` and left out of the default run (``pytest -m benchmark``)."""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import run  # noqa: E402

from kubehash.model import container_source, iter_containers, iter_pods  # noqa: E402
from kubehash.sources.stream import iter_items  # noqa: E402
from kubehash.upgrade.options import Options  # noqa: E402


def test_generator_is_seeded_and_realistic(tmp_path: Path) -> None:
    a = generate.pod_list(400, seed=7, kubelet="1.24.3")
    assert a == generate.pod_list(400, seed=7, kubelet="1.24.3")
    assert a != generate.pod_list(400, seed=8, kubelet="1.24.3")
    pods = list(iter_pods(a))
    assert len(pods) == 400
    assert any(container_source(p) == "file" for p in pods)  # static (mirror) pods
    assert all("managedFields" in p["metadata"] for p in pods if container_source(p) == "apiserver")
    refs = list(iter_containers(a))
    assert 1.2 <= sum(r.kind == "container" for r in refs) / len(pods) <= 1.8
    assert any(r.kind == "initContainer" for r in refs)
    mounts = [m["name"] for r in refs for m in r.spec.get("volumeMounts", [])]
    assert any(m.startswith("kube-api-access-") for m in mounts)  # 1.21+: per-pod token volume
    dump = tmp_path / "pods.json"
    gen = generate.write_pod_list(dump, 50, seed=3, kubelet="v1.17.17")
    streamed = list(iter_items(dump))
    assert len(streamed) == 50 and streamed == json.loads(dump.read_text())["items"]
    assert {n["status"]["nodeInfo"]["kubeletVersion"] for n in gen.node_list()["items"]} == {"v1.17.17"}


@pytest.mark.benchmark
def test_tiny_benchmark_ratio() -> None:
    every, distinct = run.distinct_containers(generate.pod_list(150, seed=1))
    assert len(distinct) < len(every)  # replicas share specs
    r = run.hash_ratios(run.bench_hash.corpus()[:120] + distinct, rounds=3)
    ratios = {v: x["ratio"] for v, x in r["versions"].items()}
    assert ratios["1.10"] <= 6.0, ratios
    assert ratios["1.17"] <= 10.0, ratios


@pytest.mark.parametrize("version", ["1.10", "1.17"])
def test_cache_run_reports_hits(version: str) -> None:
    every, _ = run.distinct_containers(generate.pod_list(150, seed=1))
    r = run.cache_run(every, version)
    assert 0.3 < r["hit_rate"] < 1.0 and r["distinct"] < len(every)


@pytest.fixture(scope="module")
def small_dump(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    d = tmp_path_factory.mktemp("e2e")
    gen = generate.write_pod_list(d / "pods.json", 1500, seed=5, kubelet="v1.10.13")
    return d / "pods.json", gen.node_list()


def _load(path: Path) -> None:
    with path.open("rb") as f:
        json.load(f)


@pytest.mark.benchmark
def test_predict_file_costs_less_than_loading_the_dump(small_dump: tuple[Path, dict]) -> None:
    """End to end in one process: predicting a dump (parse + defaults + two hashes + explain) against the
    same run's ``json.load`` of it. About 0.75x here (1,500 pods), 0.5x at 50k; the bound is generous."""
    from kubehash.pipeline.predict_file import predict_file

    path, nodes = small_dump
    predict_file(path, Options(to="1.17"), nodes=nodes)  # warm: compiled plans, imports

    def cpu(fn: Any) -> float:
        best = float("inf")
        for _ in range(3):
            t = time.process_time()
            fn()
            best = min(best, time.process_time() - t)
        return best

    ratio = cpu(lambda: predict_file(path, Options(to="1.17"), nodes=nodes)) / cpu(lambda: _load(path))
    assert ratio <= 2.0, ratio


def test_predict_file_streams_the_dump(small_dump: tuple[Path, dict], tmp_path: Path) -> None:
    """What a 3x bigger dump adds to predict_file's peak Python memory is next to nothing (the peak is one
    block being decoded; results are a few hundred bytes per container), while ``json.load``'s triples."""
    from kubehash.pipeline.predict_file import predict_file

    small, nodes = small_dump
    big = tmp_path / "pods.json"
    big_nodes = generate.write_pod_list(big, 4500, seed=5, kubelet="v1.10.13").node_list()
    predict_file(small, Options(to="1.17"), nodes=nodes)

    def peak(fn: Any) -> int:
        tracemalloc.start()
        try:
            fn()
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    grow_predict = peak(lambda: predict_file(big, Options(to="1.17"), nodes=big_nodes)) - peak(
        lambda: predict_file(small, Options(to="1.17"), nodes=nodes)
    )
    grow_load = peak(lambda: _load(big)) - peak(lambda: _load(small))
    assert grow_load > 50 << 20
    assert grow_predict <= 0.1 * grow_load, (grow_predict, grow_load)


def test_generator_writes_the_same_cluster_in_every_form(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """JSON dump, YAML dump and msgpack snapshot of one generated cluster predict the same."""
    from kubehash.cli import main

    argv = ["generate.py", "--pods", "60", "--kubelet", "v1.10.13", "--out", str(tmp_path), "--yaml", "--snapshot"]
    monkeypatch.setattr(sys, "argv", argv)
    generate.main()
    outputs = []
    for pods, nodes in (("pods.json", "nodes.json"), ("pods.yaml", "nodes.json"), ("cluster.khs", None)):
        args = ["predict", "--to", "1.17", "--pods", str(tmp_path / pods), "-q", "-o", "json", "--fail-on", "never"]
        args += ["--nodes", str(tmp_path / nodes)] if nodes else []
        doc = json.loads(_run_cli(main, args))
        doc["summary"].pop("hash_cache")  # a dump's containers are cached by raw bytes, a snapshot's by value
        outputs.append(doc)
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[0]["summary"]["containers"] > 60


def _run_cli(main: Any, args: list[str]) -> str:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(args) == 0
    return buf.getvalue()


def test_inputs_benchmark_runs_every_case(tmp_path: Path) -> None:
    """benchmarks/inputs.py on a tiny cluster: every case runs, exits 0 and is divided by its reference."""
    import inputs

    out = tmp_path / "results.json"
    argv = ["--pods", "40", "--repeat", "1", "--yaml", "--dir", str(tmp_path), "--json", str(out)]
    assert inputs.main(argv) == 0
    rows = {r["case"]: r for r in json.loads(out.read_text())["rows"]}
    assert {"yardstick compact", "compact --jobs 2", "yaml --jobs 1", "compact -o yaml"} <= set(rows)
    assert any(c.startswith("live") for c in rows) and any(c.startswith("fleet") for c in rows)
    for r in rows.values():
        assert r["exit"] == [0], r
        assert r["peak_rss_mb"] > 0
        assert (r["against"] is None) == ("ratio" not in r)
        if r["against"]:
            assert r["against"] in rows and r["ratio"] > 0
