"""CM on the simulated default export: every medication line, CT recoding, partial dates, ongoing
medications, keys, study days and lineage."""

from __future__ import annotations

import pytest

from sdtm_helpers import build_subset


@pytest.fixture(scope="module")
def export(default_export):
    return default_export


@pytest.fixture(scope="module")
def result(default_export, study):
    """DM and SE (for study days and EPOCH) and CM."""
    return build_subset(default_export, study, ("DM", "SE", "CM"))


@pytest.fixture(scope="module")
def cm(result):
    return result.domains["CM"]


def test_cm_holds_every_medication_line_and_no_finding(result, export, cm):
    assert len(cm) == export.forms["CM"].n_records == 114
    assert [f for f in result.report.findings if f.dataset == "CM"] == []
    # every screened subject (screen failures included) takes exactly one antiviral
    assert cm["USUBJID"].nunique() == 39
    assert cm[cm["CMCAT"] == "ANTIVIRAL"].groupby("USUBJID").size().eq(1).all()


def test_ct_recoding(cm, study):
    assert cm["CMCAT"].value_counts().to_dict() == {"DIURETIC": 48, "ANTIVIRAL": 39, "OTHER": 15,
                                                    "HEPATOPROTECTIVE": 12}
    assert set(cm["CMROUTE"]) == {"ORAL"} and set(cm["CMDOSU"]) == {"mg", "mL"}
    for variable, codelist in [("CMCAT", "CMCAT"), ("CMDOSU", "UNIT"), ("CMDOSFRQ", "FREQ"), ("CMROUTE", "ROUTE")]:
        assert set(cm[variable].dropna()) <= {t.submission for t in study.codelist(codelist).terms}, variable
    entecavir = cm[cm["CMTRT"] == "Entecavir"]
    assert set(zip(entecavir["CMDOSE"], entecavir["CMDOSU"], entecavir["CMDOSFRQ"])) == {(0.5, "mg", "QD")}
    assert cm["CMDOSE"].dtype.kind == "f"


def test_partial_dates_ongoing_and_study_days(cm, result):
    assert cm["CMSTDTC"].str.len().value_counts().to_dict() == {10: 57, 7: 40, 4: 17}
    assert cm.loc[cm["CMSTDTC"].str.len() < 10, "CMSTDY"].isna().all()
    treated = cm["USUBJID"].isin(result.domains["DM"].dropna(subset=["RFSTDTC"])["USUBJID"])
    assert cm.loc[treated & (cm["CMSTDTC"].str.len() == 10), "CMSTDY"].notna().all()
    assert cm.loc[~treated, ["CMSTDY", "CMENDY"]].isna().all().all()  # screen failures have no RFSTDTC
    assert not (cm["CMSTDY"] == 0).any() and not (cm["CMENDY"] == 0).any()
    ongoing = cm[cm["CMENRTPT"].notna()]
    assert len(ongoing) == 101 and ongoing["CMENDTC"].isna().all()
    assert set(ongoing["CMENRTPT"]) == {"ONGOING"} and set(ongoing["CMENTPT"]) == {"END OF STUDY"}
    assert cm.loc[cm["CMENRTPT"].isna(), "CMENDTC"].notna().all()
    assert cm.loc[cm["CMENRTPT"].isna(), "CMENTPT"].isna().all()
    # every medication started before informed consent: no epoch
    assert cm["EPOCH"].isna().all()


def test_keys_sequence_and_lineage(result, export, cm):
    assert not cm.duplicated(["STUDYID", "USUBJID", "CMTRT", "CMSTDTC", "CMSPID"]).any()
    assert all(v == list(range(1, len(v) + 1)) for v in cm.groupby("USUBJID")["CMSEQ"].agg(list))
    assert cm.sort_values(["USUBJID", "CMSTDTC", "CMTRT"], kind="stable")["CMSEQ"].tolist() == cm["CMSEQ"].tolist()
    lineage = result.lineage[result.lineage["DOMAIN"] == "CM"]
    raw = export.forms["CM"].frame
    assert sorted(lineage["RAW_ROW"]) == sorted(raw["_ROW_"]) and set(lineage["RAW_FILE"]) == {"cm.csv"}
    joined = lineage.merge(cm, left_on=["USUBJID", "SEQ"], right_on=["USUBJID", "CMSEQ"]).merge(
        raw, left_on="RAW_ROW", right_on="_ROW_", suffixes=("", "_RAW"))
    assert (joined["CMTRT"] == joined["CMTRT_RAW"]).all() and (joined["CMSPID"] == joined["RECORDPOSITION"]).all()
