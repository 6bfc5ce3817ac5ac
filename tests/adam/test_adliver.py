"""ADLIVER of the default study: scores recomputed independently from the component records, the bounds
of each score, LOCF records, baseline/change, and every pointer back to LB, CE and RS.

The recomputation below writes the Child-Pugh bands and the MELD formula out again (not through
cdisc_pipe.adam.verbs_liver), so a slip in the verbs cannot hide behind itself.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.adam.checks import unresolved_pointers

COMPONENTS = ["BILI", "ALB", "INR", "ASCITES", "HEPENC", "CREAT"]
SCORES = ["CHILDPUG", "CPCLASS", "MELD"]
VISIT = ["USUBJID", "AVISITN"]


@pytest.fixture(scope="module")
def adliver(default_adam) -> pd.DataFrame:
    return default_adam.datasets["ADLIVER"]


@pytest.fixture(scope="module")
def wide(adliver) -> pd.DataFrame:
    """AVAL per subject and visit, one column per PARAMCD."""
    return adliver.pivot(index=VISIT, columns="PARAMCD", values="AVAL")


def _param(frame, paramcd):
    return frame.loc[frame["PARAMCD"] == paramcd]


def test_parameters_and_keys(adliver, default_adam):
    assert set(adliver["PARAMCD"]) == set(COMPONENTS + SCORES)
    assert not adliver.duplicated(["STUDYID", "USUBJID", "PARAMCD", "AVISITN"]).any()
    assert set(adliver["USUBJID"]) == set(default_adam.datasets["ADSL"].query("SAFFL == 'Y'")["USUBJID"])
    assert adliver["TRT01P"].notna().all() and adliver["TRT01PN"].notna().all()
    assert list(adliver.columns[:2]) == ["STUDYID", "USUBJID"]


def test_child_pugh_score_recomputed_from_its_components(wide):
    w = wide.dropna(subset=["CHILDPUG"])
    bili = np.select([w["BILI"] < 34, w["BILI"] <= 50], [1, 2], 3)
    alb = np.select([w["ALB"] > 35, w["ALB"] >= 28], [1, 2], 3)
    inr = np.select([w["INR"] < 1.7, w["INR"] <= 2.3], [1, 2], 3)
    ascites = w["ASCITES"] + 1
    hepenc = np.select([w["HEPENC"] == 0, w["HEPENC"] <= 2], [1, 2], 3)
    assert (w["CHILDPUG"] == bili + alb + inr + ascites + hepenc).all()
    assert w["CHILDPUG"].between(5, 15).all()


def test_child_pugh_only_where_all_five_components_exist(wide):
    complete = wide[["BILI", "ALB", "INR", "ASCITES", "HEPENC"]].notna().all(axis=1)
    assert (wide["CHILDPUG"].notna() == complete).all()
    assert complete.sum() == 135


def test_class_consistent_with_score(wide, adliver):
    expected = np.select([wide["CHILDPUG"] <= 6, wide["CHILDPUG"] <= 9], [1.0, 2.0], 3.0)
    scored = wide["CHILDPUG"].notna()
    assert (wide.loc[scored, "CPCLASS"] == expected[scored.to_numpy()]).all()
    assert wide.loc[~scored, "CPCLASS"].isna().all()
    cls = _param(adliver, "CPCLASS")
    assert (cls["AVALC"] == cls["AVAL"].map({1.0: "A", 2.0: "B", 3.0: "C"})).all()
    assert _param(adliver, "CHILDPUG")["AVALC"].isna().all()


def test_meld_recomputed_and_bounded(wide):
    w = wide.dropna(subset=["MELD"])
    bili = (w["BILI"] / 17.1).clip(lower=1)
    inr = w["INR"].clip(lower=1)
    creat = (w["CREAT"] / 88.4).clip(lower=1, upper=4)
    expected = 3.78 * np.log(bili) + 11.2 * np.log(inr) + 9.57 * np.log(creat) + 6.43
    assert np.allclose(w["MELD"], expected, rtol=0, atol=1e-12)
    assert (w["MELD"] >= 6.43).all()
    assert (w["MELD"] != w["MELD"].round(2)).any()  # not rounded
    complete = wide[["BILI", "INR", "CREAT"]].notna().all(axis=1)
    assert (wide["MELD"].notna() == complete).all()


def test_one_visit_worked_by_hand(adliver):
    """01-002 at DAY 1 (LB/CE/RS of 2019-03-05): bilirubin 58.1 umol/L -> 3, albumin 33.4 g/L -> 2,
    INR 1.32 -> 1, moderate to severe ascites -> 3, West Haven grade 1 -> 2: score 11, class C.
    MELD: 3.78 ln(58.1 / 17.1) + 11.2 ln 1.32 + 9.57 ln 1 (67.6 umol/L = 0.76 mg/dL, set to 1) + 6.43
        = 3.78 * 1.2230872 + 11.2 * 0.2776317 + 0 + 6.43 = 4.6232696 + 3.1094750 + 6.43 = 14.1627446."""
    visit = adliver[(adliver["USUBJID"] == "HUCMSC-DLC-01-002") & (adliver["AVISIT"] == "DAY 1")]
    aval = visit.set_index("PARAMCD")["AVAL"]
    assert aval[["BILI", "ALB", "INR", "ASCITES", "HEPENC", "CREAT"]].tolist() == [58.1, 33.4, 1.32, 2.0, 1.0, 67.6]
    assert aval["CHILDPUG"] == 11.0
    assert visit.set_index("PARAMCD").loc["CPCLASS", "AVALC"] == "C"
    assert aval["MELD"] == pytest.approx(14.1627446, abs=1e-6)
    assert (visit["ABLFL"] == "Y").all()  # day 1 is the subject's baseline for every parameter
    assert (visit["ADT"] == pd.Timestamp("2019-03-05")).all()


def test_locf_records(adliver):
    """Three visits lack a component in SDTM and get it carried from the visit before (<= 42 days);
    01-009 DAY 169 lacks ascites and encephalopathy, 84 days after DAY 85: no Child-Pugh score there."""
    locf = adliver[adliver["DTYPE"].notna()]
    assert set(locf["DTYPE"]) == {"LOCF"}
    carried = locf[locf["PARAMCD"].isin(COMPONENTS)]
    assert sorted(map(tuple, carried[["USUBJID", "AVISIT", "PARAMCD"]].values.tolist())) == [
        ("HUCMSC-DLC-01-010", "DAY 57", "INR"), ("HUCMSC-DLC-01-014", "DAY 57", "INR"),
        ("HUCMSC-DLC-01-039", "DAY 85", "ALB"), ("HUCMSC-DLC-01-039", "DAY 85", "BILI")]
    scores = locf[locf["PARAMCD"].isin(SCORES)]
    assert len(scores) == 9  # the three scores at each of the three visits
    # a carried record keeps the date and the pointer of the observation it copies, from an earlier visit
    origin = adliver[adliver["DTYPE"].isna()].set_index(["USUBJID", "PARAMCD", "SRCSEQ"])
    source = origin.loc[list(zip(carried["USUBJID"], carried["PARAMCD"], carried["SRCSEQ"]))]
    assert (source["AVAL"].to_numpy() == carried["AVAL"].to_numpy()).all()
    assert (source["ADT"].to_numpy() == carried["ADT"].to_numpy()).all()
    assert (source["AVISITN"].to_numpy() < carried["AVISITN"].to_numpy()).all()
    late = adliver[(adliver["USUBJID"] == "HUCMSC-DLC-01-009") & (adliver["AVISIT"] == "DAY 169")]
    assert set(late["PARAMCD"]) == {"BILI", "ALB", "INR", "CREAT", "MELD"}
    assert adliver.loc[adliver["DTYPE"].notna(), "ABLFL"].isna().all()


def test_baseline_change_and_percent_change(adliver):
    flagged = adliver[adliver["ABLFL"] == "Y"]
    assert not flagged.duplicated(["USUBJID", "PARAMCD"]).any()
    assert (flagged["ADT"] <= flagged["TRTSDT"]).all()
    # every subject has a baseline for every parameter (day 1 or, failing that, screening)
    assert len(flagged) == adliver["USUBJID"].nunique() * len(COMPONENTS + SCORES)
    expected = adliver["AVAL"] - adliver["BASE"]
    assert ((adliver["CHG"] == expected) | (adliver["CHG"].isna() & expected.isna())).all()
    scores = adliver["PARAMCD"].isin(["CHILDPUG", "MELD"])
    pchg = (adliver["AVAL"] - adliver["BASE"]) / adliver["BASE"] * 100
    assert np.allclose(adliver.loc[scores, "PCHG"], pchg[scores], equal_nan=True)
    assert adliver.loc[~scores, "PCHG"].isna().all()
    cls = _param(adliver, "CPCLASS")
    assert (cls["BASEC"] == cls["BASE"].map({1.0: "A", 2.0: "B", 3.0: "C"})).all()


def test_days_and_visits(adliver):
    expected = (adliver["ADT"] - adliver["TRTSDT"]).dt.days
    expected = expected.where(expected < 0, expected + 1)
    assert (adliver["ADY"] == expected).all()
    visits = adliver[["AVISIT", "AVISITN", "VISITNUM"]].drop_duplicates().sort_values("VISITNUM")
    assert visits.values.tolist() == [["SCREENING", -14.0, 1.0], ["DAY 1", 1.0, 2.0], ["DAY 29", 29.0, 5.0],
                                      ["DAY 57", 57.0, 6.0], ["DAY 85", 85.0, 7.0], ["DAY 169", 169.0, 8.0]]


def test_every_component_points_back_to_its_sdtm_record(adliver, adam_sdtm):
    components = adliver["PARAMCD"].isin(COMPONENTS)
    assert adliver.loc[components, ["SRCDOM", "SRCSEQ"]].notna().all().all()
    assert adliver.loc[~components, ["SRCDOM", "SRCSEQ"]].isna().all().all()
    assert not unresolved_pointers(adliver, adam_sdtm.domains).any()
    observed = adliver[components & adliver["DTYPE"].isna()]
    rs = adam_sdtm.domains["RS"].assign(GRADEN=lambda f: f["RSSTRESC"].str.slice(6).astype("float64"))
    for domain, value in (("LB", "LBSTRESN"), ("RS", "GRADEN")):
        source = rs if domain == "RS" else adam_sdtm.domains[domain]
        target = source.set_index(["USUBJID", f"{domain}SEQ"])[value]
        rows = observed[observed["SRCDOM"] == domain]
        got = target.loc[list(zip(rows["USUBJID"], rows["SRCSEQ"].astype(int)))].to_numpy()
        assert (got == rows["AVAL"].to_numpy()).all(), domain
    ce = adam_sdtm.domains["CE"].set_index(["USUBJID", "CESEQ"])
    rows = observed[observed["SRCDOM"] == "CE"]
    source = ce.loc[list(zip(rows["USUBJID"], rows["SRCSEQ"].astype(int)))]
    assert (source["CEDECOD"] == "Ascites").all()
    grade = np.where(source["CEOCCUR"] == "N", 0.0,
                     source["CESEV"].map({"MILD": 1.0, "MODERATE TO SEVERE": 2.0}).astype(float))
    assert (grade == rows["AVAL"].to_numpy()).all()


def test_no_missing_date_or_value(adliver):
    assert adliver["ADT"].notna().all()
    assert adliver["AVAL"].notna().all()
    assert not any(math.isinf(v) for v in adliver["AVAL"])
