"""Validation at trial scale: 10,000 enrolled subjects (forms of ~100,000 records) in seconds.

The bounds are generous (a slow CI machine must pass); ``benchmarks/`` is the place for exact timings.
"""

from __future__ import annotations

import dataclasses
import time

import pytest
from validate_synthetic import synthetic_export

from cdisc_pipe.raw.model import RawForm
from cdisc_pipe.raw.validate import validate_raw

SUBJECTS = 15_000  # every third is a screen failure: 10,000 enrolled


@pytest.fixture(scope="module")
def large_export(study):
    return synthetic_export(study, SUBJECTS)


@pytest.mark.slow
def test_a_clean_export_of_10000_enrolled_subjects_validates_in_seconds(study, large_export):
    records = sum(form.n_records for form in large_export.forms.values())
    assert records > 800_000 and max(form.n_records for form in large_export.forms.values()) > 80_000
    began = time.perf_counter()
    report = validate_raw(large_export, study)
    seconds = time.perf_counter() - began
    assert report.findings == []
    assert seconds < 15, f"{records} records took {seconds:.1f} s"


@pytest.mark.slow
def test_a_form_failing_on_every_record_still_validates_in_seconds(study, large_export):
    vs = large_export.forms["VS"]
    broken = vs.frame.assign(SYSBP="12O", TEMP="99", VSDAT="30 FEB 2020")
    export = dataclasses.replace(large_export, forms={**large_export.forms, "VS": RawForm(vs.form, broken, vs.file)})
    began = time.perf_counter()
    report = validate_raw(export, study)
    seconds = time.perf_counter() - began
    assert report.count() == 3 * vs.n_records
    assert {f.rule for f in report.findings} == {"RAW-TYPE-INTEGER", "RAW-RANGE", "RAW-DATE-INVALID"}
    assert seconds < 30, f"{report.count()} findings took {seconds:.1f} s"
