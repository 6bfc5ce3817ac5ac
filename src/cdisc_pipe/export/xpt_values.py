"""Column values for XPT: text columns as Arrow strings, numbers and SAS dates as float64, and the
collect-then-report list of problems an export stops on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from cdisc_pipe.errors import ExportError
from cdisc_pipe.export.metadata import VariableMetadata

__all__ = ["Problems", "XptProblem", "arrow_strings", "numeric_values", "sas_to_datetimes", "SAS_EPOCH_DAYS"]

#: 1960-01-01 (SAS day 0) is 3,653 days before 1970-01-01 (numpy's epoch).
SAS_EPOCH_DAYS = 3653
_DAY = 86400
_SHOWN = 10
_LONGEST_SHOWN = 60  # docs/errors.md: longer values are shortened in messages, never in the value itself


def _show(value, size: int | None = None) -> str:
    if isinstance(value, str):
        if len(value) <= _LONGEST_SHOWN:
            return f"{value!r}, {size} bytes" if size is not None else repr(value)
        return f"{value[:_LONGEST_SHOWN] + '…'!r}, {size if size is not None else len(value)} " + (
            "bytes" if size is not None else "characters")
    if isinstance(value, (pd.Timestamp, pd.Timedelta)):
        return str(value)
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


@dataclass(frozen=True)
class XptProblem:
    """One thing the writer refuses. ``row`` is 1-based; ``value`` is the offending value, whole."""

    message: str
    variable: str | None = None
    row: int | None = None
    value: object = None
    expected: str | None = None


class Problems:
    """Everything that stops one dataset from being written; raised once as one ExportError.

    The error carries the problems as records too: ``err.problems`` (the first ten), ``err.count`` (all),
    and ``err.variable``/``err.row``/``err.value`` (as text)/``err.expected`` of the first one."""

    def __init__(self, dataset: str) -> None:
        self.dataset = dataset
        self.listed: list[XptProblem] = []
        self.count = 0

    def __bool__(self) -> bool:
        return self.count > 0

    def add(self, message: str, variable: str | None = None, row: int | None = None) -> None:
        self.count += 1
        if len(self.listed) < _SHOWN:
            self.listed.append(XptProblem(message, variable, row))

    def add_rows(self, variable: str, rows: np.ndarray, series: pd.Series, expectation: str,
                 sizes: np.ndarray | None = None) -> None:
        """One message per offending row (1-based), showing the value as the frame holds it."""
        for row in rows[: max(0, _SHOWN - len(self.listed))]:
            value = series.iloc[int(row)]
            size = int(sizes[row]) if sizes is not None else None
            message = f"{variable} row {int(row) + 1}: {expectation} (got {_show(value, size)})"
            self.listed.append(XptProblem(message, variable, int(row) + 1, value, expectation))
        self.count += len(rows)

    def raise_if_any(self) -> None:
        if not self.count:
            return
        noun = "problem" if self.count == 1 else "problems"
        lines = [f"dataset {self.dataset!r} cannot be written as SAS XPORT v5 ({self.count} {noun}):"]
        lines += [f"  - {problem.message}" for problem in self.listed]
        if self.count > len(self.listed):
            lines.append(f"  … and {self.count - len(self.listed)} more")
        error = ExportError("\n".join(lines))
        error.problems, error.count = list(self.listed), self.count
        first = self.listed[0]
        error.variable, error.row, error.expected = first.variable, first.row, first.expected
        error.value = first.value if first.value is None or isinstance(first.value, str) else str(first.value)
        raise error


def _is_missing(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def arrow_strings(series: pd.Series, name: str, problems: Problems) -> pa.ChunkedArray | None:
    """A Char column as one large_string ChunkedArray, missing values as "" (SAS blank)."""
    if not (pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)
            or isinstance(series.dtype, pd.CategoricalDtype)):
        problems.add(f"{name}: a Char column must hold str (got dtype {series.dtype})", name)
        return None
    try:
        array = pa.array(series, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        array = None
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array is not None and pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if array is not None and pa.types.is_null(array.type):
        array = pa.nulls(len(array), pa.large_string())
    if array is None or not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)
                             or pa.types.is_string_view(array.type)):
        bad = [i for i, v in enumerate(series.tolist()) if not (isinstance(v, str) or _is_missing(v))]
        problems.add_rows(name, np.array(bad, dtype=np.int64), series, "value must be str")
        return None
    array = array.cast(pa.large_string()).fill_null("")
    return pa.chunked_array([array], type=pa.large_string())


def numeric_values(series: pd.Series, var: VariableMetadata, kind: str | None,
                   problems: Problems) -> np.ndarray | None:
    """A Num column as float64 (NaN = missing); datetime64/timedelta64 become SAS dates, datetimes, times."""
    dtype = series.dtype
    name = var.name
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        temporal = "timedelta64" if pd.api.types.is_timedelta64_dtype(dtype) else "datetime64"
        wanted = ("time",) if temporal == "timedelta64" else ("date", "datetime")
        if kind not in wanted or getattr(dtype, "tz", None) is not None:
            formats = ("a TIME format" if temporal == "timedelta64"
                       else "a DATE or DATETIME format (DATE9., E8601DT19.)")
            problems.add(f"{name}: a {dtype} column needs {formats} and no time zone, to know what number to "
                         f"write (got format {var.format!r})", name)
            return None
        return _temporal_to_sas(series, kind, problems, name, var.format)
    if pd.api.types.is_bool_dtype(dtype) or (
            pd.api.types.is_string_dtype(dtype) and not pd.api.types.is_object_dtype(dtype)):
        problems.add(f"{name}: a Num column must hold numbers (got dtype {dtype})", name)
        return None
    if pd.api.types.is_object_dtype(dtype):
        if pd.api.types.infer_dtype(series, skipna=True) not in ("floating", "integer", "mixed-integer-float",
                                                                 "empty"):
            bad = [i for i, v in enumerate(series.tolist()) if not _is_missing(v) and (
                isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)))]
            problems.add_rows(name, np.array(bad, dtype=np.int64), series, "value must be a number")
            return None
        series = pd.to_numeric(series)
    if pd.api.types.is_integer_dtype(series.dtype):
        big = (series.abs() > 2**53).to_numpy(dtype=bool, na_value=False)
        problems.add_rows(name, np.flatnonzero(big), series,
                          "value must be an integer of at most 2**53 in magnitude (a double holds it exactly)")
    return np.ascontiguousarray(series.to_numpy(dtype=np.float64, na_value=np.nan))


def _temporal_to_sas(series: pd.Series, kind: str, problems: Problems, name: str, fmt: str) -> np.ndarray:
    values = series.to_numpy()
    missing = pd.isna(values)
    unit = "m8[s]" if kind == "time" else "M8[s]"
    seconds_ = values.astype(unit)
    inexact = (seconds_ != values) & ~missing
    seconds = seconds_.view(np.int64)
    if kind == "date":
        inexact |= (seconds % _DAY != 0) & ~missing
        numbers = (seconds // _DAY + SAS_EPOCH_DAYS).astype(np.float64)
        expectation = f"value must be a whole day, as format {fmt!r} stores days"
    elif kind == "datetime":
        numbers = (seconds + SAS_EPOCH_DAYS * _DAY).astype(np.float64)
        expectation = f"value must be a whole second, as format {fmt!r} stores seconds"
    else:
        numbers = seconds.astype(np.float64)
        expectation = f"value must be a whole second, as format {fmt!r} stores seconds"
    problems.add_rows(name, np.flatnonzero(inexact), series, expectation)
    numbers[missing] = np.nan
    return numbers


def sas_to_datetimes(values: np.ndarray, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """SAS dates/datetimes/times -> datetime64[s]/timedelta64[s]; also the rows that are not whole
    days/seconds (or out of range) and so cannot be converted without changing them."""
    missing = np.isnan(values)
    seconds = values * _DAY - SAS_EPOCH_DAYS * _DAY if kind == "date" else values.copy()
    if kind == "datetime":
        seconds -= SAS_EPOCH_DAYS * _DAY
    with np.errstate(invalid="ignore"):
        bad = ~missing & ((values != np.floor(values)) | (np.abs(seconds) > 2.0**62))
    whole = np.where(missing | bad, 0, seconds).astype(np.int64)
    out = whole.view("m8[s]" if kind == "time" else "M8[s]").copy()
    out[missing | bad] = np.timedelta64("NaT") if kind == "time" else np.datetime64("NaT")
    return out, np.flatnonzero(bad)
