"""Fuzzing the integrity paths (issue 17): snapshots, runtime records and ignore files, mutated as a hostile
user or a failing disk would (bit flips, truncation, inserted bytes, JSON/msgpack type swaps, symlinks, files
and FIFOs where directories belong, stray temporary files).

For every case: no exception other than :class:`~kubehash.errors.KubehashError` escapes the library, the CLI
never exits 1 (usage) or 70 (internal error) for bad data and its output is valid UTF-8, and nothing is ever
written outside the directory given to ``ignore-file generate``.

Each target runs for a time budget with a seeded random generator, so a failure names its seed and case:

    KUBEHASH_FUZZ_SECONDS=600 KUBEHASH_FUZZ_SEED=7 python -m pytest -q tests/fuzz/test_fuzz_integrity.py -s

The default budget (``KUBEHASH_FUZZ_SECONDS`` unset) is a bounded smoke of about 2 s per target (four
targets); ``-s`` prints how many cases each target ran.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import stat
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import msgpack
import pytest

from kubehash import exitcodes
from kubehash.cli import main
from kubehash.errors import KubehashError
from kubehash.model import iter_pods
from kubehash.pipeline.ignorefiles import write_ignore_files
from kubehash.sources.documents import load_documents
from kubehash.sources.ignorefiles import load_ignore_files, read_ignore_file
from kubehash.sources.runtime import parse_runtime_lenient
from kubehash.sources.snapshot import MAGIC, TRAILER_LEN, Snapshot, dumps_snapshot, loads_snapshot
from kubehash.upgrade.ignorefile.check import check_ignore_files
from kubehash.upgrade.ignorefile.rules import generate_ignore_files
from kubehash.upgrade.options import Options
from kubehash.upgrade.predict import predict

ROOT = Path(__file__).parent.parent.parent
EXAMPLE = ROOT / "examples" / "cluster"
SECONDS = float(os.environ.get("KUBEHASH_FUZZ_SECONDS", "2"))
SEED = int(os.environ.get("KUBEHASH_FUZZ_SEED", "17"))
OPTIONS = Options(to="v1.14.10", from_version="v1.10.13")
#: the CLI's codes for bad data; 1 (usage) and 70 (a bug) must never come from the content of a file
DATA_EXIT_CODES = {exitcodes.OK, exitcodes.INPUT_ERROR, exitcodes.RESTARTS, exitcodes.OUTPUT_REFUSED}


def _pods(n: int) -> list[Any]:
    return list(iter_pods(load_documents(str(EXAMPLE / "pods.json"))))[:n]


PODS = _pods(6)
NODES = list(load_documents(str(EXAMPLE / "nodes.json"))[0]["items"])
RUNTIME_TEXTS = [p.read_text() for p in sorted((EXAMPLE / "runtime").rglob("*.json"))]


def _runtime_sample() -> str:
    """A few docker inspect entries of the example cluster, as one JSON array."""
    entries = json.loads(RUNTIME_TEXTS[1])[:6]
    return json.dumps(entries, indent=2)


RUNTIME_TEXT = _runtime_sample()


# -- mutations --------------------------------------------------------------------------------------------


def mutate_bytes(rng: random.Random, data: bytes, start: int = 0) -> bytes:
    """A bit flip, a truncation, inserted or deleted bytes, or a byte overwritten -- at or after ``start``."""
    b = bytearray(data)
    pos = rng.randrange(start, max(start + 1, len(b)))
    op = rng.randrange(5)
    if op == 0 and b:
        b[min(pos, len(b) - 1)] ^= 1 << rng.randrange(8)
    elif op == 1:
        del b[pos:]
    elif op == 2:
        b[pos:pos] = rng.randbytes(rng.randint(1, 8))
    elif op == 3:
        del b[pos : pos + rng.randint(1, 8)]
    elif b:
        b[min(pos, len(b) - 1)] = rng.choice(b'\x00\xff"{}[],:\\\n\xc1\xd9\xdc\xdf')
    return bytes(b)


def _deep(n: int) -> Any:
    v: Any = 0
    for _ in range(n):
        v = [v]
    return v


SWAPS: list[Callable[[random.Random], Any]] = [
    lambda r: None,
    lambda r: True,
    lambda r: r.randint(-(2**70), 2**70),
    lambda r: r.choice([0, -1, 2**32, 2**64, 1534145069, 1534145069800557932]),
    lambda r: r.random() * 10 ** r.randint(-5, 30),
    lambda r: "",
    lambda r: r.choice(["x", "0", "1534145069", "ffffffffff", "2018-08-13T07:24:29Z", "\u202e\x1b[31m", "v1.10"]),
    lambda r: [],
    lambda r: {},
    lambda r: {"a": [1, {"b": None}]},
    lambda r: _deep(r.choice([3, 120, 600])),
]


def _paths(doc: Any, limit: int = 40) -> list[tuple[Any, ...]]:
    """Every path into ``doc`` (no deeper than ``limit``), without recursion."""
    out: list[tuple[Any, ...]] = []
    stack: list[tuple[Any, tuple[Any, ...]]] = [(doc, ())]
    while stack:
        v, path = stack.pop()
        out.append(path)
        if len(path) < limit and isinstance(v, dict):
            stack.extend((x, (*path, k)) for k, x in v.items())
        elif len(path) < limit and isinstance(v, list):
            stack.extend((x, (*path, i)) for i, x in enumerate(v))
    return out


def swap_types(rng: random.Random, doc: Any, n: int = 3) -> Any:
    """``doc`` with ``n`` values (anywhere, the root excepted) replaced by values of other types, or deleted."""
    doc = copy.deepcopy(doc)
    for _ in range(n):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            return doc
        path = rng.choice(paths)
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if rng.random() < 0.15:
            del parent[path[-1]]
        else:
            parent[path[-1]] = rng.choice(SWAPS)(rng)
    return doc


# -- the budget -------------------------------------------------------------------------------------------


def _cases(name: str, budget: float = SECONDS) -> Iterator[tuple[int, random.Random]]:
    """(case number, its own generator) until the budget is spent; reports the count with ``-s``."""
    end = time.monotonic() + budget
    i = 0
    while i == 0 or time.monotonic() < end:
        yield i, random.Random(f"{SEED}:{name}:{i}")
        i += 1
    print(f"fuzz {name}: {i} cases in {budget:.1f} s (seed {SEED})")


@contextmanager
def _case(name: str, i: int) -> Iterator[None]:
    """Fail with the seed and case number when anything but a KubehashError escapes."""
    try:
        yield
    except KubehashError:
        pass
    except Exception as e:  # pragma: no cover - this is the finding
        raise AssertionError(f"{name} case {i} (KUBEHASH_FUZZ_SEED={SEED}): {type(e).__name__}: {e}") from e


def _cli(args: list[str], capsys: pytest.CaptureFixture[str], what: str) -> int:
    code = main(args)
    cap = capsys.readouterr()
    assert code in DATA_EXIT_CODES, f"{what}: exit {code}: {cap.err[-500:]}"
    cap.out.encode("utf-8")  # a lone surrogate would raise here
    cap.err.encode("utf-8")
    return code


# -- snapshots --------------------------------------------------------------------------------------------

BASE = Snapshot(
    pods=PODS,
    nodes=NODES,
    runtime=parse_runtime_lenient(RUNTIME_TEXT, origin="r.json")[0],
    created_at=datetime(2020, 1, 1, tzinfo=timezone.utc),
)
SNAP_BYTES = dumps_snapshot(BASE)


def _resealed(rng: random.Random) -> bytes:
    """A structurally mutated snapshot with a valid checksum: what only the checks after the checksum stop."""
    body = msgpack.unpackb(SNAP_BYTES[len(MAGIC) : -TRAILER_LEN], ext_hook=msgpack.ExtType, strict_map_key=False)
    body = swap_types(rng, body, rng.randint(1, 4))
    try:
        data = MAGIC + msgpack.packb(body, use_bin_type=True)
    except (OverflowError, ValueError):  # an integer msgpack cannot hold: kubehash writes those as extensions
        return mutate_bytes(rng, SNAP_BYTES, len(MAGIC))
    return data + SNAP_BYTES[-TRAILER_LEN:-32] + hashlib.sha256(data).digest()


def test_fuzz_snapshots(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i, rng in _cases("snapshot"):
        data = mutate_bytes(rng, SNAP_BYTES, len(MAGIC)) if rng.random() < 0.5 else _resealed(rng)
        with _case("snapshot", i):
            snap = loads_snapshot(data, name="fuzz.khs")
            assert data[-TRAILER_LEN:] != SNAP_BYTES[-TRAILER_LEN:] or data == SNAP_BYTES or snap.pods is not None
            predict(snap.pods, OPTIONS, nodes=snap.nodes or None, runtime=snap.runtime)
        if i % 25 == 0:
            f = tmp_path / "fuzz.khs"
            f.write_bytes(data)
            _cli(["predict", "--to", "v1.14.10", "--from", "v1.10.13", "--pods", str(f), "-q"], capsys, f"case {i}")


def test_flipped_snapshot_never_loads() -> None:
    """The checksum's promise, exhaustively over one byte's bits at a spread of offsets."""
    for pos in range(len(MAGIC), len(SNAP_BYTES), max(1, len(SNAP_BYTES) // 400)):
        for bit in range(8):
            raw = bytearray(SNAP_BYTES)
            raw[pos] ^= 1 << bit
            with pytest.raises(KubehashError):
                loads_snapshot(bytes(raw))


# -- runtime records --------------------------------------------------------------------------------------


def test_fuzz_runtime_records(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    entries = json.loads(RUNTIME_TEXT)
    pods_file = tmp_path / "pods.json"
    pods_file.write_text(json.dumps({"kind": "List", "items": PODS}))
    for i, rng in _cases("runtime"):
        if rng.random() < 0.05:
            k = rng.choice([600, 5000, 100_000])
            text = "[" * k + RUNTIME_TEXT + "]" * k
        elif rng.random() < 0.4:
            text = mutate_bytes(rng, RUNTIME_TEXT.encode()).decode("utf-8", "replace")
        else:
            text = json.dumps(swap_types(rng, entries, rng.randint(1, 5)))
        with _case("runtime", i):
            warnings: list[str] = []
            records, errors = parse_runtime_lenient(text, origin="r.json", warnings=warnings)
            assert all(str(e).startswith("r.json") for e in errors)
            assert all(w.startswith("r.json") for w in warnings)
            predict(PODS, OPTIONS, runtime=records)
        if i % 25 == 0:
            rt = tmp_path / "rt" / "worker-1"
            rt.mkdir(parents=True, exist_ok=True)
            (rt / "c.json").write_text(text, encoding="utf-8", errors="surrogateescape")
            args = ["predict", "--to", "v1.14.10", "--from", "v1.10.13", "--pods", str(pods_file)]
            _cli([*args, "--runtime", str(tmp_path / "rt"), "-q", "-o", rng.choice(["json", "csv"])], capsys, str(i))


# -- ignore files -----------------------------------------------------------------------------------------

IGNORE_NODES = {"node-a": "v1.10.13", "node-b": "v1.10.13", "node-c": "v1.10.11"}
IGNORE_FILES = generate_ignore_files(IGNORE_NODES, now=datetime(2019, 3, 1, 12, tzinfo=timezone.utc))


def test_fuzz_ignore_file_content(tmp_path: Path) -> None:
    good = b"v1.10.13,1551441600\n"
    f = tmp_path / "cache.version.save"
    for i, rng in _cases("ignore-content"):
        data = good
        for _ in range(rng.randint(1, 3)):
            data = mutate_bytes(rng, data)
        f.write_bytes(data)
        with _case("ignore-content", i):
            read_ignore_file(f, node="node-a")


def _state(root: Path) -> dict[str, Any]:
    """Every entry under ``root`` (not following symlinks): type, link target or content."""
    out: dict[str, Any] = {}
    for top, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            p = Path(top) / name
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[str(p)] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                out[str(p)] = ("file", p.read_bytes())
            else:
                out[str(p)] = (stat.S_IFMT(st.st_mode),)
    return out


def _sabotage(rng: random.Random, out: Path, outside: Path) -> None:
    """One hostile change to a node's part of the layout."""
    node = rng.choice(sorted(IGNORE_NODES))
    places = [out / node, out / node / "tmp", out / node / "tmp" / "cache.version.save"]
    place = rng.choice(places)
    temp = out / node / "tmp" / f".cache.version.save.{rng.randrange(16**8):08x}.tmp"
    op = rng.randrange(7)
    if op == 5:
        place = temp
    if place.is_dir() and not place.is_symlink():
        return  # keep it simple: only replace what is not a directory
    if os.path.lexists(place):
        place.unlink()  # a file, a symlink or a FIFO
    try:
        place.parent.mkdir(parents=True, exist_ok=True)
    except OSError:  # a file or a symlink where the directory belongs: sabotaged already
        return
    if place.parent.is_symlink() or not place.parent.is_dir():
        return
    if op in (0, 5):
        place.symlink_to(rng.choice([outside, outside / "missing", outside / "target"]))
    elif op == 1:
        place.write_bytes(rng.randbytes(rng.randint(0, 30)))
    elif op == 2:
        place.mkdir()
    elif op == 3:
        os.mkfifo(place)
    elif op == 4:
        place.symlink_to(os.path.relpath(outside, place.parent))
    else:
        place.write_text("v1.10.13,15")


def test_fuzz_ignore_layout_never_writes_outside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for i, rng in _cases("ignore-layout"):
        base = tmp_path / str(i)
        out, outside = base / "out", base / "outside"
        outside.mkdir(parents=True)
        (outside / "target").write_text("precious")
        if rng.random() < 0.7:
            write_ignore_files(IGNORE_FILES, out)
        out.mkdir(exist_ok=True)
        for _ in range(rng.randint(1, 4)):
            _sabotage(rng, out, outside)
        before = _state(outside)
        with _case("ignore-layout", i):
            results = write_ignore_files(IGNORE_FILES, out, force=rng.random() < 0.5)
            assert sorted(r.node for r in results) == sorted(IGNORE_NODES)
            assert {r.status for r in results} <= {"written", "unchanged", "refused", "error"}
            loaded = load_ignore_files([out], stray_temps=rng.random() < 0.5)
            check_ignore_files(loaded.files, OPTIONS, problems=loaded.problems, nodes=IGNORE_NODES)
        assert _state(outside) == before, f"ignore-layout case {i} (seed {SEED}) wrote outside --out"
        assert sorted(p.name for p in base.iterdir()) == ["out", "outside"]
        if i % 10 == 0:
            args = ["ignore-file", "generate", "--out", str(out), "--from", "v1.10.13", "--node", "node-a"]
            _cli([*args, "--node", "node-b", "--now", "2019-03-01T12:00:00Z"], capsys, f"case {i}")
            _cli(["ignore-file", "check", str(out), "--now", "2019-03-02T00:00:00Z"], capsys, f"case {i}")
            assert _state(outside) == before
