"""The FDA technical-rejection pre-flight: each rule with a passing and a failing tree."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cdisc_pipe.export.preflight import preflight

TS = pd.DataFrame({"STUDYID": ["S1", "S1"], "TSPARMCD": ["SSTDTC", "TITLE"], "TSVAL": ["2019-02-19", "A trial"]})
DM = pd.DataFrame({"STUDYID": ["S1"], "USUBJID": ["S1-001"]})
ADSL = pd.DataFrame({"STUDYID": ["S1"], "USUBJID": ["S1-001"]})


def _tree(tmp_path: Path, files=("ts.xpt", "dm.xpt", "define.xml"), adam=("adsl.xpt", "define.xml")):
    sdtm, adam_dir = tmp_path / "sdtm", tmp_path / "adam"
    sdtm.mkdir()
    adam_dir.mkdir()
    for name in files:
        (sdtm / name).write_bytes(b"x")
    for name in adam:
        (adam_dir / name).write_bytes(b"x")
    return sdtm, adam_dir


def _rules(report) -> list[str]:
    return [f.rule for f in report.findings]


def test_a_complete_tree_passes(tmp_path):
    sdtm, adam = _tree(tmp_path)
    assert preflight(sdtm, adam, {"TS": TS, "DM": DM, "ADSL": ADSL}, "S1").findings == []


def test_1734_missing_ts(tmp_path):
    sdtm, adam = _tree(tmp_path, files=("dm.xpt", "define.xml"))
    report = preflight(sdtm, adam, {"DM": DM, "ADSL": ADSL}, "S1")
    assert _rules(report) == ["FDA-1734"]
    assert report.findings[0].message == "ts.xpt must be present in the SDTM folder (got no such file)"


@pytest.mark.parametrize("value", ["", "2019-02", "2019-13-01", "19 FEB 2019"])
def test_1734_invalid_sstdtc(tmp_path, value):
    sdtm, adam = _tree(tmp_path)
    ts = TS.assign(TSVAL=[value, "A trial"])
    report = preflight(sdtm, adam, {"TS": ts, "DM": DM, "ADSL": ADSL}, "S1")
    assert _rules(report) == ["FDA-1734"]
    assert report.findings[0].variable == "TSVAL" and report.findings[0].value == value


@pytest.mark.parametrize("missing,folder", [("dm.xpt", "sdtm"), ("define.xml", "sdtm"), ("adsl.xpt", "adam"),
                                           ("define.xml", "adam")])
def test_1736_missing_dm_adsl_or_define(tmp_path, missing, folder):
    sdtm, adam = _tree(tmp_path)
    (tmp_path / folder / missing).unlink()
    report = preflight(sdtm, adam, {"TS": TS, "DM": DM, "ADSL": ADSL}, "S1")
    assert _rules(report) == ["FDA-1736"]
    assert report.findings[0].message == f"{missing} must be present in {folder}/ (got no such file)"


def test_file_names_must_be_lower_case(tmp_path):
    sdtm, adam = _tree(tmp_path)
    (sdtm / "AE.xpt").write_bytes(b"x")
    (sdtm / "ae_final.xpt").write_bytes(b"x")
    report = preflight(sdtm, adam, {"TS": TS, "DM": DM, "ADSL": ADSL}, "S1")
    assert _rules(report) == ["PREFLIGHT-FILENAME", "PREFLIGHT-FILENAME"]


def test_one_studyid_across_datasets(tmp_path):
    sdtm, adam = _tree(tmp_path)
    other = ADSL.assign(STUDYID=["S2"])
    report = preflight(sdtm, adam, {"TS": TS, "DM": DM, "ADSL": other}, "S1")
    assert _rules(report) == ["PREFLIGHT-STUDYID"]
    assert report.findings[0].dataset == "ADSL" and report.findings[0].value == "S2"
