"""simulation.yaml is checked on load; every problem names its key and what was expected."""

from __future__ import annotations

import shutil

import pytest
import yaml

from cdisc_pipe.errors import SpecError
from cdisc_pipe.simulate import load_calibration
from cdisc_pipe.spec import load_spec


@pytest.fixture()
def edit(study_dir, tmp_path):
    """Copy the spec, apply ``change`` to simulation.yaml, and load the calibration of the copy."""

    def apply(change):
        folder = tmp_path / "spec"
        shutil.copytree(study_dir, folder, ignore=shutil.ignore_patterns("raw"))
        path = folder / "simulation.yaml"
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(doc)
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        return load_calibration(load_spec(folder))

    return apply


def test_the_shipped_calibration_loads(calibration):
    assert calibration.seed == 20180830 and calibration.enrolled == 24
    assert [a.armcd for a in calibration.arms] == ["LOW", "MEDIUM", "HIGH"]
    assert sum(e.count for e in calibration.adverse_events.events) == 151


def test_missing_file(study, tmp_path):
    with pytest.raises(
        SpecError, match=r"simulation.yaml: calibration file must exist beside the spec \(got nothing at "
    ):
        load_calibration(study, tmp_path / "nowhere.yaml")


def test_unknown_course(edit):
    def change(doc):
        doc["arms"]["LOW"]["courses"][0] = "completd"

    with pytest.raises(SpecError, match=r"arms.LOW.courses: `course` must be one of \[.*\] \(got 'completd'\)"):
        edit(change)


def test_wrong_number_of_day1_dates(edit):
    with pytest.raises(
        SpecError, match=r"arms.HIGH.first_infusions: `first_infusions` must be a list of 8 .* \(got 7\)"
    ):
        edit(lambda doc: doc["arms"]["HIGH"]["first_infusions"].pop())


def test_status_must_be_a_codelist_submission_value(edit):
    def change(doc):
        doc["courses"]["dropout_covid"]["d169"]["status"] = "PANDEMIC"

    with pytest.raises(
        SpecError,
        match=r"courses.dropout_covid: `DSDECOD` must be a submission value of codelist NCOMPLT .* \(got 'PANDEMIC'\)",
    ):
        edit(change)


def test_unknown_ae_concept_and_criterion(edit):
    def change(doc):
        doc["adverse_events"]["events"]["LOW"][0][0] = "neutropaenia"
        doc["screen_failures"][0]["criteria"] = ["IN99"]

    with pytest.raises(SpecError) as caught:
        edit(change)
    message = str(caught.value)
    assert "(2 problem(s))" in message
    assert "`concept` must be a key of adverse_events.terms (got 'neutropaenia')" in message
    assert "screen_failures[0].criteria: `criterion` must be a criterion id of study.yaml (got 'IN99')" in message


def test_missing_key_names_its_place(edit):
    with pytest.raises(SpecError, match=r"simulation.yaml: courses.completed: key 'last_clinic' must be given"):
        edit(lambda doc: doc["courses"]["completed"].pop("last_clinic"))
