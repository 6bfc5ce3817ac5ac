"""Continuous parameters by group and visit (continuous_params.py, continuous_tables.py): literal ADaM frames
with hand-worked values, the whole default study's internal consistency, and a 10,000-subject run."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cdisc_pipe.analysis.ard import ARD_COLUMNS
from cdisc_pipe.analysis.continuous_params import (CONTINUOUS_PARAMETERS, FALLBACK_DECIMALS, build_continuous_frame,
                                                    compute_collected_decimals, parameter_catalogue)
from cdisc_pipe.analysis.continuous_tables import DESCRIPTIVE_STATISTICS, analyse_continuous
from cdisc_pipe.analysis.methods.inputs import AnalysisError

KEY = ["ANALYSIS", "DATASET", "PARAMCD", "GROUP", "AVISITN", "STATISTIC"]


def _adsl() -> pd.DataFrame:
    rows = [("L1", "LOW", 1, "Y"), ("L2", "LOW", 1, "Y"), ("L3", "LOW", 1, "Y"), ("L4", "LOW", 1, "Y"),
            ("L5", "LOW", 1, "N"), ("M1", "MEDIUM", 2, "Y"), ("H1", "HIGH", 3, "Y"), ("H2", "HIGH", 3, "Y"),
            ("H3", "HIGH", 3, "Y")]
    return pd.DataFrame(rows, columns=["USUBJID", "TRT01A", "TRT01AN", "FASFL"]).assign(SAFFL="Y")


def _bds(rows, **constants) -> pd.DataFrame:
    """Records (USUBJID, AVISITN, AVAL, ABLFL, ANL01FL); BASE and CHG as ADaM derives them (float AVAL - BASE)."""
    frame = pd.DataFrame(rows, columns=["USUBJID", "AVISITN", "AVAL", "ABLFL", "ANL01FL"]).assign(**constants)
    frame["AVISIT"] = np.where(frame["AVISITN"] <= 0, "BASELINE", "DAY " + frame["AVISITN"].astype(int).astype(str))
    base = frame[frame["ABLFL"] == "Y"].set_index("USUBJID")["AVAL"]
    frame["BASE"] = frame["USUBJID"].map(base)
    frame["CHG"] = frame["AVAL"] - frame["BASE"]
    frame["TRT01A"] = "STALE LABEL"  # the analysis takes the group from ADSL, never from the BDS dataset
    return frame


def _adlb() -> pd.DataFrame:
    rows = [("L1", 0, 25.0, "", ""),  # screening sample in the baseline window: not analysed
            ("L1", 0, 30.1, "Y", "Y"), ("L2", 0, 28.4, "Y", "Y"), ("L3", 0, 33.0, "Y", "Y"), ("L4", 0, 31.2, "Y", "Y"),
            ("L5", 0, 30.0, "Y", "Y"), ("H1", 0, 29.9, "Y", "Y"), ("H2", 0, 27.0, "Y", "Y"), ("H3", 0, 35.5, "Y", "Y"),
            # day 29: L1 30.4 - 30.1 = 0.29999999999999716, L2 28.7 - 28.4 = 0.3000000000000007: one tie at 0.3
            ("L1", 29, 30.4, "", "Y"), ("L2", 29, 28.7, "", "Y"), ("L3", 29, 32.8, "", "Y"), ("L4", 29, 31.2, "", "Y"),
            ("L3", 29, 99.0, "", ""),  # a second sample in the window, not the flagged one
            ("L5", 29, 35.0, "", "Y"),  # not in the full analysis set
            ("H1", 29, 31.0, "", "Y"), ("H2", 29, 27.5, "", "Y"), ("H3", 29, 35.0, "", "Y"),
            ("L1", 57, 31.0, "", "Y")]
    return _bds(rows, PARAMCD="ALB", PARAM="Albumin (g/L)")


def _adliver() -> pd.DataFrame:
    rows = [("L1", -14, 9.0, "", ""), ("L1", 1, 9.0, "Y", ""), ("L1", 29, 8.0, "", ""), ("L1", 57, 7.0, "", ""),
            ("H1", 1, 8.0, "Y", ""), ("H1", 29, 8.0, "", "")]
    frame = _bds(rows, PARAMCD="CHILDPUG", PARAM="Child-Pugh Score").drop(columns="ANL01FL")
    frame["AVISIT"] = frame["AVISITN"].map({-14: "SCREENING", 1: "DAY 1", 29: "DAY 29", 57: "DAY 57"})
    frame["DTYPE"] = np.where(frame["AVISITN"] == 57, "LOCF", "")
    return frame


def _adqs() -> pd.DataFrame:
    rows = [("L1", 85, 60.0, "Y", ""), ("L1", 169, 200.0 / 3.0, "", ""), ("H1", 85, 40.0, "Y", ""),
            ("H1", 169, 35.0, "", "")]
    scales = _bds(rows, PARAMCD="R36PF", PARAM="RAND-36 Physical Functioning Score").drop(columns="ANL01FL")
    items = scales.assign(PARAMCD="R360103", PARAM="item", AVAL=1.0)
    return pd.concat([scales.assign(PARCAT2="SCALE"), items.assign(PARCAT2="ITEM")], ignore_index=True)


def _advs() -> pd.DataFrame:
    rows = [("L1", 0, 60.2, "Y", "Y"), ("L1", 8, 61.0, "", "Y"), ("L1", 29, 60.0, "", "Y")]
    return _bds(rows, PARAMCD="WEIGHT", PARAM="Weight (kg)")


def _adam() -> dict[str, pd.DataFrame]:
    return {"ADSL": _adsl(), "ADLB": _adlb(), "ADLIVER": _adliver(), "ADQS": _adqs(), "ADVS": _advs()}


def _value(ard: pd.DataFrame, analysis: str, paramcd: str, group: str, visit: float, statistic: str) -> pd.Series:
    row = ard[(ard["ANALYSIS"] == analysis) & (ard["PARAMCD"] == paramcd) & (ard["GROUP"] == group)
              & (ard["AVISITN"] == visit) & (ard["STATISTIC"] == statistic)]
    assert len(row) == 1, (analysis, paramcd, group, visit, statistic, len(row))
    return row.iloc[0]


# --- the analysis frame -----------------------------------------------------------------------------------

def test_collected_decimals_per_parameter():
    values = pd.Series([33.4, 30.12, 5000.0, 4761.0, 14.128312903804993, 200.0 / 3.0, np.nan, 1.0])
    keys = pd.Series(["A", "A", "B", "B", "C", "D", "E", "E"])
    got = compute_collected_decimals(values, keys)
    assert got.to_dict() == {"A": 2, "B": 0, "C": FALLBACK_DECIMALS, "D": FALLBACK_DECIMALS, "E": 0}


def test_frame_selects_flagged_fas_records_and_relabels_baseline():
    frame = build_continuous_frame(_adam())
    alb = frame[frame["PARAMCD"] == "ALB"]
    assert sorted(alb["USUBJID"].unique()) == ["H1", "H2", "H3", "L1", "L2", "L3", "L4"]  # L5 not FAS
    assert 25.0 not in alb["AVAL"].tolist() and 99.0 not in alb["AVAL"].tolist()  # unflagged records
    assert set(alb["TRT01A"]) == {"LOW", "HIGH"}  # from ADSL
    cp = frame[frame["PARAMCD"] == "CHILDPUG"].set_index(["USUBJID", "AVISITN"])
    assert cp.loc[("L1", 0.0), "AVISIT"] == "BASELINE" and ("L1", -14.0) not in cp.index  # ADLIVER DAY 1 -> BASELINE
    assert cp.loc[("L1", 57.0), "CHG"] == -2.0  # the LOCF score record is analysed
    pf = frame[frame["PARAMCD"] == "R36PF"]
    assert pf["AVISIT"].tolist() == ["DAY 85", "DAY 85", "DAY 169", "DAY 169"]  # ADQS keeps its DAY 85 baseline
    assert "R360103" not in set(frame["PARAMCD"])  # items are not analysed
    weight = frame[frame["PARAMCD"] == "WEIGHT"]
    assert weight["AVISITN"].tolist() == [0.0, 29.0]  # DAY 8 is not a paper visit


def test_chg_is_rounded_to_the_collected_precision_and_missing_on_baseline():
    frame = build_continuous_frame(_adam()).set_index(["PARAMCD", "USUBJID", "AVISITN"])
    assert frame.loc[("ALB", "L1", 29.0), "CHG"] == 0.3 == frame.loc[("ALB", "L2", 29.0), "CHG"]  # one tie
    assert frame.loc[("ALB", "L1", 29.0), "CHGDEC"] == 1
    assert frame.loc[("ALB", "H1", 29.0), "CHG"] == 1.1
    assert np.isnan(frame.loc[("ALB", "L1", 0.0), "CHG"])
    assert frame.loc[("R36PF", "L1", 169.0), "CHGDEC"] == FALLBACK_DECIMALS
    assert frame.loc[("R36PF", "L1", 169.0), "CHG"] == round(200.0 / 3.0 - 60.0, 10)


def test_adsl_is_required():
    with pytest.raises(AnalysisError, match="ADSL"):
        build_continuous_frame({"ADLB": _adlb()})


# --- descriptive statistics ---------------------------------------------------------------------------------

def test_descriptive_statistics_by_hand():
    ard = analyse_continuous(_adam())
    assert list(ard.columns) == ARD_COLUMNS
    assert not ard.duplicated(KEY).any()
    got = {s: _value(ard, "CONT-DESC-AVAL", "ALB", "LOW", 0.0, s)["VALUE"] for s in DESCRIPTIVE_STATISTICS}
    # 28.4 30.1 31.2 33.0; SAS PCTLDEF=5: Q1 = (x1 + x2) / 2, Q3 = (x3 + x4) / 2
    assert got["N"] == 4 and got["NMISS"] == 0
    assert got["MEAN"] == pytest.approx(30.675) and got["MEDIAN"] == pytest.approx(30.65)
    assert got["Q1"] == pytest.approx(29.25) and got["Q3"] == pytest.approx(32.1)
    assert got["SD"] == pytest.approx(np.std([28.4, 30.1, 31.2, 33.0], ddof=1))
    assert (got["MIN"], got["MAX"]) == (28.4, 33.0)
    medium = _value(ard, "CONT-DESC-AVAL", "ALB", "MEDIUM", 0.0, "NMISS")
    assert medium["VALUE"] == 1 and "no subject" in medium["NOTE"]
    chg = {s: _value(ard, "CONT-DESC-CHG", "ALB", "LOW", 29.0, s)["VALUE"] for s in ("N", "MEAN", "MEDIAN")}
    assert chg == pytest.approx({"N": 4, "MEAN": 0.1, "MEDIAN": 0.15})  # 0.3 0.3 -0.2 0
    assert _value(ard, "CONT-DESC-CHG", "ALB", "LOW", 57.0, "NMISS")["VALUE"] == 3
    assert _value(ard, "CONT-DESC-CHG", "ALB", "LOW", 57.0, "SD")["NOTE"] == "n = 1"


def test_no_change_rows_at_baseline():
    ard = analyse_continuous(_adam())
    chg_rows = ard[ard["ANALYSIS"] != "CONT-DESC-AVAL"]
    assert not (chg_rows["AVISIT"] == "BASELINE").any()
    assert not ((chg_rows["PARAMCD"] == "R36PF") & (chg_rows["AVISITN"] == 85)).any()
    aval = ard[(ard["ANALYSIS"] == "CONT-DESC-AVAL") & (ard["PARAMCD"] == "R36PF")]
    assert set(aval["AVISITN"]) == {85.0, 169.0}


def test_method_states_population_selection_and_rounding():
    ard = analyse_continuous(_adam())
    row = _value(ard, "CONT-DESC-CHG", "ALB", "LOW", 29.0, "MEAN")
    assert "FASFL = 'Y'" in row["METHOD"] and "ANL01FL = 'Y'" in row["METHOD"]
    assert "CHG rounded to 1 decimals" in row["METHOD"]
    assert "LOCF" in _value(ard, "CONT-DESC-AVAL", "CHILDPUG", "LOW", 0.0, "N")["METHOD"]
    assert "DAY 85" in _value(ard, "CONT-DESC-AVAL", "R36PF", "LOW", 85.0, "N")["METHOD"]


# --- tests ----------------------------------------------------------------------------------------------------

def test_signed_rank_r_and_sas_by_hand():
    ard = analyse_continuous(_adam())
    # LOW day 29: CHG 0.3 0.3 -0.2 0 -> zero dropped, n = 3, ranks 2.5 2.5 1, V = 5
    r_p = _value(ard, "CONT-SIGNRANK-R", "ALB", "LOW", 29.0, "P")
    assert _value(ard, "CONT-SIGNRANK-R", "ALB", "LOW", 29.0, "V")["VALUE"] == 5.0
    assert _value(ard, "CONT-SIGNRANK-R", "ALB", "LOW", 29.0, "N")["VALUE"] == 3
    sigma = np.sqrt(3 * 4 * 7 / 24 - (2**3 - 2) / 48)  # tie-corrected variance
    assert r_p["VALUE"] == pytest.approx(2 * stats.norm.sf((5 - 3 - 0.5) / sigma), rel=1e-12)
    assert "p-value by: normal-cc;" in r_p["METHOD"] and "zeros dropped: 1" in r_p["NOTE"] and "ties" in r_p["NOTE"]
    # SAS: the 8 sign assignments of 2.5 2.5 1 give V 0 1 2.5 2.5 3.5 3.5 5 6; |V - 3| >= 2 for 4 of them
    sas_p = _value(ard, "CONT-SIGNRANK-SAS", "ALB", "LOW", 29.0, "P")
    assert sas_p["VALUE"] == pytest.approx(0.5, abs=1e-15) and "p-value by: exact-conditional;" in sas_p["METHOD"]
    # HIGH day 29: 1.1 0.5 -0.5 -> ranks 3 1.5 1.5, V = 4.5; SAS: |V - 3| >= 1.5 for 6 of 8
    assert _value(ard, "CONT-SIGNRANK-SAS", "ALB", "HIGH", 29.0, "P")["VALUE"] == pytest.approx(0.75, abs=1e-15)
    # MEDIUM has no data: the row is there, not computable
    medium = _value(ard, "CONT-SIGNRANK-R", "ALB", "MEDIUM", 29.0, "P")
    assert np.isnan(medium["VALUE"]) and medium["NOTE"] == "no observations"


def test_between_group_tests_against_scipy():
    ard = analyse_continuous(_adam())
    low, high = [0.3, 0.3, -0.2, 0.0], [1.1, 0.5, -0.5]
    kw = stats.kruskal(low, high)
    assert _value(ard, "CONT-KW", "ALB", "ALL", 29.0, "H")["VALUE"] == pytest.approx(kw.statistic, rel=1e-12)
    assert _value(ard, "CONT-KW", "ALB", "ALL", 29.0, "P")["VALUE"] == pytest.approx(kw.pvalue, rel=1e-12)
    assert _value(ard, "CONT-KW", "ALB", "ALL", 29.0, "DF")["VALUE"] == 1  # MEDIUM has no values
    anova = stats.f_oneway(low, high)
    assert _value(ard, "CONT-ANOVA", "ALB", "ALL", 29.0, "P")["VALUE"] == pytest.approx(anova.pvalue, rel=1e-12)
    assert _value(ard, "CONT-ANOVA", "ALB", "ALL", 29.0, "DF2")["VALUE"] == 5
    assert np.isnan(_value(ard, "CONT-KW", "ALB", "ALL", 57.0, "P")["VALUE"])  # one group only
    assert np.isnan(_value(ard, "CONT-KW", "ALB", "ALL", 29.0, "P")["GROUPN"])  # an across-group row


def test_between_rule_picks_anova_only_when_every_group_is_normal():
    ard = analyse_continuous(_adam())
    test = _value(ard, "CONT-BETWEEN", "ALB", "ALL", 29.0, "TEST")
    shapiro = [_value(ard, "CONT-SHAPIRO", "ALB", g, 29.0, "P")["VALUE"] for g in ("LOW", "HIGH")]
    expected = "ANOVA" if all(p >= 0.05 for p in shapiro) else "KRUSKAL-WALLIS"
    assert test["VALUEC"] == expected
    source = "CONT-ANOVA" if expected == "ANOVA" else "CONT-KW"
    assert _value(ard, "CONT-BETWEEN", "ALB", "ALL", 29.0, "P")["VALUE"] == \
        _value(ard, source, "ALB", "ALL", 29.0, "P")["VALUE"]


def test_rank_sum_of_intlk17_at_day_57_lowest_vs_highest_group():
    adam = _adam()
    il17 = _bds([("L1", 0, 1.0, "Y", "Y"), ("L2", 0, 0.5, "Y", "Y"), ("H1", 0, 0.0, "Y", "Y"),
                 ("H2", 0, 0.2, "Y", "Y"), ("L1", 57, 3.25, "", "Y"), ("L2", 57, 2.5, "", "Y"),
                 ("H1", 57, 0.0, "", "Y"), ("H2", 57, 0.0, "", "Y")], PARAMCD="INTLK17", PARAM="Interleukin 17 (ng/L)")
    adam["ADLB"] = pd.concat([adam["ADLB"], il17], ignore_index=True)
    ard = analyse_continuous(adam)
    rows = ard[ard["ANALYSIS"].str.startswith("CONT-RANKSUM")]
    assert set(rows["ANALYSIS"]) == {"CONT-RANKSUM-CHG", "CONT-RANKSUM-AVAL", "CONT-RANKSUM-CHG-NOCC",
                                     "CONT-RANKSUM-AVAL-NOCC"}
    assert set(rows["GROUP"]) == {"LOW vs HIGH"} and (rows["AVISITN"] == 57).all()
    aval = rows[(rows["ANALYSIS"] == "CONT-RANKSUM-AVAL-NOCC") & (rows["STATISTIC"] == "P")].iloc[0]
    ref = stats.mannwhitneyu([3.25, 2.5], [0.0, 0.0], use_continuity=False, method="asymptotic")
    assert aval["VALUE"] == pytest.approx(ref.pvalue, rel=1e-12)
    chg = rows[(rows["ANALYSIS"] == "CONT-RANKSUM-CHG") & (rows["STATISTIC"] == "W")].iloc[0]
    assert chg["VALUE"] == 4.0  # CHG LOW 2.25 2.0 vs HIGH 0 -0.2: every x above every y


# --- the whole default study ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def study_ard(adam_study):
    return analyse_continuous(adam_study)


def test_study_n_plus_missing_is_the_fas_group_size(study_ard, adam_study):
    adsl = adam_study["ADSL"]
    fas = adsl[adsl["FASFL"] == "Y"].groupby("TRT01A")["USUBJID"].nunique()
    desc = study_ard[study_ard["ANALYSIS"].isin(["CONT-DESC-AVAL", "CONT-DESC-CHG"])]
    wide = desc.pivot(index=["ANALYSIS", "PARAMCD", "GROUP", "AVISITN"], columns="STATISTIC", values="VALUE")
    groups = wide.index.get_level_values("GROUP")
    assert ((wide["N"] + wide["NMISS"]).to_numpy() == groups.map(fas).to_numpy()).all()


def test_study_covers_every_catalogue_parameter_and_visit(study_ard):
    desc = study_ard[study_ard["ANALYSIS"] == "CONT-DESC-AVAL"]
    assert set(desc["PARAMCD"]) == {p.paramcd for p in CONTINUOUS_PARAMETERS}
    laboratory = desc[desc["DATASET"] != "ADQS"].groupby("PARAMCD")["AVISITN"].apply(set)
    assert all(visits == {0.0, 29.0, 57.0, 85.0, 169.0} for visits in laboratory)
    assert not study_ard.duplicated(KEY).any()
    assert not ((study_ard["ANALYSIS"] != "CONT-DESC-AVAL") & (study_ard["AVISIT"] == "BASELINE")).any()


def test_study_p_values_are_probabilities_or_explained(study_ard):
    p = study_ard[study_ard["STATISTIC"] == "P"]
    valid = p["VALUE"].between(0, 1)
    assert (valid | (p["VALUE"].isna() & p["METHOD"].str.contains("not computable"))).all()
    signrank = study_ard[study_ard["ANALYSIS"].str.startswith("CONT-SIGNRANK") & (study_ard["STATISTIC"] == "N")]
    chg_n = study_ard[(study_ard["ANALYSIS"] == "CONT-DESC-CHG") & (study_ard["STATISTIC"] == "N")]
    merged = signrank.merge(chg_n, on=["PARAMCD", "GROUP", "AVISITN"], suffixes=("", "_CHG"))
    assert (merged["VALUE"] <= merged["VALUE_CHG"]).all()  # zeros are dropped, nothing is added


def test_study_medium_has_no_intlk17_at_day_57(study_ard):
    assert _value(study_ard, "CONT-DESC-AVAL", "INTLK17", study_ard.loc[study_ard["GROUPN"] == 2, "GROUP"].iloc[0],
                  57.0, "N")["VALUE"] == 0
    assert (study_ard["ANALYSIS"] == "CONT-RANKSUM-CHG").sum() == 3


def test_study_is_deterministic(study_ard, adam_study):
    pd.testing.assert_frame_equal(study_ard, analyse_continuous(adam_study))


def test_catalogue_is_unique_and_ordered():
    catalogue = parameter_catalogue()
    assert not catalogue.duplicated(["DATASET", "PARAMCD"]).any()
    assert catalogue["ORDER"].tolist() == list(range(1, len(catalogue) + 1))


# --- scale ---------------------------------------------------------------------------------------------------

def synthetic_adam(n_subjects: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """A study of ``n_subjects`` (three groups) with ALB and INTLK17 in ADLB, CHILDPUG in ADLIVER, R36PF in
    ADQS and WEIGHT in ADVS; vectorised construction, values on each parameter's collected precision."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"S{i:06d}" for i in range(n_subjects)])
    arm = rng.integers(1, 4, n_subjects)
    adsl = pd.DataFrame({"USUBJID": ids, "TRT01A": pd.Series(arm).map({1: "LOW", 2: "MEDIUM", 3: "HIGH"}),
                         "TRT01AN": arm.astype(float), "FASFL": "Y", "SAFFL": "Y"})

    def bds(paramcd, visits, decimals, centre, spread, baseline_visit):
        subject = np.repeat(ids, len(visits))
        visit = np.tile(np.asarray(visits, dtype=float), n_subjects)
        aval = np.round(centre + spread * rng.standard_normal(subject.size), decimals)
        frame = pd.DataFrame({"USUBJID": subject, "AVISITN": visit, "AVAL": aval, "PARAMCD": paramcd,
                              "PARAM": paramcd, "ANL01FL": "Y", "PARCAT2": "SCALE", "DTYPE": ""})
        frame = frame.sample(frac=0.95, random_state=seed).sort_index()  # some visits missed
        frame["ABLFL"] = np.where(frame["AVISITN"] == baseline_visit, "Y", "")
        frame["AVISIT"] = np.where(frame["AVISITN"] == 0, "BASELINE", "DAY " + frame["AVISITN"].astype(int).astype(str))
        base = frame[frame["ABLFL"] == "Y"].set_index("USUBJID")["AVAL"]
        frame["CHG"] = frame["AVAL"] - frame["USUBJID"].map(base)
        return frame

    visits = (0, 29, 57, 85, 169)
    return {"ADSL": adsl,
            "ADLB": pd.concat([bds("ALB", visits, 1, 30, 3, 0), bds("INTLK17", visits, 2, 2, 1, 0)], ignore_index=True),
            "ADLIVER": bds("CHILDPUG", visits, 0, 8, 1, 0), "ADQS": bds("R36PF", (85, 169), 0, 60, 15, 85),
            "ADVS": bds("WEIGHT", visits, 1, 60, 8, 0)}


@pytest.mark.slow
def test_ten_thousand_subjects_run_vectorised():
    adam = synthetic_adam(10_000)
    began = time.perf_counter()
    ard = analyse_continuous(adam)
    seconds = time.perf_counter() - began
    assert seconds < 60, f"10,000 subjects must be analysed in under a minute (took {seconds:.1f} s)"
    n = ard[(ard["ANALYSIS"] == "CONT-DESC-AVAL") & (ard["STATISTIC"].isin(["N", "NMISS"]))]
    totals = n.groupby(["PARAMCD", "GROUP", "AVISITN"])["VALUE"].sum()
    sizes = adam["ADSL"].groupby("TRT01A")["USUBJID"].nunique()
    assert (totals.to_numpy() == totals.index.get_level_values("GROUP").map(sizes).to_numpy()).all()
    methods = ard.loc[(ard["ANALYSIS"] == "CONT-SIGNRANK-SAS") & (ard["STATISTIC"] == "P"), "METHOD"]
    assert methods.str.contains("p-value by: t;").all()  # n > 20: the t approximation, no enumeration
