"""The parent's serial tail of ``kubehash predict``: the summary and each output format, timed in isolation.

    python benchmarks/bench_render.py --dir /tmp/r150 [--save P]     # predict DIR/pods.json once (--jobs 2)
    python benchmarks/bench_render.py --pickle P [--yardstick SRC]   # a prediction saved by --save

Writes the prediction to a sink (output discarded) with :func:`kubehash.report.write` in every format, best
CPU time of ``--rounds``, and prints each as a ratio to ``-o json`` of the same run. ``--yardstick SRC``: also
time ``kubehash.report.prediction.write_prediction(p, "json", sink)`` from another source tree (e.g. main's,
``git archive main kubehash | tar -x -C SRC``) on the same pickle in a subprocess, as the old JSON writer to
compare with. Each format's peak memory is measured in a fresh process (``--memory``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ORDER = ("json", "table", "wide", "yaml", "csv", "markdown")


class _Sink(io.TextIOBase):
    """A text sink that keeps only the length of what is written."""

    def __init__(self) -> None:
        self.chars = 0

    def write(self, s: str) -> int:
        self.chars += len(s)
        return len(s)


def _load(path: Path) -> Any:
    with path.open("rb") as f:
        return pickle.load(f)


def _time(write: Any, prediction: Any, fmt: str, rounds: int) -> tuple[float, int]:
    from kubehash.sources.gcpause import gc_relaxed

    best, chars = float("inf"), 0
    with gc_relaxed():
        for _ in range(rounds):
            sink = _Sink()
            cpu = time.process_time()
            write(prediction, fmt, sink)
            best = min(best, time.process_time() - cpu)
            chars = sink.chars
    return best, chars


def _child(args: argparse.Namespace) -> None:
    """One format in this process: its CPU time and peak RSS, as JSON on stdout."""
    if args.old:
        from kubehash.report.prediction import write_prediction as write  # type: ignore[attr-defined]
    else:
        from kubehash.report import write
    prediction = _load(args.pickle)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    took, chars = _time(write, prediction, args.child, args.rounds)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"cpu": took, "chars": chars, "peak_mb": peak // 1024, "added_mb": (peak - base) // 1024}))


def _run_child(pickle_path: Path, fmt: str, rounds: int, src: Path | None = None) -> dict[str, Any]:
    env = dict(os.environ)
    cmd = [sys.executable, __file__, "--pickle", str(pickle_path), "--child", fmt, "--rounds", str(rounds)]
    if src is not None:
        env["PYTHONPATH"] = str(src)
        cmd.append("--old")
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    return dict(json.loads(out.splitlines()[-1]))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--dir", type=Path, help="a generated dump: DIR/pods.json and DIR/nodes.json")
    ap.add_argument("--pickle", type=Path, help="a prediction saved with --save")
    ap.add_argument("--save", type=Path, help="save the prediction (pickle) for later runs")
    ap.add_argument("--to", default="1.17")
    ap.add_argument("--formats", default=",".join(ORDER))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--yardstick", type=Path, help="another source tree whose write_prediction(json) is timed")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--old", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(args)
        return
    if args.dir:
        from kubehash.model import iter_nodes
        from kubehash.pipeline.predict_file import predict_file
        from kubehash.sources.documents import load_documents
        from kubehash.upgrade.options import Options

        nodes = list(iter_nodes(load_documents(args.dir / "nodes.json")))
        t = time.perf_counter()
        prediction = predict_file(args.dir / "pods.json", Options(to=args.to), nodes=nodes, jobs=2)
        print(f"predict_file: {len(prediction)} containers in {time.perf_counter() - t:.2f} s")
        args.pickle = args.save or Path("/tmp/kubehash-bench-render.pkl")
        with args.pickle.open("wb") as f:
            pickle.dump(prediction, f, protocol=pickle.HIGHEST_PROTOCOL)
    if not args.pickle:
        raise SystemExit("give --dir or --pickle")
    results = {fmt: _run_child(args.pickle, fmt, args.rounds) for fmt in args.formats.split(",")}
    if args.yardstick:
        results["json (yardstick)"] = _run_child(args.pickle, "json", args.rounds, args.yardstick)
    json_cpu = results.get("json", {}).get("cpu")
    print(f"{'format':17} {'cpu s':>7} {'x json':>7} {'chars':>12} {'peak MB':>8} {'added MB':>9}")
    for fmt, r in results.items():
        ratio = f"{r['cpu'] / json_cpu:7.2f}" if json_cpu else "      -"
        print(f"{fmt:17} {r['cpu']:7.2f} {ratio} {r['chars']:>12} {r['peak_mb']:>8} {r['added_mb']:>9}")


if __name__ == "__main__":
    main()
