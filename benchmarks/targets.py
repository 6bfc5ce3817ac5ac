"""Issue 8's targets, each met or missed, from the results of one benchmark run.

A target is judged only at the size the issue names; a run at other sizes (``--quick``) still lists the
target, with ``met`` left ``None`` and the size it was measured at, so a quick run never claims a target.
"""

from __future__ import annotations

from typing import Any

__all__ = ["evaluate_targets"]

_XPT_ROWS = (1_000_000, 5_000_000)
_GB = 1024.0  # maxrss is in MiB


def evaluate_targets(cases: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One entry per target: what it asks, what was measured, met (True/False, None when not at its size)."""
    targets: list[dict[str, Any]] = []
    for result in _ok(cases.get("1")):
        targets.append(_target("XPT write >= 5x pyreadstat", f"{result['rows']:,} rows",
                               result["ratio"]["median"], 5.0, "x", result["rows"] in _XPT_ROWS))
        if "ratio_object" in result:
            targets.append(_target("XPT write >= 5x pyreadstat given object strings (its best case)",
                                   f"{result['rows']:,} rows", result["ratio_object"]["median"], 5.0, "x",
                                   result["rows"] in _XPT_ROWS))
    for result in _ok(cases.get("2")):
        targets.append(_target("XPT read >= 5x pyreadstat", f"{result['rows']:,} rows",
                               result["ratio"]["median"], 5.0, "x", result["rows"] in _XPT_ROWS))
        ours = [name for name in result["values_identical"] if not name.startswith("pandas")]
        same = all(result["values_identical"][name] for name in ours)
        targets.append({"target": "XPT values identical (ours, pyreadstat, both files)",
                        "at": f"{result['rows']:,} rows", "measured": "identical" if same else "different",
                        "met": same})
    for result in _ok(cases.get("3")):
        at_size = result["subjects"] == 10_000
        for name, contender in result["contenders"].items():
            targets.append(_target(f"raw validation >= 1M rows/s ({name})",
                                   f"{result['subjects']:,} subjects", contender["rows_per_s"]["median"], 1e6,
                                   "rows/s", at_size))
    for result in _ok(cases.get("5")):
        whole = result["whole_pipeline"]
        targets.append(_target("default study end to end <= 5 s (process wall)", "default study",
                               result["process_wall_seconds"]["median"], 5.0, "s", whole, most=True))
        targets.append(_target("default study end to end <= 5 s (run() only)", "default study",
                               result["run_seconds"]["median"], 5.0, "s", whole, most=True))
    e2e = [r for r in _ok(cases.get("4")) if "skipped" in r or r["whole_pipeline"]]
    below = [r for r in e2e if "skipped" not in r and r["subjects"] < 100_000]
    if below:  # the 10,000-subject targets, judged at 10,000 only
        result, at = below[-1], f"{below[-1]['subjects']:,} subjects"
        exact = result["subjects"] == 10_000
        targets.append(_target("10,000 subjects end to end <= 60 s (run())", at,
                               result["run_seconds"]["median"], 60.0, "s", exact, most=True))
        targets.append(_target("10,000 subjects peak RSS <= 4 GB", at,
                               result["maxrss_mb"]["max"] / _GB, 4.0, "GB", exact, most=True))
    for result in (r for r in e2e if r["subjects"] >= 100_000):
        at = f"{result['subjects']:,} subjects"
        if "skipped" in result:
            rss_gb = result["estimate"]["maxrss_mb"] / _GB
            targets.append({"target": "100,000 subjects end to end within 24 GB", "at": at,
                            "measured": f"not run ({result['skipped']}); estimated {rss_gb:.0f} GB peak RSS, "
                                        f"{result['estimate']['run_seconds'] / 60:.0f} min",
                            "met": False if rss_gb > 24 else None})
        else:
            targets.append(_target("100,000 subjects end to end within 24 GB", at,
                                   result["maxrss_mb"]["max"] / _GB, 24.0, "GB", True, most=True))
    measured = [r for r in e2e if "per_1000_subjects_seconds" in r]
    if len(measured) >= 2:
        first, last = measured[0], measured[-1]
        growth = last["per_1000_subjects_seconds"] / first["per_1000_subjects_seconds"]
        targets.append(_target("cost grows linearly (per-1,000 cost at largest / at smallest <= 1.2)",
                               f"{first['subjects']:,} -> {last['subjects']:,} subjects", growth, 1.2, "x",
                               True, most=True))
    return targets


def _ok(results: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [r for r in results or [] if "error" not in r]


def _target(what: str, at: str, value: float, limit: float, unit: str, at_size: bool, *,
            most: bool = False) -> dict[str, Any]:
    met = (value <= limit) if most else (value >= limit)
    return {"target": what, "at": at, "measured": _show(value, unit), "value": value,
            "met": met if at_size else None}


def _show(value: float, unit: str) -> str:
    if unit == "rows/s":
        return f"{value / 1e6:.2f} M rows/s"
    if unit == "x":
        return f"{value:.1f}x"
    return f"{value:.1f} {unit}"
