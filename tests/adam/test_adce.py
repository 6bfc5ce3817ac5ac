"""ADCE of the default study, built by the engine from specs/hucmsc-dlc/adam/adce.yaml, checked against the
SDTM CE it comes from and against the symptom shifts the paper reports (S-Tables 4-8, Results text)."""

from __future__ import annotations

import pandas as pd
import pytest

from cdisc_pipe.adam.checks import unresolved_pointers

PARAMS = {"Ascites": "ASCITES", "Edema limbs": "EDEMALMB", "Hematemesis": "HEMATEM", "Jaundice": "JAUNDICE",
          "Anorexia": "ANOREXIA"}
GROUPS = {1.0: "LOW", 2.0: "MEDIUM", 3.0: "HIGH"}


@pytest.fixture(scope="module")
def adce(default_adam) -> pd.DataFrame:
    return default_adam.datasets["ADCE"]


@pytest.fixture(scope="module")
def ce(adam_sdtm, default_adam) -> pd.DataFrame:
    """SDTM CE records of the treated subjects."""
    adsl = default_adam.datasets["ADSL"]
    domain = adam_sdtm.domains["CE"]
    return domain[domain["USUBJID"].isin(adsl.loc[adsl["TRTSDT"].notna(), "USUBJID"])].reset_index(drop=True)


def test_one_record_per_ce_record_of_a_treated_subject(adce, ce):
    assert len(adce) == len(ce) == 675
    assert set(zip(adce["USUBJID"], adce["SRCSEQ"].astype(int))) == set(zip(ce["USUBJID"], ce["CESEQ"]))
    assert not adce.duplicated(["USUBJID", "PARAMCD", "AVISITN"]).any()


def test_every_pointer_resolves_to_the_same_value(adce, ce, adam_sdtm):
    assert (adce["SRCDOM"] == "CE").all() and (adce["SRCVAR"] == "CEOCCUR").all()
    assert not unresolved_pointers(adce, adam_sdtm.domains).any()
    joined = adce.merge(ce[["USUBJID", "CESEQ", "CEOCCUR", "CEDECOD"]].astype({"CESEQ": "float64"}),
                        left_on=["USUBJID", "SRCSEQ"], right_on=["USUBJID", "CESEQ"], suffixes=("", "_CE"))
    assert len(joined) == len(adce)
    assert (joined["AVALC"] == joined["CEOCCUR_CE"]).all()
    assert (joined["PARAMCD"] == joined["CEDECOD_CE"].map(PARAMS)).all()


def test_parameters_and_values(adce):
    assert set(adce["PARAMCD"]) == set(PARAMS.values())
    assert adce.groupby("PARAMCD")["PARAMN"].nunique().eq(1).all()
    assert (adce["AVAL"] == adce["AVALC"].map({"Y": 1.0, "N": 0.0})).all()
    # severity is collected for ascites only, and only when present
    assert adce.loc[adce["CESEV"].notna(), "PARAMCD"].eq("ASCITES").all()
    assert adce.loc[adce["CESEV"].notna(), "AVALC"].eq("Y").all()


def test_visits_are_the_scheduled_ones(adce):
    expected = {"SCREENING": -1, "DAY 1": 0, "DAY 29": 29, "DAY 57": 57, "DAY 85": 85, "DAY 169": 169}
    assert (adce["AVISITN"] == adce["VISIT"].map(expected)).all()
    assert (adce.loc[adce["AVISITN"] == 0, "AVISIT"] == "BASELINE").all()
    later = adce[adce["AVISITN"] > 0]
    # every scheduled assessment lies within two weeks of its target day
    assert ((later["ADY"] - later["AVISITN"]).abs() <= 14).all()


def test_baseline_is_the_day_1_assessment(adce):
    base = adce[adce["ABLFL"] == "Y"]
    assert not base.duplicated(["USUBJID", "PARAMCD"]).any()
    assert len(base) == adce[["USUBJID", "PARAMCD"]].drop_duplicates().shape[0] == 24 * 5
    assert (base["ADT"] <= base["TRTSDT"]).all()
    assert (base["AVISIT"] == "BASELINE").all()
    joined = adce.merge(base[["USUBJID", "PARAMCD", "AVAL", "AVALC"]], on=["USUBJID", "PARAMCD"],
                        suffixes=("", "_B"))
    assert (joined["BASE"] == joined["AVAL_B"]).all() and (joined["BASEC"] == joined["AVALC_B"]).all()
    assert (adce["CHG"] == adce["AVAL"] - adce["BASE"]).all()


def test_shift_is_given_on_post_baseline_records_only(adce):
    post = adce["ADT"] > adce["TRTSDT"]
    assert adce.loc[~post, "SHIFT1"].isna().all()
    assert (adce.loc[post, "SHIFT1"] == adce.loc[post, "BASEC"] + " to " + adce.loc[post, "AVALC"]).all()
    assert set(adce["SHIFT1"].dropna()) <= {"Y to Y", "Y to N", "N to Y", "N to N"}


def _shifts(adce, paramcd, visit):
    rows = adce[(adce["PARAMCD"] == paramcd) & (adce["AVISITN"] == visit)]
    counts = rows.groupby([rows["TRT01PN"].map(GROUPS), "SHIFT1"]).size()
    return {key: int(n) for key, n in counts.items()}


def test_the_papers_symptom_shifts_are_reproduced(adce):
    """Results, 'Clinical feature': the statements that name a visit and a count (S-Tables 4-8)."""
    ascites_29 = _shifts(adce, "ASCITES", 29)
    assert ascites_29[("LOW", "Y to N")] == 5                     # 5 of 8 LOW ascites-free on day 29
    assert sum(n for (g, _), n in ascites_29.items() if g == "LOW") == 8
    ascites_169 = _shifts(adce, "ASCITES", 169)
    assert ascites_169[("LOW", "Y to N")] == 1                    # finally 1 of 4 LOW improved
    assert ascites_169[("LOW", "Y to N")] + ascites_169[("LOW", "Y to Y")] == 4
    assert ascites_169[("HIGH", "Y to N")] == 2                   # HIGH: 2 of 8 free, 2 of 8 developed it
    assert ascites_169[("HIGH", "N to Y")] == 2
    for visit in (57, 85):                                        # LOW edema: 5 of 7 improved on days 57, 85
        edema = _shifts(adce, "EDEMALMB", visit)
        assert (edema[("LOW", "Y to N")], edema[("LOW", "Y to Y")]) == (5, 2)
    for paramcd in ("HEMATEM", "ANOREXIA"):                       # none at baseline; 1 LOW on day 29
        assert (adce.loc[(adce["PARAMCD"] == paramcd) & (adce["ABLFL"] == "Y"), "AVALC"] == "N").all()
        appeared = adce[(adce["PARAMCD"] == paramcd) & (adce["SHIFT1"] == "N to Y")]
        assert appeared["USUBJID"].nunique() == 1
        assert appeared["TRT01PN"].map(GROUPS).tolist() == ["LOW"] and appeared["AVISITN"].tolist() == [29]
    jaundice = adce[adce["PARAMCD"] == "JAUNDICE"]
    developed = jaundice[jaundice["SHIFT1"] == "N to Y"]
    assert developed["TRT01PN"].map(GROUPS).tolist() == ["LOW"] and developed["AVISITN"].tolist() == [29]
    improved = jaundice[jaundice["SHIFT1"] == "Y to N"]
    assert improved["USUBJID"].nunique() == 1 and set(improved["TRT01PN"].map(GROUPS)) == {"HIGH"}
