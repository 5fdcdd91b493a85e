"""gunicorn's processes come from the container's CPU quota, not the host's cores: each thread holds
a PostgreSQL connection, so workers × threads is the node's share of the connection budget."""

import os
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

CONF = Path(__file__).resolve().parents[2] / "contest_site" / "gunicorn.conf.py"


@pytest.fixture
def conf():
    return runpy.run_path(str(CONF))


def _cgroup(tmp_path, files: dict[str, str], own: str = "0::/\n"):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "self-cgroup").write_text(own)
    return {"root": str(tmp_path), "proc_cgroup": str(tmp_path / "self-cgroup")}


@pytest.mark.parametrize(
    ("cpu_max", "cpus"),
    [("200000 100000\n", 2), ("150000 100000\n", 2), ("50000 100000\n", 1), ("400000 50000\n", 8), ("max 100000\n", None)],
)
def test_cgroup_v2_quota(conf, tmp_path, cpu_max, cpus):
    assert conf["cgroup_cpu_quota"](**_cgroup(tmp_path, {"cpu.max": cpu_max})) == cpus


def test_cgroup_v2_quota_of_the_process_own_group_comes_first(conf, tmp_path):
    paths = _cgroup(tmp_path, {"cpu.max": "max 100000", "system.slice/web.scope/cpu.max": "300000 100000"},
                    own="0::/system.slice/web.scope\n")  # fmt: skip
    assert conf["cgroup_cpu_quota"](**paths) == 3


@pytest.mark.parametrize(("quota", "cpus"), [("250000", 3), ("100000", 1), ("-1", None)])
def test_cgroup_v1_quota(conf, tmp_path, quota, cpus):
    paths = _cgroup(tmp_path, {"cpu,cpuacct/cpu.cfs_quota_us": quota, "cpu,cpuacct/cpu.cfs_period_us": "100000"},
                    own="12:cpu,cpuacct:/docker/abc\n")  # fmt: skip
    assert conf["cgroup_cpu_quota"](**paths) == cpus


def test_no_cgroup_files_means_no_quota(conf, tmp_path):
    assert conf["cgroup_cpu_quota"](**_cgroup(tmp_path, {})) is None


def test_the_quota_caps_the_cores_and_the_cores_cap_the_quota(conf, tmp_path):
    cores = len(os.sched_getaffinity(0))
    assert conf["available_cpus"](**_cgroup(tmp_path, {"cpu.max": "100000 100000"})) == 1
    if cores > 1:
        assert conf["cpu_budget"](**_cgroup(tmp_path, {"cpu.max": "100000 100000"})) == (1, "the CPU quota")
    assert conf["available_cpus"](**_cgroup(tmp_path / "big", {"cpu.max": f"{(cores + 64) * 100000} 100000"})) == cores
    assert conf["available_cpus"](**_cgroup(tmp_path / "none", {})) == cores
    assert conf["available_cpus"](**_cgroup(tmp_path / "bad", {"cpu.max": "lots 100000"})) == cores


def test_the_environment_still_overrides(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "5")
    conf = runpy.run_path(str(CONF))
    assert (conf["workers"], conf["threads"], conf["workers_from"]) == (3, 5, "GUNICORN_WORKERS")
    monkeypatch.delenv("GUNICORN_WORKERS")
    monkeypatch.delenv("GUNICORN_THREADS")
    conf = runpy.run_path(str(CONF))
    assert conf["workers"] == conf["available_cpus"]() and conf["threads"] == 8


def test_the_budget_is_logged_at_start(conf, monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    lines = []
    server = SimpleNamespace(
        cfg=SimpleNamespace(workers=conf["workers"], threads=8),
        log=SimpleNamespace(info=lambda msg, *args: lines.append(msg % args)),
    )
    conf["on_starting"](server)
    source, n = conf["workers_from"], conf["workers"]
    assert lines == [
        f"connection budget: {n} workers (from {source}) x 8 threads = {n * 8} PostgreSQL connections at most from this node"
    ]
    server.cfg.workers = n + 1  # --workers on the command line (or GUNICORN_CMD_ARGS)
    conf["on_starting"](server)
    assert lines[-1].startswith(f"connection budget: {n + 1} workers (from the command line) x 8 threads")
    assert conf["workers_from"] in ("the CPU quota", "the cores", "GUNICORN_WORKERS")
