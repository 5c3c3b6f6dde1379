"""A fleet in one run: several clusters predicted in parallel, one prediction naming each container's cluster."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from kubehash.cli import main
from kubehash.pipeline.cluster import Cluster, predict_cluster
from kubehash.pipeline.fleet import predict_fleet
from kubehash.upgrade.options import Options

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cluster"


def _two_clusters(tmp_path: Path) -> list[Cluster]:
    out = []
    for name in ("east", "west"):
        d = tmp_path / name
        d.mkdir()
        shutil.copy(EXAMPLE / "pods.json", d / "pods.json")
        shutil.copy(EXAMPLE / "nodes.json", d / "nodes.json")
        out.append(Cluster(pods=d / "pods.json", nodes=d / "nodes.json", name=name))
    return out


def test_every_container_of_every_cluster_once_and_named(tmp_path: Path) -> None:
    east, west = _two_clusters(tmp_path)
    one = predict_cluster(east, Options(to="1.17"))
    fleet = predict_fleet([east, west], Options(to="1.17"), jobs=2)
    assert len(fleet) == 2 * len(one)
    assert [c.cluster for c in fleet] == ["east"] * len(one) + ["west"] * len(one)
    by_cluster = fleet.summary["by_cluster"]
    assert by_cluster["east"] == by_cluster["west"] == one.summary["verdicts"]
    assert all(node.startswith(("east/", "west/")) for node in fleet.summary["by_node"])
    # the same verdicts, container by container, as each cluster on its own
    assert [c.verdict for c in fleet][: len(one)] == [c.verdict for c in one]


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_clusters_warnings_name_it(tmp_path: Path, jobs: int) -> None:
    """What one cluster's run warns about is in the fleet's warnings, naming the cluster (they were dropped)."""
    east, west = _two_clusters(tmp_path)
    assert west.pods is not None
    doc = json.loads(west.pods.read_text())
    doc["items"].append({"kind": "ConfigMap", "metadata": {"name": "stray"}})
    west.pods.write_text(json.dumps(doc))
    alone = predict_cluster(west, Options(to="1.17")).warnings
    assert any("ConfigMap" in w for w in alone)
    fleet = predict_fleet([east, west], Options(to="1.17"), jobs=jobs)
    assert [w for w in fleet.warnings if "ConfigMap" in w] == [f"cluster west: {w}" for w in alone if "ConfigMap" in w]
    assert len(fleet) == 2 * len(predict_cluster(east, Options(to="1.17")))


def test_an_unreadable_cluster_is_an_input_error_and_the_others_are_predicted(tmp_path: Path) -> None:
    east, _ = _two_clusters(tmp_path)
    missing = Cluster(pods=tmp_path / "missing.json", name="gone")
    fleet = predict_fleet([east, missing], Options(to="1.17"), jobs=2)
    assert {c.cluster for c in fleet} == {"east"}
    assert len(fleet.input_errors) == 1 and fleet.input_errors[0].startswith("cluster gone:")


def test_cli_fleet_has_one_document_and_exit_code_over_all(tmp_path: Path, capsys) -> None:
    east, west = _two_clusters(tmp_path)
    args = ["predict", "--to", "1.17", "-q", "-o", "json", "--jobs", "2"]
    for c in (east, west):
        args += ["--pods", str(c.pods), "--nodes", str(c.nodes)]
    assert main(args) == 3  # a restart predicted somewhere in the fleet
    doc = json.loads(capsys.readouterr().out)
    assert set(doc["summary"]["by_cluster"]) == {str(east.pods), str(west.pods)}
    assert main(["predict", "--to", "1.11", "--pods", str(east.pods), "--pods", str(west.pods),
                 "--nodes", str(east.nodes)]) == 1  # fmt: skip  # one --nodes for two --pods: a usage error


def test_jobs_zero_counts_only_idle_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """--jobs 0 runs one process per CPU idle now (the kernel's CPU counters), never fewer than one."""
    from kubehash.pipeline import parallel

    monkeypatch.setattr(parallel, "default_jobs", lambda: 4)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(parallel.time, "sleep", lambda s: None)
    # (idle jiffies, all jiffies) before and after the sample: 4 CPUs x 100 jiffies elapsed
    for idle, expected in ((400, 4), (360, 4), (250, 3), (110, 1), (0, 1)):
        readings = iter([(1000, 5000), (1000 + idle, 5400)])
        monkeypatch.setattr(parallel, "_cpu_times", lambda readings=readings: next(readings))
        assert parallel.idle_jobs() == expected


def test_jobs_zero_without_cpu_counters_reads_the_load_average(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where /proc/stat cannot be read, the one-minute load average says how many CPUs are idle."""
    from kubehash.pipeline import parallel

    monkeypatch.setattr(parallel, "default_jobs", lambda: 4)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 4)
    monkeypatch.setattr(parallel, "_cpu_times", lambda: None)
    for load, expected in ((0.0, 4), (0.9, 4), (1.5, 3), (3.2, 1), (9.0, 1)):
        monkeypatch.setattr(parallel.os, "getloadavg", lambda load=load: (load, load, load))
        assert parallel.idle_jobs() == expected


def test_cpu_counters_are_read_from_proc_stat() -> None:
    """On Linux the counters exist and grow; idle never exceeds the total."""
    from kubehash.pipeline import parallel

    if not Path("/proc/stat").exists():
        pytest.skip("no /proc/stat here")
    first = parallel._cpu_times()
    assert first is not None and 0 <= first[0] <= first[1]
    idle = parallel._idle_cpus(0.05)
    assert idle is not None and 0.0 <= idle <= (os.cpu_count() or 1) + 1e-9


def test_auto_jobs_respect_the_cgroup_quota(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A container limited to 1.5 CPUs on a 64-CPU host gets 2 processes, not 64 (each holds its caches);
    without a quota, at most MAX_AUTO_JOBS."""
    from kubehash.pipeline import parallel

    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: set(range(64)))
    v2, quota, period = tmp_path / "cpu.max", tmp_path / "quota", tmp_path / "period"
    monkeypatch.setattr(parallel, "_CPU_MAX", v2)
    monkeypatch.setattr(parallel, "_CFS_QUOTA", quota)
    monkeypatch.setattr(parallel, "_CFS_PERIOD", period)
    assert parallel.cgroup_cpu_quota() is None  # no cgroup files at all
    assert parallel.default_jobs() == parallel.MAX_AUTO_JOBS
    v2.write_text("150000 100000\n")
    assert parallel.cgroup_cpu_quota() == 1.5 and parallel.default_jobs() == 2
    v2.write_text("max 100000\n")
    assert parallel.cgroup_cpu_quota() is None
    v2.unlink()  # cgroup v1: -1 is no limit
    quota.write_text("-1\n")
    period.write_text("100000\n")
    assert parallel.cgroup_cpu_quota() is None
    quota.write_text("300000\n")
    assert parallel.cgroup_cpu_quota() == 3.0 and parallel.default_jobs() == 3
