"""Regression tests for issue 17's bad pod dumps, each from a reproducer run against ``kubehash predict``:
every input container is a row or an error row, the exit code is 2 (input error) with the rest predicted,
and the output is valid UTF-8 in every format."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from kubehash import limits
from kubehash.cli import main

ROOT = Path(__file__).resolve().parent.parent.parent
NODES = ROOT / "examples" / "cluster" / "nodes.json"
FORMATS = ("table", "wide", "json", "yaml", "csv", "markdown")


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return json.loads((ROOT / "examples" / "cluster" / "pods.json").read_text())["items"][:6]


def dump(items: list[Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "List", "metadata": {}, "items": items}


def deep(n: int) -> Any:
    v: Any = "x"
    for _ in range(n):
        v = {"a": v}
    return v


def deep_dumps(value: Any) -> str:
    """``json.dumps`` of a reproducer nested deeper than Python's default recursion limit allows (the limit is
    put back before kubehash reads it)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(30000)
    try:
        return json.dumps(value)
    finally:
        sys.setrecursionlimit(limit)


def run(*args: str) -> tuple[int, bytes, bytes]:
    with CliRunner().isolation() as (out, err, _):
        code = main(["predict", "--to", "1.29", "--nodes", str(NODES), "-q", *args])
    return code, out.getvalue(), err.getvalue()


def rows(out: bytes) -> list[dict[str, Any]]:
    return list(json.loads(out)["containers"])


def predict_json(path: Path, *extra: str) -> tuple[int, list[dict[str, Any]], str]:
    code, out, err = run("--pods", str(path), "-o", "json", *extra)
    return code, rows(out), err.decode()


def n_containers(items: list[dict[str, Any]]) -> int:
    return sum(len(i["spec"].get(k) or ()) for i in items for k in ("containers", "initContainers"))


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def with_deep_env(pod: dict[str, Any], levels: int) -> dict[str, Any]:
    p = copy.deepcopy(pod)
    p["spec"]["containers"][0]["env"] = [{"name": "A", "valueFrom": deep(levels)}]
    return p


@pytest.mark.parametrize("levels", [limits.MAX_DEPTH + 1, 600, 5000])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_deep_container_is_an_error_row_naming_the_field(
    tmp_path: Path, items: list[dict[str, Any]], levels: int, jobs: str
) -> None:
    text = deep_dumps(dump([with_deep_env(items[0], levels), *items[1:]]))
    code, got, _ = predict_json(write(tmp_path, "pods.json", text), "-j", jobs)
    assert code == 2
    bad = [r for r in got if r["verdict"] == "error"]
    assert len(bad) == 1 and bad[0]["container"] == items[0]["spec"]["containers"][0]["name"]
    assert "env[0].valueFrom.a.a" in bad[0]["error"] and "MAX_DEPTH" in bad[0]["error"]
    assert bad[0]["pod"] == items[0]["metadata"]["name"]
    assert len(got) == n_containers(items)


def test_nesting_at_the_bound_is_read(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    # container (1) > env (2) > item (3) > valueFrom chain: the deepest collection at exactly MAX_DEPTH
    text = json.dumps(dump([with_deep_env(items[0], limits.MAX_DEPTH - 3)]))
    code, got, _ = predict_json(write(tmp_path, "pods.json", text), "--from", "1.28")
    assert code in (0, 3) and all(r["verdict"] != "error" for r in got)


def test_deep_metadata_too_deep_for_python(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    p = copy.deepcopy(items[0])
    p["metadata"]["labels"]["x"] = deep(5000)
    code, got, _ = predict_json(write(tmp_path, "pods.json", deep_dumps(dump([p, *items[1:]]))))
    assert code == 2
    bad = [r for r in got if r["verdict"] == "error"]
    assert [r["pod"] for r in bad] == [p["metadata"]["name"]] * len(p["spec"]["containers"])
    assert "$.metadata.labels.x.a" in bad[0]["error"]
    assert len(got) == n_containers(items)


@pytest.mark.parametrize("where", ["container", "pod"])
def test_integer_python_cannot_convert(tmp_path: Path, items: list[dict[str, Any]], where: str) -> None:
    text = json.dumps(dump(items))
    big = "9" * 5000
    if where == "container":
        text = text.replace('"imagePullPolicy": ', f'"x": {big}, "imagePullPolicy": ', 1)
    else:
        text = text.replace('"restartPolicy": ', f'"hostNetwork": {big}, "restartPolicy": ', 1)
    for jobs in ("1", "2"):
        code, got, err = predict_json(write(tmp_path, "pods.json", text), "-j", jobs)
        assert code == 2 and "MAX_NUMBER_CHARS" in err
        assert len(got) == n_containers(items)
        assert sum(r["verdict"] == "error" for r in got) >= 1


def test_quantity_longer_than_the_bound(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    p = copy.deepcopy(items[0])
    p["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1" + "0" * 5000}}
    code, got, err = predict_json(write(tmp_path, "pods.json", json.dumps(dump([p, *items[1:]]))))
    assert code == 2 and "MAX_QUANTITY_CHARS" in err and "$.resources.limits.cpu" in err
    assert len(got) == n_containers(items)


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("indent", [None, 2])
def test_truncated_dump_keeps_the_complete_items(
    tmp_path: Path, items: list[dict[str, Any]], jobs: str, indent: int | None
) -> None:
    text = json.dumps(dump(items), indent=indent)
    cut = text[: int(len(text) * 0.8)]
    code, got, err = predict_json(write(tmp_path, "pods.json", cut), "-j", jobs)
    closing = len("\n  ]\n}") if indent else len("]}")
    ends = [len(json.dumps(dump(items[:k]), indent=indent)) - closing for k in range(1, len(items) + 1)]
    complete = sum(end <= len(cut) for end in ends)
    assert 0 < complete < len(items)
    assert code == 2 and f"the {complete} items before it were predicted" in err
    assert {r["pod"] for r in got} == {i["metadata"]["name"] for i in items[:complete]}
    assert len(got) == n_containers(items[:complete])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_invalid_utf8_offset_does_not_depend_on_jobs(tmp_path: Path, jobs: str) -> None:
    raw = (ROOT / "examples" / "cluster" / "pods.json").read_bytes()
    i = raw.index(b'"image"', len(raw) * 3 // 4) + 2
    path = tmp_path / "pods.json"
    path.write_bytes(raw[:i] + b"\xff" + raw[i + 1 :])
    code, out, err = run("--pods", str(path), "-o", "csv", "-j", jobs)
    assert code == 2 and f"at offset {i})" in err.decode()
    assert out.count(b"\n") > 100  # the items before the bad byte are predicted


def test_yaml_alias_bomb_item_is_an_error_row_and_fails_fast(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    lines = ["a: &a [x,x,x,x,x,x,x,x,x]"] + [
        f"{c}: &{c} [{', '.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    text = yaml.safe_dump(dump(items[:2]), sort_keys=False)
    text = text.replace("    labels:\n", "    labels:\n      bomb:\n" + "".join(f"        {ln}\n" for ln in lines), 1)
    assert len("\n".join(lines)) < 600  # nine levels of nine: 387 million values once expanded
    code, got, err = predict_json(write(tmp_path, "pods.yaml", text))
    assert code == 2 and "MAX_NODES" in err
    assert got[0]["verdict"] == "error" and got[0]["pod"] == items[0]["metadata"]["name"]
    assert {r["pod"] for r in got[1:]} == {items[1]["metadata"]["name"]}


def test_namespace_filter_keeps_a_pod_without_metadata_object(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    p = copy.deepcopy(items[0])
    p["metadata"] = ["x"]
    ns = items[0]["metadata"]["namespace"]
    code, got, err = predict_json(write(tmp_path, "pods.json", json.dumps(dump([p, items[0]]))), "-n", ns)
    assert code == 2 and "$.metadata: must be an object" in err
    assert [r["verdict"] for r in got].count("error") == len(p["spec"]["containers"])


@pytest.mark.parametrize("fmt", FORMATS)
def test_hostile_names_in_every_format(tmp_path: Path, items: list[dict[str, Any]], fmt: str) -> None:
    p = copy.deepcopy(items[0])
    p["spec"]["containers"][0]["name"] = "a\nb: c\x1b[31m\x9b\x07\ud800"
    p["metadata"]["namespace"] = 7  # a number where a string belongs
    text = json.dumps(dump([p, items[1]]))
    code, out, _ = run("--from", "1.28", "--pods", str(write(tmp_path, "pods.json", text)), "-o", fmt)
    assert code in (0, 2, 3)
    body = out.decode("utf-8")  # valid UTF-8, whatever the names hold
    if fmt in ("table", "wide", "csv", "markdown"):
        assert "\x1b" not in body and "\x9b" not in body and "\x07" not in body
    if fmt == "yaml":
        loaded = yaml.safe_load(body)
        assert len(loaded["containers"]) == len(p["spec"]["containers"]) + len(items[1]["spec"]["containers"])
    if fmt == "json":
        assert len(json.loads(body)["containers"]) == 1 + len(items[1]["spec"]["containers"])


def test_owner_reference_of_the_wrong_type_in_yaml_output(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    # fuzz seed 1338: a deep object as an owner reference's name reached -o yaml (RecursionError)
    p = copy.deepcopy(items[0])
    p["metadata"]["ownerReferences"] = [{"kind": deep(5), "name": deep(150), "controller": True}]
    code, out, _ = run("--pods", str(write(tmp_path, "pods.json", json.dumps(dump([p])))), "-o", "yaml")
    assert code in (0, 2, 3)
    loaded = yaml.safe_load(out.decode("utf-8"))
    assert [c.get("owner") for c in loaded["containers"]] == [None] * n_containers([p])


def test_yaml_item_that_is_not_a_pod_with_a_syntax_error(tmp_path: Path, items: list[dict[str, Any]]) -> None:
    # fuzz seed 129: a non-pod item was skipped by the YAML fast path without its syntax being checked
    text = yaml.safe_dump(dump([items[0], {"kind": "Service", "metadata": {"name": "s"}, "spec": {"a": "b"}}]))
    text = text.replace("    a: b\n", "    a: b: c\n", 1)
    code, got, err = predict_json(write(tmp_path, "pods.yaml", text))
    assert code == 2 and "mapping values are not allowed" in err
    assert len([r for r in got if r["verdict"] != "error"]) == n_containers(items[:1])


@pytest.mark.parametrize("what", ["--manifests", "--nodes"])
def test_other_inputs_too_deep_for_python(tmp_path: Path, what: str) -> None:
    if what == "--manifests":
        doc: Any = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}
        doc["spec"] = {"template": {"spec": {"containers": [{"name": "c", "image": "i", "args": [deep(5000)]}]}}}
        args = ["--from", "1.28", "--manifests"]
    else:
        doc = json.loads(NODES.read_text())
        doc["items"][0]["metadata"]["labels"]["x"] = deep(5000)
        args = ["--pods", str(ROOT / "examples" / "cluster" / "pods.json"), "--nodes"]
    path = write(tmp_path, "input.json", deep_dumps(doc))
    with CliRunner().isolation() as (_, err, _):
        code = main(["predict", "--to", "1.29", "-q", *args, str(path)])
    assert code == 2 and "MAX_DEPTH" in err.getvalue().decode() and str(path) in err.getvalue().decode()
