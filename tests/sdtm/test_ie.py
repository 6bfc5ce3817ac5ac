"""IE on the simulated default export: the failed criteria of the screen failures, results by category."""

from __future__ import annotations


import pytest

from cdisc_pipe.raw.model import ROW
from sdtm_helpers import build_subset

DOMAINS = ("dm", "se", "ie")


@pytest.fixture(scope="module")
def built(default_export, study):
    """The default export and the SDTM of the spec's DM, SE and IE only (other domains cannot disturb it)."""
    return default_export, build_subset(default_export, study, DOMAINS)


@pytest.fixture(scope="module")
def ie(built):
    return built[1].domains["IE"]


def test_ie_has_one_record_per_failed_criterion_of_the_screen_failures(built, ie):
    export, result = built
    assert len(ie) == export.forms["IE"].n_records == 17
    assert [f for f in result.report.findings if f.dataset == "IE"] == []
    dm = result.domains["DM"]
    assert set(ie["USUBJID"]) == set(dm.loc[dm["ARMNRS"] == "SCREEN FAILURE", "USUBJID"])
    # docs/simulator.md: IN04 x3, IN05 x3, EX08 x3, EX04 x2, IN06 x2, IN01, EX01, EX02, EX13
    assert ie["IETESTCD"].value_counts().to_dict() == {
        "IN04": 3, "IN05": 3, "EX08": 3, "EX04": 2, "IN06": 2, "IN01": 1, "EX01": 1, "EX02": 1, "EX13": 1}
    assert (ie.groupby("USUBJID").size() == 2).sum() == 2  # two subjects failed two criteria


def test_results_follow_the_category_of_the_criterion(ie, study):
    # SDTMIG 3.4 / CDISC CORE-000001: IEORRES is N for an inclusion criterion, Y for an exclusion criterion
    assert ie[["IECAT", "IEORRES", "IESTRESC"]].drop_duplicates().sort_values("IECAT").values.tolist() == [
        ["EXCLUSION", "Y", "Y"], ["INCLUSION", "N", "N"]]
    criteria = {c.id: (c.text, c.category) for c in study.criteria}
    assert ie.apply(lambda r: criteria[r["IETESTCD"]] == (r["IETEST"], r["IECAT"]), axis=1).all()
    row = ie[ie["USUBJID"] == "HUCMSC-DLC-01-008"].iloc[0]
    assert (row["IETESTCD"], row["IETEST"], row["IECAT"], row["IEORRES"]) == (
        "IN01", "Aged 18 to 65 years inclusive, either sex", "INCLUSION", "N")


def test_timing_of_screen_failures(ie):
    assert ie[["VISITNUM", "VISIT", "VISITDY", "EPOCH"]].drop_duplicates().values.tolist() == [
        [1.0, "SCREENING", -14.0, "SCREENING"]]
    assert ie["IEDY"].isna().all()  # screen failures have no RFSTDTC
    assert ie.loc[ie["USUBJID"] == "HUCMSC-DLC-01-001", "IEDTC"].tolist() == ["2019-02-21"]


def test_keys_sequence_and_lineage(ie, built):
    export, result = built
    assert not ie.duplicated(list(result.spec["IE"].keys)).any()
    assert ie.groupby("USUBJID")["IESEQ"].apply(lambda s: s.tolist() == list(range(1, len(s) + 1))).all()
    assert ie.loc[ie["USUBJID"] == "HUCMSC-DLC-01-007", ["IESEQ", "IETESTCD"]].values.tolist() == [
        [1, "IN04"], [2, "IN06"]]
    lineage = result.lineage[result.lineage["DOMAIN"] == "IE"]
    raw = export.forms["IE"].frame
    assert sorted(lineage["RAW_ROW"].astype(int)) == sorted(raw[ROW].astype(int))
    merged = lineage.merge(ie, left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "IESEQ"], validate="one_to_one")
    source = raw.set_index(raw[ROW].astype(int))["IECRIT"]
    assert (merged["RAW_ROW"].astype(int).map(source) == merged["IETESTCD"]).all()
