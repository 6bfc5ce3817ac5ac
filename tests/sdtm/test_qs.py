"""QS on the simulated default export: the SF-36 (RAND-36 V1.0 terminology), one record per item per
questionnaire, the CRF text in QSORRES and the precoded value in QSSTRESC/QSSTRESN, QSSTAT for blank items,
keys, study days and lineage."""

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
def qs(result):
    return result.domains["QS"]


@pytest.fixture(scope="module")
def joined(result, export, qs):
    lineage = assert_lineage_points_at_raw(result.lineage[result.lineage["DOMAIN"] == "QS"], export, ["SF36"])
    return lineage.merge(qs, left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "QSSEQ"], validate="one_to_one")


def test_every_item_of_every_questionnaire(result, export, qs):
    assert [f for f in result.report.findings if f.dataset == "QS"] == []
    assert len(qs) == 36 * export.forms["SF36"].n_records == 1008
    arms = qs.merge(result.domains["DM"][["USUBJID", "ARMCD"]], on="USUBJID", validate="many_to_one")
    assert arms.groupby("ARMCD")["USUBJID"].nunique().to_dict() == {"HIGH": 7, "LOW": 2, "MEDIUM": 5}
    assert qs["VISIT"].value_counts().to_dict() == {"DAY 85": 504, "DAY 169": 504}
    assert set(qs["QSCAT"]) == {"RAND-36 V1.0"}
    assert qs["QSTESTCD"].drop_duplicates().tolist() == [f"R3601{i:02d}" for i in range(1, 37)]


def test_results_are_the_crf_text_and_the_precoded_value(study, joined):
    for number in range(1, 37):
        field = f"SF{number:02d}"
        rows = joined[joined["QSTESTCD"] == f"R3601{number:02d}"]
        decode = {t.code: t.decode for t in study.codelist(study.form("SF36").field(field).codelist).terms}
        answered = rows[rows[field].fillna("") != ""]
        assert (rows["QSSTAT"].notna() == (rows[field].fillna("") == "")).all(), field
        assert (answered["QSORRES"] == answered[field].map(decode)).all(), field
        assert (answered["QSSTRESC"] == answered[field]).all()
        assert (answered["QSSTRESN"] == answered[field].astype(float)).all()
    first = joined[(joined["USUBJID"] == "HUCMSC-DLC-01-002") & (joined["VISIT"] == "DAY 85")].set_index("QSTESTCD")
    assert first.loc["R360101", ["QSSEQ", "QSTEST", "QSORRES", "QSSTRESC", "QSSTRESN", "QSDTC", "QSDY", "EPOCH"]
                     ].tolist() == [1, "R3601-Would You Say Your Health Is", "Excellent", "1", 1.0, "2019-05-25", 82,
                                    "FOLLOW-UP"]
    assert first.loc["R360113", ["QSORRES", "QSSTRESC", "QSEVLINT"]].tolist() == ["No", "2", "-P4W"]


def test_blank_items_are_not_done(joined, qs):
    not_done = joined[joined["QSSTAT"].notna()]
    assert set(not_done["QSSTAT"]) == {"NOT DONE"} and len(not_done) == 11
    assert not_done[["QSORRES", "QSSTRESC", "QSSTRESN"]].isna().all().all()
    assert joined.loc[joined["QSSTAT"].isna(), "QSORRES"].notna().all()
    assert not_done[["USUBJID", "QSTESTCD", "VISIT"]].values.tolist()[:2] == [
        ["HUCMSC-DLC-01-019", "R360109", "DAY 169"], ["HUCMSC-DLC-01-021", "R360122", "DAY 85"]]


def test_keys_sequence_study_days_and_timing(qs):
    assert_findings_structure(qs, prefix="QS", keys=["STUDYID", "USUBJID", "QSCAT", "QSTESTCD", "VISITNUM"])
    assert qs["QSLOBXFL"].isna().all()  # the SF-36 is given at days 85 and 169, after the first infusion
    evlint = qs.drop_duplicates("QSTESTCD").set_index("QSTESTCD")["QSEVLINT"]
    assert evlint.dropna().index.tolist() == [f"R3601{i}" for i in range(13, 33)] and set(evlint.dropna()) == {"-P4W"}


@pytest.mark.reference
def test_category_codes_and_names_are_cdisc_ct(reference_dir, qs):
    assert "RAND-36 V1.0" in ct_terms(reference_dir, "QSCAT")
    testcd, test = ct_terms(reference_dir, "R3601TC"), ct_terms(reference_dir, "R3601TN")
    pairs = qs[["QSTESTCD", "QSTEST"]].drop_duplicates()
    assert len(pairs) == 36 and all(testcd[c] == test[n] for c, n in zip(pairs["QSTESTCD"], pairs["QSTEST"]))
    assert set(qs["QSSTAT"].dropna()) <= set(ct_terms(reference_dir, "ND"))
