"""The fuzz campaign (docs/fuzzing.md): mutated realistic dumps and hypothesis-built pods through the library
and the CLI, every invariant of :mod:`harness` checked for each case.

A bounded smoke runs with the default test run (``KUBEHASH_FUZZ_SMOKE_SECONDS``, default 8 s for the
mutations). ``KUBEHASH_FUZZ_SECONDS=600 pytest tests/fuzz -m fuzz_long`` runs the long campaign: cases
from consecutive seeds until the time is up, starting at ``KUBEHASH_FUZZ_SEED`` (default 0); a failure names
its seed, which replays it (``KUBEHASH_FUZZ_REPLAY=<seed>``).
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import ROOT, FuzzFailure, run_case
from mutate import HOSTILE, deep, make_case


def _base() -> list[dict[str, Any]]:
    """Realistic pods: the example cluster's (a spread of workloads, init containers, static pods) and the
    test data's YAML dump."""
    pods = json.loads((ROOT / "examples" / "cluster" / "pods.json").read_text())["items"]
    picked = pods[:: max(1, len(pods) // 40)]
    extra = yaml.safe_load((ROOT / "tests" / "data" / "upgrade" / "pods.yaml").read_text())
    more = extra.get("items", []) if isinstance(extra, dict) else []
    return [p for p in [*picked, *more] if isinstance(p, dict)]


BASE = _base()


def run_seed(seed: int) -> None:
    rng = random.Random(seed)
    case = make_case(rng, BASE)
    jobs = 2 if case.suffix == ".json" and rng.random() < 0.2 else 1
    fmt = rng.choice(("table", "wide", "json", "yaml", "csv", "markdown"))
    try:
        damaged = any(s in case.steps for s in ("truncated", "flipped", "bad-utf8", "spliced"))
        run_case(case.data, case.suffix, manifests=case.manifests, jobs=jobs, fmt=fmt, damaged=damaged)
    except Exception as e:  # a FuzzFailure, or an escape from the harness itself: name the seed either way
        raise FuzzFailure(f"seed {seed} ({', '.join(case.steps)}; -j {jobs}, -o {fmt}): {e!r}"[:2000]) from e


def campaign(seconds: float, first_seed: int) -> int:
    """Cases from consecutive seeds for ``seconds``; the number run."""
    end = time.monotonic() + seconds
    seed = first_seed
    while time.monotonic() < end:
        run_seed(seed)
        seed += 1
    return seed - first_seed


def test_mutation_smoke() -> None:
    if "KUBEHASH_FUZZ_REPLAY" in os.environ:
        run_seed(int(os.environ["KUBEHASH_FUZZ_REPLAY"]))
        return
    n = campaign(
        float(os.environ.get("KUBEHASH_FUZZ_SMOKE_SECONDS", "8")), int(os.environ.get("KUBEHASH_FUZZ_SEED", "0"))
    )
    assert n >= 5  # the smoke did run cases


@pytest.mark.fuzz_long
@pytest.mark.skipif("KUBEHASH_FUZZ_SECONDS" not in os.environ, reason="long fuzz run: set KUBEHASH_FUZZ_SECONDS")
def test_mutation_campaign() -> None:
    seconds = float(os.environ["KUBEHASH_FUZZ_SECONDS"])
    first = int(os.environ.get("KUBEHASH_FUZZ_SEED", "1000000"))
    started = time.monotonic()
    n = campaign(seconds, first)
    rate = n / (time.monotonic() - started)
    print(f"\nfuzz: {n} cases in {seconds:.0f} s ({rate:.1f}/s) from seed {first}")


names = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12), st.integers(), st.none())
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
containers = st.one_of(
    st.fixed_dictionaries(
        {"name": names, "image": st.one_of(st.just("nginx:1.25"), names)},
        optional={
            "resources": st.one_of(
                st.fixed_dictionaries({"limits": st.dictionaries(st.sampled_from(["cpu", "memory"]), names)}),
                json_values,
            ),
            "env": st.lists(st.fixed_dictionaries({"name": names, "value": names}), max_size=2),
            "ports": json_values,
            "args": st.one_of(st.lists(names, max_size=3), json_values),
            "x": st.integers(0, 12).map(lambda n: deep(n * 10)),
        },
    ),
    json_values,
)
pods = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["Pod", "Pod", "Pod", None, "Node"]),
        "metadata": st.one_of(
            st.fixed_dictionaries({"name": names, "namespace": names, "uid": st.uuids().map(str)}), json_values
        ),
        "spec": st.one_of(
            st.fixed_dictionaries(
                {
                    "nodeName": st.sampled_from(["cp-1", "worker-1", "nowhere", ""]),
                    "containers": st.lists(containers, max_size=3),
                },
                optional={"initContainers": st.one_of(st.lists(containers, max_size=2), json_values)},
            ),
            json_values,
        ),
        "status": st.one_of(st.just({"phase": "Running"}), json_values),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.lists(st.one_of(pods, pods, pods, json_values), min_size=1, max_size=4),
    st.sampled_from(["json", "yaml", "indented"]),
)
def test_hypothesis_pods(items: list[Any], encoding: str) -> None:
    dump = {"apiVersion": "v1", "kind": "List", "metadata": {}, "items": items}
    if encoding == "yaml":
        data, suffix = yaml.safe_dump(dump, sort_keys=False).encode("utf-8", "surrogatepass"), ".yaml"
    else:
        text = json.dumps(dump, indent=2 if encoding == "indented" else None)
        data, suffix = text.encode("utf-8", "surrogatepass"), ".json"
    run_case(data, suffix, fmt="table")
