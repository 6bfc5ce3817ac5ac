"""Case 4: ``cdisc_pipe.run`` end to end on simulated exports of 1,000 and 10,000 subjects (100,000 on request).

Each size: the export is simulated once (``cdisc-pipe simulate``, timed but not part of the pipeline),
then the pipeline runs ``repeat`` times, each run in a fresh process (:mod:`benchmarks.child`) so its peak
RSS is its own. Per run: every stage's seconds, the whole ``run()`` call, the process from start to exit
(interpreter and imports included), peak RSS, CPU seconds. Time per 1,000 subjects is the median ``run()``
seconds divided by thousands of subjects; if cost grows linearly it stays flat across sizes.

The 100,000-subject run happens once (not ``repeat`` times) and only when asked for; it is skipped, with an
estimate from the per-1,000 cost and a straight-line fit of peak RSS, when the 10,000-subject run took longer
than the 60 s target (a run that misses at 10,000 would take the better part of an hour at 100,000).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from benchmarks.child import spawn
from benchmarks.measure import load, summary
from benchmarks.raw_validation import simulated_export

__all__ = ["measure_end_to_end", "run_once", "summarise_runs", "BIG", "GUARD_SECONDS"]

BIG = 100_000
GUARD_SECONDS = 60.0


def measure_end_to_end(sizes: list[int], folder: Path, *, repeat: int, until: str | None = None,
                       profile_dir: Path | None = None) -> list[dict[str, Any]]:
    """One result per size, in increasing order; see the module doc for the 100,000-subject rule."""
    results: list[dict[str, Any]] = []
    for subjects in sorted(sizes):
        if subjects >= BIG:
            reason = _skip_reason(results)
            if reason:
                results.append(_estimate(subjects, results, reason))
                continue
        results.append(_measure_size(subjects, folder, repeat=1 if subjects >= BIG else repeat, until=until,
                                     profile_dir=profile_dir))
    return results


def _measure_size(subjects: int, folder: Path, *, repeat: int, until: str | None,
                  profile_dir: Path | None) -> dict[str, Any]:
    raw, simulate_seconds = simulated_export(subjects, folder / "exports")
    work = folder / f"e2e-{subjects}"
    work.mkdir(parents=True, exist_ok=True)
    before = load()
    runs = [run_once(work, i, raw=raw, until=until) for i in range(repeat)]
    after = load()
    result = summarise_runs(runs)
    result.update(case=4, name="end to end", subjects=subjects, simulate_seconds=simulate_seconds,
                  load_before=before, load_after=after)
    result["per_1000_subjects_seconds"] = result["run_seconds"]["median"] / (subjects / 1000)
    if profile_dir is not None:
        profile = profile_dir / f"case4-run-{subjects}.prof"
        profiled = run_once(work, "profile", raw=raw, until=until, profile=profile)
        result["profile"] = profiled["profile"]
    return result


def run_once(work: Path, tag: Any, *, raw: Path | None = None, until: str | None = None,
             profile: Path | None = None) -> dict[str, Any]:
    """One child run with its outputs under ``work`` (deleted afterwards, they can be large)."""
    out = work / f"out-{tag}"
    try:
        return spawn(work / f"run-{tag}.json", out, raw=raw, until=until, profile=profile)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def summarise_runs(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Median/min/max of every stage and of the totals over ``runs`` (child results of :func:`spawn`)."""
    names = [stage["name"] for stage in runs[0]["stages"]]
    stages = {name: summary([_stage_seconds(run, name) for run in runs]) for name in names}
    return {
        "ok": all(run["ok"] for run in runs),
        "failed_stage": next((run["failed_stage"] for run in runs if run["failed_stage"]), None),
        "until": runs[0]["until"],
        "whole_pipeline": runs[0]["until"] == runs[0]["pipeline_stages"][-1],
        "findings": {stage["name"]: stage["findings"] for stage in runs[0]["stages"]},
        "stages": stages,
        "stage_peak_rss_mb": {name: max((_stage_value(run, name, "peak_rss_mb") for run in runs), default=None)
                              for name in names},
        "stage_rss_after_mb": {name: max((_stage_value(run, name, "rss_after_mb") for run in runs), default=None)
                               for name in names},
        "run_seconds": summary([run["run_seconds"] for run in runs]),
        "process_wall_seconds": summary([run["process_wall_seconds"] for run in runs]),
        "import_seconds": summary([run["import_seconds"] for run in runs]),
        "cpu_seconds": summary([run["cpu_seconds"] for run in runs]),
        "maxrss_mb": summary([run["maxrss_mb"] for run in runs]),
    }


def _stage_seconds(run: dict[str, Any], name: str) -> float:
    return next((stage["seconds"] for stage in run["stages"] if stage["name"] == name), float("nan"))


def _stage_value(run: dict[str, Any], name: str, key: str) -> float:
    """A stage's memory figure in one run (0 where it was not recorded: not Linux, or reset refused)."""
    return next((stage.get(key) or 0.0 for stage in run["stages"] if stage["name"] == name), 0.0)


def _skip_reason(done: list[dict[str, Any]]) -> str | None:
    measured = [r for r in done if "run_seconds" in r and r["subjects"] >= 10_000]
    if not measured:
        return None
    largest = measured[-1]
    seconds = largest["run_seconds"]["median"]
    if seconds <= GUARD_SECONDS:
        return None
    return (f"{largest['subjects']:,} subjects took {seconds:.0f} s (target {GUARD_SECONDS:.0f} s); "
            "not run at 100,000, estimated instead")


def _estimate(subjects: int, done: list[dict[str, Any]], reason: str) -> dict[str, Any]:
    """Time from the largest measured per-1,000 cost; peak RSS on the line through the two largest sizes."""
    measured = [r for r in done if "run_seconds" in r]
    largest = measured[-1]
    seconds = largest["per_1000_subjects_seconds"] * subjects / 1000
    rss = [(r["subjects"], r["maxrss_mb"]["median"]) for r in measured[-2:]]
    if len(rss) == 2 and rss[1][0] != rss[0][0]:
        slope = (rss[1][1] - rss[0][1]) / (rss[1][0] - rss[0][0])
        rss_mb = rss[1][1] + slope * (subjects - rss[1][0])
    else:
        rss_mb = rss[-1][1] * subjects / rss[-1][0]
    return {"case": 4, "name": "end to end", "subjects": subjects, "skipped": reason,
            "estimate": {"run_seconds": seconds, "maxrss_mb": rss_mb,
                         "from": f"per-1,000 cost at {largest['subjects']:,}; RSS on the line through "
                                 + " and ".join(f"{n:,}" for n, _ in rss)}}

