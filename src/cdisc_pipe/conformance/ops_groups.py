"""Record ops over groups of records: ``unique_keys``, ``row_count`` and ``one_to_one``. Every record of an
offending group is reported (as Pinnacle 21 and CORE do), so each duplicate can be found."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from cdisc_pipe.conformance.ops import OpContext, boolean, op
from cdisc_pipe.conformance.ops_refs import key_frame


def _present(ctx: OpContext, keys: Sequence[str], optional: Sequence[str]) -> list[str]:
    return list(keys) + [k for k in optional if k in ctx.frame.columns and k not in keys]


def _group_sizes(ctx: OpContext, by: list[str]) -> np.ndarray:
    if not by:
        return np.full(len(ctx.frame), len(ctx.frame))
    keys = key_frame(ctx.frame, by).fillna("\x00")  # missing values group together
    return keys.groupby(list(keys.columns), sort=False)[keys.columns[0]].transform("size").to_numpy()


@op("unique_keys", variables=("keys",), optional=("optional",))
def unique_keys(ctx: OpContext, *, keys: Sequence[str], optional: Sequence[str] = ()) -> pd.Series:
    """No two records share the same values of ``keys`` (plus the ``optional`` keys the dataset has)."""
    return boolean(_group_sizes(ctx, _present(ctx, keys, optional)) <= 1, ctx.frame.index)


@op("row_count", variables=("by",), optional=("optional",))
def row_count(ctx: OpContext, *, by: Sequence[str], max: int, optional: Sequence[str] = ()) -> pd.Series:
    """At most ``max`` records per group of ``by`` (ADSL: one per USUBJID; one baseline per test)."""
    return boolean(_group_sizes(ctx, _present(ctx, by, optional)) <= max, ctx.frame.index)


@op("one_to_one", variables=("left", "right"), optional=("within",))
def one_to_one(ctx: OpContext, *, left: str, right: str, within: Sequence[str] = (),
               direction: str = "both") -> pd.Series:
    """Each value of ``left`` goes with one value of ``right`` and the other way round (PARAMCD↔PARAM,
    VISITNUM↔VISIT), within groups of ``within`` when given; ``direction: left`` checks only that each
    ``left`` has one ``right`` (BASE constant per subject and parameter). Records missing either value
    are not judged."""
    scope = [w for w in within if w in ctx.frame.columns]
    keys = key_frame(ctx.frame, scope + [left, right])
    a, b = keys.columns[-2], keys.columns[-1]
    missing = keys[[a, b]].isna().any(axis=1).to_numpy()
    filled = keys[~missing]
    group = list(keys.columns[:-2])
    n_right = filled.groupby(group + [a], sort=False)[b].transform("nunique")
    n_left = filled.groupby(group + [b], sort=False)[a].transform("nunique")
    ok = np.ones(len(keys), dtype=bool)
    ok[~missing] = ((n_right <= 1) & ((n_left <= 1) | (direction == "left"))).to_numpy()
    return boolean(ok, ctx.frame.index, missing=missing)
