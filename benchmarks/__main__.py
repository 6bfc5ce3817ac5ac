"""``python -m benchmarks``: run the scale benchmarks, print the table, write the JSON (docs/performance.md).

Sizes by preset (``--repeat`` runs each, default 3; the 100,000-subject run is once):

========  ====================  ====================  =========================
preset    cases 1-2 (rows)      case 3 (subjects)     case 4 (subjects)
========  ====================  ====================  =========================
default   1,000,000 5,000,000   10,000                1,000 10,000 (+100,000)
--quick   200,000               1,000                 100 1,000
--toy     2,000                 20                    10, to validate-raw only
========  ====================  ====================  =========================

``--toy`` exists for ``tests/test_benchmarks_smoke.py``: it runs every case in seconds so the command
cannot rot; its numbers mean nothing. Exit status: 0, or 1 when a case failed (its error is in the JSON).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any, Callable

from benchmarks import RESULTS_FORMAT
from benchmarks.measure import PROJECT_ROOT, load, machine

PRESETS: dict[str, dict[str, Any]] = {
    "default": {"rows": [1_000_000, 5_000_000], "validation": 10_000, "e2e": [1_000, 10_000], "until": None},
    "quick": {"rows": [200_000], "validation": 1_000, "e2e": [100, 1_000], "until": None},
    "toy": {"rows": [2_000], "validation": 20, "e2e": [10], "until": "validate-raw", "repeat": 1},
}
CASES = (1, 2, 3, 4, 5)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = _settings(args)
    out = args.out or _default_out()
    profile_dir = out.with_name(out.stem + "-profiles") if args.profile else None
    work = Path(tempfile.mkdtemp(prefix="cdisc-bench-", dir=args.workdir))
    results: dict[str, Any] = {
        "format": RESULTS_FORMAT,
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "command": "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:]),
        "settings": settings,
        "machine": machine(),
        "load": {"start": load()},
        "cases": {},
    }
    began = time.perf_counter()
    try:
        _run_cases(settings, work, profile_dir, results["cases"])
    finally:
        if args.keep:
            _say(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    from benchmarks.targets import evaluate_targets
    from benchmarks.table import render_table

    results["load"]["end"] = load()
    results["seconds"] = time.perf_counter() - began
    results["targets"] = evaluate_targets(results["cases"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(render_table(results))
    print(f"\nresults: {out}" + (f"; profiles: {profile_dir}" if profile_dir else ""))
    failed = any("error" in entry for entries in results["cases"].values() for entry in entries)
    return 1 if failed else 0


def _run_cases(settings: dict[str, Any], work: Path, profile_dir: Path | None, cases: dict[str, list]) -> None:
    chosen, repeat = settings["cases"], settings["repeat"]
    if 1 in chosen or 2 in chosen:
        for rows in settings["rows"]:
            _xpt_cases(rows, chosen, work / "xpt", repeat, profile_dir, cases)
    if 3 in chosen:
        from benchmarks.raw_validation import measure_validation

        _record(cases, "3", {"subjects": settings["validation"]}, lambda: [measure_validation(
            settings["validation"], work / "exports", repeat=repeat, profile_dir=profile_dir)])
    if 4 in chosen:
        from benchmarks.end_to_end import measure_end_to_end

        _record(cases, "4", {"subjects": settings["e2e"]}, lambda: measure_end_to_end(
            settings["e2e"], work, repeat=repeat, until=settings["until"], profile_dir=profile_dir))
    if 5 in chosen:
        from benchmarks.default_study import measure_default_study

        _record(cases, "5", {}, lambda: [measure_default_study(
            work, repeat=repeat, until=settings["until"], profile_dir=profile_dir)])


def _xpt_cases(rows: int, chosen: tuple[int, ...], folder: Path, repeat: int, profile_dir: Path | None,
               cases: dict[str, list]) -> None:
    """Cases 1 and 2 at one size: one frame, both writers, then the three readers on the files written."""
    from benchmarks.lb_frame import build_lb_frame, lb_metadata
    from benchmarks.xpt_read import measure_read
    from benchmarks.xpt_write import measure_write, write_files

    _say(f"building the LB-like frame of {rows:,} rows")
    frame = build_lb_frame(rows)
    meta = lb_metadata(frame)
    paths: dict[str, Path] = {}

    def write() -> list[dict[str, Any]]:
        result, written = measure_write(frame, meta, folder, repeat=repeat, profile_dir=profile_dir)
        paths.update(written)
        return [result]

    if 1 in chosen:
        _record(cases, "1", {"rows": rows}, write)
    if 2 in chosen:
        if not paths:
            paths.update(write_files(frame, meta, folder))
        _record(cases, "2", {"rows": rows}, lambda: [measure_read(frame, paths, repeat=repeat,
                                                                  profile_dir=profile_dir)])
    for path in paths.values():
        path.unlink(missing_ok=True)
    del frame
    gc.collect()


def _record(cases: dict[str, list], case: str, size: dict[str, Any], measure: Callable[[], list]) -> None:
    """Run one case; a failure is recorded as that case's result and the other cases still run."""
    _say(f"case {case} {size or ''}")
    try:
        cases.setdefault(case, []).extend(measure())
    except Exception as err:  # noqa: BLE001 - the command's one broad catch: the error goes into the results
        _say(traceback.format_exc())
        cases.setdefault(case, []).append({"case": int(case), **size, "error": f"{type(err).__name__}: {err}"})


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    preset = dict(PRESETS["toy" if args.toy else "quick" if args.quick else "default"])
    cases = _parse_cases(args.cases)
    e2e = list(preset["e2e"]) + ([100_000] if args.with_100k else [])
    validation = preset["validation"]
    if args.max_subjects is not None:
        e2e = [n for n in e2e if n <= args.max_subjects] or [args.max_subjects]
        validation = min(validation, args.max_subjects)
    return {
        "preset": "toy" if args.toy else "quick" if args.quick else "default",
        "cases": cases,
        "repeat": args.repeat or preset.get("repeat", 3),
        "rows": preset["rows"],
        "validation": validation,
        "e2e": e2e,
        "until": args.until or preset["until"],
    }


def _parse_cases(text: str) -> tuple[int, ...]:
    try:
        cases = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise SystemExit(f"--cases must be numbers from {CASES} separated by commas (got {text!r})") from None
    unknown = [c for c in cases if c not in CASES]
    if unknown or not cases:
        raise SystemExit(f"--cases must be numbers from {CASES} separated by commas (got {text!r})")
    return cases


def _default_out() -> Path:
    folder = PROJECT_ROOT / "benchmarks" / "results"
    path = folder / f"{dt.date.today().isoformat()}.json"
    if path.exists():
        path = folder / f"{dt.datetime.now().strftime('%Y-%m-%d-%H%M%S')}.json"
    return path


def _say(message: str) -> None:
    print(f"[benchmarks {dt.datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes: a few minutes instead of about an hour")
    size.add_argument("--toy", action="store_true", help="toy sizes for the smoke test (numbers mean nothing)")
    parser.add_argument("--cases", default="1,2,3,4,5", help="which cases, e.g. 1,2 (default: all)")
    parser.add_argument("--max-subjects", type=int, help="cap the subjects of cases 3 and 4")
    parser.add_argument("--with-100k", action="store_true",
                        help="case 4 also at 100,000 subjects (skipped with an estimate when 10,000 took > 60 s)")
    parser.add_argument("--repeat", type=int, help="runs per measurement (default 3; --toy 1)")
    parser.add_argument("--out", type=Path, help="JSON file to write (default: benchmarks/results/<date>.json)")
    parser.add_argument("--profile", action="store_true",
                        help="one extra cProfile'd run of ours per measurement; stats beside the JSON")
    parser.add_argument("--until", help="cases 4-5: last pipeline stage to run (default: the last stage)")
    parser.add_argument("--workdir", type=Path, help="where the temporary files go (default: the system's temp)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary files (exports, XPT files)")
    return parser


if __name__ == "__main__":
    raise SystemExit(main())
