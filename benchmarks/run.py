"""Benchmark runner: hash throughput as a ratio to a same-run ``json.dumps`` baseline, the distinct-spec
cache, streaming parse of a List dump, and peak memory.

    python benchmarks/run.py [--quick] [--pods N] [--stream-pods N] [--json results.json]

Prints one table and writes the figures as JSON (default ``benchmarks/results.json``). Ratios measured in
the same run are what count: the machine is shared, so absolute times move.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_hash  # noqa: E402
import generate  # noqa: E402

import kubehash  # noqa: E402
from kubehash.kubelet.hashcache import HashCache, spec_key  # noqa: E402
from kubehash.kubelet.hashing import plan_for  # noqa: E402
from kubehash.model import iter_containers  # noqa: E402

VERSIONS = ("1.10", "1.17", "1.33")
TARGETS = {"1.10": 2.0, "1.17": 5.0}


def hash_ratios(items: list[dict[str, Any]], rounds: int, source: str = "apiserver") -> dict[str, Any]:
    """Per-container cost of hash_container for each era, against json.dumps of the same dicts."""
    for v in VERSIONS:
        plan_for(v, source)  # compile outside the timing
    base = bench_hash.best_per_item(lambda c: json.dumps(c, separators=(",", ":")), items, rounds)
    out: dict[str, Any] = {"containers": len(items), "baseline_us": base * 1e6, "versions": {}}
    for v in VERSIONS:
        t = bench_hash.best_per_item(lambda c, v=v: kubehash.hash_container(c, v, source=source), items, rounds)
        out["versions"][v] = {"us": t * 1e6, "ratio": t / base}
    return out


def distinct_containers(pods: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(all apiserver containers, the distinct ones by spec_key)."""
    every = [r.spec for r in iter_containers(pods) if r.source == "apiserver"]
    seen: dict[bytes | None, dict[str, Any]] = {}
    for c in every:
        seen.setdefault(spec_key(c), c)
    return every, list(seen.values())


def cache_run(containers: list[dict[str, Any]], version: str) -> dict[str, Any]:
    cache = HashCache()
    t0 = time.perf_counter()
    for c in containers:
        cache.hash(c, version)
    t = time.perf_counter() - t0
    s = cache.stats()
    return {"version": version, "us": t / len(containers) * 1e6, "hit_rate": s.hit_rate, "distinct": s.entries}


_PARSE = """
import json, resource, sys, time
from kubehash.golang.jsonvalue import RawFloat
from kubehash.sources.stream import iter_items
path, how = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if how == "stream":
    n = sum(1 for _ in iter_items(path))
else:
    with open(path, encoding="utf-8") as f:
        n = len(json.load(f, parse_float=RawFloat)["items"])
t = time.perf_counter() - t0
print(json.dumps({"items": n, "seconds": t, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def parse_run(path: Path) -> dict[str, Any]:
    """Streaming parse vs json.load of the same dump, each in a fresh process (for its peak RSS)."""
    size = path.stat().st_size
    out: dict[str, Any] = {"bytes": size}
    for how in ("stream", "json.load"):
        proc = subprocess.run(
            [sys.executable, "-c", _PARSE, str(path), how], capture_output=True, text=True, check=True
        )
        r = json.loads(proc.stdout)
        r["mb_per_s"] = size / 1e6 / r["seconds"]
        out[how] = r
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes, one round (a smoke run)")
    ap.add_argument("--pods", type=int, help="generated pods for the hash and cache cases (default 3000)")
    ap.add_argument("--stream-pods", type=int, help="pods in the dump for the parse case (default 20000)")
    ap.add_argument("--dump", type=Path, help="an existing List dump for the parse case (instead of generating one)")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--json", type=Path, default=HERE / "results.json")
    args = ap.parse_args()
    rounds = args.rounds or (1 if args.quick else 5)
    n_pods = args.pods or (300 if args.quick else 3000)
    n_stream = args.stream_pods or (1000 if args.quick else 20000)

    results: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "rounds": rounds,
    }
    golden = bench_hash.corpus()
    results["golden"] = hash_ratios(golden, rounds)
    pods = generate.pod_list(n_pods, seed=1, kubelet="v1.17.17")
    every, distinct = distinct_containers(pods)
    results["generated"] = {"pods": n_pods, **hash_ratios(distinct, rounds)}
    results["cache"] = {"containers": len(every), "runs": [cache_run(every, v) for v in ("1.10", "1.17")]}
    if args.dump is not None:
        results["parse"] = {"pods": None, "file": str(args.dump), **parse_run(args.dump)}
    else:
        with tempfile.TemporaryDirectory() as tmp:
            dump = Path(tmp) / "pods.json"
            generate.write_pod_list(dump, n_stream, seed=2, kubelet="v1.17.17")
            results["parse"] = {"pods": n_stream, **parse_run(dump)}
    results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    print(f"python {results['python']} on {results['machine']}; best of {rounds} rounds")
    print(f"{'corpus':<44}{'case':<14}{'us/container':>14}{'x json.dumps':>14}{'target':>8}")
    for name, key in (("golden (distinct, decodable)", "golden"), (f"generated {n_pods} pods, distinct", "generated")):
        r = results[key]
        label = f"{name} n={r['containers']}"
        print(f"{label:<44}{'json.dumps':<14}{r['baseline_us']:>14.2f}{1:>14.2f}")
        for v, x in r["versions"].items():
            target = f"<={TARGETS[v]}" if v in TARGETS else ""
            print(f"{'':<44}{'hash ' + v:<14}{x['us']:>14.2f}{x['ratio']:>14.2f}{target:>8}")
    for r in results["cache"]["runs"]:
        n = results["cache"]["containers"]
        print(
            f"HashCache {n} containers, {r['version']}: {r['us']:.2f} us/container, "
            f"hit rate {r['hit_rate']:.1%}, {r['distinct']} distinct"
        )
    p = results["parse"]
    for how in ("stream", "json.load"):
        x = p[how]
        print(
            f"parse {x['items']} pods ({p['bytes'] / 1e6:.0f} MB) {how:<10} {x['seconds']:.2f} s, "
            f"{x['mb_per_s']:.0f} MB/s, peak RSS {x['peak_rss_mb']:.0f} MB"
        )
    print(f"peak RSS of this process: {results['peak_rss_mb']:.0f} MB")
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {args.json}")


if __name__ == "__main__":
    main()
