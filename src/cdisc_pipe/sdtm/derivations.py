"""Derivations shared by every SDTM domain: --DY, --SEQ, EPOCH, --LOBXFL.

Each is vectorised over the whole dataset (no loop per record) and returns a new frame; inputs are never
modified. ISO 8601 date/time strings are compared at the precision both sides have; a partial date gives a
null study day and never an invented one.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = [
    "assert_columns",
    "compute_iso_date",
    "compute_study_day",
    "derive_var_seq",
    "derive_vars_dy",
    "derive_var_epoch",
    "derive_var_lobxfl",
]


def assert_columns(dataset: pd.DataFrame, columns: Sequence[str], *, name: str = "dataset") -> None:
    """Raise ValueError naming every column of ``columns`` that ``dataset`` lacks."""
    missing = [c for c in columns if c not in dataset.columns]
    if missing:
        raise ValueError(f"`{name}` must contain columns {list(columns)} (missing {missing})")


def compute_iso_date(dtc: pd.Series) -> pd.Series:
    """The calendar date of complete ISO 8601 values (``YYYY-MM-DD`` with or without a time), else NaT."""
    text = dtc.astype("string")
    complete = text.str.match(r"^\d{4}-\d{2}-\d{2}(T|$)", na=False)
    dates = pd.to_datetime(text.where(complete).str.slice(0, 10), format="%Y-%m-%d", errors="coerce")
    return dates.astype("datetime64[s]")


def compute_study_day(dtc: pd.Series, reference: pd.Series) -> pd.Series:
    """Study day of ``dtc`` relative to ``reference`` (SDTMIG 3.4 section 4.4.4).

    Day 1 is the reference date; the day before it is day -1: there is no day 0. Null when either date is
    missing or partial. Returns a nullable integer series aligned with ``dtc``.
    """
    delta = (compute_iso_date(dtc) - compute_iso_date(reference.reindex(dtc.index))).dt.days
    delta = delta.astype("Int64")
    return delta.where(delta < 0, delta + 1)


def derive_var_seq(
    dataset: pd.DataFrame,
    *,
    by_vars: Sequence[str] = ("USUBJID",),
    order: Sequence[str],
    new_var: str,
) -> pd.DataFrame:
    """Add ``new_var`` (--SEQ): 1, 2, ... within ``by_vars`` following ``order`` (a stable sort).

    Rows come back sorted by ``by_vars`` then ``order``, the order SDTM datasets are delivered in.
    """
    assert_columns(dataset, [*by_vars, *order])
    ordered = dataset.sort_values([*by_vars, *order], kind="stable", na_position="last").reset_index(drop=True)
    seq = ordered.groupby(list(by_vars), sort=False, dropna=False).cumcount() + 1
    return ordered.assign(**{new_var: seq.astype("int64")})


def derive_vars_dy(
    dataset: pd.DataFrame,
    dataset_add: pd.DataFrame,
    *,
    dtc_vars: Sequence[str],
    reference: str = "RFSTDTC",
    by_vars: Sequence[str] = ("USUBJID",),
) -> pd.DataFrame:
    """Add ``--DY`` for each ``--DTC`` in ``dtc_vars`` (``AESTDTC`` -> ``AESTDY``) from ``reference`` in DM.

    ``dataset_add`` is DM (one row per subject). ``--DTC`` values are never modified.
    """
    assert_columns(dataset, [*by_vars, *dtc_vars])
    assert_columns(dataset_add, [*by_vars, reference], name="dataset_add")
    ref = dataset.loc[:, list(by_vars)].merge(
        dataset_add.loc[:, [*by_vars, reference]], on=list(by_vars), how="left", validate="many_to_one"
    )[reference]
    ref.index = dataset.index
    out = dataset.copy()
    for dtc in dtc_vars:
        if not dtc.endswith("DTC"):
            raise ValueError(f"`dtc_vars` must name --DTC variables (got {dtc!r})")
        out[dtc[:-3] + "DY"] = compute_study_day(dataset[dtc], ref)
    return out


def derive_var_epoch(
    dataset: pd.DataFrame,
    dataset_add: pd.DataFrame,
    *,
    dtc_var: str,
    new_var: str = "EPOCH",
    by_vars: Sequence[str] = ("USUBJID",),
) -> pd.DataFrame:
    """Add EPOCH: the epoch of the subject's element (SE) in which ``dtc_var`` falls.

    ``dataset_add`` is SE with SESTDTC, SEENDTC and EPOCH. An element spans [SESTDTC, SEENDTC); the last
    element of a subject includes its end date. Compared by calendar date. Null when the date is partial,
    missing, or outside every element.
    """
    assert_columns(dataset, [*by_vars, dtc_var])
    assert_columns(dataset_add, [*by_vars, "SESTDTC", "SEENDTC", "EPOCH"], name="dataset_add")
    keys = list(by_vars)
    left = dataset.loc[:, keys].assign(_date=compute_iso_date(dataset[dtc_var]), _pos=np.arange(len(dataset)))
    left = left.dropna(subset=["_date"]).sort_values("_date", kind="stable")
    se = dataset_add.loc[:, [*keys, "EPOCH"]].assign(
        _start=compute_iso_date(dataset_add["SESTDTC"]), _end=compute_iso_date(dataset_add["SEENDTC"])
    )
    se = se.dropna(subset=["_start"])
    se = se.assign(_last=se.groupby(keys, dropna=False)["_end"].transform("max")).sort_values("_start", kind="stable")
    # the element with the latest start on or before the date, per subject
    hits = pd.merge_asof(left, se, left_on="_date", right_on="_start", by=keys, direction="backward")
    inside = hits["_start"].notna() & (
        (hits["_date"] < hits["_end"]) | ((hits["_date"] == hits["_end"]) & (hits["_end"] == hits["_last"]))
    )
    hits = hits.loc[inside]
    epoch = pd.Series(pd.NA, index=range(len(dataset)), dtype="string")
    epoch.iloc[hits["_pos"].to_numpy()] = hits["EPOCH"].astype("string").to_numpy()
    epoch.index = dataset.index
    return dataset.assign(**{new_var: epoch})


def derive_var_lobxfl(
    dataset: pd.DataFrame,
    dataset_add: pd.DataFrame,
    *,
    by_vars: Sequence[str],
    dtc_var: str,
    result_var: str,
    new_var: str,
    reference: str = "RFXSTDTC",
) -> pd.DataFrame:
    """Add ``new_var`` (--LOBXFL = "Y"): the last record with a non-missing ``result_var`` dated on or before
    the subject's ``reference`` (first exposure, from DM), per ``by_vars`` (e.g. USUBJID, LBTESTCD).

    Exactly one record per subject and test carries "Y" when any qualifies; the others are null. Records
    with a partial or missing date never qualify. Ties on the date go to the later row in ``dataset``.
    """
    assert_columns(dataset, [*by_vars, dtc_var, result_var])
    subject = by_vars[0]
    assert_columns(dataset_add, [subject, reference], name="dataset_add")
    ref = dataset.loc[:, [subject]].merge(
        dataset_add.loc[:, [subject, reference]], on=subject, how="left", validate="many_to_one"
    )[reference]
    date = compute_iso_date(dataset[dtc_var]).to_numpy()
    ref_date = compute_iso_date(pd.Series(ref.to_numpy(), index=dataset.index)).to_numpy()
    has_value = dataset[result_var].notna().to_numpy() & (dataset[result_var].astype("string") != "").fillna(False).to_numpy()
    eligible = has_value & ~pd.isna(date) & ~pd.isna(ref_date) & (date <= ref_date)
    frame = dataset.loc[:, list(by_vars)].assign(_date=date, _pos=np.arange(len(dataset)))[eligible]
    last = frame.sort_values([*by_vars, "_date", "_pos"], kind="stable").drop_duplicates(list(by_vars), keep="last")
    flag = pd.Series(pd.NA, index=range(len(dataset)), dtype="string")
    flag.iloc[last["_pos"].to_numpy()] = "Y"
    flag.index = dataset.index
    return dataset.assign(**{new_var: flag})
