"""Date verbs on literal values with hand-written expected dates (admiral's imputation rules, ADaMIG study
days without day 0, durations with add_one)."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_series_equal

from cdisc_pipe.adam.verbs_dates import (
    compute_day_count,
    compute_dt,
    compute_dtm,
    derive_vars_dt,
    derive_vars_dtm,
    derive_vars_duration,
    derive_vars_dy,
)
from cdisc_pipe.errors import AdamError

NA = pd.NA
DTC = pd.Series(["2019-03-05", "2019-03", "2019", "2019-03-05T09:15", None, "2020-02", "2019-02-30"])


def _dates(values, index=None) -> pd.Series:
    """datetime64[s] from 'YYYY-MM-DD[ hh:mm[:ss]]' strings (None = NaT)."""
    parsed = pd.to_datetime(pd.Series(values, dtype="object", index=index), format="ISO8601")
    return parsed.astype("datetime64[s]")


def _flags(values) -> pd.Series:
    return pd.Series(values, dtype="string")


# --- compute_dt: complete and partial dates ----------------------------------------------------------


def test_no_imputation_gives_complete_dates_only_and_no_flag():
    date, flag = compute_dt(DTC)
    assert_series_equal(date, _dates(["2019-03-05", None, None, "2019-03-05", None, None, None]))
    assert_series_equal(flag, _flags([NA] * 7))


@pytest.mark.parametrize(("imputation", "expected"), [
    ("first", ["2019-03-05", "2019-03-01", None, "2019-03-05", None, "2020-02-01", None]),
    ("mid", ["2019-03-05", "2019-03-15", None, "2019-03-05", None, "2020-02-15", None]),
    ("last", ["2019-03-05", "2019-03-31", None, "2019-03-05", None, "2020-02-29", None]),
])
def test_day_imputation_fills_a_missing_day_but_not_a_missing_month(imputation, expected):
    date, flag = compute_dt(DTC, highest_imputation="D", date_imputation=imputation)
    assert_series_equal(date, _dates(expected))
    assert_series_equal(flag, _flags([NA, "D", NA, NA, NA, "D", NA]))


@pytest.mark.parametrize(("imputation", "expected"), [
    ("first", ["2019-03-05", "2019-03-01", "2019-01-01", "2019-03-05", None, "2020-02-01", None]),
    # admiral's "mid": the 15th when only the day is missing, June 30th when month and day are.
    ("mid", ["2019-03-05", "2019-03-15", "2019-06-30", "2019-03-05", None, "2020-02-15", None]),
    ("last", ["2019-03-05", "2019-03-31", "2019-12-31", "2019-03-05", None, "2020-02-29", None]),
])
def test_month_imputation_also_fills_a_missing_month(imputation, expected):
    date, flag = compute_dt(DTC, highest_imputation="M", date_imputation=imputation)
    assert_series_equal(date, _dates(expected))
    assert_series_equal(flag, _flags([NA, "D", "M", NA, NA, "D", NA]))


def test_min_dates_keep_an_imputed_date_from_falling_before_a_date_the_partial_date_allows():
    dtc = pd.Series(["2019-03", "2019-03", "2019", "2019-03", "2019-03-02"])
    first_dose = _dates(["2019-03-05", "2019-04-05", "2019-07-01", None, "2019-03-05"])
    date, flag = compute_dt(dtc, highest_imputation="M", min_dates=[first_dose])
    # row 1: March allows 03-05 -> 03-05; row 2: 04-05 lies outside March -> 03-01; row 3: year allows 07-01;
    # row 4: no bound -> 03-01; row 5: a complete date is never changed.
    assert_series_equal(date, _dates(["2019-03-05", "2019-03-01", "2019-07-01", "2019-03-01", "2019-03-02"]))
    assert_series_equal(flag, _flags(["D", "D", "M", "D", NA]))


def test_a_datetime_min_date_counts_by_its_day():
    date, _ = compute_dt(pd.Series(["2019-03"]), highest_imputation="D",
                         min_dates=[_dates(["2019-03-05 09:15"])])
    assert_series_equal(date, _dates(["2019-03-05"]))


def test_max_dates_keep_an_imputed_date_from_falling_after_a_date_the_partial_date_allows():
    dtc = pd.Series(["2019-03", "2019"])
    cutoff = _dates(["2019-03-20", "2018-12-01"])
    date, flag = compute_dt(dtc, highest_imputation="M", date_imputation="last", max_dates=[cutoff])
    assert_series_equal(date, _dates(["2019-03-20", "2019-12-31"]))
    assert_series_equal(flag, _flags(["D", "M"]))


def test_bad_imputation_arguments_are_named():
    with pytest.raises(AdamError, match=r"'highest_imputation' must be one of \['n', 'D', 'M'\] \(got 'Y'\)"):
        compute_dt(DTC, highest_imputation="Y")
    with pytest.raises(AdamError, match=r"'date_imputation' must be one of \['first', 'mid', 'last'\]"):
        compute_dt(DTC, highest_imputation="D", date_imputation="06-15")


# --- derive_vars_dt --------------------------------------------------------------------------------------


def test_derive_vars_dt_adds_the_date_and_the_flag_only_when_imputing():
    frame = pd.DataFrame({"AESTDTC": ["2019-03-05T09:15", "2019-03"]}, index=[5, 7])
    plain = derive_vars_dt(frame, new_vars_prefix="AST", dtc="AESTDTC")
    assert list(plain.columns) == ["AESTDTC", "ASTDT"]
    assert_series_equal(plain["ASTDT"], _dates(["2019-03-05", None], index=[5, 7]), check_names=False)
    imputed = derive_vars_dt(frame, new_vars_prefix="AST", dtc="AESTDTC", highest_imputation="D")
    assert_series_equal(imputed["ASTDT"], _dates(["2019-03-05", "2019-03-01"], index=[5, 7]), check_names=False)
    assert imputed["ASTDTF"].tolist() == [NA, "D"]
    assert list(frame.columns) == ["AESTDTC"]                      # input untouched


def test_derive_vars_dt_flag_on_request_and_min_dates_by_name():
    frame = pd.DataFrame({"AESTDTC": ["2019-03", "2019-03-09"], "TRTSDT": _dates(["2019-03-05", "2019-03-05"])})
    out = derive_vars_dt(frame, new_vars_prefix="AST", dtc="AESTDTC", highest_imputation="M",
                         min_dates=["TRTSDT"])
    assert out["ASTDT"].tolist() == [pd.Timestamp("2019-03-05"), pd.Timestamp("2019-03-09")]
    assert out["ASTDTF"].tolist() == ["D", NA]
    assert "ASTDTF" in derive_vars_dt(frame, new_vars_prefix="AST", dtc="AESTDTC", flag_imputation="date")
    assert "ASTDTF" not in derive_vars_dt(frame, new_vars_prefix="AST", dtc="AESTDTC", highest_imputation="D",
                                          flag_imputation="none")


def test_derive_vars_dt_names_a_missing_dtc():
    with pytest.raises(AdamError, match=r"^'dataset' must contain the variables \['AESTDTC'\]"):
        derive_vars_dt(pd.DataFrame({"X": [1]}), new_vars_prefix="AST", dtc="AESTDTC")


# --- compute_dtm / derive_vars_dtm -----------------------------------------------------------------------


def test_compute_dtm_imputes_missing_time_and_flags_hours_and_minutes_but_not_seconds():
    dtc = pd.Series(["2019-03-05", "2019-03-05T09", "2019-03-05T09:15", "2019-03-05T09:15:30", "2019-03", None])
    value, flag = compute_dtm(dtc)
    assert_series_equal(value, _dates(["2019-03-05 00:00", "2019-03-05 09:00", "2019-03-05 09:15",
                                       "2019-03-05 09:15:30", None, None]))
    assert_series_equal(flag, _flags(["H", "M", NA, NA, NA, NA]))


def test_derive_vars_dtm_adds_dtm_and_tmf():
    frame = pd.DataFrame({"EXSTDTC": ["2019-03-05T09:15", "2019-03-12"]})
    out = derive_vars_dtm(frame, new_vars_prefix="TRTS", dtc="EXSTDTC")
    assert list(out.columns) == ["EXSTDTC", "TRTSDTM", "TRTSTMF"]
    assert out["TRTSDTM"].tolist() == [pd.Timestamp("2019-03-05 09:15"), pd.Timestamp("2019-03-12 00:00")]
    assert out["TRTSDTM"].dtype == "datetime64[s]"
    assert out["TRTSTMF"].tolist() == [NA, "H"]
    assert "TRTSTMF" not in derive_vars_dtm(frame, new_vars_prefix="TRTS", dtc="EXSTDTC", flag_imputation="none")


# --- derive_vars_dy --------------------------------------------------------------------------------------


def test_study_day_has_no_day_zero():
    frame = pd.DataFrame({"TRTSDT": _dates(["2019-03-05"] * 5),
                          "ADT": _dates(["2019-03-03", "2019-03-04", "2019-03-05", "2019-03-06", None])})
    out = derive_vars_dy(frame, reference_date="TRTSDT", source_vars=["ADT"])
    assert_series_equal(out["ADY"], pd.Series([-2.0, -1.0, 1.0, 2.0, None], name="ADY", dtype="float64"))


def test_study_days_of_several_dates_and_a_datetime_reference():
    frame = pd.DataFrame({"TRTSDTM": _dates(["2019-03-05 09:15", "2019-03-05 09:15"]),
                          "ASTDT": _dates(["2019-03-05", "2019-03-04"]), "AENDTM": _dates(["2019-03-07 08:00", None])})
    out = derive_vars_dy(frame, reference_date="TRTSDTM", source_vars=["ASTDT", "AENDTM"])
    # The first-dose day is day 1 even though the dose was given at 09:15.
    assert out["ASTDY"].tolist() == [1.0, -1.0]
    assert out["AENDY"].tolist()[0] == 3.0 and pd.isna(out["AENDY"].tolist()[1])


def test_study_day_names_from_a_mapping_and_bad_names():
    frame = pd.DataFrame({"TRTSDT": _dates(["2019-03-05"]), "LSTALV": _dates(["2019-03-09"])})
    out = derive_vars_dy(frame, reference_date="TRTSDT", source_vars={"LSTALVDY": "LSTALV"})
    assert out["LSTALVDY"].tolist() == [5.0]
    with pytest.raises(AdamError, match=r"'source_vars' must name date variables ending in DT or DTM "
                                        r"\(got 'LSTALV'\)"):
        derive_vars_dy(frame, reference_date="TRTSDT", source_vars=["LSTALV"])


def test_compute_day_count_is_pure():
    date, reference = _dates(["2019-03-01"]), _dates(["2019-03-05"])
    assert compute_day_count(date, reference).tolist() == [-4.0]
    assert date.tolist() == [pd.Timestamp("2019-03-01")]


# --- derive_vars_duration -------------------------------------------------------------------------------


def test_duration_adds_one_day_for_non_negative_gaps():
    frame = pd.DataFrame({"TRTSDT": _dates(["2019-03-05", "2019-03-05", "2019-03-05", None]),
                          "TRTEDT": _dates(["2019-03-19", "2019-03-05", "2019-03-04", "2019-03-05"])})
    out = derive_vars_duration(frame, new_var="TRTDURD", start_date="TRTSDT", end_date="TRTEDT",
                               new_var_unit="TRTDURU")
    assert_series_equal(out["TRTDURD"], pd.Series([15.0, 1.0, -1.0, None], name="TRTDURD"))
    assert out["TRTDURU"].tolist() == ["DAYS", "DAYS", "DAYS", NA]
    plain = derive_vars_duration(frame, new_var="D", start_date="TRTSDT", end_date="TRTEDT", add_one=False)
    assert_series_equal(plain["D"], pd.Series([14.0, 0.0, -1.0, None], name="D"))


def test_duration_ignores_times_of_day():
    frame = pd.DataFrame({"ASTDTM": _dates(["2019-03-05 22:00"]), "AENDTM": _dates(["2019-03-06 06:00"])})
    out = derive_vars_duration(frame, new_var="ADURN", start_date="ASTDTM", end_date="AENDTM")
    assert out["ADURN"].tolist() == [2.0]
