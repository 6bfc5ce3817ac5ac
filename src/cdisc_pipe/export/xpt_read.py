"""Read a single-member SAS XPORT v5 file into a frame and the metadata that writes it back unchanged.

The whole record block is one ``np.frombuffer`` over a structured dtype (one field per variable, at its
NAMESTR position); Num fields convert from IBM doubles with :func:`ibm_to_ieee`, Char fields become Arrow
strings with their trailing blanks trimmed (the SAS padding), without a Python object per value.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cdisc_pipe.errors import InputError
from cdisc_pipe.export.ibm import ibm_to_ieee
from cdisc_pipe.export.metadata import DatasetMetadata, VariableMetadata
from cdisc_pipe.export.xpt_layout import (
    DSCRPTR_HEADER, LIBRARY_HEADER, MEMBER_PREFIX, NAMESTR_PREFIX, OBS_HEADER, RECORD, Namestr, date_kind,
    parse_timestamp, unpack_namestr,
)
from cdisc_pipe.export.xpt_values import sas_to_datetimes

__all__ = ["XptFile", "read_xpt"]


class XptFile(NamedTuple):
    """What :func:`read_xpt` returns: unpack it (``frame, metadata = read_xpt(path)``) and pass both to
    :func:`write_xpt` (``write_xpt(frame, path, metadata)``)."""

    frame: pd.DataFrame
    metadata: DatasetMetadata


def _str_dtype() -> pd.StringDtype:
    try:
        return pd.StringDtype("pyarrow", na_value=np.nan)  # pandas >= 2.3: the default "str" dtype
    except TypeError:  # pragma: no cover - pandas 2.2
        return pd.StringDtype("pyarrow_numpy")


def read_xpt(path: str | os.PathLike, *, dates: Literal["number", "datetime"] = "number",
             encoding: str = "ascii") -> XptFile:
    """Read the one dataset of a SAS XPORT v5 file.

    Char columns come back as pandas ``str`` (trailing blanks removed; blank = ""), Num columns as float64
    (every SAS missing value is NaN; .A-.Z/._ keep their tag, see :func:`cdisc_pipe.export.ibm.missing_tags`).
    ``dates="datetime"`` turns Num variables with a DATE/DATETIME/TIME format into datetime64[s] /
    timedelta64[s] (special missings then become plain NaT); the default keeps the SAS numbers, which is
    what a byte-for-byte rewrite needs. ``encoding`` decodes Char values and labels; a byte it cannot
    decode is an InputError naming variable and row (SAS files are often Windows-1252; XPT v5 records none).
    A file holding more than one member is refused (FDA: one dataset per file).
    """
    if dates not in ("number", "datetime"):
        raise ValueError(f"dates must be 'number' or 'datetime' (got {dates!r})")
    if "abc".encode(encoding) != b"abc":
        raise ValueError(f"encoding must be ASCII-compatible, as XPT headers are ASCII (got {encoding!r})")
    path = Path(path)
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        if size < 7 * RECORD:
            raise _fail(path, f"file must be a SAS XPORT v5 file (got {size} bytes)")
        raw = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            return _read(raw, path, dates, encoding)
        finally:
            try:
                raw.close()
            except BufferError:  # an error's traceback still holds views of the map; it unmaps with them
                pass


def _read(raw, path: Path, dates: str, encoding: str) -> XptFile:
    """Everything is copied out of ``raw`` (the mapped file) before it is closed."""
    meta, namestrs, data_start = _headers(raw, path, encoding)
    width = sum(n.length for n in namestrs)
    rows = _row_count(raw, data_start, width, path)
    records = _records(raw, data_start, rows, namestrs, width, path)
    columns = {}
    for i, (ns, var) in enumerate(zip(namestrs, meta.variables)):
        field = records[f"f{i}"]
        if ns.ntype == 2:
            columns[ns.name] = _text_column(field, ns, path, encoding)
        else:
            values = _number_column(field, ns.length)
            kind = date_kind(var.format)
            if dates == "datetime" and kind is not None:
                converted, bad = sas_to_datetimes(values, kind)
                if len(bad):
                    unit = "day" if kind == "date" else "second"
                    raise _fail(path, f"{ns.name} row {bad[0] + 1}: value {float(values[bad[0]])!r} is not a whole "
                                      f"{unit}; read with dates='number'")
                columns[ns.name] = converted
            else:
                columns[ns.name] = values
    frame = pd.DataFrame(columns, index=pd.RangeIndex(rows))
    return XptFile(frame, meta)


def _fail(path: Path, message: str) -> InputError:
    return InputError(f"{path}: {message}")


def _headers(raw: bytes, path: Path, encoding: str) -> tuple[DatasetMetadata, list[Namestr], int]:
    if raw[:RECORD] != LIBRARY_HEADER:
        what = "a SAS XPORT v8/v9 file, " if raw[20:28] == b"LIBV8   " else ""
        raise _fail(path, f"file must be a SAS XPORT v5 file (got {what}first record {raw[:48]!r})")
    real, member, member2 = raw[80:160], raw[400:480], raw[480:560]
    if not real.startswith(b"SAS     SAS     SASLIB  ") or raw[240:288] != MEMBER_PREFIX \
            or raw[320:400] != DSCRPTR_HEADER or not member.startswith(b"SAS     ") \
            or raw[560:614] != NAMESTR_PREFIX:
        raise _fail(path, "file must follow the XPORT v5 header layout (library, member, descriptor and "
                          "NAMESTR header records)")
    namestr_len, count = raw[314:318], raw[614:618]
    if namestr_len not in (b"0136", b"0140") or not count.isdigit():
        raise _fail(path, f"NAMESTR length must be 140 (or 136 for VAX/VMS) and the variable count a number "
                          f"(got {namestr_len!r}, {count!r})")
    namestr_len, count = int(namestr_len), int(count)
    start = 640
    end = start + count * namestr_len
    namestrs = []
    try:
        for i in range(count):
            namestrs.append(unpack_namestr(raw[start + i * namestr_len:start + (i + 1) * namestr_len],
                                           encoding))
        label = member2[32:72].rstrip(b" ").decode(encoding)
        text = [field.rstrip(b" ").decode("ascii") for field in (member[8:16], member[24:32], member[32:40],
                                                                 member2[72:80])]
    except UnicodeDecodeError as err:
        raise _fail(path, f"header text must be {encoding} (got {err.object[err.start:err.end]!r}); pass "
                          "encoding=") from err
    obs = start + -(-(end - start) // RECORD) * RECORD
    if raw[obs:obs + RECORD] != OBS_HEADER:
        raise _fail(path, f"the OBS header record must follow the {count} NAMESTR records")
    created, modified = parse_timestamp(member[64:80]), parse_timestamp(member2[:16])
    if created is None or modified is None:
        raise _fail(path, f"header timestamps must read ddMMMyy:hh:mm:ss (got {member[64:80]!r}, "
                          f"{member2[:16]!r})")
    variables = tuple(
        VariableMetadata(name=n.name, label=n.label, type="Char" if n.ntype == 2 else "Num", length=n.length,
                         format=n.format, informat=n.informat, justification=n.justification)
        for n in namestrs
    )
    meta = DatasetMetadata(name=text[0], label=label, variables=variables, created=created, modified=modified,
                           sas_version=text[1], os_name=text[2], dataset_type=text[3])
    return meta, namestrs, obs + RECORD


def _row_count(raw: bytes, start: int, width: int, path: Path) -> int:
    """Records in the data block. The last 80-byte record is blank-padded, so when a record is shorter
    than 80 bytes trailing all-blank records that fit in that padding are padding, not rows."""
    end = len(raw)
    found = raw.find(MEMBER_PREFIX, start)
    while found != -1:
        if found % RECORD == 0 and raw[found + RECORD:found + 2 * RECORD] == DSCRPTR_HEADER:
            raise _fail(path, "file must hold exactly one member (FDA: one dataset per file) (got a second "
                              f"member header at byte {found})")
        found = raw.find(MEMBER_PREFIX, found + 1)
    size = end - start
    if width == 0 or size <= 0:
        return 0
    rows = size // width
    fewest = max(0, (size - RECORD) // width + 1)
    blank = np.frombuffer(raw, dtype=np.uint8, count=(rows - fewest) * width, offset=start + fewest * width)
    blank = blank.reshape(rows - fewest, width)
    while rows > fewest and (blank[rows - fewest - 1] == 0x20).all():
        rows -= 1
    return rows


def _records(raw: bytes, start: int, rows: int, namestrs: list[Namestr], width: int, path: Path) -> np.ndarray:
    for n in namestrs:
        if n.ntype not in (1, 2) or not (1 <= n.length if n.ntype == 2 else 2 <= n.length <= 8):
            raise _fail(path, f"variable {n.name!r} must be Num (type 1, length 2-8) or Char (type 2, length >= 1) "
                              f"(got type {n.ntype}, length {n.length})")
    dtype = np.dtype({
        "names": [f"f{i}" for i in range(len(namestrs))],
        "formats": [">u8" if n.ntype != 2 and n.length == 8 else f"S{n.length}" for n in namestrs],
        "offsets": [n.position for n in namestrs],
        "itemsize": max([width] + [n.position + n.length for n in namestrs]),
    })
    if dtype.itemsize != width:
        raise _fail(path, "NAMESTR positions must lie inside the record (the sum of the lengths)")
    return np.frombuffer(raw, dtype=dtype, count=rows, offset=start)


def _number_column(field: np.ndarray, length: int) -> np.ndarray:
    if length == 8:
        return ibm_to_ieee(field.astype(np.uint64))
    full = np.zeros((len(field), 8), dtype=np.uint8)
    full[:, :length] = np.ascontiguousarray(field).view(np.uint8).reshape(len(field), length)
    return ibm_to_ieee(full.view(">u8").ravel().astype(np.uint64))


def _text_column(field: np.ndarray, ns: Namestr, path: Path, encoding: str) -> pd.Series:
    rows, length = field.shape[0], ns.length
    block = np.array(field, copy=True).view(np.uint8).reshape(rows, length)  # never a view of the map
    high = np.empty(0, np.int64)
    if block.size and block.max() >= 0x80:
        high = np.flatnonzero((block >= 0x80).any(axis=1))
    if len(high) and encoding.replace("-", "").lower() in ("ascii", "usascii"):
        row = int(high[0])
        raise _fail(path, f"{ns.name} row {row + 1}: value must be ASCII (got {bytes(block[row]).rstrip()!r}); "
                          "pass encoding= (SAS files are often 'windows-1252')")
    if len(high):
        try:
            values = [bytes(r).rstrip(b" ").decode(encoding) for r in block]
        except UnicodeDecodeError as err:
            row = next(i for i, r in enumerate(block) if not _decodes(bytes(r), encoding))
            raise _fail(path, f"{ns.name} row {row + 1}: value must be {encoding} (got "
                              f"{bytes(block[row]).rstrip()!r})") from err
        return pd.Series(values, dtype=_str_dtype())
    offsets = np.arange(0, (rows + 1) * length, length, dtype=np.int64)
    text = pa.LargeStringArray.from_buffers(rows, pa.py_buffer(offsets), pa.py_buffer(block))
    return pd.Series(pd.array(pc.ascii_rtrim(text, characters=" "), dtype=_str_dtype()))


def _decodes(raw: bytes, encoding: str) -> bool:
    try:
        raw.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True
