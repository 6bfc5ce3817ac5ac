"""The default export's design: screening, screen failures, enrolment, infusions, the calendar."""

from __future__ import annotations

import pandas as pd

from simulate_helpers import arms, edc_date, first_infusion

LOCKDOWN = (pd.Timestamp("2020-01-23"), pd.Timestamp("2020-04-08"))  # Wuhan, early 2020


def test_screened_failed_enrolled(default_frames):
    dm, elig, enr = default_frames["DM"], default_frames["ELIG"], default_frames["ENR"]
    assert len(dm) == 39 and dm["SUBJECT"].is_unique
    assert (elig["ELIGYN"] == "0").sum() == 15 and (elig["ELIGYN"] == "1").sum() == 24
    assert arms(default_frames).value_counts().to_dict() == {"LOW": 8, "MEDIUM": 8, "HIGH": 8}
    enrolled = set(enr["SUBJECT"])
    assert enrolled == set(elig.loc[elig["ELIGYN"] == "1", "SUBJECT"])


def test_each_screen_failure_has_the_criteria_it_failed(default_frames):
    elig, ie = default_frames["ELIG"], default_frames["IE"]
    failed = set(elig.loc[elig["ELIGYN"] == "0", "SUBJECT"])
    assert set(ie["SUBJECT"]) == failed
    assert len(ie) == 17  # two failures missed two criteria each
    assert (
        ie.groupby("SUBJECT")["RECORDPOSITION"]
        .apply(list)
        .map(lambda p: p == [str(i + 1) for i in range(len(p))])
        .all()
    )
    assert ie["IECRIT"].value_counts().to_dict() == {
        "EX08": 3,
        "IN04": 3,
        "IN05": 3,
        "EX04": 2,
        "IN06": 2,
        "IN01": 1,
        "EX01": 1,
        "EX13": 1,
        "EX02": 1,
    }
    assert (ie["IEDAT"].to_numpy() == elig.set_index("SUBJECT").loc[ie["SUBJECT"], "ELIGDAT"].to_numpy()).all()


def test_subject_numbers_follow_screening(default_frames):
    dm, ic = default_frames["DM"], default_frames["IC"]
    assert dm["SUBJECT"].tolist() == [f"01-{i:03d}" for i in range(1, 40)]
    assert (dm["SITENUMBER"] == "01").all()
    consent = edc_date(ic["ICDAT"])
    assert consent.is_monotonic_increasing


def test_infusions(default_frames):
    ex, vis = default_frames["EX"], default_frames["VIS"]
    assert (
        len(ex) == 72 and ex.groupby("SUBJECT")["FOLDER"].apply(list).map(lambda f: f == ["D001", "D008", "D015"]).all()
    )
    dose = ex.merge(arms(default_frames), left_on="SUBJECT", right_index=True).groupby("ARM")["EXDOSE"].unique()
    assert {a: list(d) for a, d in dose.items()} == {"LOW": ["25000000"], "MEDIUM": ["50000000"], "HIGH": ["100000000"]}
    assert (ex["EXVOL"] == "100").all() and (ex["EXROUTE"] == "IV").all()
    visits = vis.set_index(["SUBJECT", "FOLDER"])["VISDAT"]
    assert (ex["EXSTDAT"].to_numpy() == visits.loc[list(zip(ex["SUBJECT"], ex["FOLDER"]))].to_numpy()).all()
    minutes = lambda s: s.str.slice(0, 2).astype(int) * 60 + s.str.slice(3, 5).astype(int)  # noqa: E731
    duration = minutes(ex["EXENTIM"]) - minutes(ex["EXSTTIM"])
    assert duration.between(35, 60).all()
    days = (edc_date(ex["EXSTDAT"]) - first_infusion(default_frames).reindex(ex["SUBJECT"]).to_numpy()).dt.days
    by_folder = {f: set(days[ex["FOLDER"] == f]) for f in ("D001", "D008", "D015")}
    assert by_folder == {"D001": {0}, "D008": {7}, "D015": {14}}


def test_dose_escalation_calendar(default_frames):
    first = pd.concat([first_infusion(default_frames), arms(default_frames)], axis=1)
    span = first.groupby("ARM")["FIRST"].agg(["min", "max"])
    assert span.loc["LOW", "max"] < span.loc["MEDIUM", "min"] and span.loc["MEDIUM", "max"] < span.loc["HIGH", "min"]
    assert span.loc["HIGH", "max"].strftime("%Y-%m") == "2021-12"


def test_medium_day_57_in_the_lockdown(default_frames):
    vis = default_frames["VIS"].merge(arms(default_frames), left_on="SUBJECT", right_index=True)
    d057 = edc_date(vis.loc[(vis["ARM"] == "MEDIUM") & (vis["FOLDER"] == "D057"), "VISDAT"])
    assert len(d057) == 6 and d057.between(*LOCKDOWN).all()
    d029 = edc_date(vis.loc[(vis["ARM"] == "MEDIUM") & (vis["FOLDER"] == "D029"), "VISDAT"])
    assert (d029 < LOCKDOWN[0]).all()


def test_nothing_after_the_cutoff_or_before_consent(default_frames, study):
    cutoff = pd.Timestamp(study.data_cutoff)
    consent = edc_date(default_frames["IC"]["ICDAT"]).groupby(default_frames["IC"]["SUBJECT"]).min()
    for form in study.forms:
        frame = default_frames[form.id]
        for field in form.fields:
            if field.type != "date":
                continue
            dates = edc_date(frame[field.name])
            assert (dates.dropna() <= cutoff).all(), (form.id, field.name)
            if form.id not in ("DM", "MH", "CM"):
                assert (dates.dropna() >= consent.reindex(frame.loc[dates.notna(), "SUBJECT"]).to_numpy()).all(), (
                    form.id
                )


def test_visits_are_in_their_windows(default_frames, study):
    vis = default_frames["VIS"]
    first = first_infusion(default_frames).reindex(vis["SUBJECT"]).to_numpy()
    delta = (edc_date(vis["VISDAT"]) - first).dt.days
    for visit in study.visits:
        if visit.kind != "clinic" or visit.folder == "SCRN":
            continue
        rows = vis["FOLDER"] == visit.folder
        planned = visit.day - 1
        assert delta[rows].between(planned - visit.window[0], planned + visit.window[1]).all(), visit.folder


def test_identifiers_are_obviously_synthetic(default_frames):
    assert default_frames["DM"]["INITIALS"].str.fullmatch(r"X[A-Z]{2}").all()
    assert default_frames["SURV"]["PHONE"].str.fullmatch(r"\+86-000-0000-\d{4}").all()


def test_partial_dates_only_where_allowed(default_frames, study):
    for form in study.forms:
        for field in form.fields:
            if field.type != "date":
                continue
            partial = default_frames[form.id][field.name].str.startswith("UN")
            if not field.partial_dates:
                assert not partial.any(), (form.id, field.name)
    assert default_frames["DM"]["BRTHDAT"].str.startswith("UN").sum() >= 1
    assert default_frames["MH"]["MHSTDAT"].str.fullmatch(r"UN UNK \d{4}").sum() >= 5
    assert default_frames["CM"]["CMSTDAT"].str.fullmatch(r"UN [A-Z]{3} \d{4}").sum() >= 5


def test_history_and_medication(default_frames):
    mh, cm = default_frames["MH"], default_frames["CM"]
    per_subject = mh.groupby("SUBJECT")["MHTERM"].apply(set)
    assert len(per_subject) == 39
    assert per_subject.map(lambda t: {"Chronic hepatitis B", "Liver cirrhosis"} <= t).all()
    antiviral = cm[cm["CMCAT"] == "1"]
    assert antiviral["SUBJECT"].nunique() == 39 and antiviral["SUBJECT"].is_unique
    assert set(antiviral["CMTRT"]) <= {"Entecavir", "Tenofovir disoproxil fumarate", "Tenofovir alafenamide"}
    assert {"Spironolactone", "Furosemide"} <= set(cm.loc[cm["CMCAT"] == "2", "CMTRT"])
    assert ((cm["CMENDAT"] == "") == (cm["CMONGO"] == "1")).all()
