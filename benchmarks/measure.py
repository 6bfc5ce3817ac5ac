"""Timing, the machine, and the load on it: what every case records beside its numbers.

A timing is wall-clock seconds (``time.perf_counter``) and CPU seconds of this process
(``time.process_time``) for each run. CPU seconds are shown beside wall seconds because other work on the
machine stretches wall time but barely CPU time: when the two differ a lot, the machine was busy.
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

__all__ = ["Runs", "time_call", "interleaved", "summary", "ratio", "throughput", "machine", "load", "PROJECT_ROOT"]

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Runs:
    """Wall and CPU seconds of each run of one contender."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall)
        self.cpu.append(cpu)

    def as_dict(self) -> dict[str, Any]:
        return {"wall": summary(self.wall), "cpu": summary(self.cpu)}


def summary(values: list[float]) -> dict[str, Any]:
    """Median, min and max of ``values`` (seconds, or any unit), and the values themselves."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": [round(v, 6) for v in values],
    }


def time_call(func: Callable[[], Any]) -> tuple[float, float, Any]:
    """Run ``func`` once after a garbage collection; return (wall s, CPU s, its result)."""
    gc.collect()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = func()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return wall, cpu, result


def interleaved(contenders: dict[str, Callable[[], Any]], repeat: int,
                after: Callable[[str, Any], None] | None = None) -> dict[str, Runs]:
    """Run each contender ``repeat`` times, taking turns, the order rotated each round.

    Taking turns means a stretch of heavy load on the machine hits every contender, so the ratio of their
    medians stays fair. ``after(name, result)`` runs outside the timing (e.g. to delete a written file).
    """
    names = list(contenders)
    runs = {name: Runs() for name in names}
    for round_number in range(repeat):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            wall, cpu, result = time_call(contenders[name])
            runs[name].add(wall, cpu)
            if after is not None:
                after(name, result)
            del result
    return runs


def load() -> dict[str, float]:
    """The 1, 5 and 15 minute load averages (runnable processes; the machine has ``cores`` CPUs)."""
    one, five, fifteen = os.getloadavg()
    return {"1min": round(one, 2), "5min": round(five, 2), "15min": round(fifteen, 2)}


def machine() -> dict[str, Any]:
    """Cores, memory, CPU model, Python and library versions, and the checkout's commit."""
    return {
        "cores": os.cpu_count(),
        "ram_gb": _ram_gb(),
        "cpu_model": _cpu_model(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
        "packages": {name: _version(name) for name in
                     ("cdisc-pipe", "pandas", "numpy", "pyarrow", "pandera", "pyreadstat")},
        "commit": _git("rev-parse", "HEAD"),
        "uncommitted_files": len((_git("status", "--porcelain") or "").splitlines()),
    }


def _ram_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _git(*args: str) -> str | None:
    try:
        done = subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def ratio(other: Runs, ours: Runs) -> dict[str, Any]:
    """How many times faster ours is than ``other``: the ratio of the median wall times, and the min/max of
    the ratios of the runs taken in the same round (next to each other in time)."""
    paired = [o / u for o, u in zip(other.wall, ours.wall) if u > 0]
    return {
        "median": statistics.median(other.wall) / statistics.median(ours.wall),
        "min": min(paired),
        "max": max(paired),
        "per_round": [round(p, 3) for p in paired],
    }


def throughput(amount: float, runs: Runs) -> dict[str, float]:
    """``amount`` per second at the median, fastest and slowest run (e.g. MB/s, rows/s)."""
    return {
        "median": amount / statistics.median(runs.wall),
        "min": amount / max(runs.wall),
        "max": amount / min(runs.wall),
    }
