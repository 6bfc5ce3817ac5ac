"""Record filters and computed columns written in the spec as pandas expressions.

A spec writes ``filter: "LBSTAT.isna() and LBTESTCD == 'ALB'"``; :func:`filter_mask` evaluates it over the
whole frame at once (pandas ``eval`` with the Python engine) and returns a boolean mask in which a missing
(NA) outcome counts as False. An expression that names a missing variable or does not parse raises
:class:`~cdisc_pipe.errors.AdamError` naming the argument.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cdisc_pipe.errors import AdamError

__all__ = ["filter_mask", "evaluate"]


def evaluate(dataset: pd.DataFrame, expr: str, *, arg: str) -> pd.Series:
    """The value of ``expr`` for every record of ``dataset`` (a Series aligned with it)."""
    try:
        value = dataset.eval(expr, engine="python")
    except Exception as err:  # pandas raises many kinds for a bad expression; all mean the spec is wrong
        raise AdamError(f"'{arg}' must be a pandas expression over {list(dataset.columns)} "
                        f"(got {expr!r}: {type(err).__name__}: {err})") from err
    if not isinstance(value, pd.Series):
        value = pd.Series(np.repeat(value, len(dataset)) if len(dataset) else [], index=dataset.index)
    return value


def filter_mask(dataset: pd.DataFrame, expr: str | None, *, arg: str = "filter") -> pd.Series:
    """True where ``expr`` holds (all True when ``expr`` is None); NA counts as False."""
    if expr is None:
        return pd.Series(True, index=dataset.index)
    value = evaluate(dataset, expr, arg=arg)
    if not (pd.api.types.is_bool_dtype(value) or value.empty):
        raise AdamError(f"'{arg}' must be a condition giving True/False (got {expr!r} giving {value.dtype})")
    return value.fillna(False).astype(bool)
