"""Read a CSV raw export: one file per form, every value kept exactly as entered, as a string.

Rules (documented for data managers in ``docs/readers.md``):

* every column is read as text; no type or NA guessing: only the empty field (``,,`` or ``,"",``) is
  missing; ``NA``, ``NULL``, ``N/A``, ``.`` stay text; leading and trailing spaces are kept;
* the file is decoded with the spec's ``raw.encoding``; a byte-order mark at the start is tolerated; a byte
  that does not decode is an :class:`~cdisc_pipe.errors.InputError` naming file, line, byte offset and
  encoding;
* the delimiter is the spec's ``raw.delimiter``; ``"`` quotes, ``""`` inside quotes is one ``"``; quoted
  fields may hold delimiters and line breaks (kept as they are, ``\\r\\n`` included);
* ``ROW`` is the record ordinal: the header is record 0, the first data record is 1. A quoted field with a
  line break makes a record span several physical lines, so ``ROW`` can be smaller than the line number
  an editor shows; blank lines are skipped and not counted;
* a repeated column name in the header, or a record with more or fewer fields than the header, makes the
  file unreadable (:class:`~cdisc_pipe.errors.InputError`).

Parsing is done by ``pyarrow.csv`` with every column typed as string, so 100,000-record files read in
well under a second.
"""

from __future__ import annotations

import codecs
import csv as pycsv
import io
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from cdisc_pipe.errors import InputError
from cdisc_pipe.raw.assemble import assemble_form, assert_unique_names
from cdisc_pipe.raw.model import RawExport, RawForm
from cdisc_pipe.spec.model import Form, Study

__all__ = ["read_csv_export", "read_csv_form"]

_BOM = codecs.BOM_UTF8
_HEAD_BYTES = 1 << 16


def read_csv_export(folder: Path, study: Study) -> RawExport:
    """Read every form of ``study`` from the CSV files in ``folder`` (each form's ``file``).

    Forms whose file is absent are listed in ``missing_forms``; files no form claims are left alone (see
    :func:`cdisc_pipe.raw.read.unclaimed_files`).
    """
    folder = Path(folder)
    forms: dict[str, RawForm] = {}
    missing: list[str] = []
    for form in study.forms:
        path = folder / form.file
        if path.is_file():
            forms[form.id] = read_csv_form(
                path, form, encoding=study.raw.encoding, delimiter=study.raw.delimiter
            )
        else:
            missing.append(form.id)
    return RawExport(source=folder, format="csv", forms=forms, missing_forms=tuple(missing))


def read_csv_form(path: Path, form: Form, *, encoding: str = "utf-8", delimiter: str = ",") -> RawForm:
    """Read one form's CSV file into a :class:`RawForm` of strings (rules in the module docstring)."""
    path = Path(path)
    name = path.name
    if len(delimiter) != 1:
        raise InputError(f"`raw.delimiter` must be one character (got {delimiter!r})")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"`{path}` must be a readable file (got {err.strerror})") from err
    utf8 = _is_utf8(encoding)
    buffer = _strip_bom(data) if utf8 else _transcode(data, encoding=encoding, file=name)
    if not buffer.strip(b"\r\n"):
        raise InputError(f"`{name}` must start with a header row (got an empty file)")
    n_columns = _count_header_fields(buffer, delimiter=delimiter, file=name)
    ragged: list[pacsv.InvalidRow] = []

    def keep_ragged(row: pacsv.InvalidRow) -> str:
        ragged.append(row)  # reported all together below, rather than at the first one
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(buffer),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, encoding="utf8"),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                invalid_row_handler=keep_ragged,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={f"f{i}": pa.string() for i in range(n_columns)},
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                check_utf8=True,
            ),
        )
    except pa.ArrowInvalid as err:
        if utf8:
            _assert_decodes(data, encoding="utf-8", file=name)
        raise InputError(f"`{name}` must be a well-formed CSV file (got {err})") from err
    if ragged:
        raise InputError(_ragged_message(ragged, file=name))
    return _from_table(table, form=form, file=name)


def _ragged_message(rows: list[pacsv.InvalidRow], *, file: str) -> str:
    shown = "; ".join(
        f"{row.actual_columns} fields in {_clip(row.text)!r}" for row in rows[:10]
    )
    more = f" … and {len(rows) - 10} more" if len(rows) > 10 else ""
    return (
        f"`{file}` records must have {rows[0].expected_columns} fields like the header "
        f"(got {shown}{more})"
    )


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _from_table(table: pa.Table, *, form: Form, file: str) -> RawForm:
    """Split off the header record, name the columns after it and hand over to :func:`assemble_form`."""
    header = table.slice(0, 1).to_pylist()[0]
    names = [header[key] for key in table.column_names]
    empty = [i + 1 for i, value in enumerate(names) if value is None]
    if empty:
        raise InputError(f"`{file}` header must name every column (got an empty name in column {empty[0]})")
    assert_unique_names(names, file=file)
    body = table.slice(1).rename_columns(names)
    return assemble_form(form, body, file=file)


def _count_header_fields(buffer: bytes, *, delimiter: str, file: str) -> int:
    """Number of fields of the header record (parsed with the same quoting rules as the body)."""
    size = _HEAD_BYTES
    while True:
        whole = size >= len(buffer)
        head = buffer[:size].decode("utf-8", errors="replace")
        reader = pycsv.reader(io.StringIO(head, newline=""), delimiter=delimiter, quotechar='"')
        records = (record for record in reader if record)  # blank lines are skipped, as the parser does
        try:
            first = next(records)
            # The first record is complete once another one starts after it (or the head is the file).
            if whole or next(records, None) is not None:
                return len(first)
        except pycsv.Error as err:
            if whole:
                raise InputError(f"`{file}` header must be a well-formed CSV record (got {err})") from err
        size *= 4


def _is_utf8(encoding: str) -> bool:
    try:
        name = codecs.lookup(encoding).name
    except LookupError as err:
        raise InputError(f"`raw.encoding` must be an encoding Python knows (got {encoding!r})") from err
    return name in {"utf-8", "utf-8-sig"}


def _strip_bom(data: bytes) -> bytes:
    return data[len(_BOM):] if data.startswith(_BOM) else data


def _transcode(data: bytes, *, encoding: str, file: str) -> bytes:
    """Decode ``data`` with ``encoding`` (BOM tolerated) and return it as UTF-8 for the parser."""
    text = _decode(data, encoding=encoding, file=file)
    return text.removeprefix("\ufeff").encode("utf-8")


def _assert_decodes(data: bytes, *, encoding: str, file: str) -> None:
    _decode(data, encoding=encoding, file=file)


def _decode(data: bytes, *, encoding: str, file: str) -> str:
    """``data`` decoded, or an :class:`InputError` naming the line and byte offset of the first bad byte."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        bad = data[err.start : err.end].hex(" ")
        raise InputError(
            f"`{file}` must be encoded as {encoding} (got bytes {bad} at line {line}, byte offset "
            f"{err.start}, which do not decode: {err.reason})"
        ) from err
