"""Statistical methods for continuous parameters by group and visit (S-Tables 1-3 and 9, Figures 3-6).

Pure functions: frames or arrays in, frames or :class:`StatResult` records out; no I/O, no printing, no
warnings. Missing values (NaN) are left out of every statistic. The exact definitions, which the tests check
against hand-worked cases, scipy and R (``tests/analysis/test_continuous.py``):

**Descriptive statistics** (:func:`summarise_continuous`): N (non-missing values), NMISS, MEAN, SD (divisor
n - 1), SE = SD / sqrt(N) (for mean +/- SE figures), MEDIAN, Q1, Q3, MIN, MAX. Quantiles by one of
:data:`QUANTILE_DEFINITIONS`:

* ``"sas5"`` (the default): SAS PCTLDEF=5 (QNTLDEF=5), the default of PROC UNIVARIATE and PROC MEANS; the
  same as R ``quantile(type = 2)`` and numpy ``method="averaged_inverted_cdf"``. With n p = j + g (j whole,
  x(1) <= ... <= x(n)): x(j+1) when g > 0, (x(j) + x(j+1)) / 2 when g = 0 (x(0) = x(1), x(n+1) = x(n)).
* ``"r7"``: R's default ``quantile(type = 7)``, also numpy's and pandas' default ``"linear"``: with
  h = 1 + (n - 1) p, x(floor h) + (h - floor h) (x(floor h + 1) - x(floor h)).

SAS's definition is the default because clinical summary tables (N, Missing, Mean, SD, Q1, Q3, as the paper
lays them out) are conventionally SAS output; the median is the same under both.

**Within-group Wilcoxon signed-rank test** (:func:`signed_rank_test`), ``reference="R"`` (default) does what
R's ``wilcox.test(x, mu = 0, exact = NULL, correct = TRUE)`` does (R 4.2 source): missing values removed;
d = x - mu; **zero differences are dropped** (n counts the non-zero ones); r = mid-ranks of |d|;
V = sum of r over d > 0. When n < 50 (or ``exact=True``) **and there are no ties and no zero was dropped**,
the exact null distribution (``psignrank``): p = 2 P(V <= v) if v <= n(n+1)/4, else 2 P(V >= v), at most 1
(method ``"exact"``). Otherwise the normal approximation with the tie-corrected variance
n(n+1)(2n+1)/24 - sum(t^3 - t)/48 and the continuity correction 0.5 sign(v - n(n+1)/4) (method
``"normal-cc"``; ``"normal"`` with ``correct=False``); R warns "cannot compute exact p-value with ties /
zeroes", here ``note`` says which. ``reference="SAS"`` follows PROC UNIVARIATE instead: zeros dropped,
S = V - n(n+1)/4; for n <= 20 the exact distribution of S over the 2^n equally likely sign assignments of the
mid-ranks, so also with ties (method ``"exact-conditional"``), two-sided p = P(|S| >= |s|); for n > 20,
S sqrt((n-1) / (n Var - S^2)) as Student's t with n - 1 df (method ``"t"``).

**Two-sample Wilcoxon rank-sum / Mann-Whitney** (:func:`rank_sum_test`) as R ``wilcox.test(x, y)``:
W = sum of the x mid-ranks - nx(nx+1)/2; exact (``pwilcox``) when both samples are under 50 and there are no
ties, else normal with tie-corrected variance and continuity correction.

**Between groups**: Kruskal-Wallis with the tie correction (:func:`kruskal_wallis`, scipy ``kruskal`` =
R ``kruskal.test``; groups without data are left out, as R's ``factor()`` drops empty levels) and one-way
ANOVA F (:func:`one_way_anova`, scipy ``f_oneway`` = R ``anova(lm(y ~ g))``). **Normality**: Shapiro-Wilk
(:func:`shapiro_wilk`, scipy's AS R94 = R ``shapiro.test``, 3 <= n <= 5000).

A test that cannot be computed returns p = NaN, method ``"not computable"`` and the reason in ``note``.
**Rounding**: :func:`round_half_up` / :func:`format_p_value` round half up on the shortest decimal form of
the float, as the paper reports 0.03125 as 0.0313.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from cdisc_pipe.analysis.methods.inputs import AnalysisError

__all__ = [
    "QUANTILE_DEFINITIONS",
    "NOT_COMPUTABLE",
    "RESULT_COLUMNS",
    "StatResult",
    "compute_quantile",
    "summarise_continuous",
    "signed_rank_test",
    "rank_sum_test",
    "shapiro_wilk",
    "kruskal_wallis",
    "one_way_anova",
    "signed_rank_by_cell",
    "shapiro_wilk_by_cell",
    "kruskal_wallis_by_cell",
    "one_way_anova_by_cell",
    "rank_sum_by_cell",
    "round_half_up",
    "format_p_value",
]

QUANTILE_DEFINITIONS = ("sas5", "r7")
RESULT_COLUMNS = ["N", "STATNAME", "STATISTIC", "DF1", "DF2", "PVALUE", "METHOD", "NOTE"]
NOT_COMPUTABLE = "not computable"
_FUZZ = 4 * np.finfo(float).eps  # R's quantile() fuzz


@dataclass(frozen=True)
class StatResult:
    """One hypothesis test: statistic, p-value, the method actually used and the observations it used."""

    statistic_name: str
    statistic: float
    p_value: float
    method: str
    n: int
    df1: float = math.nan
    df2: float = math.nan
    note: str = ""

    def as_row(self) -> dict[str, object]:
        return dict(zip(RESULT_COLUMNS, [self.n, self.statistic_name, self.statistic, self.df1, self.df2,
                                         self.p_value, self.method, self.note]))


def _not_computable(name: str, n: int, note: str) -> StatResult:
    return StatResult(name, math.nan, math.nan, NOT_COMPUTABLE, n, note=note)


def _values(values, arg: str) -> np.ndarray:
    """``values`` as float64 without the missing ones."""
    try:
        x = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError) as err:
        raise AnalysisError(f"'{arg}' must be numeric (got {type(values).__name__})") from err
    return x[~np.isnan(x)]


# --- preconditions (misuse raises AnalysisError at once) ---------------------------------------------

def assert_columns(dataset: pd.DataFrame, columns: Iterable[str], *, arg: str = "dataset") -> None:
    """``dataset`` must be a DataFrame holding every one of ``columns``."""
    if not isinstance(dataset, pd.DataFrame):
        raise AnalysisError(f"'{arg}' must be a pandas DataFrame (got {type(dataset).__name__})")
    missing = [c for c in columns if c not in dataset.columns]
    if missing:
        raise AnalysisError(f"'{arg}' must contain the variables {missing} (got columns {list(dataset.columns)})")


def assert_numeric(dataset: pd.DataFrame, column: str, *, arg: str = "dataset") -> None:
    if not (pd.api.types.is_numeric_dtype(dataset[column]) and not pd.api.types.is_bool_dtype(dataset[column])):
        raise AnalysisError(f"'{arg}' variable {column} must be numeric (got dtype {dataset[column].dtype})")


def assert_one_of(value: object, options: Iterable[object], *, arg: str) -> None:
    options = list(options)
    if value not in options:
        raise AnalysisError(f"'{arg}' must be one of {options} (got {value!r})")


def assert_unique(dataset: pd.DataFrame, keys: list[str], *, arg: str = "dataset") -> None:
    """At most one record per ``keys``; the message shows up to 10 duplicated keys."""
    duplicated = dataset.duplicated(keys, keep=False)
    if duplicated.any():
        shown = dataset.loc[duplicated, keys].drop_duplicates().head(10).to_dict("records")
        raise AnalysisError(f"'{arg}' must have one record per {keys} (got duplicates {shown}); "
                            f"select one record per subject and cell first (e.g. ANL01FL = 'Y')")


# --- quantiles and descriptive statistics --------------------------------------------------------------

def _grouped_quantiles(v: np.ndarray, start: np.ndarray, n: np.ndarray, p: float, definition: str) -> np.ndarray:
    """Quantile ``p`` of each cell of ``v`` (sorted within cells; cell i is v[start[i]:start[i]+n[i]])."""
    out = np.full(len(n), np.nan)
    ok = n > 0
    s, m = start[ok], n[ok]
    if definition == "r7":
        index = (m - 1) * p  # 0-based h - 1
        lo = np.floor(index).astype(np.int64)
        hi = np.minimum(lo + 1, m - 1)
        h = index - lo
        x_lo, x_hi = v[s + lo], v[s + hi]
        out[ok] = np.where((h > 0) & (x_hi != x_lo), (1 - h) * x_lo + h * x_hi, x_lo)  # R's form
    else:
        npp = m * p
        j = np.floor(npp + _FUZZ).astype(np.int64)  # 1-based order statistic x(j), as R type 2
        x_j = v[s + np.clip(j - 1, 0, m - 1)]
        x_j1 = v[s + np.clip(j, 0, m - 1)]
        out[ok] = np.where(npp > j, x_j1, (x_j + x_j1) / 2.0)
    return out


def compute_quantile(values, probs, *, definition: str = "sas5") -> np.ndarray:
    """Quantiles ``probs`` (each in [0, 1]) of ``values`` (missing left out) by ``definition``."""
    assert_one_of(definition, QUANTILE_DEFINITIONS, arg="definition")
    p = np.atleast_1d(np.asarray(probs, dtype=np.float64))
    if np.any((p < 0) | (p > 1)):
        raise AnalysisError(f"'probs' must lie in [0, 1] (got {p.tolist()})")
    v = np.sort(_values(values, "values"))
    start, n = np.array([0]), np.array([len(v)])
    return np.array([_grouped_quantiles(v, start, n, float(q), definition)[0] for q in p])


def summarise_continuous(dataset: pd.DataFrame, *, value_var: str = "AVAL", group_var: str = "TRT01A",
                         by_vars: Sequence[str] = ("PARAMCD", "AVISITN"), subject_var: str = "USUBJID",
                         population: pd.DataFrame | None = None, quantile_definition: str = "sas5") -> pd.DataFrame:
    """N, NMISS, MEAN, SD, SE, MEDIAN, Q1, Q3, MIN, MAX of ``value_var`` per ``by_vars`` and ``group_var``.

    One record per subject and cell is required. Without ``population``, NMISS counts the cell's records whose
    value is missing. With ``population`` (a frame with ``subject_var`` and ``group_var``, e.g. ADSL of the
    safety set), every group of the population gets a row for every ``by_vars`` combination in ``dataset``
    and NMISS = subjects of the group without a value in the cell (absent record or missing value).
    """
    by_vars = list(by_vars)
    keys = [*by_vars, group_var]
    assert_columns(dataset, [subject_var, value_var, *keys], arg="dataset")
    assert_numeric(dataset, value_var, arg="dataset")
    assert_one_of(quantile_definition, QUANTILE_DEFINITIONS, arg="quantile_definition")
    assert_unique(dataset, [*keys, subject_var], arg="dataset")
    frame = dataset[keys].copy()
    frame["_V"] = dataset[value_var].astype("float64").to_numpy()
    grouped = frame.groupby(keys, sort=True, dropna=False)
    table = grouped["_V"].agg(N="count", MEAN="mean", SD="std", MIN="min", MAX="max")
    table.insert(1, "NMISS", grouped.size() - table["N"])
    table.insert(4, "SE", table["SD"] / np.sqrt(table["N"]))
    codes = grouped.ngroup().to_numpy()
    v = frame["_V"].to_numpy()
    keep = ~np.isnan(v)
    order = np.lexsort((v[keep], codes[keep]))
    v_sorted = v[keep][order]
    n = np.bincount(codes[keep], minlength=len(table))
    start = np.concatenate([[0], np.cumsum(n)[:-1]]).astype(np.int64)
    for name, p in (("MEDIAN", 0.5), ("Q1", 0.25), ("Q3", 0.75)):
        table[name] = _grouped_quantiles(v_sorted, start, n, p, quantile_definition)
    table = table[["N", "NMISS", "MEAN", "SD", "SE", "MEDIAN", "Q1", "Q3", "MIN", "MAX"]].reset_index()
    if population is not None:
        table = _over_population(table, dataset, population, keys=keys, by_vars=by_vars, group_var=group_var,
                                 subject_var=subject_var, value_var=value_var)
    table["N"] = table["N"].astype("int64")
    table["NMISS"] = table["NMISS"].astype("int64")
    return table


def _over_population(table, dataset, population, *, keys, by_vars, group_var, subject_var, value_var):
    assert_columns(population, [subject_var, group_var], arg="population")
    assert_unique(population, [subject_var], arg="population")
    valued = dataset.loc[dataset[value_var].notna(), [subject_var, group_var]].drop_duplicates()
    joined = valued.merge(population[[subject_var, group_var]], on=subject_var, how="left",
                          suffixes=("", "_POP"), indicator=True)
    outside = joined[(joined["_merge"] == "left_only") | (joined[group_var] != joined[f"{group_var}_POP"])]
    if len(outside):
        shown = outside[subject_var].head(10).tolist()
        raise AnalysisError(f"every subject with a value in 'dataset' must be in 'population' with the same "
                         f"{group_var} (got {shown})")
    big_n = population.groupby(group_var, sort=True)[subject_var].nunique()
    groups = pd.DataFrame({group_var: big_n.index})
    grid = dataset[by_vars].drop_duplicates().merge(groups, how="cross") if by_vars else groups
    out = grid.merge(table, on=keys, how="left").sort_values(keys, kind="stable", ignore_index=True)
    out["N"] = out["N"].fillna(0)
    out["NMISS"] = out[group_var].map(big_n).to_numpy() - out["N"]
    return out


# --- exact null distributions -------------------------------------------------------------------------

@cache
def _sign_flip_counts(weights: tuple[int, ...]) -> np.ndarray:
    """Counts of the 2^n sign assignments by the sum of the positive ``weights`` (whole numbers >= 1).

    Doubles, as R's ``csignrank``: exact while the counts stay below 2^53 (n < 53), as they do wherever the
    exact distribution is used by default."""
    counts = np.zeros(sum(weights) + 1, dtype=np.float64)
    counts[0] = 1.0
    for w in weights:
        counts[w:] = counts[w:] + counts[:-w].copy()
    return counts


@cache
def _rank_sum_counts(m: int, n: int) -> tuple[int, ...]:
    """Counts of the C(m+n, m) rankings by the Mann-Whitney W (coefficients of the Gaussian binomial)."""
    poly = [1]
    for i in range(1, m + 1):
        grown = poly + [0] * (n + i)
        for k, c in enumerate(poly):  # times (1 - q^(n+i))
            grown[k + n + i] -= c
        for k in range(i, len(grown)):  # divided by (1 - q^i)
            grown[k] += grown[k - i]
        poly = grown[: i * n + 1]
    return tuple(poly)


def _two_sided_exact(counts: Sequence[int], observed: int, centre: float) -> float:
    """R's two-sided exact p: 2 P(X <= x) below the centre, 2 P(X >= x) above it, at most 1."""
    tail = counts[observed:] if observed > centre else counts[: observed + 1]
    if isinstance(counts, tuple):  # Python integers: the division is correctly rounded
        return min(1.0, 2 * sum(tail) / sum(counts))
    return float(min(1.0, 2.0 * tail.sum() / counts.sum()))


def _midranks(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """1-based mid-ranks of ``x`` and the sizes of its tie groups."""
    ranks = stats.rankdata(x, method="average")
    _, sizes = np.unique(x, return_counts=True)
    return ranks, sizes


def _normal_two_sided(z: float) -> float:
    return float(2.0 * min(special.ndtr(z), special.ndtr(-z)))


# --- tests on one sample ------------------------------------------------------------------------------

def signed_rank_test(values, *, mu: float = 0.0, reference: str = "R", exact: bool | None = None,
                     correct: bool = True, digits_rank: int | None = None) -> StatResult:
    """Two-sided Wilcoxon signed-rank test of ``values`` against ``mu`` (module docstring gives the rules).

    ``exact``, ``correct`` and ``digits_rank`` (ranks of ``signif(|d|, digits_rank)``) are R's arguments and
    apply to ``reference="R"``. The statistic is V, the sum of the positive ranks (SAS's S is V - n(n+1)/4).
    """
    assert_one_of(reference, ("R", "SAS"), arg="reference")
    x = _values(values, "values")
    if x.size == 0:
        return _not_computable("V", 0, "no observations")
    d = x - mu
    n_zero = int(np.sum(d == 0))
    d = d[d != 0]
    n = d.size
    notes = [f"zeros dropped: {n_zero}"] if n_zero else []
    if n == 0:
        return _not_computable("V", 0, "; ".join([*notes, "no non-zero differences"]))
    ranked = np.abs(d) if digits_rank is None else np.abs(_signif(d, digits_rank))
    r, sizes = _midranks(ranked)
    v = float(r[d > 0].sum())
    ties = bool(np.any(sizes > 1))
    if ties:
        notes.append("ties")
    note = "; ".join(notes)
    variance = n * (n + 1) * (2 * n + 1) / 24.0 - float(np.sum(sizes**3 - sizes)) / 48.0
    if reference == "SAS":
        return _signed_rank_sas(r, v, n, variance, note)
    use_exact = (n < 50) if exact is None else bool(exact)
    if use_exact and not ties and n_zero == 0:
        counts = _sign_flip_counts(tuple(range(1, n + 1)))
        return StatResult("V", v, _two_sided_exact(counts, int(v), n * (n + 1) / 4.0), "exact", n, note=note)
    shift = v - n * (n + 1) / 4.0
    correction = 0.5 * np.sign(shift) if correct else 0.0
    z = (shift - correction) / math.sqrt(variance)
    return StatResult("V", v, _normal_two_sided(z), "normal-cc" if correct else "normal", n, note=note)


def _signed_rank_sas(r: np.ndarray, v: float, n: int, variance: float, note: str) -> StatResult:
    s = v - n * (n + 1) / 4.0
    if n <= 20:
        doubled = np.rint(2 * r).astype(np.int64)  # mid-ranks are multiples of 1/2
        counts = _sign_flip_counts(tuple(sorted(doubled.tolist())))
        centre = n * (n + 1) // 2  # doubled-rank sum is n(n+1); S = 0 at half of it
        distance = np.abs(np.arange(len(counts)) - centre)
        extreme = distance >= abs(int(round(2 * v)) - centre)
        return StatResult("V", v, float(counts[extreme].sum() / counts.sum()), "exact-conditional", n, note=note)
    denominator = n * variance - s * s
    if denominator <= 0:
        return _not_computable("V", n, "; ".join(filter(None, [note, "t statistic undefined"])))
    t = s * math.sqrt((n - 1) / denominator)
    return StatResult("V", v, float(2 * special.stdtr(n - 1, -abs(t))), "t", n, df1=n - 1, note=note)


def _signif(x: np.ndarray, digits: int) -> np.ndarray:
    """R's signif(): round to ``digits`` significant digits."""
    with np.errstate(divide="ignore"):
        magnitude = np.where(x == 0, 0, np.floor(np.log10(np.abs(x))))
    scale = 10.0 ** (digits - 1 - magnitude)
    return np.round(x * scale) / scale


def shapiro_wilk(values) -> StatResult:
    """Shapiro-Wilk W and p (Royston's AS R94), with R ``shapiro.test``'s limits: 3 <= n <= 5000."""
    x = np.sort(_values(values, "values"))
    n = x.size
    if n < 3 or n > 5000:
        return _not_computable("W", n, "sample size must be between 3 and 5000")
    spread = x[-1] - x[0]
    if spread == 0:
        return _not_computable("W", n, "all values identical")
    if spread < 1e-10:
        x = x / spread  # as R does before calling the algorithm
    result = stats.shapiro(x)
    return StatResult("W", float(result.statistic), float(result.pvalue), "shapiro-wilk", n)


# --- tests comparing groups ---------------------------------------------------------------------------

def rank_sum_test(x, y, *, exact: bool | None = None, correct: bool = True) -> StatResult:
    """Two-sided two-sample Wilcoxon rank-sum (Mann-Whitney) test as R ``wilcox.test(x, y)``; W as R's."""
    a, b = _values(x, "x"), _values(y, "y")
    nx, ny = a.size, b.size
    if nx == 0 or ny == 0:
        return _not_computable("W", nx + ny, "a sample has no observations")
    r, sizes = _midranks(np.concatenate([a, b]))
    w = float(r[:nx].sum() - nx * (nx + 1) / 2.0)
    ties = bool(np.any(sizes > 1))
    note = "ties" if ties else ""
    use_exact = (nx < 50 and ny < 50) if exact is None else bool(exact)
    if use_exact and not ties:
        p = _two_sided_exact(_rank_sum_counts(nx, ny), int(w), nx * ny / 2.0)
        return StatResult("W", w, p, "exact", nx + ny, note=note)
    total = nx + ny
    variance = nx * ny / 12.0 * ((total + 1) - float(np.sum(sizes**3 - sizes)) / (total * (total - 1)))
    if variance <= 0:
        return _not_computable("W", total, "all values identical")
    shift = w - nx * ny / 2.0
    correction = 0.5 * np.sign(shift) if correct else 0.0
    z = (shift - correction) / math.sqrt(variance)
    return StatResult("W", w, _normal_two_sided(z), "normal-cc" if correct else "normal", total, note=note)


def _samples(values, groups) -> list[np.ndarray]:
    """Non-missing ``values`` split by ``groups`` (sorted labels); groups without values left out."""
    x = np.asarray(values, dtype=np.float64)
    g = pd.Series(np.asarray(groups, dtype=object))
    if x.shape != g.shape:
        raise AnalysisError(f"'values' and 'groups' must have the same length (got {x.size} and {g.size})")
    keep = ~np.isnan(x) & g.notna().to_numpy()
    frame = pd.DataFrame({"x": x[keep], "g": g[keep].to_numpy()})
    return [part["x"].to_numpy() for _, part in frame.groupby("g", sort=True)]


def kruskal_wallis(values, groups) -> StatResult:
    """Kruskal-Wallis H (tie-corrected) on ``values`` split by ``groups``; chi-square with k - 1 df."""
    samples = _samples(values, groups)
    n = sum(s.size for s in samples)
    if len(samples) < 2:
        return _not_computable("H", n, "fewer than 2 groups with values")
    if np.unique(np.concatenate(samples)).size == 1:
        return _not_computable("H", n, "all values identical")
    result = stats.kruskal(*samples)
    return StatResult("H", float(result.statistic), float(result.pvalue), "chisq", n, df1=len(samples) - 1)


def one_way_anova(values, groups) -> StatResult:
    """One-way ANOVA F of ``values`` by ``groups`` (equal variances; Fisher's F test), df k - 1 and N - k."""
    samples = _samples(values, groups)
    n, k = sum(s.size for s in samples), len(samples)
    if k < 2:
        return _not_computable("F", n, "fewer than 2 groups with values")
    if n - k < 1 or all(np.ptp(s) == 0 for s in samples):
        return _not_computable("F", n, "no within-group variation")
    result = stats.f_oneway(*samples)
    return StatResult("F", float(result.statistic), float(result.pvalue), "F", n, df1=k - 1, df2=n - k)


# --- the same tests per cell of a long frame ----------------------------------------------------------

def _per_cell(dataset: pd.DataFrame, keys: list[str], test: Callable[[pd.DataFrame], StatResult]) -> pd.DataFrame:
    rows = []
    for key, part in dataset.groupby(keys, sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        rows.append({**dict(zip(keys, key)), **test(part).as_row()})
    out = pd.DataFrame(rows, columns=[*keys, *RESULT_COLUMNS])
    return out.astype({"N": "int64", "STATISTIC": "float64", "DF1": "float64", "DF2": "float64",
                       "PVALUE": "float64"})


def _prepare(dataset, value_var, group_var, by_vars, subject_var) -> list[str]:
    keys = [*by_vars, group_var]
    assert_columns(dataset, [value_var, subject_var, *keys], arg="dataset")
    assert_numeric(dataset, value_var, arg="dataset")
    assert_unique(dataset, [*keys, subject_var], arg="dataset")
    return keys


def signed_rank_by_cell(dataset: pd.DataFrame, *, value_var: str = "CHG", group_var: str = "TRT01A",
                        by_vars: Sequence[str] = ("PARAMCD", "AVISITN"), subject_var: str = "USUBJID",
                        **options) -> pd.DataFrame:
    """:func:`signed_rank_test` of ``value_var`` per ``by_vars`` and ``group_var``; ``options`` are its own."""
    keys = _prepare(dataset, value_var, group_var, by_vars, subject_var)
    return _per_cell(dataset, keys, lambda part: signed_rank_test(part[value_var], **options))


def shapiro_wilk_by_cell(dataset: pd.DataFrame, *, value_var: str = "CHG", group_var: str = "TRT01A",
                         by_vars: Sequence[str] = ("PARAMCD", "AVISITN"),
                         subject_var: str = "USUBJID") -> pd.DataFrame:
    """:func:`shapiro_wilk` of ``value_var`` per ``by_vars`` and ``group_var``."""
    keys = _prepare(dataset, value_var, group_var, by_vars, subject_var)
    return _per_cell(dataset, keys, lambda part: shapiro_wilk(part[value_var]))


def _between(test, dataset, value_var, group_var, by_vars, subject_var) -> pd.DataFrame:
    _prepare(dataset, value_var, group_var, by_vars, subject_var)
    keys = list(by_vars)
    if not keys:
        return pd.DataFrame([test(dataset[value_var], dataset[group_var]).as_row()], columns=RESULT_COLUMNS)
    return _per_cell(dataset, keys, lambda part: test(part[value_var], part[group_var]))


def kruskal_wallis_by_cell(dataset: pd.DataFrame, *, value_var: str = "CHG", group_var: str = "TRT01A",
                           by_vars: Sequence[str] = ("PARAMCD", "AVISITN"),
                           subject_var: str = "USUBJID") -> pd.DataFrame:
    """:func:`kruskal_wallis` across ``group_var`` per ``by_vars``."""
    return _between(kruskal_wallis, dataset, value_var, group_var, by_vars, subject_var)


def one_way_anova_by_cell(dataset: pd.DataFrame, *, value_var: str = "CHG", group_var: str = "TRT01A",
                          by_vars: Sequence[str] = ("PARAMCD", "AVISITN"),
                          subject_var: str = "USUBJID") -> pd.DataFrame:
    """:func:`one_way_anova` across ``group_var`` per ``by_vars``."""
    return _between(one_way_anova, dataset, value_var, group_var, by_vars, subject_var)


def rank_sum_by_cell(dataset: pd.DataFrame, *, groups: tuple[str, str], value_var: str = "CHG",
                     group_var: str = "TRT01A", by_vars: Sequence[str] = ("PARAMCD", "AVISITN"),
                     subject_var: str = "USUBJID", **options) -> pd.DataFrame:
    """:func:`rank_sum_test` of ``groups[0]`` (x) against ``groups[1]`` (y) per ``by_vars``."""
    if len(groups) != 2:
        raise AnalysisError(f"'groups' must name two groups, x then y (got {groups!r})")
    first, second = groups

    def test(values, labels):
        return rank_sum_test(values[labels == first], values[labels == second], **options)

    return _between(test, dataset, value_var, group_var, by_vars, subject_var)


# --- rounding -----------------------------------------------------------------------------------------

def round_half_up(value: float, decimals: int = 4) -> float:
    """``value`` rounded half up (away from zero) to ``decimals``, on its shortest decimal form (repr).

    0.03125 -> 0.0313 (Python's round() and numpy give 0.0312); NaN stays NaN.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def format_p_value(value: float, decimals: int = 4) -> str:
    """A p-value as text with ``decimals`` places rounded half up; "<0.0001" below the last place; "" if NaN."""
    if value is None or math.isnan(value):
        return ""
    quantum = Decimal(1).scaleb(-decimals)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        return f"<{quantum}"
    return f"{rounded:.{decimals}f}"
