"""Where ``kubehash predict`` spends its time, by phase, from a py-spy sampling profile of every process.

    pip install -e '.[bench]'
    python benchmarks/profile_e2e.py [--pods 150000] [--jobs 2] [--to 1.17] [--dir /tmp/kubehash-e2e]
                                     [--output table|json|...] [--dump DIR/pods.compact.json]

Runs ``py-spy record --subprocesses -f raw`` on ``kubehash predict`` (table output, discarded) over the
generated dump of ``e2e.py`` and attributes each sample to the innermost frame that belongs to a phase.
Shares are of all sampled CPU time in the parent and the workers (py-spy slows the run: only the shares
mean something, not the wall time).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from e2e import ensure_dump  # noqa: E402

#: (phase, substrings of a frame "function (file:line)"). A sample goes to the outermost frame of a specific
#: phase (explain's own hashing is explain's); the enclosing phases (``ENCLOSING``) only get the samples none of
#: the frames below them claims.
PHASES = [
    ("write the output (parent)", ["kubehash/report/", "write_stdout"]),
    ("explain (distinct specs whose hashes differ)", ["outcome_reasons", "kubehash/upgrade/explain.py"]),
    ("apiserver defaults (distinct specs)", ["defaulter.py", "kubehash/kubelet/defaults.py"]),
    ("unknown-field check (distinct specs)", ["unknown_fields"]),
    ("hashes: fused spew/JSON + FNV (distinct specs)", ["hash_with", "kubehash/kubelet/hashing.py"]),
    ("decode items: msgspec + PodView (+ exact parse of distinct containers)", ["kubehash/sources/podbytes.py"]),
    ("results between processes (pickle, pipe)", ["multiprocessing/", "_predict_item"]),
    ("scan the file: read, cut, ASCII check", ["kubehash/pipeline/split.py", "kubehash/sources/scan.py"]),
    ("per-container prediction bookkeeping", ["kubehash/upgrade/predict/", "kubehash/pipeline/predict_file.py"]),
    ("imports", ["_find_and_load"]),
]
ENCLOSING = {
    "scan the file: read, cut, ASCII check",
    "per-container prediction bookkeeping",
    "results between processes (pickle, pipe)",
}


def phase_of(frames: list[str]) -> str:
    found = "other (startup, click, summary)"
    for frame in frames:  # outermost first
        hit = next((name for name, patterns in PHASES if any(p in frame for p in patterns)), None)
        if hit is None:
            continue
        found = hit
        if hit not in ENCLOSING:
            break
    return found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pods", type=int, default=150000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--to", default="1.17")
    ap.add_argument("--kubelet", default="v1.10.13")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/kubehash-e2e"))
    ap.add_argument("--output", default="table", help="the -o format (output discarded)")
    ap.add_argument("--dump", type=Path, help="an existing dump (nodes.json beside it) instead of generating one")
    args = ap.parse_args()
    spy = shutil.which("py-spy", path=str(Path(sys.executable).parent)) or shutil.which("py-spy")
    if spy is None:
        sys.exit("py-spy not found: pip install -e '.[bench]'")
    pods = args.dump if args.dump else ensure_dump(args.dir, args.pods, args.kubelet) / "pods.json"
    exe = Path(sys.executable).parent / "kubehash"
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "profile.txt"
        cmd = [spy, "record", "--subprocesses", "-r", "200", "-f", "raw", "-o", str(raw), "--", str(exe)]
        cmd += ["predict", "--to", args.to, "--pods", str(pods), "--nodes", str(pods.parent / "nodes.json")]
        cmd += ["--jobs", str(args.jobs), "-o", args.output, "-q", "--fail-on", "never"]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        counts: collections.Counter[str] = collections.Counter()
        for line in raw.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            counts[phase_of(stack.split(";")[1:])] += int(n)
    total = sum(counts.values())
    print(f"kubehash predict --to {args.to} -o {args.output}, {pods}, --jobs {args.jobs}: {total} samples")
    for name, n in counts.most_common():
        print(f"{n / total:7.1%}  {name}")


if __name__ == "__main__":
    main()
