"""VS on the simulated default export: one record per vital sign per visit, CDISC test codes and units,
height at screening only, VSLOBXFL, keys, study days and lineage."""

from __future__ import annotations

import pytest
from findings_checks import assert_findings_structure, assert_lineage_points_at_raw, ct_terms


TESTS = ["SYSBP", "DIABP", "PULSE", "TEMP", "RESP", "WEIGHT", "HEIGHT"]


@pytest.fixture(scope="module")
def export(default_export):
    return default_export


@pytest.fixture(scope="module")
def result(default_sdtm):
    return default_sdtm


@pytest.fixture(scope="module")
def vs(result):
    return result.domains["VS"]


def test_one_record_per_measurement(result, export, vs):
    assert [f for f in result.report.findings if f.dataset == "VS"] == []
    n = export.forms["VS"].n_records
    assert vs["VSTESTCD"].value_counts().to_dict() == {**{t: n for t in TESTS[:-1]}, "HEIGHT": 39} and n == 199
    arms = vs.merge(result.domains["DM"][["USUBJID", "ARMCD"]], on="USUBJID", validate="many_to_one")
    assert arms["ARMCD"].fillna("SCREEN FAILURE").value_counts().to_dict() == {
        "HIGH": 392, "LOW": 386, "MEDIUM": 350, "SCREEN FAILURE": 105}
    assert set(vs.loc[vs["VSTESTCD"] == "HEIGHT", "VISIT"]) == {"SCREENING"}


def test_results_come_from_the_raw_fields(result, export, vs):
    joined = assert_lineage_points_at_raw(result.lineage[result.lineage["DOMAIN"] == "VS"], export, ["VS"])
    joined = joined.merge(vs, left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "VSSEQ"], validate="one_to_one")
    assert len(joined) == len(vs)
    for test in TESTS:
        rows = joined[joined["VSTESTCD"] == test]
        assert (rows[test] == rows["VSORRES"]).all() and (rows["VSSTRESN"] == rows[test].astype(float)).all()
        assert (rows["VSORRESU"] == rows["VSSTRESU"]).all()
    day1 = vs[(vs["USUBJID"] == "HUCMSC-DLC-01-002") & (vs["VISIT"] == "DAY 1")].set_index("VSTESTCD")
    assert day1.loc["WEIGHT", ["VSSEQ", "VSTEST", "VSORRES", "VSORRESU", "VSSTRESC", "VSSTRESN", "VSLOBXFL",
                               "VSDTC", "VSDY", "EPOCH"]].tolist() == [
        13, "Weight", "62.0", "kg", "62", 62.0, "Y", "2019-03-05", 1, "TREATMENT"]
    assert day1.loc["TEMP", ["VSORRES", "VSORRESU"]].tolist() == ["36.7", "C"]


def test_keys_sequence_study_days_and_lobxfl(result, vs):
    assert_findings_structure(vs, prefix="VS", keys=["STUDYID", "USUBJID", "VSTESTCD", "VISITNUM"])
    dm = result.domains["DM"]
    treated = set(dm.loc[dm["RFXSTDTC"].notna(), "USUBJID"])
    flagged = vs[vs["VSLOBXFL"] == "Y"]
    counts = flagged.groupby(["USUBJID", "VSTESTCD"]).size()
    assert (counts == 1).all() and len(counts) == len(treated) * 7 and set(flagged["USUBJID"]) == treated
    visits = {test: set(rows) for test, rows in flagged.groupby("VSTESTCD")["VISIT"]}
    assert visits == {**{t: {"DAY 1"} for t in TESTS[:-1]}, "HEIGHT": {"SCREENING"}}


@pytest.mark.reference
def test_codes_names_and_units_are_cdisc_ct(reference_dir, vs):
    testcd, test = ct_terms(reference_dir, "VSTESTCD"), ct_terms(reference_dir, "VSTEST")
    pairs = vs[["VSTESTCD", "VSTEST"]].drop_duplicates()
    assert len(pairs) == 7 and all(testcd[c] == test[n] for c, n in zip(pairs["VSTESTCD"], pairs["VSTEST"]))
    assert set(vs["VSORRESU"]) | set(vs["VSSTRESU"]) <= set(ct_terms(reference_dir, "VSRESU"))
    assert set(vs["EPOCH"]) <= set(ct_terms(reference_dir, "EPOCH"))
