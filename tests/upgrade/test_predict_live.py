"""``kubehash predict`` without --pods reads the live cluster (fake API server serving the example cluster)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fakeapi import PROXY_VARIABLES, serve, write_kubeconfig

from kubehash.cli import main
from kubehash.sources.documents import load_documents

CLUSTER = Path(__file__).parents[2] / "examples" / "cluster"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)


def test_live_cluster_predict_equals_the_dump(tmp_path, capsys):
    pods = load_documents(CLUSTER / "pods.json")[0]["items"]
    nodes = load_documents(CLUSTER / "nodes.json")[0]["items"]
    with serve() as api:
        api.pods, api.nodes = pods, nodes
        kc = write_kubeconfig(tmp_path / "config", api.url)
        assert main(["predict", "--to", "1.17", "--kubeconfig", str(kc), "-q", "-o", "json"]) == 3
        live = json.loads(capsys.readouterr().out)
        assert main(["predict", "--to", "1.17", "--kubeconfig", str(kc), "-n", "shop", "-q", "-o", "json"]) == 3
        shop = json.loads(capsys.readouterr().out)
    args = ["--pods", str(CLUSTER / "pods.json"), "--nodes", str(CLUSTER / "nodes.json")]
    assert main(["predict", "--to", "1.17", *args, "-q", "-o", "json"]) == 3
    dump = json.loads(capsys.readouterr().out)
    assert live == dump
    assert {c["namespace"] for c in shop["containers"]} == {"shop"}


def test_live_cluster_unreachable_is_a_clean_input_error(tmp_path, capsys, monkeypatch):
    import kubehash.sources.cluster as cluster

    waits: list[float] = []
    init = cluster.LiveCluster.__init__
    monkeypatch.setattr(
        cluster.LiveCluster, "__init__", lambda self, *a, **kw: init(self, *a, sleep=waits.append, **kw)
    )
    kc = write_kubeconfig(tmp_path / "config", "http://127.0.0.1:9")
    assert main(["predict", "--to", "1.17", "--kubeconfig", str(kc), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "Traceback" not in err
    assert waits and waits == sorted(waits)  # retried with growing backoff before giving up


def test_ignore_file_generate_from_the_live_cluster(tmp_path, capsys):
    nodes = load_documents(CLUSTER / "nodes.json")[0]["items"]
    with serve() as api:
        api.nodes = nodes
        kc = write_kubeconfig(tmp_path / "config", api.url)
        out = tmp_path / "files"
        args = ["ignore-file", "generate", "--kubeconfig", str(kc), "--out", str(out), "--now", "1551441600"]
        assert main(args) == 0
    written = {p.parts[-3]: p.read_text() for p in out.glob("*/tmp/cache.version.save")}
    assert written == {n["metadata"]["name"]: f"{n['status']['nodeInfo']['kubeletVersion']},1551441600" for n in nodes}
