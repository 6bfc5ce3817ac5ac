"""The SAS reader gives the frames the CSV reader gives for the same data (text, numbers, dates, times)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdisc_pipe.errors import InputError, SpecError
from cdisc_pipe.raw.model import ROW
from cdisc_pipe.raw.read import read_raw
from cdisc_pipe.raw.sas import format_numbers, format_sas_dates, format_sas_times, read_sas_form
from readers_fixtures import (
    assert_same_frame,
    expected_frame,
    mini_study,
    sample_frames,
    text_frame,
    write_csv_export,
)

STUDY = mini_study()
VS = STUDY.form("VS")


def _write_xpt(frame: pd.DataFrame, path: Path, **kwargs) -> Path:
    """Write as SAS transport v8 (long names); missing text as "" as SAS stores it."""
    data = pd.DataFrame({
        name: col.astype(object).where(col.notna(), "") if pd.api.types.is_string_dtype(col) else col
        for name, col in frame.items()
    })
    pyreadstat.write_xport(data, path, file_format_version=8, table_name="DATA", **kwargs)
    return path


def _sas_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """SAS cannot keep trailing blanks: the data as SAS holds it."""
    return frame.apply(lambda col: col.str.rstrip(" ")).astype(frame.dtypes.to_dict())


def test_text_export_reads_the_same_as_csv(tmp_path):
    frames = {form_id: _sas_safe(frame) for form_id, frame in sample_frames().items()}
    csv_export = read_raw(write_csv_export(frames, STUDY, tmp_path / "csv"), STUDY)
    (tmp_path / "sas").mkdir()
    for form in STUDY.forms:
        _write_xpt(frames[form.id], tmp_path / "sas" / f"{Path(form.file).stem}.xpt")
    sas_export = read_raw(tmp_path / "sas", STUDY)
    assert sas_export.format == "sas"
    for form in STUDY.forms:
        assert_same_frame(sas_export.frame(form.id), csv_export.frame(form.id), label=form.id)
        assert sas_export.forms[form.id].file == f"{Path(form.file).stem}.xpt"


def test_numbers_dates_and_times_read_as_the_csv_shows_them(tmp_path):
    data = pd.DataFrame({
        "SUBJECT": ["001", "002", "003"],
        "VSDAT": [22345.0, np.nan, -1.0],           # days since 1960-01-01, DATE9.
        "VSTIM": [30600.0, 86340.0, 45296.5],       # seconds since midnight, TIME5.
        "WEIGHT": [70.5, 71.0, np.nan],
        "VSDTM": [1.9e9, 0.0, np.nan],              # seconds since 1960, DATETIME20.
        "BIG": [1e16, 2.5e7, 1 / 3],
    })
    path = _write_xpt(data, tmp_path / "vs.xpt",
                      variable_format={"VSDAT": "DATE9.", "VSTIM": "TIME5.", "VSDTM": "DATETIME20."})
    frame = read_sas_form(path, VS, raw=STUDY.raw).frame
    assert frame.to_dict("list") == {
        "SUBJECT": ["001", "002", "003"],
        "VSDAT": ["06 MAR 2021", np.nan, "31 DEC 1959"],
        "VSTIM": ["08:30", "23:59", "12:34:56.5"],
        "WEIGHT": ["70.5", "71", np.nan],
        "VSDTM": ["16 MAR 2020 17:46:40", "01 JAN 1960 00:00", np.nan],
        "BIG": ["10000000000000000", "25000000", "0.3333333333333333"],
        ROW: [1, 2, 3],
    }
    assert list(frame.columns) == ["SUBJECT", "VSDAT", "VSTIM", "WEIGHT", "VSDTM", "BIG", ROW]


def test_format_numbers_is_lossless_and_without_trailing_zero():
    values = np.array([0.1, 1e-05, 2.5e7, -3.0, 1e22, 123.456, 5e-324, -0.0])
    assert format_numbers(values).tolist() == [
        "0.1", "1e-05", "25000000", "-3", "10000000000000000000000", "123.456", "5e-324", "0",
    ]
    assert [float(text) for text in format_numbers(values)] == values.tolist()


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [("DD MON YYYY", ["01 JAN 1960", "29 FEB 2000"]), ("YYYY-MM-DD", ["1960-01-01", "2000-02-29"]),
     ("DDMONYYYY", ["01JAN1960", "29FEB2000"]), ("MM/DD/YYYY", ["01/01/1960", "02/29/2000"])],
)
def test_date_patterns_from_the_spec(pattern, expected):
    assert format_sas_dates(np.array([0.0, 14669.0]), pattern).tolist() == expected


def test_time_pattern_keeps_seconds_only_when_there_are_some():
    assert format_sas_times(np.array([0.0, 3661.0, 59.0]), "HH:MM").tolist() == ["00:00", "01:01:01", "00:00:59"]
    assert format_sas_times(np.array([3660.0]), "HH:MM:SS").tolist() == ["01:01:00"]


def test_a_pattern_with_unknown_tokens_is_a_spec_error():
    with pytest.raises(SpecError) as caught:
        format_sas_dates(np.array([0.0]), "dd/mm/yy")
    assert str(caught.value) == (
        "`raw.date_format` must be made of YYYY MM MON DD and separators (got 'dd/mm/yy')"
    )


def test_empty_character_values_and_sas_missing_are_missing(tmp_path):
    data = pd.DataFrame({"SUBJECT": ["001", "", "003"], "WEIGHT": [np.nan, 1.0, np.nan]})
    pyreadstat.write_xport(data, tmp_path / "vs.xpt", file_format_version=8)
    frame = read_sas_form(tmp_path / "vs.xpt", VS).frame
    assert frame["SUBJECT"].isna().tolist() == [False, True, False]
    assert frame["WEIGHT"].isna().tolist() == [True, False, True]
    assert frame[ROW].tolist() == [1, 2, 3]


def test_xpt_encoding_comes_from_the_spec(tmp_path):
    data = pd.DataFrame({"SUBJECT": ["001"], "INITIALS": ["Zoë"]})
    path = tmp_path / "vs.xpt"
    pyreadstat.write_xport(data, path, file_format_version=8)
    raw = bytearray(path.read_bytes())
    start = raw.index("Zoë".encode("utf-8"))
    raw[start:start + 4] = "Zoë ".encode("latin-1")  # the same text as a Latin-1 EDC writes it
    path.write_bytes(bytes(raw))
    frame = read_sas_form(path, VS, raw=mini_study(encoding="latin-1").raw).frame
    assert frame["INITIALS"].tolist() == ["Zoë"]


def test_a_form_in_two_sas_files_is_an_input_error(tmp_path):
    frame = text_frame({"SUBJECT": ["001"]})
    _write_xpt(frame, tmp_path / "dm.xpt")
    (tmp_path / "dm.sas7bdat").write_bytes(b"not really")
    with pytest.raises(InputError, match=r"`DM` must be exported in one SAS file \(got dm.sas7bdat and dm.xpt\)"):
        read_raw(tmp_path, STUDY, format="sas")


def test_a_corrupt_sas_file_is_an_input_error(tmp_path):
    (tmp_path / "dm.sas7bdat").write_bytes(b"\x00" * 100)
    with pytest.raises(InputError, match=r"`dm.sas7bdat` must be a SAS dataset readable as utf-8"):
        read_raw(tmp_path, STUDY)


SAS_TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=40
).map(lambda text: text.rstrip(" ")).filter(bool)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.none() | SAS_TEXT, min_size=1, max_size=5))
def test_property_text_round_trips_through_xpt(tmp_path, values):
    frame = text_frame({"SUBJECT": [f"{i:03d}" for i in range(len(values))], "VSDAT": values})
    frame_path = _write_xpt(frame, tmp_path / "vs.xpt")
    assert_same_frame(read_sas_form(frame_path, VS).frame, expected_frame(frame, VS))
