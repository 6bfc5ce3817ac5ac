"""Same arguments, same bytes; another seed, other data; the shipped export is a fresh default run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from cdisc_pipe.paths import default_raw_dir
from cdisc_pipe.simulate import run_simulation, simulate, write_export


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(study, tmp_path):
    first = write_export(simulate(study, subjects=60, seed=11), study, tmp_path / "a")
    second = write_export(simulate(study, subjects=60, seed=11), study, tmp_path / "b")
    assert _digests(first) == _digests(second)
    assert len(_digests(first)) == len(study.forms)


def test_other_seed_other_data(study):
    one, two = simulate(study, subjects=60, seed=11), simulate(study, subjects=60, seed=12)
    differs = [form for form in one if not one[form].equals(two[form])]
    assert {"DM", "VIS", "AE", "CM", "MH", "DS"} <= set(differs)


def test_default_is_the_calibrated_design_and_seed(study, calibration, default_frames):
    explicit = simulate(study, subjects=calibration.enrolled, seed=calibration.seed)
    assert all(explicit[form].equals(default_frames[form]) for form in default_frames)


def test_calibrated_events_do_not_depend_on_the_seed(study, default_frames):
    other = simulate(study, seed=5)
    for form in ("ENR", "DTH", "IE"):
        assert len(other[form]) == len(default_frames[form])
    assert other["AE"]["AEGRADE"].value_counts().to_dict() == default_frames["AE"]["AEGRADE"].value_counts().to_dict()
    assert not other["VIS"].equals(default_frames["VIS"])


def test_shipped_export_is_a_fresh_default_run(study_dir, tmp_path):
    shipped = default_raw_dir(study_dir)
    if not shipped.is_dir():
        pytest.fail(
            f"the default export must be shipped in {shipped} (write it with `cdisc-pipe simulate --out {shipped}`)"
        )
    fresh = run_simulation(study_dir, tmp_path / "raw")
    assert _digests(fresh) == _digests(shipped)


def test_files_are_utf8_with_unix_line_endings(study_dir):
    shipped = default_raw_dir(study_dir)
    for path in shipped.glob("*.csv"):
        data = path.read_bytes()
        assert b"\r" not in data and data.endswith(b"\n")
        data.decode("utf-8")
