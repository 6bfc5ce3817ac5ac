"""Questionnaire scale scores: item responses recoded through a literal table, then averaged per scale.

This is the scoring of the RAND 36-Item Health Survey 1.0 (ADQS), written as a mechanism that knows nothing
of RAND-36: the instrument's rules are data in the spec (``specs/<study>/adam/adqs.yaml``):

* ``dataset_recode`` — RAND Table 1: for each recode family (``RECODE``), the 0-100 ``SCORE`` of each
  precoded ``RESPONSE`` (e.g. family ``REV5``: 1 -> 100, 2 -> 75, ... 5 -> 0);
* ``dataset_items`` — RAND Table 2: which item (``ITEMCD``) belongs to which scale (``PARAMCD``) and is
  recoded with which family (``RECODE``);
* ``dataset_scales`` — one row per scale: ``PARAMCD`` and the values its new records carry (PARAM, PARCAT1 ...).

:func:`derive_param_scale_score` adds, per by-group and scale, one record whose ``new_var`` is the mean of the
recoded scores of the scale's answered items (RAND leaves blank items out of the average;
``min_items`` sets how many answered items a scale needs, RAND's own rule being 1). :func:`compute_range_score`
is the paper's per-item transform ``(raw - min) / (max - min) * 100``; docs/adam/adqs.md shows that RAND
Table 1 is that transform applied to each item, and when averaging equals the transform of the scale's sum.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from cdisc_pipe.adam.assertions import assert_columns, assert_unique_keys
from cdisc_pipe.adam.expressions import filter_mask
from cdisc_pipe.adam.registry import verb
from cdisc_pipe.errors import AdamError

__all__ = ["compute_range_score", "derive_param_scale_score"]

_SHOWN = 10


def compute_range_score(raw: pd.Series, *, minimum: float | pd.Series, maximum: float | pd.Series,
                        reverse: bool | pd.Series = False) -> pd.Series:
    """``(raw - minimum) / (maximum - minimum) * 100``; with ``reverse``, ``(maximum - raw) / (...) * 100``
    (a response coded 1 = best). ``minimum``/``maximum``/``reverse`` are scalars or Series aligned with
    ``raw``; missing ``raw`` gives missing."""
    raw = pd.to_numeric(raw).astype("float64")
    low = pd.Series(minimum, index=raw.index, dtype="float64")
    high = pd.Series(maximum, index=raw.index, dtype="float64")
    flip = pd.Series(reverse, index=raw.index).astype(bool)
    if (high <= low).any():
        raise AdamError(f"'maximum' must be greater than 'minimum' (got {high[high <= low].iloc[0]} "
                        f"<= {low[high <= low].iloc[0]})")
    forward = (raw - low) / (high - low) * 100
    backward = (high - raw) / (high - low) * 100
    return backward.where(flip, forward)


def _assert_tables(dataset_items: pd.DataFrame, dataset_recode: pd.DataFrame,
                   dataset_scales: pd.DataFrame) -> None:
    assert_columns(dataset_items, ["ITEMCD", "PARAMCD", "RECODE"], arg="dataset_items")
    assert_columns(dataset_recode, ["RECODE", "RESPONSE", "SCORE"], arg="dataset_recode")
    assert_columns(dataset_scales, ["PARAMCD"], arg="dataset_scales")
    assert_unique_keys(dataset_items, ["ITEMCD", "PARAMCD"], arg="dataset_items")
    assert_unique_keys(dataset_recode, ["RECODE", "RESPONSE"], arg="dataset_recode")
    assert_unique_keys(dataset_scales, ["PARAMCD"], arg="dataset_scales")
    unknown = sorted(set(dataset_items["RECODE"]) - set(dataset_recode["RECODE"]))
    if unknown:
        raise AdamError(f"'dataset_items' RECODE must be a family of 'dataset_recode' "
                        f"{sorted(set(dataset_recode['RECODE']))} (got {unknown})")
    item_scales, scales = set(dataset_items["PARAMCD"]), set(dataset_scales["PARAMCD"])
    if item_scales != scales:
        raise AdamError(f"'dataset_items' PARAMCD and 'dataset_scales' PARAMCD must name the same scales "
                        f"(got only in items: {sorted(item_scales - scales)}, "
                        f"only in scales: {sorted(scales - item_scales)})")


@verb
def derive_param_scale_score(
    dataset: pd.DataFrame,
    *,
    dataset_items: pd.DataFrame,
    dataset_recode: pd.DataFrame,
    dataset_scales: pd.DataFrame,
    by_vars: Sequence[str],
    item_var: str = "PARAMCD",
    source_var: str = "AVAL",
    new_var: str = "AVAL",
    min_items: int = 1,
    filter: str | None = None,
) -> pd.DataFrame:
    """Add one record per ``by_vars`` group and scale: ``new_var`` = mean of the scale's recoded items.

    Item records are the records of ``dataset`` (meeting ``filter``) whose ``item_var`` is an ``ITEMCD`` of
    ``dataset_items``; an item is *answered* when ``source_var`` is not missing. Each answered response is
    looked up in ``dataset_recode`` by the item's ``RECODE`` family; a response the table does not list is
    an error (the spec's table does not fit the data). A scale record is added when at least ``min_items``
    of its items are answered in the group; it carries ``by_vars``, ``PARAMCD`` and every other column of
    ``dataset_scales``; all other variables are missing (derive them in later steps). Item records are
    returned unchanged; the new records follow them.
    """
    by_vars = list(by_vars)
    assert_columns(dataset, [*by_vars, item_var, source_var], arg="dataset")
    _assert_tables(dataset_items, dataset_recode, dataset_scales)
    if not isinstance(min_items, int) or isinstance(min_items, bool) or min_items < 1:
        raise AdamError(f"'min_items' must be a whole number of at least 1 (got {min_items!r})")
    if "PARAMCD" in dataset.columns:
        clash = sorted(set(dataset_scales["PARAMCD"]) & set(dataset["PARAMCD"].dropna()))
        if clash:
            raise AdamError(f"'dataset_scales' PARAMCD must not already be parameters of 'dataset' (got {clash})")

    overlap = sorted(set(dataset_scales.columns) & {*by_vars, new_var})
    if overlap:
        raise AdamError(f"'dataset_scales' must not set 'by_vars' or 'new_var' (got columns {overlap})")

    items = dataset.loc[filter_mask(dataset, filter, arg="filter"), [*by_vars, item_var, source_var]]
    items = pd.DataFrame({**{b: items[b] for b in by_vars}, "_ITEM": items[item_var],
                          "_RESPONSE": pd.to_numeric(items[source_var]).astype("float64")})
    items = items.loc[items["_RESPONSE"].notna()]
    members = dataset_items.rename(columns={"ITEMCD": "_ITEM", "PARAMCD": "_SCALE", "RECODE": "_RECODE"})
    items = items.merge(members[["_ITEM", "_SCALE", "_RECODE"]], on="_ITEM", how="inner")
    recode = pd.DataFrame({"_RECODE": dataset_recode["RECODE"],
                           "_RESPONSE": pd.to_numeric(dataset_recode["RESPONSE"]).astype("float64"),
                           "_SCORE": pd.to_numeric(dataset_recode["SCORE"]).astype("float64")})
    scored = items.merge(recode, on=["_RECODE", "_RESPONSE"], how="left", validate="many_to_one")
    unscored = scored.loc[scored["_SCORE"].isna(), ["_ITEM", "_RECODE", "_RESPONSE"]].drop_duplicates()
    if not unscored.empty:
        shown = unscored.head(_SHOWN).rename(columns=lambda c: c.lstrip("_")).to_dict("records")
        more = f" ... and {len(unscored) - _SHOWN} more" if len(unscored) > _SHOWN else ""
        raise AdamError(f"'dataset_recode' must give a SCORE for every response in '{source_var}' "
                        f"(got responses without one: {shown}{more})")

    grouped = scored.groupby([*by_vars, "_SCALE"], dropna=False, observed=True, sort=False)["_SCORE"]
    scales = grouped.agg(["mean", "count"]).reset_index()
    scales = scales.loc[scales["count"] >= min_items]
    scales = pd.DataFrame({**{b: scales[b] for b in by_vars}, "PARAMCD": scales["_SCALE"],
                           new_var: scales["mean"]})
    scales = scales.merge(dataset_scales, on="PARAMCD", how="left")
    return pd.concat([dataset, scales], ignore_index=True)
