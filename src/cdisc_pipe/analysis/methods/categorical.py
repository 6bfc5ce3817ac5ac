"""Categorical methods with R's conventions: counts by group, chi-square, Fisher's exact, the test rule.

* :func:`count_by_group` - counts (records or distinct subjects) and percentages per group and category;
* :func:`contingency_table` - a zero-filled two-way table of counts;
* :func:`chi_square_test` - Pearson's chi-square as R's ``chisq.test`` (Yates' correction on 2 x 2 only);
* :func:`fisher_exact_test` - Fisher's exact test by full enumeration, any r x c (as R's ``fisher.test``);
* :func:`categorical_test` - Fisher's exact when any expected count is below a threshold, else chi-square;
* :func:`repeated_measures_anova` - the test behind the paper's Table 1 AE "F" and "P" (see its docstring).

Conventions are written out in ``docs/analysis-methods.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special, stats

from cdisc_pipe.analysis.methods.inputs import AnalysisError, TableTooLarge, assert_count_table

__all__ = [
    "ChiSquareResult",
    "FisherResult",
    "CategoricalTestResult",
    "RepeatedMeasuresAnovaResult",
    "count_by_group",
    "contingency_table",
    "expected_counts",
    "chi_square_test",
    "fisher_exact_test",
    "categorical_test",
    "repeated_measures_anova",
]

FISHER_RELATIVE_TOLERANCE = 1e-7   # R fisher.test: tables with P <= P(observed) * (1 + 1e-7) are as extreme
MAX_TABLES = 20_000_000


def _assert_columns(dataset: pd.DataFrame, names: Sequence[str]) -> None:
    if not isinstance(dataset, pd.DataFrame):
        raise AnalysisError(f"'dataset' must be a pandas DataFrame (got {type(dataset).__name__})")
    missing = [name for name in names if name not in dataset.columns]
    if missing:
        raise AnalysisError(f"'dataset' must have variables {list(names)} (got none named {missing})")
    for name in names:
        empty = dataset[name].isna()
        if empty.any():
            raise AnalysisError(f"'dataset.{name}' must have no missing values; recode them first "
                                f"(got {int(empty.sum())} missing)")


def _levels(values: pd.Series, given: Sequence[Any] | None, name: str) -> list[Any]:
    if given is not None:
        unknown = sorted(set(values.unique()) - set(given), key=str)
        if unknown:
            raise AnalysisError(f"'{name}' must list every value present (got values {unknown[:10]} not in it)")
        return list(given)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    return sorted(values.unique().tolist(), key=lambda v: (str(type(v)), v))


def contingency_table(dataset: pd.DataFrame, *, row: str, column: str, subject: str | None = None,
                      rows: Sequence[Any] | None = None, columns: Sequence[Any] | None = None) -> pd.DataFrame:
    """Counts of ``row`` by ``column`` (records, or distinct ``subject`` values per cell), every level
    present (zero-filled) in the order given or, by default, categorical / sorted order."""
    _assert_columns(dataset, [row, column] + ([subject] if subject else []))
    frame = dataset[[row, column] + ([subject] if subject else [])]
    if subject:
        frame = frame.drop_duplicates()
    row_levels = _levels(frame[row], rows, "rows")
    col_levels = _levels(frame[column], columns, "columns")
    counts = frame.groupby([row, column], observed=True, sort=False).size()
    table = counts.unstack(column).reindex(index=row_levels, columns=col_levels).fillna(0).astype(np.int64)
    table.index.name, table.columns.name = row, column
    return table


def count_by_group(dataset: pd.DataFrame, *, group: str, variable: str | None = None, subject: str | None = None,
                   groups: Sequence[Any] | None = None, categories: Sequence[Any] | None = None,
                   denominators: Mapping[Any, int] | None = None) -> pd.DataFrame:
    """Counts and percentages per group (and per category of ``variable`` when given).

    ``n`` counts records, or distinct ``subject`` values when ``subject`` is given (an AE table counts
    events; an incidence table counts subjects). ``denominators`` maps each group to its N (e.g. the ADSL
    population); by default it is the group's own total of the counted unit. ``pct`` = 100 n / N, unrounded.
    Columns: ``group``, ``category`` (when ``variable``), ``n``, ``denominator``, ``pct``."""
    if variable is None:
        _assert_columns(dataset, [group] + ([subject] if subject else []))
        frame = dataset[[group] + ([subject] if subject else [])].assign(_ALL_=0)
        table = contingency_table(frame, row="_ALL_", column=group, subject=subject, columns=groups)
    else:
        table = contingency_table(dataset, row=variable, column=group, subject=subject, rows=categories,
                                  columns=groups)
    group_levels = list(table.columns)
    if denominators is None:
        keys = [group] + ([subject] if subject else [])
        unit = dataset[keys].drop_duplicates() if subject else dataset[keys]
        totals = unit.groupby(group, observed=True, sort=False).size()
        denominator = totals.reindex(group_levels).fillna(0).to_numpy(np.int64)
    else:
        absent = [g for g in group_levels if g not in denominators]
        if absent:
            raise AnalysisError(f"'denominators' must give N for every group (got none for {absent})")
        denominator = np.array([denominators[g] for g in group_levels], dtype=np.int64)
    long = table.T.stack().rename("n").reset_index()
    long.columns = ["group", "category", "n"]
    long["denominator"] = np.repeat(denominator, table.shape[0])
    with np.errstate(divide="ignore", invalid="ignore"):
        long["pct"] = 100.0 * long["n"] / long["denominator"]
    return long.drop(columns="category") if variable is None else long


def expected_counts(table: Any) -> np.ndarray:
    """Row total x column total / N for every cell (the counts expected under independence)."""
    values = assert_count_table(table)
    total = values.sum()
    if total == 0:
        return np.zeros_like(values)
    return np.outer(values.sum(axis=1), values.sum(axis=0)) / total


def _non_empty(values: np.ndarray) -> np.ndarray:
    return values[values.sum(axis=1) > 0][:, values.sum(axis=0) > 0]


@dataclass(frozen=True)
class ChiSquareResult:
    """Pearson's chi-square test. ``correction`` tells whether Yates' correction was applied;
    ``expected`` is for the table actually tested (empty rows and columns left out when asked)."""

    statistic: float
    df: int
    p_value: float
    correction: bool
    expected: np.ndarray
    min_expected: float
    n_expected_below_5: int
    note: str = ""


def chi_square_test(table: Any, *, correct: bool = True, drop_empty: bool = True) -> ChiSquareResult:
    """Pearson's chi-square test of independence, as R's ``chisq.test(x, correct = correct)``.

    With ``correct=True`` (R's default) Yates' continuity correction is applied to a 2 x 2 table only, as
    |O - E| - min(0.5, |O - E|); larger tables are never corrected. ``drop_empty`` leaves out rows and
    columns with no counts (R would give NaN for them). Fewer than two non-empty rows or columns: NaN."""
    values = assert_count_table(table)
    tested = _non_empty(values) if drop_empty else values
    if min(tested.shape) < 2:
        return ChiSquareResult(float("nan"), 0, float("nan"), False, expected_counts(tested),
                               float("nan"), 0, "fewer than two non-empty rows or columns")
    expected = expected_counts(tested)
    deviation = np.abs(tested - expected)
    yates = min(0.5, float(deviation.min())) if correct and tested.shape == (2, 2) else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = float(np.sum((deviation - yates) ** 2 / expected))
    df = (tested.shape[0] - 1) * (tested.shape[1] - 1)
    return ChiSquareResult(statistic, df, float(stats.chi2.sf(statistic, df)), yates > 0, expected,
                           float(expected.min()), int((expected < 5).sum()))


@dataclass(frozen=True)
class FisherResult:
    """Fisher's exact test (two-sided). ``n_tables`` is how many tables with the observed margins were
    enumerated."""

    p_value: float
    n_tables: int
    shape: tuple[int, int]


def _compositions(total: int, bounds: np.ndarray) -> np.ndarray:
    """Every way to split ``total`` into len(bounds) non-negative parts each <= its bound, one per row."""
    rows = np.zeros((1, 0), dtype=np.int64)
    remaining = np.array([total], dtype=np.int64)
    for bound in bounds[:-1]:
        counts = np.minimum(remaining, bound) + 1
        parent = np.repeat(np.arange(rows.shape[0]), counts)
        value = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        rows = np.column_stack([rows[parent], value])
        remaining = remaining[parent] - value
    keep = remaining <= bounds[-1]
    return np.column_stack([rows[keep], remaining[keep]])


def _fitting_pairs(states: np.ndarray, choices: np.ndarray, chunk: int = 2_000_000):
    """Pairs (state, choice) where the choice fits inside the state's remaining row totals; in chunks of
    states so that memory stays bounded."""
    step = max(1, chunk // max(1, choices.shape[0]))
    parents, picks = [], []
    for start in range(0, states.shape[0], step):
        fits = (choices[None, :, :] <= states[start:start + step, None, :]).all(axis=2)
        parent, choice = np.nonzero(fits)
        parents.append(parent + start)
        picks.append(choice)
    return np.concatenate(parents), np.concatenate(picks)


def fisher_exact_test(table: Any, *, max_tables: int = MAX_TABLES) -> FisherResult:
    """Fisher's exact test, two-sided, for any r x c table (as R's ``fisher.test``, without simulation).

    Every table with the observed margins is enumerated; the p-value sums the probabilities of those no more
    probable than the observed one, with R's relative tolerance 1e-7 for ties. Empty rows and columns are
    left out (they do not change the result). Raises :class:`TableTooLarge` when more than ``max_tables``
    partial tables would be held at once - then use chi-square, or a simulated p-value, and say so."""
    values = _non_empty(assert_count_table(table)).astype(np.int64)
    if min(values.shape) < 2:
        return FisherResult(1.0, 1, values.shape)
    if values.shape[0] > values.shape[1]:
        values = values.T                        # split columns into the fewer parts
    values = values[:, np.argsort(values.sum(axis=0), kind="stable")]   # the largest column comes last
    row_totals, col_totals = values.sum(axis=1), values.sum(axis=0)
    log_factorial = special.gammaln(np.arange(values.sum() + 1) + 1.0)
    observed = log_factorial[values].sum()
    states, spent = row_totals[None, :], np.zeros(1)
    for total in col_totals[:-1]:
        choices = _compositions(int(total), row_totals)
        if states.shape[0] * choices.shape[0] > max_tables:
            raise TableTooLarge(f"Fisher's exact test on a {values.shape[0]} x {values.shape[1]} table with total "
                                f"{int(values.sum())} must enumerate at most {max_tables} partial tables "
                                f"(got {states.shape[0] * choices.shape[0]}); use chi-square instead")
        parent, choice = _fitting_pairs(states, choices)
        states = states[parent] - choices[choice]
        spent = spent[parent] + log_factorial[choices[choice]].sum(axis=1)
    spent = spent + log_factorial[states].sum(axis=1)   # the last column is what is left of each row
    constant = log_factorial[row_totals].sum() + log_factorial[col_totals].sum() - log_factorial[values.sum()]
    log_p = constant - spent
    threshold = constant - observed + np.log1p(FISHER_RELATIVE_TOLERANCE)
    p_value = float(np.exp(log_p[log_p <= threshold]).sum())
    return FisherResult(min(p_value, 1.0), int(log_p.size), tuple(values.shape))


@dataclass(frozen=True)
class CategoricalTestResult:
    """The test :func:`categorical_test` chose and its outcome. ``method`` is "chi-square" or "fisher";
    ``fallback`` is True when Fisher's test was called for but too large, so chi-square was used."""

    method: str
    p_value: float
    statistic: float
    df: int
    reason: str
    fallback: bool = False
    chi_square: ChiSquareResult | None = field(default=None, repr=False)
    fisher: FisherResult | None = field(default=None, repr=False)


def categorical_test(table: Any, *, min_expected: float | None = 5.0, correct: bool = True,
                     max_tables: int = MAX_TABLES) -> CategoricalTestResult:
    """Fisher's exact test when any expected count (of the non-empty table) is below ``min_expected``,
    Pearson's chi-square otherwise (``min_expected=None``: always chi-square). The reason for the choice is
    returned with the result; ``statistic`` and ``df`` are NaN / 0 for Fisher's test."""
    chi = chi_square_test(table, correct=correct)
    if min_expected is None or not chi.min_expected < min_expected:
        reason = ("chi-square requested" if min_expected is None else
                  f"every expected count >= {min_expected:g} (smallest {chi.min_expected:.3g})")
        return CategoricalTestResult("chi-square", chi.p_value, chi.statistic, chi.df, reason, chi_square=chi)
    reason = f"{chi.n_expected_below_5} expected count(s) below 5, smallest {chi.min_expected:.3g}" \
        if min_expected == 5 else f"an expected count below {min_expected:g} (smallest {chi.min_expected:.3g})"
    try:
        fisher = fisher_exact_test(table, max_tables=max_tables)
    except TableTooLarge as err:
        return CategoricalTestResult("chi-square", chi.p_value, chi.statistic, chi.df,
                                     f"{reason}; Fisher's exact test too large ({err})", fallback=True,
                                     chi_square=chi)
    return CategoricalTestResult("fisher", fisher.p_value, float("nan"), 0, reason, chi_square=chi, fisher=fisher)


@dataclass(frozen=True)
class RepeatedMeasuresAnovaResult:
    """One-way repeated-measures ANOVA: ``f`` on (``df1``, ``df2``) with ``p_value`` assuming sphericity,
    and ``p_value_gg`` with both df multiplied by the Greenhouse-Geisser ``epsilon_gg``."""

    f: float
    df1: int
    df2: int
    p_value: float
    epsilon_gg: float
    p_value_gg: float


def repeated_measures_anova(table: Any) -> RepeatedMeasuresAnovaResult:
    """One-way repeated-measures ANOVA: rows are blocks ("subjects"), columns the repeated factor.

    F = MS(columns) / MS(residual) of the additive two-way model, on (c - 1, (c - 1)(r - 1)) df; the
    Greenhouse-Geisser epsilon is tr(S*)^2 / ((c - 1) tr(S*^2)) with S* the double-centred covariance of
    the columns, as SPSS's GLM repeated measures and R's ``anova.mlm(test = "Spherical")`` report it.

    The paper's Table 1 AE tests are this test on its count table with the categories (CTCAE grades, or
    relationship levels) as rows and the three dose groups as columns, P Greenhouse-Geisser corrected:
    F = 2.341, P = 0.2101 (severity) and F = 1.262, P = 0.3435 (relationship). It treats category counts as
    repeated measurements of a "subject"; it is documented to reproduce the paper, not recommended."""
    values = np.asarray(table.to_numpy() if isinstance(table, pd.DataFrame) else table, dtype=float)
    if values.ndim != 2 or values.shape[0] < 2 or values.shape[1] < 2 or not np.isfinite(values).all():
        raise AnalysisError(f"'table' must be a finite table with at least 2 rows and 2 columns "
                            f"(got shape {values.shape})")
    rows, cols = values.shape
    grand = values.mean()
    ss_cols = rows * np.sum((values.mean(axis=0) - grand) ** 2)
    ss_rows = cols * np.sum((values.mean(axis=1) - grand) ** 2)
    ss_error = np.sum((values - grand) ** 2) - ss_cols - ss_rows
    df1, df2 = cols - 1, (cols - 1) * (rows - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = float((ss_cols / df1) / (ss_error / df2))
        centring = np.eye(cols) - 1.0 / cols
        star = centring @ np.cov(values, rowvar=False) @ centring
        epsilon = float(np.trace(star) ** 2 / (df1 * np.sum(star * star)))
    return RepeatedMeasuresAnovaResult(f, df1, df2, float(stats.f.sf(f, df1, df2)), epsilon,
                                       float(stats.f.sf(f, epsilon * df1, epsilon * df2)))
