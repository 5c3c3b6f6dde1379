"""Error rows of pods made from manifests name the object, its file and the field's path in the object."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubehash import Cluster, Options, predict_cluster
from kubehash.cli import main

_BAD_CPU = "resources: {limits: {cpu: '1.5x'}}"

MANIFEST = f"""\
apiVersion: v1
kind: ReplicationController
metadata: {{name: rc1}}
spec:
  template:
    spec:
      containers: [{{name: c, image: nginx, {_BAD_CPU}}}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {{name: ss, namespace: db}}
spec:
  template:
    spec:
      containers: {{name: oops, image: x}}
---
apiVersion: batch/v1
kind: CronJob
metadata: {{name: backup, namespace: ops}}
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{{name: ok, image: busybox}}, {{name: run, image: busybox, {_BAD_CPU}}}]
---
apiVersion: v1
kind: Pod
metadata: {{name: solo, namespace: web}}
spec:
  containers: [{{name: ok, image: nginx}}, {{name: web, image: nginx, {_BAD_CPU}}}]
"""

STATIC = f"""\
apiVersion: v1
kind: Pod
metadata: {{name: etcd}}
spec:
  containers: [{{name: etcd, image: etcd, {_BAD_CPU}}}]
"""


def _errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[dict[tuple[str, str], str], str]:
    (tmp_path / "app.yaml").write_text(MANIFEST)
    (tmp_path / "etcd.yaml").write_text(STATIC)
    args = ["predict", "--manifests", str(tmp_path / "app.yaml"), "--static-pods", str(tmp_path / "etcd.yaml")]
    main([*args, "--from", "1.29", "--to", "1.30", "-q", "-o", "json"])
    out, err = capsys.readouterr()
    rows = json.loads(out)["containers"]
    return {(r["pod"], r["container"]): r["error"] for r in rows if r["error"]}, err


def test_error_paths_are_the_objects_paths_and_name_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    errors, err = _errors(tmp_path, capsys)
    f = tmp_path / "app.yaml"
    limit = "resources.limits.cpu: quantities must match"
    assert errors[("ReplicationController/rc1", "c")].startswith(
        f"ReplicationController/rc1 in {f} (document 1), container c: spec.template.spec.containers[0].{limit}"
    )
    assert errors[("CronJob/ops/backup", "run")].startswith(
        f"CronJob/ops/backup in {f} (document 3), container run: "
        f"spec.jobTemplate.spec.template.spec.containers[1].{limit}"
    )
    assert errors[("Pod/web/solo", "web")].startswith(
        f"Pod/web/solo in {f} (document 4), container web: spec.containers[1].{limit}"
    )
    assert errors[("Pod/default/etcd", "etcd")].startswith(
        f"Pod/default/etcd in {tmp_path / 'etcd.yaml'}, container etcd: spec.containers[0].{limit}"
    )
    # the namespace is in the object's name once; the pod-level path is the object's
    assert errors[("StatefulSet/db/ss", "-")] == (
        f"StatefulSet/db/ss in {f} (document 2): spec.template.spec.containers: must be an array, not object"
    )
    assert "$." not in err and "pod db/" not in err and f"error: StatefulSet/db/ss in {f}" in err


def test_the_python_door_gives_the_same_text(tmp_path: Path) -> None:
    (tmp_path / "app.yaml").write_text(MANIFEST)
    result = predict_cluster(Cluster(manifests=(tmp_path / "app.yaml",)), Options(to="1.30", from_version="1.29"))
    errors = [c.error for c in result.containers if c.error]
    assert len(errors) == 4 and all(e.split(" in ", 1)[0] in e and "$." not in e for e in errors)
