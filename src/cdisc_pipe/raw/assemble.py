"""Turn the columns a reader found into a :class:`~cdisc_pipe.raw.model.RawForm`, the same for every format.

Every reader (CSV, SAS, ODM-XML) ends here, so the three give identical frames for identical data:

* columns are the form's spec fields first, in spec order (only those present), then the extra columns in
  the order the file has them, then :data:`~cdisc_pipe.raw.model.ROW`;
* every data column has pandas' string dtype (``str``, Arrow-backed), missing values are ``NaN``;
* :data:`~cdisc_pipe.raw.model.ROW` is ``int64``, the 1-based record ordinal (1..n);
* the index is a plain ``RangeIndex``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from cdisc_pipe.errors import InputError
from cdisc_pipe.raw.model import ROW, RawForm
from cdisc_pipe.spec.model import Form

__all__ = ["STRING_DTYPE", "assemble_form", "assert_unique_names"]

#: The dtype of every raw data column: pandas' Arrow-backed string dtype with ``NaN`` for missing (``str``).
STRING_DTYPE = pd.StringDtype(storage="pyarrow", na_value=np.nan)

_TYPES = {pa.string(): STRING_DTYPE, pa.large_string(): STRING_DTYPE}


def assert_unique_names(names: Sequence[str], *, file: str) -> None:
    """Raise :class:`InputError` if a column name occurs more than once (readers must not guess which one)."""
    counts = Counter(names)
    dups = sorted(name for name, n in counts.items() if n > 1)
    if dups:
        shown = ", ".join(f"'{name}' x{counts[name]}" for name in dups[:10])
        raise InputError(f"`{file}` column names must be unique (got {shown})")


def assemble_form(form: Form, table: pa.Table, *, file: str) -> RawForm:
    """Arrange ``table`` (one column per column of the file, in file order) into the form's :class:`RawForm`.

    Every column of ``table`` must already hold strings (or only nulls); nothing is converted here except
    the storage type. ``file`` names the source in messages and in :attr:`RawForm.file`.
    """
    names = list(table.column_names)
    assert_unique_names(names, file=file)
    if ROW in names:
        raise InputError(f"`{file}` column names must not include the reserved name '{ROW}' (got '{ROW}')")
    present = set(names)
    spec_names = form.field_names
    ordered = [name for name in spec_names if name in present]
    extras = [name for name in names if name not in set(spec_names)]
    missing = tuple(name for name in spec_names if name not in present)

    columns = {name: _as_string(table.column(name), file=file, name=name) for name in ordered + extras}
    columns[ROW] = pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64))
    arranged = pa.table(columns)
    frame = arranged.to_pandas(types_mapper=_TYPES.get)
    return RawForm(
        form=form,
        frame=frame,
        file=file,
        missing_columns=missing,
        extra_columns=tuple(extras),
    )


def _as_string(column: pa.ChunkedArray | pa.Array, *, file: str, name: str) -> pa.ChunkedArray | pa.Array:
    """The column as Arrow strings; an all-null column of another type becomes an all-null string column."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return column
    if pa.types.is_null(column.type):
        return column.cast(pa.string())
    raise InputError(f"`{file}` column '{name}' must hold text (got Arrow type {column.type})")
