"""``kubehash hash`` end to end."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kubehash
from kubehash.cli import main

EXAMPLES = Path(__file__).parents[2] / "examples"


def test_hash_pods_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hash", "--to", "v1.10.13", str(EXAMPLES / "pods.yaml"), "-o", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["container"] for r in rows] == [
        "nginx",
        "istio-proxy",
        "etcd",
        "kube-proxy",
        "init-chown-data",
        "postgres",
    ]
    etcd = next(r for r in rows if r["container"] == "etcd")
    assert etcd["source"] == "file"  # mirror pod of a static pod
    for r in rows:
        assert int(r["hex"], 16) == r["hash"]
        assert r["hex"] == format(r["hash"], "x")


def test_hash_matches_library_and_shows_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    c = {"name": "web", "image": "nginx", "resources": {"limits": {"cpu": "1000m"}}}
    f = tmp_path / "c.json"
    f.write_text(json.dumps(c))
    for source in ("apiserver", "file"):
        assert main(["hash", "--to", "1.10", "--source", source, "--show-input", str(f), "-o", "json"]) == 0
        (row,) = json.loads(capsys.readouterr().out)
        assert row["hash"] == kubehash.hash_container(c, "1.10", source=source)
        assert row["input"].encode() == kubehash.hash_input(c, "1.10", source=source)
    assert main(["hash", "--to", "1.17", "--show-input", str(f)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[1].startswith("([]uint8)[123 34 110 97 109 101 34")


def test_bad_container_is_reported_and_others_kept(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pods = {
        "kind": "List",
        "items": [
            {
                "kind": "Pod",
                "metadata": {"name": "p", "namespace": "ns"},
                "spec": {
                    "containers": [
                        {"name": "bad", "image": "i", "resources": {"limits": {"cpu": "1 Gi"}}},
                        {"name": "ovf", "image": "i", "ports": [{"containerPort": 2**31}]},
                        {"name": "typed", "image": "i", "command": "sh -c x"},
                        {"name": "good", "image": "i"},
                    ]
                },
            }
        ],
    }
    f = tmp_path / "pods.json"
    f.write_text(json.dumps(pods))
    assert main(["hash", "--to", "1.10", str(f), "-o", "json"]) == 2
    captured = capsys.readouterr()
    rows = json.loads(captured.out)
    assert [r["container"] for r in rows] == ["bad", "ovf", "typed", "good"]
    assert rows[3]["hash"] == kubehash.hash_container({"name": "good", "image": "i"}, "1.10")
    errors = captured.err.strip().splitlines()
    assert len(errors) == 3
    assert "pod ns/p, container bad: $.resources.limits.cpu" in errors[0] and "'1 Gi'" in errors[0]
    assert "container ovf: $.ports[0].containerPort" in errors[1] and "2147483648" in errors[1]
    assert "container typed: $.command" in errors[2]


@pytest.mark.parametrize(
    ("args", "code"),
    [(["hash", "--to", "1.99", "x"], 1), (["hash", "--bogus"], 1), (["hash", "/nonexistent.json"], 2), (["nope"], 1)],
)
def test_exit_codes(args: list[str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == code
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


def test_unparseable_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text("a: [unclosed\n")
    assert main(["hash", str(f)]) == 2
    assert "document 1 (line 2, column 1)" in capsys.readouterr().err


def test_versions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["versions", "-o", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_minor = {r["minor"]: r for r in rows}
    assert by_minor["1.15"]["era"] == "struct" and by_minor["1.16"]["era"] == "json"
    assert by_minor["1.30"]["era"] == "json" and by_minor["1.31"]["era"] == "name-image"
    assert [m for m, r in by_minor.items() if r["hash_without_resources"]] == ["1.27", "1.28", "1.29", "1.30"]
    assert by_minor["1.10"]["api_tag"] == "kubernetes-1.10.13"
    assert main(["versions"]) == 0
    assert "name-image" in capsys.readouterr().out
