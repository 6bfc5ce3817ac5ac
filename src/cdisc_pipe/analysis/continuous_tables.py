"""Continuous parameters by group and visit (S-Tables 1-3 and 9) as analysis results data (ARD rows).

Every analysis is on the full analysis set (ADSL FASFL = "Y"), group ADSL TRT01A (order TRT01AN), on the
records :func:`~cdisc_pipe.analysis.continuous_params.build_continuous_frame` selects (the catalogue and
the selection rules per dataset are there). CHG is rounded to the parameter's collected precision before any
statistic (why: same module). The ANALYSIS ids, one row per statistic:

=========================  ===============  ===================================================================
ANALYSIS                   GROUP            STATISTIC (VALUE)
=========================  ===============  ===================================================================
CONT-DESC-AVAL             each group       N, NMISS, MEAN, SD, SE, MEDIAN, Q1, Q3, MIN, MAX of AVAL; every
                                            visit incl. baseline; NMISS = FAS subjects of the group - N
CONT-DESC-CHG              each group       the same of CHG; post-baseline visits only (no baseline row)
CONT-SHAPIRO               each group       W, P, N: Shapiro-Wilk of CHG
CONT-SIGNRANK-R            each group       V, P, N: Wilcoxon signed-rank of CHG vs 0, R ``wilcox.test``
                                            (zeros dropped; exact only without ties and zeros, else
                                            normal with continuity correction)
CONT-SIGNRANK-SAS          each group       V, P, N: the same test as SAS PROC UNIVARIATE (zeros dropped;
                                            exact conditional on the mid-ranks for n <= 20, also with ties)
CONT-KW                    ALL              H, DF, P, N: Kruskal-Wallis of CHG across the groups with values
CONT-ANOVA                 ALL              F, DF1, DF2, P, N: one-way ANOVA of CHG (secondary: every cell)
CONT-BETWEEN               ALL              TEST (VALUEC "ANOVA" / "KRUSKAL-WALLIS"), P, N: the paper's rule
                                            "Fisher test for normal distribution, Kruskal-Wallis otherwise":
                                            ANOVA when every group with values has Shapiro-Wilk p >= 0.05
CONT-RANKSUM-{CHG,AVAL}    "<x> vs <y>"     W, P, N: IL-17A (INTLK17) at DAY 57, lowest vs highest dose
[-NOCC]                                     group (the paper's "LOW vs HIGH"), Wilcoxon rank-sum as R
                                            ``wilcox.test(x, y)``; -NOCC without continuity correction
=========================  ===============  ===================================================================

METHOD names the test, its options and the p-value actually computed (exact, normal-cc, ...), the population
and the records analysed; NOTE says why a value is missing or what a reader must know (ties, zeros dropped).
A cell of the grid (parameter x visit x FAS group) without data still has its rows, with N = 0 and P missing.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from cdisc_pipe.analysis.ard import ard_rows, concat_ard
from cdisc_pipe.analysis.continuous_params import (POPULATION_TEXT, build_continuous_frame, parameter_catalogue,
                                                    select_population)
from cdisc_pipe.analysis.methods.continuous import (NOT_COMPUTABLE, kruskal_wallis_by_cell, one_way_anova_by_cell,
                                                    rank_sum_by_cell, shapiro_wilk_by_cell, signed_rank_by_cell,
                                                    summarise_continuous)

__all__ = ["analyse_continuous", "RANKSUM_PARAMCD", "RANKSUM_VISIT", "NORMALITY_ALPHA", "DESCRIPTIVE_STATISTICS"]

BY_VARS = ["DATASET", "PARAMCD", "PARAM", "AVISITN", "AVISIT"]
GROUP = "TRT01A"
DESCRIPTIVE_STATISTICS = ("N", "NMISS", "MEAN", "SD", "SE", "MEDIAN", "Q1", "Q3", "MIN", "MAX")
RANKSUM_PARAMCD, RANKSUM_VISIT = "INTLK17", 57.0
NORMALITY_ALPHA = 0.05
ACROSS = "ALL"

_DESC = "N, NMISS (FAS subjects of the group without a value), mean, SD (n - 1), SE, median, Q1, Q3 (SAS PCTLDEF=5)"
_R = ("Wilcoxon signed-rank of CHG vs 0 within group, reference R wilcox.test(exact = NULL, correct = TRUE): "
      "zeros dropped; exact only without ties and zeros, else normal with continuity correction")
_SAS = ("Wilcoxon signed-rank of CHG vs 0 within group, reference SAS PROC UNIVARIATE: zeros dropped; exact "
        "conditional distribution of the mid-ranks for n <= 20 (also with ties), t approximation above")
_PN = [("P", "PVALUE"), ("N", "N")]
_SW = "Shapiro-Wilk of CHG within group (R shapiro.test; 3 <= n <= 5000)"
_KW = "Kruskal-Wallis of CHG across groups (tie-corrected H, chi-square k - 1 df; groups without values left out)"
_ANOVA = "one-way ANOVA F of CHG across groups (equal variances; secondary, given for every cell)"
_RULE = (f"paper's rule: one-way ANOVA when every group with values has Shapiro-Wilk p >= {NORMALITY_ALPHA} "
         "(n >= 3), else Kruskal-Wallis; on CHG")


def analyse_continuous(adam: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """ARD rows of every continuous analysis (module docstring) from the ADaM datasets ``adam``."""
    frame = build_continuous_frame(adam)
    if frame.empty:
        return ard_rows([])
    population = select_population(adam["ADSL"])
    post = frame[frame["BASEFL"] != "Y"]
    context = _Context(frame, population)
    desc_chg = summarise_continuous(post, value_var="CHG", group_var=GROUP, by_vars=BY_VARS, population=population)
    grid = desc_chg[[*BY_VARS, GROUP]]
    shapiro = shapiro_wilk_by_cell(post, value_var="CHG", group_var=GROUP, by_vars=BY_VARS)
    kw = kruskal_wallis_by_cell(post, value_var="CHG", group_var=GROUP, by_vars=BY_VARS)
    anova = one_way_anova_by_cell(post, value_var="CHG", group_var=GROUP, by_vars=BY_VARS)
    parts = [
        context.describe(summarise_continuous(frame, value_var="AVAL", group_var=GROUP, by_vars=BY_VARS,
                                              population=population), "CONT-DESC-AVAL", "AVAL"),
        context.describe(desc_chg, "CONT-DESC-CHG", "CHG"),
        context.tests(_on_grid(shapiro, grid), "CONT-SHAPIRO", _SW, [("W", "STATISTIC"), *_PN]),
        *[context.tests(_on_grid(signed_rank_by_cell(post, value_var="CHG", group_var=GROUP, by_vars=BY_VARS,
                                                     reference=reference), grid), f"CONT-SIGNRANK-{reference}",
                        text, [("V", "STATISTIC"), *_PN]) for reference, text in (("R", _R), ("SAS", _SAS))],
        context.tests(kw, "CONT-KW", _KW, [("H", "STATISTIC"), ("DF", "DF1"), *_PN], across=True),
        context.tests(anova, "CONT-ANOVA", _ANOVA, [("F", "STATISTIC"), ("DF1", "DF1"), ("DF2", "DF2"), *_PN],
                      across=True),
        context.between_rule(shapiro, kw, anova),
        *context.rank_sums(post),
    ]
    return concat_ard(parts)


def _on_grid(results: pd.DataFrame, grid: pd.DataFrame) -> pd.DataFrame:
    """Per-group test results on the full grid: a cell without records gets N = 0 and 'not computable'."""
    out = grid.merge(results, on=[*BY_VARS, GROUP], how="left")
    empty = out["METHOD"].isna()
    out.loc[empty, ["N", "METHOD", "NOTE"]] = [0, NOT_COMPUTABLE, "no observations"]
    out["N"] = out["N"].astype("int64")
    return out


class _Context:
    """What every ARD part needs: group order, the records-analysed text per dataset, CHG decimals."""

    def __init__(self, frame: pd.DataFrame, population: pd.DataFrame):
        self.groupn = population.drop_duplicates(GROUP).set_index(GROUP)["TRT01AN"].astype("float64")
        self.selection = parameter_catalogue().drop_duplicates("DATASET").set_index("DATASET")["SELECTION"]
        self.decimals = frame.drop_duplicates(["DATASET", "PARAMCD"]).set_index(["DATASET", "PARAMCD"])["CHGDEC"]

    def _where(self, table: pd.DataFrame, value: str) -> pd.Series:
        """'; <population>; <records analysed>' and for CHG the rounding, per row of ``table``."""
        text = "; " + POPULATION_TEXT + "; " + table["DATASET"].map(self.selection).astype("string")
        if value == "CHG":
            index = pd.MultiIndex.from_frame(table[["DATASET", "PARAMCD"]])
            decimals = self.decimals.reindex(index).to_numpy()
            text = text + "; CHG rounded to " + pd.Series(decimals, index=table.index).astype("string") + \
                " decimals (collected precision) before analysis"
        return text

    def _base(self, table: pd.DataFrame, *, across: bool) -> pd.DataFrame:
        out = table[BY_VARS].copy()
        if across:
            out["GROUP"], out["GROUPN"] = ACROSS, np.nan
        else:
            out["GROUP"] = table[GROUP].to_numpy()
            out["GROUPN"] = table[GROUP].map(self.groupn).to_numpy()
        return out

    def describe(self, table: pd.DataFrame, analysis: str, value: str) -> pd.DataFrame:
        base = self._base(table, across=False)
        method = (f"{_DESC} of {value}" + self._where(table, value)).to_numpy()
        n = table["N"].to_numpy()
        long = []
        for statistic in DESCRIPTIVE_STATISTICS:
            note = np.where(n == 0, "no subject of the group has a value at this visit", "")
            if statistic in ("SD", "SE"):
                note = np.where(n == 1, "n = 1", note)
            long.append(base.assign(STATISTIC=statistic, VALUE=table[statistic].astype("float64").to_numpy(),
                                    METHOD=method, NOTE=note))
        return ard_rows(pd.concat(long, ignore_index=True), ANALYSIS=analysis)

    def tests(self, results: pd.DataFrame, analysis: str, method: str, statistics: list[tuple[str, str]], *,
              across: bool = False, value: str = "CHG") -> pd.DataFrame:
        """ARD rows of a per-cell test frame: ``statistics`` = (ARD STATISTIC, result column) pairs."""
        if results.empty:
            return ard_rows([])
        base = self._base(results, across=across)
        text = (method + "; p-value by: " + results["METHOD"].astype("string")
                + self._where(results, value)).to_numpy()
        note = results["NOTE"].fillna("").astype("string").to_numpy()
        long = [base.assign(STATISTIC=name, VALUE=results[column].astype("float64").to_numpy(), METHOD=text,
                            NOTE=note) for name, column in statistics]
        return ard_rows(pd.concat(long, ignore_index=True), ANALYSIS=analysis)

    def between_rule(self, shapiro: pd.DataFrame, kw: pd.DataFrame, anova: pd.DataFrame) -> pd.DataFrame:
        """CONT-BETWEEN: per cell, ANOVA if every group with values passes Shapiro-Wilk, else Kruskal-Wallis."""
        if kw.empty:
            return ard_rows([])
        normal = shapiro.assign(_OK=shapiro["PVALUE"].to_numpy() >= NORMALITY_ALPHA)
        all_normal = normal.groupby(BY_VARS, sort=False)["_OK"].all().rename("_NORMAL").reset_index()
        chosen = kw.merge(all_normal, on=BY_VARS, how="left").merge(anova, on=BY_VARS, how="left",
                                                                   suffixes=("", "_F"))
        use_anova = chosen["_NORMAL"].fillna(False).to_numpy(dtype=bool)
        for column in ("STATISTIC", "PVALUE", "N", "METHOD", "NOTE"):
            chosen[column] = np.where(use_anova, chosen[f"{column}_F"], chosen[column])
        chosen["METHOD"] = np.where(use_anova, "ANOVA (every group normal), ",
                                    "Kruskal-Wallis (a group not shown normal), ") + chosen["METHOD"].astype(str)
        rows = self.tests(chosen, "CONT-BETWEEN", _RULE, [("P", "PVALUE"), ("N", "N")], across=True)
        test = rows[rows["STATISTIC"] == "P"].assign(STATISTIC="TEST", VALUE=np.nan,
                                                     VALUEC=np.where(use_anova, "ANOVA", "KRUSKAL-WALLIS"))
        return concat_ard([rows, test])

    def rank_sums(self, post: pd.DataFrame) -> list[pd.DataFrame]:
        """CONT-RANKSUM-*: the paper's IL-17A day 57 comparison of the lowest and highest dose groups."""
        cell = post[(post["PARAMCD"] == RANKSUM_PARAMCD) & (post["AVISITN"] == RANKSUM_VISIT)]
        order = self.groupn.sort_values()
        if cell.empty or len(order) < 2:
            return []
        low, high = order.index[0], order.index[-1]
        label = f"{low} vs {high}"
        parts = []
        for value in ("CHG", "AVAL"):
            for correct in (True, False):
                results = rank_sum_by_cell(cell, groups=(low, high), value_var=value, group_var=GROUP,
                                           by_vars=BY_VARS, correct=correct)
                method = (f"Wilcoxon rank-sum (Mann-Whitney) of {value}, x = {low}, y = {high}, R wilcox.test(x, y, "
                          f"correct = {'TRUE' if correct else 'FALSE'}): W = sum of x ranks - nx(nx+1)/2; exact "
                          "without ties, else normal")
                analysis = f"CONT-RANKSUM-{value}" + ("" if correct else "-NOCC")
                rows = self.tests(results, analysis, method, [("W", "STATISTIC"), *_PN], across=True, value=value)
                parts.append(rows.assign(GROUP=label))
        return parts
