"""Verbs that add records: the records of another domain, stacked with its variables renamed."""

from __future__ import annotations

from typing import Mapping

import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns
from cdisc_pipe.adam.expressions import filter_mask
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.errors import AdamError

__all__ = ["derive_records_stacked"]


@verb
def derive_records_stacked(
    dataset: pd.DataFrame,
    *,
    dataset_add: pd.DataFrame,
    dataset_name: str,
    rename: Mapping[str, str],
    seq: str | None = None,
    filter_add: str | None = None,
) -> pd.DataFrame:
    """Append the records of ``dataset_add`` (the SDTM domain ``dataset_name``) meeting ``filter_add``,
    each of its variables renamed by ``rename`` ({NAME IN dataset: NAME IN dataset_add}) to the name the
    first source uses, so one BDS dataset can hold several findings domains (ADLB: LB and CP). ``seq``
    names the --SEQ of ``dataset_add``: it becomes SRCSEQ, with SRCDOM = ``dataset_name``. Variables of
    ``dataset`` that ``rename`` does not give stay missing on the appended records."""
    assert_columns(dataset_add, [*rename.values(), seq], arg="dataset_add")
    unknown = [name for name in rename if name not in dataset.columns]
    if unknown:
        raise AdamError(f"'rename' must map variables of 'dataset' (got {unknown}; dataset has {list(dataset.columns)})")
    add = dataset_add.loc[filter_mask(dataset_add, filter_add, arg="filter_add")]
    added = pd.DataFrame({new: add[old].to_numpy() for new, old in rename.items()})
    if seq is not None:
        added["SRCDOM"] = dataset_name
        added["SRCSEQ"] = add[seq].astype("float64").to_numpy()
    stacked = pd.concat([dataset, added.astype({c: dataset[c].dtype for c in added.columns if c in dataset.columns},
                                               errors="ignore")], ignore_index=True)
    return stacked
