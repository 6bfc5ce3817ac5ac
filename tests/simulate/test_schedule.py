"""The schedule handed to the measurement simulator: its columns, types and rows (docs/simulator.md)."""

from __future__ import annotations

import pandas as pd

from cdisc_pipe.simulate import build_schedule

COLUMNS = [
    "SUBJECT",
    "SITENUMBER",
    "ARMCD",
    "ARMSEQ",
    "COURSE",
    "ENROLLED",
    "SEX",
    "AGE",
    "FOLDER",
    "VISITDY",
    "VISDAT",
    "VISDY",
    "RFSTDAT",
]


def test_columns_and_types(study):
    schedule = build_schedule(study)
    assert list(schedule.columns) == COLUMNS
    dtypes = {c: str(t) for c, t in schedule.dtypes.items()}
    assert dtypes["ARMSEQ"] == dtypes["AGE"] == dtypes["VISITDY"] == "int64"
    assert dtypes["VISDY"] == "Int64" and dtypes["ENROLLED"] == "bool"
    assert pd.api.types.is_datetime64_any_dtype(schedule["VISDAT"])
    assert pd.api.types.is_datetime64_any_dtype(schedule["RFSTDAT"])


def test_rows_match_the_visit_form(study, default_frames):
    schedule = build_schedule(study)
    vis = default_frames["VIS"]
    assert schedule[["SUBJECT", "FOLDER"]].astype(str).values.tolist() == vis[["SUBJECT", "FOLDER"]].values.tolist()
    dates = schedule["VISDAT"].dt.strftime("%d %b %Y").str.upper()
    assert dates.tolist() == vis["VISDAT"].tolist()


def test_screen_failures_attend_screening_only(study):
    schedule = build_schedule(study)
    failures = schedule[~schedule["ENROLLED"]]
    assert set(failures["ARMCD"]) == {"SCRNFAIL"} and set(failures["FOLDER"]) == {"SCRN"}
    assert failures["VISDY"].isna().all() and failures["RFSTDAT"].isna().all()
    assert sorted(failures["ARMSEQ"]) == list(range(1, 16)) and set(failures["COURSE"]) == {"screen_failure"}


def test_enrolled_positions_and_study_days(study):
    schedule = build_schedule(study)
    enrolled = schedule[schedule["ENROLLED"]]
    first = enrolled.drop_duplicates("SUBJECT")
    assert first.groupby("ARMCD")["ARMSEQ"].apply(sorted).map(lambda s: s == list(range(1, 9))).all()
    day1 = enrolled[enrolled["FOLDER"] == "D001"]
    assert (day1["VISDY"] == 1).all() and (day1["VISDAT"] == day1["RFSTDAT"]).all()
    scrn = enrolled[enrolled["FOLDER"] == "SCRN"]
    assert scrn["VISDY"].between(-28, -1).all()
    assert set(schedule["SEX"]) <= {"1", "2"} and schedule["AGE"].between(18, 70).all()
    assert set(enrolled.loc[enrolled["ARMCD"] == "MEDIUM", "COURSE"]) >= {"lost_after_infusions", "dropout_covid"}


def test_scaled_schedule_is_the_same_shape(study):
    schedule = build_schedule(study, subjects=30, seed=2)
    assert list(schedule.columns) == COLUMNS
    assert schedule.loc[schedule["ENROLLED"], "SUBJECT"].nunique() == 30
