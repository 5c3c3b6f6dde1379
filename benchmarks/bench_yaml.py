"""YAML dumps at cluster scale: ``kubectl get pods -A -o yaml`` read item by item, against the same cluster's
JSON dump measured in the same run.

    python benchmarks/bench_yaml.py [--sizes 10000,150000] [--kubelet v1.10.13] [--to 1.17] [--dir /tmp/kubehash-yaml]
                                    [--exact-max 20000] [--repeat 1] [--json benchmarks/bench_yaml.json]

The cluster is generated once per size into ``--dir`` (``generate.py --yaml``: pods.json, pods.yaml, nodes.json).
Each case runs in a fresh process; wall time, CPU time (with workers) and peak RSS (largest process) come
from ``os.wait4``. Cases:

* ``json-predict`` (the yardstick): :func:`kubehash.pipeline.predict_file.predict_file` on pods.json, one process;
* ``yaml-predict`` / ``yaml-predict-j2``: the same predictions over pods.yaml -- items cut and decoded by
  :func:`kubehash.sources.yaml_views.decode_pod` (the exact loader where it declines), split between two
  processes by :func:`kubehash.pipeline.yaml_split.map_yaml_items` for ``-j2`` -- done the way ``predict_file`` does it;
* ``json-views``: podlite's ``decode_pods`` over pods.json (:func:`kubehash.pipeline.split.map_items`), no predict;
* ``yaml-views`` / ``yaml-views-j2``: ``decode_pod`` over pods.yaml, no predict;
* ``yaml-exact``: every item of pods.yaml by the exact loader (libyaml + PyYAML constructors), up to
  ``--exact-max`` pods (it is ~60x slower).

Every predict case prints a digest of its predictions: YAML and JSON must give the same verdicts. Columns:
``x json`` wall time over the same run's JSON case (``json-predict`` for predict cases, ``json-views`` for
the others), ``cpu x`` the same for CPU time (steadier on a shared machine), ``x j1`` a two-process case's
wall time over its one-process case.
"""

from __future__ import annotations

import argparse
import dataclasses
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

CASES = ["json-predict", "yaml-predict", "yaml-predict-j2", "json-views", "yaml-views", "yaml-views-j2", "yaml-exact"]


def ensure_cluster(root: Path, pods: int, kubelet: str) -> Path:
    d = root / f"{pods}-{kubelet}"
    if not (d / "pods.yaml").exists():
        d.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, str(HERE / "generate.py"), "--pods", str(pods), "--kubelet", kubelet]
        subprocess.run([*cmd, "--out", str(d), "--seed", str(pods), "--yaml"], check=True, stdout=subprocess.DEVNULL)
    return d


# -- the cases (run in a fresh process: ``--case NAME --cluster DIR``) ----------------------------------


def _digest(prediction: Any) -> str:
    h = hashlib.sha256()
    for c in prediction.containers:
        h.update(repr(_as_tuple(c)).encode())
    return h.hexdigest()


def _as_tuple(p: Any) -> tuple[Any, ...]:
    """A prediction's fields as a tuple (shallow, as predict_file sends them between processes)."""
    return tuple(getattr(p, f.name) for f in dataclasses.fields(p))


def predict_yaml(path: Path, jobs: int, *, to: str, nodes: Any) -> Any:
    """What ``kubehash predict`` does with a YAML dump (the pipeline reads it with the YAML reader)."""
    from kubehash.pipeline.predict_file import predict_file
    from kubehash.upgrade.options import Options

    return predict_file(path, Options(to=to), nodes=nodes, jobs=jobs)


def _identity(x: Any) -> Any:
    return x


def run_case(case: str, d: Path, to: str) -> str:
    nodes = json.loads((d / "nodes.json").read_text())
    if case == "json-predict":
        from kubehash.pipeline.predict_file import predict_file
        from kubehash.upgrade.options import Options

        return _digest(predict_file(d / "pods.json", Options(to=to), nodes=nodes))
    if case.startswith("yaml-predict"):
        return _digest(predict_yaml(d / "pods.yaml", 2 if case.endswith("j2") else 1, to=to, nodes=nodes))
    if case == "json-views":
        from kubehash.pipeline.split import map_items as json_map_items
        from kubehash.sources.podbytes import decode_pods

        return str(sum(1 for _ in json_map_items(d / "pods.json", _identity, decode=decode_pods)))
    if case.startswith("yaml-views"):
        from kubehash.pipeline.yaml_split import map_yaml_items as map_items
        from kubehash.sources.yaml_views import decode_pod

        n = fallbacks = 0
        for x in map_items(d / "pods.yaml", _count_view, jobs=2 if case.endswith("j2") else 1, decode=decode_pod):
            n += 1
            fallbacks += x
        return f"{n} items, {fallbacks} by the exact loader"
    if case == "yaml-exact":
        from kubehash.sources.yaml_items import iter_yaml_items

        return str(sum(1 for _ in iter_yaml_items(d / "pods.yaml")))
    raise SystemExit(f"unknown case {case}")


def _count_view(x: Any) -> int:
    """1 when the item came from the exact loader (a mapping), 0 for a PodView."""
    return 1 if isinstance(x, dict) else 0


# -- the driver -------------------------------------------------------------------------------------------


def measure(case: str, d: Path, to: str) -> dict[str, Any]:
    t0 = time.perf_counter()
    cmd = [sys.executable, str(Path(__file__).resolve()), "--case", case, "--cluster", str(d), "--to", to]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    answer = proc.stdout.read().strip()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{case} failed")
    return {
        "case": case,
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "answer": answer,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,150000")
    ap.add_argument("--kubelet", default="v1.10.13")
    ap.add_argument("--to", default="1.17")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/kubehash-yaml"))
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--exact-max", type=int, default=20000, help="skip yaml-exact above this many pods")
    ap.add_argument("--repeat", type=int, default=1, help="runs per case; the fastest is reported")
    ap.add_argument("--json", type=Path, default=HERE / "bench_yaml.json")
    ap.add_argument("--case", help=argparse.SUPPRESS)
    ap.add_argument("--cluster", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        print(run_case(args.case, args.cluster, args.to))
        return
    results = []
    print(
        f"{'pods':>7} {'case':<16}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}{'x json':>8}{'cpu x':>7}{'x j1':>6}  answer"
    )
    for pods in (int(x) for x in args.sizes.split(",")):
        d = ensure_cluster(args.dir, pods, args.kubelet)
        base: dict[str, dict[str, Any]] = {}
        for case in args.cases.split(","):
            if case == "yaml-exact" and pods > args.exact_max:
                continue
            r = min((measure(case, d, args.to) for _ in range(args.repeat)), key=lambda x: x["wall_s"])
            r.update(
                {
                    "pods": pods,
                    "yaml_mb": (d / "pods.yaml").stat().st_size / 1e6,
                    "json_mb": (d / "pods.json").stat().st_size / 1e6,
                }
            )
            yardstick = "json-predict" if "predict" in case else "json-views"
            base[case] = r
            y = base.get(yardstick)
            r["x_json"] = r["wall_s"] / y["wall_s"] if y else None
            r["x_json_cpu"] = r["cpu_s"] / y["cpu_s"] if y else None
            one = base.get(case[:-3]) if case.endswith("-j2") else None
            r["x_one_process"] = r["wall_s"] / one["wall_s"] if one else None
            results.append(r)

            def show(x: float | None, width: int) -> str:
                return f"{x:>{width}.2f}" if x is not None else " " * width

            print(
                f"{pods:>7} {case:<16}{r['wall_s']:>8.1f}{r['cpu_s']:>8.1f}{r['peak_rss_mb']:>9.0f}"
                f"{show(r['x_json'], 8)}{show(r['x_json_cpu'], 7)}{show(r['x_one_process'], 6)}  {r['answer'][:40]}",
                flush=True,
            )
    args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
