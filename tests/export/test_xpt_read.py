"""read_xpt on files we build: record padding, refusals, encodings, date conversion."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest

from cdisc_pipe.errors import InputError
from cdisc_pipe.export.metadata import DatasetMetadata, VariableMetadata
from cdisc_pipe.export.xpt import read_xpt, write_xpt

WHEN = datetime(2021, 6, 1, 12, 0, 0)


def _file(tmp_path, frame, *variables, name="T", **options):
    meta = DatasetMetadata(name, "", tuple(variables), WHEN, WHEN)
    path = tmp_path / f"{name.lower()}.xpt"
    write_xpt(frame, path, meta, **options)
    return path


def test_short_records_blank_padding_is_not_rows_but_inner_blank_rows_are(tmp_path):
    x = VariableMetadata("X", "", "Char", 1)
    path = _file(tmp_path, pd.DataFrame({"X": ["a", "", "b"]}), x)
    assert path.read_bytes()[-80:] == b"a b" + b" " * 77
    assert read_xpt(path).frame["X"].tolist() == ["a", "", "b"]


def test_exactly_full_last_record_and_empty_dataset(tmp_path):
    x = VariableMetadata("X", "", "Char", 8)
    full = _file(tmp_path, pd.DataFrame({"X": [f"v{i}" for i in range(10)]}), x, name="FULL")
    assert read_xpt(full).frame["X"].tolist() == [f"v{i}" for i in range(10)]
    empty = _file(tmp_path, pd.DataFrame({"X": pd.Series([], dtype="str")}), x, name="EMPTY")
    assert empty.read_bytes().endswith(b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!" + b"0" * 30 + b"  ")
    frame, meta = read_xpt(empty)
    assert len(frame) == 0 and list(frame.columns) == ["X"] and meta.variables == (x,)


def test_more_than_one_member_is_refused(tmp_path):
    first = _file(tmp_path, pd.DataFrame({"X": ["a"]}), VariableMetadata("X", "", "Char", 1), name="A")
    second = _file(tmp_path, pd.DataFrame({"Y": [1.0]}), VariableMetadata("Y", "", "Num", 8), name="B")
    both = tmp_path / "both.xpt"
    both.write_bytes(first.read_bytes() + second.read_bytes()[240:])
    with pytest.raises(InputError) as caught:
        read_xpt(both)
    assert str(caught.value) == (f"{both}: file must hold exactly one member (FDA: one dataset per file) (got a "
                                 "second member header at byte 960)")


def test_not_an_xport_v5_file(tmp_path):
    path = tmp_path / "x.xpt"
    path.write_bytes(b"HEADER RECORD*******LIBV8   HEADER RECORD!!!!!!!" + b"0" * 30 + b"  " + b" " * 560)
    with pytest.raises(InputError, match=r"file must be a SAS XPORT v5 file \(got a SAS XPORT v8/v9 file"):
        read_xpt(path)
    path.write_bytes(b"not a transport file")
    with pytest.raises(InputError, match=r"file must be a SAS XPORT v5 file \(got 20 bytes\)"):
        read_xpt(path)


def test_non_ascii_bytes_need_an_encoding(tmp_path):
    frame = pd.DataFrame({"TSVAL": ["plain", "Alzheimer\u2019s"]})
    path = _file(tmp_path, frame, VariableMetadata("TSVAL", "", "Char", 11), encoding="windows-1252")
    with pytest.raises(InputError) as caught:
        read_xpt(path)
    assert str(caught.value) == (f"{path}: TSVAL row 2: value must be ASCII (got b'Alzheimer\\x92s'); pass "
                                 "encoding= (SAS files are often 'windows-1252')")
    assert read_xpt(path, encoding="windows-1252").frame.equals(frame)
    with pytest.raises(InputError, match=r"TSVAL row 2: value must be utf-8 \(got b'Alzheimer\\x92s'\)"):
        read_xpt(path, encoding="utf-8")


def test_dates_as_numbers_by_default_and_converted_when_asked(tmp_path):
    frame = pd.DataFrame({"ADT": [0.0, 1.5, np.nan]})
    path = _file(tmp_path, frame, VariableMetadata("ADT", "", "Num", 8, format="DATE9."))
    assert read_xpt(path).frame.equals(frame)
    with pytest.raises(InputError) as caught:
        read_xpt(path, dates="datetime")
    assert str(caught.value) == f"{path}: ADT row 2: value 1.5 is not a whole day; read with dates='number'"
    with pytest.raises(ValueError, match="dates must be 'number' or 'datetime'"):
        read_xpt(path, dates="iso")


def test_metadata_fields_read_back(tmp_path):
    meta = DatasetMetadata("ADSL", "Subject-Level Analysis Dataset", (
        VariableMetadata("TRTSDT", "Date of First Exposure to Treatment", "Num", 8, format="DATE9.",
                         informat="YYMMDD10.", justification=1),
        VariableMetadata("ARM", "Description of Planned Arm", "Char", 20, format="$20."),
    ), created=datetime(2012, 10, 15, 22, 56, 22), modified=datetime(2012, 10, 16, 1, 2, 3),
        sas_version="9.4", os_name="Linux\0\0\0", dataset_type="DATA")
    frame = pd.DataFrame({"TRTSDT": [19000.0], "ARM": ["Placebo"]})
    path = tmp_path / "adsl.xpt"
    write_xpt(frame, path, meta)
    back, back_meta = read_xpt(path)
    assert back_meta == meta and back.equals(frame)
