"""The parent's serial tail of ``kubehash predict``: the summary and each output writer, timed in isolation.

    python benchmarks/bench_render.py --dir /tmp/kubehash-e2e/150000-v1.10.13 [--to 1.17] [--formats table,json]
    python benchmarks/bench_render.py --pickle PRED.pkl ...   # a prediction saved by --save (skips predict)

Runs ``predict_file`` once (``--jobs 2``), then for each format writes the prediction to the null device
with :func:`kubehash.report.prediction.write_prediction` (best of ``--rounds``, wall and CPU) and, with ``--sha``,
prints the sha256 of each output (compare branches: the bytes must not change).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import pickle
import resource
import time
from pathlib import Path

from kubehash.model import iter_nodes
from kubehash.pipeline.predict_file import predict_file
from kubehash.report.prediction import PREDICT_FORMATS, write_prediction
from kubehash.sources.documents import load_documents
from kubehash.sources.gcpause import gc_relaxed
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import Prediction


class _Sink(io.TextIOBase):
    """A text sink that keeps only the length of what is written and, with ``digest``, its sha256."""

    def __init__(self, digest: bool) -> None:
        self.sha, self.chars, self.digest = hashlib.sha256(), 0, digest

    def write(self, s: str) -> int:
        if self.digest:
            self.sha.update(s.encode())
        self.chars += len(s)
        return len(s)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", type=Path, help="a generated dump: DIR/pods.json and DIR/nodes.json")
    ap.add_argument("--pickle", type=Path, help="a prediction saved with --save")
    ap.add_argument("--save", type=Path, help="save the prediction (pickle) for later runs")
    ap.add_argument("--to", default="1.17")
    ap.add_argument("--formats", default="table,wide,json,csv,markdown")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--sha", action="store_true", help="print each output's sha256 (hashing is timed too)")
    args = ap.parse_args()
    if args.pickle:
        with args.pickle.open("rb") as f:
            prediction: Prediction = pickle.load(f)
    else:
        nodes = list(iter_nodes(load_documents(args.dir / "nodes.json")))
        t = time.perf_counter()
        prediction = predict_file(args.dir / "pods.json", Options(to=args.to), nodes=nodes, jobs=2)
        print(f"predict_file: {len(prediction)} containers in {time.perf_counter() - t:.2f} s")
        if args.save:
            with args.save.open("wb") as f:
                pickle.dump(prediction, f, protocol=pickle.HIGHEST_PROTOCOL)
    with gc_relaxed():
        t = time.perf_counter()
        prediction.summary  # noqa: B018
        print(f"summary: {time.perf_counter() - t:.3f} s")
        for fmt in args.formats.split(","):
            if fmt not in PREDICT_FORMATS:
                raise SystemExit(f"unknown format {fmt!r}")
            best = None
            for _ in range(args.rounds):
                sink = _Sink(args.sha)
                wall, cpu = time.perf_counter(), time.process_time()
                write_prediction(prediction, fmt, sink)
                took = (time.perf_counter() - wall, time.process_time() - cpu)
                best = took if best is None or took[1] < best[1] else best
            assert best is not None
            sha = sink.sha.hexdigest()[:16] if args.sha else ""
            print(f"{fmt:9} wall {best[0]:6.2f} s  cpu {best[1]:6.2f} s  {sink.chars:>11} chars  {sha}")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")


if __name__ == "__main__":
    main()
