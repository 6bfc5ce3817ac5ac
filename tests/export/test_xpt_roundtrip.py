"""Round trips: random datasets -> write_xpt -> read_xpt / pyreadstat / pandas.read_sas, and same bytes twice."""

from __future__ import annotations

import dataclasses
from datetime import datetime

import numpy as np
import pandas as pd
import pyreadstat
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import cdisc_pipe
from cdisc_pipe.export.ibm import SPECIAL_TAGS, missing_tags, sas_missing
from cdisc_pipe.export.metadata import DatasetMetadata, VariableMetadata
from cdisc_pipe.export.xpt import WRITER_OS, read_xpt, write_xpt

NAMES = st.from_regex(r"[A-Z_][A-Z0-9_]{0,7}", fullmatch=True)
PRINTABLE = st.characters(min_codepoint=0x20, max_codepoint=0x7E)
LABELS = st.text(PRINTABLE, max_size=40).map(lambda s: s.rstrip(" "))
VALUES = st.text(PRINTABLE, max_size=24).map(lambda s: s.rstrip(" "))  # SAS drops trailing blanks
IBM_RANGE = st.floats(min_value=16.0**-65, max_value=16.0**63 * (1 - 2.0**-53))
NUMBERS = st.one_of(IBM_RANGE, IBM_RANGE.map(lambda v: -v), st.just(0.0), st.just(-0.0),
                    st.integers(-10**6, 10**6).map(float),
                    st.sampled_from(["."] + list(SPECIAL_TAGS)).map(sas_missing))
STAMPS = st.datetimes(min_value=datetime(1969, 1, 1), max_value=datetime(2068, 12, 31)).map(
    lambda d: d.replace(microsecond=0))
DAYS = st.one_of(st.none(), st.integers(-40000, 60000))  # SAS days: 1850 to 2124
SECONDS = st.one_of(st.none(), st.integers(-3 * 10**9, 5 * 10**9))


@st.composite
def datasets(draw) -> tuple[pd.DataFrame, DatasetMetadata]:
    names = draw(st.lists(NAMES, min_size=1, max_size=6, unique=True))
    rows = draw(st.integers(0, 12))
    columns, variables = {}, []
    for name in names:
        kind = draw(st.sampled_from(["Char", "Num", "date", "datetime"]))
        label = draw(LABELS)
        if kind == "Char":
            values = draw(st.lists(VALUES, min_size=rows, max_size=rows))
            longest = max([len(v) for v in values] + [1])
            length = draw(st.integers(longest, min(200, longest + 4)))
            fmt = draw(st.sampled_from([None, f"${length}.", "$CHAR20."]))
            columns[name] = pd.Series(values, dtype="str")
            variables.append(VariableMetadata(name, label, "Char", length, format=fmt))
            continue
        if kind == "Num":
            columns[name] = pd.Series(draw(st.lists(NUMBERS, min_size=rows, max_size=rows)), dtype=np.float64)
            fmt = draw(st.sampled_from([None, "8.", "8.2", "BEST12."]))
        else:
            numbers = draw(st.lists(DAYS if kind == "date" else SECONDS, min_size=rows, max_size=rows))
            seconds = [None if n is None else n * (86400 if kind == "date" else 1) - 3653 * 86400 for n in numbers]
            columns[name] = pd.Series(np.array([np.datetime64("NaT") if s is None else s for s in seconds],
                                               dtype="M8[s]") if rows else np.array([], dtype="M8[s]"))
            fmt = "DATE9." if kind == "date" else draw(st.sampled_from(["DATETIME20.", "E8601DT19."]))
        informat = draw(st.sampled_from([None, fmt]))
        variables.append(VariableMetadata(name, label, "Num", 8, format=fmt, informat=informat))
    frame = pd.DataFrame(columns, index=pd.RangeIndex(rows))
    meta = DatasetMetadata(name=draw(NAMES), label=draw(LABELS), variables=tuple(variables),
                           created=draw(STAMPS), modified=draw(STAMPS),
                           dataset_type=draw(st.sampled_from(["", "DATA"])))
    blank_last = rows and all(v.type == "Char" for v in variables) and not any(frame.iloc[-1].str.strip(" "))
    assume(not blank_last)
    return frame, meta


def _bits(frame: pd.DataFrame) -> dict:
    """Bit patterns of the Num columns; -0.0 counts as 0.0 (the writer stores zero without its sign)."""
    return {c: (frame[c].to_numpy() + 0.0).view(np.uint64).tolist() for c in frame if frame[c].dtype == np.float64}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_write_read_round_trip_and_same_bytes_twice(tmp_path_factory, dataset):
    frame, meta = dataset
    folder = tmp_path_factory.mktemp("rt")
    write_xpt(frame, folder / "a.xpt", meta)
    back, back_meta = read_xpt(folder / "a.xpt", dates="datetime")
    pd.testing.assert_frame_equal(back, frame, check_exact=True)
    assert _bits(back) == _bits(frame)  # special missings keep their tag
    assert back_meta == dataclasses.replace(meta, sas_version=cdisc_pipe.__version__, os_name=WRITER_OS)
    write_xpt(back, folder / "b.xpt", back_meta)
    write_xpt(frame, folder / "c.xpt", meta)
    assert (folder / "a.xpt").read_bytes() == (folder / "b.xpt").read_bytes() == (folder / "c.xpt").read_bytes()


def _sas_numbers(frame: pd.DataFrame) -> pd.DataFrame:
    """Our frame with dates as the SAS numbers another reader returns."""
    out = frame.copy()
    for column in out:
        if out[column].dtype == "M8[s]":
            seconds = out[column].to_numpy().view(np.int64).astype(np.float64) + 3653 * 86400
            out[column] = np.where(out[column].isna(), np.nan, seconds)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_pyreadstat_reads_our_files_identically(tmp_path_factory, dataset):
    frame, meta = dataset
    assume(len(frame) > 0)
    path = tmp_path_factory.mktemp("prs") / "a.xpt"
    write_xpt(frame, path, meta)
    ours = read_xpt(path).frame
    theirs, info = pyreadstat.read_xport(path, disable_datetime_conversion=True)
    assert list(theirs.columns) == list(ours.columns)
    for column in ours:
        if ours[column].dtype == np.float64:
            np.testing.assert_array_equal(theirs[column].to_numpy(np.float64), ours[column].to_numpy())
        else:
            assert theirs[column].fillna("").tolist() == ours[column].tolist()
    assert [label or "" for label in info.column_labels] == [v.label for v in meta.variables]
    assert info.table_name == meta.name
    assert (info.file_label or "") == meta.label
    assert info.variable_storage_width == {v.name: v.length for v in meta.variables}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(datasets())
def test_pandas_reads_our_files_identically_apart_from_its_zero_bug(tmp_path_factory, dataset):
    frame, meta = dataset
    assume(len(frame) > 0)
    path = tmp_path_factory.mktemp("pd") / "a.xpt"
    write_xpt(frame, path, meta)
    ours = read_xpt(path).frame
    rows = _pandas_row_count(path.read_bytes(), sum(v.length for v in meta.variables))
    try:
        theirs = pd.read_sas(path, format="xport", encoding="ascii")
    except StopIteration:  # pandas raises this when its row count is 0
        assert rows == 0
        return
    assert len(theirs) == rows
    shared = min(rows, len(ours))
    for column in ours:
        if ours[column].dtype == np.float64:
            values = theirs[column].to_numpy(np.float64)[:shared]
            # pandas-dev/pandas#50670: pandas reads IBM 0 (and -0) as 16**-65 = 5.397605346934028e-79.
            values = np.where(np.abs(values) == 16.0**-65, 0.0, values)
            expected = ours[column].to_numpy()[:shared]
            expected = np.where(np.abs(expected) == 16.0**-65, 0.0, expected)
            np.testing.assert_array_equal(values, expected)
        else:
            assert theirs[column].fillna("").tolist()[:shared] == ours[column].tolist()[:shared]
            assert set(theirs[column].fillna("").tolist()[shared:]) <= {""}  # padding read as rows


def _pandas_row_count(raw: bytes, width: int) -> int:
    """pandas' own record count (pandas/io/sas/sas_xport.py, _record_count): for records of at most 80
    bytes it takes the 8-byte blank words of the last 80 bytes for the padding, so a blank Char value on
    such a word drops rows, and padding not on a word boundary reads as extra blank rows. Our reader uses
    the padding rule of the format instead (see docs/xpt.md)."""
    start = raw.index(b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!") + 80
    if width > 80:
        return (len(raw) - start) // width
    blank_words = int((np.frombuffer(raw[-80:], dtype=np.uint64) == 0x2020202020202020).sum())
    return (len(raw) - start - 8 * blank_words) // width


def test_special_missing_values_are_carried_by_the_frame(tmp_path):
    frame = pd.DataFrame({"AVAL": [1.0, sas_missing("A"), np.nan, sas_missing("._"), sas_missing("Z")]})
    meta = DatasetMetadata("QS", "", (VariableMetadata("AVAL", "", "Num", 8),), datetime(2020, 1, 1),
                           datetime(2020, 1, 1))
    write_xpt(frame, tmp_path / "qs.xpt", meta)
    back = read_xpt(tmp_path / "qs.xpt").frame
    assert missing_tags(back["AVAL"]).tolist() == ["", "A", ".", "_", "Z"]
    copied = back.copy()  # pandas keeps the NaN bits through copies and row selection
    assert missing_tags(copied["AVAL"].iloc[[1, 3]]).tolist() == ["A", "_"]
    write_xpt(copied, tmp_path / "again.xpt", meta)
    assert (tmp_path / "again.xpt").read_bytes() == (tmp_path / "qs.xpt").read_bytes()
