"""The LB-like frame of cases 1 and 2: laboratory results of simulated subjects, 20 columns, N rows.

The simulator writes the lab forms wide (one column per test, as a CRF is laid out); this melts them to one
row per test per sample, the shape of SDTM LB, with the test attributes of the default study's LB spec
(``specs/hucmsc-dlc/sdtm/lb.yaml``). Enough subjects are simulated to give at least N rows (about 137 rows
per subject); the frame is the first N rows in subject order, so no row is repeated.

10 Char columns of the widths an LB domain has (STUDYID, USUBJID, LBTESTCD, LBTEST, LBCAT, LBORRES,
LBORRESU, LBNRIND, VISIT, LBDTC), Arrow-backed strings, missing as NA; 10 Num columns (LBSEQ, LBSTRESN,
LBSTNRLO, LBSTNRHI, VISITNUM, VISITDY, LBDY, BASE, CHG, PCHG), float64 with NaN. The metadata declares each
Char length as the longest value, which is what pyreadstat chooses, so both writers write the same layout.
"""

from __future__ import annotations

import math
from datetime import datetime

import numpy as np
import pandas as pd
import yaml

from cdisc_pipe import DatasetMetadata, VariableMetadata
from cdisc_pipe.paths import default_study_dir
from cdisc_pipe.simulate import simulate
from cdisc_pipe.spec import load_spec

__all__ = ["build_lb_frame", "lb_metadata", "CHAR", "NUM", "LABELS"]

LABELS = {
    "STUDYID": "Study Identifier", "USUBJID": "Unique Subject Identifier",
    "LBSEQ": "Sequence Number", "LBTESTCD": "Lab Test or Examination Short Name",
    "LBTEST": "Lab Test or Examination Name", "LBCAT": "Category for Lab Test",
    "LBORRES": "Result or Finding in Original Units", "LBORRESU": "Original Units",
    "LBSTRESN": "Numeric Result/Finding in Standard Units", "LBSTNRLO": "Reference Range Lower Limit-Std Units",
    "LBSTNRHI": "Reference Range Upper Limit-Std Units", "LBNRIND": "Reference Range Indicator",
    "VISITNUM": "Visit Number", "VISIT": "Visit Name", "VISITDY": "Planned Study Day of Visit",
    "LBDTC": "Date/Time of Specimen Collection", "LBDY": "Study Day of Specimen Collection",
    "BASE": "Baseline Value", "CHG": "Change from Baseline", "PCHG": "Percent Change from Baseline",
}
CHAR = ("STUDYID", "USUBJID", "LBTESTCD", "LBTEST", "LBCAT", "LBORRES", "LBORRESU", "LBNRIND", "VISIT", "LBDTC")
NUM = ("LBSEQ", "LBSTRESN", "LBSTNRLO", "LBSTNRHI", "VISITNUM", "VISITDY", "LBDY", "BASE", "CHG", "PCHG")
_ORDER = ("STUDYID", "USUBJID", "LBSEQ", "LBTESTCD", "LBTEST", "LBCAT", "LBORRES", "LBORRESU", "LBSTRESN",
          "LBSTNRLO", "LBSTNRHI", "LBNRIND", "VISITNUM", "VISIT", "VISITDY", "LBDTC", "LBDY", "BASE", "CHG", "PCHG")
_ROWS_PER_SUBJECT = 125  # a little under the ~137 measured, so one simulation is nearly always enough
_STAMP = datetime(2024, 1, 1)


def _str_dtype() -> pd.StringDtype:
    return pd.StringDtype("pyarrow", na_value=np.nan)


def build_lb_frame(rows: int, *, seed: int | None = None) -> pd.DataFrame:
    """``rows`` rows of LB-like data from the simulator (see module doc); deterministic for a given seed."""
    if rows < 1:
        raise ValueError(f"`rows` must be a positive whole number (got {rows})")
    study = load_spec(default_study_dir())
    tests = yaml.safe_load((study.root / "sdtm" / "lb.yaml").read_text())["source"]["tests"]
    subjects = max(10, math.ceil(rows / _ROWS_PER_SUBJECT))
    while True:
        frame = _melt(simulate(study, subjects=subjects, seed=seed), tests, study.studyid)
        if len(frame) >= rows:
            break
        subjects = math.ceil(subjects * rows / max(len(frame), 1) * 1.05)
    return _derive(frame.iloc[:rows].reset_index(drop=True))


def lb_metadata(frame: pd.DataFrame) -> DatasetMetadata:
    """The dataset metadata of ``frame``: Char lengths are the longest value (at least 1), Num length 8."""
    variables = []
    for name in frame.columns:
        if name in CHAR:
            longest = frame[name].str.len().max()
            length = max(1, 0 if pd.isna(longest) else int(longest))
            variables.append(VariableMetadata(name, LABELS[name], "Char", length))
        else:
            variables.append(VariableMetadata(name, LABELS[name], "Num", 8))
    return DatasetMetadata("LB", "Laboratory Test Results", tuple(variables), created=_STAMP, modified=_STAMP)


def _melt(forms: dict[str, pd.DataFrame], tests: list[dict], studyid: str) -> pd.DataFrame:
    parts = []
    for order, test in enumerate(tests):
        form = forms.get(test["form"])
        if form is None or test["field"] not in form.columns:
            continue
        parts.append(pd.DataFrame({
            "SUBJECT": form["SUBJECT"].to_numpy(),
            "FOLDER": form["FOLDER"].to_numpy(),
            "LBDAT": form["LBDAT"].to_numpy(),
            "LBORRES": form[test["field"]].to_numpy(),
            "TEST_ORDER": order,
        }))
    melted = pd.concat(parts, ignore_index=True)
    melted = melted.sort_values(["SUBJECT", "TEST_ORDER"], kind="stable", ignore_index=True)
    attributes = pd.DataFrame(tests)
    codes = melted["TEST_ORDER"].to_numpy()

    def attribute(key: str) -> np.ndarray:
        return attributes[key].to_numpy(dtype=object)[codes]

    out = pd.DataFrame({
        "STUDYID": studyid,
        "USUBJID": studyid + "-" + melted["SUBJECT"].astype(str),
        "LBTESTCD": attribute("TESTCD"),
        "LBTEST": attribute("TEST"),
        "LBCAT": attribute("CAT"),
        "LBORRES": melted["LBORRES"],
        "LBORRESU": attribute("ORRESU"),
        "LBSTNRLO": attribute("STNRLO").astype("float64"),
        "LBSTNRHI": attribute("STNRHI").astype("float64"),
        "VISIT": melted["FOLDER"].map({f: _visit_name(f) for f in melted["FOLDER"].dropna().unique()}),
        "LBDAT": pd.to_datetime(melted["LBDAT"], format="%d %b %Y", errors="coerce"),
    })
    for name in CHAR:
        if name in out.columns:
            out[name] = out[name].astype(_str_dtype())
    return out


def _visit_name(folder: str) -> str:
    """The CRF folder as an SDTM VISIT: SCRN -> SCREENING, D029 -> DAY 29."""
    if folder == "SCRN":
        return "SCREENING"
    if isinstance(folder, str) and folder[:1] == "D" and folder[1:].isdigit():
        return f"DAY {int(folder[1:])}"
    return folder


def _derive(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the derived columns with whole-column operations, and put the 20 columns in LB order."""
    out = frame.copy()
    by_subject = out.groupby("USUBJID", sort=False)
    result = pd.to_numeric(out["LBORRES"], errors="coerce").astype("float64")
    first = by_subject["LBDAT"].transform("min")
    out["LBSEQ"] = (by_subject.cumcount() + 1).astype("float64")
    out["LBSTRESN"] = result
    day = (out["LBDAT"] - first).dt.days.astype("float64")
    out["LBDY"] = np.where(day >= 0, day + 1, day)
    visits = sorted(out["VISIT"].dropna().unique(), key=lambda v: (v != "SCREENING", len(v), v))
    out["VISITNUM"] = out["VISIT"].map({v: float(i + 1) for i, v in enumerate(visits)}).astype("float64")
    out["VISITDY"] = out.groupby("VISIT", sort=False)["LBDY"].transform("median").round()
    base = out.assign(R=result).groupby(["USUBJID", "LBTESTCD"], sort=False)["R"].transform("first")
    out["BASE"] = base
    out["CHG"] = result - base
    with np.errstate(divide="ignore", invalid="ignore"):
        pchg = (result - base) / base.abs() * 100
    out["PCHG"] = pchg.where(np.isfinite(pchg))
    indicator = np.select([result < out["LBSTNRLO"], result > out["LBSTNRHI"], result.notna()],
                          ["LOW", "HIGH", "NORMAL"], default="")
    out["LBNRIND"] = pd.Series(indicator, index=out.index).replace("", np.nan).astype(_str_dtype())
    out["LBDTC"] = out["LBDAT"].dt.strftime("%Y-%m-%d").astype(_str_dtype())
    return out.loc[:, list(_ORDER)]
