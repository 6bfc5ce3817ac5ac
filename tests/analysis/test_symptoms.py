"""Symptom shift tables (symptoms.py): a literal ADCE with hand counts, the default study's internal
consistency, and a 10,000-subject run."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.analysis.ard import ARD_COLUMNS
from cdisc_pipe.analysis.methods.inputs import AnalysisError
from cdisc_pipe.analysis.methods.shift import SHIFT_CELLS
from cdisc_pipe.analysis.symptoms import SHIFT_STATISTICS, SYMPTOMS, analyse_symptoms

KEY = ["ANALYSIS", "PARAMCD", "GROUP", "AVISITN", "STATISTIC"]


def _adsl() -> pd.DataFrame:
    rows = [("L1", "LOW", 1, "Y"), ("L2", "LOW", 1, "Y"), ("L3", "LOW", 1, "Y"), ("L4", "LOW", 1, "Y"),
            ("M1", "MEDIUM", 2, "N"), ("M2", "MEDIUM", 2, "Y"), ("H1", "HIGH", 3, "Y"), ("H2", "HIGH", 3, "Y")]
    return pd.DataFrame(rows, columns=["USUBJID", "TRT01A", "TRT01AN", "FASFL"]).assign(SAFFL="Y")


def _adce() -> pd.DataFrame:
    """Ascites: baseline L1-L3 +, L4 -, M1 +, M2 -, H1 -, H2 +; day 29 and day 57 as commented."""
    baseline = {"L1": "Y", "L2": "Y", "L3": "Y", "L4": "N", "M1": "Y", "M2": "N", "H1": "N", "H2": "Y"}
    visits = {
        -1: {s: v for s, v in baseline.items()},  # screening: not analysed
        0: baseline,
        29: {"L1": "N", "L2": "N", "L3": "Y", "L4": "Y", "M1": "N", "H1": "Y", "H2": "Y"},  # M2 missed
        57: {"L1": "N", "L2": "Y", "L4": "N", "M2": "N", "H1": "N", "H2": "N"},  # L3 missed
    }
    rows = []
    for visit, values in visits.items():
        for subject, value in values.items():
            rows.append({"USUBJID": subject, "PARAMCD": "ASCITES", "PARAM": "Ascites Present", "AVISITN": visit,
                         "AVISIT": {-1: "SCREENING", 0: "BASELINE"}.get(visit, f"DAY {visit}"),
                         "ABLFL": "Y" if visit == 0 else "", "BASEC": baseline[subject], "AVALC": value,
                         "TRT01A": "STALE"})
    frame = pd.DataFrame(rows)
    other = frame.assign(PARAMCD="HEMATEM", PARAM="Haematemesis Present", BASEC="N", AVALC="N")
    return pd.concat([frame, other], ignore_index=True)


def _get(ard, analysis, paramcd, group, visit, statistic):
    row = ard[(ard["ANALYSIS"] == analysis) & (ard["PARAMCD"] == paramcd) & (ard["GROUP"] == group)
              & (ard["AVISITN"] == visit) & (ard["STATISTIC"] == statistic)]
    assert len(row) == 1, (analysis, paramcd, group, visit, statistic)
    return row.iloc[0]


def _cells(ard, paramcd, group, visit, names=("N", *SHIFT_CELLS, "NMISS")):
    return [_get(ard, "SYMP-SHIFT", paramcd, group, visit, name)["VALUE"] for name in names]


def test_shift_counts_by_hand():
    ard = analyse_symptoms({"ADSL": _adsl(), "ADCE": _adce()})
    assert list(ard.columns) == ARD_COLUMNS and not ard.duplicated(KEY).any()
    # LOW day 29: L1 +/-, L2 +/-, L3 +/+, L4 -/+
    assert _cells(ard, "ASCITES", "LOW", 29) == [4, 1, 2, 1, 0, 0]
    # LOW day 57: L1 +/-, L2 +/+, L4 -/-; L3 missed
    assert _cells(ard, "ASCITES", "LOW", 57) == [3, 1, 1, 0, 1, 1]
    # MEDIUM: M1 is not in the full analysis set; M2 missed day 29, -/- on day 57
    assert _cells(ard, "ASCITES", "MEDIUM", 29) == [0, 0, 0, 0, 0, 1]
    assert _cells(ard, "ASCITES", "MEDIUM", 57) == [1, 0, 0, 0, 1, 0]
    # HIGH day 29: H1 -/+, H2 +/+; day 57: H1 -/-, H2 +/-
    assert _cells(ard, "ASCITES", "HIGH", 29) == [2, 1, 0, 1, 0, 0]
    assert _cells(ard, "ASCITES", "HIGH", 57) == [2, 0, 1, 0, 1, 0]


def test_derived_counts_and_percentages():
    ard = analyse_symptoms({"ADSL": _adsl(), "ADCE": _adce()})
    names = ("BASE+", "BASE-", "PCT +/-", "PCT +/- OF BASE+", "PCT -/+ OF BASE-")
    assert _cells(ard, "ASCITES", "LOW", 29, names) == pytest.approx([3, 1, 50.0, 200 / 3, 100.0])
    hematem = _get(ard, "SYMP-SHIFT", "HEMATEM", "LOW", 29, "PCT +/- OF BASE+")
    assert np.isnan(hematem["VALUE"]) and hematem["NOTE"] == "no subject positive at baseline"
    empty = _get(ard, "SYMP-SHIFT", "ASCITES", "MEDIUM", 29, "PCT +/+")
    assert np.isnan(empty["VALUE"]) and empty["NOTE"] == "N = 0"


def test_baseline_counts():
    ard = analyse_symptoms({"ADSL": _adsl(), "ADCE": _adce()})
    names = ("N", "POS", "NEG", "NMISS", "PCT POS")
    got = [_get(ard, "SYMP-BASELINE", "ASCITES", "LOW", 0, n)["VALUE"] for n in names]
    assert got == [4, 3, 1, 0, 75.0]
    assert [_get(ard, "SYMP-BASELINE", "ASCITES", "MEDIUM", 0, n)["VALUE"] for n in names] == [1, 0, 1, 0, 0.0]
    assert (ard.loc[ard["ANALYSIS"] == "SYMP-BASELINE", "AVISIT"] == "BASELINE").all()
    assert not ((ard["ANALYSIS"] == "SYMP-SHIFT") & (ard["AVISITN"] <= 0)).any()


def test_group_comes_from_adsl_and_population_is_stated():
    ard = analyse_symptoms({"ADSL": _adsl(), "ADCE": _adce()})
    assert set(ard["GROUP"]) == {"LOW", "MEDIUM", "HIGH"}
    assert ard.loc[ard["GROUP"] == "HIGH", "GROUPN"].eq(3).all()
    assert ard["METHOD"].str.contains("FASFL = 'Y'").all()


def test_missing_dataset_raises():
    with pytest.raises(AnalysisError, match="ADCE"):
        analyse_symptoms({"ADSL": _adsl()})


# --- the whole default study ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def study_ard(adam_study):
    return analyse_symptoms(adam_study)


def test_study_cells_sum_to_n_and_n_plus_missing_is_the_fas_size(study_ard, adam_study):
    shift = study_ard[study_ard["ANALYSIS"] == "SYMP-SHIFT"]
    wide = shift.pivot(index=["PARAMCD", "GROUP", "AVISITN"], columns="STATISTIC", values="VALUE")
    assert set(wide.columns) == set(SHIFT_STATISTICS)
    assert (wide[list(SHIFT_CELLS)].sum(axis=1) == wide["N"]).all()
    assert (wide["BASE+"] + wide["BASE-"] == wide["N"]).all()
    adsl = adam_study["ADSL"]
    fas = adsl[adsl["FASFL"] == "Y"].groupby("TRT01A")["USUBJID"].nunique()
    assert ((wide["N"] + wide["NMISS"]).to_numpy() == wide.index.get_level_values("GROUP").map(fas).to_numpy()).all()
    assert set(wide.index.get_level_values("PARAMCD")) == set(SYMPTOMS)
    assert set(wide.index.get_level_values("AVISITN")) == {29.0, 57.0, 85.0, 169.0}


def test_study_baseline_matches_shift_margins(study_ard):
    """A subject seen at a visit is counted at baseline, so BASE+ at a visit never exceeds POS at baseline."""
    base = study_ard[(study_ard["ANALYSIS"] == "SYMP-BASELINE") & (study_ard["STATISTIC"] == "POS")]
    shift = study_ard[(study_ard["ANALYSIS"] == "SYMP-SHIFT") & (study_ard["STATISTIC"] == "BASE+")]
    merged = shift.merge(base, on=["PARAMCD", "GROUP"], suffixes=("", "_BL"))
    assert len(merged) == len(shift) and (merged["VALUE"] <= merged["VALUE_BL"]).all()


def test_study_is_deterministic(study_ard, adam_study):
    pd.testing.assert_frame_equal(study_ard, analyse_symptoms(adam_study))


@pytest.mark.slow
def test_ten_thousand_subjects():
    rng = np.random.default_rng(3)
    n = 10_000
    ids = np.array([f"S{i:06d}" for i in range(n)])
    arm = rng.integers(1, 4, n)
    adsl = pd.DataFrame({"USUBJID": ids, "TRT01A": pd.Series(arm).map({1: "LOW", 2: "MEDIUM", 3: "HIGH"}),
                         "TRT01AN": arm.astype(float), "FASFL": "Y"})
    visits = np.array([0, 29, 57, 85, 169], dtype=float)
    grid = pd.MultiIndex.from_product([ids, SYMPTOMS, visits], names=["USUBJID", "PARAMCD", "AVISITN"]).to_frame(
        index=False)
    grid["AVALC"] = np.where(rng.random(len(grid)) < 0.3, "Y", "N")
    grid["ABLFL"] = np.where(grid["AVISITN"] == 0, "Y", "")
    base = grid[grid["ABLFL"] == "Y"].set_index(["USUBJID", "PARAMCD"])["AVALC"]
    grid["BASEC"] = base.reindex(pd.MultiIndex.from_frame(grid[["USUBJID", "PARAMCD"]])).to_numpy()
    grid["PARAM"] = grid["PARAMCD"]
    grid["AVISIT"] = np.where(grid["AVISITN"] == 0, "BASELINE", "DAY " + grid["AVISITN"].astype(int).astype(str))
    began = time.perf_counter()
    ard = analyse_symptoms({"ADSL": adsl, "ADCE": grid.sample(frac=0.9, random_state=1)})
    assert time.perf_counter() - began < 30
    wide = ard[ard["ANALYSIS"] == "SYMP-SHIFT"].pivot(index=["PARAMCD", "GROUP", "AVISITN"], columns="STATISTIC",
                                                       values="VALUE")
    assert (wide[list(SHIFT_CELLS)].sum(axis=1) == wide["N"]).all()
