"""MH on the simulated default export: every history line, partial start dates, ongoing at screening,
keys and lineage."""

from __future__ import annotations

import pytest

from sdtm_helpers import build_subset


@pytest.fixture(scope="module")
def export(default_export):
    return default_export


@pytest.fixture(scope="module")
def result(default_export, study):
    """DM and SE (for study days and EPOCH) and MH."""
    return build_subset(default_export, study, ("DM", "SE", "MH"))


@pytest.fixture(scope="module")
def mh(result):
    return result.domains["MH"]


def test_mh_holds_every_history_line_and_no_finding(result, export, mh):
    assert len(mh) == export.forms["MH"].n_records == 181
    assert [f for f in result.report.findings if f.dataset == "MH"] == []
    assert mh.columns.tolist() == ["STUDYID", "DOMAIN", "USUBJID", "MHSEQ", "MHSPID", "MHTERM", "MHSTDTC",
                                   "MHENRTPT", "MHENTPT"]
    # every screened subject has chronic hepatitis B and liver cirrhosis
    for term in ("Chronic hepatitis B", "Liver cirrhosis"):
        assert mh.loc[mh["MHTERM"] == term, "USUBJID"].nunique() == 39


def test_partial_start_dates_are_kept(mh):
    assert mh["MHSTDTC"].str.len().value_counts().to_dict() == {7: 83, 4: 53, 10: 45}
    assert mh["MHSTDTC"].str.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?").all()


def test_ongoing_at_screening(mh, export):
    assert mh["MHENRTPT"].value_counts().to_dict() == {"ONGOING": 159, "BEFORE": 22}
    assert set(mh["MHENTPT"]) == {"SCREENING"}
    raw = export.forms["MH"].frame
    assert (raw["MHONGO"] == "1").sum() == 159


def test_keys_sequence_and_lineage(result, export, mh):
    assert not mh.duplicated(["STUDYID", "USUBJID", "MHTERM", "MHSTDTC", "MHSPID"]).any()
    assert all(v == list(range(1, len(v) + 1)) for v in mh.groupby("USUBJID")["MHSEQ"].agg(list))
    assert mh.sort_values(["USUBJID", "MHSTDTC", "MHTERM"], kind="stable")["MHSEQ"].tolist() == mh["MHSEQ"].tolist()
    lineage = result.lineage[result.lineage["DOMAIN"] == "MH"]
    raw = export.forms["MH"].frame
    assert sorted(lineage["RAW_ROW"]) == sorted(raw["_ROW_"]) and set(lineage["RAW_FILE"]) == {"mh.csv"}
    joined = lineage.merge(mh, left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "MHSEQ"]).merge(
        raw, left_on="RAW_ROW", right_on="_ROW_", suffixes=("", "_RAW"))
    assert (joined["MHTERM"] == joined["MHTERM_RAW"]).all()
    assert (joined["MHENRTPT"] == joined["MHONGO"].map({"1": "ONGOING", "0": "BEFORE"})).all()
