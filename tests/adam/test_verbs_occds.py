"""Unit tests of the OCCDS verbs on small literal frames with hand-written expected values."""

from __future__ import annotations

import pandas as pd
import pytest
from pandas.testing import assert_frame_equal, assert_series_equal

from cdisc_pipe.adam.verbs_occds import (
    compute_id_text,
    derive_var_shift,
    derive_var_trtemfl,
    derive_vars_suppqual,
)
from cdisc_pipe.errors import AdamError

NA = pd.NA


def _dates(values):
    return pd.to_datetime(pd.Series(values, dtype="object"), format="%Y-%m-%d")


def _text(values, name=None):
    return pd.Series(values, dtype="string", name=name)


# --- compute_id_text ------------------------------------------------------------------------------------


def test_compute_id_text_writes_integral_numbers_without_decimals():
    assert_series_equal(compute_id_text(pd.Series([1, 2, 30])), _text(["1", "2", "30"]))
    assert_series_equal(compute_id_text(pd.Series([1.0, None, 2.5])), _text(["1", NA, "2.5"]))
    assert_series_equal(compute_id_text(pd.Series(["3.0", " 4 ", "", None, "A1"])), _text(["3", "4", NA, NA, "A1"]))


# --- derive_vars_suppqual -------------------------------------------------------------------------------

AE = pd.DataFrame({
    "STUDYID": ["S"] * 4,
    "USUBJID": ["S-1", "S-1", "S-1", "S-2"],
    "AESEQ": [1, 2, 3, 1],
    "AETERM": ["Rash", "Fever", "Ascites", "Nausea"],
})


def _supp(rows):
    return pd.DataFrame(rows, columns=["STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QVAL"])


def test_suppqual_matches_idvarval_as_text_and_leaves_unmatched_records_missing():
    supp = _supp([
        ["S", "AE", "S-1", "AESEQ", "1", "AERELTRL", "POSSIBLY RELEVANT"],
        ["S", "AE", "S-1", "AESEQ", "3", "AERELTRL", "ABSOLUTELY IRRELEVANT"],
        ["S", "AE", "S-2", "AESEQ", "1.0", "AERELTRL", "POSSIBLY IRRELEVANT"],
        ["S", "AE", "S-1", "AESEQ", "3", "AETRTEM", "Y"],
    ])
    out = derive_vars_suppqual(AE, dataset_add=supp)
    assert list(out.columns) == [*AE.columns, "AERELTRL", "AETRTEM"]
    assert_series_equal(out["AERELTRL"], _text(["POSSIBLY RELEVANT", NA, "ABSOLUTELY IRRELEVANT",
                                                 "POSSIBLY IRRELEVANT"], "AERELTRL"))
    assert_series_equal(out["AETRTEM"], _text([NA, NA, "Y", NA], "AETRTEM"))
    assert_frame_equal(out[AE.columns], AE)


def test_suppqual_blank_idvar_attaches_to_every_record_of_the_subject():
    supp = _supp([
        ["S", "AE", "S-1", "", "", "AEXFL", "Y"],
        ["S", "AE", "S-2", None, None, "AEXFL", "N"],
        ["S", "AE", "S-1", "AESEQ", "2", "AERELTRL", "POSSIBLY RELEVANT"],
    ])
    out = derive_vars_suppqual(AE, dataset_add=supp)
    assert_series_equal(out["AEXFL"], _text(["Y", "Y", "Y", "N"], "AEXFL"))
    assert_series_equal(out["AERELTRL"], _text([NA, "POSSIBLY RELEVANT", NA, NA], "AERELTRL"))


def test_suppqual_qnams_adds_absent_qnams_and_drops_unlisted_ones():
    supp = _supp([
        ["S", "AE", "S-1", "AESEQ", "1", "AERELTRL", "POSSIBLY RELEVANT"],
        ["S", "AE", "S-1", "AESEQ", "1", "AEOTHER", "x"],
    ])
    out = derive_vars_suppqual(AE, dataset_add=supp, qnams=["AERELTRL", "AENEW"])
    assert list(out.columns) == [*AE.columns, "AERELTRL", "AENEW"]
    assert out["AENEW"].isna().all()
    assert out["AENEW"].dtype == "string"


def test_suppqual_domain_keeps_only_that_rdomain():
    supp = _supp([
        ["S", "AE", "S-1", "AESEQ", "1", "AERELTRL", "POSSIBLY RELEVANT"],
        ["S", "CM", "S-1", "AESEQ", "2", "AERELTRL", "wrong domain"],
    ])
    out = derive_vars_suppqual(AE, dataset_add=supp, domain="AE")
    assert_series_equal(out["AERELTRL"], _text(["POSSIBLY RELEVANT", NA, NA, NA], "AERELTRL"))


def test_suppqual_errors_name_the_argument_and_the_offenders():
    dup = _supp([
        ["S", "AE", "S-1", "AESEQ", "1", "AERELTRL", "A"],
        ["S", "AE", "S-1", "AESEQ", "1.0", "AERELTRL", "B"],
    ])
    with pytest.raises(AdamError, match=r"one QVAL per parent record and QNAM"):
        derive_vars_suppqual(AE, dataset_add=dup)
    clash = _supp([["S", "AE", "S-1", "AESEQ", "1", "AETERM", "x"]])
    with pytest.raises(AdamError, match=r"must not name variables already in 'dataset' \(got \['AETERM'\]\)"):
        derive_vars_suppqual(AE, dataset_add=clash)
    unknown = _supp([["S", "AE", "S-1", "AEGRPID", "1", "AERELTRL", "x"]])
    with pytest.raises(AdamError, match=r"IDVAR values must be variables of 'dataset' \(got \['AEGRPID'\]\)"):
        derive_vars_suppqual(AE, dataset_add=unknown)
    with pytest.raises(AdamError, match=r"'dataset_add' must contain the variables \['QVAL'\]"):
        derive_vars_suppqual(AE, dataset_add=unknown.drop(columns="QVAL"))


# --- derive_var_trtemfl ---------------------------------------------------------------------------------
# admiral's own example (test-derive_var_trtemfl.R) with dates instead of datetimes; treatment
# 2022-01-01 to 2022-04-30 for subject 1, none for subject 2.

TRT = pd.DataFrame(
    [
        # USUBJID, ASTDT, AENDT, AEITOXGR, AETOXGR, TRTEMFL, TRTEM2FL (window 10 + worsening)
        ["1", "2021-12-13", "2021-12-15", 1, 1, NA, NA],      # before treatment
        ["1", "2021-12-14", "2021-12-14", 1, 3, NA, NA],      # before treatment, ended before: not worsened
        ["1", "2021-12-30", "2022-01-14", 1, 3, NA, "Y"],     # began before, worsened on treatment
        ["1", "2021-12-31", "2022-01-01", 1, 1, NA, NA],      # began before, ended on day 1, not worse
        ["1", "2022-01-01", "2022-01-02", 3, 4, "Y", "Y"],    # began on the day of first dose
        ["1", "2022-05-10", "2022-05-10", 2, 2, "Y", "Y"],    # 10 days after treatment end: inside window
        ["1", "2022-05-11", "2022-05-11", 2, 2, "Y", NA],     # 11 days after: outside window
        ["1", None, None, 3, 4, "Y", "Y"],                    # no dates at all: conservative Y
        ["1", "2021-12-30", None, 3, 4, NA, "Y"],             # began before, open-ended, worse
        ["1", "2021-12-30", None, 3, 3, NA, NA],              # began before, open-ended, not worse
        ["1", None, "2022-01-04", 3, 4, "Y", "Y"],            # unknown start, ended on treatment
        ["1", None, "2021-12-24", 3, 4, NA, NA],              # unknown start, ended before treatment
        ["1", None, "2022-06-04", 3, 4, "Y", "Y"],
        ["2", None, "2021-12-03", 1, 2, NA, NA],              # never treated
        ["2", "2021-12-01", "2021-12-03", 1, 2, NA, NA],
        ["2", "2021-12-06", None, 1, 2, NA, NA],
    ],
    columns=["USUBJID", "ASTDT", "AENDT", "AEITOXGR", "AETOXGR", "TRTEMFL", "TRTEM2FL"],
)


def _trt_input():
    frame = TRT.drop(columns=["TRTEMFL", "TRTEM2FL"]).assign(
        ASTDT=_dates(TRT["ASTDT"]), AENDT=_dates(TRT["AENDT"]))
    treated = frame["USUBJID"].eq("1")
    frame["TRTSDT"] = pd.Series(pd.Timestamp("2022-01-01"), index=frame.index).where(treated)
    frame["TRTEDT"] = pd.Series(pd.Timestamp("2022-04-30"), index=frame.index).where(treated)
    return frame


def test_trtemfl_admiral_rules_without_window_or_worsening():
    data = _trt_input()
    out = derive_var_trtemfl(data)
    assert_series_equal(out["TRTEMFL"], _text(TRT["TRTEMFL"].tolist(), "TRTEMFL"))
    assert_frame_equal(out.drop(columns="TRTEMFL"), data)


def test_trtemfl_end_window_and_worsening():
    out = derive_var_trtemfl(_trt_input(), new_var="TRTEM2FL", trt_end_date="TRTEDT", end_window=10,
                             initial_intensity="AEITOXGR", intensity="AETOXGR")
    assert_series_equal(out["TRTEM2FL"], _text(TRT["TRTEM2FL"].tolist(), "TRTEM2FL"))


def test_trtemfl_ignores_times():
    data = pd.DataFrame({"ASTDTM": pd.to_datetime(["2022-01-01 08:00"]), "AENDTM": [pd.NaT],
                         "TRTSDTM": pd.to_datetime(["2022-01-01 09:15"])})
    out = derive_var_trtemfl(data, start_date="ASTDTM", end_date="AENDTM", trt_start_date="TRTSDTM")
    assert out["TRTEMFL"].tolist() == ["Y"]


def test_trtemfl_argument_errors():
    data = _trt_input()
    with pytest.raises(AdamError, match=r"'trt_end_date' must be given with 'end_window'"):
        derive_var_trtemfl(data, end_window=10)
    with pytest.raises(AdamError, match=r"'initial_intensity' and 'intensity' must be given together"):
        derive_var_trtemfl(data, intensity="AETOXGR")
    with pytest.raises(AdamError, match=r"'end_window' must be a non-negative whole number"):
        derive_var_trtemfl(data, trt_end_date="TRTEDT", end_window=-1)
    with pytest.raises(AdamError, match=r"'dataset' must contain the variables \['TRTSDT'\]"):
        derive_var_trtemfl(data.drop(columns="TRTSDT"))


# --- derive_var_shift -----------------------------------------------------------------------------------


def test_shift_text_with_missing_sides_and_filter():
    data = pd.DataFrame({
        "BASEC": ["Y", "Y", "N", "N", None, "Y", None],
        "AVALC": ["Y", "N", "Y", "N", "Y", None, None],
        "ADY": [1, 29, 29, 57, 57, 85, 85],
    })
    out = derive_var_shift(data, new_var="SHIFT1", from_var="BASEC", to_var="AVALC", filter="ADY > 1")
    assert_series_equal(out["SHIFT1"], _text([NA, "Y to N", "N to Y", "N to N", "NULL to Y", "Y to NULL", NA],
                                             "SHIFT1"))
    assert_frame_equal(out.drop(columns="SHIFT1"), data)


def test_shift_separator_missing_value_and_clash():
    data = pd.DataFrame({"BASEC": ["Y", None], "AVALC": ["N", "N"]})
    out = derive_var_shift(data, new_var="SHIFT1", from_var="BASEC", to_var="AVALC", sep_val="/",
                           missing_value="")
    assert out["SHIFT1"].tolist() == ["Y/N", "/N"]
    with pytest.raises(AdamError, match=r"'new_var' must not already be in 'dataset' \(got 'AVALC'\)"):
        derive_var_shift(data, new_var="AVALC", from_var="BASEC", to_var="AVALC")
