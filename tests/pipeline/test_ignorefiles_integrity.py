"""Ignore files never written outside ``--out``, unwritable nodes reported per node, stray temp files cleaned
and flagged (issue 17)."""

from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kubehash import exitcodes
from kubehash.atomicfile import is_temp_name, temp_name, write_atomic
from kubehash.cli import main
from kubehash.errors import OutputError, WriteError
from kubehash.pipeline.ignorefiles import write_ignore_files
from kubehash.sources.ignorefiles import load_ignore_files
from kubehash.upgrade.ignorefile.rules import generate_ignore_files

NODES = {"node-a": "v1.10.13", "node-b": "v1.10.13", "node-c": "v1.10.11"}
T0 = datetime(2019, 3, 1, 12, tzinfo=timezone.utc)
FILES = generate_ignore_files(NODES, now=T0)
REL = Path("tmp") / "cache.version.save"


def _tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_symlinked_node_directory_is_refused_and_nothing_written_outside(tmp_path: Path) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    out.mkdir()
    outside.mkdir()
    (out / "node-a").symlink_to(outside)
    results = {r.node: r for r in write_ignore_files(FILES, out)}
    assert results["node-a"].status == "refused"
    assert results["node-a"].error == f"{out / 'node-a'}: is a symlink; refusing to write through it"
    assert list(outside.iterdir()) == []
    assert results["node-b"].status == results["node-c"].status == "written"


@pytest.mark.parametrize("link", ["node-a/tmp", "node-a/tmp/cache.version.save"])
def test_symlink_deeper_in_the_layout_is_refused(tmp_path: Path, link: str) -> None:
    out, outside = tmp_path / "out", tmp_path / "outside"
    (out / link).parent.mkdir(parents=True)
    outside.mkdir()
    (out / link).symlink_to(outside / "x")  # dangling: following it would create outside/x
    results = {r.node: r for r in write_ignore_files(FILES, out, force=True)}
    assert results["node-a"].status == "refused" and "symlink" in (results["node-a"].error or "")
    assert list(outside.iterdir()) == []


def test_unwritable_node_is_an_error_row_and_the_others_are_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "node-a").mkdir(parents=True)
    (out / "node-a" / "tmp").write_text("a file where the directory belongs")
    results = {r.node: r for r in write_ignore_files(FILES, out)}
    assert results["node-a"].status == "error"
    assert results["node-a"].error == f"{out / 'node-a' / 'tmp'}: is not a directory"
    assert (out / "node-b" / REL).read_text() == "v1.10.13,1551441600"
    assert (out / "node-c" / REL).read_text() == "v1.10.11,1551441600"


def test_cli_generate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    (out / "node-a").mkdir(parents=True)
    (out / "node-a" / "tmp").write_text("x")
    args = ["ignore-file", "generate", "--out", str(out), "--now", "2019-03-01T12:00:00Z", "--from", "v1.10.13"]
    args += ["--node", "node-a", "--node", "node-b"]
    assert main(args) == exitcodes.INPUT_ERROR
    cap = capsys.readouterr()
    assert "Traceback" not in cap.err and f"error: {out / 'node-a' / 'tmp'}: is not a directory" in cap.err
    assert (out / "node-b" / REL).exists()
    (out / "node-a" / "tmp").unlink()
    (out / "node-a" / "tmp").symlink_to(tmp_path)
    assert main(args) == exitcodes.OUTPUT_REFUSED
    assert not (tmp_path / "cache.version.save").exists()


def test_stale_temp_files_are_removed_by_the_next_generate(tmp_path: Path) -> None:
    write_ignore_files(FILES, tmp_path)
    d = tmp_path / "node-a" / "tmp"
    stale = [d / ".cache.version.save.AbC_0123.tmp", d / temp_name("cache.version.save")]
    for s in stale:
        s.write_text("v1.10")  # a killed run: its temp file, half written
    other = d / ".other.abcdefgh.tmp"
    other.write_text("not ours")
    results = write_ignore_files(FILES, tmp_path)  # unchanged files: the temp files go all the same
    assert {r.status for r in results} == {"unchanged"}
    assert sorted(p.name for p in d.iterdir()) == [".other.abcdefgh.tmp", "cache.version.save"]


def test_check_flags_stray_temp_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_ignore_files(FILES, tmp_path)
    stray = tmp_path / "node-b" / "tmp" / ".cache.version.save.x1y2z3w4.tmp"
    stray.write_text("v1.10.13,15")
    loaded = load_ignore_files([tmp_path], stray_temps=True)
    assert set(loaded.files) == set(NODES)
    (problem,) = loaded.problems
    assert problem.kind == "stray-temp" and problem.origin == str(stray)
    assert load_ignore_files([tmp_path]).problems == []  # predict --ignore-files: not its business
    single = load_ignore_files([tmp_path / "node-b" / REL], stray_temps=True)
    assert [p.kind for p in single.problems] == ["stray-temp"]
    assert main(["ignore-file", "check", str(tmp_path), "--now", "2019-03-02T00:00:00Z"]) == exitcodes.INPUT_ERROR
    err = capsys.readouterr().err
    assert f"error: {stray}: stray temporary file left by an interrupted" in err
    assert "--exclude='.*.tmp'" in err


def test_temp_names() -> None:
    name = temp_name("cache.version.save")
    assert is_temp_name(name, "cache.version.save") and not is_temp_name(name, "other")
    assert not is_temp_name("cache.version.save") and not is_temp_name(".cache.version.save.abc.tmp")


def test_write_atomic_refuses_non_regular_targets_and_escapes(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="not a regular file"):
        write_atomic(fifo, b"x", force=True)  # never opened: a FIFO would block
    for bad in ("../x", "a/../../x", str(tmp_path.parent / "x")):
        with pytest.raises(OutputError, match="outside the output directory"):
            write_atomic(bad, b"x", root=tmp_path)
    assert not (tmp_path.parent / "x").exists()


def test_write_atomic_unwritable_is_a_write_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    with pytest.raises(WriteError, match="is not a directory"):
        write_atomic(tmp_path / "f" / "g", b"x")
    with pytest.raises(WriteError, match="is not a directory"):
        write_atomic("f/g", b"x", root=tmp_path)


def test_script_to_unwritable_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "f").write_text("x")
    args = ["ignore-file", "generate", "--format", "script", "--out", str(tmp_path / "f" / "s.sh")]
    assert main([*args, "--from", "v1.10.13", "--node", "node-a"]) == exitcodes.INPUT_ERROR
    assert "Traceback" not in capsys.readouterr().err


def test_one_bad_node_version_does_not_stop_the_others(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    nodes = tmp_path / "nodes.json"
    items = [("n1", "v1.28.0"), ("n2", "v1.28.15-eks-a737599"), ("n5", "vgarbage-1")]
    nodes.write_text(
        '{"kind": "NodeList", "items": ['
        + ",".join(
            f'{{"kind": "Node", "metadata": {{"name": "{n}"}}, "status": {{"nodeInfo": {{"kubeletVersion": "{v}"}}}}}}'
            for n, v in items
        )
        + "]}"
    )
    out = tmp_path / "out"
    code = main(["ignore-file", "generate", "--nodes", str(nodes), "--out", str(out), "--now", "1551441600"])
    err = capsys.readouterr().err
    assert code == exitcodes.INPUT_ERROR
    assert _tree(out) == sorted(["n1", "n1/tmp", str("n1" / REL), "n2", "n2/tmp", str("n2" / REL)])
    assert "node n5: kubelet version 'vgarbage-1' is not a full version" in err
    errors: dict[str, str] = {}
    assert sorted(generate_ignore_files(dict(items), now=T0, errors=errors)) == ["n1", "n2"]
    assert list(errors) == ["n5"]


def test_stray_temp_row_names_its_node(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_ignore_files(FILES, tmp_path)
    stray = tmp_path / "node-b" / "tmp" / ".cache.version.save.x1y2z3w4.tmp"
    stray.write_text("v1.10.13,15")
    for arg in (tmp_path, tmp_path / "node-b" / REL):
        capsys.readouterr()
        code = main(["ignore-file", "check", str(arg), "--now", "2019-03-02T00:00:00Z", "-o", "csv"])
        assert code == exitcodes.INPUT_ERROR
        rows = [line.split(",") for line in capsys.readouterr().out.splitlines()]
        [row] = [r for r in rows if r[-1] == "stray-temp"]
        assert row[:2] == ["node-b", str(stray)]
        assert any(r[:2] == ["node-b", str(tmp_path / "node-b" / REL)] and r[-1] == "ok" for r in rows)
