"""Read a SAS raw export (``.sas7bdat`` or ``.xpt``, one file per form) as the same strings a CSV would hold.

A SAS dataset stores numbers as numbers and dates as numbers with a display format; the CSV of the same
data shows text. So that all readers give identical frames, values are turned into the text a CSV
export shows (rules in ``docs/readers.md``):

* character values are kept as they are; the empty value is missing (SAS cannot tell the two apart, and
  cannot store trailing blanks: they are gone before the file is read);
* a numeric value with a SAS date format (``DATE9.``, ``YYMMDD10.``, ``E8601DA.``…) becomes the spec's raw
  date format (``DD MON YYYY`` by default: ``05 MAR 2021``); with a time format (``TIME5.``, ``HHMM.``,
  ``E8601TM.``…) the spec's time format (``HH:MM``; ``HH:MM:SS`` when the seconds are not zero); with a
  datetime format (``DATETIME20.``, ``E8601DT.``…) the date and the time joined by one space;
* any other numeric value is written without loss: whole numbers without a decimal point (``25000000``,
  not ``25000000.0``), others in the shortest form that reads back to the same double (``0.1``,
  ``1e-05``); SAS missing values (``.`` and the special ``.A``–``.Z``, ``._``) are missing;
* ``ROW`` is the observation number (1-based).

The file for a form is named like the form's ``file`` with the extension ``.sas7bdat`` or ``.xpt``
(``dm.csv`` -> ``dm.sas7bdat`` or ``dm.xpt``); a form present in both is an error.
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyreadstat

from cdisc_pipe.errors import InputError, SpecError
from cdisc_pipe.raw.assemble import assemble_form
from cdisc_pipe.raw.model import RawExport, RawForm
from cdisc_pipe.spec.model import Form, RawConventions, Study

__all__ = [
    "SAS_EXTENSIONS",
    "format_numbers",
    "format_sas_dates",
    "format_sas_times",
    "read_sas_export",
    "read_sas_form",
    "sas_candidates",
]

#: File extensions read as SAS datasets, in order of preference.
SAS_EXTENSIONS = (".sas7bdat", ".xpt")

# The SAS display formats that make a number a date, a time or a datetime (as pyreadstat classifies them).
_DATE_FORMATS = frozenset(
    "DATE DAY DDMMYY DDMMYYB DDMMYYC DDMMYYD DDMMYYN DDMMYYP DDMMYYS DTDATE E8601DA B8601DA IS8601DA "
    "MMDDYY MMDDYYB MMDDYYC MMDDYYD MMDDYYN MMDDYYP MMDDYYS MONYY WEEKDATE WEEKDATX WORDDATE WORDDATX "
    "YYMMDD YYMMDDB YYMMDDC YYMMDDD YYMMDDN YYMMDDP YYMMDDS YYMON NLDATE".split()
)
_TIME_FORMATS = frozenset("TIME HHMM TOD TIMEAMPM E8601TM B8601TM IS8601TM NLTIME".split())
_DATETIME_FORMATS = frozenset(
    "DATETIME DATEAMPM MDYAMPM E8601DT B8601DT IS8601DT B8601DN NLDATM".split()
)
_FORMAT_NAME = re.compile(r"^\$?([A-Z][A-Z0-9]*?[A-Z])\d*\.?\d*$")
_MONTHS = np.array("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), dtype=object)
_DATE_TOKENS = re.compile(r"YYYY|MON|MM|DD|[^A-Za-z]+")
_TIME_TOKENS = re.compile(r"HH|MM|SS|[^A-Za-z]+")
_SAS_EPOCH = np.datetime64("1960-01-01", "D")


def sas_candidates(folder: Path, form: Form) -> list[Path]:
    """The SAS files in ``folder`` that hold ``form``: its ``file`` with a SAS extension, those present."""
    stem = Path(form.file).stem
    return [folder / f"{stem}{ext}" for ext in SAS_EXTENSIONS if (folder / f"{stem}{ext}").is_file()]


def read_sas_export(folder: Path, study: Study) -> RawExport:
    """Read every form of ``study`` from the ``.sas7bdat``/``.xpt`` files in ``folder``."""
    folder = Path(folder)
    forms: dict[str, RawForm] = {}
    missing: list[str] = []
    for form in study.forms:
        found = sas_candidates(folder, form)
        if len(found) > 1:
            names = " and ".join(path.name for path in found)
            raise InputError(f"`{form.id}` must be exported in one SAS file (got {names})")
        if found:
            forms[form.id] = read_sas_form(found[0], form, raw=study.raw)
        else:
            missing.append(form.id)
    return RawExport(source=folder, format="sas", forms=forms, missing_forms=tuple(missing))


def read_sas_form(path: Path, form: Form, *, raw: RawConventions = RawConventions()) -> RawForm:
    """Read one SAS dataset into a :class:`RawForm` of strings (rules in the module docstring).

    ``raw`` gives the date and time formats dates are written in, and the encoding of ``.xpt`` files
    (which do not record one; a ``.sas7bdat`` file's own encoding is used).
    """
    path = Path(path)
    frame, meta = _read(path, encoding=raw.encoding)
    columns: dict[str, pa.Array] = {}
    for name in meta.column_names:
        kind = meta.readstat_variable_types.get(name, "string")
        values = frame[name]
        if kind == "string":
            columns[name] = _text(values)
        else:
            fmt = _format_name(meta.original_variable_types.get(name))
            columns[name] = _number(values.to_numpy(dtype=np.float64, na_value=np.nan), fmt, raw=raw)
    table = pa.table(columns) if columns else pa.table({})
    return assemble_form(form, table, file=path.name)


def _read(path: Path, *, encoding: str) -> tuple[pd.DataFrame, object]:
    """The dataset and its metadata, numbers left as numbers (no datetime conversion)."""
    suffix = path.suffix.lower()
    if suffix not in SAS_EXTENSIONS:
        raise InputError(f"`{path.name}` must have extension .sas7bdat or .xpt (got '{path.suffix}')")
    try:
        if suffix == ".xpt":
            return pyreadstat.read_xport(
                path, disable_datetime_conversion=True, encoding=_iconv_name(encoding)
            )
        return pyreadstat.read_sas7bdat(path, disable_datetime_conversion=True)
    except pyreadstat.ReadstatError as err:
        raise InputError(
            f"`{path.name}` must be a SAS dataset readable as {encoding} (got: {err})"
        ) from err
    except OSError as err:
        raise InputError(f"`{path}` must be a readable file (got {err.strerror})") from err


def _iconv_name(encoding: str) -> str:
    """The spec's (Python) encoding name as readstat's iconv knows it: ``latin-1`` -> ``ISO8859-1``."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError as err:
        raise InputError(f"`raw.encoding` must be an encoding Python knows (got {encoding!r})") from err
    return "UTF-8" if name == "utf-8-sig" else name.upper()


def _format_name(fmt: str | None) -> str | None:
    """``'DATE9.'`` -> ``'DATE'``; ``None`` for no format."""
    if not fmt:
        return None
    match = _FORMAT_NAME.match(fmt.strip().upper())
    return match.group(1) if match else None


def _text(values: pd.Series) -> pa.Array:
    """Character values as Arrow strings, the empty value missing."""
    array = pa.array(values.to_numpy(dtype=object, na_value=None), type=pa.string())
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def _number(values: np.ndarray, fmt: str | None, *, raw: RawConventions) -> pa.Array:
    """Numeric values as the text a CSV export shows (dates, times, numbers); NaN is missing."""
    present = ~np.isnan(values)
    out = np.full(values.shape, None, dtype=object)
    if fmt in _DATE_FORMATS:
        out[present] = format_sas_dates(values[present], raw.date_format)
    elif fmt in _TIME_FORMATS:
        out[present] = format_sas_times(values[present], raw.time_format)
    elif fmt in _DATETIME_FORMATS:
        seconds = values[present]
        days = np.floor(seconds / 86400.0)
        dates = format_sas_dates(days, raw.date_format)
        times = format_sas_times(seconds - days * 86400.0, raw.time_format)
        out[present] = dates + " " + times
    else:
        out[present] = format_numbers(values[present])
    return pa.array(out, type=pa.string())


def format_numbers(values: np.ndarray) -> np.ndarray:
    """Finite doubles as lossless text: whole numbers without ``.0``, others the shortest round-trip form."""
    values = np.asarray(values, dtype=np.float64)
    whole = np.isfinite(values) & (np.floor(values) == values)
    small = whole & (np.abs(values) < 2.0**63)
    out = values.astype(str).astype(object)  # numpy prints the shortest repr that reads back exactly
    out[small] = values[small].astype(np.int64).astype(str)
    big = whole & ~small
    out[big] = [str(int(v)) for v in values[big]]
    return out


def format_sas_dates(days: np.ndarray, pattern: str) -> np.ndarray:
    """SAS dates (days since 1960-01-01) as text in ``pattern`` (tokens ``YYYY``, ``MON``, ``MM``, ``DD``)."""
    dates = _SAS_EPOCH + np.floor(np.asarray(days, dtype=np.float64)).astype("timedelta64[D]")
    years = dates.astype("datetime64[Y]")
    months = dates.astype("datetime64[M]")
    parts = {
        "YYYY": np.char.zfill((years.astype(np.int64) + 1970).astype(str), 4),
        "MM": np.char.zfill(((months - years).astype(np.int64) + 1).astype(str), 2),
        "MON": _MONTHS[(months - years).astype(np.int64)].astype(str),
        "DD": np.char.zfill(((dates - months).astype(np.int64) + 1).astype(str), 2),
    }
    return _render(pattern, parts, _DATE_TOKENS, n=len(dates), key="raw.date_format")


def format_sas_times(seconds: np.ndarray, pattern: str) -> np.ndarray:
    """SAS times (seconds since midnight) as text in ``pattern`` (``HH``, ``MM``, ``SS``).

    Seconds that are not zero are appended as ``:SS`` when ``pattern`` does not show them, so that no
    value is lost; fractions of a second are kept in the same way (``:05.5``).
    """
    seconds = np.asarray(seconds, dtype=np.float64)
    whole = np.floor(seconds)
    hours, rest = np.divmod(whole.astype(np.int64), 3600)
    minutes, secs = np.divmod(rest, 60)
    fraction = seconds - whole
    sec_text = np.char.zfill(secs.astype(str), 2).astype(object)
    has_fraction = fraction > 0
    sec_text[has_fraction] = [
        text + repr(float(f))[1:] for text, f in zip(sec_text[has_fraction], fraction[has_fraction])
    ]
    parts = {
        "HH": np.char.zfill(hours.astype(str), 2),
        "MM": np.char.zfill(minutes.astype(str), 2),
        "SS": sec_text.astype(str),
    }
    out = _render(pattern, parts, _TIME_TOKENS, n=len(seconds), key="raw.time_format")
    if "SS" not in pattern:
        extra = (secs != 0) | has_fraction
        out[extra] = out[extra] + ":" + parts["SS"][extra].astype(object)
    return out


def _render(
    pattern: str, parts: dict[str, np.ndarray], tokens: re.Pattern, *, n: int, key: str
) -> np.ndarray:
    """Assemble ``pattern`` from per-token string arrays (vectorised)."""
    pieces = tokens.findall(pattern)
    if "".join(pieces) != pattern or not any(piece in parts for piece in pieces):
        expected = " ".join(parts)
        raise SpecError(f"`{key}` must be made of {expected} and separators (got {pattern!r})")
    out = np.full(n, "", dtype=object)
    for piece in pieces:
        out = out + (parts[piece].astype(object) if piece in parts else piece)
    return out
