"""Vectorised tests of raw values as entered: missing, whole number, number, range, codelist, length.

Each function takes a Series of strings (Arrow-backed or object) and returns a numpy boolean array aligned
with it. Nothing here loops over records in Python; everything runs as Arrow compute kernels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "INTEGER_PATTERN",
    "FLOAT_PATTERN",
    "as_arrow",
    "is_missing",
    "is_integer_text",
    "is_float_text",
    "is_out_of_range",
    "is_in_set",
    "is_too_long",
]

#: A whole number as a site may enter it: optional sign, digits only (no spaces, separators or exponent).
INTEGER_PATTERN = r"^[+-]?[0-9]+$"
#: A decimal number: optional sign, digits with an optional point, optional exponent (``2.5E7``).
#: ``nan``, ``inf``, thousands separators and decimal commas are not numbers.
FLOAT_PATTERN = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"


def as_arrow(values: pd.Series) -> pa.Array:
    """The values as one Arrow ``large_string`` array (no copy for Arrow-backed string columns).

    A column of nothing but missing values is accepted whatever its dtype (an empty column read as floats);
    any other non-string column is a ``TypeError``: raw values are validated as the text entered.
    """
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if pa.types.is_string(array.type) or array.null_count == len(array):
        return array.cast(pa.large_string()) if len(array) else pa.array([], type=pa.large_string())
    if not pa.types.is_large_string(array.type):
        raise TypeError(f"`values` must hold strings (got Arrow type {array.type})")
    return array


def _bools(result: pa.Array, null_as: bool) -> np.ndarray:
    return pc.fill_null(result, null_as).to_numpy(zero_copy_only=False)


def is_missing(values: pd.Series | pa.Array) -> np.ndarray:
    """True where the value is null, empty, or only whitespace."""
    array = values if isinstance(values, pa.Array) else as_arrow(values)
    return _bools(pc.or_(pc.equal(pc.binary_length(array), 0), pc.utf8_is_space(array)), True)


def _matches(values: pd.Series, pattern: str) -> np.ndarray:
    return _bools(pc.match_substring_regex(as_arrow(values), pattern), False)


def is_integer_text(values: pd.Series) -> np.ndarray:
    """True where the value is written as a whole number (:data:`INTEGER_PATTERN`)."""
    return _matches(values, INTEGER_PATTERN)


def is_float_text(values: pd.Series) -> np.ndarray:
    """True where the value is written as a number (:data:`FLOAT_PATTERN`)."""
    return _matches(values, FLOAT_PATTERN)


def is_out_of_range(
    values: pd.Series, *, numeric: np.ndarray, minimum: float | None, maximum: float | None
) -> np.ndarray:
    """True where the value is a number (``numeric``) below ``minimum`` or above ``maximum`` (inclusive bounds)."""
    out = np.zeros(len(values), dtype=bool)
    if minimum is None and maximum is None or not numeric.any():
        return out
    array = as_arrow(values)
    number = pc.cast(pc.if_else(pa.array(numeric), array, None), pa.float64())
    numbers = pc.fill_null(number, np.nan).to_numpy(zero_copy_only=False)
    with np.errstate(invalid="ignore"):
        if minimum is not None:
            out |= numbers < minimum
        if maximum is not None:
            out |= numbers > maximum
    return out & numeric


def is_in_set(values: pd.Series, allowed: tuple[str, ...]) -> np.ndarray:
    """True where the value is exactly one of ``allowed`` (case- and space-sensitive)."""
    value_set = pa.array(list(allowed), type=pa.large_string())
    return _bools(pc.is_in(as_arrow(values), value_set=value_set), False)


def is_too_long(values: pd.Series, max_length: int) -> np.ndarray:
    """True where the value has more than ``max_length`` characters."""
    return _bools(pc.greater(pc.utf8_length(as_arrow(values)), max_length), False)
