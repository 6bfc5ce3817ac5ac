"""One pipeline run in a process of its own (cases 4 and 5), and how the parent starts it.

``python -m benchmarks.child --result R.json --out DIR [--raw DIR] [--until STAGE] [--profile P.prof]``
runs ``cdisc_pipe.run`` on the default study and writes what happened to ``R.json``: each stage's seconds
(``RunResult.outcomes``), findings, the time to import cdisc_pipe and to run. Without ``--until`` it runs
to the last stage of :data:`cdisc_pipe.pipeline.STAGES`, so a stage added later is measured too.

:func:`spawn` starts it and reaps it with ``os.wait4``, which gives that one child's CPU time
(``getrusage(RUSAGE_CHILDREN)`` would sum every child reaped so far). Peak RSS is the child's own
``VmHWM`` from ``/proc/self/status``, read just before it exits: on Linux the rusage ``ru_maxrss`` of a
child (from ``wait4``, ``RUSAGE_CHILDREN``, its own ``RUSAGE_SELF``, and so ``/usr/bin/time`` too when
started from a big process) starts at the parent's peak, because ``exec`` keeps the high-water mark of the
memory it replaces, and subprocess starts children with ``vfork``, i.e. in the parent's memory. After cases 1
and 2 the parent has held a 5M-row frame, so ``ru_maxrss`` would report gigabytes for a small run. It is
kept in the JSON as ``rusage_maxrss_mb``, an upper bound.
"""

from __future__ import annotations

import time

_STARTED = time.perf_counter()

import argparse  # noqa: E402 - the clock starts before any import
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

__all__ = ["spawn", "main"]


def spawn(result: Path, out: Path, *, raw: Path | None = None, until: str | None = None,
          profile: Path | None = None) -> dict[str, Any]:
    """Run the child, wait for it, return its JSON plus ``process_wall_seconds``, ``cpu_seconds`` and
    ``rusage_maxrss_mb`` measured from outside, and ``maxrss_mb`` (the child's VmHWM where there is one).
    Raises RuntimeError when the child fails."""
    from benchmarks.measure import PROJECT_ROOT

    command = [sys.executable, "-m", "benchmarks.child", "--result", str(result), "--out", str(out)]
    if raw is not None:
        command += ["--raw", str(raw)]
    if until is not None:
        command += ["--until", until]
    if profile is not None:
        command += ["--profile", str(profile)]
    log = result.with_suffix(".log")
    began = time.perf_counter()
    with open(log, "w") as stream:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=stream, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"benchmark child must exit 0 (got {process.returncode}); its log ends:\n{tail}")
    data = json.loads(result.read_text())
    rusage_mb = usage.ru_maxrss / 1024
    data.update(process_wall_seconds=wall, cpu_seconds=usage.ru_utime + usage.ru_stime,
                rusage_maxrss_mb=rusage_mb, maxrss_mb=data.get("vmhwm_mb") or rusage_mb)
    return data


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    import cdisc_pipe
    from cdisc_pipe.pipeline import stage_names

    imported = time.perf_counter()
    until = args.until or stage_names()[-1]

    memory = _StageMemory()

    def go() -> Any:
        return cdisc_pipe.run(raw=args.raw, out=args.out, until=until, progress=memory)

    began = time.perf_counter()
    profile = None
    if args.profile is not None:
        from benchmarks.profiles import profile_call

        holder: dict[str, Any] = {}
        profile = profile_call(lambda: holder.setdefault("run", go()), args.profile)
        outcome = holder["run"]
    else:
        outcome = go()
    run_seconds = time.perf_counter() - began
    import resource

    data = {
        "ok": outcome.ok,
        "failed_stage": outcome.failed_stage,
        "until": until,
        "pipeline_stages": list(stage_names()),
        "stages": [{"name": o.name, "seconds": o.seconds, "findings": len(o.report.findings),
                    "errors": o.report.count(cdisc_pipe.Severity.ERROR), **memory.stages.get(o.name, {})}
                   for o in outcome.outcomes],
        "import_seconds": imported - _STARTED,
        "run_seconds": run_seconds,
        "self_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "vmhwm_mb": memory.peak(),
        "profile": profile,
    }
    Path(args.result).write_text(json.dumps(data, indent=1))
    return 0


class _StageMemory:
    """A progress listener that records each stage's peak and final resident memory (MiB).

    Linux only: the peak is ``VmHWM`` of ``/proc/self/status``, reset to the current RSS at the start of each
    stage by writing 5 to ``/proc/self/clear_refs``; elsewhere (or when the reset is refused) it records
    nothing per stage and :meth:`peak` is the process's ``VmHWM`` or None.
    """

    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}
        self._before = _status("VmHWM")
        self._can_reset = True

    def start(self, stage: str) -> None:
        try:
            Path("/proc/self/clear_refs").write_text("5")
        except OSError:
            self._can_reset = False

    def finish(self, stage: str, report: Any, seconds: float) -> None:
        peak, now = _status("VmHWM"), _status("VmRSS")
        if self._can_reset and peak is not None and now is not None:
            self.stages[stage] = {"peak_rss_mb": peak, "rss_after_mb": now}

    def peak(self) -> float | None:
        """Peak RSS since exec: the largest stage peak, or the one before the run, or VmHWM as it stands."""
        peaks = [s["peak_rss_mb"] for s in self.stages.values()] + [self._before or 0.0]
        return max(peaks) if self.stages else _status("VmHWM")


def _status(field: str) -> float | None:
    """A memory field (kB) of ``/proc/self/status`` in MiB; None where there is no such file."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.child", description=__doc__.splitlines()[0])
    parser.add_argument("--result", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--out", type=Path, required=True, help="output folder of the run")
    parser.add_argument("--raw", type=Path, help="raw export (default: the default study's own)")
    parser.add_argument("--until", help="last stage to run (default: the last stage of the pipeline)")
    parser.add_argument("--profile", type=Path, help="run under cProfile, saving the stats here")
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
