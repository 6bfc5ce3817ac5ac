"""Values as the EDC writes them: dates, partial dates, times, numbers; and finished frames of strings.

Everything is vectorised. Dates and numbers are formatted once per distinct value and spread back with
the inverse index, so a million records cost one ``numpy.unique`` and a few thousand formatted values.
Missing values are written as the empty string.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.errors import SpecError
from cdisc_pipe.raw.dates import format_edc_dates
from cdisc_pipe.spec.model import Form, Study

__all__ = [
    "Columns",
    "FULL",
    "NO_DAY",
    "NO_MONTH",
    "compute_edc_dates",
    "compute_edc_times",
    "compute_edc_numbers",
    "compute_edc_integers",
    "sort_rank",
    "text_array",
    "take_text",
    "finish_frame",
]

#: A form's records before they are finished: column name -> numpy array, Arrow array or Series.
Columns = dict[str, Any]

#: Date precision codes: complete, day unknown ("UN MAR 2019"), day and month unknown ("UN UNK 2019").
FULL, NO_DAY, NO_MONTH = 0, 1, 2
_ISO_LENGTH = {FULL: 10, NO_DAY: 7, NO_MONTH: 4}


def text_array(values) -> pa.Array:
    """Strings (numpy, pandas or Arrow; missing as None/NaN) -> Arrow ``large_string`` with ``""`` for missing."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        if isinstance(values, pd.Series):
            values = values.array if not pd.api.types.is_object_dtype(values.dtype) else values.to_numpy()
        array = pa.array(values, from_pandas=True)
    else:
        array = values
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_dictionary(array.type):
        array = array.dictionary_decode()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type) or pa.types.is_null(array.type)):
        raise TypeError(f"`values` must be text (got Arrow type {array.type})")
    return pc.fill_null(array.cast(pa.large_string()), "")


def compute_edc_dates(study: Study, dates, precision: np.ndarray | None = None) -> pa.Array:
    """``datetime64`` values (NaT = missing) -> EDC date strings in the study's layout (``""`` = missing).

    ``precision`` (same length, codes :data:`FULL`, :data:`NO_DAY`, :data:`NO_MONTH`) makes partial dates.
    """
    days = np.asarray(dates).astype("datetime64[D]")
    prec = np.zeros(len(days), dtype=np.int64) if precision is None else np.asarray(precision, dtype=np.int64)
    if len(prec) != len(days):
        raise ValueError(f"`precision` must have one code per date (got {len(prec)} for {len(days)} dates)")
    present = ~np.isnat(days)
    key = np.where(present, days.astype(np.int64) * 3 + prec, np.iinfo(np.int64).min)
    inverse, unique = _distinct(key)
    real = unique != np.iinfo(np.int64).min
    iso_full = np.datetime_as_string((np.where(real, unique, 0) // 3).astype("datetime64[D]"), unit="D").tolist()
    iso = [text[: _ISO_LENGTH[p]] if ok else None for text, p, ok in zip(iso_full, (unique % 3).tolist(), real)]
    table = text_array(format_edc_dates(pd.Series(iso, dtype="str"), conventions=study.raw))
    return pc.take(table, pa.array(inverse, type=pa.int64()))


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index into the distinct values, the distinct values): a hash pass, cheaper than a sort."""
    index, distinct = pd.factorize(values, use_na_sentinel=False)
    return index.astype(np.int64), np.asarray(distinct)


def compute_edc_times(study: Study, minutes: np.ndarray) -> pa.Array:
    """Minutes after midnight -> ``HH:MM`` strings (the only time layout the simulator writes)."""
    if study.raw.time_format != "HH:MM":
        raise SpecError(
            f"study.yaml: raw.time_format must be 'HH:MM' for the simulator (got '{study.raw.time_format}')"
        )
    table = pa.array([f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)], type=pa.large_string())
    return pc.take(table, pa.array(np.asarray(minutes, dtype=np.int64) % 1440))


def compute_edc_numbers(values: np.ndarray, decimals: int | None = None) -> pa.Array:
    """Numbers -> shortest plain decimal text (``25000000``, ``0.5``); NaN -> ``""``.

    ``decimals`` rounds first; trailing zeros are never written. Equal inputs give equal text.
    """
    numbers = np.asarray(values, dtype=np.float64)
    if decimals is not None:
        numbers = np.round(numbers, decimals)
    present = ~np.isnan(numbers)
    unique, inverse = np.unique(np.where(present, numbers, np.inf), return_inverse=True)
    text = ["" if np.isinf(v) else np.format_float_positional(v, trim="-") for v in unique]
    return pc.take(pa.array(text, type=pa.large_string()), pa.array(inverse.reshape(-1), type=pa.int64()))


def compute_edc_integers(values: np.ndarray) -> pa.Array:
    """Whole numbers -> their decimal text, formatted once per distinct value."""
    inverse, unique = _distinct(np.asarray(values, dtype=np.int64))
    return pc.take(pa.array([str(v) for v in unique.tolist()], type=pa.large_string()), pa.array(inverse))


def sort_rank(values: np.ndarray) -> np.ndarray:
    """Rank of each string in sorted order of the distinct values (for sorting records by text cheaply)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    rank = np.empty(len(uniques), dtype=np.int64)
    rank[np.argsort(np.asarray(uniques, dtype=str), kind="stable")] = np.arange(len(uniques))
    return rank[codes] if len(codes) else np.zeros(0, dtype=np.int64)


def take_text(table, index: np.ndarray) -> pa.Array:
    """``table[index]`` as Arrow text: a cheap way to spread a few distinct strings over many records."""
    return pc.take(text_array(np.asarray(table, dtype=object)), pa.array(np.asarray(index, dtype=np.int64)))


def _str_series(array: pa.Array) -> pd.Series:
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return pd.Series(dtype.construct_array_type()(pa.chunked_array([array])), dtype="str")


def finish_frame(dataset, form: Form, study: Study) -> pd.DataFrame:
    """The frame as it will be written: exactly the form's columns in spec order, every value a string.

    ``dataset`` is a DataFrame or a mapping of column -> array. ``datetime64`` columns become EDC dates;
    missing values become ``""``. Raises ``ValueError`` when the columns are not exactly the form's fields.
    """
    expected = list(form.field_names)
    names = list(dataset.columns) if isinstance(dataset, pd.DataFrame) else list(dataset)
    if sorted(names) != sorted(expected):
        missing = [c for c in expected if c not in names]
        extra = [c for c in names if c not in expected]
        raise ValueError(
            f"`{form.id}` frame must have exactly the form's columns (got missing {missing}, extra {extra})"
        )
    columns = {}
    for name in expected:
        column = dataset[name]
        dtype = getattr(column, "dtype", None)
        if dtype is not None and pd.api.types.is_datetime64_any_dtype(dtype):
            values = column.to_numpy() if isinstance(column, pd.Series) else np.asarray(column)
            columns[name] = _str_series(compute_edc_dates(study, values))
        else:
            try:
                columns[name] = _str_series(text_array(column))
            except (TypeError, pa.ArrowInvalid, pa.ArrowTypeError) as err:
                raise ValueError(f"`{form.id}.{name}` must hold text or dates (got {dtype})") from err
    return pd.DataFrame(columns)
