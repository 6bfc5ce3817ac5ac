"""DS on the simulated default export: milestones, screen failures, the published disposition, keys, lineage."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from cdisc_pipe.raw.model import ROW
from sdtm_helpers import build_subset

SEED_DIR = Path(__file__).resolve().parents[3] / "shared" / "seed"
DOMAINS = ("dm", "se", "ds")


@pytest.fixture(scope="module")
def built(default_export, study):
    """The default export and the SDTM of the spec's DM, SE and DS only (other domains cannot disturb it)."""
    return default_export, build_subset(default_export, study, DOMAINS)


@pytest.fixture(scope="module")
def ds(built):
    _, result = built
    arms = result.domains["DM"][["USUBJID", "ARMCD"]]
    return result.domains["DS"].merge(arms, on="USUBJID", how="left", validate="many_to_one")


@pytest.fixture(scope="module")
def published() -> dict:
    path = SEED_DIR / "published-results.yaml"
    if not path.is_file():
        pytest.skip(f"published results not present beside the checkout (looked in {path})")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _counts(frame: pd.DataFrame, by) -> dict:
    return {k: int(v) for k, v in frame.groupby(by, dropna=False).size().items()}


def test_ds_holds_milestones_and_dispositions_without_findings(built, ds):
    _, result = built
    assert [f for f in result.report.findings if f.dataset == "DS"] == []
    assert _counts(ds, ["DSCAT", "DSDECOD"]) == {
        ("DISPOSITION EVENT", "COMPLETED"): 21 + 11, ("DISPOSITION EVENT", "DEATH"): 3,
        ("DISPOSITION EVENT", "LOST TO FOLLOW-UP"): 3, ("DISPOSITION EVENT", "OTHER"): 2,
        ("DISPOSITION EVENT", "SCREEN FAILURE"): 15, ("DISPOSITION EVENT", "STUDY TERMINATED BY SPONSOR"): 6,
        ("DISPOSITION EVENT", "WITHDRAWAL BY SUBJECT"): 2,
        ("PROTOCOL MILESTONE", "ENTERED INTO TRIAL"): 24, ("PROTOCOL MILESTONE", "INFORMED CONSENT OBTAINED"): 39,
    }
    assert list(result.domains["DS"].columns) == [
        "STUDYID", "DOMAIN", "USUBJID", "DSSEQ", "DSTERM", "DSDECOD", "DSCAT", "DSSCAT", "EPOCH", "DSSTDTC",
        "DSSTDY"]


def test_every_screened_subject_consents_and_ends_participation_once(built, ds):
    _, result = built
    subjects = set(result.domains["DM"]["USUBJID"])
    consent = ds[ds["DSDECOD"] == "INFORMED CONSENT OBTAINED"]
    assert sorted(consent["USUBJID"]) == sorted(subjects)
    ends = ds[ds["DSSCAT"] == "STUDY PARTICIPATION"]
    assert sorted(ends["USUBJID"]) == sorted(subjects)
    # consent is the subject's first record, and DM.RFICDTC is its date
    first = ds[ds["DSSEQ"] == 1].set_index("USUBJID")
    assert (first["DSDECOD"] == "INFORMED CONSENT OBTAINED").all()
    dm = result.domains["DM"].set_index("USUBJID")
    assert first["DSSTDTC"].to_dict() == dm.loc[first.index, "RFICDTC"].to_dict()


def test_the_consent_version_goes_to_suppds_on_the_consent_record(built):
    _, result = built
    supp = result.domains["SUPPDS"]
    assert supp[["RDOMAIN", "IDVAR", "IDVARVAL", "QNAM", "QLABEL", "QORIG"]].drop_duplicates().values.tolist() == [
        ["DS", "DSSEQ", "1", "ICVERS", "Informed Consent Version", "Collected"]]
    assert supp["QVAL"].value_counts().to_dict() == {"1.0": 26, "2.0": 13}
    assert "ICVERS" not in result.domains["DS"]


def test_screen_failures_are_the_subjects_never_enrolled(built, ds):
    _, result = built
    dm = result.domains["DM"]
    never_enrolled = set(dm.loc[dm["ARMNRS"] == "SCREEN FAILURE", "USUBJID"])
    failures = ds[ds["DSDECOD"] == "SCREEN FAILURE"]
    assert set(failures["USUBJID"]) == never_enrolled and len(failures) == 15
    assert set(ds.loc[ds["DSDECOD"] == "ENTERED INTO TRIAL", "USUBJID"]).isdisjoint(never_enrolled)
    assert failures[["DSSCAT", "EPOCH"]].drop_duplicates().values.tolist() == [["STUDY PARTICIPATION", "SCREENING"]]
    assert failures["DSSTDY"].isna().all()  # no first infusion, no study day
    row = failures[failures["USUBJID"] == "HUCMSC-DLC-01-001"].iloc[0]
    assert (row["DSTERM"], row["DSSTDTC"]) == ("SCREEN FAILURE", "2019-02-21")


def test_completion_of_the_24_week_follow_up_matches_the_publication(ds, published):
    followup = ds[ds["DSSCAT"] == "24-WEEK FOLLOW-UP"]
    assert len(followup) == 24 and followup["USUBJID"].is_unique
    completed = _counts(followup[followup["DSDECOD"] == "COMPLETED"], "ARMCD")
    assert completed == published["design"]["completed_followup"] == {"LOW": 7, "MEDIUM": 6, "HIGH": 8}


def test_the_seven_published_disposition_events(ds, published):
    end = ds[(ds["DSSCAT"] == "STUDY PARTICIPATION") & ds["ARMCD"].notna()]
    assert _counts(end, ["ARMCD", "DSDECOD"]) == {
        ("HIGH", "COMPLETED"): 1, ("HIGH", "DEATH"): 1, ("HIGH", "STUDY TERMINATED BY SPONSOR"): 6,
        ("LOW", "COMPLETED"): 4, ("LOW", "DEATH"): 2, ("LOW", "LOST TO FOLLOW-UP"): 1,
        ("LOW", "WITHDRAWAL BY SUBJECT"): 1,
        ("MEDIUM", "COMPLETED"): 6, ("MEDIUM", "LOST TO FOLLOW-UP"): 1, ("MEDIUM", "OTHER"): 1,
    }
    published_events = {"withdrew": "WITHDRAWAL BY SUBJECT", "lost to follow-up": "LOST TO FOLLOW-UP",
                        "death": "DEATH", "dropout": "OTHER"}
    expected = _counts(pd.DataFrame([(d["group"], published_events[d["event"]]) for d in published["disposition"]],
                                    columns=["ARMCD", "DSDECOD"]), ["ARMCD", "DSDECOD"])
    early = end[~end["DSDECOD"].isin(["COMPLETED", "STUDY TERMINATED BY SPONSOR"])]
    assert _counts(early, ["ARMCD", "DSDECOD"]) == expected
    withdrawal = early[early["DSDECOD"] == "WITHDRAWAL BY SUBJECT"].iloc[0]
    assert withdrawal["DSTERM"].startswith("Withdrew after diagnosis of hepatocellular carcinoma")
    assert (withdrawal["DSSTDY"], withdrawal["DSSCAT"]) == (85, "STUDY PARTICIPATION")


def test_deaths_are_dated_at_the_death(built, ds):
    _, result = built
    deaths = ds[ds["DSDECOD"] == "DEATH"].set_index("USUBJID")
    dm = result.domains["DM"].set_index("USUBJID")
    assert deaths["DSSTDTC"].to_dict() == dm.loc[deaths.index, "DTHDTC"].to_dict()
    assert deaths["DSTERM"].to_dict() == {
        "HUCMSC-DLC-01-006": "Hepatic encephalopathy", "HUCMSC-DLC-01-012": "Cerebral haemorrhage after head trauma",
        "HUCMSC-DLC-01-031": "Hepatic failure and hepatic encephalopathy"}
    assert deaths["DSSTDY"].tolist() == [336, 701, 214]


def test_keys_are_unique_and_sequence_numbers_run_from_one(ds, built):
    _, result = built
    keys = list(result.spec["DS"].keys)
    assert not ds.duplicated(keys).any()
    assert (ds.groupby("USUBJID")["DSSEQ"].transform(lambda s: list(range(1, len(s) + 1)) == s.tolist())).all()
    assert not (ds["DSSTDY"] == 0).any()
    dates = ds.groupby("USUBJID")["DSSTDTC"].apply(lambda s: s.is_monotonic_increasing)
    assert dates.all()


def test_values_are_in_their_codelists(ds, study):
    for variable in ("DSCAT", "DSSCAT", "EPOCH"):
        codelist = study.codelist(variable)
        assert set(ds[variable].dropna()) <= {t.submission for t in codelist.terms}, variable
    protmlst = {t.submission for t in study.codelist("PROTMLST").terms}
    ncomplt = {t.submission for t in study.codelist("NCOMPLT").terms} | {"SCREEN FAILURE"}
    assert set(ds.loc[ds["DSCAT"] == "PROTOCOL MILESTONE", "DSDECOD"]) <= protmlst
    assert set(ds.loc[ds["DSCAT"] == "DISPOSITION EVENT", "DSDECOD"]) <= ncomplt
    assert set(ds["DSCAT"]) == {"DISPOSITION EVENT", "PROTOCOL MILESTONE"}
    assert set(ds["DSSCAT"].dropna()) == {"24-WEEK FOLLOW-UP", "STUDY PARTICIPATION"}
    assert set(ds["EPOCH"]) <= {"SCREENING", "TREATMENT", "FOLLOW-UP", "LONG-TERM FOLLOW-UP"}
    milestones = ds[ds["DSCAT"] == "PROTOCOL MILESTONE"]
    assert milestones["DSSCAT"].isna().all() and (milestones["DSTERM"] == milestones["DSDECOD"]).all()


def test_lineage_points_at_existing_raw_rows(built):
    export, result = built
    lineage = result.lineage[result.lineage["DOMAIN"] == "DS"]
    assert _counts(lineage, "RAW_FORM") == {"DS": 48, "ELIG": 15, "ENR": 24, "IC": 39}
    for form, rows in lineage.groupby("RAW_FORM"):
        assert set(rows["RAW_ROW"].astype(int)) <= set(export.forms[form].frame[ROW].astype(int)), form
        assert (rows["RAW_FILE"] == export.forms[form].file).all()
    ds_rows = lineage[lineage["RAW_FORM"] == "DS"]
    assert ds_rows["RAW_ROW"].nunique() == 48 and (ds_rows["RAW_FILE"] == "ds.csv").all()
