"""Adverse events [Table 1, Figure 7] from ADAE: literal frames with hand-counted expectations, and
whole-study consistency (grade, relationship, term and SOC counts add up to the totals)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cdisc_pipe.analysis.adverse_events import analyse_adverse_events
from cdisc_pipe.analysis.methods.categorical import fisher_exact_test, repeated_measures_anova
from cdisc_pipe.analysis.methods.inputs import AnalysisError

A, B = "Dose A", "Dose B"
AI, PI, PR = "ABSOLUTELY IRRELEVANT", "POSSIBLY IRRELEVANT", "POSSIBLY RELEVANT"


def literal_adam() -> dict[str, pd.DataFrame]:
    adsl = pd.DataFrame({"USUBJID": ["A1", "A2", "B1", "B2", "B3"], "TRT01A": [A, A, B, B, B],
                         "TRT01AN": [1.0, 1.0, 2.0, 2.0, 2.0], "SAFFL": ["Y", "Y", "Y", "Y", "N"]})
    rows = [  # USUBJID, AEDECOD, AEBODSYS, grade, AERELTRL, AESER, AEACN, AEOUT, AESDTH, TRTEMFL, ASTDY
        ("A1", "Ascites", "GI", "1", AI, "N", "DOSE NOT CHANGED", "RECOVERED/RESOLVED", "", "Y", 5),
        ("A1", "Ascites", "GI", "2", PR, "N", "NOT APPLICABLE", "RECOVERED/RESOLVED", "", "Y", 30),
        ("A1", "Fever", "General", "1", AI, "N", "DOSE REDUCED", "RECOVERED/RESOLVED", "", "Y", 9),
        ("A2", "Neutropenia", "Investigations", "3", PI, "N", "NOT APPLICABLE", "NOT RECOVERED/NOT RESOLVED", "",
         "Y", 20),
        ("A2", "Hepatic encephalopathy", "Nervous", "5", AI, "Y", "NOT APPLICABLE", "FATAL", "Y", "Y", 40),
        ("B1", "Ascites", "GI", "1", AI, "N", "NOT APPLICABLE", "RECOVERED/RESOLVED", "", "Y", 12),
        ("B1", "Neutropenia", "Investigations", "2", AI, "N", "DRUG WITHDRAWN", "RECOVERED/RESOLVED", "", "Y", 3),
        ("B1", "Rash", "Skin", "1", AI, "N", "NOT APPLICABLE", "RECOVERED/RESOLVED", "", "N", -2),  # not a TEAE
        ("B3", "Ascites", "GI", "1", AI, "N", "NOT APPLICABLE", "RECOVERED/RESOLVED", "", "Y", 8),    # SAFFL = N
    ]
    adae = pd.DataFrame(rows, columns=["USUBJID", "AEDECOD", "AEBODSYS", "ATOXGR", "AERELTRL", "AESER", "AEACN",
                                       "AEOUT", "AESDTH", "TRTEMFL", "ASTDY"])
    adae["AESHOSP"] = np.where(adae["AESER"].eq("Y"), "Y", "")
    adae = adae.merge(adsl[["USUBJID", "TRT01A", "TRT01AN"]], on="USUBJID")
    return {"ADSL": adsl, "ADAE": adae}


def table(ard, analysis, statistic) -> pd.DataFrame:
    """PARAMCD x GROUP of one statistic."""
    rows = ard[ard["ANALYSIS"].eq(analysis) & ard["STATISTIC"].eq(statistic)]
    return rows.pivot_table(index="PARAMCD", columns="GROUP", values="VALUE", aggfunc="first")


def one(ard, analysis, statistic, paramcd, group) -> pd.Series:
    rows = ard[ard["ANALYSIS"].eq(analysis) & ard["STATISTIC"].eq(statistic) & ard["PARAMCD"].eq(paramcd)
               & ard["GROUP"].eq(group)]
    assert len(rows) == 1, (analysis, statistic, paramcd, group, len(rows))
    return rows.iloc[0]


@pytest.fixture(scope="module")
def literal_ard():
    return analyse_adverse_events(literal_adam(), top=3)


def test_totals_by_hand(literal_ard):
    t1 = table(literal_ard, "AE-T1-TOTAL", "N_EVENTS").loc["ANY"]
    assert t1.to_dict() == {A: 4, B: 2, "ALL": 6}                # no SAE, no non-TEAE, no SAFFL = N subject
    assert table(literal_ard, "AE-TEAE-TOTAL", "N_EVENTS").loc["ANY"].to_dict() == {A: 5, B: 2, "ALL": 7}
    assert table(literal_ard, "AE-T1-TOTAL", "N_SUBJ").loc["ANY"].to_dict() == {A: 2, B: 1, "ALL": 3}
    assert table(literal_ard, "AE-T1-TOTAL", "N_POP").loc["ANY"].to_dict() == {A: 2, B: 2, "ALL": 4}
    assert table(literal_ard, "AE-T1-TOTAL", "PCT_SUBJ").loc["ANY"].to_dict() == {A: 100, B: 50, "ALL": 75}


def test_grades_relationship_and_actions_by_hand(literal_ard):
    grades = table(literal_ard, "AE-T1-GRADE", "N_EVENTS")
    assert grades.index.tolist() == ["GR1", "GR2", "GR3", "GR4"]           # no grade 5 among non-serious events
    assert grades[A].tolist() == [2, 1, 1, 0] and grades[B].tolist() == [1, 1, 0, 0]
    assert table(literal_ard, "AE-TEAE-GRADE", "N_EVENTS").loc["GR5"].to_dict() == {A: 1, B: 0, "ALL": 1}
    assert table(literal_ard, "AE-T1-GRADE", "PCT_EVENTS").loc["GR1", A] == 50.0
    assert table(literal_ard, "AE-T1-GRADE", "N_SUBJ").loc["GR1"].to_dict() == {A: 1, B: 1, "ALL": 2}
    assert table(literal_ard, "AE-T1-GR12", "N_EVENTS").loc["GR1-2"].to_dict() == {A: 3, B: 2, "ALL": 5}
    assert table(literal_ard, "AE-T1-GR12", "PCT_EVENTS").loc["GR1-2", A] == 75.0
    rel = table(literal_ard, "AE-T1-REL", "N_EVENTS")
    assert rel[A].tolist() == [0, 1, 1, 2] and rel[B].tolist() == [0, 0, 0, 2]   # REL1..REL4 in scale order
    assert one(literal_ard, "AE-T1-REL", "N_EVENTS", "REL1", A)["PARAM"] == "ABSOLUTELY RELEVANT"
    actions = table(literal_ard, "AE-T1-ACTION", "N_EVENTS")
    assert actions.loc["DOSERED"].to_dict() == {A: 1, B: 0, "ALL": 1}
    assert actions.loc["DRUGWD"].to_dict() == {A: 0, B: 1, "ALL": 1}
    assert actions.loc["DEATH", "ALL"] == 0
    assert table(literal_ard, "AE-TEAE-ACTION", "N_EVENTS").loc["DEATH"].to_dict() == {A: 1, B: 0, "ALL": 1}


def test_paper_test_and_fisher_by_hand(literal_ard):
    # grade rows (2, 1), (1, 1), (1, 0), (0, 0): differences 1, 0, 1, 0 give a paired t of sqrt(3), so F = 3
    # on (1, 3) df; with two groups the Greenhouse-Geisser epsilon is 1
    f = one(literal_ard, "AE-T1-RMANOVA", "F", "GRADE", "")
    assert f["VALUE"] == pytest.approx(3.0, abs=1e-12) and "Greenhouse-Geisser" in f["METHOD"]
    assert one(literal_ard, "AE-T1-RMANOVA", "DF2", "GRADE", "")["VALUE"] == 3
    assert one(literal_ard, "AE-T1-RMANOVA", "EPSILON_GG", "GRADE", "")["VALUE"] == pytest.approx(1.0, abs=1e-12)
    assert one(literal_ard, "AE-T1-RMANOVA", "P_GG", "GRADE", "")["VALUE"] == pytest.approx(
        stats.f.sf(3.0, 1, 3), abs=1e-12)
    p = one(literal_ard, "AE-T1-CATTEST", "P", "GRADE", "")
    assert p["VALUEC"] == "Fisher's exact test" and "expected count" in p["METHOD"]
    assert p["VALUE"] == pytest.approx(fisher_exact_test([[2, 1], [1, 1], [1, 0]]).p_value, abs=1e-15)
    rel = one(literal_ard, "AE-T1-RMANOVA", "F", "REL", "")["VALUE"]
    assert rel == pytest.approx(repeated_measures_anova([[0, 0], [1, 0], [1, 0], [2, 2]]).f, abs=1e-12)


def test_terms_soc_and_top_terms_by_hand(literal_ard):
    assert table(literal_ard, "AE-T1-TERM", "N_EVENTS").loc["Ascites"].to_dict() == {A: 2, B: 1, "ALL": 3}
    assert table(literal_ard, "AE-T1-TERM", "N_SUBJ").loc["Ascites"].to_dict() == {A: 1, B: 1, "ALL": 2}
    assert table(literal_ard, "AE-T1-TERM", "N_EVENTS_GR2").loc["Ascites"].to_dict() == {A: 1, B: 0, "ALL": 1}
    assert one(literal_ard, "AE-T1-TERM", "N_EVENTS", "Ascites", A)["PARAM"] == "GI"
    assert table(literal_ard, "AE-T1-SOC", "N_EVENTS").loc["GI"].to_dict() == {A: 2, B: 1, "ALL": 3}
    ranks = table(literal_ard, "AE-TEAE-TOP3", "RANK")["ALL"].sort_values()
    # Fever and Hepatic encephalopathy tie (1 event, 1 subject): alphabetical, and the note names the one left out
    assert ranks.index.tolist() == ["Ascites", "Neutropenia", "Fever"]
    note = one(literal_ard, "AE-TEAE-TOP3", "RANK", "Fever", "ALL")["NOTE"]
    assert note.endswith("Hepatic encephalopathy")
    assert table(literal_ard, "AE-T1-TOP3", "N_EVENTS").loc["Neutropenia"].to_dict() == {A: 1, B: 1, "ALL": 2}


def test_serious_events_listed_apart(literal_ard):
    assert table(literal_ard, "AE-SAE-COUNT", "N_EVENTS").loc["SAE"].to_dict() == {A: 1, B: 0, "ALL": 1}
    listing = literal_ard[literal_ard["ANALYSIS"].eq("AE-SAE-LIST")]
    assert set(listing["PARAMCD"]) == {"SAE01"} and set(listing["GROUP"]) == {A}
    cells = listing.set_index("STATISTIC")
    assert cells.loc["USUBJID", "VALUEC"] == "A2" and cells.loc["AEDECOD", "VALUEC"] == "Hepatic encephalopathy"
    assert cells.loc["ASTDY", "VALUE"] == 40 and cells.loc["GRADE", "VALUE"] == 5
    assert cells.loc["AEOUT", "VALUEC"] == "FATAL" and cells.loc["CRITERIA", "VALUEC"] == "DEATH; HOSPITALISATION"
    assert cells.loc["ONSET_MONTHS", "VALUE"] == pytest.approx(39 / (365.25 / 12), abs=1e-12)


def test_relationship_falls_back_to_arel_and_missing_variables_are_refused():
    adam = literal_adam()
    adae = adam["ADAE"].drop(columns="AERELTRL")
    adae["AREL"] = np.where(adam["ADAE"]["AERELTRL"].eq(PR), "RELATED", "NOT RELATED")
    ard = analyse_adverse_events({**adam, "ADAE": adae})
    rel = table(ard, "AE-T1-REL", "N_EVENTS")
    assert rel.loc["REL1"].to_dict() == {A: 1, B: 0, "ALL": 1}
    assert one(ard, "AE-T1-REL", "N_EVENTS", "REL2", A)["PARAM"] == "NOT RELATED"
    numbered = adam["ADAE"].assign(ARELTRLN=adam["ADAE"]["AERELTRL"].map({PR: 2.0, PI: 3.0, AI: 4.0}))
    analyse_adverse_events({**adam, "ADAE": numbered})                       # the scale agrees with ARELTRLN
    with pytest.raises(AnalysisError, match="'relationship_scale' must list AERELTRL in ARELTRLN order"):
        analyse_adverse_events({**adam, "ADAE": numbered}, relationship_scale=(AI, PI, PR))
    with pytest.raises(AnalysisError, match=r"ADAE must have variables .* none named \['AESER'\]"):
        analyse_adverse_events({**adam, "ADAE": adam["ADAE"].drop(columns="AESER")})


# --- the default study ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def study_ae(adam_study):
    return analyse_adverse_events(adam_study)


def _column_sums(ard, analysis, statistic="N_EVENTS", exclude=()) -> pd.Series:
    wide = table(ard, analysis, statistic)
    return wide.drop(index=[i for i in exclude if i in wide.index]).sum()


@pytest.mark.parametrize("scope", ["T1", "TEAE"])
def test_study_counts_add_up_to_the_totals(study_ae, scope):
    total = table(study_ae, f"AE-{scope}-TOTAL", "N_EVENTS").loc["ANY"]
    groups = total.drop("ALL")
    assert total["ALL"] == groups.sum()
    for analysis in ("GRADE", "REL", "TERM", "SOC"):
        pd.testing.assert_series_equal(_column_sums(study_ae, f"AE-{scope}-{analysis}"), total, check_names=False)
    grades = table(study_ae, f"AE-{scope}-GRADE", "N_EVENTS")
    for grade in grades.index:
        by_term = _column_sums(study_ae, f"AE-{scope}-TERM", f"N_EVENTS_{grade}")
        pd.testing.assert_series_equal(by_term, grades.loc[grade], check_names=False)
    pct = table(study_ae, f"AE-{scope}-GRADE", "PCT_EVENTS").sum()
    assert np.allclose(pct.to_numpy(), 100.0)
    subjects = table(study_ae, f"AE-{scope}-TOTAL", "N_SUBJ").loc["ANY"]
    assert (subjects <= table(study_ae, f"AE-{scope}-TOTAL", "N_POP").loc["ANY"]).all()
    terms = table(study_ae, f"AE-{scope}-TERM", "N_SUBJ")
    assert (terms <= table(study_ae, f"AE-{scope}-TERM", "N_EVENTS")).all().all()


def test_study_serious_events_split_the_teae_total(study_ae, adam_study):
    t1 = table(study_ae, "AE-T1-TOTAL", "N_EVENTS").loc["ANY"]
    sae = table(study_ae, "AE-SAE-COUNT", "N_EVENTS").loc["SAE"]
    pd.testing.assert_series_equal(t1 + sae, table(study_ae, "AE-TEAE-TOTAL", "N_EVENTS").loc["ANY"],
                                   check_names=False)
    listing = study_ae[study_ae["ANALYSIS"].eq("AE-SAE-LIST")]
    assert listing["PARAMCD"].nunique() == sae["ALL"]
    adae = adam_study["ADAE"]
    assert sae["ALL"] == (adae["AESER"].eq("Y") & adae["TRTEMFL"].eq("Y")).sum()


def test_study_tests_are_the_methods_on_the_ard_tables(study_ae):
    for paramcd, analysis in (("GRADE", "AE-T1-GRADE"), ("REL", "AE-T1-REL")):
        counts = table(study_ae, analysis, "N_EVENTS").drop(columns="ALL")
        order = study_ae[study_ae["ANALYSIS"].eq(analysis)].dropna(subset=["GROUPN"]).drop_duplicates("GROUP")
        counts = counts[order.sort_values("GROUPN")["GROUP"].tolist()]
        expected = repeated_measures_anova(counts.to_numpy())
        assert one(study_ae, "AE-T1-RMANOVA", "F", paramcd, "")["VALUE"] == pytest.approx(expected.f, abs=1e-12)
        assert one(study_ae, "AE-T1-RMANOVA", "P_GG", paramcd, "")["VALUE"] == pytest.approx(expected.p_value_gg,
                                                                                            abs=1e-12)
        assert 0 <= one(study_ae, "AE-T1-CATTEST", "P", paramcd, "")["VALUE"] <= 1


def test_study_top_terms(study_ae):
    ranks = table(study_ae, "AE-T1-TOP15", "RANK")["ALL"].sort_values()
    assert ranks.tolist() == list(range(1, 16))
    events = table(study_ae, "AE-T1-TOP15", "N_EVENTS")["ALL"].reindex(ranks.index)
    assert events.is_monotonic_decreasing
    every_term = table(study_ae, "AE-T1-TERM", "N_EVENTS")["ALL"]
    assert (every_term.drop(ranks.index) <= events.min()).all()
