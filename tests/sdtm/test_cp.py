"""CP on the simulated default export: the LBIMM immune cells (flow cytometry) as cell phenotyping findings,
CDISC CPTESTCD terms, ranges for the absolute counts, CPLOBXFL, keys and lineage."""

from __future__ import annotations

import pytest
from findings_checks import assert_findings_structure, assert_lineage_points_at_raw, ct_terms


FIELDS = {"CD4": "TLYH", "CD8": "TLC", "TH1": "TH1TH", "TH2": "TH2TH", "NK": "NKCE", "NKT": "NKTLY"}


@pytest.fixture(scope="module")
def export(default_export):
    return default_export


@pytest.fixture(scope="module")
def result(default_sdtm):
    return default_sdtm


@pytest.fixture(scope="module")
def cp(result):
    return result.domains["CP"]


def test_one_record_per_cell_population_per_sample(result, export, cp):
    assert [f for f in result.report.findings if f.dataset == "CP"] == []
    assert len(cp) == 6 * export.forms["LBIMM"].n_records == 630
    arms = cp.merge(result.domains["DM"][["USUBJID", "ARMCD"]], on="USUBJID", validate="many_to_one")
    assert arms["ARMCD"].value_counts().to_dict() == {"HIGH": 240, "LOW": 228, "MEDIUM": 162}
    assert set(cp["CPCAT"]) == {"IMMUNOPHENOTYPING"} and set(cp["CPSPEC"]) == {"BLOOD"}
    assert set(cp["CPMETHOD"]) == {"FLOW CYTOMETRY"} and cp["CPSTAT"].isna().all()


def test_results_units_and_ranges(result, export, cp):
    joined = assert_lineage_points_at_raw(result.lineage[result.lineage["DOMAIN"] == "CP"], export, ["LBIMM"])
    joined = joined.merge(cp, left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "CPSEQ"], validate="one_to_one")
    for field, testcd in FIELDS.items():
        rows = joined[joined["CPTESTCD"] == testcd]
        assert (rows[field] == rows["CPORRES"]).all(), field
        assert (rows["CPSTRESN"] == rows[field].astype(float)).all(), field
    counts = cp[cp["CPORRESU"] == "10^6/L"]
    assert set(counts["CPTESTCD"]) == {"TLYH", "TLC", "NKCE"} and counts["CPNRIND"].notna().all()
    percents = cp[cp["CPORRESU"] == "%"]
    assert percents[["CPORNRLO", "CPSTNRHI", "CPNRIND"]].isna().all().all()
    assert cp["CPNRIND"].value_counts().to_dict() == {"NORMAL": 249, "LOW": 66}
    row = cp[(cp["USUBJID"] == "HUCMSC-DLC-01-002") & (cp["VISIT"] == "DAY 1") & (cp["CPTESTCD"] == "TLYH")]
    assert row[["CPTEST", "CPORRES", "CPSTRESC", "CPORNRLO", "CPORNRHI", "CPNRIND", "CPLOBXFL", "CPDY", "EPOCH"]
               ].values.tolist() == [["TLym Help", "418", "418", "404", "1612", "NORMAL", "Y", 1, "TREATMENT"]]


def test_keys_sequence_study_days_and_lobxfl(result, cp):
    assert_findings_structure(cp, prefix="CP", keys=["STUDYID", "USUBJID", "CPTESTCD", "VISITNUM"])
    flagged = cp[cp["CPLOBXFL"] == "Y"]
    assert (flagged.groupby(["USUBJID", "CPTESTCD"]).size() == 1).all() and len(flagged) == 24 * 6
    assert set(flagged["VISIT"]) == {"DAY 1"}


@pytest.mark.reference
def test_codes_names_and_units_are_cdisc_ct(reference_dir, cp):
    testcd, test = ct_terms(reference_dir, "CPTESTCD"), ct_terms(reference_dir, "CPTEST")
    pairs = cp[["CPTESTCD", "CPTEST"]].drop_duplicates()
    assert all(testcd[c] == test[n] for c, n in zip(pairs["CPTESTCD"], pairs["CPTEST"]))
    assert set(cp["CPCAT"]) <= set(ct_terms(reference_dir, "CPCAT"))
    assert set(cp["CPORRESU"]) | set(cp["CPSTRESU"]) <= set(ct_terms(reference_dir, "UNIT"))
    assert set(cp["CPMETHOD"]) <= set(ct_terms(reference_dir, "METHOD"))
    assert set(cp["CPSPEC"]) <= set(ct_terms(reference_dir, "SPECTYPE"))
    assert set(cp["CPNRIND"].dropna()) <= set(ct_terms(reference_dir, "NRIND"))
