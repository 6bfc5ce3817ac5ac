"""The measurement simulator as a function: its contract, determinism, other seeds and other sizes."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
import pytest
import yaml
from test_measurements_readback import (
    calibration_problems,
    meld,
    numeric_table,
    parameters,
)

from cdisc_pipe.errors import SpecError
from cdisc_pipe.simulate import build_schedule
from cdisc_pipe.simulate.measurements import MEASUREMENT_FORMS, simulate_measurements

FOLDERS = ("SCRN", "D001", "D008", "D015", "D029", "D057", "D085", "D169")


@pytest.fixture(scope="module")
def config(study_dir) -> dict:
    return yaml.safe_load((study_dir / "simulation-measurements.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schedule(study) -> pd.DataFrame:
    return build_schedule(study)


def synthetic_schedule(rows: list[tuple[str, str, int, str, str, int]]) -> pd.DataFrame:
    """A hand-made schedule: (subject, arm, armseq, course, sex, last folder index) per subject."""
    records = []
    for subject, arm, seq, course, sex, last in rows:
        enrolled = arm != "SCRNFAIL"
        start = np.datetime64("2021-03-01")
        for i, folder in enumerate(FOLDERS[: last + 1] if enrolled else FOLDERS[:1]):
            day = {"SCRN": -14, "D001": 0, "D008": 7, "D015": 14, "D029": 28, "D057": 56, "D085": 84, "D169": 168}[folder]
            records.append({"SUBJECT": subject, "SITENUMBER": "01", "ARMCD": arm, "ARMSEQ": seq, "COURSE": course,
                            "ENROLLED": enrolled, "SEX": sex, "AGE": 50, "FOLDER": folder, "VISITDY": day + 1,
                            "VISDAT": start + np.timedelta64(day, "D")})
    frame = pd.DataFrame(records)
    frame["VISDAT"] = frame["VISDAT"].astype("datetime64[s]")
    return frame


def _arm_of(schedule: pd.DataFrame) -> pd.Series:
    return schedule.drop_duplicates("SUBJECT").set_index("SUBJECT")["ARMCD"]


def test_frames_have_exactly_the_form_fields(study, schedule, config):
    frames = simulate_measurements(study, schedule, config, np.random.default_rng(5))
    assert set(frames) == set(MEASUREMENT_FORMS)
    for form_id, frame in frames.items():
        form = study.form(form_id)
        assert list(frame.columns) == list(form.field_names)
        assert pd.api.types.is_datetime64_any_dtype(frame[form.date_field])
        assert not frame.duplicated(["SUBJECT", "FOLDER"]).any()
        values = frame.drop(columns=[form.date_field])
        assert all(pd.api.types.is_string_dtype(values[c]) for c in values.columns)


def test_same_rng_seed_gives_the_same_frames(study, schedule, config):
    first = simulate_measurements(study, schedule, config, np.random.default_rng(11))
    second = simulate_measurements(study, schedule, config, np.random.default_rng(11))
    other = simulate_measurements(study, schedule, config, np.random.default_rng(12))
    for form_id in MEASUREMENT_FORMS:
        pd.testing.assert_frame_equal(first[form_id], second[form_id])
    assert not first["LBLIV"]["ALB"].equals(other["LBLIV"]["ALB"])


def test_input_is_not_modified(study, schedule, config):
    before_schedule, before_config = schedule.copy(), copy.deepcopy(config)
    simulate_measurements(study, schedule, config, np.random.default_rng(3))
    pd.testing.assert_frame_equal(schedule, before_schedule)
    assert config == before_config


@pytest.mark.parametrize("seed", [1, 2])
def test_calibration_holds_for_other_seeds(study, schedule, config, published, seed):
    frames = simulate_measurements(study, schedule, config, np.random.default_rng(seed))
    assert calibration_problems(parameters(frames), _arm_of(schedule), published) == []


def test_scaled_runs_resample_the_templates(study, config):
    schedule = build_schedule(study, subjects=90, seed=4)
    frames = simulate_measurements(study, schedule, config, np.random.default_rng(4))
    table = parameters(frames)
    enrolled = schedule.loc[schedule["ENROLLED"], "SUBJECT"].unique()
    assert frames["LBLIV"]["SUBJECT"].isin(enrolled).sum() > 90 * 4
    baseline = table[table.index.get_level_values("SUBJECT").isin(enrolled)].xs("D001", level="FOLDER")
    assert len(baseline) == 90
    assert (baseline["CHILDPUGH"] >= 7).all() and (baseline["MELD"] <= 15).all()
    assert (baseline["ALB"] < 35).all() and (baseline["PTA"] > 30).all()
    for form_id in ("LBLIV", "LBCOAG", "LBHEM"):
        for field in study.form(form_id).fields:
            if field.type == "float" and field.name in frames[form_id]:
                values = frames[form_id][field.name].replace("", np.nan).dropna().astype(float)
                assert values.between(field.min, field.max).all(), field.name
    arms = _arm_of(schedule)
    sf36 = frames["SF36"].drop_duplicates("SUBJECT")["SUBJECT"].map(arms).value_counts(normalize=True)
    assert sf36["HIGH"] > sf36["LOW"]          # completion rates of the templates carry over


def test_a_small_hand_made_schedule(study, config):
    schedule = synthetic_schedule([
        ("01-001", "LOW", 1, "completed", "1", 7), ("01-002", "HIGH", 1, "completed", "2", 5),
        ("01-003", "SCRNFAIL", 1, "screen_failure", "1", 0),
    ])
    frames = simulate_measurements(study, schedule, config, np.random.default_rng(0))
    liv = frames["LBLIV"]
    assert liv.groupby("SUBJECT").size().to_dict() == {"01-001": 6, "01-002": 4, "01-003": 1}
    assert frames["LBIMM"].groupby("SUBJECT").size().to_dict() == {"01-001": 5, "01-002": 3}
    assert set(frames["VS"].loc[frames["VS"]["SUBJECT"] == "01-001", "FOLDER"]) == set(FOLDERS)


def test_screen_failures_violate_the_laboratory_criteria_they_failed(study, config):
    schedule = synthetic_schedule([("01-001", "LOW", 1, "completed", "1", 7)]
                                  + [(f"01-{i:03d}", "SCRNFAIL", i, "screen_failure", "1", 0) for i in range(2, 8)])
    schedule["IECRIT"] = schedule["SUBJECT"].map({"01-002": "IN04", "01-003": "IN06;IN04", "01-004": "IN05",
                                                  "01-005": "IN07", "01-006": "EX08", "01-007": "IN01"})
    frames = simulate_measurements(study, schedule, config, np.random.default_rng(0))
    table = parameters(frames).xs("SCRN", level="FOLDER")
    assert table.loc["01-002", "ALB"] >= 35 and table.loc["01-003", "ALB"] >= 35
    assert table.loc["01-003", "MELD"] > 15
    assert table.loc["01-004", "CHILDPUGH"] < 7
    assert table.loc["01-005", "HGB"] <= 70
    for subject in ("01-006", "01-007"):
        row = table.loc[subject]
        assert row["ALB"] < 35 and row["CHILDPUGH"] >= 7 and row["MELD"] <= 15 and row["HGB"] > 70


def test_schedule_without_required_columns_is_refused(study, schedule, config):
    with pytest.raises(ValueError, match=r"`schedule` must have columns .* \(got none named \['COURSE'\]\)"):
        simulate_measurements(study, schedule.drop(columns=["COURSE"]), config, np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"`rng` must be a numpy Generator \(got int\)"):
        simulate_measurements(study, schedule, config, 3)


def test_invalid_calibration_is_reported_at_once(study, schedule, config):
    broken = copy.deepcopy(config)
    broken["patterns"]["ALB"]["D029"]["LOW"] = [1, 2, 3]
    broken["fields"]["ALB"]["form"] = "LBCOAG"
    broken["templates"]["LOW"][1]["alb"] = "2211"
    with pytest.raises(SpecError) as info:
        simulate_measurements(study, schedule, broken, np.random.default_rng(0))
    message = str(info.value)
    assert "fields.ALB: `form` must name a form of the study holding field ALB (got 'LBCOAG')" in message
    assert "templates.LOW.1.alb: `alb` must be 5 characters of 0-3 or '.' (got '2211')" in message
    assert "patterns.ALB.D029.LOW: ranks must give one entry per template (8) (got 3)" in message


def test_meld_helper_matches_the_frames(study, schedule, config):
    frames = simulate_measurements(study, schedule, config, np.random.default_rng(6))
    table = numeric_table(frames)
    value = meld(table["TBIL"], table["INR"], table["CREAT"]).dropna()
    assert value.between(6.43, 25).all()
