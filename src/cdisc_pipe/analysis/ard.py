"""Analysis results data (ARD): every number the report shows, one row per statistic.

Like CDISC's Analysis Results Standard: each row names the analysis, the dataset and parameter it comes
from, the group and visit, the statistic and its value. The HTML report, the figures and the reproduction
table are rendered from these rows only.

Columns (in this order):

``ANALYSIS``   stable id of the analysis (e.g. ``SURV-KM``, ``AE-TOTAL``, ``CONT-WILCOXON``)
``DATASET``    the ADaM dataset read (ADSL, ADTTE, ADAE, ADLB, ...)
``PARAMCD``    the parameter (ADaM PARAMCD, AE term, symptom...), "" when not applicable
``PARAM``      its label
``GROUP``      the treatment group (TRT01A/TRTA), or "ALL"/"" for an across-group statistic
``GROUPN``     its order (TRT01AN), NaN when not applicable
``AVISIT``     the visit or time point ("DAY 29", "6 MONTHS"), "" when not applicable
``AVISITN``    its order, NaN when not applicable
``STATISTIC``  the statistic's name (N, MEAN, SD, MEDIAN, Q1, Q3, P, CHISQ, DF, F, SURV, LCL, UCL, ...)
``VALUE``      the number (float; NaN when not computable, with NOTE saying why)
``VALUEC``     a text value where the statistic is text (a shift category, a test's name), else ""
``METHOD``     the method and its options (e.g. "Wilcoxon signed-rank, exact (R wilcox.test)")
``NOTE``       why a value is missing, or what a reader must know
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = ["ARD_COLUMNS", "ard_rows", "concat_ard", "write_ard"]

ARD_COLUMNS = ["ANALYSIS", "DATASET", "PARAMCD", "PARAM", "GROUP", "GROUPN", "AVISIT", "AVISITN", "STATISTIC",
               "VALUE", "VALUEC", "METHOD", "NOTE"]
_TEXT = [c for c in ARD_COLUMNS if c not in ("GROUPN", "AVISITN", "VALUE")]


def ard_rows(frame: pd.DataFrame | Iterable[Mapping[str, Any]], **constants: Any) -> pd.DataFrame:
    """Rows in ARD shape: ``frame`` (or records) with any of the ARD columns, plus ``constants`` for every
    row (e.g. ``ANALYSIS="AE-TOTAL", DATASET="ADAE"``); absent text columns are "", absent numbers NaN."""
    out = pd.DataFrame(frame).copy() if not isinstance(frame, pd.DataFrame) else frame.copy()
    for name, value in constants.items():
        out[name] = value
    unknown = sorted(set(out.columns) - set(ARD_COLUMNS))
    if unknown:
        raise ValueError(f"ARD rows must only have the columns {ARD_COLUMNS} (got also {unknown})")
    for name in ARD_COLUMNS:
        if name not in out.columns:
            out[name] = np.nan if name in ("GROUPN", "AVISITN", "VALUE") else ""
    out = out[ARD_COLUMNS]
    out[_TEXT] = out[_TEXT].fillna("").astype(str)
    for name in ("GROUPN", "AVISITN", "VALUE"):
        out[name] = pd.to_numeric(out[name], errors="raise").astype("float64")
    return out.reset_index(drop=True)


def concat_ard(parts: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """All parts in one ARD, in a stable order (analysis, dataset, parameter, group, visit, statistic)."""
    frames = [p for p in parts if len(p)]
    if not frames:
        return ard_rows([])
    out = pd.concat(frames, ignore_index=True)
    return out.sort_values(["ANALYSIS", "DATASET", "PARAMCD", "GROUPN", "GROUP", "AVISITN", "AVISIT", "STATISTIC"],
                           kind="stable", na_position="first").reset_index(drop=True)


def write_ard(ard: pd.DataFrame, csv_path, json_path) -> None:
    """The ARD as CSV (shortest round-trip float text) and as JSON records; same bytes on every run."""
    ard.to_csv(csv_path, index=False, lineterminator="\n", float_format=None)
    records = ard.replace({np.nan: None}).to_dict("records")
    import json

    with open(json_path, "w", encoding="utf-8") as handle:
        json.dump(records, handle, indent=1, allow_nan=False)
        handle.write("\n")
