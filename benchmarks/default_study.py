"""Case 5: the default study (its shipped spec and raw export) end to end, wall time.

Each run is a fresh process (:mod:`benchmarks.child`), as ``cdisc-pipe run`` would be. Two times are
reported: the process from start to exit (interpreter start and imports included: what a user waits for)
and the ``cdisc_pipe.run`` call alone, with each stage's share.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from benchmarks.end_to_end import run_once, summarise_runs
from benchmarks.measure import load

__all__ = ["measure_default_study"]


def measure_default_study(folder: Path, *, repeat: int, until: str | None = None,
                          profile_dir: Path | None = None) -> dict[str, Any]:
    """Run the default study ``repeat`` times, each in its own process."""
    work = folder / "default-study"
    work.mkdir(parents=True, exist_ok=True)
    before = load()
    runs = [run_once(work, i, until=until) for i in range(repeat)]
    after = load()
    result = summarise_runs(runs)
    result.update(case=5, name="default study end to end", load_before=before, load_after=after)
    if profile_dir is not None:
        profiled = run_once(work, "profile", until=until, profile=profile_dir / "case5-run-default.prof")
        result["profile"] = profiled["profile"]
    return result

