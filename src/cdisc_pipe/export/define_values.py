"""What the data says about a variable, in Define-XML 2.1 terms: data type, length, significant digits.

Shared by the context builder (which writes these into define.xml) and the define-vs-data check (which
reads define.xml back and compares), so both sides use one definition of, say, a ``partialDatetime``.
All functions are vectorised over the column (pandas string methods / numpy); none loops over records.

Data types (Define-XML 2.1 section 4.3, ODM 1.3.2 section 3.1.3) for character ISO 8601 variables, the
narrowest one that holds every non-empty value:

============================  ==============================================
``date``                      ``2019-03-05``
``datetime``                  ``2019-03-05T09:30:00`` (seconds required)
``partialDate``               ``2019``, ``2019-03``, ``2019-03-05``
``partialDatetime``           any of the above, or truncated after the hour/minute: ``2019-03-05T09:30``
``incompleteDatetime``        components missing in the middle: ``2019---05``
``durationDatetime``          ISO 8601 durations: ``P3D``, ``-P1M``, ``PT2H``
============================  ==============================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["ISO_PATTERNS", "DATE_TYPES", "iso_data_type", "iso_matches", "numeric_data_type",
           "significant_digits", "text_length", "is_iso_variable", "coded_text"]

_FRACTION = r"(?:\.\d+)?"
_DATE = r"\d{4}-\d{2}-\d{2}"
_PART_TIME = rf"(?:T\d{{2}}(?::\d{{2}}(?::\d{{2}}{_FRACTION})?)?)?"
_C2 = r"(?:\d{2}|-)"

#: Data type -> regular expression a whole value must match, in order of preference (narrowest first).
ISO_PATTERNS: dict[str, str] = {
    "date": _DATE,
    "datetime": rf"{_DATE}T\d{{2}}:\d{{2}}:\d{{2}}{_FRACTION}",
    "partialDate": r"\d{4}(?:-\d{2}(?:-\d{2})?)?",
    "partialDatetime": rf"\d{{4}}(?:-\d{{2}}(?:-\d{{2}}{_PART_TIME})?)?",
    "incompleteDatetime": rf"(?:\d{{4}}|-)-{_C2}-{_C2}(?:T{_C2}(?::{_C2}(?::(?:\d{{2}}{_FRACTION}|-))?)?)?",
    "durationDatetime": r"-?P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?"
                        r"(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?",
}

#: Define-XML data types that are ISO 8601 text (no Length in define.xml).
DATE_TYPES = frozenset(ISO_PATTERNS)

#: Name endings of SDTM character variables that hold ISO 8601 values (SDTMIG 3.4 section 4.4):
#: --DTC dates and times, --DUR durations, --ELTM elapsed times, --EVLINT evaluation intervals.
_ISO_ENDINGS = ("DTC", "DUR", "ELTM", "EVLINT", "EVINTX")


def is_iso_variable(name: str) -> bool:
    """True for an SDTM variable the IG defines as ISO 8601 text (by its name ending, as the IG does)."""
    return name.upper().endswith(_ISO_ENDINGS)


def _present(values: pd.Series) -> pd.Series:
    text = values.astype("string")
    return text[text.notna() & (text.str.len() > 0)]


def iso_matches(values: pd.Series, data_type: str) -> pd.Series:
    """Per non-empty value: does it match ``data_type``'s ISO 8601 pattern? (index kept)."""
    present = _present(values)
    pattern = ISO_PATTERNS[data_type]
    # a value of a narrower type is also a value of the wider ones (a date is a partialDatetime)
    wider = {"partialDate": ("date",), "partialDatetime": ("date", "datetime", "partialDate"),
             "incompleteDatetime": ("date", "datetime", "partialDate", "partialDatetime")}
    ok = present.str.fullmatch(pattern).fillna(False).astype(bool)
    for narrower in wider.get(data_type, ()):
        ok |= present.str.fullmatch(ISO_PATTERNS[narrower]).fillna(False).astype(bool)
    return ok


def iso_data_type(values: pd.Series, *, empty: str = "datetime") -> str:
    """The narrowest ISO 8601 data type holding every non-empty value; ``empty`` when there are none;
    ``text`` when some value is not ISO 8601 at all."""
    present = _present(values)
    if present.empty:
        return empty
    for data_type in ISO_PATTERNS:
        if bool(iso_matches(present, data_type).all()):
            return data_type
    return "text"


def numeric_data_type(values: pd.Series) -> str:
    """``integer`` when every value is whole (and exactly representable), else ``float``."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    numbers = numbers[~np.isnan(numbers)]
    if np.all(np.isfinite(numbers)) and np.all(numbers == np.round(numbers)) and np.all(np.abs(numbers) < 2**53):
        return "integer"
    return "float"


def significant_digits(values: pd.Series, *, most: int = 16) -> int:
    """Decimal places needed to show every value exactly as its shortest decimal form (0-``most``)."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    numbers = numbers[np.isfinite(numbers)]
    for places in range(most + 1):
        if np.all(np.round(numbers, places) == numbers):
            return places
    return most


def text_length(values: pd.Series) -> int:
    """The longest value in UTF-8 bytes (at least 1), as the transport files count it."""
    if len(values) == 0:
        return 1
    lengths = pc.binary_length(pa.array(values.astype("string").to_numpy(dtype=object, na_value=None),
                                        type=pa.string()))
    return max(int(pc.max(lengths).as_py() or 0), 1)


def coded_text(values: pd.Series) -> pd.Series:
    """Non-missing values as the text a codelist holds: numbers without a trailing ``.0`` (``2.0`` -> ``2``),
    text as is; empty strings dropped."""
    if pd.api.types.is_numeric_dtype(values):
        numbers = pd.to_numeric(values, errors="coerce").dropna()
        whole = numbers == np.round(numbers)
        text = numbers.astype(str)
        text[whole] = numbers[whole].astype("int64").astype(str)
        return text
    return _present(values).astype(object)
