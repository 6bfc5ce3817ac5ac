"""Counts, chi-square, Fisher's exact, the test-choice rule, and the repeated-measures ANOVA behind the
paper's Table 1, each checked against hand-computed values, scipy / statsmodels, exact rational enumeration
and R (skipped where R is absent)."""

from __future__ import annotations

import itertools
from fractions import Fraction
from math import comb, factorial, prod

import numpy as np
import pandas as pd
import pytest
from scipy import linalg, stats

from cdisc_pipe.analysis.methods.categorical import (categorical_test, chi_square_test, contingency_table,
                                                     count_by_group, expected_counts, fisher_exact_test,
                                                     repeated_measures_anova)
from cdisc_pipe.analysis.methods.inputs import AnalysisError, TableTooLarge

try:
    from statsmodels.stats.anova import AnovaRM
except ImportError:                       # the test extras install it; skip rather than fail collection
    AnovaRM = None

GROUPS = ["LOW", "MEDIUM", "HIGH"]
# Table 1 of the paper, rows = categories, columns = LOW, MEDIUM, HIGH (inputs that verify the method)
SEVERITY = np.array([[33, 18, 24], [24, 10, 16], [6, 5, 13], [0, 1, 1]])
RELATIONSHIP = np.array([[0, 0, 0], [4, 0, 0], [1, 1, 0], [58, 33, 54]])


# --- counts -----------------------------------------------------------------------------------------------

ADAE = pd.DataFrame({
    "USUBJID": ["S1", "S1", "S1", "S2", "S3", "S3", "S4"],
    "TRT01A": ["LOW", "LOW", "LOW", "LOW", "HIGH", "HIGH", "HIGH"],
    "AETOXGR": ["1", "1", "2", "1", "3", "3", "1"],
})


def test_count_events_and_subjects_by_group():
    events = count_by_group(ADAE, group="TRT01A", variable="AETOXGR", groups=GROUPS, categories=["1", "2", "3", "4"])
    low = events[events["group"] == "LOW"]
    assert low["category"].tolist() == ["1", "2", "3", "4"]
    assert low["n"].tolist() == [3, 1, 0, 0]
    assert low["denominator"].tolist() == [4] * 4
    assert low["pct"].tolist() == [75.0, 25.0, 0.0, 0.0]
    medium = events[events["group"] == "MEDIUM"]
    assert medium["n"].tolist() == [0] * 4 and medium["pct"].isna().all()       # no records, no N: 0 / 0
    subjects = count_by_group(ADAE, group="TRT01A", variable="AETOXGR", subject="USUBJID",
                              denominators={"LOW": 8, "MEDIUM": 8, "HIGH": 8})
    high = subjects[subjects["group"] == "HIGH"].set_index("category")
    assert high.loc["3", "n"] == 1 and high.loc["1", "n"] == 1     # S3's two grade-3 events: one subject
    assert high.loc["3", "pct"] == 12.5
    totals = count_by_group(ADAE, group="TRT01A", subject="USUBJID", groups=GROUPS)
    assert totals.columns.tolist() == ["group", "n", "denominator", "pct"]
    assert totals["n"].tolist() == [2, 0, 2]


def test_contingency_table_fills_every_level():
    table = contingency_table(ADAE, row="AETOXGR", column="TRT01A", columns=GROUPS)
    assert table.to_numpy().tolist() == [[3, 0, 1], [1, 0, 0], [0, 0, 2]]
    with pytest.raises(AnalysisError, match="'columns' must list every value present"):
        contingency_table(ADAE, row="AETOXGR", column="TRT01A", columns=["LOW"])
    with pytest.raises(AnalysisError, match="no missing values"):
        contingency_table(ADAE.assign(AETOXGR=[None] + ["1"] * 6), row="AETOXGR", column="TRT01A")


# --- chi-square -------------------------------------------------------------------------------------------

def test_yates_correction_by_hand_and_only_on_two_by_two():
    table = np.array([[10, 5], [3, 12]])                  # every expected 6.5 or 8.5; |O - E| = 3.5
    corrected = chi_square_test(table)
    assert corrected.correction
    assert corrected.statistic == pytest.approx(3.0 ** 2 * (2 / 6.5 + 2 / 8.5), abs=1e-12)
    plain = chi_square_test(table, correct=False)
    assert not plain.correction
    assert plain.statistic == pytest.approx(3.5 ** 2 * (2 / 6.5 + 2 / 8.5), abs=1e-12)
    three = chi_square_test(np.array([[10, 5, 4], [3, 12, 6]]))
    assert not three.correction                           # R applies Yates to 2 x 2 only
    nearly = chi_square_test(np.array([[5, 5], [5, 6]]))  # |O - E| < 0.5: corrected by |O - E| itself, as R
    assert nearly.statistic == 0.0 and nearly.p_value == 1.0


@pytest.mark.parametrize("table", [[[10, 5], [3, 12]], [[1, 9], [7, 2]], [[10, 5, 4], [3, 12, 6]],
                                   SEVERITY.tolist(), RELATIONSHIP[1:].tolist()])
@pytest.mark.parametrize("correct", [True, False])
def test_chi_square_matches_scipy(table, correct):
    ours = chi_square_test(table, correct=correct)
    reference = stats.chi2_contingency(np.array(table), correction=correct)
    assert ours.statistic == pytest.approx(reference.statistic, abs=1e-10)
    assert ours.p_value == pytest.approx(reference.pvalue, abs=1e-10)
    assert ours.df == reference.dof
    np.testing.assert_allclose(ours.expected, reference.expected_freq, rtol=0, atol=1e-10)


def test_chi_square_leaves_out_empty_rows_and_reports_what_it_cannot_test():
    assert chi_square_test(RELATIONSHIP).statistic == pytest.approx(chi_square_test(RELATIONSHIP[1:]).statistic)
    assert chi_square_test(RELATIONSHIP).df == 4
    assert np.isnan(chi_square_test(RELATIONSHIP, drop_empty=False).statistic)      # R: NaN
    one_row = chi_square_test([[0, 0, 0], [3, 4, 5]])
    assert np.isnan(one_row.p_value) and one_row.note


# --- Fisher's exact ---------------------------------------------------------------------------------------

def exact_fisher(table) -> Fraction:
    """Independent: every table with the margins, probabilities as exact fractions."""
    table = np.asarray(table)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    total = int(table.sum())
    constant = Fraction(prod(factorial(int(r)) for r in rows) * prod(factorial(int(c)) for c in cols),
                        factorial(total))

    def probability(cells) -> Fraction:
        return constant / prod(factorial(int(x)) for x in np.ravel(cells))

    observed = probability(table)
    r, c = table.shape
    p_value = Fraction(0)
    for free in itertools.product(*(range(int(min(rows[i], cols[j])) + 1) for i in range(r - 1) for j in range(c - 1))):
        cells = np.zeros((r, c), dtype=int)
        cells[: r - 1, : c - 1] = np.reshape(free, (r - 1, c - 1))
        cells[: r - 1, c - 1] = rows[: r - 1] - cells[: r - 1, : c - 1].sum(axis=1)
        cells[r - 1, :] = cols - cells[: r - 1, :].sum(axis=0)
        if (cells < 0).any():
            continue
        p = probability(cells)
        if p <= observed:
            p_value += p
    return p_value


@pytest.mark.parametrize("table", [[[3, 1, 2], [0, 4, 5]], [[2, 0, 1], [0, 3, 1], [1, 1, 4]],
                                   [[4, 0], [1, 3], [0, 5]], [[1, 2, 0, 3], [2, 0, 4, 1]], [[5, 0], [0, 5]]])
def test_fisher_rxc_matches_exact_rational_enumeration(table):
    ours = fisher_exact_test(table)
    assert ours.p_value == pytest.approx(float(exact_fisher(table)), abs=1e-12)


def test_fisher_two_by_two_matches_scipy_on_every_small_table():
    for cells in itertools.product(range(5), repeat=4):
        table = np.reshape(cells, (2, 2))
        if (table.sum(axis=0) == 0).any() or (table.sum(axis=1) == 0).any():
            continue
        assert fisher_exact_test(table).p_value == pytest.approx(stats.fisher_exact(table).pvalue, abs=1e-12), cells


def test_fisher_refuses_a_table_too_large_to_enumerate():
    with pytest.raises(TableTooLarge, match="at most 1000 partial tables"):
        fisher_exact_test(SEVERITY, max_tables=1000)


# --- the rule ---------------------------------------------------------------------------------------------

def test_rule_chooses_fisher_when_an_expected_count_is_below_five():
    small = [[3, 1, 2], [0, 4, 5]]
    chosen = categorical_test(small)
    assert chosen.method == "fisher" and not chosen.fallback
    assert chosen.p_value == pytest.approx(fisher_exact_test(small).p_value)
    assert "expected count(s) below 5" in chosen.reason
    large = [[30, 20], [25, 28]]
    assert min(expected_counts(large).ravel()) >= 5
    assert categorical_test(large).method == "chi-square"
    assert categorical_test(small, min_expected=None).method == "chi-square"


def test_rule_falls_back_to_chi_square_with_a_flag():
    chosen = categorical_test(SEVERITY, max_tables=1000)
    assert chosen.method == "chi-square" and chosen.fallback
    assert "too large" in chosen.reason
    assert chosen.p_value == pytest.approx(chi_square_test(SEVERITY).p_value)


# --- the paper's Table 1 test ------------------------------------------------------------------------------

@pytest.mark.parametrize("table, f, p", [(SEVERITY, 2.341, 0.2101), (RELATIONSHIP, 1.262, 0.3435)])
def test_repeated_measures_anova_reproduces_table_1(table, f, p):
    result = repeated_measures_anova(table)
    assert round(result.f, 3) == f
    assert round(result.p_value_gg, 4) == p                 # Greenhouse-Geisser; rounded and truncated alike
    assert round(result.p_value, 4) != p                    # sphericity assumed does not give the paper's P
    assert (result.df1, result.df2) == (2, 6)


def test_published_counts_give_the_published_tests(published):
    ae = published["adverse_events_table1"]
    for counts, test in (("severity_class", "severity_test"), ("relationship", "relationship_test")):
        table = np.array([[row[g] for g in GROUPS] for row in ae[counts].values()])
        result = repeated_measures_anova(table)
        assert round(result.f, 3) == ae[test]["F"]
        assert round(result.p_value_gg, 4) == ae[test]["p"]


@pytest.mark.skipif(AnovaRM is None, reason="statsmodels is not installed (test extras)")
@pytest.mark.parametrize("table", [SEVERITY, RELATIONSHIP, np.array([[3.0, 5, 9, 2], [4, 4, 8, 1], [6, 2, 7, 7]])])
def test_repeated_measures_anova_matches_statsmodels_and_a_contrast_epsilon(table):
    rows, cols = table.shape
    long = pd.DataFrame({"block": np.repeat(np.arange(rows), cols), "group": np.tile(np.arange(cols), rows),
                         "value": table.ravel().astype(float)})
    reference = AnovaRM(long, depvar="value", subject="block", within=["group"]).fit().anova_table.iloc[0]
    ours = repeated_measures_anova(table)
    assert ours.f == pytest.approx(reference["F Value"], abs=1e-10)
    assert ours.p_value == pytest.approx(reference["Pr > F"], abs=1e-10)
    assert (ours.df1, ours.df2) == (reference["Num DF"], reference["Den DF"])
    contrasts = linalg.helmert(cols, full=False).T                        # orthonormal, cols x (cols - 1)
    transformed = contrasts.T @ np.cov(table.astype(float), rowvar=False) @ contrasts
    epsilon = np.trace(transformed) ** 2 / ((cols - 1) * np.trace(transformed @ transformed))
    assert ours.epsilon_gg == pytest.approx(epsilon, abs=1e-12)


def test_one_way_anova_readings_do_not_reproduce_table_1():
    """The obvious candidates, kept as evidence for docs/analysis-methods.md."""
    for table, f in ((SEVERITY, 2.341), (RELATIONSHIP, 1.262)):
        by_group = stats.f_oneway(*table.T)                  # groups as factor, category counts as observations
        by_category = stats.f_oneway(*table)                 # categories as factor
        assert round(by_group.statistic, 3) != f and round(by_category.statistic, 3) != f


# --- R ----------------------------------------------------------------------------------------------------

def test_tests_match_r(r_values, r_vector):
    tables = {"a": [[3, 1, 2], [0, 4, 5]], "b": [[2, 0, 1], [0, 3, 1], [1, 1, 4]], "c": [[10, 5], [3, 12]],
              "d": [[1, 9], [7, 2]], "rel": RELATIONSHIP[1:].tolist()}
    script = ""
    for name, table in tables.items():
        m = np.asarray(table)
        script += f"""
x <- matrix({r_vector(m.T)}, nrow = {m.shape[0]})
out("{name}:fisher", fisher.test(x)$p.value)
out("{name}:chisq", suppressWarnings(chisq.test(x))$statistic)
out("{name}:chisq_p", suppressWarnings(chisq.test(x))$p.value)
out("{name}:chisq_plain", suppressWarnings(chisq.test(x, correct = FALSE))$statistic)
"""
    for name, table in (("severity", SEVERITY), ("relationship", RELATIONSHIP)):
        script += f"""
fit <- lm(matrix({r_vector(table.T)}, nrow = {table.shape[0]}) ~ 1)
a <- anova(fit, X = ~1, test = "Spherical")
out("{name}:F", a[1, "F"]); out("{name}:p", a[1, "Pr(>F)"]); out("{name}:p_gg", a[1, "G-G Pr"])
"""
    script += f'out("severity:fisher", fisher.test(matrix({r_vector(SEVERITY.T)}, nrow = 4), workspace = 2e8)$p.value)\n'
    r = r_values(script)
    for name, table in tables.items():
        assert fisher_exact_test(table).p_value == pytest.approx(r[f"{name}:fisher"][0], abs=1e-10), name
        assert chi_square_test(table).statistic == pytest.approx(r[f"{name}:chisq"][0], abs=1e-10), name
        assert chi_square_test(table).p_value == pytest.approx(r[f"{name}:chisq_p"][0], abs=1e-10), name
        assert chi_square_test(table, correct=False).statistic == pytest.approx(r[f"{name}:chisq_plain"][0],
                                                                                abs=1e-10), name
    assert fisher_exact_test(SEVERITY).p_value == pytest.approx(r["severity:fisher"][0], abs=1e-10)
    for name, table in (("severity", SEVERITY), ("relationship", RELATIONSHIP)):
        ours = repeated_measures_anova(table)
        assert ours.f == pytest.approx(r[f"{name}:F"][0], abs=1e-10)
        assert ours.p_value == pytest.approx(r[f"{name}:p"][0], abs=1e-10)
        assert ours.p_value_gg == pytest.approx(r[f"{name}:p_gg"][0], abs=1e-10)
