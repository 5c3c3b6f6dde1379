"""``kubehash explain --control-plane-version/--feature-gates`` and the defaults in ``kubehash versions``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kubehash.cli import main

EXAMPLES = Path(__file__).parents[2] / "examples"
PODS = str(EXAMPLES / "pods.yaml")


def test_explain_names_the_resize_policy_default(capsys: pytest.CaptureFixture[str]) -> None:
    args = ["explain", "--from", "1.26", "--to", "1.27", "--control-plane", "1.27", PODS, "-o", "json"]
    assert main([*args, "--feature-gates", "InPlacePodVerticalScaling=true"]) == 0
    rows = {r["container"]: r for r in json.loads(capsys.readouterr().out)}
    reasons = rows["postgres"]["reasons"]
    assert [r["kind"] for r in reasons] == ["default-added"]
    assert reasons[0]["path"] == "spec.containers[0].resizePolicy"
    assert "gate InPlacePodVerticalScaling" in reasons[0]["detail"]
    assert not rows["nginx"]["changed"]  # no resources, so no requests: no policy
    assert main(args) == 0  # the gate's default (off): nothing restarts
    assert not any(r["changed"] for r in json.loads(capsys.readouterr().out))


def test_explain_without_control_plane_is_unchanged(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--from", "1.26", "--to", "1.27", PODS, "-o", "json"]) == 0
    assert not any(r["changed"] for r in json.loads(capsys.readouterr().out))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--control-plane", "1.26", "--feature-gates", "InPlacePodVerticalScaling=true"], "unknown feature"),
        (["--control-plane", "1.27", "--feature-gates", "InPlacePodVerticalScaling=maybe"], "invalid value"),
        (["--to", "1.26", "--feature-gates", "InPlacePodVerticalScaling=true"], "--feature-gates"),
        (["--control-plane", "0.9"], "unsupported"),
    ],
)
def test_bad_gates_are_usage_errors(extra: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--from", "1.26", "--to", "1.27", *extra, PODS]) == 1
    assert message in capsys.readouterr().err


def test_versions_show_defaults_and_gates(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["versions", "-o", "json"]) == 0
    by_minor = {r["minor"]: r for r in json.loads(capsys.readouterr().out)}
    assert "grpc-service" not in by_minor["1.22"]["defaults"] and "grpc-service" in by_minor["1.23"]["defaults"]
    assert by_minor["1.27"]["gated_defaults"] == {"resize-policy": "InPlacePodVerticalScaling"}
    assert by_minor["1.27"]["gate_defaults"]["InPlacePodVerticalScaling"] is False
    assert by_minor["1.33"]["gate_defaults"]["InPlacePodVerticalScaling"] is True
    assert "resize-policy" not in by_minor["1.33"]["defaults"]
    assert by_minor["1.33"]["default_changes"] == ["-resize-policy"]
    assert main(["versions"]) == 0
    assert "+resize-policy (InPlacePodVerticalScaling)" in capsys.readouterr().out
