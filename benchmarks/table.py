"""The printed table: one line per contender (or stage), then the targets, then the load on the machine."""

from __future__ import annotations

from typing import Any

__all__ = ["render_table"]

_HEADER = ("case", "what", "size", "contender / stage", "wall s median [min-max]", "cpu s", "throughput",
           "ratio", "peak RSS")


def render_table(results: dict[str, Any]) -> str:
    """The benchmark results (the JSON document) as fixed-width text."""
    rows: list[tuple[str, ...]] = []
    for case, entries in results["cases"].items():
        for entry in entries:
            rows.extend(_rows(case, entry))
    lines = _columns([_HEADER, *rows])
    lines.append("")
    lines.append("targets (issue 8):")
    for target in results["targets"]:
        verdict = {True: "met", False: "MISSED", None: "n/a at this size"}[target["met"]]
        lines.append(f"  {verdict:<17} {target['target']} — {target['measured']} ({target['at']})")
    machine, load = results["machine"], results["load"]
    lines.append("")
    lines.append(f"machine: {machine['cores']} cores, {machine['ram_gb']} GB, {machine['cpu_model']}; load average "
                 f"(1 min) {load['start']['1min']} at start, {load['end']['1min']} at end "
                 f"(other work on the machine stretches wall time; cpu s is this process's own time)")
    return "\n".join(lines)


def _rows(case: str, entry: dict[str, Any]) -> list[tuple[str, ...]]:
    name = entry.get("name", "")
    if "error" in entry:
        return [(case, name, str(entry.get("size", "")), "ERROR", entry["error"][:60], "", "", "", "")]
    if case in ("1", "2"):
        return _xpt_rows(case, entry)
    if case == "3":
        return [(case, name, f"{entry['subjects']:,} subj", f"{contender} ({c['records']:,} rec)", _wall(c["wall"]),
                 _s(c["cpu"]["median"]), _rates(c), "", "")
                for contender, c in entry["contenders"].items()]
    size = f"{entry['subjects']:,} subj" if "subjects" in entry else "default"
    if "skipped" in entry:
        estimate = entry["estimate"]
        return [(case, name, size, "not run (estimate)", f"~{estimate['run_seconds']:.0f}", "", "", "",
                 f"~{estimate['maxrss_mb'] / 1024:.1f} GB")]
    per_1000 = entry.get("per_1000_subjects_seconds")
    stop = "" if entry["whole_pipeline"] else f" (to {entry['until']} only)"
    rows = [(case, name + stop, size, "run()", _wall(entry["run_seconds"]), "",
             f"{per_1000:.1f} s/1,000 subj" if per_1000 else "", "", ""),
            (case, "", size, "process (with imports)", _wall(entry["process_wall_seconds"]),
             _s(entry["cpu_seconds"]["median"]), "", "", f"{entry['maxrss_mb']['max'] / 1024:.2f} GB")]
    peaks = entry.get("stage_peak_rss_mb", {})
    rows.extend((case, "", size, f"  {stage}", _wall(stats), "", "", "",
                 f"{peaks[stage] / 1024:.2f} GB" if peaks.get(stage) else "")
                for stage, stats in entry["stages"].items())
    if not entry["ok"]:
        rows.append((case, "", size, f"FAILED at {entry['failed_stage']}", "", "", "", "", ""))
    return rows


def _xpt_rows(case: str, entry: dict[str, Any]) -> list[tuple[str, ...]]:
    rows = []
    ratios = {"pyreadstat": entry.get("ratio"), "pandas": entry.get("ratio_pandas"),
              "pyreadstat, object str": entry.get("ratio_object")}
    for contender, c in entry["contenders"].items():
        ratio = ratios.get(contender)
        shown = f"ours {ratio['median']:.1f}x faster" if ratio else ""
        size = c.get("bytes", entry.get("bytes"))
        rows.append((case, entry["name"], f"{entry['rows']:,} rows", f"{contender} ({size / 1e6:.0f} MB)",
                     _wall(c["wall"]), _s(c["cpu"]["median"]), f"{c['mb_per_s']['median']:.1f} MB/s", shown, ""))
    return rows


def _rates(contender: dict[str, Any]) -> str:
    rows = f"{contender['rows_per_s']['median'] / 1e6:.2f} M rows/s"
    cells = contender.get("cells_per_s")
    return rows + (f" ({cells['median'] / 1e6:.1f} M values/s)" if cells else "")


def _wall(stats: dict[str, float]) -> str:
    return f"{_s(stats['median'])} [{_s(stats['min'])}-{_s(stats['max'])}]"


def _s(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 10 else f"{seconds:.1f}"


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
