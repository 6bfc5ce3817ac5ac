"""EDC dates and times as entered, parsed vectorised into ISO 8601 with their precision kept.

EDCs write dates in a fixed-width layout declared in the spec (``raw.date_format``, ``"DD MON YYYY"`` by
default) and mark an unknown day or month with a placeholder (``raw.unknown_day`` ``"UN"``,
``raw.unknown_month`` ``"UNK"``). This module turns such strings into ISO 8601 text for SDTM ``--DTC``
variables, keeping the precision the site knew:

==================  =================  =========================================================
entered             ``iso``            note
==================  =================  =========================================================
``05 MAR 2019``     ``2019-03-05``     complete date
``UN MAR 2019``     ``2019-03``        day unknown (a partial date)
``UN UNK 2019``     ``2019``           day and month unknown (a partial date)
``05 UNK 2019``     missing            invalid: a day cannot be known when its month is not
``30 FEB 2022``     missing            invalid: not a calendar date (leap years are honoured)
``05 mar 2019``     missing            invalid: month names are upper-case, exactly as EDCs write them
``5 MAR 2019``      missing            invalid: every part has its full width
==================  =================  =========================================================

Matching is strict and case-sensitive: a value is either exactly in the declared layout or it is invalid,
so nothing a site entered is silently reinterpreted. Empty or blank values are *missing*, not invalid.

Layout tokens: ``DD`` (day), ``MM`` (month number) or ``MON`` (upper-case English month abbreviation),
``YYYY`` (year); anything else is a literal separator. Times use ``HH``, ``MM`` (minutes) and optionally
``SS``. Every token has a fixed width, and the unknown placeholders must have the width of the token they
stand for; a layout breaking that is a :class:`~cdisc_pipe.errors.SpecError`.

Public functions (all pure and vectorised; the input is never modified):

* :func:`parse_edc_dates` - strings -> table of ISO text, parts, bounds, and status per value.
* :func:`compute_date_problems` - strings -> why each is not a valid date (the cheap half, for validation).
* :func:`compute_date_bounds` - strings -> earliest and latest day each (partial) date can stand for.
* :func:`parse_edc_times` - strings -> table of ISO ``HH:MM[:SS]`` and status per value.
* :func:`format_edc_dates` - ISO dates (complete or partial) -> EDC strings; the inverse of the parser.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.errors import SpecError
from cdisc_pipe.raw.values import as_arrow, is_missing
from cdisc_pipe.spec.model import RawConventions

__all__ = [
    "EDC_DEFAULTS",
    "MONTHS",
    "DATE_PROBLEMS",
    "parse_edc_dates",
    "compute_date_problems",
    "compute_date_bounds",
    "parse_edc_times",
    "format_edc_dates",
]

#: The conventions used when none are passed: ``DD MON YYYY`` with ``UN``/``UNK``, ``HH:MM``.
EDC_DEFAULTS = RawConventions()

#: Month abbreviations as EDCs write them, January first.
MONTHS: tuple[str, ...] = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")

#: Categories of the ``problem`` column of :func:`parse_edc_dates`, in code order.
DATE_PROBLEMS: tuple[str, ...] = (
    "not in the date layout",
    "day given without month",
    "not a calendar date",
    "partial date not allowed",
)
_LAYOUT, _DAY_NO_MONTH, _CALENDAR, _PARTIAL = range(len(DATE_PROBLEMS))

_DATE_TOKENS = {"YYYY": 4, "MON": 3, "DD": 2, "MM": 2}
_TIME_TOKENS = {"HH": 2, "MM": 2, "SS": 2}
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_SEP_DASH, _SEP_COLON, _SEP_NONE = (pa.scalar(s, type=pa.large_string()) for s in ("-", ":", ""))
_MONTH_SET = pa.array(MONTHS, type=pa.large_string())
_TWO_DIGITS = pa.array([f"{i:02d}" for i in range(100)], type=pa.large_string())


@dataclass(frozen=True)
class _Layout:
    """A fixed-width layout: the full-value regex and the slice (start, stop) of each token."""

    regex: str
    width: int
    parts: dict[str, tuple[int, int]]
    parts_order: tuple[str, ...]


def _tokenise(layout: str, tokens: dict[str, int], what: str) -> list[tuple[str, bool]]:
    """Split ``layout`` into (text, is_token) pieces, longest token first; each token at most once."""
    pattern = "|".join(sorted(tokens, key=len, reverse=True))
    pieces: list[tuple[str, bool]] = []
    pos = 0
    for match in re.finditer(pattern, layout):
        if match.start() > pos:
            pieces.append((layout[pos : match.start()], False))
        pieces.append((match.group(), True))
        pos = match.end()
    if pos < len(layout):
        pieces.append((layout[pos:], False))
    names = [text for text, is_token in pieces if is_token]
    if len(names) != len(set(names)):
        raise SpecError(f"`raw.{what}` must name each part at most once (got '{layout}')")
    return pieces


@functools.lru_cache(maxsize=32)
def _date_layout(date_format: str, unknown_day: str, unknown_month: str) -> _Layout:
    pieces = _tokenise(date_format, _DATE_TOKENS, "date_format")
    names = {text for text, is_token in pieces if is_token}
    month_token = "MON" if "MON" in names else "MM"
    if not {"DD", "YYYY", month_token} <= names or {"MON", "MM"} <= names:
        raise SpecError(
            f"`raw.date_format` must hold DD, YYYY and one of MON or MM (got '{date_format}')"
        )
    if len(unknown_day) != 2 or len(unknown_month) != _DATE_TOKENS[month_token]:
        raise SpecError(
            "`raw.unknown_day` and `raw.unknown_month` must be as wide as DD and "
            f"{month_token} (got '{unknown_day}' and '{unknown_month}')"
        )
    month_values = "|".join(MONTHS) if month_token == "MON" else r"\d{2}"
    token_regex = {
        "DD": rf"(?:\d{{2}}|{re.escape(unknown_day)})",
        month_token: rf"(?:{month_values}|{re.escape(unknown_month)})",
        "YYYY": r"\d{4}",
    }
    return _build_layout(pieces, _DATE_TOKENS, token_regex, {month_token: "MONTH"})


@functools.lru_cache(maxsize=32)
def _time_layout(time_format: str) -> _Layout:
    pieces = _tokenise(time_format, _TIME_TOKENS, "time_format")
    names = {text for text, is_token in pieces if is_token}
    if not {"HH", "MM"} <= names:
        raise SpecError(f"`raw.time_format` must hold HH and MM (got '{time_format}')")
    return _build_layout(pieces, _TIME_TOKENS, dict.fromkeys(names, r"\d{2}"), {})


def _build_layout(
    pieces: list[tuple[str, bool]], widths: dict[str, int], token_regex: dict[str, str], rename: dict[str, str]
) -> _Layout:
    regex, parts, pos = "^", {}, 0
    order: list[str] = []
    for text, is_token in pieces:
        if is_token:
            order.append(text)
            regex += token_regex[text]
            parts[rename.get(text, text)] = (pos, pos + widths[text])
            pos += widths[text]
        else:
            regex += re.escape(text)
            pos += len(text)
    return _Layout(regex=regex + "$", width=pos, parts=parts, parts_order=tuple(order))


def _bools(result: pa.Array, null_as: bool) -> np.ndarray:
    return pc.fill_null(result, null_as).to_numpy(zero_copy_only=False)


def _part(array: pa.Array, layout: _Layout, name: str) -> pa.Array:
    start, stop = layout.parts[name]
    return pc.utf8_slice_codeunits(array, start, stop)


def _to_int(text: pa.Array, usable: np.ndarray) -> np.ndarray:
    """Digits -> int64 where ``usable``; -1 elsewhere."""
    cleaned = pc.if_else(pa.array(usable), text, None)
    numbers = pc.fill_null(pc.cast(cleaned, pa.int64()), -1)
    return numbers.to_numpy(zero_copy_only=False)


def _is_leap(year: np.ndarray) -> np.ndarray:
    return (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))


def _days_in_month(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    safe = np.clip(month, 1, 12) - 1
    return _DAYS_IN_MONTH[safe] + ((safe == 1) & _is_leap(year))


def _bounds(year: np.ndarray, month: np.ndarray, day: np.ndarray, ok: np.ndarray) -> tuple[np.ndarray, ...]:
    """Earliest and latest calendar day each (possibly partial) date can stand for; NaT where not ``ok``."""
    y = np.where(ok, year, 1970)
    first_month = np.where(month > 0, month, 1)
    last_month = np.where(month > 0, month, 12)
    first_day = np.where(day > 0, day, 1)
    last_day = np.where(day > 0, day, _days_in_month(y, last_month))
    years = (y - 1970).astype("datetime64[Y]")
    earliest = (years.astype("datetime64[M]") + (first_month - 1)).astype("datetime64[D]") + (first_day - 1)
    latest = (years.astype("datetime64[M]") + (last_month - 1)).astype("datetime64[D]") + (last_day - 1)
    nat = np.datetime64("NaT", "D")
    return np.where(ok, earliest, nat).astype("datetime64[s]"), np.where(ok, latest, nat).astype("datetime64[s]")


@dataclass(frozen=True)
class _Parsed:
    """Per-value parts and status of a date column (numpy arrays; -1 where a part is unknown)."""

    array: pa.Array
    layout: _Layout
    missing: np.ndarray
    year: np.ndarray
    month: np.ndarray
    day: np.ndarray
    month_known: np.ndarray
    day_known: np.ndarray
    partial: np.ndarray
    valid: np.ndarray
    codes: np.ndarray


def _parse_dates(values: pd.Series, conventions: RawConventions, allow_partial: bool) -> _Parsed:
    layout = _date_layout(conventions.date_format, conventions.unknown_day, conventions.unknown_month)
    array = as_arrow(values)
    missing = is_missing(array)
    shaped = _bools(pc.match_substring_regex(array, layout.regex), False)
    day_text, month_text = _part(array, layout, "DD"), _part(array, layout, "MONTH")
    day_known = shaped & ~_bools(pc.equal(day_text, conventions.unknown_day), True)
    month_known = shaped & ~_bools(pc.equal(month_text, conventions.unknown_month), True)
    year = _to_int(_part(array, layout, "YYYY"), shaped)
    day = _to_int(day_text, day_known)
    if "MON" in layout.parts_order:
        month_index = pc.fill_null(pc.index_in(month_text, value_set=_MONTH_SET), -1)
        month = np.where(month_known, month_index.to_numpy(zero_copy_only=False).astype(np.int64) + 1, -1)
    else:
        month = _to_int(month_text, month_known)

    day_without_month = shaped & day_known & ~month_known
    calendar_ok = (
        (year >= 1)
        & (~month_known | ((month >= 1) & (month <= 12)))
        & (~day_known | ((day >= 1) & (day <= _days_in_month(year, month))))
    )
    well_formed = shaped & ~day_without_month & calendar_ok
    partial = well_formed & ~day_known
    valid = well_formed & (allow_partial | ~partial)

    codes = np.full(len(array), -1, dtype=np.int8)
    codes[~shaped] = _LAYOUT
    codes[shaped & ~day_without_month & ~calendar_ok] = _CALENDAR
    codes[day_without_month] = _DAY_NO_MONTH
    codes[well_formed & ~valid] = _PARTIAL
    codes[missing] = -1
    return _Parsed(array, layout, missing, year, month, day, month_known, day_known, partial, valid, codes)


def compute_date_problems(
    values: pd.Series, *, conventions: RawConventions = EDC_DEFAULTS, allow_partial: bool = True
) -> pd.Series:
    """Why each EDC date string is not valid (a category of :data:`DATE_PROBLEMS`), ``NaN`` where it is
    valid or missing. The cheap half of :func:`parse_edc_dates`, for validation."""
    parsed = _parse_dates(values, conventions, allow_partial)
    return pd.Series(pd.Categorical.from_codes(parsed.codes, categories=list(DATE_PROBLEMS)), index=values.index)


def compute_date_bounds(values: pd.Series, *, conventions: RawConventions = EDC_DEFAULTS) -> pd.DataFrame:
    """The ``earliest`` and ``latest`` columns of :func:`parse_edc_dates` (partial dates allowed) alone,
    without building ISO text: what date comparisons need."""
    parsed = _parse_dates(values, conventions, True)
    earliest, latest = _bounds(parsed.year, parsed.month, parsed.day, parsed.valid)
    return pd.DataFrame({"earliest": earliest, "latest": latest}, index=values.index)


def parse_edc_dates(
    values: pd.Series, *, conventions: RawConventions = EDC_DEFAULTS, allow_partial: bool = True
) -> pd.DataFrame:
    """Parse EDC date strings; one output row per input value, on the input's index.

    Columns:

    ``iso``
        ISO 8601 text keeping the precision entered (``2019-03-05``, ``2019-03``, ``2019``); ``<NA>``
        where the value is missing or not valid.
    ``year``, ``month``, ``day``
        The known parts as nullable integers (``<NA>`` where unknown or not valid).
    ``earliest``, ``latest``
        The first and last calendar day the value can stand for (equal for a complete date; a month or a
        year apart for partial dates); ``NaT`` where missing or not valid. Compare with these to decide
        "certainly before" without imputing anything.
    ``missing``
        The value is null, empty or blank.
    ``partial``
        The value is a well-formed partial date (day, or day and month, unknown), allowed or not.
    ``valid``
        Present, in the layout, a real calendar date, and complete unless ``allow_partial``.
    ``problem``
        Why a present value is not valid: one of :data:`DATE_PROBLEMS`; ``NaN`` when valid or missing.
    """
    p = _parse_dates(values, conventions, allow_partial)
    valid, month_known, day_known = p.valid, p.month_known, p.day_known
    # Joined per precision and coalesced: pyarrow's null_handling="skip" drops rows when all inputs are null.
    year_iso = pc.if_else(pa.array(valid), _part(p.array, p.layout, "YYYY"), None)
    month_pad = pc.take(_TWO_DIGITS, pa.array(np.where(month_known & valid, p.month, 0)))
    month_iso = pc.binary_join_element_wise(
        year_iso, pc.if_else(pa.array(month_known & valid), month_pad, None), _SEP_DASH
    )
    day_text = pc.if_else(pa.array(day_known), _part(p.array, p.layout, "DD"), None)
    day_iso = pc.binary_join_element_wise(month_iso, day_text, _SEP_DASH)
    iso = pc.coalesce(day_iso, month_iso, year_iso)
    earliest, latest = _bounds(p.year, p.month, p.day, valid)
    index = values.index
    return pd.DataFrame(
        {
            "iso": pd.Series(iso, index=index, dtype="str"),
            "year": pd.arrays.IntegerArray(p.year, ~valid),
            "month": pd.arrays.IntegerArray(p.month, ~(valid & month_known)),
            "day": pd.arrays.IntegerArray(p.day, ~(valid & day_known)),
            "earliest": earliest,
            "latest": latest,
            "missing": p.missing,
            "partial": p.partial,
            "valid": valid,
            "problem": pd.Categorical.from_codes(p.codes, categories=list(DATE_PROBLEMS)),
        },
        index=index,
    )


def parse_edc_times(values: pd.Series, *, conventions: RawConventions = EDC_DEFAULTS) -> pd.DataFrame:
    """Parse EDC time strings (``raw.time_format``, ``"HH:MM"`` by default); one row per value.

    Columns: ``iso`` (``HH:MM`` or ``HH:MM:SS``, ``<NA>`` when missing or not valid), ``missing``, and
    ``valid`` (present, in the layout, hour 00-23, minute and second 00-59). Partial times are not
    accepted.
    """
    layout = _time_layout(conventions.time_format)
    array = as_arrow(values)
    missing = is_missing(array)
    shaped = _bools(pc.match_substring_regex(array, layout.regex), False)
    valid = shaped & (_to_int(_part(array, layout, "HH"), shaped) <= 23)
    valid &= _to_int(_part(array, layout, "MM"), shaped) <= 59
    pieces = [_part(array, layout, "HH"), _part(array, layout, "MM")]
    if "SS" in layout.parts:
        valid &= _to_int(_part(array, layout, "SS"), shaped) <= 59
        pieces.append(_part(array, layout, "SS"))
    iso = pc.binary_join_element_wise(*pieces, _SEP_COLON)
    return pd.DataFrame(
        {
            "iso": pd.Series(pc.if_else(pa.array(valid), iso, None), index=values.index, dtype="str"),
            "missing": missing,
            "valid": valid,
        },
        index=values.index,
    )


def format_edc_dates(iso: pd.Series, *, conventions: RawConventions = EDC_DEFAULTS) -> pd.Series:
    """Write ISO 8601 dates (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``) as the EDC would enter them.

    Missing values stay missing. This is the inverse of :func:`parse_edc_dates` for every valid value;
    anything that is not an ISO date at one of those precisions is a programming error and raises
    ``ValueError``.
    """
    layout = _date_layout(conventions.date_format, conventions.unknown_day, conventions.unknown_month)
    array = as_arrow(iso)
    present = pc.is_valid(array)
    shaped = pc.match_substring_regex(array, r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
    bad = pc.and_(present, pc.invert(pc.fill_null(shaped, False)))
    if pc.any(bad).as_py():
        first = pc.filter(array, bad)[0].as_py()
        raise ValueError(f"`iso` must hold ISO 8601 dates YYYY[-MM[-DD]] (got '{first}')")
    length = pc.utf8_length(array)
    month_text = pc.if_else(pc.greater_equal(length, 7), pc.utf8_slice_codeunits(array, 5, 7), None)
    if "MON" in layout.parts_order:
        month_number = pc.cast(month_text, pa.int64())
        month_out = pc.take(_MONTH_SET, pc.subtract(pc.fill_null(month_number, 1), 1))
        month_out = pc.if_else(pc.is_valid(month_text), month_out, None)
    else:
        month_out = month_text
    parts = {
        "YYYY": pc.utf8_slice_codeunits(array, 0, 4),
        "MONTH": pc.fill_null(month_out, conventions.unknown_month),
        "DD": pc.fill_null(
            pc.if_else(pc.greater_equal(length, 10), pc.utf8_slice_codeunits(array, 8, 10), None),
            conventions.unknown_day,
        ),
    }
    ordered = sorted(parts, key=lambda name: layout.parts[name][0])
    pieces: list[pa.Array | str] = []
    pos = 0
    for name in ordered:
        start, stop = layout.parts[name]
        literal = conventions.date_format[pos:start]
        if literal:
            pieces.append(literal)
        pieces.append(parts[name])
        pos = stop
    if conventions.date_format[pos:]:
        pieces.append(conventions.date_format[pos:])
    arrays = [p if isinstance(p, pa.Array) else pa.scalar(p, type=pa.large_string()) for p in pieces]
    text = pc.binary_join_element_wise(*arrays, _SEP_NONE)
    return pd.Series(pc.if_else(present, text, None), index=iso.index, dtype="str")
