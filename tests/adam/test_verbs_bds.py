"""BDS verbs on small literal frames with hand-written expected values: analysis windows, record flags,
BASE / CHG / PCHG and the reference-range indicator (admiral semantics)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_series_equal

from cdisc_pipe.adam.verbs_bds import (
    derive_var_anrind,
    derive_var_base,
    derive_var_chg,
    derive_var_extreme_flag,
    derive_var_pchg,
    derive_vars_visit_window,
)
from cdisc_pipe.errors import AdamError

NA = pd.NA
WINDOWS = pd.DataFrame([
    {"AVISIT": "BASELINE", "AVISITN": 0, "AWTARGET": 1, "AWLO": -30, "AWHI": 1},
    {"AVISIT": "DAY 29", "AVISITN": 29, "AWTARGET": 29, "AWLO": 22, "AWHI": 43},
    {"AVISIT": "DAY 57", "AVISITN": 57, "AWTARGET": 57, "AWLO": 44, "AWHI": 71},
])


def _values(series: pd.Series) -> list:
    return [None if pd.isna(v) else v for v in series]


def _dates(values) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype="object"), format="%Y-%m-%d").astype("datetime64[s]")


# --- derive_vars_visit_window -----------------------------------------------------------------------------


def test_window_bounds_are_inclusive_and_days_outside_every_window_get_no_visit():
    days = pd.DataFrame({"ADY": [-31, -30, 1, 2, 21, 22, 43, 44, 71, 72, np.nan]})
    out = derive_vars_visit_window(days, windows=WINDOWS)
    assert _values(out["AVISIT"]) == [None, "BASELINE", "BASELINE", None, None, "DAY 29", "DAY 29", "DAY 57",
                                      "DAY 57", None, None]
    assert _values(out["AVISITN"]) == [None, 0, 0, None, None, 29, 29, 57, 57, None, None]
    assert _values(out["AWTARGET"]) == [None, 1, 1, None, None, 29, 29, 57, 57, None, None]
    assert _values(out["AWLO"]) == [None, -30, -30, None, None, 22, 22, 44, 44, None, None]
    assert _values(out["AWHI"]) == [None, 1, 1, None, None, 43, 43, 71, 71, None, None]
    # No day 0: from day -30 to the target day 1 is 30 days, not 31.
    assert _values(out["AWTDIFF"]) == [None, 30, 0, None, None, 7, 14, 13, 14, None, None]
    assert out["AVISIT"].dtype == "string" and out["AVISITN"].dtype == "float64"


def test_awtdiff_counts_no_day_zero_between_a_negative_and_a_positive_day():
    windows = pd.DataFrame([{"AVISIT": "PRE", "AVISITN": -7, "AWTARGET": -7, "AWLO": -14, "AWHI": 3}])
    out = derive_vars_visit_window(pd.DataFrame({"ADY": [-14.0, -7.0, -1.0, 1.0, 3.0]}), windows=windows)
    assert out["AWTDIFF"].tolist() == [7.0, 0.0, 6.0, 7.0, 9.0]


def test_window_table_order_does_not_matter_and_filter_excludes_records():
    days = pd.DataFrame({"ADY": [1.0, 29.0, 30.0], "AVAL": [1.0, np.nan, 2.0]}, index=[3, 1, 2])
    out = derive_vars_visit_window(days, windows=WINDOWS.iloc[::-1], filter="AVAL.notna()")
    assert _values(out["AVISIT"]) == ["BASELINE", None, "DAY 29"]
    assert list(out.index) == [3, 1, 2]


def test_overlapping_windows_are_an_error():
    overlapping = pd.concat([WINDOWS, pd.DataFrame([{"AVISIT": "DAY 43", "AVISITN": 43, "AWTARGET": 43,
                                                     "AWLO": 43, "AWHI": 50}])])
    with pytest.raises(AdamError, match=r"^'windows' must not overlap and each AWLO must be <= AWHI"):
        derive_vars_visit_window(pd.DataFrame({"ADY": [1]}), windows=overlapping)
    backwards = pd.DataFrame([{"AVISIT": "X", "AVISITN": 1, "AWTARGET": 5, "AWLO": 9, "AWHI": 2}])
    with pytest.raises(AdamError, match="must not overlap"):
        derive_vars_visit_window(pd.DataFrame({"ADY": [1]}), windows=backwards)


def test_a_window_table_without_a_column_is_named():
    with pytest.raises(AdamError, match=r"^'windows' must contain the variables \['AWTARGET'\]"):
        derive_vars_visit_window(pd.DataFrame({"ADY": [1]}), windows=WINDOWS.drop(columns="AWTARGET"))


# --- derive_var_extreme_flag ------------------------------------------------------------------------------

LB = pd.DataFrame({
    "USUBJID": ["1", "1", "1", "1", "2", "2", "2"],
    "PARAMCD": ["ALT"] * 7,
    "ADT": _dates(["2019-03-01", "2019-03-04", "2019-03-04", "2019-04-02", "2019-03-02", "2019-03-03",
                   "2019-03-20"]),
    "TRTSDT": _dates(["2019-03-05"] * 4 + ["2019-03-03"] * 3),
    "AVAL": [30.0, 31.0, 32.0, 40.0, 20.0, np.nan, 25.0],
    "SRCSEQ": [1, 2, 3, 4, 1, 2, 3],
})


def test_last_flag_with_filter_and_stable_ties():
    out = derive_var_extreme_flag(LB, by_vars=["USUBJID", "PARAMCD"], order=["ADT"], new_var="ABLFL",
                                  mode="last", filter="AVAL.notna() and ADT <= TRTSDT")
    # Subject 1: two records on 03-04 tie on ADT; the later one in input order (SRCSEQ 3) is the last.
    # Subject 2: the 03-03 record has no value, so the 03-02 record is the baseline.
    assert _values(out["ABLFL"]) == [None, None, "Y", None, "Y", None, None]
    assert out["ABLFL"].dtype == "string"


def test_first_flag_keeps_the_first_of_tied_records():
    out = derive_var_extreme_flag(LB, by_vars=["USUBJID"], order=["ADT"], new_var="FIRSTFL", mode="first",
                                  filter="ADT >= '2019-03-04'")
    assert _values(out["FIRSTFL"]) == [None, "Y", None, None, None, None, "Y"]


def test_desc_order_and_true_value():
    out = derive_var_extreme_flag(LB, by_vars=["USUBJID"], order=["AVAL desc", "SRCSEQ"], new_var="MAXFL",
                                  mode="first", true_value="1")
    # Missing AVAL sorts last in either direction.
    assert _values(out["MAXFL"]) == [None, None, None, "1", None, None, "1"]


def test_extreme_flag_names_missing_order_variables_and_bad_mode():
    with pytest.raises(AdamError, match=r"^'dataset' must contain the variables \['AWTDIFF'\]"):
        derive_var_extreme_flag(LB, by_vars=["USUBJID"], order=["AWTDIFF"], new_var="ANL01FL", mode="first")
    with pytest.raises(AdamError, match=r"'mode' must be one of \['first', 'last'\] \(got 'max'\)"):
        derive_var_extreme_flag(LB, by_vars=["USUBJID"], order=["ADT"], new_var="F", mode="max")


# --- derive_var_base / chg / pchg ---------------------------------------------------------------------------

BDS = pd.DataFrame({
    "USUBJID": ["1", "1", "1", "2", "2", "3", "3"],
    "PARAMCD": ["ALT", "ALT", "ALT", "ALT", "ALT", "ALT", "ALT"],
    "AVAL": [30.0, 45.0, np.nan, 0.0, 5.0, 10.0, 12.0],
    "ABLFL": ["Y", NA, NA, "Y", NA, NA, NA],
    "ANRIND": ["NORMAL", "HIGH", NA, "LOW", "NORMAL", "NORMAL", "NORMAL"],
}).astype({"ABLFL": "string", "ANRIND": "string"})


def test_base_is_the_baseline_value_on_every_record_of_the_subject_and_parameter():
    out = derive_var_base(BDS, by_vars=["USUBJID", "PARAMCD"])
    assert _values(out["BASE"]) == [30, 30, 30, 0, 0, None, None]
    out = derive_var_base(out, by_vars=["USUBJID", "PARAMCD"], source_var="ANRIND", new_var="BNRIND")
    assert _values(out["BNRIND"]) == ["NORMAL", "NORMAL", "NORMAL", "LOW", "LOW", None, None]


def test_base_with_two_baseline_records_is_an_error():
    two = BDS.assign(ABLFL=pd.Series(["Y", "Y", NA, NA, NA, NA, NA], dtype="string"))
    with pytest.raises(AdamError, match=r"^'dataset \(baseline records\)' must have at most one record per "
                                        r"\['USUBJID', 'PARAMCD'\]"):
        derive_var_base(two, by_vars=["USUBJID", "PARAMCD"])


def test_chg_and_pchg():
    out = derive_var_pchg(derive_var_chg(derive_var_base(BDS, by_vars=["USUBJID", "PARAMCD"])))
    assert _values(out["CHG"]) == [0, 15, None, 0, 5, None, None]
    # BASE 0 gives no percent change (no division by zero).
    assert _values(out["PCHG"]) == [0, 50, None, None, None, None, None]


def test_pchg_divides_by_the_absolute_baseline():
    out = derive_var_pchg(pd.DataFrame({"AVAL": [-1.0, -3.0], "BASE": [-2.0, -2.0]}))
    assert out["PCHG"].tolist() == [50.0, -50.0]


def test_chg_needs_aval_and_base():
    with pytest.raises(AdamError, match=r"^'dataset' must contain the variables \['BASE'\]"):
        derive_var_chg(BDS)


# --- derive_var_anrind ---------------------------------------------------------------------------------------


def test_anrind_low_normal_high_with_inclusive_and_one_sided_ranges():
    frame = pd.DataFrame({
        "AVAL":  [1.0, 2.0, 3.0, 4.0, 5.0, 9.0, 1.0, 6.0, np.nan, 3.0],
        "ANRLO": [2.0, 2.0, 2.0, 2.0, 5.0, 5.0, np.nan, np.nan, 2.0, np.nan],
        "ANRHI": [4.0, 4.0, 4.0, 4.0, np.nan, np.nan, 5.0, 5.0, 4.0, np.nan],
    })
    out = derive_var_anrind(frame)
    assert_series_equal(out["ANRIND"], pd.Series(
        ["LOW", "NORMAL", "NORMAL", "NORMAL", "NORMAL", "NORMAL", "NORMAL", "HIGH", NA, NA],
        dtype="string", name="ANRIND"))


def test_anrind_of_other_variables():
    frame = pd.DataFrame({"CHG": [1.0], "LO": [2.0], "HI": [3.0]})
    out = derive_var_anrind(frame, new_var="CIND", source_var="CHG", low_var="LO", high_var="HI")
    assert out["CIND"].tolist() == ["LOW"]
