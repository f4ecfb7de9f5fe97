"""How many live interviews this machine can carry at once: `INTERVOX_MAX_LIVE_INTERVIEWS`, or
(when it is 0) an estimate from the CPU time available to this process and what one interview costs.

The estimate is `floor((CPUs − RESERVED_CPU) / INTERVIEW_CPU)`, at least 1. CPUs are the cores this
process may run on (its affinity mask), lowered to the cgroup CPU quota when one is set and
readable (a container limited with `--cpus 1.5` has 1.5, however many cores the host has).
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass
from pathlib import Path

from .config import Settings

log = logging.getLogger(__name__)

# Server CPU one live interview costs, in cores, set so that the seats keep answers near real time.
# bench/load.py (N candidates at once, 60 % speech, 640×480 video, on the 2-core reference machine;
# README, "Tests and benchmarks"): with 2 candidates the end of an answer → its score stored took
# p95 1.48 s, with 4 it took 1.81 s (answers that end in long unpaused speech have a long last
# window). So this machine carries 2 interviews at once: (2 − RESERVED_CPU) / 0.8 → 2 seats.
# Re-measure with bench/load.py when transcription gets cheaper or the model changes.
INTERVIEW_CPU = 0.8
# Kept for everything that is not an interview: the event loop itself, HR dashboards, SQLite,
# mail and webhooks.
RESERVED_CPU = 0.25

CGROUP_ROOT = Path("/sys/fs/cgroup")
PROC_CGROUP = Path("/proc/self/cgroup")


@dataclass(frozen=True)
class Capacity:
    seats: int
    automatic: bool
    cpus: float | None = None  # what the automatic estimate was based on

    def describe(self) -> str:
        """For the operator: "Live interviews: 2 at a time (…)"."""
        if not self.automatic:
            return (f"Live interviews: {self.seats} at a time (INTERVOX_MAX_LIVE_INTERVIEWS); "
                    "more candidates wait in line")
        return (f"Live interviews: {self.seats} at a time (estimated from {self.cpus:g} CPUs at {INTERVIEW_CPU:g} CPU "
                "each; INTERVOX_MAX_LIVE_INTERVIEWS sets it); more candidates wait in line")


def estimate_seats(cpus: float, *, interview_cpu: float = INTERVIEW_CPU, reserved: float = RESERVED_CPU) -> int:
    """Interviews that fit in `cpus` cores; never fewer than one (a server that admits nobody is useless)."""
    return max(1, math.floor((cpus - reserved) / interview_cpu + 1e-9))


def capacity_for(settings: Settings) -> Capacity:
    if settings.max_live_interviews > 0:
        return Capacity(settings.max_live_interviews, automatic=False)
    cpus = available_cpus()
    return Capacity(estimate_seats(cpus), automatic=True, cpus=cpus)


def available_cpus(*, cgroup_root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> float:
    """Cores this process may use: its affinity mask, capped by a cgroup CPU quota if one is readable."""
    try:
        cores = float(len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not Linux
        cores = float(os.cpu_count() or 1)
    quota = cgroup_cpu_limit(cgroup_root=cgroup_root, proc_cgroup=proc_cgroup)
    return min(cores, quota) if quota is not None else cores


def cgroup_cpu_limit(*, cgroup_root: Path = CGROUP_ROOT, proc_cgroup: Path = PROC_CGROUP) -> float | None:
    """The tightest CPU quota (in cores) on this process's cgroup and its ancestors, v2 or v1; None
    when there is none or it cannot be read."""
    limits = [limit for directory in _cgroup_dirs(cgroup_root, proc_cgroup)
              if (limit := _read_limit(directory)) is not None]
    return min(limits) if limits else None


def _cgroup_dirs(root: Path, proc_cgroup: Path) -> list[Path]:
    """Directories that may hold this process's CPU limits: its own group and every ancestor, in
    the v2 hierarchy and the v1 `cpu` controller; inside a container the group is often the root."""
    try:
        lines = proc_cgroup.read_text().splitlines()
    except OSError:
        lines = []
    dirs: list[Path] = []
    for line in lines:
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            bases = [root]
        elif "cpu" in controllers.split(","):
            bases = [root / controllers, root / "cpu", root / "cpu,cpuacct"]
        else:
            continue
        relative = Path(path.lstrip("/"))
        for base in bases:
            for ancestor in (relative, *relative.parents):
                dirs.append(base / ancestor)
    dirs.extend([root, root / "cpu", root / "cpu,cpuacct"])
    return list(dict.fromkeys(dirs))  # without repeats, in order


def _read_limit(directory: Path) -> float | None:
    try:
        if (v2 := directory / "cpu.max").is_file():
            quota, _, period = v2.read_text().strip().partition(" ")
            if quota == "max":
                return None
            return int(quota) / int(period or "100000")
        quota_file = directory / "cpu.cfs_quota_us"
        if quota_file.is_file():
            quota_us = int(quota_file.read_text().strip())
            if quota_us <= 0:  # -1: no limit
                return None
            return quota_us / int((directory / "cpu.cfs_period_us").read_text().strip())
    except (OSError, ValueError, ZeroDivisionError):
        log.debug("unreadable CPU limit in %s", directory)
    return None
