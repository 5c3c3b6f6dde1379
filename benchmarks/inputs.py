"""Every input form and output format at cluster scale, each as a ratio to its yardstick measured in the same
round (issue 14): the rows of the issue's table and the targets it sets.

    python benchmarks/inputs.py [--pods 150000] [--kubelet v1.10.13] [--to 1.17] [--repeat 3]
                                [--cases all|compact,indented,stdin,yaml,live,fleet,formats]
                                [--dir /tmp/kubehash-inputs] [--json benchmarks/results-inputs.json]

Every case is a fresh process (``kubehash predict --to TO``, output discarded) measured with ``os.wait4``:
wall time, CPU time (with its worker processes) and peak RSS of the largest process. The cases run in
rounds (``--repeat``); in each round every case is measured once and divided by its yardstick *of that
round*, and the table reports the median wall time, CPU time, peak RSS and ratio over the rounds (the machine
is shared, so only ratios taken minutes apart say anything).

Yardsticks and targets:

* ``yardstick compact|indented`` (``benchmarks/yardstick.py``): the least any Python tool must do -- read the
  dump and decode with msgspec into typed structs just each pod's name, namespace, uid, node and the raw
  bytes of its containers. Target: ``predict -o json`` of either dump <= 2.5x.
* ``--jobs 2`` over ``--jobs 1`` of the same dump (compact, indented, YAML): <= 0.75x; ``--jobs 0`` is shown too.
* YAML (``kubectl get pods -A -o yaml``, ``generate.py --yaml``) over the same cluster's indented JSON: <= 3x.
* ``--pods -`` (the compact dump on standard input) over the same file: <= 1.2x.
* live (a fake API server on 127.0.0.1, ``benchmarks/live_server.py``, serving the compact dump,
  ``limit=500``) over the compact file: <= 2x, peak <= 1 GiB.
* fleet: 10 clusters of a tenth of the pods each in one run over the whole cluster (both ``--jobs 2``): about 1x.
* formats: ``-o table|wide|yaml|csv|markdown`` over ``-o json`` (compact dump, ``--jobs 1``): <= 1.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

KUBEHASH = Path(sys.executable).parent / "kubehash"
CASES = ("compact", "indented", "stdin", "yaml", "live", "fleet", "formats")
FORMATS = ("table", "wide", "yaml", "csv", "markdown")


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


def ensure_cluster(root: Path, pods: int, kubelet: str, seed: int, *, yaml: bool = False) -> Path:
    """A generated cluster: ``pods.json`` (kubectl's indented List), ``pods.compact.json`` (the API server's
    ``GET /api/v1/pods``), ``nodes.json`` and, with ``yaml``, ``pods.yaml`` (written once, kept)."""
    d = root / f"{pods}-{kubelet}-{seed}"
    if not (d / "pods.compact.json").exists():
        d.mkdir(parents=True, exist_ok=True)
        gen = generate.write_pod_list(d / "pods.json", pods, seed=seed, kubelet=kubelet)
        (d / "nodes.json").write_text(json.dumps(gen.node_list(), indent=4) + "\n", encoding="utf-8")
        generate.write_compact_pod_list(d / "pods.compact.json.tmp", pods, seed=seed, kubelet=kubelet)
        (d / "pods.compact.json.tmp").rename(d / "pods.compact.json")
    if yaml and not (d / "pods.yaml").exists():
        generate.write_pod_list_yaml(d / "pods.yaml.tmp", pods, seed=seed, kubelet=kubelet)
        (d / "pods.yaml.tmp").rename(d / "pods.yaml")
    return d


def predict_cmd(to: str, pods: str, nodes: Path | None, jobs: int, *extra: str, output: str = "json") -> list[str]:
    cmd = [str(KUBEHASH), "predict", "--to", to, "--pods", pods, "-o", output, "-q", "--fail-on", "never"]
    cmd += ["--nodes", str(nodes)] if nodes else []
    return [*cmd, "--jobs", str(jobs), *extra]


#: A case: (name, the case its ratio is taken against or a yardstick's name, how to run it once).
Case = tuple[str, str, Callable[[], dict[str, Any]]]


def cases(args: argparse.Namespace, d: Path, fleet: list[Path]) -> list[Case]:
    """Every case asked for, in the order a round runs them (each one's reference before it)."""
    nodes = d / "nodes.json"
    want = set(CASES if args.cases == "all" else args.cases.split(","))
    out: list[Case] = [
        (
            "yardstick compact",
            "",
            lambda: measure([sys.executable, str(HERE / "yardstick.py"), str(d / "pods.compact.json")]),
        ),
        ("yardstick indented", "", lambda: measure([sys.executable, str(HERE / "yardstick.py"), str(d / "pods.json")])),
    ]

    def run(pods: str, jobs: int, output: str = "json", **kw: Any) -> Callable[[], dict[str, Any]]:
        return lambda: measure(predict_cmd(args.to, pods, nodes, jobs, output=output), **kw)

    for form, name in (("compact", "pods.compact.json"), ("indented", "pods.json")):
        if (
            form in want
            or (form == "compact" and want & {"stdin", "live", "formats"})
            or (form == "indented" and "yaml" in want)
        ):
            out.append((f"{form} --jobs 1", f"yardstick {form}", run(str(d / name), 1)))
            if form in want:
                out.append((f"{form} --jobs 2", f"{form} --jobs 1", run(str(d / name), 2)))
                out.append((f"{form} --jobs 0", f"{form} --jobs 1", run(str(d / name), 0)))
    if "stdin" in want:
        out.append(("compact on stdin (--pods -)", "compact --jobs 1", run("-", 1, stdin=d / "pods.compact.json")))
    if "yaml" in want and (d / "pods.yaml").exists():
        out.append(("yaml --jobs 1", "indented --jobs 1", run(str(d / "pods.yaml"), 1)))
        out.append(("yaml --jobs 2", "yaml --jobs 1", run(str(d / "pods.yaml"), 2)))
    if "live" in want:
        out.append(("live (fake API, limit=500)", "compact --jobs 1", lambda: live(args, d)))
    if "fleet" in want:
        one = f"one cluster of {args.pods} pods, --jobs 2"
        out.append((one, "yardstick compact", run(str(d / "pods.compact.json"), 2)))
        cmd = [str(KUBEHASH), "predict", "--to", args.to, "-o", "json", "-q", "--fail-on", "never", "--jobs", "2"]
        for p in fleet:
            cmd += ["--pods", str(p / "pods.compact.json"), "--nodes", str(p / "nodes.json")]
        out.append((f"fleet: {len(fleet)} clusters of {args.pods // 10} pods, --jobs 2", one, lambda: measure(cmd)))
    if "formats" in want:
        for fmt in FORMATS:
            out.append((f"compact -o {fmt}", "compact --jobs 1", run(str(d / "pods.compact.json"), 1, fmt)))
    return out


def precompile() -> None:
    """Bytecode for the kubehash that the cases run, written once before them, as an installed package has it
    (pip compiles at install time): otherwise, where nothing writes ``__pycache__`` (an editable install with
    ``PYTHONDONTWRITEBYTECODE``, a read-only tree), every case compiles the package's source again (~0.2 s)."""
    found = subprocess.run(
        [sys.executable, "-c", "import kubehash, os; print(os.path.dirname(kubehash.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    )
    subprocess.run([sys.executable, "-m", "compileall", "-q", found.stdout.strip()], check=True)


def run_rounds(args: argparse.Namespace) -> list[dict[str, Any]]:
    precompile()
    d = ensure_cluster(args.dir, args.pods, args.kubelet, seed=1, yaml=args.yaml)
    want = CASES if args.cases == "all" else args.cases.split(",")
    fleet = (
        [ensure_cluster(args.dir, args.pods // 10, args.kubelet, seed=100 + i) for i in range(10)]
        if "fleet" in want
        else []
    )
    plan = cases(args, d, fleet)
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name, _, _ in plan}
    for r in range(args.repeat):
        for name, ref, fn in plan:
            load = os.getloadavg()[0]
            got = fn()
            got["load"] = round(load, 2)  # one-minute load average when the case started
            if ref:
                got["ratio"] = round(got["wall_s"] / runs[ref][r]["wall_s"], 3)
                got["cpu_ratio"] = round(got["cpu_s"] / runs[ref][r]["cpu_s"], 3)
            runs[name].append(got)
            print(f"round {r + 1}: {row_text(name, ref, got)}", flush=True)
    rows = []
    for name, ref, _ in plan:
        got = runs[name]
        row: dict[str, Any] = {"case": name, "against": ref or None, "rounds": got}
        for k in ("wall_s", "cpu_s", "peak_rss_mb") + (("ratio", "cpu_ratio") if ref else ()):
            row[k] = round(statistics.median(g[k] for g in got), 3)
        row["exit"] = sorted({g["exit"] for g in got})
        rows.append(row)
    return rows


def row_text(name: str, ref: str, r: dict[str, Any]) -> str:
    ratio = f"{r['ratio']:6.2f}x ({r['cpu_ratio']:.2f}x cpu) {ref}" if ref else ""
    return f"{name:44} {r['wall_s']:7.2f} s {r['cpu_s']:7.2f} s cpu {r['peak_rss_mb']:6.0f} MB  {ratio}"


def live(args: argparse.Namespace, d: Path) -> dict[str, Any]:
    """``predict`` of the fake API server's pods (the server started and loaded before the clock starts)."""
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
        cmd = [str(KUBEHASH), "predict", "--to", args.to, "--kubeconfig", str(kubeconfig), "-o", "json", "-q"]
        return measure([*cmd, "--fail-on", "never"], env=env)
    finally:
        server.kill()
        server.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pods", type=int, default=150_000)
    ap.add_argument("--kubelet", default="v1.10.13")
    ap.add_argument("--to", default="1.17")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cases", default="all", help=f"all, or some of {','.join(CASES)}")
    ap.add_argument("--yaml", action="store_true", help="write pods.yaml if missing (slow: ~5 min at 150k pods)")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/kubehash-inputs"))
    ap.add_argument("--json", type=Path, default=HERE / "results-inputs.json")
    args = ap.parse_args(argv)
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, {args.pods} pods, --to {args.to},"
        f" load {os.getloadavg()}"
    )
    rows = run_rounds(args)
    print(f"\nmedians of {args.repeat} rounds (ratio: wall time over the reference's in the same round):")
    for row in rows:
        print(row_text(row["case"], row["against"] or "", row))
    doc = {
        "pods": args.pods,
        "kubelet": args.kubelet,
        "to": args.to,
        "repeat": args.repeat,
        "cpus": os.cpu_count(),
        "load_after": os.getloadavg(),
        "rows": rows,
    }
    args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
