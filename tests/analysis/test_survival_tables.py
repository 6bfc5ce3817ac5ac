"""Survival tables [Figure 2] from ADTTE: literal frames with hand-computed expectations, the CNSR flip test
through the real ADTTE, whole-study consistency, and R's survival package on the real data (skipped without R).

(Named ``test_survival_tables.py``: ``test_survival.py`` and ``test_survival_methods.py`` exist elsewhere.)"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cdisc_pipe.analysis.methods.inputs import AnalysisError
from cdisc_pipe.analysis.survival import TIME_POINTS, analyse_survival, month_days

A, B = "Dose A", "Dose B"
Z = stats.norm.ppf(0.975)


def literal_adam() -> dict[str, pd.DataFrame]:
    """Group A starts in 2019 (cut-off far away: a censoring before t is a loss); group B starts 214 days before
    the cut-off (its censorings are the unfinished follow-up). X1 is not in the ITT population."""
    adsl = pd.DataFrame({
        "USUBJID": ["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "X1"],
        "TRT01A": [A] * 4 + [B] * 4 + [A], "TRT01AN": [1.0] * 4 + [2.0] * 4 + [1.0],
        "ITTFL": ["Y"] * 8 + ["N"], "DCUTDT": pd.Timestamp("2023-01-01")})
    os_rows = pd.DataFrame({
        "USUBJID": adsl["USUBJID"], "PARAMCD": "OS", "PARAM": "Overall Survival (days)", "PARAMN": 1.0,
        "AVAL": [100.0, 200.0, 800.0, 750.0, 50.0, 210.0, 190.0, 215.0, 10.0],
        "CNSR": [0.0, 1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 0.0],
        "STARTDT": [pd.Timestamp("2019-01-01")] * 4 + [pd.Timestamp("2022-06-01")] * 4 + [pd.Timestamp("2019-01-01")]})
    sae_rows = os_rows.assign(PARAMCD="TTSAE", PARAM="Time to First SAE (days)", PARAMN=2.0, CNSR=1.0,
                              AVAL=np.minimum(os_rows["AVAL"], 169.0))
    return {"ADSL": adsl, "ADTTE": pd.concat([os_rows, sae_rows], ignore_index=True)}


def pick(ard, analysis, statistic, *, group=None, paramcd="OS", avisitn=None) -> pd.Series:
    rows = ard[ard["ANALYSIS"].eq(analysis) & ard["STATISTIC"].eq(statistic) & ard["PARAMCD"].eq(paramcd)]
    if group is not None:
        rows = rows[rows["GROUP"].eq(group)]
    if avisitn is not None:
        rows = rows[rows["AVISITN"].eq(avisitn)]
    return rows


def one(ard, analysis, statistic, **where) -> float:
    rows = pick(ard, analysis, statistic, **where)
    assert len(rows) == 1, (analysis, statistic, where, len(rows))
    return float(rows["VALUE"].iloc[0])


def test_time_points_are_stated_day_counts():
    assert [month_days(m) for m in (0, 6, 12, 18, 24)] == [0, 183, 365, 548, 731]
    assert TIME_POINTS["OS"].estimates == (("MONTH 6", 183), ("MONTH 24", 731))


def test_kaplan_meier_at_fixed_times_by_hand():
    ard = analyse_survival(literal_adam())
    assert one(ard, "SURV-KM-AT", "SURV", group=A, avisitn=183) == 0.75
    assert one(ard, "SURV-KM-AT", "STDERR", group=A, avisitn=183) == pytest.approx(0.75 * np.sqrt(1 / 12), abs=1e-15)
    assert one(ard, "SURV-KM-AT", "LCL", group=A, avisitn=183) == pytest.approx(
        0.75 * np.exp(-Z * np.sqrt(1 / 12)), abs=1e-15)
    assert one(ard, "SURV-KM-AT", "N_RISK", group=A, avisitn=183) == 3
    assert one(ard, "SURV-KM-AT", "SURV", group=A, avisitn=731) == 0.75
    assert one(ard, "SURV-KM-AT", "N_RISK", group=A, avisitn=731) == 2
    assert one(ard, "SURV-KM-AT", "SURV", group=B, avisitn=183) == 0.75
    # B's last observed day is 215: no estimate at 2 years (R's summary(extend = FALSE)), said in NOTE
    late = pick(ard, "SURV-KM-AT", "SURV", group=B, avisitn=731)
    assert np.isnan(late["VALUE"].iloc[0]) and "no follow-up at day 731" in late["NOTE"].iloc[0]
    assert pick(ard, "SURV-KM-AT", "SURV", group=A, avisitn=183)["AVISIT"].iloc[0] == "MONTH 6"


def test_curve_numbers_at_risk_and_median_by_hand():
    ard = analyse_survival(literal_adam())
    curve = pick(ard, "SURV-KM-CURVE", "SURV", group=A).set_index("AVISITN")["VALUE"]
    assert curve.to_dict() == {0.0: 1.0, 100.0: 0.75, 200.0: 0.75, 750.0: 0.75, 800.0: 0.75}
    events = pick(ard, "SURV-KM-CURVE", "N_EVENT", group=A).set_index("AVISITN")["VALUE"]
    assert events[events > 0].index.tolist() == [100.0]
    risk = {g: pick(ard, "SURV-NRISK", "N_RISK", group=g).sort_values("AVISITN")["VALUE"].tolist() for g in (A, B)}
    assert risk == {A: [4, 3, 2, 2, 2], B: [4, 3, 0, 0, 0]}
    assert one(ard, "SURV-MEDIAN", "N", group=A) == 4 and one(ard, "SURV-MEDIAN", "N_EVENT", group=A) == 1
    median = pick(ard, "SURV-MEDIAN", "MEDIAN", group=A)
    assert np.isnan(median["VALUE"].iloc[0]) and "not reached" in median["NOTE"].iloc[0]


def test_logrank_by_hand():
    # event times 50 (B: 4 v 4 at risk) and 100 (A: 4 v 3): O_A - E_A = 1 - (1/2 + 4/7) = -1/14,
    # V = 1/4 + 12/49 = 97/196, so chi-square = (1/196) / (97/196) = 1/97 on 1 df
    ard = analyse_survival(literal_adam())
    assert one(ard, "SURV-LOGRANK", "CHISQ", group="") == pytest.approx(1 / 97, abs=1e-14)
    assert one(ard, "SURV-LOGRANK", "DF", group="") == 1
    assert one(ard, "SURV-LOGRANK", "P", group="") == pytest.approx(stats.chi2.sf(1 / 97, 1), abs=1e-14)
    assert one(ard, "SURV-LOGRANK", "EXPECTED", group=A) == pytest.approx(15 / 14, abs=1e-14)
    assert one(ard, "SURV-LOGRANK", "OBSERVED", group=B) == 1


def test_crude_rate_and_unfinished_follow_up():
    ard = analyse_survival(literal_adam())
    assert one(ard, "SURV-CRUDE", "RATE", group=A, avisitn=183) == 0.75     # the death at 100 counts against
    assert one(ard, "SURV-CRUDE", "RATE", group=A, avisitn=731) == 0.5      # and the loss at 200
    assert one(ard, "SURV-CRUDE", "RATE", group=B, avisitn=183) == 0.75
    for statistic in ("RATE", "N_ALIVE_FOLLOWED"):
        row = pick(ard, "SURV-CRUDE", statistic, group=B, avisitn=731)
        assert np.isnan(row["VALUE"].iloc[0])
        assert row["NOTE"].iloc[0].startswith("not estimable: 3 of 4 subjects could not be followed to day 731")
    assert one(ard, "SURV-CRUDE", "N", group=B, avisitn=731) == 4
    last = pick(ard, "SURV-CRUDE", "RATE", group=A)
    assert last[last["AVISIT"].eq("LAST CONTACT")]["VALUE"].iloc[0] == 0.75
    assert not pick(ard, "SURV-CRUDE", "RATE", paramcd="TTSAE").size   # the crude rate is for OS only


def test_without_a_cut_off_every_censoring_counts_and_the_note_says_so():
    adam = literal_adam()
    adam["ADSL"] = adam["ADSL"].drop(columns="DCUTDT")
    ard = analyse_survival(adam)
    row = pick(ard, "SURV-CRUDE", "RATE", group=B, avisitn=731)
    assert row["VALUE"].iloc[0] == 0.0 and "DCUTDT absent" in row["NOTE"].iloc[0]


def test_population_and_parameters():
    ard = analyse_survival(literal_adam())
    assert one(ard, "SURV-NRISK", "N_RISK", group=A, avisitn=0) == 4            # X1 (ITTFL = N) left out
    assert set(ard["PARAMCD"]) == {"OS", "TTSAE"}
    assert one(ard, "SURV-LOGRANK", "CHISQ", group="", paramcd="TTSAE") == 0     # no SAE: no test, said why
    p = pick(ard, "SURV-LOGRANK", "P", group="", paramcd="TTSAE")
    assert np.isnan(p["VALUE"].iloc[0]) and p["NOTE"].iloc[0]
    adam = literal_adam()
    adam["ADSL"] = adam["ADSL"].assign(SAFFL="Y")
    assert one(analyse_survival(adam, population="SAFFL"), "SURV-NRISK", "N_RISK", group=A, avisitn=0) == 5
    with pytest.raises(AnalysisError, match="ADTTE must have variables"):
        analyse_survival({"ADSL": literal_adam()["ADSL"], "ADTTE": literal_adam()["ADTTE"].drop(columns="CNSR")})


# --- the default study: CNSR flip test and consistency through the real ADTTE ----------------------------

@pytest.fixture(scope="module")
def study_survival(adam_study):
    return analyse_survival(adam_study)


def flipped(adam: dict) -> dict:
    adtte = adam["ADTTE"].assign(CNSR=np.where(adam["ADTTE"]["CNSR"].eq(0), 1.0, 0.0))
    return {**adam, "ADTTE": adtte}


def test_cnsr_zero_is_the_event_in_the_real_adtte(study_survival, adam_study):
    adtte, adsl = adam_study["ADTTE"], adam_study["ADSL"]
    itt = adsl.loc[adsl["ITTFL"].eq("Y"), ["USUBJID", "TRT01A"]]
    os_ = adtte[adtte["PARAMCD"].eq("OS")].drop(columns="TRT01A").merge(itt, on="USUBJID")
    events = os_[os_["CNSR"].eq(0)].groupby("TRT01A").size()
    got = pick(study_survival, "SURV-MEDIAN", "N_EVENT").set_index("GROUP")["VALUE"]
    assert got.to_dict() == events.reindex(got.index, fill_value=0).astype(float).to_dict()
    deaths = adsl[adsl["ITTFL"].eq("Y") & adsl["DTHFL"].eq("Y")].groupby("TRT01A").size()
    assert got.to_dict() == deaths.reindex(got.index, fill_value=0).astype(float).to_dict()
    # the curve drops exactly on the days of CNSR = 0 records, and nowhere else
    for group, records in os_.groupby("TRT01A"):
        curve = pick(study_survival, "SURV-KM-CURVE", "SURV", group=group).sort_values("AVISITN")
        drops = curve.loc[curve["VALUE"].diff().lt(0), "AVISITN"].tolist()
        assert drops == sorted(records.loc[records["CNSR"].eq(0), "AVAL"].unique().tolist())


def test_flipping_cnsr_flips_the_curves(study_survival, adam_study):
    flip = analyse_survival(flipped(adam_study))
    adtte = adam_study["ADTTE"]
    for paramcd in adtte["PARAMCD"].unique():
        original = pick(study_survival, "SURV-MEDIAN", "N_EVENT", paramcd=paramcd)["VALUE"].sum()
        censored = pick(study_survival, "SURV-MEDIAN", "N", paramcd=paramcd)["VALUE"].sum() - original
        assert pick(flip, "SURV-MEDIAN", "N_EVENT", paramcd=paramcd)["VALUE"].sum() == censored
    # with most records now events, every group's OS curve ends far lower than it did
    for group in pick(study_survival, "SURV-MEDIAN", "N")["GROUP"]:
        before = pick(study_survival, "SURV-KM-CURVE", "SURV", group=group).sort_values("AVISITN")["VALUE"]
        after = pick(flip, "SURV-KM-CURVE", "SURV", group=group).sort_values("AVISITN")["VALUE"]
        assert after.iloc[-1] < before.iloc[-1]


def test_study_survival_is_internally_consistent(study_survival, adam_study):
    adsl = adam_study["ADSL"]
    n_itt = adsl[adsl["ITTFL"].eq("Y")].groupby("TRT01A").size().astype(float)
    for paramcd in ("OS", "TTSAE"):
        start = pick(study_survival, "SURV-KM-CURVE", "SURV", paramcd=paramcd, avisitn=0)
        assert (start["VALUE"] == 1.0).all() and len(start) == len(n_itt)
        at_zero = pick(study_survival, "SURV-NRISK", "N_RISK", paramcd=paramcd, avisitn=0).set_index("GROUP")
        assert at_zero["VALUE"].to_dict() == n_itt.to_dict()
        curve = study_survival[study_survival["ANALYSIS"].eq("SURV-KM-CURVE") & study_survival["PARAMCD"].eq(paramcd)]
        wide = curve.pivot_table(index=["GROUP", "AVISITN"], columns="STATISTIC", values="VALUE")
        for _, one_group in wide.groupby(level="GROUP"):
            assert one_group["SURV"].is_monotonic_decreasing
            assert (one_group["LCL"].fillna(0) <= one_group["SURV"]).all()
            assert (one_group["SURV"] <= one_group["UCL"].fillna(1)).all()
            assert one_group["N_EVENT"].sum() + one_group["N_CENSOR"].sum() == one_group["N_RISK"].iloc[0]
        # the estimate at t is the curve's last value at or before t
        for row in pick(study_survival, "SURV-KM-AT", "SURV", paramcd=paramcd).dropna(subset=["VALUE"]).itertuples():
            steps = wide.loc[row.GROUP]
            assert row.VALUE == steps.loc[steps.index <= row.AVISITN, "SURV"].iloc[-1]
    rate = pick(study_survival, "SURV-CRUDE", "RATE").dropna(subset=["VALUE"])
    for row in rate.itertuples():
        n = one(study_survival, "SURV-CRUDE", "N", group=row.GROUP, avisitn=row.AVISITN) if not np.isnan(
            row.AVISITN) else n_itt[row.GROUP]
        assert 0 <= row.VALUE <= 1 and n == n_itt[row.GROUP]


def test_logrank_and_km_match_r_on_the_real_adtte(study_survival, adam_study, r_values, r_vector):
    adtte, adsl = adam_study["ADTTE"], adam_study["ADSL"]
    os_ = adtte[adtte["PARAMCD"].eq("OS")].drop(columns="TRT01AN").merge(
        adsl.loc[adsl["ITTFL"].eq("Y"), ["USUBJID", "TRT01AN"]], on="USUBJID")
    got = r_values(f"""
        library(survival)
        time <- {r_vector(os_["AVAL"])}; cnsr <- {r_vector(os_["CNSR"])}; g <- {r_vector(os_["TRT01AN"])}
        d <- survdiff(Surv(time, cnsr == 0) ~ factor(g))
        out("chisq", d$chisq)
        s <- summary(survfit(Surv(time, cnsr == 0) ~ factor(g)), times = c(183, 731), extend = FALSE)
        out("surv", s$surv); out("lower", s$lower); out("strata", as.integer(s$strata)); out("time", s$time)
    """, packages=("survival",))
    assert one(study_survival, "SURV-LOGRANK", "CHISQ", group="") == pytest.approx(got["chisq"][0], abs=1e-10)
    at = study_survival[study_survival["ANALYSIS"].eq("SURV-KM-AT") & study_survival["PARAMCD"].eq("OS")]
    order = at.drop_duplicates("GROUP").sort_values("GROUPN")["GROUP"].tolist()
    for statistic, values in (("SURV", got["surv"]), ("LCL", got["lower"])):
        for stratum, time, expected in zip(got["strata"], got["time"], values):
            assert one(study_survival, "SURV-KM-AT", statistic, group=order[int(stratum) - 1],
                       avisitn=time) == pytest.approx(expected, abs=1e-10, nan_ok=True)
