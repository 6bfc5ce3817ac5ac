"""Symptom shift tables (S-Tables 4-8): baseline/visit "+/-" counts of the five ADCE symptoms, as ARD rows.

Population: the full analysis set (ADSL FASFL = "Y"), the set of the efficacy tables, group ADSL TRT01A
(order TRT01AN). A subject outside it (in the default study one MEDIUM subject lost before any follow-up
visit) has no post-baseline record, so the counts are the same as on the safety set; only NMISS differs.
Records: ADCE post-baseline scheduled visits (AVISITN 29, 57, 85, 169); the baseline side is BASEC (the
ABLFL record: the DAY 1 pre-infusion assessment), the visit side AVALC ("Y" present, "N" absent).

=============  ==============  ==================================================================================
ANALYSIS       AVISIT          STATISTIC (VALUE)
=============  ==============  ==================================================================================
SYMP-SHIFT     DAY 29 ... 169  N (subjects with both sides), "+/+", "+/-", "-/+", "-/-" (first sign = baseline),
                               NMISS (FAS subjects of the group without a complete pair), BASE+ / BASE- (N split
                               by baseline: "+/+" + "+/-", "-/+" + "-/-"), PCT +/+ ... PCT -/- (100 x cell / N),
                               PCT +/- OF BASE+ (improved among those positive at baseline), PCT -/+ OF BASE-
                               (appeared among those negative at baseline)
SYMP-BASELINE  BASELINE        N (subjects with a baseline assessment), POS, NEG, NMISS, PCT POS (100 x POS / N)
=============  ==============  ==================================================================================

Every FAS group gets every row of every symptom and visit present in ADCE (zero counts included); a
percentage whose denominator is 0 is missing, with a NOTE.
"""

from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from cdisc_pipe.analysis.ard import ard_rows, concat_ard
from cdisc_pipe.analysis.continuous_params import ANALYSIS_VISITS, POPULATION_TEXT, select_population
from cdisc_pipe.analysis.methods.continuous import assert_columns
from cdisc_pipe.analysis.methods.inputs import AnalysisError
from cdisc_pipe.analysis.methods.shift import SHIFT_CELLS, count_shifts

__all__ = ["analyse_symptoms", "SYMPTOMS", "SHIFT_STATISTICS"]

SYMPTOMS = ("ASCITES", "EDEMALMB", "HEMATEM", "JAUNDICE", "ANOREXIA")
"""ADCE PARAMCDs in the paper's order (S-Tables 4 to 8)."""
GROUP = "TRT01A"
BY_VARS = ["PARAMCD", "PARAM", "AVISITN", "AVISIT"]
SHIFT_STATISTICS = ("N", *SHIFT_CELLS, "NMISS", "BASE+", "BASE-", *(f"PCT {c}" for c in SHIFT_CELLS),
                    "PCT +/- OF BASE+", "PCT -/+ OF BASE-")
_SHIFT_METHOD = ("subjects by baseline/visit status, '+' present (Y), '-' absent (N), first sign = baseline (ADCE "
                 "BASEC), second = visit (AVALC); scheduled AVISIT; " + POPULATION_TEXT)
_BASELINE_METHOD = "subjects by status at baseline (ADCE ABLFL = 'Y', AVALC); " + POPULATION_TEXT


def analyse_symptoms(adam: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """ARD rows SYMP-SHIFT and SYMP-BASELINE (module docstring) from ADSL and ADCE."""
    for name in ("ADSL", "ADCE"):
        if name not in adam:
            raise AnalysisError(f"'adam' must hold {name} (got {sorted(adam)})")
    adce = adam["ADCE"]
    assert_columns(adce, ["USUBJID", *BY_VARS, "ABLFL", "BASEC", "AVALC"], arg="ADCE")
    population = select_population(adam["ADSL"])
    records = adce[adce["PARAMCD"].isin(SYMPTOMS)].drop(columns=[GROUP, "TRT01AN"], errors="ignore")
    records = records.merge(population, on="USUBJID", how="inner")
    groupn = population.drop_duplicates(GROUP).set_index(GROUP)["TRT01AN"].astype("float64")
    post = records[records["AVISITN"].isin(ANALYSIS_VISITS)]
    baseline = records[records["ABLFL"].astype("string").str.strip().eq("Y").fillna(False).to_numpy(dtype=bool)]
    parts = []
    if len(post):
        shifts = count_shifts(post, group_var=GROUP, by_vars=BY_VARS, population=population)
        parts.append(_shift_rows(shifts, groupn))
    if len(baseline):
        parts.append(_baseline_rows(baseline, population, groupn))
    return concat_ard(parts)


def _ratio(numerator: pd.Series, denominator: pd.Series) -> np.ndarray:
    num, den = numerator.to_numpy(dtype="float64"), denominator.to_numpy(dtype="float64")
    return np.divide(100.0 * num, den, out=np.full(len(num), np.nan), where=den > 0)


def _long(table: pd.DataFrame, values: dict[str, np.ndarray], notes: dict[str, np.ndarray], groupn: pd.Series,
          **constants) -> pd.DataFrame:
    base = table[BY_VARS].assign(GROUP=table[GROUP].to_numpy(), GROUPN=table[GROUP].map(groupn).to_numpy())
    parts = [base.assign(STATISTIC=name, VALUE=value, NOTE=notes.get(name, "")) for name, value in values.items()]
    return ard_rows(pd.concat(parts, ignore_index=True), DATASET="ADCE", **constants)


def _shift_rows(shifts: pd.DataFrame, groupn: pd.Series) -> pd.DataFrame:
    values = {name: shifts[name].to_numpy(dtype="float64") for name in ("N", *SHIFT_CELLS, "NMISS")}
    base_pos = shifts["+/+"] + shifts["+/-"]
    base_neg = shifts["-/+"] + shifts["-/-"]
    values["BASE+"], values["BASE-"] = base_pos.to_numpy(dtype="float64"), base_neg.to_numpy(dtype="float64")
    for cell in SHIFT_CELLS:
        values[f"PCT {cell}"] = _ratio(shifts[cell], shifts["N"])
    values["PCT +/- OF BASE+"] = _ratio(shifts["+/-"], base_pos)
    values["PCT -/+ OF BASE-"] = _ratio(shifts["-/+"], base_neg)
    no_n = np.where(shifts["N"].to_numpy() == 0, "N = 0", "")
    notes = {f"PCT {cell}": no_n for cell in SHIFT_CELLS}
    notes["PCT +/- OF BASE+"] = np.where(base_pos.to_numpy() == 0, "no subject positive at baseline", "")
    notes["PCT -/+ OF BASE-"] = np.where(base_neg.to_numpy() == 0, "no subject negative at baseline", "")
    return _long(shifts, values, notes, groupn, ANALYSIS="SYMP-SHIFT", METHOD=_SHIFT_METHOD)


def _baseline_rows(baseline: pd.DataFrame, population: pd.DataFrame, groupn: pd.Series) -> pd.DataFrame:
    """POS / NEG / N / NMISS at baseline per symptom and FAS group (every group, zero-filled)."""
    status = baseline["AVALC"].astype("string").str.strip()
    frame = baseline[["USUBJID", *BY_VARS[:2], GROUP]].assign(POS=status.eq("Y").fillna(False).to_numpy(),
                                                              NEG=status.eq("N").fillna(False).to_numpy())
    counts = frame.groupby([*BY_VARS[:2], GROUP], sort=True)[["POS", "NEG"]].sum()
    big_n = population.groupby(GROUP)["USUBJID"].nunique()
    grid = frame[BY_VARS[:2]].drop_duplicates().merge(pd.DataFrame({GROUP: big_n.index}), how="cross")
    table = grid.merge(counts.reset_index(), on=[*BY_VARS[:2], GROUP], how="left").fillna({"POS": 0, "NEG": 0})
    table["N"] = table["POS"] + table["NEG"]
    table["NMISS"] = table[GROUP].map(big_n).to_numpy() - table["N"]
    table["AVISIT"], table["AVISITN"] = "BASELINE", 0.0
    table = table.sort_values([*BY_VARS[:2], GROUP], kind="stable", ignore_index=True)
    values = {name: table[name].to_numpy(dtype="float64") for name in ("N", "POS", "NEG", "NMISS")}
    values["PCT POS"] = _ratio(table["POS"], table["N"])
    notes = {"PCT POS": np.where(table["N"].to_numpy() == 0, "N = 0", "")}
    return _long(table, values, notes, groupn, ANALYSIS="SYMP-BASELINE", METHOD=_BASELINE_METHOD)
