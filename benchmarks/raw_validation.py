"""Case 3: raw validation rows/s on a simulated export (10,000 subjects unless capped).

``validate_raw`` is the function the ``validate-raw`` stage runs after ``read_raw`` (see
``cdisc_pipe.raw.stage``). The export is read once, outside the timing (its read time is reported
beside). Two things are timed, taking turns:

* the largest form (most records; of forms with as many, the one with most values) alone: the study and
  the export both restricted to that one form, so the run is that form's pandera schema, its record rules
  and the cross-form rules that apply to one form (no ``RAW-FORM-MISSING`` for the others);
* the whole export: every form and every cross-form rule, i.e. the stage minus reading and report writing.

Rows/s is records over the median wall time; the records of every form count for the whole export. Forms
differ in width (3 to 40 fields), so values (cells: records x columns) per second are reported beside.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.measure import PROJECT_ROOT, interleaved, load, throughput
from benchmarks.profiles import profile_call
from cdisc_pipe.paths import default_study_dir
from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.raw.validate import validate_raw
from cdisc_pipe.spec import load_spec

__all__ = ["measure_validation", "simulated_export"]

LARGEST = "largest form"
WHOLE = "whole export"


def simulated_export(subjects: int, folder: Path) -> tuple[Path, float]:
    """The CSV export of ``subjects`` simulated subjects under ``folder`` (made once by
    ``cdisc-pipe simulate`` in a subprocess, then reused); returns its path and the seconds it took
    (0 when it already existed)."""
    path = folder / f"export-{subjects}"
    if (path / "dm.csv").is_file():
        return path, 0.0
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "cdisc_pipe.cli", "simulate", "--subjects", str(subjects),
                    "--out", str(path)], check=True, cwd=PROJECT_ROOT, capture_output=True, text=True)
    return path, time.perf_counter() - began


def measure_validation(subjects: int, folder: Path, *, repeat: int,
                       profile_dir: Path | None = None) -> dict[str, Any]:
    """Time ``validate_raw`` on the largest form and on the whole export of ``subjects`` subjects."""
    path, simulate_seconds = simulated_export(subjects, folder)
    study = load_spec(default_study_dir())
    began = time.perf_counter()
    export = read_raw(path, study)
    read_seconds = time.perf_counter() - began
    largest = max(export.forms.values(), key=lambda form: (form.n_records, form.frame.size))
    alone = dataclasses.replace(export, forms={largest.form.id: largest}, unclaimed_files=())
    one_form = dataclasses.replace(study, forms=(largest.form,))
    records = {LARGEST: largest.n_records, WHOLE: sum(form.n_records for form in export.forms.values())}
    cells = {LARGEST: largest.frame.size, WHOLE: sum(form.frame.size for form in export.forms.values())}
    findings: dict[str, int] = {}

    def count(name: str, report: Any) -> None:
        findings[name] = len(report.findings)

    before = load()
    runs = interleaved({
        LARGEST: lambda: validate_raw(alone, one_form),
        WHOLE: lambda: validate_raw(export, study),
    }, repeat, after=count)
    after = load()
    result: dict[str, Any] = {
        "case": 3,
        "name": "raw validation",
        "subjects": subjects,
        "largest_form": {"id": largest.form.id, "file": largest.file, "records": largest.n_records,
                         "columns": largest.frame.shape[1]},
        "forms": len(export.forms),
        "simulate_seconds": simulate_seconds,
        "read_raw_seconds": read_seconds,
        "contenders": {name: {**r.as_dict(), "records": records[name], "cells": cells[name],
                              "findings": findings.get(name), "rows_per_s": throughput(records[name], r),
                              "cells_per_s": throughput(cells[name], r)} for name, r in runs.items()},
        "load_before": before,
        "load_after": after,
    }
    if profile_dir is not None:
        result["profile"] = profile_call(lambda: validate_raw(export, study),
                                         profile_dir / f"case3-validate_raw-{subjects}.prof")
    return result
