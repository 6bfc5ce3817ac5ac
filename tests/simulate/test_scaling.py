"""Other sizes run the same design: arms in thirds, screen failures at 15 per 24, calibrated rates."""

from __future__ import annotations

import time

import numpy as np
import pytest

from cdisc_pipe.simulate import simulate, write_export
from simulate_helpers import arms

N = 1000


@pytest.fixture(scope="module")
def scaled(study):
    started = time.perf_counter()
    frames = simulate(study, subjects=N, seed=3)
    return frames, time.perf_counter() - started


def test_population(scaled):
    frames, seconds = scaled
    assert seconds < 10
    assert arms(frames).value_counts().to_dict() == {"LOW": 334, "MEDIUM": 333, "HIGH": 333}
    assert len(frames["DM"]) == N + 625
    assert (frames["ELIG"]["ELIGYN"] == "0").sum() == 625
    assert frames["DM"]["SUBJECT"].str.fullmatch(r"01-\d{4}").all() and frames["DM"]["SUBJECT"].is_unique
    assert set(frames["IE"]["SUBJECT"]) == set(frames["ELIG"].loc[frames["ELIG"]["ELIGYN"] == "0", "SUBJECT"])


def test_rates_follow_the_calibration(scaled):
    frames, _ = scaled
    ae = frames["AE"].merge(arms(frames), left_on="SUBJECT", right_index=True)
    per_subject = ae[ae["AESER"] == "0"].groupby("ARM").size() / arms(frames).value_counts()
    # calibrated: 63, 34 and 54 events per 8 subjects, a little less where follow-up is cut short
    assert per_subject["LOW"] == pytest.approx(63 / 8, rel=0.15)
    assert per_subject["MEDIUM"] == pytest.approx(34 / 8, rel=0.2)
    assert per_subject["HIGH"] == pytest.approx(54 / 8, rel=0.15)
    grade3 = ae.loc[ae["AESER"] == "0"].groupby("ARM")["AEGRADE"].apply(lambda g: (g == "3").mean())
    assert grade3["HIGH"] > grade3["LOW"]
    deaths = frames["DTH"].merge(arms(frames), left_on="SUBJECT", right_index=True)["ARM"].value_counts()
    assert deaths["LOW"] / 334 == pytest.approx(2 / 8, abs=0.07)
    assert "MEDIUM" not in deaths
    assert len(frames["EX"]) == 3 * N


def test_every_frame_is_text_with_the_form_columns(scaled, study):
    frames, _ = scaled
    for form in study.forms:
        frame = frames[form.id]
        assert list(frame.columns) == list(form.field_names)
        assert all(str(frame[c].dtype) == "str" for c in frame.columns), form.id
        assert not frame.isna().any().any(), form.id


@pytest.mark.slow
def test_hundred_thousand_subjects_in_seconds(study, tmp_path, request):
    if "slow" not in (request.config.option.markexpr or ""):
        pytest.skip("100,000 subjects: run with `pytest -m slow tests/simulate`")
    started = time.perf_counter()
    frames = simulate(study, subjects=100_000, seed=1)
    write_export(frames, study, tmp_path)
    seconds = time.perf_counter() - started
    assert len(frames["ENR"]) == 100_000
    assert seconds < 120, seconds
    print(f"100,000 subjects simulated and written in {seconds:.1f} s")
    assert np.isclose(len(frames["DM"]), 162_500)
