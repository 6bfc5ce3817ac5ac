"""Write one dataset as a SAS XPORT v5 file: validate everything first, then write the records in chunks.

Nothing is truncated, transliterated or rounded: a name, label, value or header field the format cannot
hold is an :class:`~cdisc_pipe.errors.ExportError` naming dataset, variable, row (1-based) and value, and
no file is written. Values are converted column by column (Arrow compute for text, numpy for numbers);
the record block is assembled in a reused numpy buffer and written a chunk at a time.
"""

from __future__ import annotations

import numbers
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.export.ibm import ieee_to_ibm
from cdisc_pipe.export.metadata import DatasetMetadata, VariableMetadata
from cdisc_pipe.export.xpt_layout import (
    DSCRPTR_HEADER, LIBRARY_HEADER, MEMBER_HEADER, NAME_PATTERN, OBS_HEADER, RECORD, TIMESTAMP_YEARS,
    date_kind, format_timestamp, namestr_header, pack_namestr, parse_format,
)
from cdisc_pipe.export.xpt_values import Problems, arrow_strings, numeric_values

__all__ = ["write_xpt", "WRITER_OS", "MAX_CHAR_LENGTH"]

#: Our files name their writer in the host field; the release field carries cdisc_pipe's version.
WRITER_OS = "CDISCPIP"
MAX_CHAR_LENGTH = 200
_CHUNK_BYTES = 8 << 20
_BLANK_DOUBLE = 0x2020202020202020


@dataclass
class _Column:
    var: VariableMetadata
    length: int
    offset: int
    text: pa.ChunkedArray | None = None  # ASCII text, nulls filled, validated to fit
    block: np.ndarray | None = None  # (rows, length) uint8, ready to copy into the records
    ibm: np.ndarray | None = None  # Num of length 8: IBM doubles as native uint64


def _writer_version() -> str:
    from cdisc_pipe import __version__

    return __version__


def write_xpt(frame: pd.DataFrame, path: str | os.PathLike, metadata: DatasetMetadata, *,
              encoding: str = "ascii") -> None:
    """Write ``frame`` as the single member of a SAS XPORT v5 file at ``path``.

    ``metadata`` gives the variables in file order (every column of ``frame`` must be one of them, and
    each of them a column), names, labels, types, lengths, formats, the dataset label and the header
    timestamps (``created``/``modified``, never the clock). Char columns hold str (missing -> blanks);
    Num columns hold numbers (NaN -> '.', see :func:`cdisc_pipe.export.ibm.sas_missing` for .A-.Z/._),
    or datetime64/timedelta64 when the variable has a DATE/DATETIME/TIME format (written as days or
    seconds since 1960-01-01 / seconds since midnight). ``encoding`` is ASCII for submissions; another
    codec exists only to reproduce legacy files byte for byte (e.g. "windows-1252").
    Raises ExportError listing every problem; the file is written only when there is none.
    """
    problems = Problems(metadata.name)
    lengths = [int(v.length) if _length_ok(v) else 0 for v in metadata.variables]
    header = _header(metadata, lengths, encoding, problems)
    columns = _columns(frame, metadata, lengths, encoding, problems)
    rows = len(frame)
    if not problems and rows and _last_row_blank(columns, rows):
        problems.add(f"row {rows}: the last record must not be all blanks: XPT readers (SAS, pyreadstat) "
                     "cannot tell it from the record padding (got a row of empty Char values)", row=rows)
    problems.raise_if_any()
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        with open(partial, "wb") as handle:
            handle.write(header)
            _write_records(handle, columns, rows)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _encoded(text: str, encoding: str) -> bytes | None:
    try:
        return text.encode(encoding)
    except UnicodeEncodeError:
        return None


def _field(problems: Problems, what: str, text: str, size: int, encoding: str,
           variable: str | None = None) -> bytes:
    raw = _encoded(text, encoding)
    if raw is None:
        problems.add(f"{what} must be {encoding} text (got {text!r})", variable)
        return b""
    if len(raw) > size:
        problems.add(f"{what} must be at most {size} bytes (got {text!r}, {len(raw)} bytes)", variable)
        return b""
    return raw


def _timestamp(problems: Problems, what: str, value) -> bytes:
    low, high = TIMESTAMP_YEARS
    if not hasattr(value, "tzinfo") or not hasattr(value, "hour"):
        problems.add(f"{what} must be a datetime (got {value!r})")
    elif value.tzinfo is not None or value.microsecond or not low <= value.year <= high:
        problems.add(f"{what} must be a naive datetime in whole seconds, years {low}-{high} (the header "
                     f"holds a two-digit year) (got {value.isoformat()})")
    else:
        return format_timestamp(value)
    return b" " * 16


def _length_ok(var: VariableMetadata) -> bool:
    length = var.length
    if isinstance(length, bool) or not isinstance(length, numbers.Integral):
        return False
    if var.type == "Char":
        return 1 <= length <= MAX_CHAR_LENGTH
    return var.type == "Num" and 3 <= length <= 8


def _header(meta: DatasetMetadata, lengths: list[int], encoding: str, problems: Problems) -> bytes:
    if not isinstance(meta.name, str) or not NAME_PATTERN.fullmatch(meta.name):
        problems.add(f"dataset name must be 1-8 upper-case letters, digits or underscores, not starting "
                     f"with a digit (got {meta.name!r})")
    name = str(meta.name).encode("ascii", "replace")[:8]
    label = _field(problems, "dataset label", meta.label or "", 40, encoding)
    kind = _field(problems, "dataset type", meta.dataset_type or "", 8, encoding)
    version = _field(problems, "header release field (sas_version)", meta.sas_version or _writer_version(),
                     8, "ascii")
    host = _field(problems, "header host field (os_name)", meta.os_name or WRITER_OS, 8, "ascii")
    created = _timestamp(problems, "created", meta.created)
    modified = _timestamp(problems, "modified", meta.modified)
    if not meta.variables or len(meta.variables) > 9999:
        problems.add(f"variables must number 1-9999 (got {len(meta.variables)})")
    blank = b" " * 8
    real = b"SAS     SAS     SASLIB  " + version.ljust(8) + host.ljust(8) + b" " * 24 + created
    member = b"SAS     " + name.ljust(8) + b"SASDATA " + version.ljust(8) + host.ljust(8) + b" " * 24 + created
    member2 = modified + blank * 2 + label.ljust(40) + kind.ljust(8)
    parts = [LIBRARY_HEADER, real, modified.ljust(RECORD), MEMBER_HEADER, DSCRPTR_HEADER, member, member2,
             namestr_header(len(meta.variables))]
    namestrs = [_namestr(var, i, meta.variables, lengths, encoding, problems)
                for i, var in enumerate(meta.variables)]
    block = b"".join(namestrs)
    parts += [block, b" " * (-len(block) % RECORD), OBS_HEADER]
    return b"".join(parts)


def _namestr(var: VariableMetadata, index: int, variables, lengths: list[int], encoding: str,
             problems: Problems) -> bytes:
    what = f"variable {var.name!r}"
    if not isinstance(var.name, str) or not NAME_PATTERN.fullmatch(var.name):
        problems.add(f"{what}: name must be 1-8 upper-case letters, digits or underscores, not starting "
                     f"with a digit (got {var.name!r})", var.name)
    elif any(other.name == var.name for other in variables[:index]):
        problems.add(f"{what}: names must be unique (got {var.name!r} twice)", var.name)
    label = _field(problems, f"{what}: label", var.label or "", 40, encoding, var.name)
    ntype = {"Char": 2, "Num": 1}.get(var.type, 0)
    if not ntype:
        problems.add(f"{what}: type must be 'Char' or 'Num' (got {var.type!r})", var.name)
    elif not _length_ok(var):
        expected = f"1-{MAX_CHAR_LENGTH} bytes for Char" if ntype == 2 else "3-8 bytes for Num"
        problems.add(f"{what}: length must be {expected} (got {var.length!r})", var.name)
    if var.justification not in (0, 1):
        problems.add(f"{what}: justification must be 0 or 1 (got {var.justification!r})", var.name)
    formats = []
    for kind, text in (("format", var.format), ("informat", var.informat)):
        parsed = parse_format(text)
        if parsed is None or not parsed[0].isascii():
            problems.add(f"{what}: {kind} must be a SAS format such as 'DATE9.' or '8.2' with a name of at "
                         f"most 8 characters (got {text!r})", var.name)
            parsed = ("", 0, 0)
        formats.append((parsed[0].encode("ascii"), parsed[1], parsed[2]))
    name = str(var.name).encode("ascii", "replace")[:8]
    return pack_namestr(ntype, lengths[index], index + 1, name, label, formats[0], formats[1],
                        var.justification if var.justification in (0, 1) else 0, sum(lengths[:index]))


def _columns(frame: pd.DataFrame, meta: DatasetMetadata, lengths: list[int], encoding: str,
             problems: Problems) -> list[_Column]:
    names = [v.name for v in meta.variables]
    listed = set(names)
    extra = [c for c in frame.columns if c not in listed]
    missing = [n for n in names if n not in frame.columns]
    if extra:
        problems.add(f"frame columns must all be variables of the metadata (got extra columns {extra})")
    if missing:
        problems.add(f"metadata variables must all be frame columns (got no column for {missing})")
    duplicated = frame.columns.duplicated()
    if duplicated.any():
        problems.add(f"frame columns must be unique (got {list(frame.columns[duplicated])})")
    columns = []
    for index, var in enumerate(meta.variables):
        column = _Column(var, lengths[index], sum(lengths[:index]))
        columns.append(column)
        if var.name in missing or duplicated.any() or not lengths[index]:
            continue
        if var.type == "Char":
            _char_column(column, frame[var.name], encoding, problems)
        else:
            _num_column(column, frame[var.name], problems)
    return columns


def _char_column(column: _Column, series: pd.Series, encoding: str, problems: Problems) -> None:
    var, length = column.var, column.length
    text = arrow_strings(series, var.name, problems)
    if text is None:
        return
    if encoding.replace("-", "").lower() in ("ascii", "usascii"):
        chunk = text.chunk(0)
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64, count=len(chunk) + 1,
                                offset=chunk.offset * 8)
        sizes = np.diff(offsets)
        buffer = chunk.buffers()[2]
        data = np.frombuffer(buffer, dtype=np.uint8) if buffer is not None else np.empty(0, np.uint8)
        valid = np.ones(len(chunk), dtype=bool)
        if data[offsets[0]:offsets[-1]].max(initial=0) >= 0x80:  # rare: only then look for the rows
            valid = pc.string_is_ascii(text).to_numpy(zero_copy_only=False)
            problems.add_rows(var.name, np.flatnonzero(~valid), series, "value must be ASCII")
        column.text = text
    else:  # a legacy encoding, asked for explicitly: one Python encode per value
        encoded = [_encoded(value, encoding) for value in text.to_pylist()]
        valid = np.array([raw is not None for raw in encoded], dtype=bool)
        problems.add_rows(var.name, np.flatnonzero(~valid), series, f"value must be {encoding} text")
        sizes = np.array([len(raw) if raw is not None else 0 for raw in encoded], dtype=np.int64)
        if valid.all() and sizes.max(initial=0) <= length:
            joined = b"".join(raw.ljust(length) for raw in encoded)
            column.block = np.frombuffer(joined, dtype=np.uint8).reshape(len(encoded), length)
    too_long = np.flatnonzero(valid & (sizes > length))
    why = "the variable's length" if length < MAX_CHAR_LENGTH else "the XPT v5 limit"
    problems.add_rows(var.name, too_long, series, f"value must be at most {length} bytes ({why})", sizes=sizes)


def _num_column(column: _Column, series: pd.Series, problems: Problems) -> None:
    var = column.var
    values = numeric_values(series, var, date_kind(var.format), problems)
    if values is None:
        return
    ibm, bad = ieee_to_ibm(values)
    problems.add_rows(var.name, np.flatnonzero(bad), series,
                      "value must be finite and between 5.4e-79 and 7.2e+75 in magnitude (IBM double range)")
    if var.length == 8:
        column.ibm = ibm
        return
    block = ibm.astype(">u8").view(np.uint8).reshape(-1, 8)
    lost = block[:, var.length:].any(axis=1) & ~np.isnan(values)
    problems.add_rows(var.name, np.flatnonzero(lost), series,
                      f"value must be storable in {var.length} bytes without changing it")
    column.block = np.ascontiguousarray(block[:, : var.length])


def _last_row_blank(columns: list[_Column], rows: int) -> bool:
    for column in columns:
        if column.text is not None:
            if column.text[rows - 1].as_py().strip(" "):
                return False
        elif column.block is not None and (column.block[rows - 1] != 0x20).any():
            return False
        elif column.ibm is not None and column.ibm[rows - 1] != _BLANK_DOUBLE:
            return False
    return True


def _write_records(handle, columns: list[_Column], rows: int) -> None:
    width = sum(c.length for c in columns)
    step = max(1, min(rows, _CHUNK_BYTES // max(width, 1)))
    buffer = np.empty((step, width), dtype=np.uint8)
    for start in range(0, rows, step):
        count = min(step, rows - start)
        records = buffer[:count]
        for column in columns:
            length, offset = column.length, column.offset
            target = records[:, offset:offset + length]
            if column.text is not None:
                target[...] = _padded(column.text.slice(start, count), length)
            elif column.ibm is not None:
                target.view(">u8")[:, 0] = column.ibm[start:start + count]
            else:
                target[...] = column.block[start:start + count]
        handle.write(records.data)
    handle.write(b" " * (-(rows * width) % RECORD))


def _padded(text: pa.ChunkedArray, length: int) -> np.ndarray:
    """ASCII strings (each at most ``length`` bytes) as a (rows, length) blank-padded uint8 matrix."""
    padded = pc.ascii_rpad(text, width=length, padding=" ").combine_chunks()
    offsets = np.frombuffer(padded.buffers()[1], dtype=np.int64, count=len(padded) + 1,
                            offset=padded.offset * 8)
    data = np.frombuffer(padded.buffers()[2], dtype=np.uint8) if len(padded) else np.empty(0, np.uint8)
    return data[offsets[0]:offsets[-1]].reshape(len(padded), length)

