"""Continuous-parameter methods, each checked against hand-worked values and an independent implementation:
scipy (numpy for quantiles; brute-force enumeration for exact distributions) always, and R where
/usr/bin/Rscript is installed (those tests skip with a reason otherwise)."""

from __future__ import annotations

import itertools
import math
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

from cdisc_pipe.analysis.methods.continuous import (
    NOT_COMPUTABLE,
    RESULT_COLUMNS,
    compute_quantile,
    format_p_value,
    kruskal_wallis,
    kruskal_wallis_by_cell,
    one_way_anova,
    one_way_anova_by_cell,
    rank_sum_by_cell,
    rank_sum_test,
    round_half_up,
    shapiro_wilk,
    shapiro_wilk_by_cell,
    signed_rank_by_cell,
    signed_rank_test,
    summarise_continuous,
)
from cdisc_pipe.analysis.methods.inputs import AnalysisError

try:
    from statsmodels.stats.oneway import anova_oneway
except ImportError:  # statsmodels is a test extra
    anova_oneway = None

RSCRIPT = Path("/usr/bin/Rscript")
needs_r = pytest.mark.skipif(not RSCRIPT.exists(), reason="R is not installed (/usr/bin/Rscript absent; "
                                                           "apt-get install r-base-core provides it)")
NA = np.nan


def r_numbers(expressions: list[str]) -> list[float]:
    """Evaluate R expressions (each a number) in one Rscript run; 17 significant digits each."""
    code = "options(warn = -1)\ncat(sprintf('%.17g', c(" + ",\n".join(expressions) + ")), sep = '\\n')\n"
    with tempfile.TemporaryDirectory() as tmp:  # a file: Rscript -e truncates long expressions
        script = Path(tmp) / "check.R"
        script.write_text(code, encoding="utf-8")
        done = subprocess.run([str(RSCRIPT), "--vanilla", str(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [float(v) for v in done.stdout.split()]


def r_vector(x) -> str:
    return "c(" + ", ".join("NA" if math.isnan(v) else repr(float(v)) for v in x) + ")"


# --- quantiles ----------------------------------------------------------------------------------------

EVEN = [7, 1, 3, 5, 9, 11, 2, 8]   # sorted 1 2 3 5 7 8 9 11
ODD = [9, 1, 3, 5, 7, 8, 2]        # sorted 1 2 3 5 7 8 9


@pytest.mark.parametrize("values, definition, expected", [
    # SAS PCTLDEF=5, n = 8: n p = 2, 4, 6 are whole -> means of neighbours
    (EVEN, "sas5", [2.5, 6.0, 8.5]),
    # R type 7, n = 8: h = 2.75, 4.5, 6.25 -> 2 + .75*1, 5 + .5*2, 8 + .25*1
    (EVEN, "r7", [2.75, 6.0, 8.25]),
    # SAS, n = 7: n p = 1.75, 3.5, 5.25 -> x(2), x(4), x(6)
    (ODD, "sas5", [2.0, 5.0, 8.0]),
    # R type 7, n = 7: h = 2.5, 4, 5.5
    (ODD, "r7", [2.5, 5.0, 7.5]),
    ([4.0], "sas5", [4.0, 4.0, 4.0]),
    ([4.0], "r7", [4.0, 4.0, 4.0]),
    ([3.0, 1.0, NA], "sas5", [1.0, 2.0, 3.0]),  # missing left out; n p = .5, 1, 1.5
])
def test_quartiles_by_hand(values, definition, expected):
    assert compute_quantile(values, [0.25, 0.5, 0.75], definition=definition).tolist() == expected


def test_quantile_of_nothing_is_missing():
    assert np.isnan(compute_quantile([NA], 0.5)).all()


@pytest.mark.parametrize("definition, numpy_method", [("sas5", "averaged_inverted_cdf"), ("r7", "linear")])
def test_quantiles_match_numpy(definition, numpy_method):
    rng = np.random.default_rng(7)
    probs = np.array([0.0, 0.05, 0.1, 0.25, 1 / 3, 0.5, 0.75, 0.9, 1.0])
    for n in range(1, 40):
        x = np.round(rng.normal(size=n), 1)  # rounding makes ties
        got = compute_quantile(x, probs, definition=definition)
        np.testing.assert_allclose(got, np.quantile(x, probs, method=numpy_method), rtol=0, atol=1e-12)


def test_bad_definition_and_probability_raise():
    with pytest.raises(AnalysisError, match=r"'definition' must be one of \['sas5', 'r7'\] \(got 'type2'\)"):
        compute_quantile([1.0], 0.5, definition="type2")
    with pytest.raises(AnalysisError, match=r"'probs' must lie in \[0, 1\]"):
        compute_quantile([1.0], 1.5)


@needs_r
def test_quantiles_match_r_types_2_and_7():
    rng = np.random.default_rng(11)
    samples = [np.round(rng.gamma(2.0, size=n), 2) for n in (2, 3, 4, 5, 6, 7, 8, 13, 24)]
    probs = "c(0.1, 0.25, 0.5, 0.75, 0.9)"
    expr = [f"quantile({r_vector(x)}, {probs}, type = {t}, names = FALSE)" for x in samples for t in (2, 7)]
    want = np.array(r_numbers(expr)).reshape(len(samples), 2, 5)
    for x, (sas, r7) in zip(samples, want):
        np.testing.assert_allclose(compute_quantile(x, [0.1, 0.25, 0.5, 0.75, 0.9], definition="sas5"), sas, rtol=1e-14)
        np.testing.assert_allclose(compute_quantile(x, [0.1, 0.25, 0.5, 0.75, 0.9], definition="r7"), r7, rtol=1e-14)


# --- descriptive statistics ---------------------------------------------------------------------------

def _long() -> pd.DataFrame:
    return pd.DataFrame({
        "USUBJID": ["S1", "S2", "S3", "S4", "S5", "S1", "S2", "S3", "S4", "S5", "S6", "S7"],
        "TRT01A": ["LOW", "LOW", "LOW", "LOW", "HIGH", "LOW", "LOW", "LOW", "LOW", "HIGH", "HIGH", "HIGH"],
        "PARAMCD": ["ALB"] * 12,
        "AVISITN": [29, 29, 29, 29, 29, 57, 57, 57, 57, 57, 57, 57],
        "AVAL": [30.0, 32.0, 35.0, NA, 40.0, 31.0, 33.0, 36.0, 38.0, 41.0, 44.0, 47.0],
    })


def test_summary_by_hand():
    got = summarise_continuous(_long()).set_index(["PARAMCD", "AVISITN", "TRT01A"])
    low29 = got.loc[("ALB", 29, "LOW")]
    # 30, 32, 35 (one missing): mean 97/3; SD^2 = ((-2.333)^2 + (-0.333)^2 + 2.667^2)/2 = 6.3333
    assert (low29["N"], low29["NMISS"]) == (3, 1)
    assert low29["MEAN"] == pytest.approx(97 / 3, abs=1e-12)
    assert low29["SD"] == pytest.approx(math.sqrt(19 / 3), abs=1e-12)
    assert low29["SE"] == pytest.approx(math.sqrt(19 / 3) / math.sqrt(3), abs=1e-12)
    # SAS definition, n = 3: n p = .75 -> x(1); 1.5 -> x(2); 2.25 -> x(3)
    assert (low29["Q1"], low29["MEDIAN"], low29["Q3"], low29["MIN"], low29["MAX"]) == (30, 32, 35, 30, 35)
    high29 = got.loc[("ALB", 29, "HIGH")]
    assert (high29["N"], high29["MEAN"], high29["MEDIAN"]) == (1, 40.0, 40.0)
    assert np.isnan(high29["SD"]) and np.isnan(high29["SE"])  # SD of one value is undefined (R: NA)
    high57 = got.loc[("ALB", 57, "HIGH")]  # 41 44 47
    assert (high57["MEAN"], high57["SD"], high57["Q1"], high57["Q3"]) == (44.0, 3.0, 41.0, 47.0)
    r7 = summarise_continuous(_long(), quantile_definition="r7").set_index(["PARAMCD", "AVISITN", "TRT01A"])
    assert (r7.loc[("ALB", 57, "HIGH"), "Q1"], r7.loc[("ALB", 57, "HIGH"), "Q3"]) == (42.5, 45.5)
    assert list(got.columns) == ["N", "NMISS", "MEAN", "SD", "SE", "MEDIAN", "Q1", "Q3", "MIN", "MAX"]


def test_summary_over_population_counts_absent_subjects_and_empty_groups():
    population = pd.DataFrame({"USUBJID": [f"S{i}" for i in range(1, 11)],
                               "TRT01A": ["LOW"] * 4 + ["HIGH"] * 4 + ["MEDIUM"] * 2})
    got = summarise_continuous(_long(), population=population).set_index(["AVISITN", "TRT01A"])
    assert got.loc[(29, "LOW"), ["N", "NMISS"]].tolist() == [3, 1]      # S4 missing value
    assert got.loc[(29, "HIGH"), ["N", "NMISS"]].tolist() == [1, 3]     # S6, S7, S8 have no record
    assert got.loc[(57, "MEDIUM"), ["N", "NMISS"]].tolist() == [0, 2]   # a group with no values at all
    assert np.isnan(got.loc[(57, "MEDIUM"), "MEAN"])
    outsider = _long().assign(USUBJID=lambda d: d["USUBJID"].replace("S7", "S99"))
    with pytest.raises(AnalysisError, match=r"must be in 'population' with the same TRT01A \(got \['S99'\]\)"):
        summarise_continuous(outsider, population=population)


def test_summary_vectorised_equals_cell_by_cell():
    rng = np.random.default_rng(3)
    n = 400
    frame = pd.DataFrame({"USUBJID": np.arange(n) % 40, "TRT01A": rng.choice(["A", "B", "C"], n),
                          "PARAMCD": "P", "AVISITN": np.arange(n) // 40,
                          "AVAL": np.where(rng.random(n) < 0.1, NA, np.round(rng.normal(50, 10, n), 1))})
    frame = frame.drop_duplicates(["USUBJID", "AVISITN"])
    for definition in ("sas5", "r7"):
        got = summarise_continuous(frame, quantile_definition=definition)
        for _, row in got.iterrows():
            cell = frame[(frame["AVISITN"] == row["AVISITN"]) & (frame["TRT01A"] == row["TRT01A"])]["AVAL"]
            q = compute_quantile(cell, [0.25, 0.5, 0.75], definition=definition)
            assert row["N"] == cell.count() and row["NMISS"] == cell.isna().sum()
            assert row["MEAN"] == pytest.approx(cell.mean(), rel=1e-12)
            assert row["SD"] == pytest.approx(np.std(cell.dropna(), ddof=1), rel=1e-12, nan_ok=True)
            assert [row["Q1"], row["MEDIAN"], row["Q3"]] == pytest.approx(q.tolist(), rel=1e-12, nan_ok=True)


def test_summary_refuses_misuse():
    with pytest.raises(AnalysisError, match=r"'dataset' must contain the variables \['CHG'\]"):
        summarise_continuous(_long(), value_var="CHG")
    with pytest.raises(AnalysisError, match=r"variable AVAL must be numeric"):
        summarise_continuous(_long().assign(AVAL="1"))
    with pytest.raises(AnalysisError, match=r"must have one record per .* \(got duplicates \[\{'PARAMCD': 'ALB'"):
        summarise_continuous(pd.concat([_long(), _long().head(1)]))


# --- Wilcoxon signed-rank: the published exact p-values -----------------------------------------------

@pytest.mark.parametrize("n, published", [(7, "0.0156"), (8, "0.0078"), (6, "0.0313")])
def test_all_positive_changes_give_the_published_exact_p(n, published):
    result = signed_rank_test(np.arange(1, n + 1) * 1.5)
    assert result.method == "exact" and result.statistic == n * (n + 1) / 2
    assert result.p_value == 2 / 2**n                    # 2/128, 2/256, 2/64
    assert format_p_value(result.p_value) == published   # 0.03125 half up: 0.0313


def test_python_round_would_not_give_the_published_0_0313():
    assert round(0.03125, 4) == 0.0312          # binary float and half-even: why the decimal module is used
    assert round_half_up(0.03125) == 0.0313


def _exact_p_table(sizes=range(5, 9)) -> dict[str, list[tuple[int, int]]]:
    """Every exact two-sided p attainable with these group sizes, formatted, with its (n, smaller rank sum)."""
    table: dict[str, list[tuple[int, int]]] = {}
    for n in sizes:
        for v in range(n * (n + 1) // 4 + 1):
            count = sum(1 for signs in itertools.product((0, 1), repeat=n)
                        if sum(r for r, s in zip(range(1, n + 1), signs) if s) <= v)
            table.setdefault(format_p_value(min(1.0, 2 * count / 2**n)), []).append((n, v))
    return table


def test_published_within_group_p_values_are_attainable_exact_values(published):
    cells = published["within_group_wilcoxon"]
    numbers = {f"{p:.4f}" for groups in cells.values() if isinstance(groups, dict)
               for visits in groups.values() for p in visits.values() if isinstance(p, float)}
    assert numbers == {"0.0078", "0.0156", "0.0234", "0.0313", "0.0391", "0.0469"}
    attainable = _exact_p_table()
    assert numbers <= set(attainable)
    assert (7, 0) in attainable["0.0156"] and (8, 1) in attainable["0.0156"]   # 2/128 = 4/256
    assert attainable["0.0234"] == [(8, 2)] and attainable["0.0391"] == [(8, 3)]
    assert (6, 0) in attainable["0.0313"] and (7, 2) in attainable["0.0469"]


# --- Wilcoxon signed-rank: R's rules by hand ----------------------------------------------------------

def test_ties_switch_to_normal_with_continuity_correction():
    # |d| mid-ranks: 1 -> 1.5, 1.5; 2 -> 3.5, 3.5; 3 -> 5; 4 -> 6; 5 -> 7. V = 26.5; var = 35 - (6 + 6)/48
    result = signed_rank_test([1, 2, 2, 3, 4, -1, 5])
    z = (26.5 - 14 - 0.5) / math.sqrt(35 - 12 / 48)
    assert (result.method, result.statistic, result.note) == ("normal-cc", 26.5, "ties")
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)
    plain = signed_rank_test([1, 2, 2, 3, 4, -1, 5], correct=False)
    assert plain.method == "normal"
    assert plain.p_value == pytest.approx(math.erfc((26.5 - 14) / math.sqrt(34.75) / math.sqrt(2)), rel=1e-12)


def test_zeros_are_dropped_and_force_the_normal_approximation():
    # 0 dropped: n = 6, V = 21, mean 10.5, var 6*7*13/24 = 22.75 (exact would be 2/64 = 0.03125)
    result = signed_rank_test([0, 1, 2, 3, 4, 5, 6])
    z = (21 - 10.5 - 0.5) / math.sqrt(22.75)
    assert (result.method, result.n, result.note) == ("normal-cc", 6, "zeros dropped: 1")
    assert result.p_value == pytest.approx(math.erfc(z / math.sqrt(2)), rel=1e-12)


def test_child_pugh_like_integer_changes_differ_between_r_and_sas():
    changes = [-1, -1, -1, -2, -1, -1, 0, NA]
    r_result, sas_result = signed_rank_test(changes), signed_rank_test(changes, reference="SAS")
    assert (r_result.method, r_result.note) == ("normal-cc", "zeros dropped: 1; ties")
    assert format_p_value(r_result.p_value) == "0.0263"
    assert (sas_result.method, sas_result.p_value) == ("exact-conditional", 2 / 64)   # all six negative


@pytest.mark.parametrize("values, note", [([], "no observations"), ([NA], "no observations"),
                                          ([0, 0, 0], "zeros dropped: 3; no non-zero differences")])
def test_signed_rank_not_computable(values, note):
    result = signed_rank_test(values)
    assert (result.method, result.note) == (NOT_COMPUTABLE, note) and math.isnan(result.p_value)


def test_exact_threshold_is_fewer_than_50_non_zero_differences():
    def alternating(n):
        return np.arange(1.0, n + 1) * np.where(np.arange(n) % 3, 1.0, -1.0)

    assert signed_rank_test(alternating(49)).method == "exact"
    assert signed_rank_test(alternating(50)).method == "normal-cc"
    assert signed_rank_test(np.r_[alternating(49), 0.0]).method == "normal-cc"   # 49 non-zero and a zero
    assert signed_rank_test(alternating(60), exact=True).method == "exact"
    assert signed_rank_test(np.arange(1, 8.0), exact=False).method == "normal-cc"


def test_mu_shifts_the_differences():
    assert signed_rank_test([11, 12, 13, 14, 15, 16], mu=10).p_value == 2 / 64


# --- Wilcoxon signed-rank against scipy and brute force -----------------------------------------------

def _samples(seed: int, count: int, *, ties: bool, sizes=range(1, 60)):
    rng = np.random.default_rng(seed)
    for _ in range(count):
        n = int(rng.choice(list(sizes)))
        if ties:
            yield rng.integers(-4, 6, size=n).astype(float)
        else:
            yield rng.permutation(np.arange(1, n + 1)) * rng.choice([-1.0, 1.0], size=n) + 0.25 * rng.random(n)


def test_signed_rank_matches_scipy_exact_without_ties_or_zeros():
    for x in _samples(1, 120, ties=False, sizes=range(1, 50)):
        ours = signed_rank_test(x)
        assert ours.method == "exact"
        assert ours.p_value == pytest.approx(st.wilcoxon(x, method="exact").pvalue, rel=1e-12)


def test_signed_rank_matches_scipy_approx_with_ties_zeros_or_large_n():
    for x in [*_samples(2, 150, ties=True), *_samples(3, 30, ties=False, sizes=range(50, 90))]:
        ours = signed_rank_test(x)
        if ours.method == NOT_COMPUTABLE:
            assert np.all(x == 0)
            continue
        if ours.method == "exact":
            continue  # drawn without a tie or zero: covered above
        for correct in (True, False):
            theirs = st.wilcoxon(x, method="approx", zero_method="wilcox", correction=correct).pvalue
            assert signed_rank_test(x, correct=correct).p_value == pytest.approx(theirs, rel=1e-10, abs=1e-300)


def _brute_force_conditional_p(x) -> float:
    d = np.asarray([v for v in x if v != 0 and not np.isnan(v)], dtype=float)
    r = st.rankdata(np.abs(d))
    centre = r.sum() / 2
    observed = abs(r[d > 0].sum() - centre)
    hits = sum(1 for signs in itertools.product((0, 1), repeat=len(d))
               if abs(float(np.dot(signs, r)) - centre) >= observed - 1e-9)
    return hits / 2 ** len(d)


def test_sas_exact_conditional_equals_r_exact_without_ties():
    for x in _samples(8, 40, ties=False, sizes=range(1, 21)):
        assert signed_rank_test(x, reference="SAS").p_value == pytest.approx(signed_rank_test(x).p_value, rel=1e-12)


def test_sas_exact_conditional_matches_enumeration_and_scipy_permutation():
    for x in _samples(4, 30, ties=True, sizes=range(1, 11)):
        if np.sum(x != 0) < 2:  # scipy's permutation test needs two observations
            continue
        ours = signed_rank_test(x, reference="SAS")
        assert ours.method == "exact-conditional"
        assert ours.p_value == pytest.approx(_brute_force_conditional_p(x), rel=1e-12)
        theirs = st.wilcoxon(x, zero_method="wilcox", method=st.PermutationMethod(n_resamples=10**6)).pvalue
        assert ours.p_value == pytest.approx(theirs, rel=1e-9)


def test_sas_t_approximation_above_20_by_hand():
    x = np.r_[np.arange(1, 20), -np.arange(20, 23), 5.0]  # n = 23 non-zero; ties at 5
    result = signed_rank_test(x, reference="SAS")
    r = st.rankdata(np.abs(x))
    s = r[x > 0].sum() - 23 * 24 / 4
    var = 23 * 24 * 47 / 24 - (8 - 2) / 48
    t = s * math.sqrt(22 / (23 * var - s * s))
    assert (result.method, result.df1) == ("t", 22)
    assert result.p_value == pytest.approx(2 * st.t.sf(abs(t), 22), rel=1e-12)


def test_digits_rank_turns_float_noise_into_ties_as_in_r():
    d = [0.3 - 0.1, 0.2, 0.5, 0.7, 0.9, 1.1]  # 0.19999999999999998 and 0.2 are not tied as floats
    assert signed_rank_test(d).method == "exact"
    assert (signed_rank_test(d, digits_rank=7).method, signed_rank_test(d, digits_rank=7).note) == ("normal-cc", "ties")


@needs_r
def test_signed_rank_matches_r_wilcox_test():
    cases = [np.arange(1.0, 8.0), np.arange(1.0, 9.0), np.arange(1.0, 7.0), [1, 2, 2, 3, 4, -1, 5],
             [0, 1, 2, 3, 4, 5, 6], [-1, -1, -1, -2, -1, -1, 0, NA], [3.2, -1.1, 4.5, 2.2, -0.4, 6.1, 0.9],
             *list(_samples(5, 25, ties=True, sizes=range(2, 30))),
             *list(_samples(6, 25, ties=False, sizes=range(1, 70)))]
    cases = [np.asarray(c, dtype=float) for c in cases if np.any(np.asarray(c)[~np.isnan(c)] != 0)]
    expr = [f"unlist(wilcox.test({r_vector(c)}, mu = 0)[c('statistic', 'p.value')])" for c in cases]
    want = np.array(r_numbers(expr)).reshape(len(cases), 2)
    for c, (v, p) in zip(cases, want):
        ours = signed_rank_test(c)
        assert ours.statistic == v
        assert ours.p_value == pytest.approx(p, rel=1e-12)
    noisy = [0.3 - 0.1, 0.2, 0.5, 0.7, 0.9, 1.1]
    (p7,) = r_numbers([f"wilcox.test({r_vector(noisy)}, digits.rank = 7)$p.value"])
    assert signed_rank_test(noisy, digits_rank=7).p_value == pytest.approx(p7, rel=1e-12)


# --- two-sample rank-sum ------------------------------------------------------------------------------

def test_rank_sum_by_hand():
    result = rank_sum_test([1, 2, 3.5], [4, 5, 6, 7])       # W = 0; P(W <= 0) = 1 / C(7, 3)
    assert (result.statistic, result.method, result.p_value) == (0.0, "exact", pytest.approx(2 / 35, rel=1e-15))
    tied = rank_sum_test([1, 2, 2], [2, 5])                  # ranks 1, 3, 3 | 3, 5; W = 7 - 6 = 1
    var = 3 * 2 / 12 * (6 - (27 - 3) / (5 * 4))
    assert tied.method == "normal-cc" and tied.statistic == 1.0
    assert tied.p_value == pytest.approx(math.erfc(abs(1 - 3 + 0.5) / math.sqrt(var) / math.sqrt(2)), rel=1e-12)
    assert rank_sum_test([NA], [1.0]).method == NOT_COMPUTABLE
    assert rank_sum_test([0.0, 0.0], [0.0]).note == "all values identical"


def test_rank_sum_exact_distribution_matches_enumeration():
    from cdisc_pipe.analysis.methods.continuous import _rank_sum_counts
    for m, n in [(1, 1), (2, 3), (3, 3), (4, 2), (5, 4)]:
        brute = np.zeros(m * n + 1, dtype=int)
        for chosen in itertools.combinations(range(1, m + n + 1), m):
            brute[sum(chosen) - m * (m + 1) // 2] += 1
        assert list(_rank_sum_counts(m, n)) == brute.tolist()


def test_rank_sum_matches_scipy_mannwhitneyu():
    rng = np.random.default_rng(9)
    for _ in range(80):
        nx, ny = rng.integers(1, 30, size=2)
        pool = rng.permutation(np.arange(nx + ny)) + rng.random()
        x, y = pool[:nx], pool[nx:]
        assert rank_sum_test(x, y).p_value == pytest.approx(st.mannwhitneyu(x, y, method="exact").pvalue, rel=1e-12)
        xt, yt = rng.integers(0, 5, size=nx).astype(float), rng.integers(0, 5, size=ny).astype(float)
        ours = rank_sum_test(xt, yt)
        if ours.method == "normal-cc":
            theirs = st.mannwhitneyu(xt, yt, method="asymptotic", use_continuity=True).pvalue
            assert ours.p_value == pytest.approx(theirs, rel=1e-10)


@needs_r
def test_rank_sum_matches_r_wilcox_test_two_sample():
    rng = np.random.default_rng(10)
    pairs = [([1, 2, 3.5], [4, 5, 6, 7]), ([1, 2, 2], [2, 5]), ([0.4, 1.2, 0.0, 2.2, 0.8], [0, 0, 0, 0, 0, 0])]
    for _ in range(20):
        nx, ny = rng.integers(2, 20, size=2)
        pairs.append((np.round(rng.normal(size=nx), 1), np.round(rng.normal(0.5, size=ny), 1)))
    expr = [f"unlist(wilcox.test({r_vector(x)}, {r_vector(y)})[c('statistic', 'p.value')])" for x, y in pairs]
    want = np.array(r_numbers(expr)).reshape(len(pairs), 2)
    for (x, y), (w, p) in zip(pairs, want):
        ours = rank_sum_test(x, y)
        assert ours.statistic == w
        assert ours.p_value == pytest.approx(p, rel=1e-12)


# --- Kruskal-Wallis, ANOVA, Shapiro-Wilk --------------------------------------------------------------

def test_kruskal_wallis_by_hand_with_ties():
    values = [1, 2, 2, 4, 5, 6, 6, 8]
    groups = ["A", "A", "B", "B", "B", "C", "C", "C"]
    # mid-ranks 1, 2.5 | 2.5, 4, 5 | 6.5, 6.5, 8 -> sums 3.5, 11.5, 21
    h = 12 / (8 * 9) * (3.5**2 / 2 + 11.5**2 / 3 + 21**2 / 3) - 3 * 9
    h /= 1 - (6 + 6) / (8**3 - 8)
    result = kruskal_wallis(values, groups)
    assert (result.statistic, result.df1) == (pytest.approx(h, rel=1e-12), 2)
    assert result.p_value == pytest.approx(math.exp(-h / 2), rel=1e-12)  # chi-square, 2 df


def test_kruskal_wallis_drops_groups_without_values():
    result = kruskal_wallis([1, 2, 3, 4, NA, NA], ["LOW", "LOW", "HIGH", "HIGH", "MEDIUM", "MEDIUM"])
    assert (result.df1, result.n) == (1, 4)
    assert kruskal_wallis([1, 2], ["A", "A"]).note == "fewer than 2 groups with values"
    assert kruskal_wallis([3, 3, 3], ["A", "B", "B"]).note == "all values identical"


def test_one_way_anova_by_hand():
    values, groups = [1, 2, 3, 4, 5, 6, 7], [1, 1, 2, 2, 3, 3, 3]
    # group means 1.5, 3.5, 6; grand mean 4; SSB = 2*6.25 + 2*.25 + 3*4 = 25; SSW = .5 + .5 + 2 = 3
    result = one_way_anova(values, groups)
    assert (result.df1, result.df2) == (2, 4)
    assert result.statistic == pytest.approx((25 / 2) / (3 / 4), rel=1e-12)
    assert result.p_value == pytest.approx(st.f.sf(50 / 3, 2, 4), rel=1e-12)
    assert one_way_anova([1, 1, 2, 2], ["a", "a", "b", "b"]).note == "no within-group variation"


@pytest.mark.skipif(anova_oneway is None, reason="statsmodels is not installed (test extras)")
def test_one_way_anova_matches_statsmodels():
    rng = np.random.default_rng(13)
    for _ in range(20):
        g = np.repeat(["LOW", "MEDIUM", "HIGH"], rng.integers(2, 10, size=3))  # statsmodels needs 2 per group
        x = rng.normal(size=g.size)
        ours, theirs = one_way_anova(x, g), anova_oneway(x, g, use_var="equal")
        assert (ours.df1, ours.df2) == tuple(theirs.df)
        assert [ours.statistic, ours.p_value] == pytest.approx([theirs.statistic, theirs.pvalue], rel=1e-10)


def test_shapiro_wilk_limits():
    assert shapiro_wilk([1.0, 2.0]).note == "sample size must be between 3 and 5000"
    assert shapiro_wilk([2.0, 2.0, 2.0, NA]).note == "all values identical"
    assert shapiro_wilk([1.0, 2.0, 4.0]).n == 3


@needs_r
def test_kruskal_anova_shapiro_match_r():
    rng = np.random.default_rng(12)
    cases = []
    for _ in range(12):
        n = int(rng.integers(6, 25))
        cases.append((np.round(rng.normal(size=n) * 3, 0 if len(cases) % 2 else 2), rng.choice(["a", "b", "c"], n)))
    expr = []
    for x, g in cases:
        x_r, g_r = r_vector(x), "c(" + ", ".join(f"'{v}'" for v in g) + ")"
        expr += [f"unlist(kruskal.test({x_r}, factor({g_r}))[c('statistic', 'p.value')])",
                 f"unlist(anova(lm({x_r} ~ factor({g_r})))[1, c('F value', 'Pr(>F)')])",
                 f"unlist(shapiro.test({x_r})[c('statistic', 'p.value')])"]
    want = np.array(r_numbers(expr)).reshape(len(cases), 3, 2)
    for (x, g), (kw, anova, sw) in zip(cases, want):
        ours_kw, ours_f, ours_sw = kruskal_wallis(x, g), one_way_anova(x, g), shapiro_wilk(x)
        np.testing.assert_allclose([ours_kw.statistic, ours_kw.p_value], kw, rtol=1e-10)
        np.testing.assert_allclose([ours_f.statistic, ours_f.p_value], anova, rtol=1e-10)
        np.testing.assert_allclose([ours_sw.statistic, ours_sw.p_value], sw, rtol=1e-6)  # float32 coefficients


# --- per-cell frames ----------------------------------------------------------------------------------

def _changes() -> pd.DataFrame:
    low = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]     # all up: exact 2/128
    high = [2.0, -1.0, 3.0, 0.0, 5.5, 4.0, 6.0, 8.0]
    return pd.DataFrame({
        "USUBJID": [f"L{i}" for i in range(7)] + [f"H{i}" for i in range(8)] + ["M0"],
        "TRT01A": ["LOW"] * 7 + ["HIGH"] * 8 + ["MEDIUM"],
        "PARAMCD": "IL17A", "AVISITN": 57,
        "CHG": low + high + [NA],
    })


def test_per_cell_frames_equal_the_scalar_tests():
    frame = _changes()
    within = signed_rank_by_cell(frame).set_index("TRT01A")
    assert list(within.columns) == ["PARAMCD", "AVISITN", *RESULT_COLUMNS]
    assert within.loc["LOW", "PVALUE"] == 2 / 128 and within.loc["LOW", "METHOD"] == "exact"
    assert within.loc["HIGH", "PVALUE"] == signed_rank_test(frame["CHG"][7:15]).p_value
    assert within.loc["MEDIUM", "METHOD"] == NOT_COMPUTABLE
    sas = signed_rank_by_cell(frame, reference="SAS").set_index("TRT01A")
    assert sas.loc["HIGH", "METHOD"] == "exact-conditional"
    kw = kruskal_wallis_by_cell(frame)
    assert len(kw) == 1 and kw.loc[0, "DF1"] == 1       # MEDIUM has no value: two groups
    assert kw.loc[0, "PVALUE"] == kruskal_wallis(frame["CHG"], frame["TRT01A"]).p_value
    rs = rank_sum_by_cell(frame, groups=("LOW", "HIGH"))
    assert rs.loc[0, "PVALUE"] == rank_sum_test(frame["CHG"][:7], frame["CHG"][7:15]).p_value
    assert one_way_anova_by_cell(frame).loc[0, "DF2"] == 13
    sw = shapiro_wilk_by_cell(frame).set_index("TRT01A")
    assert sw.loc["LOW", "PVALUE"] == shapiro_wilk(frame["CHG"][:7]).p_value
    assert sw.loc["MEDIUM", "NOTE"] == "sample size must be between 3 and 5000"


def test_per_cell_refuses_duplicate_subjects_and_bad_groups():
    frame = _changes()
    with pytest.raises(AnalysisError, match="must have one record per"):
        signed_rank_by_cell(pd.concat([frame, frame.head(1)]))
    with pytest.raises(AnalysisError, match=r"'groups' must name two groups"):
        rank_sum_by_cell(frame, groups=("LOW",))


# --- rounding -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, text", [
    (0.03125, "0.0313"), (0.015625, "0.0156"), (0.0078125, "0.0078"), (0.0234375, "0.0234"),
    (0.046875, "0.0469"), (0.0390625, "0.0391"), (0.00015, "0.0002"), (0.99995, "1.0000"),
    (0.00004, "<0.0001"), (NA, ""), (1.0, "1.0000"),
])
def test_format_p_value_half_up(value, text):
    assert format_p_value(value) == text


def test_round_half_up():
    assert round_half_up(0.03125) == 0.0313
    assert round_half_up(0.00015) == 0.0002        # on the shortest repr, not the binary value 0.000149999...
    assert round_half_up(2.5, 0) == 3.0
    assert math.isnan(round_half_up(NA))
