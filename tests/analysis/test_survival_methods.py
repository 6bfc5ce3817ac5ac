"""Kaplan-Meier, median, numbers at risk, log-rank and the crude survival rate, each checked against
hand-computed values, statsmodels (to 1e-10) and R's survival package (skipped where R is absent).

(Named ``test_survival_methods.py``: ``tests/simulate/test_survival.py`` already holds the basename, and
pytest's default import mode refuses two test modules of one name in package-less folders.)"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from cdisc_pipe.analysis.methods.inputs import AnalysisError
from cdisc_pipe.analysis.methods.survival import (crude_survival_rate, from_adtte, kaplan_meier, kaplan_meier_at,
                                                  km_median, logrank_test, n_at_risk)

try:
    from statsmodels.duration.survfunc import SurvfuncRight, survdiff
except ImportError:                       # the test extras install it; skip rather than fail collection
    SurvfuncRight = survdiff = None
needs_statsmodels = pytest.mark.skipif(SurvfuncRight is None, reason="statsmodels is not installed (test extras)")

TIME = [1, 2, 2, 3, 4, 4, 5, 6, 7, 7]
EVENT = [1, 1, 0, 1, 0, 1, 1, 0, 1, 1]
Z = stats.norm.ppf(0.975)


def tied_data(seed: int, n: int = 60, groups: str = "ABC"):
    """Integer times (many ties, events and censorings at one time) in three groups."""
    rng = np.random.default_rng(seed)
    time = rng.integers(1, 25, n).astype(float)
    event = (rng.random(n) < 0.7).astype(int)
    group = np.array(list(groups))[rng.integers(0, len(groups), n)]
    return time, event, group


# --- hand-computed ---------------------------------------------------------------------------------------

def test_kaplan_meier_by_hand():
    curve = kaplan_meier(TIME, EVENT)
    assert curve["time"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert curve["n_risk"].tolist() == [10, 9, 7, 6, 4, 3, 2]
    assert curve["n_event"].tolist() == [1, 1, 1, 1, 1, 0, 2]
    assert curve["n_censor"].tolist() == [0, 1, 0, 1, 0, 1, 0]
    surv = [Fraction(9, 10), Fraction(8, 10), Fraction(48, 70), Fraction(4, 7), Fraction(3, 7), Fraction(3, 7), 0]
    assert curve["surv"].to_numpy() == pytest.approx([float(s) for s in surv], abs=1e-15)
    greenwood = np.cumsum([1 / 90, 1 / 72, 1 / 42, 1 / 30, 1 / 12, 0])
    expected_se = np.array([float(s) for s in surv[:6]]) * np.sqrt(greenwood)
    assert curve["std_err"].to_numpy()[:6] == pytest.approx(expected_se, abs=1e-15)
    assert np.isnan(curve["std_err"].iloc[6])          # S = 0: R prints NaN
    assert curve["lower"].iloc[0] == pytest.approx(0.9 * np.exp(-Z * np.sqrt(1 / 90)), abs=1e-15)
    assert curve["upper"].iloc[0] == 1.0               # log CI capped at 1, as R
    assert curve[["lower", "upper"]].iloc[6].isna().all()


def test_log_log_interval_by_hand():
    curve = kaplan_meier(TIME, EVENT, conf_type="log-log")
    s, se = 0.8, np.sqrt(1 / 90 + 1 / 72)
    shift = Z * se / np.log(s)
    assert curve["lower"].iloc[1] == pytest.approx(np.exp(-np.exp(np.log(-np.log(s)) - shift)), abs=1e-15)
    assert curve["upper"].iloc[1] == pytest.approx(np.exp(-np.exp(np.log(-np.log(s)) + shift)), abs=1e-15)


def test_summary_at_times_is_a_right_continuous_step_function():
    at = kaplan_meier_at(TIME, EVENT, [4, 0, 2.5, 1, 0.5, 7, 8])
    assert at["time"].tolist() == [0, 0.5, 1, 2.5, 4, 7]              # sorted; 8 is after follow-up (R drops it)
    assert at["surv"].tolist()[:5] == pytest.approx([1, 1, 0.9, 0.8, 4 / 7], abs=1e-15)
    assert at["n_risk"].tolist() == [10, 10, 10, 7, 6, 2]
    assert at["n_event"].tolist() == [0, 0, 1, 1, 2, 3]                  # in (previous time, t]
    assert at["n_censor"].tolist() == [0, 0, 0, 1, 1, 1]
    assert at[["lower", "upper"]].iloc[0].tolist() == [1.0, 1.0]
    extended = kaplan_meier_at(TIME, EVENT, [8], extend=True)
    assert extended[["n_risk", "surv"]].iloc[0].tolist() == [0, 0.0]


def test_median_follows_r_conventions():
    median = km_median(TIME, EVENT)
    assert median[["n", "n_event", "median", "lower"]].iloc[0].tolist() == [10, 7, 5.0, 3.0]
    assert np.isnan(median["upper"].iloc[0])                         # upper band never reaches 0.5: NA
    # S exactly 0.5 on [2, 3): R takes the midpoint of that time and the next drop
    assert km_median([1, 2, 3, 4], [1, 1, 1, 1])["median"].iloc[0] == 2.5
    assert km_median([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 0])["median"].iloc[0] == 4.0
    assert np.isnan(km_median([1, 2, 3], [1, 0, 0])["median"].iloc[0])


def test_logrank_by_hand_with_ties():
    # A: 1 (death), 2 (death), 3 (censored); B: 2, 3, 4 (deaths). A censoring at 3 is at risk at 3.
    result = logrank_test([1, 2, 3, 2, 3, 4], [1, 1, 0, 1, 1, 1], ["A", "A", "A", "B", "B", "B"])
    expected_a = Fraction(1, 2) + Fraction(4, 5) + Fraction(1, 3)
    variance = Fraction(1, 4) + Fraction(2 * 3, 4) * Fraction(6, 25) + Fraction(2, 9)
    chisq = (2 - expected_a) ** 2 / variance
    assert result.statistic == pytest.approx(float(chisq), abs=1e-14)
    assert result.df == 1
    assert result.p_value == pytest.approx(stats.chi2.sf(float(chisq), 1), abs=1e-14)
    assert result.table["observed"].tolist() == [2, 3]
    assert result.table["expected"].sum() == pytest.approx(5)


def test_logrank_drops_groups_with_nothing_expected_and_refuses_one_group():
    # group C is censored before the first death: E = 0, so it leaves the test (df 1, as survdiff)
    result = logrank_test([1, 2, 3, 2, 3, 4, 0.5], [1, 1, 0, 1, 1, 1, 0], list("AAABBBC"))
    assert result.df == 1
    assert result.statistic == pytest.approx(logrank_test([1, 2, 3, 2, 3, 4], [1, 1, 0, 1, 1, 1],
                                                          list("AAABBB")).statistic, abs=1e-14)
    no_events = logrank_test([1, 2, 3, 4], [0, 0, 0, 0], list("ABAB"))
    assert (no_events.statistic, no_events.df) == (0.0, 0) and np.isnan(no_events.p_value)
    singular = logrank_test([1, 1, 1, 1, 2, 2], [0, 0, 0, 0, 1, 1], list("AAAAAB"))   # both at risk die at 2
    assert np.isnan(singular.statistic) and np.isnan(singular.p_value) and "singular" in singular.note
    with pytest.raises(AnalysisError, match="at least two groups"):
        logrank_test([1, 2], [1, 1], ["A", "A"])


def test_n_at_risk_counts_time_at_or_after():
    table = n_at_risk(TIME, [0, 2, 2.5, 7, 8], group=["X"] * 5 + ["Y"] * 5)
    assert table.loc[table["group"] == "X", "n_risk"].tolist() == [5, 4, 2, 0, 0]
    assert table.loc[table["group"] == "Y", "n_risk"].tolist() == [5, 5, 5, 2, 0]


def test_crude_rate_counts_lost_and_withdrawn_against():
    # The paper's LOW group: deaths at 11 and 23 months, one withdrawn and one lost around day 85.
    time = [335, 700, 85, 100, 730, 740, 760, 800]
    event = [1, 1, 0, 0, 0, 0, 0, 0]
    rate = crude_survival_rate(time, event, [182.625, 730])
    assert rate["n_alive_followed"].tolist() == [6, 4]
    assert rate["rate"].tolist() == [0.75, 0.5]
    assert rate["n"].tolist() == [8, 8]
    at_death = crude_survival_rate([10, 10], [1, 0], [10])          # a death at t counts against, a censoring at t not
    assert at_death["n_alive_followed"].tolist() == [1]


def test_groups_keep_categorical_order():
    group = pd.Categorical(["LOW", "HIGH", "LOW", "HIGH"], categories=["LOW", "MEDIUM", "HIGH"])
    curve = kaplan_meier([1, 2, 3, 4], [1, 1, 0, 1], group=group)
    assert curve["group"].unique().tolist() == ["LOW", "HIGH"]       # empty MEDIUM dropped, as survfit


@pytest.mark.parametrize("time, event, message", [
    ([1, np.nan], [1, 0], "'time' must be finite"),
    ([1, 2], [1, 2], "'event' must be 1 .event. or 0 .censored."),
    ([1, 2, 3], [1, 0], "one length"),
])
def test_bad_inputs_are_refused(time, event, message):
    with pytest.raises(AnalysisError, match=message):
        kaplan_meier(time, event)


# --- ADTTE: CNSR = 0 is an event ------------------------------------------------------------------------

def adtte(cnsr, aval=(10, 20, 30, 40), arm=("A", "A", "B", "B")) -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": [f"S{i}" for i in range(len(cnsr))], "PARAMCD": "OS",
                         "AVAL": list(aval), "CNSR": list(cnsr), "TRT01A": list(arm)})


def test_all_censored_gives_survival_one_everywhere():
    data = from_adtte(adtte([1, 1, 1, 1]))
    assert data["EVENT"].tolist() == [0, 0, 0, 0]
    curve = kaplan_meier(data["TIME"], data["EVENT"])
    assert (curve["surv"] == 1.0).all() and (curve["n_event"] == 0).all()
    assert np.isnan(km_median(data["TIME"], data["EVENT"])["median"].iloc[0])
    assert (kaplan_meier_at(data["TIME"], data["EVENT"], [5, 25, 40])["surv"] == 1.0).all()


def test_all_events_gives_a_curve_falling_to_zero():
    data = from_adtte(adtte([0, 0, 0, 0]))
    assert data["EVENT"].tolist() == [1, 1, 1, 1]
    assert kaplan_meier(data["TIME"], data["EVENT"])["surv"].tolist() == [0.75, 0.5, 0.25, 0.0]


def test_curves_do_not_flip_and_every_positive_cnsr_is_a_censoring():
    # early deaths (CNSR 0), late censorings with reasons 1 and 2: S must drop early and then stay level
    data = from_adtte(adtte([0, 0, 2, 1]), group="TRT01A")
    assert data["EVENT"].tolist() == [1, 1, 0, 0]
    assert data["GROUP"].tolist() == ["A", "A", "B", "B"]
    curve = kaplan_meier(data["TIME"], data["EVENT"])
    assert curve["surv"].tolist() == [0.75, 0.5, 0.5, 0.5]
    by_arm = kaplan_meier(data["TIME"], data["EVENT"], group=data["GROUP"])
    assert by_arm.loc[by_arm["group"] == "B", "surv"].tolist() == [1.0, 1.0]
    assert by_arm.loc[by_arm["group"] == "A", "surv"].tolist() == [0.5, 0.0]


@pytest.mark.parametrize("cnsr", [[0, 1, -1, 0], [0, 0.5, 1, 0], [0, None, 1, 0]])
def test_from_adtte_refuses_cnsr_that_is_not_a_code(cnsr):
    with pytest.raises(AnalysisError, match="ADTTE.CNSR must be 0 .event. or a positive integer"):
        from_adtte(adtte(cnsr))


def test_from_adtte_refuses_mixed_parameters_and_missing_variables():
    frame = adtte([0, 1, 0, 1]).assign(PARAMCD=["OS", "OS", "PFS", "PFS"])
    with pytest.raises(AnalysisError, match="one PARAMCD"):
        from_adtte(frame)
    with pytest.raises(AnalysisError, match="none named \\['ARM'\\]"):
        from_adtte(adtte([0, 1, 0, 1]), group="ARM")


# --- statsmodels, to 1e-10 --------------------------------------------------------------------------------

@needs_statsmodels
@pytest.mark.parametrize("seed", range(5))
def test_kaplan_meier_matches_statsmodels(seed):
    time, event, _ = tied_data(seed)
    ours = kaplan_meier(time, event)
    at_events = ours[ours["n_event"] > 0].reset_index(drop=True)
    reference = SurvfuncRight(time, event)
    np.testing.assert_allclose(at_events["time"], reference.surv_times, rtol=0, atol=1e-10)
    np.testing.assert_allclose(at_events["surv"], reference.surv_prob, rtol=0, atol=1e-10)
    np.testing.assert_allclose(at_events["std_err"], reference.surv_prob_se, rtol=0, atol=1e-10)
    np.testing.assert_array_equal(at_events["n_risk"], reference.n_risk)
    np.testing.assert_array_equal(at_events["n_event"], reference.n_events)


@needs_statsmodels
@pytest.mark.parametrize("seed", range(5))
def test_logrank_matches_statsmodels(seed):
    time, event, group = tied_data(seed)
    chisq, p_value = survdiff(time, event, group)
    ours = logrank_test(time, event, group)
    assert ours.statistic == pytest.approx(chisq, abs=1e-10)
    assert ours.p_value == pytest.approx(p_value, abs=1e-10)


@needs_statsmodels
@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 12), st.booleans(), st.sampled_from("ABC")), min_size=6, max_size=40))
def test_logrank_and_curve_match_statsmodels_on_any_data(records):
    time = np.array([r[0] for r in records], float)
    event = np.array([r[1] for r in records], int)
    group = np.array([r[2] for r in records])
    if len(set(group)) < 2 or event.sum() == 0:
        return
    ours = logrank_test(time, event, group)
    # statsmodels keeps a group with E = 0 (singular V), R drops it; R and statsmodels stop on a singular V
    if ours.df == len(set(group)) - 1 and not ours.note:
        chisq, _ = survdiff(time, event, group)
        assert ours.statistic == pytest.approx(chisq, abs=1e-10)
    curve = kaplan_meier(time, event)
    at_events = curve[curve["n_event"] > 0]
    np.testing.assert_allclose(at_events["surv"], SurvfuncRight(time, event).surv_prob, rtol=0, atol=1e-10)


@needs_statsmodels
def test_median_matches_statsmodels_where_no_plateau_at_one_half():
    time, event, _ = tied_data(11, n=80)
    assert km_median(time, event)["median"].iloc[0] == SurvfuncRight(time, event).quantile(0.5)


# --- R's survival package ---------------------------------------------------------------------------------

def r_setup(r_vector, time, event, group, prefix: str = "") -> str:
    groups = ",".join(f'"{g}"' for g in group)
    return (f"time <- {r_vector(time)}\nevent <- {r_vector(event)}\ngroup <- factor(c({groups}))\n"
            f'p <- "{prefix}"\n')


CONF_TYPES = ("log", "log-log", "plain")


def test_curve_and_summary_at_times_match_r(r_values, r_vector):
    time, event, group = tied_data(3)
    times = [0.5, 1, 3, 7.5, 12, 20, 23, 40]
    script = "library(survival)\n" + r_setup(r_vector, time, event, group)
    for conf_type in CONF_TYPES:
        script += f"""
fit <- survfit(Surv(time, event) ~ group, conf.type = "{conf_type}")
s <- summary(fit, censored = TRUE)
a <- summary(fit, times = {r_vector(times)})
for (name in c("time", "n.risk", "n.event", "n.censor", "surv", "std.err", "lower", "upper")) {{
  out(paste0("{conf_type}:", name), s[[name]]); out(paste0("{conf_type}:at:", name), a[[name]])
}}
"""
    r = r_values(script, packages=("survival",))
    for conf_type in CONF_TYPES:
        curve = kaplan_meier(time, event, group=group, conf_type=conf_type)
        at = kaplan_meier_at(time, event, times, group=group, conf_type=conf_type)
        for name in ("time", "n_risk", "n_event", "n_censor", "surv", "std_err", "lower", "upper"):
            r_name = name.replace("_", ".")
            np.testing.assert_allclose(curve[name].to_numpy(float), r[f"{conf_type}:{r_name}"], rtol=0, atol=1e-10,
                                       err_msg=f"{conf_type} {name}")
            np.testing.assert_allclose(at[name].to_numpy(float), r[f"{conf_type}:at:{r_name}"], rtol=0, atol=1e-10,
                                       err_msg=f"{conf_type} at times {name}")


def test_median_and_its_limits_match_r(r_values, r_vector):
    data = {seed: tied_data(20 + seed, n=45) for seed in range(4)}
    script = "library(survival)\n"
    for seed, (time, event, group) in data.items():
        for conf_type in CONF_TYPES:
            script += r_setup(r_vector, time, event, group, f"{seed}:{conf_type}:") + f"""
tab <- summary(survfit(Surv(time, event) ~ group, conf.type = "{conf_type}"))$table
out(paste0(p, "n"), tab[, "records"]); out(paste0(p, "events"), tab[, "events"])
out(paste0(p, "median"), tab[, "median"])
out(paste0(p, "lower"), tab[, "0.95LCL"]); out(paste0(p, "upper"), tab[, "0.95UCL"])
"""
    r = r_values(script, packages=("survival",))
    for seed, (time, event, group) in data.items():
        for conf_type in CONF_TYPES:
            key = f"{seed}:{conf_type}:"
            ours = km_median(time, event, group=group, conf_type=conf_type)
            np.testing.assert_array_equal(ours["n"], r[key + "n"])
            np.testing.assert_array_equal(ours["n_event"], r[key + "events"])
            for name in ("median", "lower", "upper"):
                np.testing.assert_allclose(ours[name].to_numpy(float), r[key + name], rtol=0, atol=1e-10,
                                           err_msg=key + name)


def test_logrank_matches_r_survdiff(r_values, r_vector):
    data = {seed: tied_data(40 + seed) for seed in range(4)}
    data[99] = ([1, 2, 3, 2, 3, 4, 0.5], [1, 1, 0, 1, 1, 1, 0], list("AAABBBC"))   # a group with E = 0
    script = "library(survival)\n"
    for seed, (time, event, group) in data.items():
        script += r_setup(r_vector, time, event, group, f"{seed}:") + """
sd <- survdiff(Surv(time, event) ~ group)
df <- sum(sd$exp > 0) - 1
out(paste0(p, "chisq"), sd$chisq); out(paste0(p, "df"), df)
out(paste0(p, "p"), pchisq(sd$chisq, df, lower.tail = FALSE))
out(paste0(p, "observed"), sd$obs); out(paste0(p, "expected"), sd$exp); out(paste0(p, "variance"), sd$var)
"""
    r = r_values(script, packages=("survival",))
    for seed, (time, event, group) in data.items():
        ours, key = logrank_test(time, event, group), f"{seed}:"
        assert ours.statistic == pytest.approx(r[key + "chisq"][0], abs=1e-10)
        assert ours.df == r[key + "df"][0]
        assert ours.p_value == pytest.approx(r[key + "p"][0], abs=1e-10)
        np.testing.assert_allclose(ours.table["observed"], r[key + "observed"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(ours.table["expected"], r[key + "expected"], rtol=0, atol=1e-10)
        np.testing.assert_allclose(ours.variance.ravel(), r[key + "variance"], rtol=0, atol=1e-10)
