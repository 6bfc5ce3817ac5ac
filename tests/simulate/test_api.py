"""The simulator's public surface, its argument checks and its writers."""

from __future__ import annotations

import pandas as pd
import pytest

import cdisc_pipe.simulate as simulate_module
from cdisc_pipe.simulate import run_simulation, simulate, write_export


def test_public_names_are_locked():
    assert sorted(simulate_module.__all__) == sorted(
        ["simulate", "write_export", "run_simulation", "build_schedule", "load_calibration", "Calibration"]
    )


@pytest.mark.parametrize("subjects", [0, -3, True, 2.5, "24"])
def test_subjects_must_be_a_positive_whole_number(study, subjects):
    with pytest.raises(ValueError, match=r"`subjects` must be a positive whole number or None \(got "):
        simulate(study, subjects=subjects)


@pytest.mark.parametrize("seed", [-1, 1.5, False])
def test_seed_must_be_a_non_negative_whole_number(study, seed):
    with pytest.raises(ValueError, match=r"`seed` must be a non-negative whole number or None \(got "):
        simulate(study, seed=seed)


def test_write_export_rejects_unknown_format_and_forms(study, tmp_path):
    with pytest.raises(ValueError, match=r"`format` must be one of \['csv', 'odm'\] \(got 'xlsx'\)"):
        write_export({}, study, tmp_path, format="xlsx")
    with pytest.raises(ValueError, match=r"`frames` keys must be form ids of study 'HUCMSC-DLC' \(got \['XX'\]\)"):
        write_export({"XX": pd.DataFrame()}, study, tmp_path)


def test_csv_files_one_per_form_with_the_spec_names(study, default_frames, tmp_path):
    out = write_export(default_frames, study, tmp_path / "csv")
    assert sorted(p.name for p in out.iterdir()) == sorted(form.file for form in study.forms)
    header = (out / "ae.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    assert header == ",".join(study.form("AE").field_names)
    back = pd.read_csv(out / "ds.csv", dtype=str, keep_default_na=False)
    assert back.values.tolist() == default_frames["DS"].values.tolist()


def test_odm_export_reads_back_as_the_csv(study, tmp_path):
    from cdisc_pipe.raw.read import read_raw

    frames = simulate(study, subjects=6, seed=4)
    csv_dir = write_export(frames, study, tmp_path / "csv")
    odm_file = run_simulation(study.root, tmp_path / "odm" / "export.xml", subjects=6, seed=4, format="odm")
    assert odm_file.is_file()
    from_csv, from_odm = read_raw(csv_dir, study), read_raw(odm_file, study)
    for form in study.forms:
        left = from_csv.frame(form.id).drop(columns="_ROW_").reset_index(drop=True)
        right = from_odm.frame(form.id).drop(columns="_ROW_").reset_index(drop=True)
        pd.testing.assert_frame_equal(left.fillna(""), right.fillna(""), check_dtype=False, obj=form.id)
