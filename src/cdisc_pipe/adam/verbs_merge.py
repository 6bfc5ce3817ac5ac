"""Verbs that bring variables from another dataset (admiral's ``derive_vars_merged`` family)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns, assert_one_of, assert_unique_keys
from cdisc_pipe.adam.expressions import filter_mask
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.errors import AdamError

__all__ = ["derive_vars_merged", "derive_var_merged_exist_flag", "sort_records", "new_var_map"]


def new_var_map(new_vars: Sequence[str] | Mapping[str, str] | None, available: Sequence[str],
                by_vars: Sequence[str]) -> dict[str, str]:
    """``new_vars`` as {new name: source name}: a list keeps names; None takes every non-key variable."""
    if new_vars is None:
        return {c: c for c in available if c not in by_vars}
    if isinstance(new_vars, Mapping):
        return dict(new_vars)
    return {name: name for name in new_vars}


def sort_records(frame: pd.DataFrame, by_vars: Sequence[str], order: Sequence[str] | None) -> pd.DataFrame:
    """``frame`` sorted by ``by_vars`` then ``order`` (an entry ``"VAR desc"`` sorts that variable
    descending); missing values sort last; the sort is stable so ties keep their input order."""
    columns, ascending = list(by_vars), [True] * len(by_vars)
    for entry in order or ():
        name, _, direction = entry.partition(" ")
        columns.append(name)
        ascending.append(direction.strip().lower() != "desc")
    if not columns:
        return frame
    return frame.sort_values(columns, ascending=ascending, kind="stable", na_position="last")


@verb
def derive_vars_merged(
    dataset: pd.DataFrame,
    *,
    dataset_add: pd.DataFrame,
    by_vars: Sequence[str],
    new_vars: Sequence[str] | Mapping[str, str] | None = None,
    filter_add: str | None = None,
    order: Sequence[str] | None = None,
    mode: str | None = None,
    missing_values: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Add ``new_vars`` from ``dataset_add`` (a left join on ``by_vars``).

    ``new_vars`` is a list of names, or a mapping ``{NEW: SOURCE}`` to rename (TRT01P from DM.ARM);
    ``filter_add`` restricts ``dataset_add`` first; with several records per key, ``order`` and ``mode``
    ('first' or 'last') pick one, else several records per key is an error. Records without a match get
    ``missing_values`` (by new name) or stay missing. A new variable that already exists is an error.
    """
    by_vars = list(by_vars)
    assert_columns(dataset, by_vars, arg="dataset")
    assert_columns(dataset_add, by_vars, arg="dataset_add")
    mapping = new_var_map(new_vars, list(dataset_add.columns), by_vars)
    assert_columns(dataset_add, list(mapping.values()), arg="dataset_add")
    assert_columns(dataset_add, [o.partition(" ")[0] for o in order or ()], arg="dataset_add")
    clash = [name for name in mapping if name in dataset.columns]
    if clash:
        raise AdamError(f"'new_vars' must not name variables already in 'dataset' (got {clash})")
    add = dataset_add.loc[filter_mask(dataset_add, filter_add, arg="filter_add")]
    if mode is not None:
        assert_one_of(mode, ["first", "last"], arg="mode")
        add = sort_records(add, by_vars, order)
        add = add.drop_duplicates(by_vars, keep=mode)
    else:
        assert_unique_keys(add, by_vars, arg="dataset_add")
    add = add[by_vars + list(dict.fromkeys(mapping.values()))]
    add = pd.DataFrame({**{b: add[b] for b in by_vars}, **{new: add[old] for new, old in mapping.items()}})
    add["_MATCHED"] = True
    merged = dataset.merge(add, on=by_vars, how="left", validate="many_to_one")
    unmatched = merged.pop("_MATCHED").isna()
    for name, value in (missing_values or {}).items():
        if name not in mapping:
            raise AdamError(f"'missing_values' must name variables of 'new_vars' (got {name!r})")
        merged[name] = merged[name].where(~unmatched, value)
    merged.index = dataset.index
    return merged


@verb
def derive_var_merged_exist_flag(
    dataset: pd.DataFrame,
    *,
    dataset_add: pd.DataFrame,
    by_vars: Sequence[str],
    new_var: str,
    condition: str,
    true_value: str = "Y",
    false_value: str | None = None,
    missing_value: str | None = None,
) -> pd.DataFrame:
    """``new_var`` = ``true_value`` when ``dataset_add`` has a record for the key that meets ``condition``;
    ``false_value`` when it has records for the key but none meets it; ``missing_value`` when it has none."""
    by_vars = list(by_vars)
    assert_columns(dataset, by_vars, arg="dataset")
    assert_columns(dataset_add, by_vars, arg="dataset_add")
    if new_var in dataset.columns:
        raise AdamError(f"'new_var' must not already be in 'dataset' (got {new_var!r})")
    hit = filter_mask(dataset_add, condition, arg="condition")
    summary = (dataset_add[by_vars].assign(_HIT=hit.to_numpy()).groupby(by_vars, dropna=False, observed=True)["_HIT"]
               .any().reset_index())
    merged = dataset.merge(summary, on=by_vars, how="left")
    flag = pd.Series(missing_value, index=merged.index, dtype="object")
    flag[merged["_HIT"].eq(False).fillna(False).to_numpy(bool)] = false_value
    flag[merged["_HIT"].eq(True).fillna(False).to_numpy(bool)] = true_value
    out = merged.drop(columns="_HIT")
    out[new_var] = flag.astype("string")
    out.index = dataset.index
    return out
