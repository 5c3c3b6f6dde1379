"""End-to-end: ``kubehash predict`` on generated dumps of growing size, per ``--jobs``.

    python benchmarks/e2e.py [--sizes 10000,50000,150000] [--jobs 1,2] [--to 1.17] [--kubelet v1.10.13]
                             [--output table] [--repeat 3] [--no-baseline] [--dir /tmp/kubehash-e2e]
                             [--json benchmarks/e2e.json]

Dumps are generated once per size into ``--dir`` (seeded, reused when present). Each run is a fresh
``kubehash predict`` process; wall time, CPU time (user+sys of the process and its workers) and peak RSS
(largest single process) come from ``os.wait4``; with ``--repeat N`` the run with the lowest wall time is
reported (the machine is shared). Outputs of different ``--jobs`` are compared byte for byte.

Baseline, measured in the same run: a fresh ``python`` process doing nothing but ``json.load`` of the same
dump (the standard library reading the file into Python objects); ``x json.load`` is predict's wall time
over that one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402


def ensure_dump(root: Path, pods: int, kubelet: str) -> Path:
    d = root / f"{pods}-{kubelet}"
    if not (d / "pods.json").exists():
        d.mkdir(parents=True, exist_ok=True)
        gen = generate.write_pod_list(d / "pods.json.tmp", pods, seed=pods, kubelet=kubelet)
        (d / "nodes.json").write_text(json.dumps(gen.node_list(), indent=4) + "\n", encoding="utf-8")
        (d / "pods.json.tmp").rename(d / "pods.json")
    return d


def run_predict(d: Path, to: str, jobs: int, output: str) -> dict[str, Any]:
    exe = Path(sys.executable).parent / "kubehash"
    cmd = [str(exe), "predict", "--to", to, "--pods", str(d / "pods.json"), "--nodes", str(d / "nodes.json")]
    cmd += ["-o", output, "-q", "--jobs", str(jobs), "--fail-on", "never"]
    digest = hashlib.sha256()
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    assert proc.stdout is not None
    size = 0
    for block in iter(lambda: proc.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
        digest.update(block)
        size += len(block)
    code, measured = _wait(proc, t0)
    return {"jobs": jobs, "exit": code, **measured, "output_bytes": size, "output_sha256": digest.hexdigest()}


def _wait(proc: subprocess.Popen[bytes], t0: float) -> tuple[int, dict[str, float]]:
    """The exit code of ``proc`` and its wall time since ``t0``, CPU time (with its children) and peak RSS."""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def run_json_load(d: Path) -> dict[str, Any]:
    """The baseline: ``json.load`` of the dump in a fresh interpreter (wall, CPU, peak RSS)."""
    code = "import json, sys\nwith open(sys.argv[1], 'rb') as f:\n    json.load(f)\n"
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code, str(d / "pods.json")])
    exit_code, measured = _wait(proc, t0)
    assert exit_code == 0
    return measured


def best_of(n: int, fn: Any, *args: Any) -> dict[str, Any]:
    runs = [fn(*args) for _ in range(n)]
    return min(runs, key=lambda r: r["wall_s"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,50000,150000")
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--to", default="1.17")
    ap.add_argument("--kubelet", default="v1.10.13", help="kubelet version of the generated nodes")
    ap.add_argument("--output", default="table", help="predict's -o format")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest is reported")
    ap.add_argument("--no-baseline", action="store_true", help="skip the json.load baseline")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/kubehash-e2e"))
    ap.add_argument("--json", type=Path, default=HERE / "e2e.json")
    args = ap.parse_args()
    results = []
    print(f"{'pods':>8}{'MB':>8}{'jobs':>6}{'wall s':>9}{'cpu s':>9}{'peak MB':>9}{'x json.load':>13}  same output")
    for pods in (int(x) for x in args.sizes.split(",")):
        d = ensure_dump(args.dir, pods, args.kubelet)
        mb = (d / "pods.json").stat().st_size / 1e6
        base = None if args.no_baseline else best_of(args.repeat, run_json_load, d)
        if base is not None:
            results.append({"pods": pods, "dump_mb": mb, "baseline": "json.load", **base})
            print(
                f"{pods:>8}{mb:>8.0f}{'-':>6}{base['wall_s']:>9.1f}{base['cpu_s']:>9.1f}{base['peak_rss_mb']:>9.0f}"
                f"{1:>13.2f}  (baseline: json.load)"
            )
        first: str | None = None
        for jobs in (int(x) for x in args.jobs.split(",")):
            r = best_of(args.repeat, run_predict, d, args.to, jobs, args.output)
            first = first or r["output_sha256"]
            ratio = r["wall_s"] / base["wall_s"] if base is not None else None
            r.update({"pods": pods, "dump_mb": mb, "same_output": r["output_sha256"] == first, "x_json_load": ratio})
            results.append(r)
            shown = f"{ratio:>13.2f}" if ratio is not None else f"{'':>13}"
            print(
                f"{pods:>8}{mb:>8.0f}{jobs:>6}{r['wall_s']:>9.1f}{r['cpu_s']:>9.1f}{r['peak_rss_mb']:>9.0f}{shown}"
                f"  {r['same_output']} (exit {r['exit']})"
            )
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
