"""Common SDTM derivations on small literal frames with hand-written expected values."""

from __future__ import annotations

import pandas as pd
import pytest

from cdisc_pipe.sdtm.derivations import (
    compute_study_day,
    derive_var_epoch,
    derive_var_lobxfl,
    derive_var_seq,
    derive_vars_dy,
)


def _s(values):
    return pd.Series(values, dtype="string")


def test_study_day_has_no_day_zero():
    dtc = _s(["2020-01-01", "2020-01-02", "2019-12-31", "2020-01-31T10:30", "2020-02", None, "2020-01-10"])
    ref = _s(["2020-01-01"] * 6 + ["2020-01"])
    assert compute_study_day(dtc, ref).tolist() == [1, 2, -1, 31, pd.NA, pd.NA, pd.NA]


def test_study_day_across_leap_day():
    assert compute_study_day(_s(["2020-03-01"]), _s(["2020-02-28"])).tolist() == [3]


def test_derive_vars_dy_leaves_dtc_untouched():
    ae = pd.DataFrame({"USUBJID": ["A", "A", "B"], "AESTDTC": ["2020-01-05", "2020-01", "2019-12-30"],
                       "AEENDTC": ["2020-01-06", None, "2020-01-02"]})
    dm = pd.DataFrame({"USUBJID": ["A", "B"], "RFSTDTC": ["2020-01-01", "2020-01-01"]})
    out = derive_vars_dy(ae, dm, dtc_vars=["AESTDTC", "AEENDTC"])
    assert out["AESTDY"].tolist() == [5, pd.NA, -2]
    assert out["AEENDY"].tolist() == [6, pd.NA, 2]
    assert out["AESTDTC"].tolist() == ["2020-01-05", "2020-01", "2019-12-30"]
    assert "AESTDY" not in ae.columns


def test_derive_vars_dy_rejects_non_dtc():
    with pytest.raises(ValueError, match="`dtc_vars` must name --DTC variables"):
        derive_vars_dy(pd.DataFrame({"USUBJID": [], "AESTDAT": []}),
                       pd.DataFrame({"USUBJID": [], "RFSTDTC": []}), dtc_vars=["AESTDAT"])


def test_seq_restarts_per_subject_and_follows_order():
    ae = pd.DataFrame({"USUBJID": ["B", "A", "A", "B"], "AESTDTC": ["2020-01-02", "2020-03-01", "2020-01-01", "2020-01-01"],
                       "AETERM": ["x", "y", "z", "w"]})
    out = derive_var_seq(ae, order=["AESTDTC", "AETERM"], new_var="AESEQ")
    assert out[["USUBJID", "AETERM", "AESEQ"]].values.tolist() == [
        ["A", "z", 1], ["A", "y", 2], ["B", "w", 1], ["B", "x", 2]]


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"missing \['AESTDTC'\]"):
        derive_var_seq(pd.DataFrame({"USUBJID": ["A"]}), order=["AESTDTC"], new_var="AESEQ")


SE = pd.DataFrame({
    "USUBJID": ["A", "A", "A", "B"],
    "SESTDTC": ["2020-01-01", "2020-01-15", "2020-01-16", "2020-02-01"],
    "SEENDTC": ["2020-01-15", "2020-01-16", "2020-06-01", "2020-02-10"],
    "EPOCH": ["SCREENING", "TREATMENT", "FOLLOW-UP", "SCREENING"],
})


def test_epoch_by_element_span():
    lb = pd.DataFrame({"USUBJID": ["A", "A", "A", "A", "A", "B", "A", "C"],
                       "LBDTC": ["2020-01-01", "2020-01-14T08:00", "2020-01-15", "2020-06-01", "2020-06-02",
                                 "2020-02-10", "2020-03", "2020-01-20"]})
    out = derive_var_epoch(lb, SE, dtc_var="LBDTC")
    assert out["EPOCH"].tolist() == ["SCREENING", "SCREENING", "TREATMENT", "FOLLOW-UP", pd.NA,
                                     "SCREENING", pd.NA, pd.NA]
    assert out.index.equals(lb.index)


def test_lobxfl_one_per_subject_and_test():
    lb = pd.DataFrame({
        "USUBJID": ["A", "A", "A", "A", "A", "B", "B"],
        "LBTESTCD": ["ALB", "ALB", "ALB", "ALT", "ALT", "ALB", "ALB"],
        "LBDTC": ["2019-12-20", "2020-01-01T08:00", "2020-01-29", "2020-01-01", "2019-12", "2020-01-02", "2020-01-03"],
        "LBORRES": ["30", "31", "33", None, "40", "28", "29"],
    })
    dm = pd.DataFrame({"USUBJID": ["A", "B"], "RFXSTDTC": ["2020-01-01", "2020-01-01"]})
    out = derive_var_lobxfl(lb, dm, by_vars=["USUBJID", "LBTESTCD"], dtc_var="LBDTC",
                            result_var="LBORRES", new_var="LBLOBXFL")
    # A/ALB: day-1 sample is last on or before first dose; A/ALT: the only dated one has no result and the
    # other is partial; B: both after first dose.
    assert out["LBLOBXFL"].tolist() == [pd.NA, "Y", pd.NA, pd.NA, pd.NA, pd.NA, pd.NA]
