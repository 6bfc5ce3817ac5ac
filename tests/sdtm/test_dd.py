"""DD and SUPPDD on the simulated default export: the three deaths, their causes and dates."""

from __future__ import annotations


import pytest

from cdisc_pipe.raw.model import ROW
from sdtm_helpers import build_subset

DOMAINS = ("dm", "se", "dd")


@pytest.fixture(scope="module")
def built(default_export, study):
    """The default export and the SDTM of the spec's DM, SE and DD only (other domains cannot disturb it)."""
    return default_export, build_subset(default_export, study, DOMAINS)


def test_one_primary_cause_of_death_per_subject_who_died(built):
    export, result = built
    dd = result.domains["DD"]
    assert [f for f in result.report.findings if f.dataset == "DD"] == []
    assert dd.drop(columns=["STUDYID", "DOMAIN"]).values.tolist() == [
        ["HUCMSC-DLC-01-006", 1, "PRCDTH", "Primary Cause of Death", "Hepatic encephalopathy",
         "Hepatic encephalopathy", "LONG-TERM FOLLOW-UP", "2020-03-16", 336],
        ["HUCMSC-DLC-01-012", 1, "PRCDTH", "Primary Cause of Death", "Cerebral haemorrhage after head trauma",
         "Cerebral haemorrhage after head trauma", "LONG-TERM FOLLOW-UP", "2021-05-04", 701],
        ["HUCMSC-DLC-01-031", 1, "PRCDTH", "Primary Cause of Death", "Hepatic failure and hepatic encephalopathy",
         "Hepatic failure and hepatic encephalopathy", "LONG-TERM FOLLOW-UP", "2022-05-27", 214],
    ]
    dm = result.domains["DM"].set_index("USUBJID")
    assert set(dd["USUBJID"]) == set(dm.index[dm["DTHFL"] == "Y"])
    assert dd.set_index("USUBJID")["DDDTC"].to_dict() == dm.loc[dd["USUBJID"], "DTHDTC"].to_dict()
    assert not dd.duplicated(list(result.spec["DD"].keys)).any()


def test_relatedness_goes_to_suppdd(built):
    _, result = built
    supp = result.domains["SUPPDD"]
    assert supp[["RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM", "QLABEL", "QVAL", "QORIG"]].values.tolist() == [
        ["DD", f"HUCMSC-DLC-01-{n}", "DDSEQ", "1", "DTHREL", "Death Related to Study Treatment", "N", "Collected"]
        for n in ("006", "012", "031")
    ]
    assert "DTHREL" not in result.domains["DD"]


def test_lineage_points_at_the_death_reports(built):
    export, result = built
    lineage = result.lineage[result.lineage["DOMAIN"] == "DD"]
    assert lineage[["RAW_FORM", "RAW_FILE"]].drop_duplicates().values.tolist() == [["DTH", "death.csv"]]
    assert sorted(lineage["RAW_ROW"].astype(int)) == sorted(export.forms["DTH"].frame[ROW].astype(int))
