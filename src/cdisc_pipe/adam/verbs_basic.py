"""General verbs: constants, copies, computed expressions, categories from a condition table, filters."""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns
from cdisc_pipe.adam.expressions import evaluate, filter_mask
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.errors import AdamError

__all__ = ["derive_vars_assign", "derive_vars_copy", "derive_var_expr", "derive_vars_cat", "filter_records"]


@verb
def derive_vars_assign(dataset: pd.DataFrame, *, values: Mapping[str, Any], filter: str | None = None,
                       ) -> pd.DataFrame:
    """Set each variable of ``values`` to its constant on the records meeting ``filter`` (all records when
    none is given); records outside the filter keep their value, or missing for a new variable."""
    mask = filter_mask(dataset, filter)
    out = dataset.copy(deep=False)
    for name, value in values.items():
        dtype = "float64" if isinstance(value, (int, float)) and not isinstance(value, bool) else "string"
        current = out[name] if name in out.columns else pd.Series(None, index=out.index, dtype=dtype)
        out[name] = current.astype(dtype).where(~mask, value)
    return out


@verb
def derive_vars_copy(dataset: pd.DataFrame, *, new_vars: Mapping[str, str]) -> pd.DataFrame:
    """Copy variables under new names (``{NEW: OLD}``), e.g. AVAL from LBSTRESN, AVALC from QSORRES."""
    assert_columns(dataset, list(new_vars.values()), arg="dataset")
    out = dataset.copy(deep=False)
    for new, old in new_vars.items():
        out[new] = dataset[old]
    return out


@verb
def derive_var_expr(dataset: pd.DataFrame, *, new_var: str, expr: str, filter: str | None = None,
                    ) -> pd.DataFrame:
    """``new_var`` = the pandas expression ``expr`` evaluated over each record (e.g. ``"AGE >= 65"``);
    outside ``filter`` the variable keeps its value (or is missing)."""
    value = evaluate(dataset, expr, arg="expr")
    mask = filter_mask(dataset, filter)
    out = dataset.copy(deep=False)
    if new_var in out.columns:
        out[new_var] = out[new_var].where(~mask, value)
    else:
        out[new_var] = value.where(mask)
    return out


@verb
def derive_vars_cat(dataset: pd.DataFrame, *, definition: pd.DataFrame) -> pd.DataFrame:
    """Categories from a table with a ``condition`` column and one column per new variable (admiral's
    ``derive_vars_cat``): each record takes the values of the first row whose condition holds; a record
    that meets no condition gets missing values. AGEGR1/AGEGR1N, TRT01PN, EOSSTT come from such tables."""
    assert_columns(definition, ["condition"], arg="definition")
    new_vars = [c for c in definition.columns if c != "condition"]
    if not new_vars:
        raise AdamError("'definition' must have at least one column besides 'condition' (got none)")
    masks = [filter_mask(dataset, cond, arg=f"definition.condition[{i}]").to_numpy()
             for i, cond in enumerate(definition["condition"])]
    row = np.select(masks, np.arange(len(masks)), default=-1) if masks else np.full(len(dataset), -1)
    chosen = definition[new_vars].reindex(row)
    out = dataset.copy(deep=False)
    for name in new_vars:
        column = chosen[name]
        numeric = pd.api.types.is_numeric_dtype(definition[name])
        out[name] = column.to_numpy() if not numeric else column.to_numpy(dtype=float)
        out[name] = out[name].astype("float64" if numeric else "string")
    return out


@verb
def filter_records(dataset: pd.DataFrame, *, filter: str) -> pd.DataFrame:
    """Keep the records meeting ``filter`` (e.g. enrolled subjects only)."""
    return dataset.loc[filter_mask(dataset, filter)]
