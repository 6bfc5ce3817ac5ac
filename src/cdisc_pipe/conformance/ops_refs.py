"""Record ops that look into another dataset: ``references`` (the values point at existing records: USUBJID
in DM, EPOCH in TA, SUPP--/RELREC pointers through RDOMAIN/IDVAR/IDVARVAL) and ``consistent_with`` (a value
equals what other values derive, e.g. --DY from --DTC and DM.RFSTDTC)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.conformance.dates import complete_date, text
from cdisc_pipe.conformance.ops import OpContext, RecordResult, boolean, evaluate, op

__all__ = ["lookup", "key_frame"]


def key_frame(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """``columns`` of ``frame`` as comparable text (``1.0``, ``"1"`` and a right-justified ``"   1"`` all
    match), named by position."""
    return pd.DataFrame({f"k{i}": text(frame[c]).str.strip().to_numpy() for i, c in enumerate(columns)},
                        index=frame.index)


def _target(ctx: OpContext, dataset: str, where: Mapping[str, Any] | None) -> pd.DataFrame:
    target = ctx.study.get(dataset)
    assert target is not None  # the engine skips rules whose datasets are absent
    frame = target.frame
    if where is not None:
        condition = evaluate(where, OpContext(target, frame, ctx.study))
        frame = frame[condition.ok.fillna(False).astype(bool).to_numpy()]
    return frame


def lookup(ctx: OpContext, *, dataset: str, variable: str, by: Sequence[str] = ("USUBJID",)) -> pd.Series:
    """``dataset.variable`` for each record of ``ctx.frame``, matched on ``by`` (first match wins)."""
    target = _target(ctx, dataset, None)
    right = key_frame(target, by)
    right["value"] = target[variable].to_numpy()
    right = right.drop_duplicates([f"k{i}" for i in range(len(by))])
    left = key_frame(ctx.frame, by)
    merged = left.merge(right, how="left", on=list(left.columns), sort=False)
    return pd.Series(merged["value"].to_numpy(), index=ctx.frame.index, name=variable)


def _exists(left: pd.DataFrame, right: pd.DataFrame) -> np.ndarray:
    """For each row of ``left`` (text key columns), whether the same tuple occurs in ``right``."""
    if left.empty:
        return np.zeros(0, dtype=bool)
    right = right.dropna().drop_duplicates()
    right["_hit"] = True
    merged = left.merge(right, how="left", on=list(left.columns), sort=False)
    return merged["_hit"].fillna(False).to_numpy(dtype=bool)


@op("references", variables=("variables", "dataset_from", "idvar", "idvarval"), datasets=("dataset",))
def references(ctx: OpContext, *, variables: Sequence[str] = ("USUBJID",), dataset: str | None = None,
               targets: Sequence[str] | None = None, where: Mapping[str, Any] | None = None,
               dataset_from: str | None = None, idvar: str | None = None, idvarval: str | None = None,
               seq: bool = False) -> pd.Series:
    """The record points at an existing record.

    Fixed target: the values of ``variables`` occur together as ``targets`` (default: the same names) in
    ``dataset`` (restricted to its records where ``where`` holds). Pointer form (SUPP--, RELREC, CO):
    ``dataset_from`` names the variable holding the target dataset (RDOMAIN), ``idvar``/``idvarval`` the
    variable and value to find there, matched together with ``variables`` (USUBJID) when they are filled.
    With ``seq: true`` (ADaM SRCDOM/SRCSEQ) the value is looked up in the target's --SEQ instead of an
    IDVAR column. Not judged where a value is missing, the target dataset is absent, or IDVAR names no
    variable of it (other rules report those)."""
    variables = list(variables)
    if dataset_from is None:
        targets = list(targets or variables)
        target = _target(ctx, str(dataset), where)
        left = key_frame(ctx.frame, variables)
        hit = _exists(left, key_frame(target, targets).set_axis(left.columns, axis=1))
        return boolean(hit, ctx.frame.index, missing=left.isna().any(axis=1).to_numpy())
    return _pointers(ctx, variables, dataset_from, idvar, idvarval, seq)


def _pointers(ctx: OpContext, variables: list[str], dataset_from: str, idvar: str | None,
              idvarval: str | None, seq: bool) -> pd.Series:
    frame = ctx.frame
    domain = text(frame[dataset_from])
    if seq:
        var = (domain.str.slice(0, 2) + "SEQ").where(domain.notna(), pd.NA)
    else:
        var = text(frame[idvar]) if idvar else pd.Series(pd.NA, index=frame.index, dtype="string")
    value = text(frame[idvarval]).str.strip() if idvarval else pd.Series(pd.NA, index=frame.index, dtype="string")
    keys = key_frame(frame, variables)
    has_keys = keys.notna().all(axis=1)
    ok = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    groups = pd.DataFrame({"domain": domain, "var": var.fillna(""), "keyed": has_keys})
    for (name, column, keyed), rows in groups.groupby(["domain", "var", "keyed"], sort=False).groups.items():
        target = ctx.study.get(str(name))
        if target is None or (column and column not in target.frame.columns):
            continue  # reported by the rules on RDOMAIN and IDVAR
        if not column and not keyed:
            continue
        left_cols = ([keys.loc[rows, c] for c in keys.columns] if keyed else []) + (
            [value.loc[rows]] if column else [])
        right_cols = ([target.frame[v] for v in variables] if keyed else []) + (
            [target.frame[column]] if column else [])
        left = pd.DataFrame({f"k{i}": s.to_numpy() for i, s in enumerate(left_cols)}, index=rows)
        right = pd.DataFrame({f"k{i}": text(s).str.strip().to_numpy() for i, s in enumerate(right_cols)})
        hit = _exists(left, right)
        judged = left.notna().all(axis=1).to_numpy()
        ok.loc[rows[judged]] = hit[judged]
    return ok


def study_day(dates: pd.Series, reference: pd.Series) -> pd.Series:
    """SDTMIG §4.4.4: date − reference + 1 on or after the reference day, date − reference before it
    (there is no day 0); NaN unless both date portions are complete."""
    day = complete_date(dates)
    ref = complete_date(reference)
    delta = (day - ref).dt.days.astype("float64")
    return pd.Series(np.where(delta >= 0, delta + 1, delta), index=dates.index)


_DERIVATIONS = ("study_day",)


@op("consistent_with", variables=("variable", "date", "by"), datasets=("dataset",), foreign={"reference": "dataset"})
def consistent_with(ctx: OpContext, *, variable: str, derivation: str, date: str, dataset: str, reference: str,
                    by: Sequence[str] = ("USUBJID",), when_missing: str = "skip") -> RecordResult:
    """``variable`` equals what ``derivation`` gives. ``study_day``: the study day of ``date`` relative to
    ``dataset.reference`` of the same subject (DM.RFSTDTC); judged only where both date portions are
    complete, and where the variable is filled unless ``when_missing: fail``."""
    if derivation not in _DERIVATIONS:
        raise ValueError(f"derivation must be one of {list(_DERIVATIONS)} (got {derivation!r})")
    ref = lookup(ctx, dataset=dataset, variable=reference, by=by)
    expected = study_day(ctx.frame[date], ref)
    actual = pd.to_numeric(ctx.frame[variable], errors="coerce").astype("float64")
    ok = (actual == expected).to_numpy()
    missing = expected.isna() | (actual.isna() if when_missing == "skip" else False)
    return RecordResult(boolean(ok, ctx.frame.index, missing=missing),
                        {f"{dataset}.{reference}": ref, f"expected {variable}": expected})


@op("names_dataset", variables=("variable",))
def names_dataset(ctx: OpContext, *, variable: str) -> pd.Series:
    """The value names a dataset of the study (RDOMAIN of SUPP--/RELREC/CO)."""
    values = text(ctx.frame[variable])
    present = list(ctx.study.datasets)
    return boolean(values.str.upper().isin(present).fillna(False), ctx.frame.index, missing=values.isna())


@op("names_variable", variables=("variable", "dataset_from"))
def names_variable(ctx: OpContext, *, variable: str, dataset_from: str) -> pd.Series:
    """The value names a variable of the dataset that ``dataset_from`` names (IDVAR in RDOMAIN); not judged
    where either is missing or that dataset is absent."""
    names = text(ctx.frame[variable])
    domains = text(ctx.frame[dataset_from]).str.upper()
    pairs = {(d, v) for d in domains.dropna().unique() if d in ctx.study
             for v in ctx.study.datasets[d].columns}
    wanted = pd.MultiIndex.from_arrays([domains.fillna(""), names.fillna("")])
    ok = wanted.isin(list(pairs)) if pairs else np.zeros(len(names), dtype=bool)
    absent = ~domains.isin(list(ctx.study.datasets)).fillna(False)
    return boolean(ok, ctx.frame.index, missing=(names.isna() | domains.isna() | absent).to_numpy())
