"""The default export's disposition: the seven published events, deaths, survival contacts, visits."""

from __future__ import annotations

import pandas as pd
import pytest

from simulate_helpers import DSDECOD, arms, edc_date, first_infusion


@pytest.fixture(scope="module")
def ds(default_frames) -> pd.DataFrame:
    frame = default_frames["DS"].merge(arms(default_frames), left_on="SUBJECT", right_index=True)
    return frame.pivot(index="SUBJECT", columns="FOLDER", values="DSDECOD").join(arms(default_frames))


def _visits(frames, subject) -> list[str]:
    vis = frames["VIS"]
    return vis.loc[vis["SUBJECT"] == subject, "FOLDER"].tolist()


def _subjects(ds, arm, d169, eos) -> list[str]:
    return ds.index[(ds["ARM"] == arm) & (ds["D169"] == DSDECOD[d169]) & (ds["EOS"] == DSDECOD[eos])].tolist()


def test_completed_24_week_follow_up(ds, published):
    completed = ds[ds["D169"] == DSDECOD["COMPLETED"]].groupby("ARM").size().to_dict()
    assert completed == published["design"]["completed_followup"] == {"LOW": 7, "MEDIUM": 6, "HIGH": 8}
    assert ds["D169"].notna().all() and ds["EOS"].notna().all()


def test_low_withdrew_at_day_85_after_hcc(ds, default_frames):
    (subject,) = _subjects(ds, "LOW", "WITHDRAWAL BY SUBJECT", "WITHDRAWAL BY SUBJECT")
    assert _visits(default_frames, subject)[-1] == "D085"
    ae = default_frames["AE"]
    assert ae.loc[(ae["SUBJECT"] == subject) & (ae["AESER"] == "1"), "AETERM"].tolist() == [
        "Newly diagnosed hepatocellular carcinoma"
    ]
    assert subject not in set(default_frames["SURV"]["SUBJECT"])


def test_low_lost_after_the_24_week_visits(ds, default_frames):
    (subject,) = _subjects(ds, "LOW", "COMPLETED", "LOST TO FOLLOW-UP")
    assert _visits(default_frames, subject)[-1] == "D169"
    assert subject not in set(default_frames["SURV"]["SUBJECT"])


def test_deaths_and_their_timing(default_frames):
    dth = default_frames["DTH"].merge(arms(default_frames), left_on="SUBJECT", right_index=True)
    months = (
        (edc_date(dth["DTHDAT"]) - first_infusion(default_frames).reindex(dth["SUBJECT"]).to_numpy()).dt.days / 30.4375
    ).round(1)
    got = sorted(zip(dth["ARM"], months, dth["DTHCAUS"], dth["DTHREL"]))
    assert got == [
        ("HIGH", 7.0, "Hepatic failure and hepatic encephalopathy", "0"),
        ("LOW", 11.0, "Hepatic encephalopathy", "0"),
        ("LOW", 23.0, "Cerebral haemorrhage after head trauma", "0"),
    ]
    eos = default_frames["DS"].query("FOLDER == 'EOS'").set_index("SUBJECT")
    assert (eos.loc[dth["SUBJECT"], "DSDECOD"] == DSDECOD["DEATH"]).all()
    assert (eos.loc[dth["SUBJECT"], "DSDAT"].to_numpy() == dth["DTHDAT"].to_numpy()).all()


def test_medium_lost_missed_every_follow_up_visit(ds, default_frames):
    (subject,) = _subjects(ds, "MEDIUM", "LOST TO FOLLOW-UP", "LOST TO FOLLOW-UP")
    assert _visits(default_frames, subject) == ["SCRN", "D001", "D008", "D015"]


def test_medium_covid_dropout_alive_by_phone(ds, default_frames):
    (subject,) = _subjects(ds, "MEDIUM", "OTHER", "OTHER")
    assert _visits(default_frames, subject)[-1] == "D029"
    record = default_frames["DS"].query("SUBJECT == @subject and FOLDER == 'D169'").iloc[0]
    assert "COVID-19" in record["DSTERM"] and "alive" in record["DSTERM"]
    last_visit = edc_date(pd.Series([default_frames["VIS"].query("SUBJECT == @subject")["VISDAT"].iloc[-1]]))[0]
    assert edc_date(pd.Series([record["DSDAT"]]))[0] > last_visit


def test_high_follow_up_runs_into_the_cutoff(ds, default_frames):
    high = ds[ds["ARM"] == "HIGH"]
    assert high["EOS"].value_counts().to_dict() == {DSDECOD["CUTOFF"]: 6, DSDECOD["COMPLETED"]: 1, DSDECOD["DEATH"]: 1}


def test_survival_contacts_only_for_the_followed(default_frames, ds):
    surv = default_frames["SURV"]
    followed = set(ds.index[ds["EOS"].isin([DSDECOD["COMPLETED"], DSDECOD["CUTOFF"], DSDECOD["DEATH"]])])
    assert set(surv["SUBJECT"]) == followed
    dead = surv[surv["SURVSTAT"] == "2"]
    assert sorted(dead["SUBJECT"]) == sorted(default_frames["DTH"]["SUBJECT"])
    completed = ds.index[ds["EOS"] == DSDECOD["COMPLETED"]]
    per_subject = surv[surv["SUBJECT"].isin(completed)].groupby("SUBJECT")["FOLDER"].apply(list)
    assert per_subject.map(lambda f: f == ["S12M", "S18M", "S24M"]).all()
    assert set(surv["CONTMODE"]) <= {"1", "2"}
