"""The ``adam`` stage: build every ADaM dataset of the spec from the SDTM of this run and check it.

Outputs (staged, published only when the whole run succeeds):

* ``adam/<dataset>.csv`` — each dataset in a readable interim form (dates as ISO 8601; the submission XPT
  files with SAS dates come with the export stage);
* ``reports/adam-findings.json`` — the findings of the stage's checks (:mod:`cdisc_pipe.adam.checks`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from cdisc_pipe.adam.engine import build_adam
from cdisc_pipe.errors import Report
from cdisc_pipe.sdtm.stage import write_csv

if TYPE_CHECKING:
    from cdisc_pipe.pipeline import RunContext

__all__ = ["adam_stage", "interim_frame"]


def interim_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with dates as ISO 8601 text: YYYY-MM-DD for a date column, YYYY-MM-DDThh:mm:ss for a
    datetime column (one with a time of day anywhere), so the CSV says what the column holds."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            has_time = (column.dropna() != column.dropna().dt.normalize()).any() or name.endswith("DTM")
            out[name] = column.dt.strftime("%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d")
    return out


def adam_stage(context: "RunContext") -> Report:
    """Build ADaM from ``context.results["sdtm"]``; keep the result in ``context.results["adam"]``."""
    result = build_adam(context.results["sdtm"].domains, context.study)
    folder = context.staging.dir("adam")
    for name, frame in result.datasets.items():
        write_csv(interim_frame(frame), folder / f"{name.lower()}.csv")
    (context.reports_dir() / "adam-findings.json").write_text(result.report.to_json(), encoding="utf-8")
    context.results["adam"] = result
    return result.report
