"""write_xpt on literal frames: the whole file byte by byte, the header fields, and every refusal."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import cdisc_pipe
from cdisc_pipe.errors import ExportError
from cdisc_pipe.export.metadata import DatasetMetadata, VariableMetadata
from cdisc_pipe.export.xpt import read_xpt, sas_missing, write_xpt

WHEN = datetime(2024, 3, 5, 6, 7, 8)


def _meta(*variables, name="DM", label="Demographics", **fields) -> DatasetMetadata:
    fields = {"created": WHEN, "modified": WHEN, **fields}
    return DatasetMetadata(name=name, label=label, variables=tuple(variables), **fields)


def _write(tmp_path: Path, frame: pd.DataFrame, meta: DatasetMetadata, **options) -> bytes:
    path = tmp_path / "out.xpt"
    write_xpt(frame, path, meta, **options)
    return path.read_bytes()


def _error(tmp_path: Path, frame: pd.DataFrame, meta: DatasetMetadata, **options) -> str:
    with pytest.raises(ExportError) as caught:
        write_xpt(frame, tmp_path / "bad.xpt", meta, **options)
    assert not (tmp_path / "bad.xpt").exists()
    assert not list(tmp_path.iterdir())
    return str(caught.value)


STUDYID = VariableMetadata("STUDYID", "Study Identifier", "Char", 2)
AGE = VariableMetadata("AGE", "Age", "Num", 8, format="8.")


def _namestr(ntype, length, number, name, label, fmt=b"", width=0, position=0) -> bytes:
    return (ntype.to_bytes(2, "big") + b"\0\0" + length.to_bytes(2, "big") + number.to_bytes(2, "big")
            + name.ljust(8) + label.ljust(40) + fmt.ljust(8) + width.to_bytes(2, "big") + b"\0\0" + b"\0\0"
            + b"\0\0" + b" " * 8 + b"\0\0" + b"\0\0" + position.to_bytes(4, "big") + b"\0" * 52)


def test_whole_file_byte_for_byte(tmp_path):
    frame = pd.DataFrame({"STUDYID": ["S1", "S1"], "AGE": [1.0, -118.625]})
    meta = _meta(STUDYID, AGE, sas_version="9.4", os_name="TESTHOST")
    stamp = b"05MAR24:06:07:08"
    expected = b"".join([
        b"HEADER RECORD*******LIBRARY HEADER RECORD!!!!!!!000000000000000000000000000000  ",
        b"SAS     SAS     SASLIB  9.4     TESTHOST" + b" " * 24 + stamp,
        stamp + b" " * 64,
        b"HEADER RECORD*******MEMBER  HEADER RECORD!!!!!!!000000000000000001600000000140  ",
        b"HEADER RECORD*******DSCRPTR HEADER RECORD!!!!!!!000000000000000000000000000000  ",
        b"SAS     DM      SASDATA 9.4     TESTHOST" + b" " * 24 + stamp,
        stamp + b" " * 16 + b"Demographics" + b" " * 28 + b" " * 8,
        b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!000000000200000000000000000000  ",
        _namestr(2, 2, 1, b"STUDYID", b"Study Identifier"),
        _namestr(1, 8, 2, b"AGE", b"Age", b"", 8, position=2),
        b" " * 40,  # 2 x 140 = 280 bytes, blank-padded to 320
        b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!000000000000000000000000000000  ",
        b"S1" + bytes.fromhex("4110000000000000"),
        b"S1" + bytes.fromhex("C276A00000000000"),
        b" " * 60,  # 2 x 10 = 20 bytes, blank-padded to 80
    ])
    assert _write(tmp_path, frame, meta) == expected
    assert len(expected) % 80 == 0


def test_missing_values_zero_and_the_format_fields(tmp_path):
    frame = pd.DataFrame({"AGE": [-0.0, np.nan, sas_missing("A"), sas_missing("_")]})
    meta = _meta(VariableMetadata("AGE", "Age", "Num", 8, format="DATE9.", informat="YYMMDD10.",
                                  justification=1))
    raw = _write(tmp_path, frame, meta)
    namestr = raw[640:780]
    assert namestr[56:72] == b"DATE    " + bytes.fromhex("0009 0000 0001 0000")
    assert namestr[72:84] == b"YYMMDD  " + bytes.fromhex("000a 0000")
    data = raw[880:]
    assert data == bytes.fromhex("0000000000000000 2E00000000000000 4100000000000000 5F00000000000000") + b" " * 48


def test_dates_are_days_datetimes_seconds_times_seconds_since_1960(tmp_path):
    frame = pd.DataFrame({
        "ADT": pd.to_datetime(["1960-01-01", "1960-01-02", None, "1959-12-31"]).astype("datetime64[s]"),
        "ADTM": pd.to_datetime(["1960-01-01T00:00:01", "2020-01-01T00:00:00", None, "1960-01-01"],
                               format="ISO8601").astype("datetime64[s]"),
        "ATM": pd.to_timedelta(["00:00:00", "01:00:00", None, "23:59:59"]).astype("timedelta64[s]"),
    })
    meta = _meta(VariableMetadata("ADT", "Date", "Num", 8, format="DATE9."),
                 VariableMetadata("ADTM", "Datetime", "Num", 8, format="E8601DT19."),
                 VariableMetadata("ATM", "Time", "Num", 8, format="TIME8."))
    path = tmp_path / "dates.xpt"
    write_xpt(frame, path, meta)
    numbers, _ = read_xpt(path)
    assert numbers["ADT"].tolist()[:2] + numbers["ADT"].tolist()[3:] == [0.0, 1.0, -1.0]
    assert numbers["ADTM"].tolist()[:2] == [1.0, 1893456000.0]  # 21,915 days * 86,400
    assert numbers["ATM"].tolist()[1] == 3600.0 and numbers["ATM"].tolist()[3] == 86399.0
    assert numbers.iloc[2].isna().all()
    back, _ = read_xpt(path, dates="datetime")
    pd.testing.assert_frame_equal(back, frame)


def test_our_header_fields_name_the_writer_and_come_from_metadata(tmp_path):
    frame = pd.DataFrame({"STUDYID": ["S1"]})
    raw = _write(tmp_path, frame, _meta(STUDYID, created=datetime(1999, 12, 31, 23, 59, 58),
                                         modified=datetime(2068, 1, 2, 3, 4, 5)))
    version = cdisc_pipe.__version__.encode().ljust(8)
    assert raw[80:160] == b"SAS     SAS     SASLIB  " + version + b"CDISCPIP" + b" " * 24 + b"31DEC99:23:59:58"
    assert raw[160:176] == raw[480:496] == b"02JAN68:03:04:05"
    assert raw[400:480] == b"SAS     DM      SASDATA " + version + b"CDISCPIP" + b" " * 24 + b"31DEC99:23:59:58"
    assert _write(tmp_path, frame, _meta(STUDYID)) == _write(tmp_path, frame, _meta(STUDYID))


def test_char_values_blank_padded_and_missing_is_blank(tmp_path):
    frame = pd.DataFrame({"X": pd.Series(["a", None, " b", ""], dtype=object), "N": [1.0, 2.0, 3.0, 4.0]})
    meta = _meta(VariableMetadata("X", "", "Char", 3), VariableMetadata("N", "", "Num", 8))
    data = _write(tmp_path, frame, meta)[1040:]  # 2 NAMESTRs: 280 bytes padded to 320
    assert [data[i * 11:i * 11 + 3] for i in range(4)] == [b"a  ", b"   ", b" b ", b"   "]


def test_short_numerics_keep_their_leading_bytes(tmp_path):
    frame = pd.DataFrame({"N": [1.0, 3.0, np.nan]})
    raw = _write(tmp_path, frame, _meta(VariableMetadata("N", "", "Num", 3)))
    assert raw[880:889] == bytes.fromhex("411000 413000 2E0000")
    assert read_xpt(tmp_path / "out.xpt").frame["N"].tolist()[:2] == [1.0, 3.0]


def test_accepted_column_types(tmp_path):
    frame = pd.DataFrame({
        "C1": pd.array(["x", None], dtype="string"), "C2": pd.Categorical(["y", "z"]),
        "N1": pd.array([1, None], dtype="Int64"), "N2": np.array([2, 3], dtype=np.int32),
        "N3": pd.Series([4.5, None], dtype=object),
    })
    meta = _meta(*(VariableMetadata(c, "", "Char", 1) for c in ("C1", "C2")),
                 *(VariableMetadata(c, "", "Num", 8) for c in ("N1", "N2", "N3")))
    write_xpt(frame, tmp_path / "t.xpt", meta)
    back = read_xpt(tmp_path / "t.xpt").frame
    assert back["C1"].tolist() == ["x", ""] and back["C2"].tolist() == ["y", "z"]
    assert back["N1"].tolist()[0] == 1.0 and np.isnan(back["N1"][1]) and back["N2"].tolist() == [2.0, 3.0]


def test_windows_1252_only_when_asked(tmp_path):
    frame = pd.DataFrame({"TSVAL": ["Alzheimer\u2019s Disease"]})
    meta = _meta(VariableMetadata("TSVAL", "Parameter Value", "Char", 19), name="TS", label="Trial Summary")
    raw = _write(tmp_path, frame, meta, encoding="windows-1252")
    assert raw.endswith(b"Alzheimer\x92s Disease" + b" " * 61)
    assert read_xpt(tmp_path / "out.xpt", encoding="windows-1252").frame.equals(frame)


# --- refusals: message text is part of the interface --------------------------------------------------


def test_long_name_label_and_value_message(tmp_path):
    frame = pd.DataFrame({"LONGNAME9": ["x"], "AETERM": ["A" * 201], "aeterm": ["ok"]})
    meta = _meta(VariableMetadata("LONGNAME9", "L" * 41, "Char", 1),
                 VariableMetadata("AETERM", "Reported Term", "Char", 200),
                 VariableMetadata("aeterm", "lower case", "Char", 2), name="AE", label="Adverse Events")
    assert _error(tmp_path, frame, meta) == (
        "dataset 'AE' cannot be written as SAS XPORT v5 (4 problems):\n"
        "  - variable 'LONGNAME9': name must be 1-8 upper-case letters, digits or underscores, not starting "
        "with a digit (got 'LONGNAME9')\n"
        f"  - variable 'LONGNAME9': label must be at most 40 bytes (got '{'L' * 41}', 41 bytes)\n"
        "  - variable 'aeterm': name must be 1-8 upper-case letters, digits or underscores, not starting "
        "with a digit (got 'aeterm')\n"
        f"  - AETERM row 1: value must be at most 200 bytes (the XPT v5 limit) (got '{'A' * 60}…', 201 bytes)"
    )


def test_the_error_carries_the_problems_as_records(tmp_path):
    frame = pd.DataFrame({"AETERM": ["HEADACHE", "X" * 70]})
    meta = _meta(VariableMetadata("AETERM", "Reported Term", "Char", 8), name="AE", label="Adverse Events")
    with pytest.raises(ExportError) as caught:
        write_xpt(frame, tmp_path / "ae.xpt", meta)
    error = caught.value
    assert (error.variable, error.row, error.value, error.count) == ("AETERM", 2, "X" * 70, 1)
    assert error.expected == "value must be at most 8 bytes (the variable's length)"
    assert [(p.variable, p.row) for p in error.problems] == [("AETERM", 2)]
    with pytest.raises(ExportError) as caught:
        write_xpt(pd.DataFrame({"N": [np.inf]}), tmp_path / "n.xpt", _meta(VariableMetadata("N", "", "Num", 8)))
    assert caught.value.value == "inf" and caught.value.problems[0].value == np.inf


def test_non_ascii_and_too_long_for_the_variable_message(tmp_path):
    frame = pd.DataFrame({"AETERM": ["HEADACHE", "Céphalée", "NAUSEA AND VOMITING"]})
    meta = _meta(VariableMetadata("AETERM", "Reported Term", "Char", 8), name="AE", label="Adverse Events")
    assert _error(tmp_path, frame, meta) == (
        "dataset 'AE' cannot be written as SAS XPORT v5 (2 problems):\n"
        "  - AETERM row 2: value must be ASCII (got 'Céphalée')\n"
        "  - AETERM row 3: value must be at most 8 bytes (the variable's length) "
        "(got 'NAUSEA AND VOMITING', 19 bytes)"
    )


def test_numbers_dates_and_header_message(tmp_path):
    frame = pd.DataFrame({
        "AVAL": [1.0, np.inf, 1e80],
        "ADT": pd.to_datetime(["2020-01-01", "2020-01-02T12:00", None], format="ISO8601").astype("datetime64[s]"),
        "ADTM": pd.to_datetime(["2020-01-01", None, None]).astype("datetime64[ns]"),
    })
    meta = DatasetMetadata("ADLB", "Lab \u00e9", (
        VariableMetadata("AVAL", "Analysis Value", "Num", 8),
        VariableMetadata("ADT", "Analysis Date", "Num", 8, format="DATE9."),
        VariableMetadata("ADTM", "Analysis Datetime", "Num", 8),
    ), created=datetime(2024, 1, 1, 0, 0, 0, 5), modified=WHEN, sas_version="TOO LONG 9")
    assert _error(tmp_path, frame, meta) == (
        "dataset 'ADLB' cannot be written as SAS XPORT v5 (7 problems):\n"
        "  - dataset label must be ascii text (got 'Lab é')\n"
        "  - header release field (sas_version) must be at most 8 bytes (got 'TOO LONG 9', 10 bytes)\n"
        "  - created must be a naive datetime in whole seconds, years 1969-2068 (the header holds a two-digit "
        "year) (got 2024-01-01T00:00:00.000005)\n"
        "  - AVAL row 2: value must be finite and between 5.4e-79 and 7.2e+75 in magnitude (IBM double range) "
        "(got inf)\n"
        "  - AVAL row 3: value must be finite and between 5.4e-79 and 7.2e+75 in magnitude (IBM double range) "
        "(got 1e+80)\n"
        "  - ADT row 2: value must be a whole day, as format 'DATE9.' stores days (got 2020-01-02 12:00:00)\n"
        "  - ADTM: a datetime64[ns] column needs a DATE or DATETIME format (DATE9., E8601DT19.) and no time "
        "zone, to know what number to write (got format None)"
    )


def test_frame_and_metadata_must_agree(tmp_path):
    frame = pd.DataFrame({"A": ["x"], "B": [1.0], "EXTRA": [2.0]})
    meta = _meta(VariableMetadata("A", "", "Num", 8), VariableMetadata("B", "", "Char", 4),
                 VariableMetadata("C", "", "Char", 201))
    assert _error(tmp_path, frame, meta) == (
        "dataset 'DM' cannot be written as SAS XPORT v5 (5 problems):\n"
        "  - variable 'C': length must be 1-200 bytes for Char (got 201)\n"
        "  - frame columns must all be variables of the metadata (got extra columns ['EXTRA'])\n"
        "  - metadata variables must all be frame columns (got no column for ['C'])\n"
        "  - A: a Num column must hold numbers (got dtype str)\n"
        "  - B: a Char column must hold str (got dtype float64)"
    )


def test_at_most_ten_problems_are_listed(tmp_path):
    frame = pd.DataFrame({"X": [f"value {i}" for i in range(25)]})
    message = _error(tmp_path, frame, _meta(VariableMetadata("X", "", "Char", 1)))
    assert message.count("\n  - X row ") == 10
    assert message.endswith("\n  … and 15 more") and "(25 problems)" in message


def test_a_trailing_all_blank_record_is_refused(tmp_path):
    frame = pd.DataFrame({"X": ["a", " "]})
    assert _error(tmp_path, frame, _meta(VariableMetadata("X", "", "Char", 1))) == (
        "dataset 'DM' cannot be written as SAS XPORT v5 (1 problem):\n"
        "  - row 2: the last record must not be all blanks: XPT readers (SAS, pyreadstat) cannot tell it from "
        "the record padding (got a row of empty Char values)"
    )


def test_mixed_object_columns_name_the_rows(tmp_path):
    frame = pd.DataFrame({"C": pd.Series(["a", 1, None], dtype=object),
                          "N": pd.Series([1.0, "2", None], dtype=object)})
    meta = _meta(VariableMetadata("C", "", "Char", 1), VariableMetadata("N", "", "Num", 8))
    assert _error(tmp_path, frame, meta) == (
        "dataset 'DM' cannot be written as SAS XPORT v5 (2 problems):\n"
        "  - C row 2: value must be str (got 1)\n"
        "  - N row 2: value must be a number (got '2')"
    )


def test_short_numeric_that_would_lose_bits_is_refused(tmp_path):
    frame = pd.DataFrame({"N": [1.0, 0.1]})
    message = _error(tmp_path, frame, _meta(VariableMetadata("N", "", "Num", 4)))
    assert message.endswith("  - N row 2: value must be storable in 4 bytes without changing it (got 0.1)")
