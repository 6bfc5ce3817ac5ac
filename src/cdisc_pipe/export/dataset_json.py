"""CDISC Dataset-JSON 1.1: a writer (JSON and NDJSON) and a reader for round trips.

One dataset per file, attributes in the order the specification lists them, row values typed by each
column's ``dataType`` (see ``docs/dataset-json.md`` for the whole mapping):

* Char → ``string`` (or the variable's ``date``/``datetime``/``time``/``URI``) with ``length``; the empty
  value is written ``""``: our frames, like XPT, hold missing Char as ``""``, and CDISC's own examples made
  from XPT do the same. The reader turns ``null`` in a Char column into ``""``.
* Num → ``integer`` (every value whole; JSON integers), ``double``/``float`` (the shortest text that reads
  back to the same double, as ``repr`` gives it) or ``decimal`` (the same digits as a JSON string, target
  ``decimal``); NaN → ``null``.
* Num dates, datetimes and times → ``date``/``datetime``/``time`` with target ``integer`` and ISO 8601
  text (``2014-01-02``, ``2014-01-02T10:20:30``, ``10:20:30``); the frame holds datetime64/timedelta64 (or
  SAS numbers: days or seconds since 1960-01-01, seconds after midnight); ``displayFormat`` = the SAS format.

Deterministic: no clock reads (``created`` comes in), fixed key order, ``\\n`` line ends, UTF-8. Rows are
built column-wise (each column encoded to JSON tokens once, vectorised, then joined row-wise in chunks).
"""

from __future__ import annotations

import json
from datetime import datetime
from json.encoder import encode_basestring
from pathlib import Path

import numpy as np
import pandas as pd

from cdisc_pipe.errors import ExportError, InputError
from cdisc_pipe.export.metadata import DatasetMetadata, VariableMetadata
from cdisc_pipe.export.oids import ig_oid, it_oid
from cdisc_pipe.export.xpt_layout import date_kind
from cdisc_pipe.export.xpt_values import sas_to_datetimes

__all__ = ["DATASET_JSON_VERSION", "write_dataset_json", "read_dataset_json"]

DATASET_JSON_VERSION = "1.1.0"
#: Rows encoded and written per chunk, so a large dataset never holds all its JSON text at once.
CHUNK_ROWS = 20_000

_CHAR_TYPES = frozenset({"string", "date", "datetime", "time", "URI"})
_NUM_TYPES = frozenset({"integer", "float", "double", "decimal", "date", "datetime", "time"})
_SEPARATORS = (",", ":")
_REQUIRED = ("datasetJSONCreationDateTime", "datasetJSONVersion", "itemGroupOID", "records", "name", "label",
             "columns")
_MAX_EXACT_INTEGER = 2.0 ** 53


def _dumps(value) -> str:
    return _escape_breaks(json.dumps(value, ensure_ascii=False, separators=_SEPARATORS))


# --------------------------------------------------------------------------------------------- writer


def _refusal(dataset: str, variable: str, expectation: str, bad: np.ndarray, shown: np.ndarray) -> ExportError:
    """ExportError naming dataset, variable, rows (1-based) and values; at most 10 offenders listed."""
    rows = np.flatnonzero(bad)
    values = [shown[i].item() if isinstance(shown[i], np.generic) else shown[i] for i in rows[:10]]
    listed = ", ".join(f"row {i + 1}: {value!r}" for i, value in zip(rows, values))
    more = f" … and {len(rows) - 10} more" if len(rows) > 10 else ""
    err = ExportError(f"`{dataset}.{variable}` must be {expectation} (got {listed}{more})")
    err.dataset, err.variable, err.row, err.value, err.expected = (
        dataset, variable, int(rows[0]) + 1, str(values[0]), expectation)
    return err


def _kind(var: VariableMetadata, column: pd.Series) -> str:
    """The dataType written for ``var``: its ``data_type``, else inferred from type, dtype and SAS format
    (the XPT writer's classification, so both files treat a variable alike)."""
    if var.data_type is not None:
        return var.data_type
    if var.type == "Char":
        return "string"
    if pd.api.types.is_timedelta64_dtype(column):
        return "time"
    fmt_kind = date_kind(var.format)
    if pd.api.types.is_datetime64_any_dtype(column):
        return "date" if fmt_kind == "date" else "datetime"
    return fmt_kind or "double"


# Each encoder validates a whole column, then returns (codes, tokens): the JSON text of each distinct value
# once, "null" last, and per row the index of its text (-1, the last, for missing). Rows repeat values a lot
# (flags, visits, dates), so formatting the distinct values only is the vectorised path.
Encoded = tuple[np.ndarray, np.ndarray]


def _tokens(texts: list[str] | np.ndarray) -> np.ndarray:
    out = np.empty(len(texts) + 1, dtype=object)
    out[:-1] = texts
    out[-1] = "null"
    return out


def _encode_char(ds: str, var: VariableMetadata, column: pd.Series) -> Encoded:
    values = column.to_numpy(dtype=object)
    if pd.api.types.infer_dtype(values, skipna=False) not in ("string", "empty"):
        bad = np.fromiter((not isinstance(v, str) for v in values), bool, len(values))
        raise _refusal(ds, var.name, 'text (missing Char is "")', bad, values)
    codes, uniques = pd.factorize(values)
    try:
        "".join(uniques).encode("utf-8")
    except UnicodeEncodeError:
        bad = np.fromiter((not _utf8(v) for v in values), bool, len(values))
        raise _refusal(ds, var.name, "text UTF-8 can encode", bad, values) from None
    too_long = np.fromiter(map(len, uniques), np.int64, len(uniques)) > var.length
    if too_long.any():
        raise _refusal(ds, var.name, f"at most {var.length} characters long (its length)", too_long[codes], values)
    return codes, _tokens([_escape_breaks(t) for t in map(encode_basestring, uniques)])


def _escape_breaks(token: str) -> str:
    """JSON allows U+0085, U+2028 and U+2029 raw, but line-splitting readers (str.splitlines, older
    JavaScript) break NDJSON rows on them: write them escaped."""
    if "\x85" in token or "\u2028" in token or "\u2029" in token:
        return token.replace("\x85", "\\u0085").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return token


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _numbers(ds: str, var: VariableMetadata, column: pd.Series, kind: str) -> np.ndarray:
    if not (pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)):
        raise ExportError(f"`{ds}.{var.name}` must be a numeric column for dataType {kind!r} "
                          f"(got dtype {column.dtype})")
    values = column.to_numpy(dtype="float64", na_value=np.nan)
    infinite = np.isinf(values)
    if infinite.any():
        raise _refusal(ds, var.name, "finite or missing (NaN)", infinite, values)
    return values


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values of a float64 or datetime64 array, by bit pattern (so -0.0 stays apart from
    0.0); missing values (NaN, NaT) get code -1."""
    present = ~(np.isnan(values) if values.dtype.kind == "f" else np.isnat(values))  # NaN, NaT: code -1
    codes = np.full(len(values), -1, dtype=np.intp)
    codes[present], uniques = pd.factorize(values[present].view(np.int64))
    return codes, uniques.view(values.dtype)


def _encode_num(ds: str, var: VariableMetadata, column: pd.Series, kind: str) -> Encoded:
    values = _numbers(ds, var, column, kind)
    present = ~np.isnan(values)
    if kind == "integer":
        bad = present & ((values != np.trunc(values)) | (np.abs(values) > _MAX_EXACT_INTEGER))
        if bad.any():
            raise _refusal(ds, var.name, "whole numbers within ±2**53 for dataType 'integer'", bad, values)
        codes, uniques = _distinct(values)
        return codes, _tokens(list(map(str, uniques.astype(np.int64).tolist())))
    codes, uniques = _distinct(values)
    if kind == "decimal":
        return codes, _tokens([f'"{np.format_float_positional(x, unique=True, trim="-")}"' for x in uniques.tolist()])
    return codes, _tokens(_doubles(uniques))


def _doubles(values: np.ndarray) -> list[str]:
    """Shortest round-trip text (``repr``); whole numbers below 2**53 without ``.0`` (``39``, as CDISC's
    examples write them), negative zero kept as ``-0.0``."""
    texts = np.array(list(map(float.__repr__, values.tolist())), dtype=object)
    whole = (values == np.trunc(values)) & (np.abs(values) < _MAX_EXACT_INTEGER) & ~((values == 0) & np.signbit(values))
    texts[whole] = list(map(str, values[whole].astype(np.int64).tolist()))
    return list(texts)


def _temporal(ds: str, var: VariableMetadata, column: pd.Series, kind: str) -> np.ndarray:
    """``date``/``datetime`` as datetime64[s], ``time`` as timedelta64[s] (seconds after midnight), from
    datetime64/timedelta64 columns or SAS numbers (days or seconds since 1960-01-01, seconds after midnight)."""
    wanted = pd.api.types.is_timedelta64_dtype if kind == "time" else pd.api.types.is_datetime64_dtype
    if wanted(column):  # naive only: a tz-aware column fails is_datetime64_dtype
        values = column.to_numpy()
        unit_ok = values.astype("m8[s]" if kind == "time" else "M8[s]") == values
        bad = ~np.isnat(values) & ~unit_ok
        shown = values.astype(str)
        values = values.astype("m8[s]" if kind == "time" else "M8[s]")
    elif pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        numbers = column.to_numpy(dtype="float64", na_value=np.nan)
        values, rows = sas_to_datetimes(numbers, kind)
        bad = np.zeros(len(numbers), dtype=bool)
        bad[rows] = True
        bad |= np.isinf(numbers)
        shown = numbers
    else:
        raise ExportError(f"`{ds}.{var.name}` must be a naive {'timedelta64' if kind == 'time' else 'datetime64'} "
                          f"or numeric (SAS) column for dataType {kind!r} (got dtype {column.dtype})")
    present = ~np.isnat(values)
    if kind == "date":
        bad |= present & (values.astype("M8[D]") != values)
    elif kind == "time":
        bad |= present & ((values < np.timedelta64(0, "s")) | (values >= np.timedelta64(86400, "s")))
    if bad.any():
        what = {"date": "whole days", "datetime": "whole seconds",
                "time": "whole seconds from 00:00:00 to 23:59:59"}[kind]
        raise _refusal(ds, var.name, f"{what} for dataType {kind!r}", bad, shown)
    return values


def _encode_temporal(ds: str, var: VariableMetadata, column: pd.Series, kind: str) -> Encoded:
    values = _temporal(ds, var, column, kind)
    codes, uniques = _distinct(values)
    if kind == "time":
        clock = np.datetime64("1970-01-01T00:00:00", "s") + uniques
        return codes, _tokens([f'"{text[11:]}"' for text in np.datetime_as_string(clock, unit="s").tolist()])
    unit = "D" if kind == "date" else "s"
    return codes, _tokens([f'"{text}"' for text in np.datetime_as_string(uniques, unit=unit).tolist()])


def _column(ds: str, var: VariableMetadata, column: pd.Series) -> tuple[dict, Encoded]:
    """The ``columns`` entry for ``var`` and its encoded values."""
    kind = _kind(var, column)
    allowed = _CHAR_TYPES if var.type == "Char" else _NUM_TYPES
    if kind not in allowed:
        raise ExportError(f"`{ds}.{var.name}` data_type must be one of {sorted(allowed)} for a {var.type} "
                          f"variable (got {kind!r})")
    target = "decimal" if kind == "decimal" else "integer" if var.type == "Num" and kind in (
        "date", "datetime", "time") else None
    if var.target_data_type not in (None, target):
        raise ExportError(f"`{ds}.{var.name}` target_data_type must be {target!r} for a {var.type} variable of "
                          f"dataType {kind!r} (got {var.target_data_type!r})")
    if var.type == "Char":
        encode = _encode_char(ds, var, column)
    elif kind in ("date", "datetime", "time"):
        encode = _encode_temporal(ds, var, column, kind)
    else:
        encode = _encode_num(ds, var, column, kind)
    entry = {"itemOID": it_oid(ds, var.name), "name": var.name, "label": var.label, "dataType": kind}
    if target is not None:
        entry["targetDataType"] = target
    if var.type == "Char" and kind in ("string", "URI"):
        entry["length"] = var.length
    if var.format:
        entry["displayFormat"] = var.format
    if var.key_sequence is not None:
        entry["keySequence"] = var.key_sequence
    return entry, encode


def _timestamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds" if moment.microsecond == 0 else "microseconds")


def write_dataset_json(frame: pd.DataFrame, path: str | Path, metadata: DatasetMetadata, *, study_oid: str,
                       metadata_version_oid: str, created: datetime, originator: str,
                       source_system: tuple[str, str], define_href: str | None = None,
                       file_oid: str | None = None, ndjson: bool = False) -> None:
    """Write ``frame`` as Dataset-JSON 1.1 (``ndjson=True``: the NDJSON form) at ``path``.

    ``created`` becomes datasetJSONCreationDateTime and ``metadata.modified`` dbLastModifiedDateTime (it must
    not be later); ``source_system`` is (name, version); ``define_href`` becomes metaDataRef;
    ``file_oid`` defaults to ``<metadata_version_oid>.<dataset>``. OIDs come from
    :mod:`cdisc_pipe.export.oids`, so they match define.xml. Raises :class:`ExportError` (naming dataset,
    variable, row and value) for anything the format cannot hold as it is; nothing is written then.
    """
    ds = metadata.name
    if list(frame.columns) != metadata.names:
        raise ExportError(f"`{ds}` columns must be the metadata's variables in order "
                          f"(got {list(frame.columns)}, metadata {metadata.names})")
    try:
        late = metadata.modified > created
    except TypeError as err:
        raise ExportError(f"`{ds}` created and modified must both be naive or both aware "
                          f"(got {created!r}, {metadata.modified!r})") from err
    if late:
        raise ExportError(f"`{ds}` modified (dbLastModifiedDateTime) must be on or before created "
                          f"(got {_timestamp(metadata.modified)} > {_timestamp(created)})")
    plan = [_column(ds, var, frame[var.name]) for var in metadata.variables]
    header = {
        "datasetJSONCreationDateTime": _timestamp(created),
        "datasetJSONVersion": DATASET_JSON_VERSION,
        "fileOID": file_oid or f"{metadata_version_oid}.{ds}",
        "dbLastModifiedDateTime": _timestamp(metadata.modified),
        "originator": originator,
        "sourceSystem": {"name": source_system[0], "version": source_system[1]},
        "studyOID": study_oid,
        "metaDataVersionOID": metadata_version_oid,
        "metaDataRef": define_href,
        "itemGroupOID": ig_oid(ds),
        "records": len(frame),
        "name": ds,
        "label": metadata.label,
    }
    if define_href is None:
        del header["metaDataRef"]
    columns = [entry for entry, _ in plan]
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        if ndjson:
            out.write(_dumps({**header, "columns": columns}) + "\n")
        else:
            out.write("{" + ",\n".join(f"{_dumps(k)}:{_dumps(v)}" for k, v in header.items()))
            out.write(',\n"columns":[\n' + ",\n".join(map(_dumps, columns)) + '\n],\n"rows":[')
        for start in range(0, len(frame), CHUNK_ROWS):
            stop = min(start + CHUNK_ROWS, len(frame))
            rows = _rows([tokens[codes[start:stop]] for _, (codes, tokens) in plan], stop - start)
            if ndjson:
                out.write("\n".join(rows) + "\n")
            else:
                out.write(("\n" if start == 0 else ",\n") + ",\n".join(rows))
        if not ndjson:
            out.write("\n]}\n" if len(frame) else "]}\n")


def _rows(tokens: list[np.ndarray], count: int) -> list[str]:
    """Column-wise tokens joined into ``[a,b,...]`` row texts."""
    if not tokens:
        return ["[]"] * count
    tokens = [*tokens]
    tokens[0] = "[" + tokens[0]
    tokens[-1] = tokens[-1] + "]"
    return list(map(",".join, zip(*tokens)))


# --------------------------------------------------------------------------------------------- reader


def _load(path: Path) -> tuple[dict, list]:
    try:
        text = path.read_text(encoding="utf-8-sig")
        if path.suffix.lower() == ".ndjson":
            first, _, rest = text.partition("\n")
            header = json.loads(first)
            # "\n" only: str.splitlines would also split inside values at U+2028, U+0085...
            rows = json.loads("[" + ",".join(line for line in rest.split("\n") if line.strip()) + "]")
        else:
            header = json.loads(text)
            rows = header.get("rows", []) if isinstance(header, dict) else None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise InputError(f"`{path}` must be a readable UTF-8 Dataset-JSON file ({err})") from err
    if not isinstance(header, dict) or not isinstance(rows, list):
        raise InputError(f"`{path}` must hold a Dataset-JSON object with a rows array")
    missing = [key for key in _REQUIRED if key not in header]
    if missing:
        raise InputError(f"`{path}` must have the Dataset-JSON attributes {missing} (got {sorted(header)})")
    return header, rows


def _decode(path: Path, col: dict, arr: np.ndarray) -> tuple[pd.Series, VariableMetadata]:
    name, kind, target = col["name"], col["dataType"], col.get("targetDataType")
    kinds = set(map(type, arr)) - {type(None)}
    fmt, key = col.get("displayFormat"), col.get("keySequence")

    def expect(allowed: set, what: str) -> None:
        if not kinds <= allowed:
            raise InputError(f"`{path.name}` column {name} must hold {what} for dataType {kind!r} "
                             f"(got {sorted(t.__name__ for t in kinds - allowed)})")

    missing = np.equal(arr, None)
    if kind in _CHAR_TYPES and target is None:
        expect({str}, "strings")
        arr[missing] = ""
        length = col.get("length") or max([len(v.encode("utf-8")) for v in set(arr) if v] or [1])
        var = VariableMetadata(name, col["label"], "Char", length, format=fmt, data_type=kind, key_sequence=key)
        return pd.Series(arr, dtype=object, name=name), var
    var = VariableMetadata(name, col["label"], "Num", 8, format=fmt, data_type=kind, target_data_type=target,
                           key_sequence=key)
    try:
        if kind in ("integer", "float", "double"):
            expect({int, float}, "numbers")
            return pd.Series(arr.astype("float64"), name=name), var
        if kind == "decimal":
            expect({str}, "decimal text")
            text = pd.Series(arr, dtype=object).where(~missing).str.replace(",", "", regex=False)
            return pd.Series(text.to_numpy(dtype=object, na_value=np.nan).astype("float64"), name=name), var
        if kind in ("date", "datetime"):
            expect({str}, "ISO 8601 text")
            return pd.Series(arr.astype("datetime64[s]"), name=name), var
        if kind == "time":
            expect({str}, "ISO 8601 text")
            clock = pd.to_timedelta(pd.Series(arr, dtype=object).where(~missing))
            return pd.Series(clock.to_numpy().astype("m8[s]"), name=name), var
    except (ValueError, TypeError) as err:
        raise InputError(f"`{path.name}` column {name} must hold values of dataType {kind!r} ({err})") from err
    raise InputError(f"`{path.name}` column {name} has dataType {kind!r} (target {target!r}), which this reader "
                     f"does not turn into a Char or Num variable")


def read_dataset_json(path: str | Path) -> tuple[pd.DataFrame, DatasetMetadata]:
    """Read a Dataset-JSON 1.1 file (``.ndjson``: the NDJSON form) into what :func:`write_dataset_json`
    takes: Char columns as ``str`` (``null`` → ``""``), Num as float64 (``null`` → NaN), ``date``/
    ``datetime`` with target ``integer`` as datetime64[s], ``time`` with target ``integer`` as timedelta64[s];
    ``length`` of a Char column without one = its longest value in UTF-8 bytes (at least 1). The file-level
    attributes are in ``metadata.extra["dataset_json"]``. A file that does not hold together (records, row
    widths, value types) is an :class:`InputError`."""
    path = Path(path)
    header, rows = _load(path)
    columns = header["columns"]
    if header.get("records") != len(rows):
        raise InputError(f"`{path.name}` records must equal the number of rows "
                         f"(got records={header.get('records')!r}, {len(rows)} rows)")
    if not set(map(type, rows)) <= {list}:
        raise InputError(f"`{path.name}` rows must each be an array")
    widths = set(map(len, rows))
    if widths - {len(columns)}:
        raise InputError(f"`{path.name}` rows must each have {len(columns)} values (got {sorted(widths)})")
    table = np.array(rows, dtype=object) if rows else np.empty((0, len(columns)), dtype=object)
    if table.shape != (len(rows), len(columns)):
        raise InputError(f"`{path.name}` rows must hold only strings, numbers, booleans and nulls")
    decoded = [_decode(path, col, table[:, j].copy()) for j, col in enumerate(columns)]
    frame = pd.DataFrame({var.name: series for series, var in decoded}, index=pd.RangeIndex(len(rows)))
    try:
        created = datetime.fromisoformat(header["datasetJSONCreationDateTime"])
        modified = header.get("dbLastModifiedDateTime")
        modified = datetime.fromisoformat(modified) if modified else created
    except (TypeError, ValueError) as err:
        raise InputError(f"`{path.name}` creation and modification times must be ISO 8601 ({err})") from err
    attributes = {k: v for k, v in header.items() if k not in ("columns", "rows")}
    metadata = DatasetMetadata(name=header["name"], label=header["label"],
                               variables=tuple(var for _, var in decoded), created=created,
                               modified=modified,
                               extra={"dataset_json": attributes})
    return frame, metadata
