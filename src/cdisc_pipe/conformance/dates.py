"""ISO 8601 as SDTM uses it, vectorised over whole columns.

SDTMIG 3.4 §4.4.2–4.4.4: ``--DTC`` values are ISO 8601 extended dates/times, at any precision
(``2003``, ``2003-12``, ``2003-12-15``, ``2003-12-15T13``, ``…T13:15``, ``…T13:15:02``, fractional
seconds allowed), with an unknown middle component written as a single hyphen (``2003---15``: day known,
month not; ``--12-15``: year unknown; ``-----T07:15``: time only; ``2003-12-15T-:15``: hour unknown).
An interval of uncertainty is two such values joined by ``/`` (§4.4.5). Durations (``--DUR``, ``--ELTM``,
``--EVLINT``) follow §4.4.3: ``P2Y3M``, ``PT1H30M``, ``P4W``, optionally negative (``-P2D``).

Beyond the pattern, complete dates must exist on the calendar (no ``2023-02-30``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["ISO_DATETIME", "ISO_DURATION", "is_iso_datetime", "is_iso_duration", "complete_date",
           "date_prefix_compare", "text"]

_Y, _MO, _D = r"(?:\d{4}|-)", r"(?:0[1-9]|1[0-2]|-)", r"(?:0[1-9]|[12]\d|3[01]|-)"
_H, _MI, _S = r"(?:[01]\d|2[0-3]|-)", r"(?:[0-5]\d|-)", r"(?:[0-5]\d(?:\.\d+)?)"
_TZ = r"(?:Z|[+-](?:[01]\d|2[0-3])(?::?[0-5]\d)?)?"
_ONE = rf"{_Y}(?:-{_MO}(?:-{_D}(?:T{_H}(?::{_MI}(?::{_S})?)?{_TZ})?)?)?"

#: One SDTM date/time value, or an interval of two (the calendar is checked separately).
ISO_DATETIME = rf"^{_ONE}(?:/{_ONE})?$"
_NUM = r"\d+(?:[.,]\d+)?"
#: An ISO 8601 duration (``PnYnMnDTnHnMnS`` or ``PnW``), optionally negative.
_DATE_PART = rf"(?:{_NUM}Y)?(?:{_NUM}M)?(?:{_NUM}D)?"
_TIME_PART = rf"(?:T(?=\d)(?:{_NUM}H)?(?:{_NUM}M)?(?:{_NUM}S)?)?"
ISO_DURATION = rf"^-?P(?:{_NUM}W|(?=\d|T\d){_DATE_PART}{_TIME_PART})$"


def text(series: pd.Series) -> pd.Series:
    """``series`` as text with missing values as <NA> (numbers without a trailing ``.0``)."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(values) & (np.floor(values) == values) & (np.abs(values) < 1e15)
        out = pd.Series(series.astype("string"), index=series.index, dtype="string")
        if whole.any():
            out[whole] = pd.Series(values[whole].astype("int64"), index=series.index[whole]).astype("string")
        return out.where(~np.isnan(values), pd.NA)
    out = series.astype("string")
    return out.where(out.str.strip() != "", pd.NA)


def _single_calendar_ok(values: pd.Series) -> pd.Series:
    """False where a complete date portion does not exist on the calendar."""
    head = values.str.slice(0, 10)
    complete = head.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    parsed = pd.to_datetime(head.where(complete), format="%Y-%m-%d", errors="coerce")
    return ~(complete & parsed.isna())


def is_iso_datetime(series: pd.Series) -> pd.Series:
    """True/False per value; <NA> where the value is missing (nothing to check)."""
    values = text(series)
    shape = values.str.fullmatch(ISO_DATETIME).fillna(False).astype(bool)
    shape &= ~values.str.endswith("-").fillna(False).astype(bool)  # no trailing placeholder ("2003-12--")
    sides = values.str.extract(r"^([^/]*)(?:/(.*))?$")  # always two columns, even for an all-missing column
    ok = shape & _single_calendar_ok(sides[0].fillna(""))
    ok &= _single_calendar_ok(sides[1].fillna(""))
    return pd.Series(ok, index=series.index, dtype="boolean").where(values.notna(), pd.NA)


def is_iso_duration(series: pd.Series) -> pd.Series:
    values = text(series)
    ok = values.str.fullmatch(ISO_DURATION).fillna(False).astype(bool)
    return pd.Series(ok, index=series.index, dtype="boolean").where(values.notna(), pd.NA)


def complete_date(series: pd.Series) -> pd.Series:
    """The date portion of each value as datetime64 when it is a complete, real date; NaT otherwise.
    Numeric input is taken as SAS dates (days since 1960-01-01), as ADaM ``*DT`` variables hold."""
    if pd.api.types.is_numeric_dtype(series):
        days = series.astype("float64")
        return pd.to_datetime(days, unit="D", origin="1960-01-01", errors="coerce")
    values = text(series)
    head = values.str.slice(0, 10)
    complete = head.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    return pd.to_datetime(head.where(complete), format="%Y-%m-%d", errors="coerce")


_LEVELS = (4, 7, 10, 13, 16, 19)
_PLAIN = r"\d{4}(?:-\d{2}(?:-\d{2}(?:T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?)?)?)?"


def date_prefix_compare(left: pd.Series, right: pd.Series) -> pd.Series:
    """Compare two ISO 8601 columns at their common precision: -1, 0, 1 per row, <NA> where either value
    is missing, not plain ISO (placeholders, intervals) or the calendar is wrong.

    ``2019`` vs ``2018-06-14`` compares ``2019`` with ``2018``: later. ``2018-06`` vs ``2018-06-14``
    compares equal (the start may be on the 14th), so only orders that are certain are reported.
    """
    a, b = text(left).str.strip(), text(right).str.strip()
    plain_a = a.str.fullmatch(_PLAIN).fillna(False).astype(bool) & _single_calendar_ok(a.fillna(""))
    plain_b = b.str.fullmatch(_PLAIN).fillna(False).astype(bool) & _single_calendar_ok(b.fillna(""))
    usable = plain_a & plain_b
    length = np.minimum(a.str.len().fillna(0).to_numpy(), b.str.len().fillna(0).to_numpy())
    out = pd.Series(pd.NA, index=left.index, dtype="Int64")
    for level in _LEVELS:  # six precisions, not one loop step per record
        at = usable.to_numpy() & (length >= level) & (np.searchsorted(_LEVELS, length, side="right") - 1
                                                      == _LEVELS.index(level))
        if not at.any():
            continue
        sa, sb = a[at].str.slice(0, level), b[at].str.slice(0, level)
        out[at] = np.sign((sa > sb).astype(int) - (sa < sb).astype(int)).to_numpy()
    return out
