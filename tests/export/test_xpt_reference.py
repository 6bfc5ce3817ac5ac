"""Every SAS-made XPT in ../shared/reference: our reader gives pyreadstat's values, and writing the frame
back with the metadata read from it reproduces the SAS file byte for byte. Plus the R-written control file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyreadstat
import pytest

from cdisc_pipe.errors import InputError
from cdisc_pipe.export.xpt import read_xpt, write_xpt

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference"
FOLDERS = ("cdiscpilot01/sdtm", "cdiscpilot01/adam", "msg-samples/sdtm-msg-v2.0", "msg-samples/adam-msg-v1.0",
           "xpt-controls/non-sas")
FILES = sorted(str(p.relative_to(REFERENCE)) for folder in FOLDERS for p in (REFERENCE / folder).glob("*.xpt"))
# ts.xpt of the pilot holds 0x92 (a Windows-1252 right quote) in TSVAL; XPT v5 records no encoding.
ENCODINGS = {"cdiscpilot01/sdtm/ts.xpt": "windows-1252"}
PARAMS = FILES or [pytest.param("absent", marks=pytest.mark.skip(reason=f"no reference XPTs under {REFERENCE}"))]

pytestmark = pytest.mark.reference


@pytest.fixture(scope="module")
def reference(reference_dir: Path) -> Path:
    return reference_dir


def _pyreadstat_format(fmt: str | None) -> str | None:
    """pyreadstat spells "DATE9." as "DATE9" and "8.2" as "8.2"."""
    return fmt[:-1] if fmt and fmt.endswith(".") else fmt


@pytest.mark.parametrize("name", PARAMS)
def test_reads_like_pyreadstat(reference, name):
    path = reference / name
    encoding = ENCODINGS.get(name, "ascii")
    frame, meta = read_xpt(path, encoding=encoding)
    theirs, info = pyreadstat.read_xport(path, encoding=encoding.upper(), disable_datetime_conversion=True)
    assert list(frame.columns) == list(theirs.columns) == meta.names
    assert len(frame) == len(theirs) > 0
    for column in frame:
        if frame[column].dtype == np.float64:
            np.testing.assert_array_equal(frame[column].to_numpy(), theirs[column].to_numpy(np.float64))
        else:
            assert frame[column].tolist() == theirs[column].fillna("").tolist(), column
    assert [v.label for v in meta.variables] == [label or "" for label in info.column_labels]
    assert {v.name: _pyreadstat_format(v.format) for v in meta.variables} == info.original_variable_types
    assert {v.name: v.length for v in meta.variables} == info.variable_storage_width
    assert meta.name == info.table_name and meta.label == (info.file_label or "")
    assert meta.modified == info.modification_time


@pytest.mark.parametrize("name", PARAMS)
def test_rewrite_is_byte_for_byte(reference, name, tmp_path):
    path = reference / name
    encoding = ENCODINGS.get(name, "ascii")
    frame, meta = read_xpt(path, encoding=encoding)
    write_xpt(frame, tmp_path / "copy.xpt", meta, encoding=encoding)
    assert (tmp_path / "copy.xpt").read_bytes() == path.read_bytes()


@pytest.mark.parametrize("name", [n for n in FILES if "/adam" in n] or PARAMS)
def test_adam_dates_survive_conversion_to_datetime64_and_back(reference, name, tmp_path):
    frame, meta = read_xpt(reference / name, dates="datetime")
    dated = [v.name for v in meta.variables if v.format == "DATE9."]
    assert dated and all(frame[c].dtype == "datetime64[s]" for c in dated)
    write_xpt(frame, tmp_path / "copy.xpt", meta)
    assert (tmp_path / "copy.xpt").read_bytes() == (reference / name).read_bytes()


def test_pilot_ts_needs_its_encoding(reference):
    path = reference / "cdiscpilot01/sdtm/ts.xpt"
    with pytest.raises(InputError, match=r"TSVAL row \d+: value must be ASCII \(got b'.*\\x92"):
        read_xpt(path)
    frame, _ = read_xpt(path, encoding="windows-1252")
    assert frame["TSVAL"].str.contains("Alzheimer\u2019s Disease").sum() > 0


def test_header_fields_of_sas_and_non_sas_files(reference):
    sas = read_xpt(reference / "msg-samples/adam-msg-v1.0/adsl.xpt").metadata
    assert (sas.sas_version, sas.os_name, sas.label) == ("9.4", "Linux\0\0\0", "Subject-Level Analysis Dataset")
    r_made = read_xpt(reference / "xpt-controls/non-sas/rconsortium-pilot1_adae.xpt").metadata
    assert (r_made.sas_version, r_made.os_name, r_made.created.isoformat()) == ("7.00", "R 3.4.1\0",
                                                                               "2018-04-20T00:33:30")
