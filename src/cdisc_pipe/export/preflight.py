"""The FDA technical-rejection pre-flight: what eCTD validation rejects a study's data on, checked on the
written tree before anything is called done.

FDA "Technical Rejection Criteria for Study Data" (eCTD validation criteria):

* ``1734`` — a Trial Summary dataset ``ts.xpt`` must be present in the SDTM folder, with a study start
  date (TSPARMCD = "SSTDTC") whose TSVAL is a valid ISO 8601 date;
* ``1736`` — ``dm.xpt`` and ``define.xml`` must be present in the SDTM folder, ``adsl.xpt`` and
  ``define.xml`` in the ADaM folder.

And checks of ours that the same gateway would trip on later (ids ``PREFLIGHT-*``): file names exactly
lower-case ``<dataset>.xpt``; one STUDYID across every dataset.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

import pandas as pd

from cdisc_pipe.errors import Finding, Report, Severity

__all__ = ["preflight"]

_ISO_DATE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")


def _error(rule: str, message: str, *, file: str | None = None, dataset: str | None = None,
           variable: str | None = None, value: str | None = None, expected: str | None = None) -> Finding:
    return Finding(stage="export", rule=rule, severity=Severity.ERROR, message=message, dataset=dataset, file=file,
                   variable=variable, value=value, expected=expected)


def preflight(sdtm_dir: Path, adam_dir: Path | None, frames: Mapping[str, pd.DataFrame], studyid: str) -> Report:
    """Check the written SDTM folder (and ADaM folder, when one was written) and the datasets written there
    (``frames``: name → the frame written) for the study ``studyid``. Every failure is an error finding naming the rule."""
    report = Report()
    ts = sdtm_dir / "ts.xpt"
    if not ts.is_file():
        report.add(_error("FDA-1734", "ts.xpt must be present in the SDTM folder (got no such file)",
                          file=str(ts), expected="ts.xpt"))
    else:
        frame = frames.get("TS")
        start = frame.loc[frame["TSPARMCD"] == "SSTDTC", "TSVAL"] if frame is not None else pd.Series([], dtype=str)
        values = [str(v) for v in start]
        if len(values) != 1 or not _ISO_DATE.match(values[0]):
            report.add(_error("FDA-1734", f"TS must hold one SSTDTC whose TSVAL is an ISO 8601 date (got {values})",
                              file=str(ts), dataset="TS", variable="TSVAL", value=";".join(values),
                              expected="YYYY-MM-DD"))
    required = [(sdtm_dir, "dm.xpt"), (sdtm_dir, "define.xml")]
    if adam_dir is not None:
        required += [(adam_dir, "adsl.xpt"), (adam_dir, "define.xml")]
    for folder, name in required:
        if not (folder / name).is_file():
            report.add(_error("FDA-1736", f"{name} must be present in {folder.name}/ (got no such file)",
                              file=str(folder / name), expected=name))
    for folder in [sdtm_dir] + ([adam_dir] if adam_dir is not None else []):
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() == ".xpt" and (path.name != path.name.lower() or
                                                  not re.fullmatch(r"[a-z][a-z0-9]{0,7}\.xpt", path.name)):
                report.add(_error("PREFLIGHT-FILENAME", f"dataset file names must be lower-case '<dataset>.xpt' "
                                                        f"(got '{path.name}')", file=str(path),
                                  expected=path.name.lower()))
    for name, frame in sorted(frames.items()):
        if "STUDYID" not in frame.columns:
            continue
        others = sorted(set(frame["STUDYID"].astype(str)) - {studyid})
        if others:
            report.add(_error("PREFLIGHT-STUDYID", f"every dataset must carry the study's STUDYID '{studyid}' "
                                                   f"(got {others} in {name})", dataset=name, variable="STUDYID",
                              value=",".join(others), expected=studyid))
    return report
