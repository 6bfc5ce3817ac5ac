"""BDS verbs: analysis windows, record flags (ABLFL, ANL01FL), BASE, CHG, PCHG, reference-range indicators.

All are vectorised over the dataset: windows by ``numpy.searchsorted`` over sorted, non-overlapping
windows; flags by a stable sort and ``drop_duplicates``; baselines by a keyed merge.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns, assert_one_of, assert_unique_keys
from cdisc_pipe.adam.expressions import filter_mask
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.adam.verbs_merge import lookup, pick_records
from cdisc_pipe.errors import AdamError

__all__ = ["derive_vars_visit_window", "derive_var_extreme_flag", "derive_var_base", "derive_var_chg",
           "derive_var_pchg", "derive_var_anrind"]


@verb
def derive_vars_visit_window(
    dataset: pd.DataFrame,
    *,
    windows: pd.DataFrame,
    day_var: str = "ADY",
    filter: str | None = None,
) -> pd.DataFrame:
    """Add AVISIT, AVISITN and the window variables AWTARGET, AWLO, AWHI, AWTDIFF (|day − target|, one less
    when day and target have opposite signs, since there is no day 0: ADaMIG 1.3 AWTDIFF) from a
    table of analysis windows (columns AVISIT, AVISITN, AWTARGET, AWLO, AWHI; inclusive bounds in study
    days). Windows must not overlap. A record outside every window (or failing ``filter``) gets none."""
    assert_columns(dataset, [day_var], arg="dataset")
    assert_columns(windows, ["AVISIT", "AVISITN", "AWTARGET", "AWLO", "AWHI"], arg="windows")
    table = windows.sort_values("AWLO", kind="stable").reset_index(drop=True)
    lo = table["AWLO"].to_numpy(float)
    hi = table["AWHI"].to_numpy(float)
    if (lo > hi).any() or (lo[1:] <= hi[:-1]).any():
        raise AdamError(f"'windows' must not overlap and each AWLO must be <= AWHI (got {table.to_dict('records')})")
    day = dataset[day_var].to_numpy(dtype=float, na_value=np.nan)
    position = np.searchsorted(lo, day, side="right") - 1
    inside = (position >= 0) & ~np.isnan(day)
    inside &= hi[np.clip(position, 0, None)] >= day
    inside &= filter_mask(dataset, filter).to_numpy()
    chosen = table.reindex(np.where(inside, position, -1))
    chosen.index = dataset.index
    out = dataset.copy(deep=False)
    out["AVISIT"] = chosen["AVISIT"].astype("string")
    out["AVISITN"] = chosen["AVISITN"].astype("float64")
    out["AWTARGET"] = chosen["AWTARGET"].astype("float64")
    out["AWLO"] = chosen["AWLO"].astype("float64")
    out["AWHI"] = chosen["AWHI"].astype("float64")
    day_value = out[day_var].astype("float64")
    no_day_zero = ((day_value < 0) & (out["AWTARGET"] > 0)) | ((day_value > 0) & (out["AWTARGET"] < 0))
    out["AWTDIFF"] = (day_value - out["AWTARGET"]).abs() - no_day_zero.astype("float64")
    return out


@verb
def derive_var_extreme_flag(
    dataset: pd.DataFrame,
    *,
    by_vars: Sequence[str],
    order: Sequence[str],
    new_var: str,
    mode: str,
    filter: str | None = None,
    true_value: str = "Y",
) -> pd.DataFrame:
    """Flag (``new_var`` = ``true_value``) the first or last record (``mode``) per ``by_vars`` in ``order``
    among the records meeting ``filter``; other records stay missing. Ties keep input order (stable sort).
    ABLFL: last record on or before TRTSDT with a value; ANL01FL: the record nearest the window target."""
    by_vars = list(by_vars)
    assert_columns(dataset, by_vars + [o.partition(" ")[0] for o in order], arg="dataset")
    assert_one_of(mode, ["first", "last"], arg="mode")
    candidates = dataset.loc[filter_mask(dataset, filter)]
    picked = pick_records(candidates, by_vars, order, mode)
    out = dataset.copy(deep=False)
    flag = pd.Series(pd.NA, index=dataset.index, dtype="string")
    flag.loc[picked] = true_value
    out[new_var] = flag
    return out


@verb
def derive_var_base(
    dataset: pd.DataFrame,
    *,
    by_vars: Sequence[str],
    source_var: str = "AVAL",
    new_var: str = "BASE",
    filter: str = "ABLFL == 'Y'",
) -> pd.DataFrame:
    """``new_var`` = ``source_var`` of the baseline record (the one meeting ``filter``, at most one per
    ``by_vars``) on every record of the same ``by_vars``. BASE from AVAL, BASEC from AVALC, BNRIND from ANRIND."""
    by_vars = list(by_vars)
    assert_columns(dataset, by_vars + [source_var], arg="dataset")
    baseline = dataset.loc[filter_mask(dataset, filter), by_vars + [source_var]]
    assert_unique_keys(baseline, by_vars, arg="dataset (baseline records)")
    out = dataset.copy(deep=False)
    out[new_var] = lookup(dataset, baseline, by_vars)[source_var]
    return out


@verb
def derive_var_chg(dataset: pd.DataFrame) -> pd.DataFrame:
    """CHG = AVAL − BASE (missing when either is missing). Post-baseline records only would be a filter
    on the analysis, not here: the baseline record gets CHG = 0 as ADaMIG allows; see docs/adam."""
    assert_columns(dataset, ["AVAL", "BASE"], arg="dataset")
    out = dataset.copy(deep=False)
    out["CHG"] = dataset["AVAL"].astype("float64") - dataset["BASE"].astype("float64")
    return out


@verb
def derive_var_pchg(dataset: pd.DataFrame) -> pd.DataFrame:
    """PCHG = (AVAL − BASE) / |BASE| × 100 (admiral divides by the absolute baseline, so a rise from a
    negative baseline is a positive change); missing when BASE is 0 or missing (no division by zero)."""
    assert_columns(dataset, ["AVAL", "BASE"], arg="dataset")
    base = dataset["BASE"].astype("float64")
    out = dataset.copy(deep=False)
    out["PCHG"] = ((dataset["AVAL"].astype("float64") - base) / base.where(base != 0).abs()) * 100
    return out


@verb
def derive_var_anrind(dataset: pd.DataFrame, *, new_var: str = "ANRIND", source_var: str = "AVAL",
                      low_var: str = "ANRLO", high_var: str = "ANRHI") -> pd.DataFrame:
    """ANRIND (admiral): "LOW" below ANRLO, "HIGH" above ANRHI, "NORMAL" within (bounds inclusive), also
    "NORMAL" at or above ANRLO when ANRHI is missing and at or below ANRHI when ANRLO is missing (a one-sided
    range); missing when the value is missing or both limits are."""
    assert_columns(dataset, [source_var, low_var, high_var], arg="dataset")
    value = dataset[source_var].astype("float64")
    low = dataset[low_var].astype("float64")
    high = dataset[high_var].astype("float64")
    below = (value < low).fillna(False).to_numpy(bool)
    above = (value > high).fillna(False).to_numpy(bool)
    normal = (((value >= low) & ((value <= high) | high.isna())) | ((value <= high) & low.isna()))
    normal = normal.fillna(False).to_numpy(bool)
    indicator = np.select([below, above, normal], ["LOW", "HIGH", "NORMAL"], default="")
    out = dataset.copy(deep=False)
    out[new_var] = pd.Series(indicator, index=dataset.index, dtype="string").replace("", pd.NA)
    return out
