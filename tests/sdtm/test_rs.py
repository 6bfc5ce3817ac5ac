"""RS on the simulated default export: the hepatic encephalopathy grade (West Haven) of form SYMP as a
clinical classification, CDISC WHEG01 terms and HEPENCGR results, RSLOBXFL, keys and lineage."""

from __future__ import annotations

import pytest
from findings_checks import assert_findings_structure, assert_lineage_points_at_raw, ct_terms



@pytest.fixture(scope="module")
def export(default_export):
    return default_export


@pytest.fixture(scope="module")
def result(default_sdtm):
    return default_sdtm


@pytest.fixture(scope="module")
def rs(result):
    return result.domains["RS"]


def test_one_grade_per_symptom_assessment(result, export, rs):
    assert [f for f in result.report.findings if f.dataset == "RS"] == []
    assert len(rs) == export.forms["SYMP"].n_records == 150
    arms = rs.merge(result.domains["DM"][["USUBJID", "ARMCD"]], on="USUBJID", validate="many_to_one")
    assert arms["ARMCD"].fillna("SCREEN FAILURE").value_counts().to_dict() == {
        "HIGH": 48, "LOW": 46, "MEDIUM": 41, "SCREEN FAILURE": 15}
    assert rs[["RSTESTCD", "RSTEST", "RSCAT"]].drop_duplicates().values.tolist() == [
        ["WHEG0101", "WHEG01-WH Hepatic Encephalopathy Grade", "WEST HAVEN HEPATIC ENCEPHALOPATHY GRADE"]]


def test_grades_come_from_the_raw_field(result, export, rs):
    joined = assert_lineage_points_at_raw(result.lineage[result.lineage["DOMAIN"] == "RS"], export, ["SYMP"])
    joined = joined.merge(rs, left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "RSSEQ"], validate="one_to_one")
    assert (joined["RSORRES"] == "GRADE " + joined["HEGRADE"]).all()
    assert (joined["RSSTRESC"] == joined["RSORRES"]).all()
    assert "RSSTRESN" not in rs.columns  # --STRESN only copies a numeric --STRESC (SDTMIG 4.5.1)
    assert rs["RSORRES"].value_counts().to_dict() == {"GRADE 0": 141, "GRADE 1": 8, "GRADE 2": 1}


def test_keys_sequence_study_days_and_lobxfl(result, rs):
    assert_findings_structure(rs, prefix="RS", keys=["STUDYID", "USUBJID", "RSCAT", "RSTESTCD", "VISITNUM"])
    flagged = rs[rs["RSLOBXFL"] == "Y"]
    assert len(flagged) == flagged["USUBJID"].nunique() == 24 and set(flagged["VISIT"]) == {"DAY 1"}
    row = rs[(rs["USUBJID"] == "HUCMSC-DLC-01-002") & (rs["VISIT"] == "DAY 1")]
    assert row[["RSSEQ", "RSORRES", "RSSTRESC", "RSLOBXFL", "RSDTC", "RSDY", "EPOCH"]].values.tolist() == [
        [2, "GRADE 1", "GRADE 1", "Y", "2019-03-05", 1, "TREATMENT"]]


@pytest.mark.reference
def test_terms_are_cdisc_ct(reference_dir, rs):
    assert set(rs["RSTESTCD"]) <= set(ct_terms(reference_dir, "WHEG01TC"))
    assert set(rs["RSTEST"]) <= set(ct_terms(reference_dir, "WHEG01TN"))
    assert set(rs["RSCAT"]) <= set(ct_terms(reference_dir, "CCCAT"))
    assert set(rs["RSORRES"]) | set(rs["RSSTRESC"]) <= set(ct_terms(reference_dir, "HEPENCGR"))
