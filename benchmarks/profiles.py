"""cProfile summaries: where the time of one run goes, as data for the JSON file and the docs.

Two lists per profile: the functions with the most time spent in their own code (``tottime``: the hot
loops), and the cdisc_pipe functions with the most time spent in them and what they call (``cumtime``:
which of our functions a fix should start from).
"""

from __future__ import annotations

import cProfile
import pstats
from pathlib import Path
from typing import Any, Callable

__all__ = ["profile_call", "summarise_profile"]

_TOP = 20


def profile_call(func: Callable[[], Any], path: Path) -> dict[str, Any]:
    """Run ``func`` under cProfile, save the raw stats at ``path`` (for snakeviz/pstats), return the summary."""
    profiler = cProfile.Profile()
    profiler.runcall(func)
    path.parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(str(path))
    return summarise_profile(path)


def summarise_profile(path: Path, top: int = _TOP) -> dict[str, Any]:
    """The top ``top`` functions by own time, and the top cdisc_pipe functions by cumulative time."""
    stats = pstats.Stats(str(path))
    rows = []
    for (filename, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append({"function": f"{_short(filename)}:{line}({name})", "calls": calls,
                     "tottime": round(tottime, 3), "cumtime": round(cumtime, 3), "ours": "cdisc_pipe" in filename})
    total = getattr(stats, "total_tt", None)
    by_own = sorted(rows, key=lambda r: r["tottime"], reverse=True)[:top]
    ours = sorted((r for r in rows if r["ours"]), key=lambda r: r["cumtime"], reverse=True)[:top]
    return {"file": str(path), "total_seconds": round(total, 3) if total else None,
            "by_own_time": by_own, "ours_by_cumulative_time": ours}


def _short(filename: str) -> str:
    """A path short enough to read: from cdisc_pipe/ or from inside site-packages."""
    if "/src/cdisc_pipe/" in filename:
        return "cdisc_pipe/" + filename.split("/src/cdisc_pipe/", 1)[1]
    if "/site-packages/" in filename:
        return filename.split("/site-packages/", 1)[1]
    if "/lib/python3" in filename:  # the standard library: python/<module>.py
        return "python/" + filename.split("/lib/python3", 1)[1].split("/", 1)[-1]
    return filename
