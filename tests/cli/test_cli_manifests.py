"""``kubehash predict --manifests/--static-pods`` end to end, the Python door, and the pre-commit hook."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml

from kubehash import Cluster, Options, exitcodes, predict_cluster
from kubehash.cli import main
from kubehash.errors import InputError

ROOT = Path(__file__).parents[2]
DATA = ROOT / "tests" / "data" / "manifests"
K8S, STATIC = str(DATA / "k8s"), str(DATA / "static")


def _json(capsys: pytest.CaptureFixture[str]) -> tuple[dict, str]:
    out, err = capsys.readouterr()
    return json.loads(out), err


def test_a_json_era_upgrade_of_the_repository_passes(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["predict", "--manifests", K8S, "--static-pods", STATIC, "--from", "1.20", "--to", "1.30", "-q"]
    assert main([*args, "-o", "json"]) == exitcodes.OK
    doc, err = _json(capsys)
    assert set(doc["summary"]["verdicts"]) == {"unchanged", "not-running"}
    assert doc["summary"]["manifests"]["pods"] == 10  # 8 workloads, 2 static pods
    assert "warning: 1 custom resource not predicted" in err and "error:" not in err
    pods = {c["pod"] for c in doc["containers"]}
    assert {"Deployment/monitoring/grafana", "CronJob/shop/report", "Pod/kube-system/etcd"} <= pods


def test_restarts_gate_the_pipeline(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["predict", "--manifests", K8S, "--from", "1.28", "--to", "1.31", "-q", "-o", "markdown"]
    assert main(args) == exitcodes.RESTARTS
    out = capsys.readouterr().out
    assert out.startswith("| namespace | pod | container |")
    assert "| monitoring | Deployment/monitoring/grafana | grafana |" in out
    assert "from 1.31 the kubelet hashes only the container's name and image" in out
    assert main([*args, "--fail-on", "never"]) == exitcodes.OK


def test_the_field_an_old_version_lacks_is_warned(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", "--manifests", K8S, "--from", "1.18", "--to", "1.19", "-q", "-o", "json"]) == exitcodes.OK
    doc, err = _json(capsys)
    assert "securityContext.seccompProfile does not exist in Kubernetes 1.18" in err
    assert any("seccompProfile" in w for w in doc["summary"]["warnings"])


def test_an_unreadable_file_is_an_input_error_the_rest_is_predicted(capsys: pytest.CaptureFixture[str]) -> None:
    args = [
        "predict",
        "--manifests",
        str(DATA / "templated.yaml"),
        "--manifests",
        K8S,
        "--from",
        "1.29",
        "--to",
        "1.30",
    ]
    assert main([*args, "-q", "-o", "json"]) == exitcodes.INPUT_ERROR
    doc, err = _json(capsys)
    assert "templated.yaml: document 1 (line 4, column 10)" in err and doc["summary"]["containers"] > 0


def test_standard_input(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO((DATA / "k8s" / "jobs.yaml").read_text()))
    assert main(["predict", "--manifests", "-", "--from", "1.29", "--to", "1.30", "-q", "-o", "json"]) == exitcodes.OK
    doc, _ = _json(capsys)
    assert doc["summary"]["manifests"]["origins"]["Job/shop/migrate"] == "<stdin> (document 1)"


def test_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["predict", "--manifests", K8S, "--to", "1.30"]) == exitcodes.USAGE
    assert "need --from" in capsys.readouterr().err
    pods = str(ROOT / "examples" / "cluster" / "pods.json")
    assert main(["predict", "--manifests", K8S, "--pods", pods, "--from", "1.29", "--to", "1.30"]) == exitcodes.USAGE
    assert "drop pods" in capsys.readouterr().err
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n")
    assert (
        main(["predict", "--manifests", str(tmp_path), "--from", "1.29", "--to", "1.30", "-q"]) == exitcodes.INPUT_ERROR
    )
    assert "no object with a pod template found" in capsys.readouterr().err


def test_the_python_door() -> None:
    result = predict_cluster(Cluster(manifests=(K8S,), static_pods=(STATIC,)), Options(to="1.31", from_version="1.28"))
    assert result.restarts and result.manifests is not None and result.manifests["static_pods"]
    with pytest.raises(InputError, match="drop runtime"):
        Cluster(manifests=(K8S,), runtime=("x",))


def test_pre_commit_hook_runs_kubehash_predict() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "kubehash-predict" and hook["entry"] == "kubehash predict"
    assert hook["language"] == "python" and hook["pass_filenames"] is False


def test_the_ci_recipe_in_the_docs_is_a_valid_command() -> None:
    """Every ``kubehash predict --manifests`` line of docs/manifests.md parses (the option names exist)."""
    import shlex

    from kubehash.cli.app import cli

    page = (ROOT / "docs" / "manifests.md").read_text()
    lines = [line.strip() for line in page.splitlines() if line.strip().startswith("kubehash predict --manifests")]
    assert lines
    predict = cli.commands["predict"]
    known = {o for p in predict.params for o in getattr(p, "opts", [])}
    for line in lines:
        for word in shlex.split(line.split("|")[0].rstrip("\\ ")):
            if word.startswith("-") and word != "-":
                assert word.split("=")[0] in known, f"{word} in {line!r}"


def test_the_ci_recipe_spells_fail_on_restart(capsys: pytest.CaptureFixture[str]) -> None:
    """``--fail-on restart`` (the recipe's spelling) is predict's word for ``risk``: exit 3 across the name/image
    era."""
    args = ["predict", "--manifests", K8S, "--from", "1.28", "--to", "1.31", "-q", "-o", "markdown"]
    assert main([*args, "--fail-on", "restart"]) == exitcodes.RESTARTS
    assert main([*args, "--fail-on", "never"]) == exitcodes.OK
    assert "restart" in capsys.readouterr().out


def test_a_warning_is_shown_once_on_a_screen(capsys: pytest.CaptureFixture[str]) -> None:
    """Table output carries warnings in its summary, so stderr does not repeat them; csv has no summary, so it does."""
    args = ["predict", "--manifests", K8S, "--from", "1.20", "--to", "1.30", "-q", "--fail-on", "never"]
    main(args)
    out, err = capsys.readouterr()
    assert (out + err).lower().count("custom resource not predicted") == 1
    main([*args, "-o", "csv"])
    out, err = capsys.readouterr()
    assert "warning: 1 custom resource not predicted" in err


def test_table_output_counts_what_was_read(capsys: pytest.CaptureFixture[str]) -> None:
    main(["predict", "--manifests", K8S, "--from", "1.20", "--to", "1.30", "-q"])
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("Manifests: ")]
    assert len(lines) == 1 and " with pod templates" in lines[0] and "custom resource" in lines[0]
    main(
        ["predict", "--pods", str(ROOT / "examples" / "cluster" / "pods.json"), "--from", "1.20", "--to", "1.30", "-q"]
    )
    assert "Manifests: " not in capsys.readouterr().out


def test_workloads_given_as_pods_get_a_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["predict", "--pods", str(DATA / "k8s" / "jobs.yaml"), "--from", "1.20", "--to", "1.30", "-q"]) != 0
    err = capsys.readouterr().err
    assert "no pods found; it holds workload objects (" in err and "--manifests" in err


def test_markdown_ends_with_what_was_read(capsys: pytest.CaptureFixture[str]) -> None:
    main(["predict", "--manifests", K8S, "--from", "1.20", "--to", "1.30", "-q", "-o", "markdown"])
    out = capsys.readouterr().out
    assert out.splitlines()[-1].startswith("Manifests: ") and out.count("Manifests: ") == 1
