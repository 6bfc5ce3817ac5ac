"""Verbs that bring variables from another dataset (admiral's ``derive_vars_merged`` family)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns, assert_one_of, assert_unique_keys
from cdisc_pipe.adam.expressions import filter_mask
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.errors import AdamError

__all__ = ["derive_vars_merged", "derive_var_merged_exist_flag", "sort_records", "sorted_index", "pick_records", "lookup",
           "new_var_map"]


def new_var_map(new_vars: Sequence[str] | Mapping[str, str] | None, available: Sequence[str],
                by_vars: Sequence[str]) -> dict[str, str]:
    """``new_vars`` as {new name: source name}: a list keeps names; None takes every non-key variable."""
    if new_vars is None:
        return {c: c for c in available if c not in by_vars}
    if isinstance(new_vars, Mapping):
        return dict(new_vars)
    return {name: name for name in new_vars}


def _sort_spec(by_vars: Sequence[str], order: Sequence[str] | None) -> tuple[list[str], list[bool]]:
    columns, ascending = list(by_vars), [True] * len(by_vars)
    for entry in order or ():
        name, _, direction = entry.partition(" ")
        columns.append(name)
        ascending.append(direction.strip().lower() != "desc")
    return columns, ascending


def sorted_index(frame: pd.DataFrame, by_vars: Sequence[str], order: Sequence[str] | None) -> pd.Index:
    """The index of ``frame`` in the order of :func:`sort_records`, sorting only the key columns (a wide
    frame is never copied to be sorted)."""
    columns, ascending = _sort_spec(by_vars, order)
    if not columns:
        return frame.index
    return frame[columns].sort_values(columns, ascending=ascending, kind="stable", na_position="last").index


def pick_records(frame: pd.DataFrame, by_vars: Sequence[str], order: Sequence[str] | None, keep: str) -> pd.Index:
    """The index of the first or last (``keep``) record per ``by_vars`` in ``order``."""
    columns, _ = _sort_spec(by_vars, order)
    ordered = frame.loc[sorted_index(frame, by_vars, order), columns]
    return ordered.drop_duplicates(list(by_vars), keep=keep).index


def lookup(dataset: pd.DataFrame, add: pd.DataFrame, by_vars: Sequence[str]) -> pd.DataFrame:
    """The records of ``add`` (at most one per ``by_vars``) matched to each record of ``dataset`` on
    ``by_vars``: a frame aligned with ``dataset``'s index holding ``add``'s other columns (missing where
    nothing matches). A left join that reads only the key columns of ``dataset``, so a wide dataset is
    never copied; missing keys match missing keys, as in ``DataFrame.merge``."""
    by_vars = list(by_vars)
    values = add.drop(columns=by_vars)
    if len(by_vars) == 1:
        keys = pd.Index(add[by_vars[0]])
        probe = pd.Index(dataset[by_vars[0]])
    else:
        keys = pd.MultiIndex.from_frame(add[by_vars])
        probe = pd.MultiIndex.from_frame(dataset[by_vars])
    positions = keys.get_indexer(probe)
    found = values.reset_index(drop=True).reindex(positions)
    found.index = dataset.index
    return found


def sort_records(frame: pd.DataFrame, by_vars: Sequence[str], order: Sequence[str] | None) -> pd.DataFrame:
    """``frame`` sorted by ``by_vars`` then ``order`` (an entry ``"VAR desc"`` sorts that variable
    descending); missing values sort last; the sort is stable so ties keep their input order."""
    return frame.loc[sorted_index(frame, by_vars, order)]


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
        add = add.loc[pick_records(add, by_vars, order, mode)]
    else:
        assert_unique_keys(add, by_vars, arg="dataset_add")
    add = add[by_vars + list(dict.fromkeys(mapping.values()))]
    add = pd.DataFrame({**{b: add[b] for b in by_vars}, **{new: add[old] for new, old in mapping.items()}})
    add["_MATCHED"] = True
    found = lookup(dataset, add, by_vars)
    unmatched = found.pop("_MATCHED").isna()
    merged = dataset.copy(deep=False)
    for name in mapping:
        merged[name] = found[name]
    for name, value in (missing_values or {}).items():
        if name not in mapping:
            raise AdamError(f"'missing_values' must name variables of 'new_vars' (got {name!r})")
        merged[name] = merged[name].where(~unmatched, value)
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
    hit = lookup(dataset, summary, by_vars)["_HIT"]
    flag = pd.Series(missing_value, index=dataset.index, dtype="object")
    flag[hit.eq(False).fillna(False).to_numpy(bool)] = false_value
    flag[hit.eq(True).fillna(False).to_numpy(bool)] = true_value
    out = dataset.copy(deep=False)
    out[new_var] = flag.astype("string")
    return out
