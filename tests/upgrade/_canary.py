"""The canary scenario of ``examples/canary/generate.py`` (the after state generated from ``examples/cluster``),
loaded once per test session for the audit tests."""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

GENERATOR = Path(__file__).parents[2] / "examples" / "canary" / "generate.py"


@functools.cache
def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("canary_generate", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def scenario() -> tuple[Any, ...]:
    """``(before pods, before nodes, runtime records, after pods, after nodes, story)``."""
    gen = generator()
    pods, nodes, records = gen.load_before()
    after, after_nodes, story = gen.canary_after(pods, nodes, records)
    return pods, nodes, records, after, after_nodes, story
