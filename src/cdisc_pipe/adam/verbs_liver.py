"""Liver-severity scores: Child-Pugh points, score and class, and MELD (pure ``compute_*`` functions).

Child-Pugh (Pugh et al., Br J Surg 1973;60:646-649, as commonly tabulated; INR bands from later practice).
Each component scores 1, 2 or 3 points; a middle band includes both of its ends, the outer bands are strict:

============================  ==============  =====================  ==============
component (unit)              1 point         2 points               3 points
============================  ==============  =====================  ==============
total bilirubin (umol/L)      x < 34          34 <= x <= 50          x > 50
  (mg/dL equivalent)          (< 2)           (2 to 3)               (> 3)
albumin (g/L)                 x > 35          28 <= x <= 35          x < 28
INR                           x < 1.7         1.7 <= x <= 2.3        x > 2.3
PT prolongation (s > control) x < 4           4 <= x <= 6            x > 6
ascites grade                 0 (none)        1 (mild)               2 (moderate to severe)
West Haven HE grade           0               1 or 2                 3 or 4
============================  ==============  =====================  ==============

The bilirubin bands are applied in umol/L as tabulated (34 and 50), not converted from mg/dL (2 mg/dL is
34.2 umol/L, 3 mg/dL is 51.3 umol/L): a value of 50.5 umol/L scores 3 points here.

Score = sum of the five components' points (5..15); class A 5-6, B 7-9, C 10-15.

MELD (Kamath et al., Hepatology 2001;33:464-470; UNOS bounds) with bilirubin and creatinine in mg/dL::

    MELD = 3.78 ln(bilirubin) + 11.2 ln(INR) + 9.57 ln(creatinine) + 6.43

each of bilirubin, INR and creatinine below 1 is set to 1; creatinine above 4 mg/dL is set to 4. umol/L are
converted by bilirubin / 17.1 and creatinine / 88.4. The result is NOT rounded (UNOS rounds to an integer
and caps at 40 for allocation; neither is done here) and the dialysis rule (creatinine set to 4 after two
dialyses in a week) is not applied: dialysis is not collected.

Missing inputs give a missing result; nothing is imputed by the ``compute_*`` functions.
"""

from __future__ import annotations

from typing import Any, Literal, Mapping, Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns, assert_unique_keys
from cdisc_pipe.adam.expressions import evaluate, filter_mask
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.errors import AdamError

__all__ = [
    "BILIRUBIN_UMOL_PER_MG_DL",
    "CREATININE_UMOL_PER_MG_DL",
    "CHILD_PUGH_COMPONENTS",
    "compute_child_pugh_points",
    "compute_child_pugh_class",
    "compute_child_pugh_class_n",
    "compute_meld",
    "derive_param_from_dataset",
    "derive_locf_records",
    "derive_param_child_pugh",
    "derive_param_child_pugh_class",
    "derive_param_meld",
]

#: 1 mg/dL of bilirubin is 17.1 umol/L (molar mass 584.7 g/mol).
BILIRUBIN_UMOL_PER_MG_DL = 17.1
#: 1 mg/dL of creatinine is 88.4 umol/L (molar mass 113.1 g/mol).
CREATININE_UMOL_PER_MG_DL = 88.4

#: Continuous components: (low, high, direction). "up": 1 point below ``low``, 2 from ``low`` to ``high``
#: inclusive, 3 above ``high``. "down": 1 point above ``high``, 2 from ``low`` to ``high`` inclusive, 3
#: below ``low``.
_BANDS: dict[str, tuple[float, float, str]] = {
    "bilirubin": (34.0, 50.0, "up"),
    "albumin": (28.0, 35.0, "down"),
    "inr": (1.7, 2.3, "up"),
    "pt_prolongation": (4.0, 6.0, "up"),
}
#: Graded components: grade -> points.
_GRADES: dict[str, dict[int, float]] = {
    "ascites": {0: 1.0, 1: 2.0, 2: 3.0},
    "encephalopathy": {0: 1.0, 1: 2.0, 2: 2.0, 3: 3.0, 4: 3.0},
}
CHILD_PUGH_COMPONENTS = (*_BANDS, *_GRADES)

Component = Literal["bilirubin", "albumin", "inr", "pt_prolongation", "ascites", "encephalopathy"]


def _offenders(values: pd.Series, bad: pd.Series) -> str:
    shown = sorted(set(values[bad].tolist()))
    more = f" ... and {len(shown) - 10} more" if len(shown) > 10 else ""
    return f"{shown[:10]}{more}"


def compute_child_pugh_points(values: pd.Series, *, component: Component) -> pd.Series:
    """Child-Pugh points (1.0, 2.0 or 3.0; NaN where ``values`` is missing) of one component.

    ``component`` is one of ``CHILD_PUGH_COMPONENTS``; units: bilirubin umol/L, albumin g/L, INR ratio,
    PT prolongation seconds over control; ascites grade 0 none / 1 mild / 2 moderate to severe; West Haven
    encephalopathy grade 0-4. Bands as in the module docstring. A grade outside its scale raises AdamError.
    """
    if component not in CHILD_PUGH_COMPONENTS:
        raise AdamError(f"`component` must be one of {list(CHILD_PUGH_COMPONENTS)} (got {component!r})")
    x = pd.to_numeric(values, errors="raise").astype("float64")
    if component in _BANDS:
        low, high, direction = _BANDS[component]
        if direction == "up":
            points = 1.0 + (x >= low).astype("float64") + (x > high).astype("float64")
        else:
            points = 1.0 + (x <= high).astype("float64") + (x < low).astype("float64")
        return points.where(x.notna())
    table = _GRADES[component]
    bad = x.notna() & ~x.isin(list(table))
    if bad.any():
        raise AdamError(
            f"`values` must be {component} grades {sorted(table)} (got {_offenders(x, bad)})"
        )
    return x.map(table).astype("float64")


def compute_child_pugh_class(score: pd.Series) -> pd.Series:
    """Child-Pugh class "A" (5-6), "B" (7-9) or "C" (10-15) of a score; <NA> where the score is missing.

    A non-integer score or one outside 5..15 raises AdamError.
    """
    x = pd.to_numeric(score, errors="raise").astype("float64")
    bad = x.notna() & ((x < 5) | (x > 15) | (x != np.floor(x)))
    if bad.any():
        raise AdamError(f"`score` must be a whole number from 5 to 15 (got {_offenders(x, bad)})")
    letters = np.select([x <= 6, x <= 9, x <= 15], ["A", "B", "C"], default="")
    return pd.Series(letters, index=score.index, dtype="string").where(x.notna())


def compute_child_pugh_class_n(score: pd.Series) -> pd.Series:
    """The class of :func:`compute_child_pugh_class` as a number: A -> 1.0, B -> 2.0, C -> 3.0."""
    return compute_child_pugh_class(score).map({"A": 1.0, "B": 2.0, "C": 3.0}).astype("float64")


def compute_meld(
    bilirubin: pd.Series,
    inr: pd.Series,
    creatinine: pd.Series,
    *,
    unit: Literal["umol/L", "mg/dL"] = "umol/L",
) -> pd.Series:
    """MELD score at full precision (not rounded, not capped at 40); NaN where any input is missing.

    ``unit`` is that of ``bilirubin`` and ``creatinine`` (INR has none); umol/L are converted to mg/dL
    first (bilirubin / 17.1, creatinine / 88.4). Then each value below 1 is set to 1 and creatinine above 4
    is set to 4. Non-positive inputs are impossible lab values and raise AdamError rather than being floored.
    """
    if unit not in ("umol/L", "mg/dL"):
        raise AdamError(f"`unit` must be 'umol/L' or 'mg/dL' (got {unit!r})")
    bili = pd.to_numeric(bilirubin, errors="raise").astype("float64")
    ratio = pd.to_numeric(inr, errors="raise").astype("float64").reindex(bili.index)
    creat = pd.to_numeric(creatinine, errors="raise").astype("float64").reindex(bili.index)
    for name, x in (("bilirubin", bili), ("inr", ratio), ("creatinine", creat)):
        bad = x.notna() & (x <= 0)
        if bad.any():
            raise AdamError(f"`{name}` must be greater than 0 (got {_offenders(x, bad)})")
    if unit == "umol/L":
        bili = bili / BILIRUBIN_UMOL_PER_MG_DL
        creat = creat / CREATININE_UMOL_PER_MG_DL
    bili = bili.clip(lower=1.0)
    ratio = ratio.clip(lower=1.0)
    creat = creat.clip(lower=1.0, upper=4.0)
    return 3.78 * np.log(bili) + 11.2 * np.log(ratio) + 9.57 * np.log(creat) + 6.43


# --- verbs ------------------------------------------------------------------------------------------------

def _codes(parameters: Mapping[str, str], required: Sequence[str], optional: Sequence[str] = ()) -> dict[str, str]:
    """``parameters`` ({role: PARAMCD}) checked against the roles a score needs."""
    missing = [r for r in required if r not in parameters]
    unknown = [r for r in parameters if r not in (*required, *optional)]
    if missing or unknown:
        raise AdamError(f"'parameters' must map exactly the roles {[*required]} (optional {[*optional]}) to "
                        f"PARAMCDs (got missing {missing}, unknown {unknown})")
    return dict(parameters)


def _assert_units(dataset: pd.DataFrame, units: Mapping[str, str], unit_var: str | None) -> None:
    """With ``unit_var``, every record of each PARAMCD of ``units`` must carry that unit."""
    if unit_var is None:
        return
    assert_columns(dataset, ["PARAMCD", unit_var], arg="dataset")
    expected = dataset["PARAMCD"].map(dict(units))
    wrong = expected.notna() & dataset[unit_var].astype("string").ne(expected).fillna(True)
    if wrong.any():
        got = dataset.loc[wrong, ["PARAMCD", unit_var]].drop_duplicates().head(10).to_dict("records")
        raise AdamError(f"'{unit_var}' must be {dict(units)} for the score's parameters (got {got})")


def _wide(dataset: pd.DataFrame, by_vars: list[str], codes: Sequence[str], date_var: str
          ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series, pd.Series]:
    """One row per ``by_vars`` group holding any of ``codes``: (keys, AVAL by PARAMCD, latest ``date_var``,
    the first non-missing DTYPE of the group's records)."""
    records = dataset.loc[dataset["PARAMCD"].isin(list(codes)).fillna(False)]
    assert_unique_keys(records, by_vars + ["PARAMCD"], arg="dataset (score components)")
    dtype = records["DTYPE"] if "DTYPE" in records.columns else pd.Series(pd.NA, index=records.index)
    records = records.assign(_DTYPE=dtype.astype("string"))
    grouped = records.groupby(by_vars, dropna=False, sort=True)
    keys = grouped.size().reset_index()[by_vars]
    wide = records.set_index(by_vars + ["PARAMCD"])["AVAL"].astype("float64").unstack("PARAMCD").reset_index()
    values = keys.merge(wide, on=by_vars, how="left").reindex(columns=list(codes))
    date = grouped[date_var].max().reset_index(drop=True)
    flag = grouped["_DTYPE"].first().reset_index(drop=True)
    return keys, values, date, flag


def _append(dataset: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    if new.empty:
        return dataset.copy(deep=False)
    return pd.concat([dataset, new], ignore_index=True)


def _new_records(keys: pd.DataFrame, paramcd: str, aval: pd.Series, date: pd.Series, flag: pd.Series,
                 date_var: str) -> pd.DataFrame:
    keep = aval.notna().to_numpy()
    new = keys.loc[keep].copy()
    new["PARAMCD"] = pd.Series(paramcd, index=new.index, dtype="string")
    new["AVAL"] = aval[keep].to_numpy(dtype="float64")
    new[date_var] = date[keep].to_numpy()
    new["DTYPE"] = pd.Series(flag[keep].to_numpy(), index=new.index, dtype="string")
    return new.reset_index(drop=True)


@verb
def derive_param_from_dataset(
    dataset: pd.DataFrame,
    *,
    dataset_add: pd.DataFrame,
    filter_add: str | None = None,
    keep_vars: Sequence[str] = ("STUDYID", "USUBJID"),
    set_values_to: Mapping[str, Any],
    srcdom: str | None = None,
    seq: str | None = None,
) -> pd.DataFrame:
    """Append the records of ``dataset_add`` meeting ``filter_add`` as new parameter records (a BDS built
    from several domains: LB findings, then CE ascites, then RS encephalopathy grades).

    Each new record keeps ``keep_vars`` and gets every variable of ``set_values_to``: a string is a pandas
    expression over ``dataset_add`` (so a constant text is quoted, ``"'ASCITES'"``), anything else a
    constant. With ``seq`` (its --SEQ), SRCDOM = ``srcdom`` and SRCSEQ = that variable, so each record points
    back to its SDTM record. Variables of ``dataset`` the new records lack are missing on them.
    """
    assert_columns(dataset_add, [*keep_vars, seq], arg="dataset_add")
    if seq is not None and not srcdom:
        raise AdamError(f"'srcdom' must name the domain of 'seq' (got {srcdom!r} with seq {seq!r})")
    rows = dataset_add.loc[filter_mask(dataset_add, filter_add, arg="filter_add")].reset_index(drop=True)
    new = rows[list(keep_vars)].copy()
    for name, value in set_values_to.items():
        new[name] = (evaluate(rows, value, arg=f"set_values_to.{name}") if isinstance(value, str)
                     else pd.Series(value, index=rows.index))
    if seq is not None:
        new["SRCDOM"] = pd.Series(srcdom, index=rows.index, dtype="string")
        new["SRCSEQ"] = rows[seq].astype("float64")
    return _append(dataset, new)


@verb
def derive_locf_records(
    dataset: pd.DataFrame,
    *,
    by_vars: Sequence[str],
    visit_vars: Sequence[str],
    parameters: Sequence[str],
    max_gap_days: float | None = None,
    date_var: str = "ADT",
) -> pd.DataFrame:
    """Add a last-observation-carried-forward record (DTYPE = "LOCF") for each of ``parameters`` missing
    at a visit the subject attended (admiral ``derive_locf_records``, with the expected visits taken
    from the data).

    A visit is a distinct ``by_vars`` + ``visit_vars`` (the first visit variable orders the visits) among
    the records of ``parameters``; its date is the latest ``date_var`` there. A parameter is missing at a
    visit when it has no record there at all (a record with a missing AVAL counts as present). The carried
    record is the parameter's latest record of an earlier visit with a non-missing AVAL that is not itself
    imputed (DTYPE missing); with ``max_gap_days`` it must be dated at most that many days before the
    visit, else nothing is added. The new record is a copy of the carried one (AVAL, ``date_var``, SRCDOM,
    SRCSEQ: the date and the pointer stay those of the real observation) with the visit's ``visit_vars``.
    """
    by_vars, visit_vars = list(by_vars), list(visit_vars)
    assert_columns(dataset, [*by_vars, *visit_vars, "PARAMCD", "AVAL", date_var], arg="dataset")
    if not visit_vars:
        raise AdamError("'visit_vars' must name at least one visit variable (got none)")
    records = dataset.loc[dataset["PARAMCD"].isin(list(parameters)).fillna(False)]
    assert_unique_keys(records, [*by_vars, visit_vars[0], "PARAMCD"], arg="dataset (LOCF parameters)")
    visits = (records.groupby([*by_vars, *visit_vars], dropna=False, observed=True)[date_var].max()
              .rename("_VDATE").reset_index())
    grid = visits.merge(pd.DataFrame({"PARAMCD": pd.Series(list(parameters), dtype="string")}), how="cross")
    imputed = records["DTYPE"].notna() if "DTYPE" in records.columns else pd.Series(False, index=records.index)
    usable = records["AVAL"].notna() & ~imputed
    present = records[[*by_vars, visit_vars[0], "PARAMCD"]].assign(
        _HAS=True, _SRC=np.where(usable, np.arange(len(records)), np.nan),
        _SDATE=records[date_var].where(usable))
    grid["PARAMCD"] = grid["PARAMCD"].astype(records["PARAMCD"].dtype)
    grid = grid.merge(present, on=[*by_vars, visit_vars[0], "PARAMCD"], how="left")
    grid = grid.sort_values([*by_vars, "PARAMCD", visit_vars[0]], kind="stable")
    carried = grid.groupby([*by_vars, "PARAMCD"], dropna=False, observed=True)[["_SRC", "_SDATE"]].ffill()
    wanted = grid["_HAS"].isna() & carried["_SRC"].notna()
    if max_gap_days is not None:
        gap = (grid["_VDATE"] - carried["_SDATE"]).dt.days
        wanted &= (gap <= max_gap_days).fillna(False)
    if not wanted.any():
        return dataset.copy(deep=False)
    source = records.iloc[carried.loc[wanted, "_SRC"].to_numpy(dtype=int)].reset_index(drop=True)
    target = grid.loc[wanted, visit_vars].reset_index(drop=True)
    new = source.assign(**{v: target[v].to_numpy() for v in visit_vars},
                        DTYPE=pd.Series("LOCF", index=source.index, dtype="string"))
    return _append(dataset, new)


@verb
def derive_param_child_pugh(
    dataset: pd.DataFrame,
    *,
    by_vars: Sequence[str],
    parameters: Mapping[str, str],
    new_paramcd: str = "CHILDPUG",
    date_var: str = "ADT",
    unit_var: str | None = None,
) -> pd.DataFrame:
    """Add one Child-Pugh score record (``new_paramcd``, AVAL 5..15) per ``by_vars`` group (subject and
    visit) that has all five components (admiral ``derive_param_computed``: no record when one is missing).

    ``parameters`` maps the roles bilirubin (umol/L), albumin (g/L), inr, ascites (grade 0/1/2),
    encephalopathy (West Haven grade 0-4) and, optionally, pt_prolongation (seconds over control, scored
    only where INR is missing) to PARAMCDs. The new record's ``date_var`` is the latest of its components';
    DTYPE is the first non-missing DTYPE of its components (so a score using a LOCF component is "LOCF").
    With ``unit_var`` (e.g. AVALU), bilirubin must be in umol/L and albumin in g/L.
    """
    by_vars = list(by_vars)
    codes = _codes(parameters, ["bilirubin", "albumin", "inr", "ascites", "encephalopathy"], ["pt_prolongation"])
    assert_columns(dataset, [*by_vars, "PARAMCD", "AVAL", date_var], arg="dataset")
    _assert_units(dataset, {codes["bilirubin"]: "umol/L", codes["albumin"]: "g/L"}, unit_var)
    keys, values, date, flag = _wide(dataset, by_vars, list(codes.values()), date_var)
    points = pd.DataFrame({role: compute_child_pugh_points(values[code], component=role)
                           for role, code in codes.items()})
    if "pt_prolongation" in points:
        points["inr"] = points["inr"].fillna(points.pop("pt_prolongation"))
    score = points.sum(axis=1, skipna=False)
    return _append(dataset, _new_records(keys, new_paramcd, score, date, flag, date_var))


@verb
def derive_param_child_pugh_class(
    dataset: pd.DataFrame,
    *,
    by_vars: Sequence[str],
    source_paramcd: str = "CHILDPUG",
    new_paramcd: str = "CPCLASS",
    date_var: str = "ADT",
) -> pd.DataFrame:
    """Add one Child-Pugh class record per score record (``source_paramcd``): AVALC "A"/"B"/"C", AVAL
    1/2/3 (one-to-one with AVALC), ``by_vars``, ``date_var`` and DTYPE copied from the score record."""
    by_vars = list(by_vars)
    assert_columns(dataset, [*by_vars, "PARAMCD", "AVAL", date_var], arg="dataset")
    score = dataset.loc[dataset["PARAMCD"].eq(source_paramcd).fillna(False)]
    assert_unique_keys(score, by_vars, arg=f"dataset ({source_paramcd} records)")
    new = score[by_vars].reset_index(drop=True)
    new["PARAMCD"] = pd.Series(new_paramcd, index=new.index, dtype="string")
    new["AVAL"] = compute_child_pugh_class_n(score["AVAL"]).to_numpy()
    new["AVALC"] = pd.Series(compute_child_pugh_class(score["AVAL"]).to_numpy(), dtype="string")
    new[date_var] = score[date_var].to_numpy()
    dtype = score["DTYPE"] if "DTYPE" in score.columns else pd.Series(pd.NA, index=score.index)
    new["DTYPE"] = pd.Series(dtype.to_numpy(), dtype="string")
    return _append(dataset, new)


@verb
def derive_param_meld(
    dataset: pd.DataFrame,
    *,
    by_vars: Sequence[str],
    parameters: Mapping[str, str],
    new_paramcd: str = "MELD",
    unit: str = "umol/L",
    date_var: str = "ADT",
    unit_var: str | None = None,
) -> pd.DataFrame:
    """Add one MELD record (``new_paramcd``, AVAL at full precision, see :func:`compute_meld`) per
    ``by_vars`` group with bilirubin, INR and creatinine all present (roles of ``parameters``); ``unit``
    is that of bilirubin and creatinine (checked against ``unit_var`` when given). ``date_var`` and DTYPE
    as in :func:`derive_param_child_pugh`."""
    by_vars = list(by_vars)
    codes = _codes(parameters, ["bilirubin", "inr", "creatinine"])
    assert_columns(dataset, [*by_vars, "PARAMCD", "AVAL", date_var], arg="dataset")
    _assert_units(dataset, {codes["bilirubin"]: unit, codes["creatinine"]: unit}, unit_var)
    keys, values, date, flag = _wide(dataset, by_vars, list(codes.values()), date_var)
    meld = compute_meld(values[codes["bilirubin"]], values[codes["inr"]], values[codes["creatinine"]], unit=unit)
    return _append(dataset, _new_records(keys, new_paramcd, meld, date, flag, date_var))
