"""The canary of ``examples/canary`` (``docs/canary.md``) replayed as watch events by the fake API server:
``kubehash watch`` sees live what ``kubehash audit`` finds afterwards -- every predicted restart, the spared
container, the OOMKilled miss and the unrelated crash -- and ``docs/watch.md`` shows its real output."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakeapi import PROXY_VARIABLES, FakeApi, event, serve, write_kubeconfig

from kubehash import exitcodes
from kubehash.cli import main

ROOT = Path(__file__).parents[2]
CLUSTER, CANARY = ROOT / "examples" / "cluster", ROOT / "examples" / "canary"


def _items(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["items"])


def _uid(obj: dict[str, Any]) -> str:
    return str(obj["metadata"]["uid"])


def replay(api: FakeApi) -> None:
    """The fake cluster starts in the before state; its watches deliver the after state: the two canary nodes'
    new kubelet version, and every pod that changed (MODIFIED), went (DELETED) or came (ADDED)."""
    before, after = _items(CLUSTER / "pods.json"), _items(CANARY / "after" / "pods.json")
    api.pods, api.nodes = before, _items(CLUSTER / "nodes.json")
    old = {n["metadata"]["name"]: n for n in api.nodes}
    nodes = [n for n in _items(CANARY / "after" / "nodes.json") if n != old.get(n["metadata"]["name"])]
    api.watches["/api/v1/nodes"] = [[event("MODIFIED", n, str(200 + i)) for i, n in enumerate(nodes)]]
    by_uid = {_uid(p): p for p in after}
    pods = []
    for p in before:
        now = by_uid.pop(_uid(p), None)
        if now is None:
            pods.append(("DELETED", p))
        elif now != p:
            pods.append(("MODIFIED", now))
    pods += [("ADDED", p) for p in by_uid.values()]
    api.watches["/api/v1/pods"] = [[event(kind, p, str(300 + i)) for i, (kind, p) in enumerate(pods)]]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in PROXY_VARIABLES:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def api(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeApi]:
    with serve() as a:
        monkeypatch.setenv("KUBECONFIG", str(write_kubeconfig(tmp_path / "kubeconfig", a.url)))
        yield a


def stamped(out: str) -> list[str]:
    return [re.sub(r"^\d\d:\d\d:\d\dZ  ", "", line) for line in out.splitlines()]


def test_canary_seen_live(api: FakeApi, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    snap, pred = tmp_path / "before.khs", tmp_path / "prediction.json"
    files = ["--pods", str(CLUSTER / "pods.json"), "--nodes", str(CLUSTER / "nodes.json")]
    assert main(["snapshot", "--out", str(snap), *files, "--runtime", str(CLUSTER / "runtime"), "-q"]) == 0
    assert main(["predict", "--to", "v1.12.10", "--pods", str(snap), "-o", "json"]) == exitcodes.RESTARTS
    pred.write_text(capsys.readouterr().out, encoding="utf-8")
    replay(api)
    code = main(["watch", "--baseline", str(snap), "--prediction", str(pred), "--timeout", "3", "--watch-seconds", "1"])
    out = capsys.readouterr().out
    got = stamped(out)
    assert code == exitcodes.RESTARTS
    story = json.loads((CANARY / "story.json").read_text(encoding="utf-8"))
    restarts = [g for g in got if g.startswith("RESTART")]
    expected = [g for g in restarts if g.startswith("RESTART      expected")]
    assert len(expected) == len(story["restarted"]) == 19
    [miss] = [g for g in restarts if "UNEXPECTED" in g]
    who = "analytics/ingest-37b91343-78p9m ingest on worker-1"
    assert miss.startswith(f"RESTART      UNEXPECTED  {who}  (predicted unchanged;")
    assert "OOMKilled exit code 137" in miss
    [unrelated] = [g for g in restarts if "unrelated" in g]
    assert " on worker-3  (node not upgraded;" in unrelated
    nodes = [g for g in got if g.startswith("NODE") and "  kubelet " in g]
    assert sorted(nodes) == [
        f"NODE         {n}  kubelet v1.10.13 -> v1.12.10  (predicted: {r} restart, {u} unchanged)"
        for n, r, u in (("worker-1", 11, 57), ("worker-2", 10, 62))
    ]
    assert "predicted restarts not seen on upgraded nodes (2; spared, pod gone, or not synced yet):" in got
    assert "The prediction did NOT hold: 1 restart on upgraded nodes not predicted" in out  # the final audit
    page = (ROOT / "docs" / "watch.md").read_text(encoding="utf-8")
    shown = re.search(r"\n\$ kubehash watch --baseline before.khs --prediction prediction.json\n(.*?)```", page, re.S)
    assert shown is not None
    checked = 0
    for line in stamped(shown.group(1)):
        if line.startswith(("RESTART", "NODE", "SETTLED", "EVICTED", "tally:", "  ", "result:", "The prediction")):
            assert line in got, line
            checked += 1
    assert checked >= 15
