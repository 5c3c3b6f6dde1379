"""Every input form at cluster scale, as ratios to a yardstick measured in the same run (issue 14).

    python benchmarks/inputs.py [--pods 150000] [--kubelet v1.10.13] [--to 1.17] [--repeat 2]
                                [--cases all|yardstick,indented,compact,stdin,yaml,live,fleet]
                                [--dir /tmp/kubehash-inputs] [--json benchmarks/inputs.json]

The yardstick (``benchmarks/yardstick.py``) is the least any Python tool must do: read the dump and decode
with msgspec into typed structs just each pod's name, namespace, uid, node and the raw bytes of its
containers. Every case is a fresh process (``kubehash predict --to TO -o json``, output discarded) measured
with ``os.wait4``: wall time, CPU time (with its worker processes) and peak RSS of the largest process; with
``--repeat N`` the fastest run is kept (the machine is shared). Ratios are wall times over the yardstick of
the same dump form (compact or indented JSON), measured in the same run.

Cases: ``indented`` / ``compact`` (``kubectl get pods -A -o json`` and ``kubectl get --raw /api/v1/pods``
forms) with ``--jobs 1``, ``2`` and ``0``; ``stdin`` (the compact dump piped into ``--pods -``); ``yaml``
(``kubectl get pods -A -o yaml``, when ``pods.yaml`` exists: ``generate.py --yaml``); ``live`` (a fake API
server on 127.0.0.1, ``benchmarks/live_server.py``, serving the compact dump page by page, ``limit=500``);
``fleet`` (10 clusters of a tenth of the pods each, in one run with ``--jobs 2``, against the whole cluster
with ``--jobs 2``).
"""

from __future__ import annotations

import argparse
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

KUBEHASH = Path(sys.executable).parent / "kubehash"


def measure(cmd: list[str], *, stdin: Path | None = None, env: dict[str, str] | None = None) -> dict[str, Any]:
    """One fresh process: exit code, wall, CPU (with its children) and peak RSS (largest process)."""
    t0 = time.perf_counter()
    with open(stdin, "rb") if stdin else open(os.devnull, "rb") as inp:
        proc = subprocess.Popen(cmd, stdin=inp, stdout=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    return {
        "exit": os.waitstatus_to_exitcode(status),
        "wall_s": round(wall, 3),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
    }


def best(n: int, cmd: list[str], **kw: Any) -> dict[str, Any]:
    return min((measure(cmd, **kw) for _ in range(n)), key=lambda r: r["wall_s"])


def ensure_cluster(root: Path, pods: int, kubelet: str, seed: int) -> Path:
    d = root / f"{pods}-{kubelet}-{seed}"
    if not (d / "pods.compact.json").exists():
        d.mkdir(parents=True, exist_ok=True)
        gen = generate.write_pod_list(d / "pods.json", pods, seed=seed, kubelet=kubelet)
        (d / "nodes.json").write_text(json.dumps(gen.node_list(), indent=4) + "\n", encoding="utf-8")
        generate.write_compact_pod_list(d / "pods.compact.json.tmp", pods, seed=seed, kubelet=kubelet)
        (d / "pods.compact.json.tmp").rename(d / "pods.compact.json")
    return d


def predict_cmd(to: str, pods: str, nodes: Path | None, jobs: int, *extra: str) -> list[str]:
    cmd = [str(KUBEHASH), "predict", "--to", to, "--pods", pods, "-o", "json", "-q", "--fail-on", "never"]
    cmd += ["--nodes", str(nodes)] if nodes else []
    return [*cmd, "--jobs", str(jobs), *extra]


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    d = ensure_cluster(args.dir, args.pods, args.kubelet, seed=1)
    nodes = d / "nodes.json"
    cases = set(args.cases.split(",")) if args.cases != "all" else None
    want = lambda c: cases is None or c in cases  # noqa: E731
    rows: list[dict[str, Any]] = []
    yard: dict[str, float] = {}

    def add(case: str, form: str, result: dict[str, Any]) -> None:
        ratio = result["wall_s"] / yard[form] if form in yard else None
        rows.append({"case": case, "form": form, **result, "x_yardstick": round(ratio, 2) if ratio else None})
        print(
            f"{case:38} {result['wall_s']:8.2f} s wall {result['cpu_s']:8.2f} s cpu {result['peak_rss_mb']:8.0f} MB"
            + (f"  {ratio:5.2f}x yardstick" if ratio else ""),
            flush=True,
        )

    for form, name in (("indented", "pods.json"), ("compact", "pods.compact.json")):
        r = best(args.repeat, [sys.executable, str(HERE / "yardstick.py"), str(d / name)])
        yard[form] = r["wall_s"]
        add(f"yardstick {form}", form, r)
    for form, name in (("indented", "pods.json"), ("compact", "pods.compact.json")):
        if want(form):
            for jobs in (1, 2, 0):
                add(
                    f"predict {form} --jobs {jobs}",
                    form,
                    best(args.repeat, predict_cmd(args.to, str(d / name), nodes, jobs)),
                )
    if want("stdin"):
        cmd = predict_cmd(args.to, "-", nodes, 1)
        add("predict compact on stdin", "compact", best(args.repeat, cmd, stdin=d / "pods.compact.json"))
    if want("yaml") and (d / "pods.yaml").exists():
        for jobs in (1, 2):
            add(
                f"predict yaml --jobs {jobs}",
                "indented",
                best(args.repeat, predict_cmd(args.to, str(d / "pods.yaml"), nodes, jobs)),
            )
    if want("live"):
        add("predict live (fake API, limit=500)", "compact", live(args, d))
    if want("fleet"):
        parts = [ensure_cluster(args.dir, args.pods // 10, args.kubelet, seed=100 + i) for i in range(10)]
        cmd = [str(KUBEHASH), "predict", "--to", args.to, "-o", "json", "-q", "--fail-on", "never", "--jobs", "2"]
        for p in parts:
            cmd += ["--pods", str(p / "pods.compact.json"), "--nodes", str(p / "nodes.json")]
        add(f"fleet: 10 clusters of {args.pods // 10} pods", "compact", best(args.repeat, cmd))
        add(
            f"one cluster of {args.pods} pods, --jobs 2",
            "compact",
            best(args.repeat, predict_cmd(args.to, str(d / "pods.compact.json"), nodes, 2)),
        )
    return rows


def live(args: argparse.Namespace, d: Path) -> dict[str, Any]:
    kubeconfig = d / "bench.kubeconfig"
    server = subprocess.Popen(
        [
            sys.executable,
            str(HERE / "live_server.py"),
            str(d / "pods.compact.json"),
            str(d / "nodes.json"),
            str(kubeconfig),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()  # the URL: the server is listening
        env = {k: v for k, v in os.environ.items() if k.lower() not in ("http_proxy", "https_proxy", "all_proxy")}
        cmd = [
            str(KUBEHASH),
            "predict",
            "--to",
            args.to,
            "--kubeconfig",
            str(kubeconfig),
            "-o",
            "json",
            "-q",
            "--fail-on",
            "never",
        ]
        return best(args.repeat, cmd, env=env)
    finally:
        server.kill()
        server.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pods", type=int, default=150_000)
    ap.add_argument("--kubelet", default="v1.10.13")
    ap.add_argument("--to", default="1.17")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--cases", default="all")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/kubehash-inputs"))
    ap.add_argument("--json", type=Path, default=HERE / "inputs.json")
    args = ap.parse_args()
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.pods} pods, --to {args.to}")
    rows = run(args)
    args.json.write_text(json.dumps({"pods": args.pods, "to": args.to, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
