"""The bundled example cluster is reproducible from its seeded generator (no hand edits drift in)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

EXAMPLES = Path(__file__).parents[2] / "examples"


def _generator():
    spec = importlib.util.spec_from_file_location("generate_cluster", EXAMPLES / "generate_cluster.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_generator_reproduces_the_committed_cluster():
    pods, nodes, runtime = _generator().build()
    cluster = EXAMPLES / "cluster"
    assert json.loads((cluster / "pods.json").read_text()) == pods
    assert json.loads((cluster / "nodes.json").read_text()) == nodes
    for node, records in runtime.items():
        assert json.loads((cluster / "runtime" / node / "docker-inspect.json").read_text()) == records
    assert 200 <= len(pods["items"]) <= 400
