"""Run one fuzz case through the library and the CLI and check what must hold for every input:

1. no exception other than :class:`~kubehash.errors.KubehashError` escapes the library
   (:func:`kubehash.pipeline.predict_file.predict_file`, :func:`kubehash.pipeline.cluster.predict_cluster`);
2. the CLI (:func:`kubehash.cli.main`) never exits 1 (usage) or 70 (internal error) for bad data;
3. every input container is accounted for exactly once, as a row or an error row (a pod whose containers
   cannot be listed: one error row, container ``-``), compared with a reference reading of the same bytes
   (Python's ``json``/libyaml on the whole document, with a recursion limit high enough for any mutation,
   then :func:`kubehash.model.pod_view`); input the reference cannot read must give exit 2 (an input error);
4. the output is valid UTF-8 in every format (all six rendered from the library's result, one of them also
   through the CLI's own writer).
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from click.testing import CliRunner

from kubehash.cli import main
from kubehash.errors import KubehashError
from kubehash.model import iter_pods, pod_view
from kubehash.pipeline.predict_file import predict_file
from kubehash.report.output import render
from kubehash.upgrade.options import Options

FORMATS = ("table", "wide", "json", "yaml", "csv", "markdown")
ROOT = Path(__file__).resolve().parent.parent.parent
NODES = ROOT / "examples" / "cluster" / "nodes.json"


class FuzzFailure(AssertionError):
    """An invariant broken by a case (the message says which, with the case's steps)."""


@dataclass
class Outcome:
    code: int
    rows: int


@contextmanager
def _recursion(limit: int) -> Iterator[None]:
    """Python's own limits lifted, for the reference reading: recursion, and integer text of any length
    (valid JSON; Go decodes it)."""
    old, digits = sys.getrecursionlimit(), sys.get_int_max_str_digits()
    sys.setrecursionlimit(max(old, limit))
    sys.set_int_max_str_digits(0)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)
        sys.set_int_max_str_digits(digits)


#: ``[((namespace, pod), [(container, kind)...], listable)]`` for every pod of an input.
Reference = list[tuple[tuple[str, str], list[tuple[str, str]], bool]]


def _clean(s: Any) -> str:
    """A name as the JSON output holds it: lone surrogates replaced (Go's encoding/json does the same)."""
    if not isinstance(s, str):
        return ""
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def reference(data: bytes, suffix: str) -> Reference | None:
    """``[((namespace, pod), [(container, kind)...], listable)]`` of every pod in ``data`` as Python's own
    parsers and the model read it, or ``None`` when they cannot read it."""
    try:
        text = data.decode("utf-8")
        with _recursion(40000):
            # libyaml, as kubehash reads YAML (PyYAML's pure-Python reader accepts escapes libyaml refuses)
            doc: Any = json.loads(text) if suffix == ".json" else list(yaml.load_all(text, Loader=yaml.CSafeLoader))
            pods = []
            skipped: Counter[str] = Counter()
            for pod in iter_pods(doc, skipped):
                view = pod_view(pod)
                keys = [(_clean(name), kind) for name, kind, _, _ in view.containers]
                pods.append(((_clean(view.namespace), _clean(view.name)), keys, bool(keys)))
    except (ValueError, yaml.YAMLError, RecursionError, TypeError):
        return None
    # an object that is not a pod but cannot be read item by item (too deep...) is an error row, as a pod
    pods.extend((("", "\0not a pod"), [], False) for _ in range(sum(skipped.values())))
    return pods


def check_accounting(ref: Reference, rows: list[dict[str, Any]]) -> None:
    """Every reference container once in ``rows``. A pod given up whole (a malformed pod without listable
    containers, a YAML item that cannot be read, a pod too deep for Python) has one ``-`` error row instead:
    pods of the same name may thus miss containers only when as many ``-`` rows stand for them."""
    expected: dict[tuple[str, str], Counter[tuple[str, str]]] = {}
    pods: Counter[tuple[str, str]] = Counter()
    for pod, containers, _ in ref:
        expected.setdefault(pod, Counter()).update(containers)
        pods[pod] += 1
    got: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        got.setdefault((_clean(r.get("namespace")), _clean(r.get("pod"))), []).append(r)
    # a pod without rows under its name may stand as a '-' row under a name a line scan found (or '?')
    missing = sum(pods[pod] for pod in expected if pod not in got)
    for pod, keys in expected.items():
        mine = got.pop(pod, [])
        if mine:
            missing -= _check_pod(pod, keys, mine, pods[pod], missing)
    # an item read as a pod by kubehash but not by the reference (its kind beyond a bound, say) is an error
    strays = [r for rs in got.values() for r in rs]
    if any(r["verdict"] != "error" for r in strays) or len(got) > missing:
        shown = [(r["namespace"], r["pod"], r["container"], r.get("error")) for r in strays]
        raise FuzzFailure(f"rows for pods not in the input: {shown}")


def _check_pod(
    pod: tuple[str, str], keys: Counter[tuple[str, str]], mine: list[dict[str, Any]], count: int, missing: int
) -> int:
    """The rows of the ``count`` pods named ``pod``: their containers once each, or ``-`` error rows (more
    of those than ``count`` only for pods missing under their own name); how many missing pods they used."""
    dashes = [r for r in mine if r["container"] == "-"]
    have = Counter((_clean(r["container"]), r["kind"]) for r in mine if r["container"] != "-")
    extra, lost = have - keys, keys - have
    used = max(0, len(dashes) - count)
    if extra or used > missing or (lost and not dashes) or any(r["verdict"] != "error" for r in dashes):
        raise FuzzFailure(f"pod {pod}: rows {sorted(have.items())} + {len(dashes)} '-' for {sorted(keys.items())}")
    return used


def run_cli(args: list[str]) -> tuple[int, bytes, bytes]:
    with CliRunner().isolation() as (out, err, _):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def run_case(
    data: bytes, suffix: str, *, manifests: bool = False, jobs: int = 1, fmt: str = "json", damaged: bool = False
) -> Outcome:
    """Check every invariant for one input; raises :class:`FuzzFailure` naming the broken one. ``damaged``:
    the bytes were damaged as text (truncated, spliced, a flipped bit). YAML libyaml cannot read as a whole
    must give exit 2 too: the YAML fast path checks the parts of an item it does not read (issue 17)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        if manifests:
            args = ["predict", "--to", "1.29", "--from", "1.28", "--manifests", str(path), "-q", "-o", fmt]
            code, out, err = run_cli(args)
            _check_cli(code, out, err, fmt)
            return Outcome(code, -1)
        result = _library(path, jobs)
        args = ["predict", "--to", "1.29", "--pods", str(path), "--nodes", str(NODES), "-q", "-j", str(jobs)]
        code, out, err = run_cli([*args, "-o", "json"])
        _check_cli(code, out, err, "json")
        if fmt != "json":
            code2, out2, err2 = run_cli([*args, "-o", fmt])
            _check_cli(code2, out2, err2, fmt)
    rows = json.loads(out)["containers"] if out else []
    ref = reference(data, suffix)
    if ref is None:
        if code != 2:
            raise FuzzFailure(
                f"input Python cannot read, yet exit {code} (not 2): {err.decode(errors='replace')[:300]}"
            )
    else:
        check_accounting(ref, rows)
    if result is not None and len(result.containers) != len(rows):
        raise FuzzFailure(f"library {len(result.containers)} rows, CLI {len(rows)}")
    return Outcome(code, len(rows))


def _library(path: Path, jobs: int) -> Any:
    """``predict_file``: a result, or ``None`` after a KubehashError; any other exception is a failure. Every
    format of the result must encode as UTF-8."""
    try:
        result = predict_file(path, Options(to="1.29"), nodes=json.loads(NODES.read_text()), jobs=jobs)
    except KubehashError:
        return None
    except Exception as e:
        raise FuzzFailure(f"library raised {type(e).__name__}: {str(e)[:300]}") from e
    for fmt in FORMATS:
        try:
            render(result, fmt).encode("utf-8")
        except Exception as e:
            raise FuzzFailure(f"-o {fmt}: {type(e).__name__}: {str(e)[:300]}") from e
    return result


def _check_cli(code: int, out: bytes, err: bytes, fmt: str) -> None:
    if code in (1, 70):
        raise FuzzFailure(f"CLI exit {code} (-o {fmt}): {err.decode(errors='replace')[:400]}")
    try:
        text = out.decode("utf-8")
        err.decode("utf-8")
    except UnicodeDecodeError as e:
        raise FuzzFailure(f"-o {fmt}: output is not UTF-8: {e}") from None
    if fmt == "yaml" and text:
        yaml.safe_load(text)
    if fmt == "json" and text:
        json.loads(text)
