"""Verbs for occurrence data (ADAE and other OCCDS datasets) and for categorical shifts (ADCE).

* :func:`derive_vars_suppqual` — the qualifiers of any SUPP-- dataset as variables of its parent domain
  (SDTMIG 3.4 section 8.4: one QNAM per variable, matched on IDVAR/IDVARVAL, or on the subject alone when
  IDVAR is blank).
* :func:`derive_var_trtemfl` — admiral's treatment-emergent flag.
* :func:`derive_var_shift` — "<from> to <to>" text of a baseline-to-visit shift (admiral ``derive_var_shift``).

Everything is computed over whole columns; the only Python loops run over the distinct IDVAR names and
QNAMs of a SUPP-- dataset and over the min/max bounds, never over records or subjects.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns
from cdisc_pipe.adam.expressions import filter_mask
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.errors import AdamError

__all__ = ["derive_vars_suppqual", "derive_var_trtemfl", "derive_var_shift", "compute_id_text"]

_SUPP_VARS = ["RDOMAIN", "IDVAR", "IDVARVAL", "QNAM", "QVAL"]


def compute_id_text(values: pd.Series) -> pd.Series:
    """``values`` as the text SDTM writes in IDVARVAL: integral numbers without a decimal part (AESEQ 3.0
    and "3.0" both give "3"), text stripped, missing kept missing. Pure."""
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").astype("float64")
        integral = numbers.notna() & (numbers == np.floor(numbers))
        text = numbers.astype("string")
        return text.where(~integral, numbers.where(integral).astype("Int64").astype("string"))
    text = values.astype("string").str.strip()
    return text.str.replace(r"^(-?\d+)\.0+$", r"\1", regex=True).replace("", pd.NA)


@verb
def derive_vars_suppqual(
    dataset: pd.DataFrame,
    *,
    dataset_add: pd.DataFrame,
    by_vars: Sequence[str] = ("STUDYID", "USUBJID"),
    domain: str | None = None,
    qnams: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Add one variable per QNAM of the SUPP-- dataset ``dataset_add`` holding its QVAL (text).

    A supplemental record belongs to the parent records with the same ``by_vars`` whose variable named in
    IDVAR equals IDVARVAL (compared as text, so AESEQ 3 matches "3"); a blank IDVAR attaches it to every
    record of the subject. ``domain`` keeps only records with that RDOMAIN. ``qnams`` lists the QNAMs
    wanted: each becomes a variable even when no record carries it (missing throughout), and QNAMs not
    listed are ignored; without it every QNAM present becomes a variable. Two QVALs for the same parent
    record and QNAM, a QNAM that is already a variable of ``dataset``, or an IDVAR that ``dataset`` lacks
    is an error.
    """
    by_vars = list(by_vars)
    assert_columns(dataset, by_vars, arg="dataset")
    assert_columns(dataset_add, [*by_vars, *_SUPP_VARS], arg="dataset_add")
    supp = dataset_add
    if domain is not None:
        supp = supp.loc[supp["RDOMAIN"].astype("string").eq(domain).fillna(False).to_numpy(bool)]
    names = list(qnams) if qnams is not None else list(dict.fromkeys(supp["QNAM"].dropna().astype(str)))
    supp = supp.loc[supp["QNAM"].isin(names)]
    clash = [n for n in names if n in dataset.columns]
    if clash:
        raise AdamError(f"'dataset_add' QNAMs must not name variables already in 'dataset' (got {clash})")
    idvar = supp["IDVAR"].astype("string").str.strip().replace("", pd.NA)
    missing_idvars = sorted(set(idvar.dropna()) - set(dataset.columns))
    if missing_idvars:
        raise AdamError(f"'dataset_add' IDVAR values must be variables of 'dataset' (got {missing_idvars})")
    supp = supp.assign(_IDVAR=idvar.fillna(""), _IDVARVAL=compute_id_text(supp["IDVARVAL"]).fillna(""))
    keys = [*by_vars, "_IDVAR", "_IDVARVAL", "QNAM"]
    dup = supp.duplicated(keys, keep=False)
    if dup.any():
        shown = supp.loc[dup, [*by_vars, "IDVAR", "IDVARVAL", "QNAM"]].drop_duplicates().head(5)
        raise AdamError(f"'dataset_add' must have one QVAL per parent record and QNAM "
                        f"(got duplicates, e.g. {shown.to_dict('records')})")
    out = dataset.copy(deep=False)
    for name in names:
        out[name] = pd.Series(pd.NA, index=out.index, dtype="string")
    for target in dict.fromkeys(supp["_IDVAR"]):
        part = supp.loc[supp["_IDVAR"] == target]
        wide = part.pivot(index=[*by_vars, "_IDVARVAL"], columns="QNAM", values="QVAL").reset_index()
        wide.columns.name = None
        left = dataset[by_vars].copy()
        left["_IDVARVAL"] = compute_id_text(dataset[target]).fillna("") if target else ""
        hits = left.merge(wide, on=[*by_vars, "_IDVARVAL"], how="left", validate="many_to_one")
        hits.index = dataset.index
        for name in [c for c in wide.columns if c in names]:
            found = hits[name].astype("string")
            out[name] = out[name].where(found.isna(), found)
    return out


@verb
def derive_var_trtemfl(
    dataset: pd.DataFrame,
    *,
    new_var: str = "TRTEMFL",
    start_date: str = "ASTDT",
    end_date: str = "AENDT",
    trt_start_date: str = "TRTSDT",
    trt_end_date: str | None = None,
    end_window: int | None = None,
    initial_intensity: str | None = None,
    intensity: str | None = None,
) -> pd.DataFrame:
    """Add the treatment-emergent flag ``new_var`` ("Y" or missing), admiral's rules in this order:

    1. no ``trt_start_date`` (never treated): missing;
    2. ``end_date`` before ``trt_start_date`` (the event ended before treatment): missing;
    3. no ``start_date``: "Y" — an event of unknown onset that did not end before treatment is counted as
       treatment-emergent, the conservative choice;
    4. ``start_date`` on or after ``trt_start_date`` and, when ``end_window`` is given, on or before
       ``trt_end_date`` + ``end_window`` days (a missing ``trt_end_date`` does not exclude): "Y";
    5. with ``initial_intensity`` and ``intensity``: an event that began before treatment, did not end
       before it and worsened (initial < intensity, or either missing): "Y";
    6. otherwise missing.

    Dates are compared as calendar dates (times ignored). Give ``end_window`` and ``trt_end_date`` together,
    and ``initial_intensity`` and ``intensity`` together.
    """
    if end_window is not None and trt_end_date is None:
        raise AdamError(f"'trt_end_date' must be given with 'end_window' (got end_window={end_window!r})")
    if (initial_intensity is None) != (intensity is None):
        raise AdamError(f"'initial_intensity' and 'intensity' must be given together "
                        f"(got initial_intensity={initial_intensity!r}, intensity={intensity!r})")
    if end_window is not None and (not isinstance(end_window, int) or end_window < 0):
        raise AdamError(f"'end_window' must be a non-negative whole number of days (got {end_window!r})")
    assert_columns(dataset, [start_date, end_date, trt_start_date, trt_end_date, initial_intensity, intensity],
                   arg="dataset")
    start, end, trt_start = (_as_date(dataset[c]) for c in (start_date, end_date, trt_start_date))
    emergent = start >= trt_start
    if end_window is not None:
        trt_end = _as_date(dataset[trt_end_date])
        emergent &= trt_end.isna() | (start <= trt_end + pd.Timedelta(days=end_window))
    worsened = pd.Series(False, index=dataset.index)
    if intensity is not None:
        first, worst = dataset[initial_intensity], dataset[intensity]
        worsened = (start < trt_start) & (first.isna() | worst.isna() | (first < worst).fillna(False))
    flag = np.select(
        [trt_start.isna(), (end < trt_start).fillna(False), start.isna(), emergent.fillna(False),
         worsened.fillna(False).astype(bool)],
        ["", "", "Y", "Y", "Y"], default="")
    out = dataset.copy(deep=False)
    out[new_var] = pd.Series(flag, index=dataset.index, dtype="string").replace("", pd.NA)
    return out


def _as_date(values: pd.Series) -> pd.Series:
    """Calendar dates of a date or datetime column (times dropped), NaT where missing."""
    return pd.to_datetime(values, errors="raise").dt.normalize()


@verb
def derive_var_shift(
    dataset: pd.DataFrame,
    *,
    new_var: str,
    from_var: str,
    to_var: str,
    missing_value: str = "NULL",
    sep_val: str = " to ",
    filter: str | None = None,
) -> pd.DataFrame:
    """Add ``new_var`` = ``from_var`` + ``sep_val`` + ``to_var`` ("Y to N"); a missing side reads
    ``missing_value``. Records not meeting ``filter`` (e.g. "ADT > TRTSDT", post-baseline only) get a missing
    ``new_var``; so do records where both sides are missing."""
    assert_columns(dataset, [from_var, to_var], arg="dataset")
    if new_var in dataset.columns:
        raise AdamError(f"'new_var' must not already be in 'dataset' (got {new_var!r})")
    source = dataset[from_var].astype("string")
    target = dataset[to_var].astype("string")
    text = source.fillna(missing_value) + sep_val + target.fillna(missing_value)
    keep = filter_mask(dataset, filter, arg="filter") & (source.notna() | target.notna())
    out = dataset.copy(deep=False)
    out[new_var] = text.where(keep).astype("string")
    return out
