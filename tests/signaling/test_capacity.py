"""How many live interviews the machine carries (signaling/capacity.py): the estimate from CPUs,
and the CPU limits it reads (cgroup v2 and v1, from directories laid out like /sys/fs/cgroup)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from signaling import capacity
from signaling.capacity import available_cpus, capacity_for, cgroup_cpu_limit, estimate_seats
from signaling.config import Settings


@pytest.mark.parametrize(("cpus", "seats"), [(0.5, 1), (1, 1), (2, 2), (4, 4), (8, 9), (16, 19)])
def test_seats_from_cpus(cpus, seats):
    """floor((CPUs − reserve) / cost per interview), never below one."""
    assert estimate_seats(cpus) == seats


def test_a_cheaper_interview_means_more_seats():
    """When bench/load.py measures a lower cost per interview, the same machine carries more."""
    assert estimate_seats(2, interview_cpu=0.2) == 8


def test_the_setting_wins_over_the_estimate():
    assert capacity_for(Settings(max_live_interviews=3)) == capacity.Capacity(3, automatic=False)


def test_automatic_capacity_uses_this_machine(monkeypatch):
    monkeypatch.setattr(capacity, "available_cpus", lambda: 4.0)
    chosen = capacity_for(Settings())
    assert (chosen.seats, chosen.automatic, chosen.cpus) == (4, True, 4.0)
    assert "4 CPUs" in chosen.describe() and "INTERVOX_MAX_LIVE_INTERVIEWS" in chosen.describe()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v2_quota_of_the_process_group(tmp_path):
    """cpu.max "150000 100000" in the process's own group: 1.5 CPUs."""
    write(tmp_path / "proc", "0::/system.slice/intervox.service\n")
    write(tmp_path / "fs/system.slice/intervox.service/cpu.max", "150000 100000\n")
    write(tmp_path / "fs/cpu.max", "max 100000\n")
    assert cgroup_cpu_limit(cgroup_root=tmp_path / "fs", proc_cgroup=tmp_path / "proc") == 1.5


def test_cgroup_v2_limit_on_an_ancestor_applies(tmp_path):
    write(tmp_path / "proc", "0::/box/inner\n")
    write(tmp_path / "fs/box/cpu.max", "50000 100000\n")
    write(tmp_path / "fs/box/inner/cpu.max", "max 100000\n")
    assert cgroup_cpu_limit(cgroup_root=tmp_path / "fs", proc_cgroup=tmp_path / "proc") == 0.5


def test_cgroup_v1_quota(tmp_path):
    """A container on cgroup v1 (docker --cpus 2.5): the quota in the cpu controller's root."""
    write(tmp_path / "proc", "4:memory:/docker/abc\n3:cpu,cpuacct:/\n")
    write(tmp_path / "fs/cpu,cpuacct/cpu.cfs_quota_us", "250000\n")
    write(tmp_path / "fs/cpu,cpuacct/cpu.cfs_period_us", "100000\n")
    assert cgroup_cpu_limit(cgroup_root=tmp_path / "fs", proc_cgroup=tmp_path / "proc") == 2.5


@pytest.mark.parametrize("files", [
    {"fs/cpu/cpu.cfs_quota_us": "-1\n", "fs/cpu/cpu.cfs_period_us": "100000\n"},  # v1: no limit
    {"fs/cpu.max": "max 100000\n"},  # v2: no limit
    {"fs/cpu.max": "garbage\n"},  # unreadable: ignored, not a crash
    {},  # no cgroup files at all (not Linux, or not mounted)
])
def test_no_quota_means_no_limit(tmp_path, files):
    write(tmp_path / "proc", "1:cpu:/\n0::/\n")
    for name, text in files.items():
        write(tmp_path / name, text)
    assert cgroup_cpu_limit(cgroup_root=tmp_path / "fs", proc_cgroup=tmp_path / "proc") is None


def test_available_cpus_is_the_affinity_capped_by_the_quota(tmp_path):
    cores = len(os.sched_getaffinity(0))
    write(tmp_path / "proc", "0::/\n")
    assert available_cpus(cgroup_root=tmp_path / "fs", proc_cgroup=tmp_path / "proc") == cores
    write(tmp_path / "fs/cpu.max", "50000 100000\n")
    assert available_cpus(cgroup_root=tmp_path / "fs", proc_cgroup=tmp_path / "proc") == 0.5
