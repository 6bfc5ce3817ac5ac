"""Date verbs: analysis dates from ISO 8601 --DTC with admiral's imputation rules, study days, durations.

Imputation (admiral ``derive_vars_dt``): ``highest_imputation`` is the highest component that may be
imputed — ``"n"`` none (a partial date gives no date), ``"D"`` the day, ``"M"`` month and day; ``"Y"`` is
not supported (a date with an unknown year is never imputed here). ``date_imputation`` chooses the day:
``"first"`` (1st of the month, January for the month), ``"mid"`` (admiral: the 15th when only the day is
missing, June 30th when month and day are) or ``"last"`` (last day of the month, December). The flag
variable ``<prefix>DTF`` is ``"D"`` when the day was imputed, ``"M"`` when month and day were, missing when
nothing was. ``min_dates``/``max_dates`` name date variables: an imputed date that falls before a min date
(after a max date) while that date lies inside the range the partial date allows is replaced by it (admiral:
an AE starting in the month of first dose is not imputed to before the dose); a datetime bound counts by its
day.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns, assert_one_of
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.errors import AdamError

__all__ = ["compute_dt", "compute_dtm", "derive_vars_dt", "derive_vars_dtm", "derive_vars_dy",
           "derive_vars_duration", "compute_day_count"]

_ISO = r"^(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?(?:T(?P<H>\d{2})(?::(?P<M>\d{2})(?::(?P<S>\d{2}))?)?)?"


def _parts(dtc: pd.Series) -> pd.DataFrame:
    return dtc.astype("string").str.extract(_ISO)


def _date_range(parts: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The earliest and latest calendar date each (possibly partial) ISO value allows; NaT without a year."""
    year = parts["y"]
    month_lo = parts["m"].fillna("01")
    month_hi = parts["m"].fillna("12")
    lo = pd.to_datetime(year + "-" + month_lo + "-" + parts["d"].fillna("01"), format="%Y-%m-%d", errors="coerce")
    first_of_hi = pd.to_datetime(year + "-" + month_hi + "-01", format="%Y-%m-%d", errors="coerce")
    hi_full = pd.to_datetime(year + "-" + month_hi + "-" + parts["d"].fillna("01"), format="%Y-%m-%d",
                             errors="coerce")
    hi = hi_full.where(parts["d"].notna(), first_of_hi + pd.offsets.MonthEnd(0))
    return lo.astype("datetime64[s]"), hi.astype("datetime64[s]")


def compute_dt(
    dtc: pd.Series,
    *,
    highest_imputation: str = "n",
    date_imputation: str = "first",
    min_dates: Sequence[pd.Series] = (),
    max_dates: Sequence[pd.Series] = (),
) -> tuple[pd.Series, pd.Series]:
    """(date, flag) for each ISO 8601 value of ``dtc``: the date (datetime64[s], NaT when it cannot be
    given under the imputation rules) and the imputation flag ("D", "M" or missing). Pure.

    Complete dates (the usual case) are parsed in one vectorised pass; only the partial values go through
    the component-by-component imputation."""
    assert_one_of(highest_imputation, ["n", "D", "M"], arg="highest_imputation")
    assert_one_of(date_imputation, ["first", "mid", "last"], arg="date_imputation")
    text = dtc.astype("string")
    date = pd.to_datetime(text.str.slice(0, 10), format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
    flag = pd.Series(pd.NA, index=dtc.index, dtype="string")
    partial = (date.isna() & text.notna()).to_numpy(bool)
    if partial.any():
        sub_date, sub_flag = _impute_partial(
            text[partial], highest_imputation=highest_imputation, date_imputation=date_imputation,
            min_dates=[b[partial] for b in min_dates], max_dates=[b[partial] for b in max_dates])
        date = date.where(~partial, sub_date.reindex(date.index))
        flag = flag.where(~partial, sub_flag.reindex(flag.index))
    return date.astype("datetime64[s]"), flag.astype("string")


def _impute_partial(dtc: pd.Series, *, highest_imputation: str, date_imputation: str,
                    min_dates: Sequence[pd.Series], max_dates: Sequence[pd.Series]) -> tuple[pd.Series, pd.Series]:
    """:func:`compute_dt` for values that are not complete dates."""
    parts = _parts(dtc)
    lo, hi = _date_range(parts)
    level = np.select([parts["d"].notna(), parts["m"].notna(), parts["y"].notna()], ["", "D", "M"], default="Y")
    allowed = {"n": [""], "D": ["", "D"], "M": ["", "D", "M"]}[highest_imputation]
    ok = np.isin(level, allowed)
    if date_imputation == "first":
        value = lo
    elif date_imputation == "last":
        value = hi
    else:
        year = parts["y"]
        mid = pd.to_datetime(year + "-" + parts["m"].fillna("06") + "-15", format="%Y-%m-%d", errors="coerce")
        value = lo.where(parts["d"].notna(), mid.astype("datetime64[s]"))
        value = value.where(parts["m"].notna() | parts["d"].notna(),
                            pd.to_datetime(year + "-06-30", format="%Y-%m-%d", errors="coerce").astype("datetime64[s]"))
    imputed = pd.Series(level != "", index=dtc.index)
    for bound in min_dates:
        bound = bound.astype("datetime64[s]").dt.normalize()  # a datetime bound (TRTSDTM) counts by its day
        use = imputed & (bound >= lo) & (bound <= hi) & (value < bound)
        value = value.where(~use.fillna(False), bound)
    for bound in max_dates:
        bound = bound.astype("datetime64[s]").dt.normalize()
        use = imputed & (bound >= lo) & (bound <= hi) & (value > bound)
        value = value.where(~use.fillna(False), bound)
    date = value.where(pd.Series(ok, index=dtc.index))
    flag = pd.Series(level, index=dtc.index).where(pd.Series(ok & (level != ""), index=dtc.index))
    return date.astype("datetime64[s]"), flag.astype("string")


def compute_dtm(dtc: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(datetime, time flag) for complete dates: a missing time is imputed to 00:00:00 ("H"), missing
    minutes to 00 ("M"); seconds never collected are set to 00 without a flag (admiral's
    ``ignore_seconds_flag``: a CRF that records hours and minutes has no seconds to impute). A partial
    date gives NaT (no date imputation for datetimes)."""
    parts = _parts(dtc)
    complete = parts["d"].notna()
    text = (parts["y"] + "-" + parts["m"] + "-" + parts["d"] + " " + parts["H"].fillna("00") + ":"
            + parts["M"].fillna("00") + ":" + parts["S"].fillna("00"))
    value = pd.to_datetime(text.where(complete), format="%Y-%m-%d %H:%M:%S", errors="coerce")
    flag = np.select([parts["H"].isna(), parts["M"].isna()], ["H", "M"], default="")
    flag = pd.Series(flag, index=dtc.index).where(complete & (flag != ""))
    return value.astype("datetime64[s]"), flag.astype("string")


@verb
def derive_vars_dt(
    dataset: pd.DataFrame,
    *,
    new_vars_prefix: str,
    dtc: str,
    highest_imputation: str = "n",
    date_imputation: str = "first",
    flag_imputation: str = "auto",
    min_dates: Sequence[str] = (),
    max_dates: Sequence[str] = (),
) -> pd.DataFrame:
    """Add ``<prefix>DT`` from ``dtc`` (e.g. ASTDT from AESTDTC) and, when ``flag_imputation`` is "auto" and
    imputation is allowed (or "date"), ``<prefix>DTF``. See the module docstring for the rules."""
    assert_columns(dataset, [dtc, *min_dates, *max_dates], arg="dataset")
    assert_one_of(flag_imputation, ["auto", "date", "none"], arg="flag_imputation")
    date, flag = compute_dt(dataset[dtc], highest_imputation=highest_imputation, date_imputation=date_imputation,
                            min_dates=[dataset[c] for c in min_dates], max_dates=[dataset[c] for c in max_dates])
    out = dataset.copy(deep=False)
    out[f"{new_vars_prefix}DT"] = date
    if flag_imputation == "date" or (flag_imputation == "auto" and highest_imputation != "n"):
        out[f"{new_vars_prefix}DTF"] = flag
    return out


@verb
def derive_vars_dtm(dataset: pd.DataFrame, *, new_vars_prefix: str, dtc: str, flag_imputation: str = "auto",
                    ) -> pd.DataFrame:
    """Add ``<prefix>DTM`` (and ``<prefix>TMF`` unless ``flag_imputation`` is "none") from ``dtc``; the
    date must be complete; a missing time part is imputed to its start (00)."""
    assert_columns(dataset, [dtc], arg="dataset")
    assert_one_of(flag_imputation, ["auto", "time", "none"], arg="flag_imputation")
    value, flag = compute_dtm(dataset[dtc])
    out = dataset.copy(deep=False)
    out[f"{new_vars_prefix}DTM"] = value
    if flag_imputation != "none":
        out[f"{new_vars_prefix}TMF"] = flag
    return out


def compute_day_count(date: pd.Series, reference: pd.Series) -> pd.Series:
    """Study day of ``date`` relative to ``reference`` (ADaMIG: no day 0; day 1 is the reference date).
    Times of day are ignored (admiral ``floor_in``): a datetime reference such as TRTSDTM counts by its day."""
    delta = _days_between(reference, date)
    return delta.where(delta < 0, delta + 1)


def _days_between(start: pd.Series, end: pd.Series) -> pd.Series:
    """Whole days from ``start`` to ``end`` (float64, NaN when either is missing), times of day ignored."""
    start = start.astype("datetime64[s]").dt.normalize()
    end = end.astype("datetime64[s]").dt.normalize()
    return (end - start).dt.days.astype("float64")


@verb
def derive_vars_dy(dataset: pd.DataFrame, *, reference_date: str,
                   source_vars: Sequence[str] | Mapping[str, str]) -> pd.DataFrame:
    """Add a study-day variable per date of ``source_vars`` relative to ``reference_date`` (ADY from ADT and
    TRTSDT: ADT − TRTSDT + 1 on or after the reference, ADT − TRTSDT before it). A list names the dates
    and the day variable is named by replacing the final DT (or DTM) with DY; a mapping gives {DY: date}."""
    mapping = (dict(source_vars) if isinstance(source_vars, Mapping)
               else {_dy_name(name): name for name in source_vars})
    assert_columns(dataset, [reference_date, *mapping.values()], arg="dataset")
    out = dataset.copy(deep=False)
    for new, source in mapping.items():
        out[new] = compute_day_count(dataset[source], dataset[reference_date])
    return out


def _dy_name(date_var: str) -> str:
    for suffix in ("DTM", "DT"):
        if date_var.endswith(suffix):
            return date_var[: -len(suffix)] + "DY"
    raise AdamError(f"'source_vars' must name date variables ending in DT or DTM (got {date_var!r}); "
                    f"give a mapping {{NEWVAR: {date_var}}} instead")


@verb
def derive_vars_duration(
    dataset: pd.DataFrame,
    *,
    new_var: str,
    start_date: str,
    end_date: str,
    new_var_unit: str | None = None,
    out_unit: str = "DAYS",
    add_one: bool = True,
) -> pd.DataFrame:
    """``new_var`` = ``end_date`` − ``start_date`` in days (+ 1 when ``add_one``, admiral's default for
    durations such as TRTDURD and ADURN; a negative gap gets no +1; times of day are ignored, as admiral's
    ``floor_in``); ``new_var_unit`` holds "DAYS"."""
    assert_columns(dataset, [start_date, end_date], arg="dataset")
    assert_one_of(out_unit, ["DAYS"], arg="out_unit")
    days = _days_between(dataset[start_date], dataset[end_date])
    if add_one:
        days = days.where(days < 0, days + 1)
    out = dataset.copy(deep=False)
    out[new_var] = days
    if new_var_unit:
        out[new_var_unit] = pd.Series(out_unit, index=out.index, dtype="string").where(days.notna())
    return out
