"""``kubehash snapshot`` end to end, against a fake API server and the bundled example cluster."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakeapi import PROXY_VARIABLES, FakeApi, node, pod, serve, write_kubeconfig

from kubehash import exitcodes
from kubehash.cli import main
from kubehash.sources.snapshot import is_snapshot, load_snapshot

ROOT = Path(__file__).parents[2]
RUNTIME = Path(__file__).parents[1] / "data" / "runtime"
EXAMPLE = ROOT / "examples" / "cluster"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApi]:
    with serve() as a:
        a.pods = [pod("web-1", ns="shop"), pod("db-0", ns="data"), pod("web-2", ns="shop")]
        a.nodes = [node("node-a"), node("node-b", "v1.28.9")]
        monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", a.url)))
        yield a


def test_live_cluster_with_runtime(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "snap.khs"
    assert main(["snapshot", "--out", str(out), "--runtime", str(RUNTIME)]) == exitcodes.OK
    cap = capsys.readouterr()
    assert cap.out == f"wrote {out}: 3 pods, 2 nodes, 4 runtime records (context fake)\n"
    assert cap.err == ""  # stderr is not a terminal: no progress
    assert is_snapshot(out)
    snap = load_snapshot(out)
    assert [p["metadata"]["name"] for p in snap.pods] == ["web-1", "db-0", "web-2"]
    assert all(p["kind"] == "Pod" for p in snap.pods)
    assert [n["metadata"]["name"] for n in snap.nodes] == ["node-a", "node-b"]
    assert [r.node for r in snap.runtime] == [None, "node-a", "node-a", "node-b"]
    assert snap.source == {
        "kind": "cluster",
        "context": "fake",
        "server": api.url,
        "namespace": None,
        "runtime": [str(RUNTIME)],
    }
    assert [p for p, _ in api.requests] == ["/api/v1/pods", "/api/v1/nodes"]


def test_one_namespace(api: FakeApi, tmp_path: Path) -> None:
    out = tmp_path / "snap.khs"
    assert main(["snapshot", "--out", str(out), "-n", "shop", "-q"]) == exitcodes.OK
    assert [p["metadata"]["name"] for p in load_snapshot(out).pods] == ["web-1", "web-2"]
    assert api.requests[0][0] == "/api/v1/namespaces/shop/pods"


def test_bad_runtime_file_reported_rest_saved(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "rt" / "node-x" / "broken.json"
    bad.parent.mkdir(parents=True)
    bad.write_text("{not json")
    good = tmp_path / "rt" / "node-y" / "ok.json"
    good.parent.mkdir()
    good.write_text((RUNTIME / "crictl-ps.json").read_text())
    out = tmp_path / "snap.khs"
    assert main(["snapshot", "--out", str(out), "--runtime", str(tmp_path / "rt"), "-q"]) == exitcodes.INPUT_ERROR
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: not valid JSON")
    snap = load_snapshot(out)
    assert [(r.node, r.container) for r in snap.runtime] == [("node-y", "nginx")]
    assert len(snap.notes) == 1 and str(bad) in snap.notes[0]


def test_existing_output_refused_before_reading_cluster(
    api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "snap.khs"
    out.write_text("precious")
    assert main(["snapshot", "--out", str(out), "-q"]) == exitcodes.OUTPUT_REFUSED
    assert "use --force" in capsys.readouterr().err
    assert out.read_text() == "precious" and api.requests == []
    assert main(["snapshot", "--out", str(out), "-q", "--force"]) == exitcodes.OK
    assert len(load_snapshot(out).pods) == 3


def test_symlink_output_refused(api: FakeApi, tmp_path: Path) -> None:
    (tmp_path / "real").write_text("x")
    link = tmp_path / "link.khs"
    link.symlink_to(tmp_path / "real")
    assert main(["snapshot", "--out", str(link), "-q", "--force"]) == exitcodes.OUTPUT_REFUSED
    assert (tmp_path / "real").read_text() == "x"
    assert main(["snapshot", "--out", str(tmp_path), "-q", "--force"]) == exitcodes.OUTPUT_REFUSED
    assert api.requests == []  # refused before reading the cluster


def test_unauthorized_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve() as a:
        monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kc", a.url, token="expired")))
        out = tmp_path / "snap.khs"
        assert main(["snapshot", "--out", str(out)]) == exitcodes.INPUT_ERROR
    err = capsys.readouterr().err
    assert err.startswith("error: listing pods at http://127.0.0.1:") and "unauthorized (401)" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()


def test_no_kubeconfig(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    assert main(["snapshot", "--out", str(tmp_path / "s")]) == exitcodes.INPUT_ERROR
    assert "no kubeconfig found" in capsys.readouterr().err


def test_namespace_flags_are_exclusive(tmp_path: Path) -> None:
    assert main(["snapshot", "--out", str(tmp_path / "s"), "-n", "x", "-A"]) == exitcodes.USAGE


def test_from_dumps_without_cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))  # the cluster is never needed
    out = tmp_path / "snap.khs"
    args = ["snapshot", "--out", str(out), "-q", "--pods", str(EXAMPLE / "pods.json")]
    args += ["--nodes", str(EXAMPLE / "nodes.json"), "--runtime", str(EXAMPLE / "runtime")]
    assert main(args) == exitcodes.OK
    snap = load_snapshot(out)
    dump = json.loads((EXAMPLE / "pods.json").read_text())
    assert snap.pods == dump["items"]
    assert len(snap.nodes) == len(json.loads((EXAMPLE / "nodes.json").read_text())["items"])
    assert {r.node for r in snap.runtime} == {p.name for p in (EXAMPLE / "runtime").iterdir()}
    assert snap.source["kind"] == "files"


def test_unreadable_pods_dump(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "snap.khs"
    assert main(["snapshot", "--out", str(out), "--pods", str(tmp_path / "nope.json")]) == exitcodes.INPUT_ERROR
    assert "nope.json: cannot read" in capsys.readouterr().err
    assert not out.exists()
