"""Baseline-to-visit shift tables of a present/absent finding (S-Tables 4-8: the five symptoms of ADCE).

The paper writes each subject's pair as "condition at baseline/condition at the visit", "+" present and "-"
absent, so the first sign is the baseline:

=======  =========================  ==========================
cell     baseline (BASEC)           visit (AVALC)
=======  =========================  ==========================
``+/+``  present (``Y``)            present (``Y``)
``+/-``  present                    absent (``N``): improved
``-/+``  absent                     present: worsened
``-/-``  absent                     absent
=======  =========================  ==========================

``N`` counts the subjects with both sides present; the four cells add up to it. ``NMISS`` counts the records
of the cell with a missing side (missing is NaN, None, or blank text, as an XPT file gives it back), or, with
``population``, the subjects of the group without a complete pair (absent record or a missing side). A value
other than the two codes is misuse (ADaM conformance checks the NY codelist first) and raises.
Pass post-baseline records only (e.g. ``AVISITN > 0``): the function does not pick visits.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from cdisc_pipe.analysis.methods.continuous import assert_columns, assert_unique
from cdisc_pipe.analysis.methods.inputs import AnalysisError

__all__ = ["SHIFT_CELLS", "count_shifts", "compute_shift"]

SHIFT_CELLS = ("+/+", "+/-", "-/+", "-/-")
MAX_SHOWN = 10


def _signs(values: pd.Series, *, positive: str, negative: str, name: str) -> pd.Series:
    """'+' for ``positive``, '-' for ``negative``, missing for NaN/None/blank; anything else raises."""
    text = values.astype("string").str.strip()
    missing = text.isna() | (text == "")
    bad = ~missing & ~text.isin([positive, negative])
    if bad.any():
        offenders = sorted(set(text[bad].tolist()))
        more = f" ... and {len(offenders) - MAX_SHOWN} more" if len(offenders) > MAX_SHOWN else ""
        raise AnalysisError(f"variable {name} must hold {positive!r} or {negative!r} or be missing "
                            f"(got {offenders[:MAX_SHOWN]}{more})")
    signs = pd.Series(pd.NA, index=values.index, dtype="string")
    signs[text == positive] = "+"
    signs[text == negative] = "-"
    return signs


def compute_shift(baseline: pd.Series, value: pd.Series, *, positive: str = "Y", negative: str = "N") -> pd.Series:
    """The paper's shift label per record ("+/-" = present at baseline, absent at the visit); missing when
    either side is missing. ``baseline`` and ``value`` are aligned on their index."""
    base = _signs(baseline, positive=positive, negative=negative, name=str(baseline.name or "baseline"))
    post = _signs(value, positive=positive, negative=negative, name=str(value.name or "value"))
    return (base + "/" + post).rename("SHIFT")


def count_shifts(dataset: pd.DataFrame, *, group_var: str = "TRT01A",
                 by_vars: Sequence[str] = ("PARAMCD", "AVISITN"), subject_var: str = "USUBJID",
                 base_var: str = "BASEC", value_var: str = "AVALC", positive: str = "Y", negative: str = "N",
                 population: pd.DataFrame | None = None) -> pd.DataFrame:
    """Shift counts per ``by_vars`` and ``group_var``: N, "+/+", "+/-", "-/+", "-/-", NMISS (module docstring).

    One record per subject and cell is required. With ``population`` (``subject_var`` and ``group_var``,
    e.g. ADSL of the safety set) every group of it gets a row for each ``by_vars`` combination in ``dataset``.
    """
    by_vars = list(by_vars)
    keys = [*by_vars, group_var]
    assert_columns(dataset, [subject_var, base_var, value_var, *keys], arg="dataset")
    assert_unique(dataset, [*keys, subject_var], arg="dataset")
    shift = compute_shift(dataset[base_var], dataset[value_var], positive=positive, negative=negative)
    frame = dataset[keys].assign(SHIFT=shift.to_numpy())
    grouped = frame.groupby(keys, sort=True, dropna=False)
    records = grouped.size().rename("_RECORDS")
    counts = (frame.dropna(subset=["SHIFT"]).groupby([*keys, "SHIFT"], sort=True, dropna=False).size()
              .unstack("SHIFT").reindex(columns=list(SHIFT_CELLS)))
    table = pd.concat([records, counts], axis=1).fillna(0).astype("int64")
    table.columns.name = None
    table.insert(0, "N", table[list(SHIFT_CELLS)].sum(axis=1))
    table["NMISS"] = table.pop("_RECORDS") - table["N"]
    table = table.reset_index()
    if population is not None:
        table = _over_population(table, dataset, population, keys=keys, by_vars=by_vars, group_var=group_var,
                                 subject_var=subject_var, complete=shift.notna().to_numpy())
    return table[[*keys, "N", *SHIFT_CELLS, "NMISS"]]


def _over_population(table, dataset, population, *, keys, by_vars, group_var, subject_var, complete):
    assert_columns(population, [subject_var, group_var], arg="population")
    assert_unique(population, [subject_var], arg="population")
    paired = dataset.loc[complete, [subject_var, group_var]].drop_duplicates()
    joined = paired.merge(population[[subject_var, group_var]], on=subject_var, how="left", suffixes=("", "_POP"))
    outside = joined[joined[f"{group_var}_POP"].isna() | (joined[group_var] != joined[f"{group_var}_POP"])]
    if len(outside):
        raise AnalysisError(f"every subject with a shift in 'dataset' must be in 'population' with the same "
                            f"{group_var} (got {outside[subject_var].head(MAX_SHOWN).tolist()})")
    big_n = population.groupby(group_var, sort=True)[subject_var].nunique()
    groups = pd.DataFrame({group_var: big_n.index})
    grid = dataset[by_vars].drop_duplicates().merge(groups, how="cross") if by_vars else groups
    out = grid.merge(table, on=keys, how="left").sort_values(keys, kind="stable", ignore_index=True)
    counted = ["N", *SHIFT_CELLS]
    out[counted] = out[counted].fillna(0).astype("int64")
    out["NMISS"] = (out[group_var].map(big_n).to_numpy() - out["N"]).astype("int64")
    return out
