"""A --pods input read once: pipes (<(kubectl ...), '-') stream like files, and a snapshot is recognised from
the head without losing it."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from same import assert_same_prediction

from kubehash.pipeline.cluster import Cluster, predict_cluster
from kubehash.sources.snapshot import Snapshot, dumps_snapshot
from kubehash.sources.stream import iter_items
from kubehash.upgrade.options import Options

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cluster"


def _fifo(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "pods.fifo"
    os.mkfifo(path)

    def feed() -> None:
        with open(path, "wb") as f:
            for i in range(0, len(data), 4096):  # in small writes, as a pipe delivers them
                f.write(data[i : i + 4096])

    threading.Thread(target=feed, daemon=True).start()
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_predicts_what_the_file_predicts(tmp_path: Path) -> None:
    nodes = EXAMPLE / "nodes.json"
    expected = predict_cluster(Cluster(pods=EXAMPLE / "pods.json", nodes=nodes), Options(to="1.17"))
    fifo = _fifo(tmp_path, (EXAMPLE / "pods.json").read_bytes())
    got = predict_cluster(Cluster(pods=fifo, nodes=nodes), Options(to="1.17"), jobs=2)  # a pipe: one process
    assert_same_prediction(got, expected)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_snapshot_on_a_pipe_is_read_whole(tmp_path: Path) -> None:
    pods = list(iter_items(EXAMPLE / "pods.json"))
    nodes = list(iter_items(EXAMPLE / "nodes.json"))
    fifo = _fifo(tmp_path, dumps_snapshot(Snapshot(pods=pods, nodes=nodes)))
    got = predict_cluster(Cluster(pods=fifo), Options(to="1.17"))
    assert len(got) == 304 and got.summary["verdicts"]["restart"] == 281
