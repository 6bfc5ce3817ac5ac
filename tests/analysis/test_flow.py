"""Study flow [Figure 1] from ADSL: literal frames with hand-counted expectations, and whole-study consistency."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.analysis.ard import ARD_COLUMNS
from cdisc_pipe.analysis.flow import analyse_flow, treatment_groups
from cdisc_pipe.analysis.methods.inputs import AnalysisError

# Group labels sort the other way round from TRT01AN, so the order must come from TRT01AN.
LOW, HIGH = "Z low dose", "A high dose"


def adsl_literal() -> pd.DataFrame:
    rows = [
        # USUBJID, TRT01A, TRT01AN, ITTFL, SAFFL, FASFL, COMPLFL, EOSSTT, DCSREAS, DTHFL
        ("S1", LOW, 1, "Y", "Y", "Y", "Y", "COMPLETED", "", ""),
        ("S2", LOW, 1, "Y", "Y", "Y", "N", "DISCONTINUED", "LOST TO FOLLOW-UP", ""),
        ("S3", LOW, 1, "Y", "Y", "Y", "Y", "DISCONTINUED", "DEATH", "Y"),
        ("S4", HIGH, 2, "Y", "Y", "Y", "Y", "COMPLETED", "", ""),
        ("S5", HIGH, 2, "Y", "Y", "Y", "N", "DISCONTINUED", "WITHDRAWAL BY SUBJECT", ""),
        ("S6", HIGH, 2, "Y", "Y", "N", "Y", "ONGOING", "", ""),
    ]
    return pd.DataFrame(rows, columns=["USUBJID", "TRT01A", "TRT01AN", "ITTFL", "SAFFL", "FASFL", "COMPLFL",
                                       "EOSSTT", "DCSREAS", "DTHFL"]).astype({"TRT01AN": float})


def value(ard: pd.DataFrame, analysis: str, paramcd: str, group: str, statistic: str = "N_SUBJ") -> float:
    rows = ard[ard["ANALYSIS"].eq(analysis) & ard["PARAMCD"].eq(paramcd) & ard["GROUP"].eq(group)
               & ard["STATISTIC"].eq(statistic)]
    assert len(rows) == 1, (analysis, paramcd, group, statistic, len(rows))
    return float(rows["VALUE"].iloc[0])


def test_disposition_counts_by_hand():
    ard = analyse_flow({"ADSL": adsl_literal()})
    assert list(ard.columns) == ARD_COLUMNS
    expected = {  # PARAMCD: (LOW, HIGH, ALL)
        "ENROLLED": (3, 3, 6), "TREATED": (3, 3, 6), "FAS": (3, 2, 5), "COMPL24W": (2, 2, 4),
        "NCOMPL24W": (1, 1, 2), "EOS_COMPLETED": (1, 1, 2), "EOS_DISCONTINUED": (2, 1, 3),
        "EOS_ONGOING": (0, 1, 1), "DEATH": (1, 0, 1),
    }
    for code, counts in expected.items():
        got = tuple(value(ard, "FLOW-DISP", code, g) for g in (LOW, HIGH, "ALL"))
        assert got == counts, code
    assert value(ard, "FLOW-NCOMPL", "LOST TO FOLLOW-UP", LOW) == 1
    assert value(ard, "FLOW-NCOMPL", "LOST TO FOLLOW-UP", HIGH) == 0
    assert value(ard, "FLOW-NCOMPL", "WITHDRAWAL BY SUBJECT", "ALL") == 1
    assert value(ard, "FLOW-DCSREAS", "DEATH", LOW) == 1
    assert value(ard, "FLOW-DCSREAS", "WITHDRAWAL BY SUBJECT", HIGH) == 1
    assert set(ard.loc[ard["ANALYSIS"].eq("FLOW-DCSREAS"), "PARAMCD"]) == {
        "DEATH", "LOST TO FOLLOW-UP", "WITHDRAWAL BY SUBJECT"}


def test_groups_follow_trt01an_not_the_alphabet():
    groups = treatment_groups(adsl_literal())
    assert list(groups["GROUP"].cat.categories) == [LOW, HIGH]
    ard = analyse_flow({"ADSL": adsl_literal()})
    disp = ard[ard["ANALYSIS"].eq("FLOW-DISP") & ard["PARAMCD"].eq("ENROLLED")]
    assert disp.set_index("GROUP")["GROUPN"].to_dict() == {LOW: 1.0, HIGH: 2.0, "ALL": pytest.approx(np.nan,
                                                                                                      nan_ok=True)}


def test_screened_is_not_derivable_from_an_adsl_of_enrolled_subjects():
    ard = analyse_flow({"ADSL": adsl_literal()})
    for code in ("SCREENED", "SCRNFAIL"):
        row = ard[ard["ANALYSIS"].eq("FLOW-SCREEN") & ard["PARAMCD"].eq(code)]
        assert np.isnan(row["VALUE"].iloc[0])
        assert row["NOTE"].iloc[0].startswith("not derivable from ADaM")
    assert value(ard, "FLOW-SCREEN", "ENROLLED", "ALL") == 6


def test_screen_failures_kept_in_adsl_are_counted():
    adsl = adsl_literal().assign(ENRLFL="Y")
    failures = pd.DataFrame({"USUBJID": ["F1", "F2"], "TRT01A": "", "TRT01AN": np.nan, "ITTFL": "N", "SAFFL": "N",
                             "FASFL": "N", "COMPLFL": "N", "EOSSTT": "DISCONTINUED", "DCSREAS": "SCREEN FAILURE",
                             "DTHFL": "", "ENRLFL": "N"})
    ard = analyse_flow({"ADSL": pd.concat([adsl, failures], ignore_index=True)})
    assert value(ard, "FLOW-SCREEN", "SCREENED", "ALL") == 8
    assert value(ard, "FLOW-SCREEN", "SCRNFAIL", "ALL") == 2
    assert value(ard, "FLOW-SCREEN", "ENROLLED", "ALL") == 6
    assert value(ard, "FLOW-SCREEN", "SFREAS:SCREEN FAILURE", "ALL") == 2
    # the screen failures are in no group and in no disposition count
    assert value(ard, "FLOW-DISP", "ENROLLED", "ALL") == 6
    assert value(ard, "FLOW-DCSREAS", "DEATH", "ALL") == 1
    assert not ard["PARAMCD"].eq("SCREEN FAILURE").any()


def test_missing_variables_are_refused():
    with pytest.raises(AnalysisError, match=r"ADSL must have variables .* none named \['COMPLFL'\]"):
        analyse_flow({"ADSL": adsl_literal().drop(columns="COMPLFL")})
    with pytest.raises(AnalysisError, match="ADaM must include dataset ADSL"):
        analyse_flow({})


def test_duplicate_trt01an_is_refused():
    adsl = adsl_literal().assign(TRT01AN=1.0)
    with pytest.raises(AnalysisError, match="TRT01AN must give each TRT01A one order number"):
        analyse_flow({"ADSL": adsl})


# --- the default study, read back from its XPT files ------------------------------------------------------

@pytest.fixture(scope="module")
def study_flow(adam_study):
    return analyse_flow(adam_study)


def _by_group(ard: pd.DataFrame, analysis: str, paramcd: str | None = None) -> pd.Series:
    rows = ard[ard["ANALYSIS"].eq(analysis) & (ard["PARAMCD"].eq(paramcd) if paramcd else True)]
    return rows.groupby("GROUP")["VALUE"].sum()


def test_study_flow_is_internally_consistent(study_flow, adam_study):
    adsl = adam_study["ADSL"]
    enrolled = _by_group(study_flow, "FLOW-DISP", "ENROLLED")
    groups = enrolled.drop("ALL")
    assert enrolled["ALL"] == groups.sum() == len(adsl[adsl["ITTFL"].eq("Y")])
    completed = _by_group(study_flow, "FLOW-DISP", "COMPL24W")
    not_completed = _by_group(study_flow, "FLOW-DISP", "NCOMPL24W")
    pd.testing.assert_series_equal(completed + not_completed, enrolled, check_names=False)
    pd.testing.assert_series_equal(_by_group(study_flow, "FLOW-NCOMPL").reindex(enrolled.index, fill_value=0.0),
                                   not_completed, check_names=False)
    ends = sum(_by_group(study_flow, "FLOW-DISP", f"EOS_{s}") for s in ("COMPLETED", "DISCONTINUED", "ONGOING"))
    pd.testing.assert_series_equal(ends, enrolled, check_names=False)
    pd.testing.assert_series_equal(_by_group(study_flow, "FLOW-DCSREAS").reindex(enrolled.index, fill_value=0.0),
                                   _by_group(study_flow, "FLOW-DISP", "EOS_DISCONTINUED"), check_names=False)
    assert _by_group(study_flow, "FLOW-DISP", "DEATH")["ALL"] == adsl["DTHFL"].eq("Y").sum()
    assert (_by_group(study_flow, "FLOW-DISP", "TREATED") <= enrolled).all()


def test_study_screened_count_follows_what_adsl_holds(study_flow, adam_study):
    adsl = adam_study["ADSL"]
    screened = study_flow[study_flow["ANALYSIS"].eq("FLOW-SCREEN") & study_flow["PARAMCD"].eq("SCREENED")]
    if "ENRLFL" in adsl.columns:
        assert screened["VALUE"].iloc[0] == len(adsl)
    elif adsl["ITTFL"].eq("Y").all():
        assert np.isnan(screened["VALUE"].iloc[0]) and "not derivable" in screened["NOTE"].iloc[0]
