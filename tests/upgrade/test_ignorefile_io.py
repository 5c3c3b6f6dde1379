"""Ignore files on disk: the generate layout, atomic writes, reading bad files, script and DaemonSet."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kubehash.errors import IgnoreFileError, InputError
from kubehash.pipeline.ignorefiles import write_ignore_files
from kubehash.report.ignorefile_deploy import render_daemonset, render_script
from kubehash.sources.ignorefiles import layout_path, load_ignore_files, read_ignore_file
from kubehash.upgrade.ignorefile.rules import IgnoreFile, generate_ignore_files

T0 = datetime(2019, 3, 1, 12, 0, 0, tzinfo=timezone.utc)
node_names = st.from_regex(r"[a-z0-9]([-a-z0-9]{0,20}[a-z0-9])?", fullmatch=True)
full_versions = st.builds(lambda a, b, c: f"v{a}.{b}.{c}", st.integers(1, 2), st.integers(0, 40), st.integers(0, 30))


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(node_names, full_versions, min_size=1, max_size=5), st.integers(0, 2**40))
def test_generate_write_load_round_trip(tmp_path_factory, versions, t):
    out = tmp_path_factory.mktemp("out")
    files = generate_ignore_files(versions, now=t)
    results = write_ignore_files(files, out)
    assert [r.status for r in results] == ["written"] * len(versions)
    loaded = load_ignore_files([out])
    assert not loaded.problems
    got = {n: (f.node, f.version, f.timestamp) for n, f in loaded.files.items()}
    assert got == {n: (n, v, t) for n, v in versions.items()}
    for node in versions:
        p = layout_path(out, node)
        assert p == out / node / "tmp" / "cache.version.save"
        assert stat.S_IMODE(p.stat().st_mode) == 0o644
        assert load_ignore_files([p]).files[node].node == node  # a single file: node from the layout
    # writing again is a no-op; a different time is refused without force, replaced with it
    assert {r.status for r in write_ignore_files(files, out)} == {"unchanged"}
    later = generate_ignore_files(versions, now=t + 1)
    assert {r.status for r in write_ignore_files(later, out)} == {"refused"}
    assert load_ignore_files([out]).files == loaded.files
    assert {r.status for r in write_ignore_files(later, out, force=True)} == {"written"}


def test_a_relative_output_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    results = write_ignore_files(generate_ignore_files({"n1": "v1.10.13"}, now=T0), "out")
    assert results[0].path == "out/n1/tmp/cache.version.save"
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [results[0].path]
    assert load_ignore_files(["out"]).files["n1"].version == "v1.10.13"


def test_generate_adds_the_v_and_rejects_partial_versions():
    assert generate_ignore_files({"n1": "1.10.13"}, now=T0)["n1"] == IgnoreFile("v1.10.13", int(T0.timestamp()), "n1")
    with pytest.raises(InputError, match=r"n1: kubelet version '1\.10'"):
        generate_ignore_files({"n1": "1.10"}, now=T0)


def test_a_crash_between_write_and_rename_leaves_the_old_file(tmp_path, monkeypatch):
    files = generate_ignore_files({"worker-1": "v1.10.13"}, now=T0)
    write_ignore_files(files, tmp_path)
    target = layout_path(tmp_path, "worker-1")
    before = target.read_bytes()

    def crash(src: str, dst: str, **dir_fds: int) -> None:
        raise KeyboardInterrupt("power lost")

    monkeypatch.setattr(os, "replace", crash)
    newer = generate_ignore_files({"worker-1": "v1.10.13"}, now=int(T0.timestamp()) + 60)
    with pytest.raises(KeyboardInterrupt):
        write_ignore_files(newer, tmp_path, force=True)
    assert target.read_bytes() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["cache.version.save"]  # no temp file left


def test_refuses_bad_node_names_and_paths(tmp_path):
    with pytest.raises(InputError, match="not a valid node name"):
        layout_path(tmp_path, "../etc")
    with pytest.raises(InputError, match="must be absolute"):
        layout_path(tmp_path, "n1", "tmp/../../x")
    results = write_ignore_files({"../x": IgnoreFile("v1.10.13", 1)}, tmp_path)
    assert results[0].status == "refused" and not list(tmp_path.iterdir())


def _layout(tmp_path: Path) -> Path:
    write_ignore_files(generate_ignore_files({"a": "v1.10.13", "b": "v1.10.13"}, now=T0), tmp_path)
    return tmp_path


def test_reading_a_symlink_a_directory_and_a_missing_file(tmp_path):
    out = _layout(tmp_path)
    a = layout_path(out, "a")
    real = out / "elsewhere"
    shutil.move(a, real)
    a.symlink_to(real)
    b = layout_path(out, "b")
    b.unlink()
    b.mkdir()
    (out / "c").mkdir()
    loaded = load_ignore_files([out])
    kinds = {e.node: e.kind for e in loaded.problems}
    assert kinds == {"a": "symlink", "b": "directory", "c": "missing"}
    assert all(str(e).startswith(str(out)) for e in loaded.problems)
    assert loaded.files == {}


def test_unreadable_file(tmp_path, monkeypatch):
    p = layout_path(_layout(tmp_path), "a")

    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)  # root reads any file: inject the failure
    with pytest.raises(IgnoreFileError) as e:
        read_ignore_file(p)
    assert e.value.kind == "unreadable" and "Permission denied" in str(e.value)


def test_script_writes_each_file_on_its_node_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "tmp" / "cache.version.save"
    target.parent.mkdir()
    files = generate_ignore_files({"worker-1": "v1.10.13", "worker-2": "v1.10.11"}, now=T0)
    script = tmp_path / "place.sh"
    script.write_text(render_script(files, path=str(target)))

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["sh", str(script), *args], capture_output=True, text=True, env={**os.environ, **env}, check=False
        )

    r = run("worker-2")
    assert r.returncode == 0, r.stderr
    assert target.read_text() == f"v1.10.11,{int(T0.timestamp())}"
    assert read_ignore_file(target) == files["worker-2"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert run("worker-2").returncode == 0  # identical: left alone
    r = run("worker-1")
    assert r.returncode == 4 and "exists with other content" in r.stderr
    assert target.read_text().startswith("v1.10.11,")
    assert run("worker-1", FORCE="1").returncode == 0
    assert target.read_text().startswith("v1.10.13,")
    assert run("worker-9").returncode == 2
    target.unlink()
    target.symlink_to(tmp_path / "x")
    assert run("worker-1", FORCE="1").returncode == 4 and not (tmp_path / "x").exists()
    assert sorted(p.name for p in target.parent.iterdir()) == ["cache.version.save"]  # no temp files


def test_daemonset_manifest_places_the_file_through_a_hostpath(tmp_path):
    files = generate_ignore_files({"worker-1": "v1.10.13", "cp-1": "v1.10.13"}, now=T0)
    cm, ds = yaml.safe_load_all(render_daemonset(files))
    assert cm["kind"] == "ConfigMap"
    assert cm["data"] == {"cp-1": "v1.10.13,1551441600", "worker-1": "v1.10.13,1551441600"}
    spec = ds["spec"]["template"]["spec"]
    assert spec["volumes"][1]["hostPath"] == {"path": "/tmp", "type": "Directory"}
    init = spec["initContainers"][0]
    assert init["env"][0]["valueFrom"]["fieldRef"]["fieldPath"] == "spec.nodeName"
    assert "target=/host/tmp/cache.version.save" in init["command"][2]
    # run the init container's script against a fake host
    (tmp_path / "kubehash-config").mkdir()
    (tmp_path / "kubehash-config" / "worker-1").write_text(cm["data"]["worker-1"])
    (tmp_path / "host" / "tmp").mkdir(parents=True)
    cmd = init["command"][2].replace("/kubehash-config", str(tmp_path / "kubehash-config"))
    cmd = cmd.replace("/host/tmp", str(tmp_path / "host" / "tmp"))
    r = subprocess.run(["sh", "-c", cmd], env={**os.environ, "NODE_NAME": "worker-1"}, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert read_ignore_file(tmp_path / "host" / "tmp" / "cache.version.save") == files["worker-1"]
    r = subprocess.run(["sh", "-c", cmd], env={**os.environ, "NODE_NAME": "worker-7"}, capture_output=True, text=True)
    assert r.returncode == 2 and "no ignore file generated for node worker-7" in r.stderr
