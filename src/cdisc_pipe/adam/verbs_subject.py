"""Subject-level verbs (ADSL): the latest or earliest date among several sources (LSTALVDT, TRTSDT)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns, assert_one_of
from cdisc_pipe.adam.expressions import filter_mask
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.adam.verbs_dates import compute_dt
from cdisc_pipe.errors import AdamError

__all__ = ["derive_var_extreme_dt"]


@verb
def derive_var_extreme_dt(
    dataset: pd.DataFrame,
    *,
    new_var: str,
    source_datasets: Sequence[Mapping[str, Any]],
    mode: str = "last",
    by_vars: Sequence[str] = ("STUDYID", "USUBJID"),
    sources: Mapping[str, pd.DataFrame],
) -> pd.DataFrame:
    """``new_var`` = the latest (``mode="last"``) or earliest date per subject among the ``source_datasets``
    (admiral ``derive_var_extreme_dt``). Each entry: ``dataset_name``, ``date`` (a --DTC ISO variable, or a
    date variable of an ADaM dataset) and optional ``filter``. Only complete dates count: a partial date is
    never imputed into a last-known-alive date."""
    by_vars = list(by_vars)
    assert_columns(dataset, by_vars, arg="dataset")
    assert_one_of(mode, ["first", "last"], arg="mode")
    pieces = []
    for i, entry in enumerate(source_datasets):
        name = entry.get("dataset_name")
        if name not in sources:
            raise AdamError(f"'source_datasets[{i}].dataset_name' must name an available dataset "
                            f"(got {name!r}; available {sorted(sources)})")
        frame = sources[name]
        assert_columns(frame, by_vars + [entry["date"]], arg=f"source_datasets[{i}] ({name})")
        frame = frame.loc[filter_mask(frame, entry.get("filter"), arg=f"source_datasets[{i}].filter")]
        column = frame[entry["date"]]
        if pd.api.types.is_datetime64_any_dtype(column):
            date = column.astype("datetime64[s]").dt.normalize()
        else:
            date, _ = compute_dt(column)
        pieces.append(pd.DataFrame({**{b: frame[b] for b in by_vars}, "_DATE": date}))
    if not pieces:
        raise AdamError("'source_datasets' must name at least one source (got none)")
    dates = pd.concat(pieces, ignore_index=True).dropna(subset=["_DATE"])
    grouped = dates.groupby(by_vars, observed=True)["_DATE"]
    extreme = (grouped.max() if mode == "last" else grouped.min()).rename(new_var).reset_index()
    out = dataset.drop(columns=[new_var], errors="ignore").merge(extreme, on=by_vars, how="left")
    out.index = dataset.index
    return out
