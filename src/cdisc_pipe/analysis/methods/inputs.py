"""Input assertions shared by the statistical methods, and the error they raise.

A method given inputs it cannot use (a missing time, an event code other than 0/1, a negative count) raises
:class:`AnalysisError` at once: that is misuse of the API, not a data problem to collect as a finding (the
analysis stage checks its ADaM inputs before it calls a method). Messages follow the house shape
"`<what>` must be <expectation> (got <value>)".
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from cdisc_pipe.errors import CdiscPipeError

__all__ = ["AnalysisError", "TableTooLarge", "assert_survival_data", "as_groups", "assert_count_table"]

MAX_SHOWN = 10


class AnalysisError(CdiscPipeError, ValueError):
    """A statistical method was given inputs it cannot use; the message names the argument and offenders."""


class TableTooLarge(AnalysisError):
    """An exact enumeration (Fisher's test on an r x c table) would exceed the work limit it was given."""


def _offenders(values: np.ndarray, bad: np.ndarray) -> str:
    where = np.flatnonzero(bad)
    shown = ", ".join(f"[{i}]={values[i]!r}" for i in where[:MAX_SHOWN])
    more = f" ... and {len(where) - MAX_SHOWN} more" if len(where) > MAX_SHOWN else ""
    return shown + more


def _as_float(values: np.ndarray) -> np.ndarray:
    if values.dtype.kind in "biuf":
        return values.astype(float)
    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)


def assert_survival_data(time: Any, event: Any) -> tuple[np.ndarray, np.ndarray]:
    """``time`` as finite floats and ``event`` as 0/1 integers (1 = the event happened, 0 = censored),
    of one length. Booleans are accepted for ``event``. Returns the two arrays."""
    raw_time = np.asarray(time).ravel()
    raw_event = np.asarray(event).ravel()
    time_arr, event_arr = _as_float(raw_time), _as_float(raw_event)
    if time_arr.shape != event_arr.shape:
        raise AnalysisError(f"'time' and 'event' must have one length (got {time_arr.size} and {event_arr.size})")
    bad = ~np.isfinite(time_arr)
    if bad.any():
        raise AnalysisError(f"'time' must be finite numbers (got {_offenders(raw_time, bad)})")
    bad = ~np.isin(event_arr, (0.0, 1.0))
    if bad.any():
        raise AnalysisError(f"'event' must be 1 (event) or 0 (censored) (got {_offenders(raw_event, bad)})")
    return time_arr, event_arr.astype(np.int64)


def as_groups(group: Any, n: int) -> tuple[list[Any], np.ndarray]:
    """Group labels in analysis order and an integer code per record.

    The order is the categories' order for a pandas Categorical (levels without records dropped, as R's
    ``survfit`` drops empty strata), otherwise sorted labels (R's default factor order). ``None`` means one
    group, labelled ``None``. Missing labels are refused."""
    if group is None:
        return [None], np.zeros(n, dtype=np.int64)
    series = pd.Series(group) if not isinstance(group, pd.Series) else group.reset_index(drop=True)
    if len(series) != n:
        raise AnalysisError(f"'group' must have one label per record (got {len(series)} labels for {n} records)")
    missing = series.isna().to_numpy()
    if missing.any():
        raise AnalysisError(f"'group' must have no missing labels (got {_offenders(series.to_numpy(object), missing)})")
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.unique())
        labels = [c for c in series.cat.categories if c in present]
    else:
        labels = sorted(series.unique().tolist())
    codes = pd.Categorical(series.astype(object), categories=labels).codes.astype(np.int64)
    return labels, codes


def assert_count_table(table: Any, *, name: str = "table") -> np.ndarray:
    """A two-dimensional table of non-negative whole numbers, as a float array."""
    values = np.asarray(table.to_numpy() if isinstance(table, pd.DataFrame) else table, dtype=float)
    if values.ndim != 2 or min(values.shape) < 1:
        raise AnalysisError(f"'{name}' must be a two-dimensional table of counts (got shape {values.shape})")
    flat = values.ravel()
    bad = ~np.isfinite(flat) | (flat < 0) | (flat != np.round(flat))
    if bad.any():
        raise AnalysisError(f"'{name}' must hold non-negative whole numbers (got {_offenders(flat, bad)})")
    return values
