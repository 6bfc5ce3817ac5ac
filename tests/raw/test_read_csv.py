"""The CSV reader keeps every value exactly as entered, as a string, and numbers records by ordinal."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdisc_pipe.errors import InputError
from cdisc_pipe.raw.assemble import STRING_DTYPE
from cdisc_pipe.raw.csv import read_csv_form
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.raw.read import read_raw
from readers_fixtures import (
    assert_same_frame,
    expected_frame,
    mini_study,
    sample_frames,
    text_frame,
    write_csv,
    write_csv_export,
)

STUDY = mini_study()
DM = STUDY.form("DM")


def _write(tmp_path: Path, data: bytes, name: str = "dm.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_values_are_kept_as_entered(tmp_path):
    data = (
        'SUBJECT,SITENUMBER,FOLDER,BRTHDAT,SEX,INITIALS\r\n'
        '001,01,SCRN, 05 MAR 1961 ,NA,NULL\r\n'
        '002,,SCRN,"",N/A,"A,""B"""\r\n'
        '007,01,SCRN,.,0, \r\n'
    ).encode()
    frame = read_csv_form(_write(tmp_path, data), DM).frame
    assert frame.to_dict("list") == {
        "SUBJECT": ["001", "002", "007"],
        "SITENUMBER": ["01", np.nan, "01"],
        "FOLDER": ["SCRN", "SCRN", "SCRN"],
        "BRTHDAT": [" 05 MAR 1961 ", np.nan, "."],
        "SEX": ["NA", "N/A", "0"],
        "INITIALS": ["NULL", 'A,"B"', " "],
        ROW: [1, 2, 3],
    }
    assert all(frame[c].dtype == STRING_DTYPE for c in frame.columns if c != ROW)
    assert frame[ROW].dtype == np.int64


def test_row_is_the_record_ordinal_when_a_field_spans_lines(tmp_path):
    data = b'SUBJECT,INITIALS\n001,"two\nlines"\n002,"three\r\nphysical\nlines"\n003,x\n'
    frame = read_csv_form(_write(tmp_path, data), DM).frame
    assert frame[ROW].tolist() == [1, 2, 3]
    assert frame["INITIALS"].tolist() == ["two\nlines", "three\r\nphysical\nlines", "x"]


def test_spec_fields_first_then_extras_in_file_order(tmp_path):
    data = b"ZZ,SEX,SUBJECT,AA\n1,2,3,4\n"
    raw_form = read_csv_form(_write(tmp_path, data), DM)
    assert list(raw_form.frame.columns) == ["SUBJECT", "SEX", "ZZ", "AA", ROW]
    assert raw_form.missing_columns == ("SITENUMBER", "FOLDER", "BRTHDAT", "INITIALS")
    assert raw_form.extra_columns == ("ZZ", "AA")
    assert raw_form.file == "dm.csv"


def test_header_only_file_gives_an_empty_frame_with_columns(tmp_path):
    frame = read_csv_form(_write(tmp_path, b"SUBJECT,SEX\r\n"), DM).frame
    assert list(frame.columns) == ["SUBJECT", "SEX", ROW] and len(frame) == 0
    assert frame["SEX"].dtype == STRING_DTYPE


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"])
def test_declared_encoding_and_bom(tmp_path, encoding):
    path = _write(tmp_path, "SUBJECT,INITIALS\r\n001,Zoë Ørsted\r\n".encode(encoding))
    frame = read_csv_form(path, DM, encoding=encoding).frame
    assert list(frame.columns) == ["SUBJECT", "INITIALS", ROW]
    assert frame["INITIALS"].tolist() == ["Zoë Ørsted"]


def test_utf8_bom_is_tolerated_when_spec_says_utf8(tmp_path):
    frame = read_csv_form(_write(tmp_path, b"\xef\xbb\xbfSUBJECT,SEX\n001,1\n"), DM).frame
    assert list(frame.columns) == ["SUBJECT", "SEX", ROW]


def test_bad_byte_names_file_line_offset_and_encoding(tmp_path):
    data = b"SUBJECT,INITIALS\n001,ok\n002,caf\xe9\n"
    with pytest.raises(InputError) as caught:
        read_csv_form(_write(tmp_path, data), DM)
    assert str(caught.value) == (
        "`dm.csv` must be encoded as utf-8 (got bytes e9 at line 3, byte offset 31, which do not "
        "decode: invalid continuation byte)"
    )


def test_bad_byte_in_a_non_utf8_encoding(tmp_path):
    with pytest.raises(InputError, match=r"must be encoded as ascii .* line 2, byte offset 12"):
        read_csv_form(_write(tmp_path, b"SUBJECT,SEX\n\xff\n"), DM, encoding="ascii")


def test_delimiter_from_spec(tmp_path):
    study = mini_study(delimiter=";")
    frames = {"DM": text_frame({"SUBJECT": ["001"], "INITIALS": ["a;b,c"]})}
    write_csv_export(frames, study, tmp_path)
    frame = read_raw(tmp_path, study).frame("DM")
    assert frame["INITIALS"].tolist() == ["a;b,c"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"SUBJECT,SEX,SUBJECT\n1,2,3\n", "`dm.csv` column names must be unique (got 'SUBJECT' x2)"),
        (b"SUBJECT,,SEX\n1,2,3\n", "`dm.csv` header must name every column (got an empty name in column 2)"),
        (b"", "`dm.csv` must start with a header row (got an empty file)"),
        (b"SUBJECT,SEX\n1,2,3\n4,5\n",
         "`dm.csv` records must have 2 fields like the header (got 3 fields in '1,2,3')"),
        (b"SUBJECT,_ROW_\n1,2\n",
         "`dm.csv` column names must not include the reserved name '_ROW_' (got '_ROW_')"),
    ],
)
def test_unreadable_files_are_input_errors(tmp_path, data, message):
    with pytest.raises(InputError) as caught:
        read_csv_form(_write(tmp_path, data), DM)
    assert str(caught.value) == message


def test_export_round_trip_and_missing_forms(tmp_path):
    frames = sample_frames()
    del frames["VS"]
    write_csv_export(frames, STUDY, tmp_path)
    export = read_raw(tmp_path, STUDY)
    assert export.format == "csv" and export.source == tmp_path
    assert export.missing_forms == ("VS",)
    for form_id, frame in frames.items():
        assert_same_frame(export.frame(form_id), expected_frame(frame, STUDY.form(form_id)), label=form_id)
    assert export.forms["AE"].extra_columns == ("AECOMM",)


def test_a_large_form_reads_well_under_a_second(tmp_path):
    n = 100_000
    rng = np.random.default_rng(7)
    columns = {"SUBJECT": np.char.add("S", np.arange(n).astype(str)), "SITENUMBER": np.full(n, "01")}
    columns |= {f"X{i}": rng.normal(size=n).round(3).astype(str) for i in range(20)}
    pd.DataFrame(columns).to_csv(tmp_path / "dm.csv", index=False)
    start = time.perf_counter()
    raw_form = read_csv_form(tmp_path / "dm.csv", DM)
    elapsed = time.perf_counter() - start
    assert raw_form.n_records == n
    assert elapsed < 1.0, f"reading {n} records took {elapsed:.2f}s"


# Any text a CSV can carry: no NUL (not text), no surrogates (not encodable); empty strings are the empty
# field and so read back as missing.
CSV_TEXT = st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    subjects=st.lists(CSV_TEXT, min_size=0, max_size=6),
    data=st.data(),
)
def test_property_any_text_round_trips_through_csv(tmp_path, subjects, data):
    n = len(subjects)
    initials = data.draw(st.lists(st.none() | CSV_TEXT, min_size=n, max_size=n))
    extra = data.draw(st.lists(st.none() | CSV_TEXT, min_size=n, max_size=n))
    frame = text_frame({"SUBJECT": subjects, "INITIALS": initials, "NOTE, \"quoted\"\nname": extra})
    path = write_csv(frame, tmp_path / "dm.csv")
    assert_same_frame(read_csv_form(path, DM).frame, expected_frame(frame, DM))
