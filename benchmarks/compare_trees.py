"""Before/after in the same run: ``kubehash predict -o json`` of another source tree (``--base``, e.g. main's,
unpacked with ``git archive main kubehash | tar -x -C /tmp/base``) and of this checkout, interleaved case by
case with the yardstick, each a fresh process (``os.wait4``: CPU time with workers, wall time).

    python benchmarks/compare_trees.py --base /tmp/base [--dir /tmp/kubehash-inputs/150000-v1.10.13-1]
                                       [--rounds 2] [--jobs 1,2]

The base tree is imported through ``PYTHONPATH`` (it comes before the editable install), so both sides run
with the same interpreter and dependencies. On a shared machine only the CPU ratios of neighbouring runs
mean much; medians over the rounds are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
KUBEHASH = Path(sys.executable).parent / "kubehash"


def measure(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """(CPU seconds with children, wall seconds) of one fresh process, output discarded."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, env=env)
    _, _, usage = os.wait4(proc.pid, 0)
    return round(usage.ru_utime + usage.ru_stime, 2), round(time.perf_counter() - t0, 2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", type=Path, required=True, help="a directory holding the other tree's kubehash/")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/kubehash-inputs/150000-v1.10.13-1"))
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--to", default="1.17")
    args = ap.parse_args()
    base_env = dict(os.environ, PYTHONPATH=str(args.base))
    for env in (base_env, None):  # bytecode for both trees, as installed packages have it
        where = subprocess.run(
            [sys.executable, "-c", "import kubehash, os; print(os.path.dirname(kubehash.__file__))"],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout.strip()
        subprocess.run([sys.executable, "-m", "compileall", "-q", where], check=True)
    runs: dict[str, list[tuple[float, float]]] = {}
    for r in range(args.rounds):
        for form, name in (("compact", "pods.compact.json"), ("indented", "pods.json")):
            dump = args.dir / name
            y = measure([sys.executable, str(HERE / "yardstick.py"), str(dump)])
            runs.setdefault(f"yardstick {form}", []).append(y)
            for jobs in args.jobs.split(","):
                cmd = [str(KUBEHASH), "predict", "--to", args.to, "--pods", str(dump)]
                cmd += ["--nodes", str(args.dir / "nodes.json"), "-o", "json", "-q", "--fail-on", "never"]
                cmd += ["--jobs", jobs]
                for who, env in (("base", base_env), ("this", None)):
                    got = measure(cmd, env)
                    runs.setdefault(f"{form} --jobs {jobs} {who}", []).append(got)
                    print(f"round {r + 1}: {form} --jobs {jobs} {who}: {got[0]} s cpu, {got[1]} s wall", flush=True)
    print(f"\nmedians of {args.rounds} rounds:")
    for name, got in runs.items():
        cpu = statistics.median(g[0] for g in got)
        wall = statistics.median(g[1] for g in got)
        print(f"{name:28} {cpu:7.2f} s cpu {wall:7.2f} s wall")
    return 0


if __name__ == "__main__":
    sys.exit(main())
