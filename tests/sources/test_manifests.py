"""sources.manifests: manifest files and directories, kubelet manifest directories, standard input."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubehash.sources.manifests import read_manifests, read_static_pods

DATA = Path(__file__).parents[1] / "data" / "manifests"


def _kinds(read: Any) -> list[str]:
    return [d.obj.get("kind") if isinstance(d.obj, dict) else None for d in read.documents]


def test_a_directory_is_walked_recursively_for_manifest_files_only() -> None:
    read = read_manifests([DATA / "k8s"])
    names = [Path(f).relative_to(DATA / "k8s").as_posix() for f in read.files]
    # a directory's files in name order, then its subdirectories; hidden directories and README.md skipped
    assert names == ["jobs.yaml", "monitoring.yaml", "base/kustomization.yaml", "base/list.yaml", "base/web.json"]
    assert read.problems == []
    assert _kinds(read).count("Deployment") == 1 and "StatefulSet" in _kinds(read)


def test_concatenated_json_objects_are_documents() -> None:
    read = read_manifests([DATA / "k8s" / "base" / "web.json"])
    assert _kinds(read) == ["StatefulSet", "ReplicationController"]
    assert [d.origin for d in read.documents] == [f"{read.files[0]} (document 1)", f"{read.files[0]} (document 2)"]


def test_an_unreadable_file_is_reported_and_the_rest_kept(tmp_path: Path) -> None:
    read = read_manifests([DATA / "templated.yaml", DATA / "k8s" / "jobs.yaml", tmp_path / "missing.yaml", tmp_path])
    assert _kinds(read) == ["Job", "CronJob"]
    assert len(read.problems) == 3
    assert "templated.yaml: document 1 (line 4, column 10)" in read.problems[0]
    assert "missing.yaml: no such file or directory" in read.problems[1]
    assert "no *.yaml, *.yml or *.json files in this directory" in read.problems[2]


def test_a_named_file_is_read_whatever_its_name() -> None:
    read = read_manifests([DATA / "static" / "kube-scheduler.manifest"])
    assert _kinds(read) == ["Pod"] and read.documents[0].origin == read.files[0]


def test_static_pod_directory_is_read_as_the_kubelet_reads_it() -> None:
    read = read_static_pods([DATA / "static"])
    # every non-hidden regular file, any extension, in name order; no recursion into old/
    assert [Path(f).name for f in read.files] == ["etcd.yaml", "kube-scheduler.manifest"]


def test_standard_input(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (DATA / "k8s" / "base" / "web.json").read_text()
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    read = read_manifests(["-"])
    assert read.files == ["<stdin>"] and _kinds(read) == ["StatefulSet", "ReplicationController"]
    monkeypatch.setattr("sys.stdin", io.StringIO("a: [b\n"))
    assert "<stdin>: document 1 (line 2" in read_manifests(["-"]).problems[0]


OBJECTS = st.lists(
    st.fixed_dictionaries(
        {
            "apiVersion": st.just("v1"),
            "kind": st.sampled_from(["Pod", "ConfigMap", "Service"]),
            "metadata": st.fixed_dictionaries({"name": st.text("abcdefgh-", min_size=1, max_size=8)}),
            "data": st.dictionaries(st.text("abc", min_size=1, max_size=3), st.integers() | st.text(max_size=5)),
        }
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(objects=OBJECTS, style=st.sampled_from(["yaml", "json-stream", "json-list", "json-lines"]))
def test_every_document_of_a_stream_comes_back_in_order(tmp_path: Path, objects: list[Any], style: str) -> None:
    f = tmp_path / f"objects-{style}.yaml"
    if style == "yaml":
        f.write_text(yaml.safe_dump_all(objects))
    elif style == "json-stream":
        f.write_text("".join(json.dumps(o) for o in objects))
    elif style == "json-lines":
        f.write_text("\n".join(json.dumps(o, indent=1) for o in objects) + "\n")
    else:
        f.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": objects}))
    read = read_manifests([f])
    got = read.documents[0].obj["items"] if style == "json-list" else [d.obj for d in read.documents]
    assert got == objects and read.problems == []
