"""Unit tests of the liver-severity compute functions and verbs, on literal frames with hand-worked values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.adam.registry import verbs
from cdisc_pipe.adam.verbs_liver import (
    compute_child_pugh_class,
    compute_child_pugh_class_n,
    compute_child_pugh_points,
    compute_meld,
    derive_locf_records,
    derive_param_child_pugh,
    derive_param_child_pugh_class,
    derive_param_from_dataset,
    derive_param_meld,
)
from cdisc_pipe.errors import AdamError

NA = np.nan


def _points(values, component):
    return compute_child_pugh_points(pd.Series(values, dtype="float64"), component=component).tolist()


# --- compute_child_pugh_points: every band edge, both sides -------------------------------------------

def test_bilirubin_bands_umol_per_l():
    # < 34 -> 1; 34 <= x <= 50 -> 2; > 50 -> 3 (50.5 umol/L = 2.95 mg/dL still scores 3: bands are in umol/L)
    got = _points([0.0, 33.9, 34.0, 42.0, 50.0, 50.1, 50.5, 300.0, NA], "bilirubin")
    assert got[:8] == [1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0, 3.0]
    assert math.isnan(got[8])


def test_albumin_bands_g_per_l():
    # > 35 -> 1; 28 <= x <= 35 -> 2; < 28 -> 3
    got = _points([45.0, 35.1, 35.0, 31.0, 28.0, 27.9, 10.0, NA], "albumin")
    assert got[:7] == [1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0]
    assert math.isnan(got[7])


def test_inr_bands():
    # < 1.7 -> 1; 1.7 <= x <= 2.3 -> 2; > 2.3 -> 3
    assert _points([1.0, 1.69, 1.7, 2.0, 2.3, 2.31, 4.0], "inr") == [1.0, 1.0, 2.0, 2.0, 2.0, 3.0, 3.0]


def test_pt_prolongation_bands_seconds_over_control():
    # < 4 -> 1; 4 <= x <= 6 -> 2; > 6 -> 3
    assert _points([0.0, 3.9, 4.0, 5.0, 6.0, 6.1], "pt_prolongation") == [1.0, 1.0, 2.0, 2.0, 2.0, 3.0]


def test_ascites_grades():
    got = _points([0, 1, 2, NA], "ascites")
    assert got[:3] == [1.0, 2.0, 3.0]
    assert math.isnan(got[3])


def test_encephalopathy_west_haven_grades():
    assert _points([0, 1, 2, 3, 4], "encephalopathy") == [1.0, 2.0, 2.0, 3.0, 3.0]


def test_grade_off_scale_raises_naming_values():
    with pytest.raises(AdamError, match=r"`values` must be ascites grades \[0, 1, 2\] \(got \[3.0\]\)"):
        _points([0, 3], "ascites")
    with pytest.raises(AdamError, match=r"encephalopathy grades .* \(got \[0.5, 5.0\]\)"):
        _points([5, 0.5, 1], "encephalopathy")


def test_unknown_component_raises():
    with pytest.raises(AdamError, match=r"`component` must be one of .* \(got 'bili'\)"):
        _points([1.0], "bili")


def test_points_keep_index_and_input():
    values = pd.Series([40.0, 20.0], index=[7, 3])
    got = compute_child_pugh_points(values, component="bilirubin")
    assert got.index.tolist() == [7, 3]
    assert got.dtype == "float64"
    assert values.tolist() == [40.0, 20.0]


# --- compute_child_pugh_class ---------------------------------------------------------------------------

def test_class_bands():
    got = compute_child_pugh_class(pd.Series([5, 6, 7, 9, 10, 15, NA]))
    assert got.iloc[:6].tolist() == ["A", "A", "B", "B", "C", "C"]
    assert got.isna().tolist() == [False] * 6 + [True]
    assert str(got.dtype) == "string"
    assert compute_child_pugh_class_n(pd.Series([6.0, 7.0, 12.0])).tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("score", [4.0, 16.0, 7.5])
def test_class_rejects_impossible_scores(score):
    with pytest.raises(AdamError, match=r"`score` must be a whole number from 5 to 15"):
        compute_child_pugh_class(pd.Series([6.0, score]))


# --- compute_meld -----------------------------------------------------------------------------------------

def _meld(bili, inr, creat, unit):
    return compute_meld(pd.Series(bili, dtype="float64"), pd.Series(inr, dtype="float64"),
                        pd.Series(creat, dtype="float64"), unit=unit).tolist()


def test_meld_all_ones_is_the_constant():
    assert _meld([1.0], [1.0], [1.0], "mg/dL") == [pytest.approx(6.43, abs=1e-12)]


def test_meld_values_below_one_are_set_to_one():
    assert _meld([0.4], [0.9], [0.3], "mg/dL") == [pytest.approx(6.43, abs=1e-12)]


def test_meld_creatinine_capped_at_four():
    # 9.57 * ln 4 + 6.43 = 9.57 * 1.3862944 + 6.43 = 19.696838
    got = _meld([1.0, 1.0], [1.0, 1.0], [4.0, 7.5], "mg/dL")
    assert got == [pytest.approx(19.696838, abs=1e-6)] * 2


def test_meld_hand_worked_mg_dl():
    # 3.78 ln 3 + 11.2 ln 2 + 9.57 ln 2 + 6.43 = 4.152754 + 7.763249 + 6.633418 + 6.43 = 24.979421
    assert _meld([3.0], [2.0], [2.0], "mg/dL") == [pytest.approx(24.979421, abs=1e-6)]


def test_meld_converts_umol_per_l():
    # 34.2 umol/L bilirubin = 2 mg/dL; 176.8 umol/L creatinine = 2 mg/dL; INR 1
    # 3.78 ln 2 + 9.57 ln 2 + 6.43 = 13.35 * 0.6931472 + 6.43 = 15.683515
    assert _meld([34.2], [1.0], [176.8], "umol/L") == [pytest.approx(15.683515, abs=1e-6)]
    # default study values: bilirubin 40.9 umol/L (2.39181 mg/dL), INR 1.25, creatinine 73.0 umol/L (< 1 mg/dL)
    # 3.78 * 0.8720523 + 11.2 * 0.2231436 + 0 + 6.43 = 3.2963577 + 2.4992080 + 6.43 = 12.2255657
    assert _meld([40.9], [1.25], [73.0], "umol/L") == [pytest.approx(12.22556, abs=1e-5)]


def test_meld_is_not_rounded_and_missing_propagates():
    got = _meld([34.2, NA], [1.0, 1.0], [88.4, 88.4], "umol/L")
    assert got[0] != round(got[0], 2)
    assert math.isnan(got[1])


def test_meld_rejects_non_positive_and_bad_unit():
    with pytest.raises(AdamError, match=r"`creatinine` must be greater than 0 \(got \[0.0\]\)"):
        _meld([1.0], [1.0], [0.0], "mg/dL")
    with pytest.raises(AdamError, match=r"`unit` must be 'umol/L' or 'mg/dL' \(got 'mmol/L'\)"):
        _meld([1.0], [1.0], [1.0], "mmol/L")


# --- verbs: literal component frames ----------------------------------------------------------------------

BY = ["USUBJID", "AVISITN"]
CP = {"bilirubin": "BILI", "albumin": "ALB", "inr": "INR", "ascites": "ASCITES", "encephalopathy": "HEPENC"}
D = pd.Timestamp


def _records(rows):
    """rows: (USUBJID, AVISITN, PARAMCD, AVAL, ADT, DTYPE)."""
    frame = pd.DataFrame(rows, columns=["USUBJID", "AVISITN", "PARAMCD", "AVAL", "ADT", "DTYPE"])
    return frame.astype({"USUBJID": "string", "AVISITN": "float64", "PARAMCD": "string", "AVAL": "float64",
                         "ADT": "datetime64[s]", "DTYPE": "string"})


COMPONENTS = _records([
    # A, visit 1: 40 umol/L (2) + 30 g/L (2) + INR 1.5 (1) + mild ascites (2) + HE 0 (1) = 8
    ("A", 1, "BILI", 40.0, D("2019-01-01"), None), ("A", 1, "ALB", 30.0, D("2019-01-01"), None),
    ("A", 1, "INR", 1.5, D("2019-01-01"), None), ("A", 1, "ASCITES", 1, D("2019-01-01"), None),
    ("A", 1, "HEPENC", 0, D("2019-01-01"), None),
    # A, visit 2: every component 3 points = 15; albumin carried forward; HE graded a day later
    ("A", 2, "BILI", 60.0, D("2019-01-29"), None), ("A", 2, "ALB", 25.0, D("2019-01-01"), "LOCF"),
    ("A", 2, "INR", 2.5, D("2019-01-29"), None), ("A", 2, "ASCITES", 2, D("2019-01-29"), None),
    ("A", 2, "HEPENC", 3, D("2019-01-30"), None),
    # B, visit 1: no albumin -> no score
    ("B", 1, "BILI", 20.0, D("2019-03-01"), None), ("B", 1, "INR", 1.0, D("2019-03-01"), None),
    ("B", 1, "ASCITES", 0, D("2019-03-01"), None), ("B", 1, "HEPENC", 0, D("2019-03-01"), None),
    # B, visit 2: no INR; PT 5 s over control (2) -> 1 + 1 + 2 + 1 + 1 = 6 only when PT may stand in
    ("B", 2, "BILI", 20.0, D("2019-03-29"), None), ("B", 2, "ALB", 40.0, D("2019-03-29"), None),
    ("B", 2, "PTPROL", 5.0, D("2019-03-29"), None), ("B", 2, "ASCITES", 0, D("2019-03-29"), None),
    ("B", 2, "HEPENC", 0, D("2019-03-29"), None),
])


def _new(result, source, paramcd):
    assert result.iloc[: len(source)][list(source.columns)].equals(source)  # input records untouched, first
    return result.loc[result["PARAMCD"] == paramcd].reset_index(drop=True)


def test_liver_verbs_are_registered():
    assert {"derive_param_from_dataset", "derive_locf_records", "derive_param_child_pugh",
            "derive_param_child_pugh_class", "derive_param_meld"} <= set(verbs())


def test_child_pugh_score_only_where_all_components_present():
    before = COMPONENTS.copy()
    result = derive_param_child_pugh(COMPONENTS, by_vars=BY, parameters=CP)
    assert COMPONENTS.equals(before)
    new = _new(result, COMPONENTS, "CHILDPUG")
    assert new[BY].values.tolist() == [["A", 1.0], ["A", 2.0]]
    assert new["AVAL"].tolist() == [8.0, 15.0]
    assert new["ADT"].tolist() == [D("2019-01-01"), D("2019-01-30")]  # latest component date
    assert new["DTYPE"].isna().tolist() == [True, False]
    assert new.loc[1, "DTYPE"] == "LOCF"


def test_child_pugh_pt_prolongation_stands_in_for_missing_inr():
    result = derive_param_child_pugh(COMPONENTS, by_vars=BY, parameters={**CP, "pt_prolongation": "PTPROL"})
    new = _new(result, COMPONENTS, "CHILDPUG")
    assert new[BY].values.tolist() == [["A", 1.0], ["A", 2.0], ["B", 2.0]]
    assert new["AVAL"].tolist() == [8.0, 15.0, 6.0]


def test_child_pugh_argument_errors():
    with pytest.raises(AdamError, match=r"'parameters' must map exactly .* \(got missing \['encephalopathy'\], "
                                        r"unknown \['bili'\]\)"):
        derive_param_child_pugh(COMPONENTS, by_vars=BY, parameters={**{k: v for k, v in CP.items()
                                                                        if k != "encephalopathy"}, "bili": "X"})
    with pytest.raises(AdamError, match=r"'dataset' must contain the variables \['AVISIT'\]"):
        derive_param_child_pugh(COMPONENTS, by_vars=["USUBJID", "AVISIT"], parameters=CP)
    twice = pd.concat([COMPONENTS, COMPONENTS.iloc[:1]], ignore_index=True)
    with pytest.raises(AdamError, match=r"at most one record per \['USUBJID', 'AVISITN', 'PARAMCD'\]"):
        derive_param_child_pugh(twice, by_vars=BY, parameters=CP)


def test_child_pugh_checks_units_when_asked():
    units = COMPONENTS.assign(AVALU=COMPONENTS["PARAMCD"].map({"BILI": "umol/L", "ALB": "g/L"}).astype("string"))
    assert len(_new(derive_param_child_pugh(units, by_vars=BY, parameters=CP, unit_var="AVALU"), units,
                    "CHILDPUG")) == 2
    units.loc[0, "AVALU"] = "mg/dL"
    with pytest.raises(AdamError, match=r"'AVALU' must be \{'BILI': 'umol/L', 'ALB': 'g/L'\} .*'mg/dL'"):
        derive_param_child_pugh(units, by_vars=BY, parameters=CP, unit_var="AVALU")


def test_child_pugh_class_record_per_score():
    scores = _records([("A", 1, "CHILDPUG", 6.0, D("2019-01-01"), None),
                       ("A", 2, "CHILDPUG", 8.0, D("2019-01-29"), "LOCF"),
                       ("B", 1, "CHILDPUG", 15.0, D("2019-03-01"), None),
                       ("B", 1, "MELD", 9.5, D("2019-03-01"), None)])
    new = _new(derive_param_child_pugh_class(scores, by_vars=BY), scores, "CPCLASS")
    assert new["AVALC"].tolist() == ["A", "B", "C"]
    assert new["AVAL"].tolist() == [1.0, 2.0, 3.0]
    assert new["ADT"].tolist() == [D("2019-01-01"), D("2019-01-29"), D("2019-03-01")]
    assert new["DTYPE"].fillna("").tolist() == ["", "LOCF", ""]


MELD_PARAMS = {"bilirubin": "BILI", "inr": "INR", "creatinine": "CREAT"}


def test_meld_record_where_three_components_present():
    frame = _records([
        # 34.2 umol/L = 2 mg/dL, INR 1, 176.8 umol/L = 2 mg/dL -> 13.35 ln 2 + 6.43 = 15.683515
        ("A", 1, "BILI", 34.2, D("2019-01-01"), None), ("A", 1, "INR", 1.0, D("2019-01-01"), None),
        ("A", 1, "CREAT", 176.8, D("2019-01-02"), None),
        # B: creatinine missing -> no MELD
        ("B", 1, "BILI", 34.2, D("2019-03-01"), None), ("B", 1, "INR", 1.0, D("2019-03-01"), None),
    ])
    new = _new(derive_param_meld(frame, by_vars=BY, parameters=MELD_PARAMS), frame, "MELD")
    assert new["USUBJID"].tolist() == ["A"]
    assert new["AVAL"].tolist() == [pytest.approx(15.683515, abs=1e-6)]
    assert new["ADT"].tolist() == [D("2019-01-02")]
    mg = frame.assign(AVAL=[2.0, 1.0, 2.0, 2.0, 1.0])
    assert _new(derive_param_meld(mg, by_vars=BY, parameters=MELD_PARAMS, unit="mg/dL"), mg,
                "MELD")["AVAL"].tolist() == [pytest.approx(15.683515, abs=1e-6)]


# --- derive_locf_records ----------------------------------------------------------------------------------

def _visits(rows):
    """rows: (AVISITN, AVISIT, PARAMCD, AVAL, ADT, SRCSEQ, DTYPE) of subject A."""
    frame = pd.DataFrame(rows, columns=["AVISITN", "AVISIT", "PARAMCD", "AVAL", "ADT", "SRCSEQ", "DTYPE"])
    frame.insert(0, "USUBJID", "A")
    return frame.astype({"USUBJID": "string", "AVISIT": "string", "PARAMCD": "string", "ADT": "datetime64[s]",
                         "DTYPE": "string", "AVAL": "float64"})


LOCF_IN = _visits([
    (1, "V1", "X", 1.0, D("2019-01-01"), 1, None), (1, "V1", "Y", 10.0, D("2019-01-01"), 7, None),
    (2, "V2", "X", 2.0, D("2019-01-29"), 2, None),                      # Y missing, 28 days after V1
    (3, "V3", "X", 3.0, D("2019-02-26"), 3, None),                      # Y missing, 56 days after V1
    (4, "V4", "X", 4.0, D("2019-06-01"), 4, None), (4, "V4", "Y", NA, D("2019-06-01"), 8, None),  # Y present
    (5, "V5", "X", 5.0, D("2019-06-20"), 5, None),                      # Y missing; V4's Y has no value
])


def test_locf_within_gap_copies_the_observation():
    result = derive_locf_records(LOCF_IN, by_vars=["USUBJID"], visit_vars=["AVISITN", "AVISIT"],
                                 parameters=["X", "Y"], max_gap_days=42)
    new = result.iloc[len(LOCF_IN):].reset_index(drop=True)
    assert result.iloc[: len(LOCF_IN)].equals(LOCF_IN)
    assert new[["AVISITN", "AVISIT", "PARAMCD", "AVAL", "SRCSEQ", "DTYPE"]].values.tolist() == [
        [2.0, "V2", "Y", 10.0, 7, "LOCF"]]
    assert new["ADT"].tolist() == [D("2019-01-01")]  # the date of the real observation


def test_locf_without_gap_limit_carries_to_every_missing_visit():
    result = derive_locf_records(LOCF_IN, by_vars=["USUBJID"], visit_vars=["AVISITN", "AVISIT"],
                                 parameters=["X", "Y"])
    new = result.iloc[len(LOCF_IN):]
    # V4 has a Y record (missing value): nothing added there; V5 carries V1's 10.0, not V4's missing value
    assert new[["AVISITN", "AVAL", "SRCSEQ"]].values.tolist() == [[2.0, 10.0, 7], [3.0, 10.0, 7], [5.0, 10.0, 7]]


def test_locf_never_carries_an_imputed_record():
    frame = LOCF_IN.copy()
    frame.loc[1, "DTYPE"] = "LOCF"
    result = derive_locf_records(frame, by_vars=["USUBJID"], visit_vars=["AVISITN"], parameters=["X", "Y"])
    assert len(result) == len(frame)


# --- derive_param_from_dataset ----------------------------------------------------------------------------

CE = pd.DataFrame({
    "STUDYID": ["S"] * 4, "USUBJID": ["A", "A", "A", "B"], "CESEQ": [1, 2, 3, 1],
    "CEDECOD": ["Ascites", "Jaundice", "Ascites", "Ascites"], "CEOCCUR": ["N", "Y", "Y", "Y"],
    "CESEV": [None, None, "MODERATE TO SEVERE", "MILD"], "VISITNUM": [1.0, 1.0, 2.0, 1.0],
}).astype({c: "string" for c in ["STUDYID", "USUBJID", "CEDECOD", "CEOCCUR", "CESEV"]})


def test_from_dataset_appends_mapped_records_with_pointers():
    start = pd.DataFrame({"STUDYID": ["S"], "USUBJID": ["A"], "PARAMCD": ["BILI"], "AVAL": [40.0],
                          "SRCDOM": ["LB"], "SRCSEQ": [3.0], "LBSTRESU": ["umol/L"]})
    start = start.astype({c: "string" for c in ["STUDYID", "USUBJID", "PARAMCD", "SRCDOM", "LBSTRESU"]})
    avalc = "CESEV.mask(CEOCCUR == 'N', 'NONE')"
    result = derive_param_from_dataset(
        start, dataset_add=CE, filter_add="CEDECOD == 'Ascites'", keep_vars=["STUDYID", "USUBJID", "VISITNUM"],
        set_values_to={"PARAMCD": "'ASCITES'", "AVALC": avalc, "PARAMN": 4,
                       "AVAL": avalc + ".replace(['NONE', 'MILD', 'MODERATE TO SEVERE'], ['0', '1', '2'])"
                                       ".astype('float64')"},
        srcdom="CE", seq="CESEQ")
    assert result.iloc[:1].drop(columns=["VISITNUM", "AVALC", "PARAMN"]).equals(start)
    new = result.iloc[1:]
    assert new[["USUBJID", "VISITNUM", "PARAMCD", "AVALC", "AVAL", "PARAMN", "SRCDOM", "SRCSEQ"]].values.tolist() == [
        ["A", 1.0, "ASCITES", "NONE", 0.0, 4, "CE", 1.0],
        ["A", 2.0, "ASCITES", "MODERATE TO SEVERE", 2.0, 4, "CE", 3.0],
        ["B", 1.0, "ASCITES", "MILD", 1.0, 4, "CE", 1.0]]
    assert new["LBSTRESU"].isna().all()


def test_from_dataset_argument_errors():
    start = pd.DataFrame({"USUBJID": ["A"]})
    with pytest.raises(AdamError, match=r"'srcdom' must name the domain of 'seq' \(got None with seq 'CESEQ'\)"):
        derive_param_from_dataset(start, dataset_add=CE, set_values_to={}, seq="CESEQ")
    with pytest.raises(AdamError, match=r"'dataset_add' must contain the variables \['RSSEQ'\]"):
        derive_param_from_dataset(start, dataset_add=CE, set_values_to={}, srcdom="RS", seq="RSSEQ")
    with pytest.raises(AdamError, match=r"'set_values_to.AVAL' must be a pandas expression"):
        derive_param_from_dataset(start, dataset_add=CE, set_values_to={"AVAL": "NOSUCH + 1"})
